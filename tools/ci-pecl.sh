#!/usr/bin/env bash
# The PECL package as a user meets it, on a clean Debian with php-dev and php-pear (tools/test-all.sh runs this
# as root inside a throwaway copy of a Debian 12 chroot; it changes the system it runs on):
#   1. pecl install TARBALL, then enable the module for every SAPI with one ini file, as README says
#      (mods-available/safeshm.ini with extension=safeshm, phpenmod);
#   2. the package's phpt suite, as installed, against the installed module (run-tests.php, PHP's system ini);
#   3. pecl run-tests -p safeshm (PEAR's own runner, over the same installed tests);
#   4. make test in the unpacked tarball after phpize and configure.
# Every test must run: a skipped test counts as failed here, since all the extensions the tests use are present;
# only the tests of the test-hooks build (tests/hooks/) skip, as they do for every user.
#
#   tools/ci-pecl.sh TARBALL            last line: "N passed, N failed"
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tgz=$(cd "$(dirname "${1:?usage: tools/ci-pecl.sh TARBALL}")" && pwd)/$(basename "$1")
export NO_INTERACTION=1 NO_COLOR=1 TERM=dumb LC_ALL=C
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
end() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }
phpver=$(php -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
work=$(mktemp -d)

echo "== pecl install $(basename "$tgz") (PHP $(php -r 'echo PHP_VERSION;'))"
if pecl install "$tgz" </dev/null >"$work/install.log" 2>&1 && grep -q 'install ok' "$work/install.log"; then
  ok "pecl install: $(grep -m1 'install ok' "$work/install.log")"
else
  tail -n 30 "$work/install.log" | cat -v; bad "pecl install failed"; end
fi
ini=/etc/php/$phpver/mods-available/safeshm.ini
echo "extension=safeshm" >"$ini" && phpenmod safeshm
if php -r 'exit(extension_loaded("safeshm") ? 0 : 1);'; then
  ok "enabled with $ini and phpenmod: php -m lists safeshm $(php -r 'echo phpversion("safeshm");')"
else
  bad "safeshm not loaded after phpenmod safeshm"; end
fi

testdir=$(pecl config-get test_dir)/safeshm/tests
n=$(find "$testdir" -maxdepth 1 -name '*.phpt' | wc -l)
[ "$n" -gt 0 ] && ok "$n phpt files installed in $testdir" || { bad "no test installed in $testdir"; end; }

# The tests of tests/hooks/ need the test-hooks build (a production module has no test hooks; tests/hooks/run.sh
# runs them in tools/test-all.sh): they are the only skips allowed here.
hooks_n=$(find "$testdir/hooks" -maxdepth 1 -name '*.phpt' 2>/dev/null | wc -l)

# count TITLE OUTPUT: adds the "N passed, N failed" last line of OUTPUT; skips other than the hooks tests fail here
count() {
  local p f s
  p=$(tail -n1 <<<"$2" | awk '{print $1}'); f=$(tail -n1 <<<"$2" | awk '{print $3}')
  s=$(sed -n 's/.* \([0-9][0-9]*\) skipped.*/\1/p' <<<"$2" | tail -n1)
  s=${s:-0}
  [ "$s" -ge "$hooks_n" ] && [ "$hooks_n" -gt 0 ] && { echo "$1: $hooks_n skipped as they should be (tests/hooks/: the test-hooks build's tests)"; s=$((s - hooks_n)); }
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1} + s))
  [ "$s" -gt 0 ] && echo "FAIL: $1: ${s} tests skipped (every extension and tool they use is installed)"
  return 0
}

echo "== the installed tests against the installed module (run-tests.php)"
runner=$(dirname "$(php-config --extension-dir)")/$(php-config --phpapi)/build/run-tests.php
[ -f "$runner" ] || runner=$(ls /usr/lib/php/*/build/run-tests.php | head -n1)
out=$(cd "$testdir/.." && RUN_TESTS=$runner TEST_PHP_EXECUTABLE=$(command -v php) bash "$here/phpt.sh" "installed, PHP $phpver" tests/)
echo "$out" | sed '$d'
count "run-tests.php on the installed tests" "$out"

echo "== pecl run-tests -p safeshm"
(cd "$work" && pecl run-tests -p safeshm </dev/null >"$work/pecl-tests.log" 2>&1)
sed 's/.*\r//' "$work/pecl-tests.log" | grep -E '^(FAIL|SKIP|BORK)' | cut -c1-300 | cat -v
pp=$(sed -n 's/^\([0-9][0-9]*\) PASSED TESTS.*/\1/p' "$work/pecl-tests.log")
pf=$(sed -n 's/^\([0-9][0-9]*\) FAILED TESTS.*/\1/p' "$work/pecl-tests.log")
ps=$(sed -n 's/^\([0-9][0-9]*\) SKIPPED TESTS.*/\1/p' "$work/pecl-tests.log")
if [ -z "$pp" ]; then tail -n 20 "$work/pecl-tests.log" | cat -v; fi
for f in $(sed -n 's/^FAIL .*\[\(.*\.phpt\)\].*/\1/p' "$work/pecl-tests.log" | head -n 10); do
  d=${f%.phpt}.diff
  [ -f "$testdir/$(basename "$d")" ] && d=$testdir/$(basename "$d")
  [ -f "$d" ] && { echo "--- $d"; head -n 40 "$d" | sed 's/\r$//' | cut -c1-300 | cat -v; }
done
echo "pecl run-tests: ${pp:-0} passed, ${pf:-0} failed, ${ps:-0} skipped"
count "pecl run-tests" "$(printf 'pecl run-tests: %s skipped\n%s passed, %s failed' "${ps:-0}" "${pp:-0}" "$(( ${pf:-0} + (${pp:-0} == 0 ? 1 : 0) ))")"

echo "== make test in the unpacked tarball (phpize, configure, make)"
mkdir -p "$work/src" && tar -xzf "$tgz" -C "$work/src"
src=$(find "$work/src" -maxdepth 1 -mindepth 1 -type d -name 'safeshm-*' | head -n1)
if (cd "$src" && phpize >/dev/null && ./configure -q >/dev/null && make -j2 >/dev/null) >"$work/build.log" 2>&1; then
  (cd "$src" && make test TESTS="-q --no-color --no-progress -j2" >"$work/make-test.log" 2>&1)
  sed 's/.*\r//' "$work/make-test.log" | grep -E '^(FAIL|SKIP|BORK|LEAK)' | cut -c1-300 | cat -v
  mp=$(awk '/^Tests passed/ {print $4}' "$work/make-test.log"); mf=$(awk '/^Tests failed/ {print $4}' "$work/make-test.log")
  ms=$(awk '/^Tests skipped/ {print $4}' "$work/make-test.log")
  mb=$(grep -c '^BORK' "$work/make-test.log")
  [ -z "$mp" ] && tail -n 20 "$work/make-test.log" | cat -v
  echo "make test: ${mp:-0} passed, ${mf:-0} failed, ${ms:-0} skipped, $mb borked"
  count "make test" "$(printf 'make test: %s skipped\n%s passed, %s failed' "${ms:-0}" "${mp:-0}" "$(( ${mf:-0} + mb + (${mp:-0} == 0 ? 1 : 0) ))")"
else
  tail -n 30 "$work/build.log" | cat -v; bad "phpize/configure/make of the unpacked tarball failed"
fi
rm -rf "$work"
end
