#!/usr/bin/env bash
# Builds modules/safeshm.so with phpize/configure (extra configure flags pass through).
# SAFESHM_WARN_FLAGS="-Wall -Wextra -Werror" rebuilds every object with those flags (what CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f Makefile ] || [ config.m4 -nt configure ] || [ Makefile.frag -nt Makefile ] || [ "${SAFESHM_RECONFIGURE:-}" = 1 ]; then
  phpize >/dev/null
  ./configure -q --enable-safeshm "$@" >/dev/null
fi
if [ -n "${SAFESHM_WARN_FLAGS:-}" ]; then
  make clean >/dev/null
  make -j"$(nproc)" EXTRA_CFLAGS="$SAFESHM_WARN_FLAGS" >/dev/null
else
  make -j"$(nproc)" >/dev/null
fi
echo "built $(pwd)/modules/safeshm.so${SAFESHM_WARN_FLAGS:+ with $SAFESHM_WARN_FLAGS}"
