#!/usr/bin/env bash
# Builds modules/safeshm.so with phpize/configure (extra configure flags pass through).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f Makefile ] || [ config.m4 -nt configure ] || [ "${SAFESHM_RECONFIGURE:-}" = 1 ]; then
  phpize >/dev/null
  ./configure -q --enable-safeshm "$@" >/dev/null
fi
make -j"$(nproc)" >/dev/null
echo "built $(pwd)/modules/safeshm.so"
