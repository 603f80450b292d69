#!/usr/bin/env bash
# One PHP version's part of CI, run from a checkout (tools/test-all.sh runs it inside a Debian chroot on a copy of
# the sources): builds SafeShm against PHP VERSION with warnings as errors, checks the arginfo headers for that
# version and builds once more with the headers that version's own gen_stub.php writes, then (unless --build-only)
# runs the phpt suite against the build under both lock kinds.
#
#   tools/ci-php.sh VERSION [--build-only]      e.g. tools/ci-php.sh 8.5
#
# Uses phpizeVERSION / php-configVERSION / phpVERSION (Debian's names) or, failing those, phpize / php-config / php
# when they are that version. Builds in place (phpize writes into the checkout) and in build-own-arginfo/.
# Environment: SAFESHM_WARN_FLAGS (default "-Wall -Wextra -Werror"). Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ver=${1:?usage: tools/ci-php.sh VERSION [--build-only]}
build_only=0; [ "${2:-}" = --build-only ] && build_only=1
warn=${SAFESHM_WARN_FLAGS:--Wall -Wextra -Werror}
export LC_ALL=C   # plain ASCII quotes in compiler messages
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
end() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

pick() { # pick NAME: NAMEver, or NAME when it is that version
  if command -v "$1$ver" >/dev/null; then echo "$1$ver"; elif command -v "$1" >/dev/null; then echo "$1"; fi
}
phpize=$(pick phpize); phpconfig=$(pick php-config); php=$(pick php)
if [ -z "$phpize" ] || [ -z "$phpconfig" ] || [ -z "$php" ] ||
   [ "$("$php" -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')" != "$ver" ]; then
  bad "PHP $ver with its development files is not installed (php$ver-cli, php$ver-dev)"; end
fi
php=$(command -v "$php")
echo "PHP $("$php" -r 'echo PHP_VERSION;') ($php), $("$php" -r 'echo PHP_ZTS ? "ZTS" : "NTS";'), built with: $warn"

# build DIR: phpize, configure, make with warnings as errors; the errors are printed on failure. When every
# diagnostic lies in PHP's own headers (8.5's zend_operators.h has an unused parameter under -Wextra), and none
# comes from a macro of theirs expanded in our code, the build is retried with PHP's include directories as system
# directories (-isystem), which silences only those headers, and says so.
build() {
  local log="$1.build.log" rc inc ours
  inc=$("$phpconfig" --include-dir)
  (cd "$1" && "$phpize" >/dev/null 2>&1 && ./configure -q --with-php-config="$(command -v "$phpconfig")" --enable-safeshm >/dev/null 2>&1 &&
   make -j2 EXTRA_CFLAGS="$warn" >/dev/null) >"$log" 2>&1
  rc=$?
  if [ $rc -ne 0 ] && grep -qE ': (error|warning): ' "$log"; then
    ours=$(grep -E ': (error|warning): |: note: in expansion of macro' "$log" | grep -v "^$inc/")
    if [ -z "$ours" ]; then
      echo "note: PHP $ver's own headers do not build with $warn:"
      grep -E ': (error|warning): ' "$log" | sort -u | head -5 | sed 's/^/  /' | cat -v
      echo "note: building again with PHP's include directories as system directories (-isystem)"
      (cd "$1" && make clean >/dev/null && make -j2 EXTRA_CFLAGS="$warn $("$phpconfig" --includes | sed 's/-I/-isystem /g')" >/dev/null) >"$log" 2>&1
      rc=$?
    fi
  fi
  [ $rc -eq 0 ] || grep -E 'In function|error:|warning:|Error [0-9]' "$log" | uniq | head -40 | cat -v
  rm -f "$log"
  return $rc
}

# the sources of the extension, as config.m4 and the headers name them: a copy builds alone
own=build-own-arginfo
rm -rf "$own"; mkdir -p "$own"
srcs=$(sed -n 's/.*PHP_NEW_EXTENSION(safeshm, *\([^,]*\),.*/\1/p' config.m4)
# shellcheck disable=SC2086
cp config.m4 config.w32 $srcs ./*.h ./*.stub.php "$own/" && cp ./*.frag "$own/" 2>/dev/null

echo "== PHP $ver: build with the committed arginfo headers"
if build .; then ok "PHP $ver: modules/safeshm.so built"; else bad "PHP $ver: build failed"; end; fi

echo "== PHP $ver: arginfo"
if PHP_CONFIG=$phpconfig ARGINFO_OUT="$own" bash tools/gen-arginfo.sh --check; then
  ok "PHP $ver: arginfo headers generated from the current stubs"
  if build "$own"; then ok "PHP $ver: builds with the headers PHP $ver's gen_stub.php writes"
  else bad "PHP $ver: does not build with the headers its own gen_stub.php writes"; fi
else
  bad "PHP $ver: arginfo headers stale"
fi
rm -rf "$own"

if "$php" -d extension="$PWD/modules/safeshm.so" -r 'exit(extension_loaded("safeshm") && class_exists("SafeShm") ? 0 : 1);'; then
  ok "PHP $ver: the module loads ($("$php" -d extension="$PWD/modules/safeshm.so" -r 'echo "safeshm ", phpversion("safeshm");'))"
else
  bad "PHP $ver: the module does not load"; end
fi
[ "$build_only" = 1 ] && end

for lock in mutex semaphore; do
  echo "== PHP $ver: phpt (safeshm.lock=$lock)"
  out=$(TEST_PHP_EXECUTABLE=$php RUN_TESTS=run-tests.php bash tools/phpt.sh "PHP $ver, safeshm.lock=$lock" \
        -d extension="$PWD/modules/safeshm.so" -d safeshm.lock=$lock tests/)
  echo "$out" | sed '$d'
  p=$(echo "$out" | tail -n1 | awk '{print $1}'); f=$(echo "$out" | tail -n1 | awk '{print $3}')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))
done
end
