#!/usr/bin/env bash
# Builds a second safeshm.so with the fault-injection hooks (tests only) into
# build-hooks/modules/safeshm.so, from a copy of the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
dst=build-hooks
mkdir -p "$dst"
cp config.m4 config.w32 php_safeshm.h safeshm.c safeshm_arginfo.h shm_store.c shm_store.h sem_lock.c sem_lock.h "$dst/"
cd "$dst"
if [ ! -f Makefile ] || [ config.m4 -nt configure ]; then
  phpize >/dev/null
  ./configure -q --enable-safeshm --enable-safeshm-test-hooks >/dev/null
fi
make -j"$(nproc)" >/dev/null
echo "built $(pwd)/modules/safeshm.so (test hooks)"
