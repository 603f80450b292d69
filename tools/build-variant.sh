#!/usr/bin/env bash
# Builds a variant of safeshm.so from a copy of the sources, beside the main build:
#   tools/build-variant.sh hooks   -> build-hooks/modules/safeshm.so  (fault-injection hooks, tests only)
#   tools/build-variant.sh asan    -> build-asan/modules/safeshm.so   (AddressSanitizer + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:?hooks or asan}
dst=build-$variant
flags=(--enable-safeshm)
cflags="-O1 -g"
case "$variant" in
  hooks) flags+=(--enable-safeshm-test-hooks) ;;
  asan) cflags="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" ;;
  *) echo "unknown variant $variant" >&2; exit 2 ;;
esac
mkdir -p "$dst"
# the sources config.m4 builds, every header, the build files: a split or rename of the C files needs no edit here
srcs=$(sed -n 's/.*PHP_NEW_EXTENSION(safeshm, *\([^,]*\),.*/\1/p' config.m4)
[ -n "$srcs" ] || { echo "no PHP_NEW_EXTENSION(safeshm, ...) in config.m4" >&2; exit 1; }
# shellcheck disable=SC2086
cp config.m4 config.w32 $srcs $(ls ./*.h | grep -v '^./config\.h$') "$dst/"
[ -f Makefile.frag ] && cp Makefile.frag "$dst/"
cd "$dst"
if [ ! -f Makefile ] || [ config.m4 -nt configure ]; then
  phpize >/dev/null
  CFLAGS="$cflags" LDFLAGS="$( [ "$variant" = asan ] && echo -fsanitize=address,undefined )" \
    ./configure -q "${flags[@]}" >/dev/null
fi
make -j"$(nproc)" >/dev/null
echo "built $(pwd)/modules/safeshm.so ($variant)"
