#!/usr/bin/env bash
# Builds SafeShm and runs every test: the phpt suite, the C unit tests of the
# store and the lock, and the fuzzer. Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash tools/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
passed=0; failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

echo "== build"
if ! bash tools/build.sh; then echo "build failed"; echo "$passed passed, $((failed + 1)) failed"; exit 1; fi

echo "== arginfo is up to date with safeshm.stub.php"
cp safeshm_arginfo.h /tmp/safeshm_arginfo.h.committed
if bash tools/gen-arginfo.sh >/dev/null && cmp -s safeshm_arginfo.h /tmp/safeshm_arginfo.h.committed; then
  count 1 0
else
  echo "FAIL: safeshm_arginfo.h is stale: run tools/gen-arginfo.sh and commit it"
  cp /tmp/safeshm_arginfo.h.committed safeshm_arginfo.h
  count 0 1
fi

echo "== package.xml lists every file of the package"
if php tools/package-files.php --check; then count 1 0; else echo "FAIL: run php tools/package-files.php and commit package.xml"; count 0 1; fi

# The suite runs twice: stores locked by the robust mutex (the default), then
# by their SysV semaphore (safeshm.lock=semaphore, the fallback).
for lock in mutex semaphore; do
  echo "== phpt (safeshm.lock=$lock)"
  out=$(mktemp)
  TEST_PHP_EXECUTABLE=$(command -v php) NO_INTERACTION=1 \
    php run-tests.php -q -j2 --show-diff -d extension="$root/modules/safeshm.so" -d safeshm.lock=$lock tests/ 2>&1 | tee "$out" | grep -E "^(PASS|FAIL|SKIP|BORK|LEAK)|^Tests |^---|^\+|^-" | grep -v "^PASS" | head -200
  p=$(awk '/^Tests passed/ {print $4}' "$out"); f=$(awk '/^Tests failed/ {print $4}' "$out")
  b=$(grep -c '^BORK' "$out" || true)
  echo "phpt (safeshm.lock=$lock): passed ${p:-0}, failed ${f:-0}, borked $b"
  count "${p:-0}" "$(( ${f:-1} + b ))"
  rm -f "$out"
done

if [ "${SAFESHM_SKIP_VALGRIND:-0}" != 1 ]; then
  echo "== phpt under valgrind (USE_ZEND_ALLOC=0), on a private copy of the tests"
  vdir=$(mktemp -d)
  cp tests/*.phpt "$vdir/"
  vout=$(mktemp)
  USE_ZEND_ALLOC=0 VALGRIND_OPTS="--vgdb=no" TEST_PHP_EXECUTABLE=$(command -v php) NO_INTERACTION=1 \
    php run-tests.php -q -m -j2 -d extension="$root/modules/safeshm.so" "$vdir" > "$vout" 2>&1
  grep -E "^(FAIL|LEAK|BORK)" "$vout" | head -40
  for m in "$vdir"/*.mem; do [ -f "$m" ] && { echo "--- $m"; head -40 "$m"; }; done
  vp=$(awk '/^Tests passed/ {print $4}' "$vout"); vf=$(awk '/^Tests failed/ {print $4}' "$vout")
  vl=$(awk '/^Tests leaked/ {print $4}' "$vout")
  echo "valgrind phpt: passed ${vp:-0}, failed ${vf:-0}, with valgrind reports ${vl:-0}"
  count "${vp:-0}" "$(( ${vf:-1} + ${vl:-0} ))"
  rm -rf "$vdir" "$vout"
fi

echo "== C unit tests"
if [ -x tests/c/run.sh ] || [ -f tests/c/run.sh ]; then
  cout=$(bash tests/c/run.sh 2>&1); rc=$?
  echo "$cout" | tail -50
  cp=$(echo "$cout" | awk '/^[0-9]+ passed, [0-9]+ failed/ {s+=$1} END {print s+0}')
  cf=$(echo "$cout" | awk '/^[0-9]+ passed, [0-9]+ failed/ {s+=$3} END {print s+0}')
  [ "$rc" -ne 0 ] && [ "$cf" -eq 0 ] && cf=1
  count "$cp" "$cf"
fi

echo "== fuzz"
if [ -f fuzz/run.sh ]; then
  fout=$(bash fuzz/run.sh "${SAFESHM_FUZZ_SECONDS:-60}" 2>&1); rc=$?
  echo "$fout" | tail -8
  fp=$(echo "$fout" | awk '/^[0-9]+ passed, [0-9]+ failed/ {s+=$1} END {print s+0}')
  ff=$(echo "$fout" | awk '/^[0-9]+ passed, [0-9]+ failed/ {s+=$3} END {print s+0}')
  [ "$rc" -ne 0 ] && [ "$ff" -eq 0 ] && ff=1
  count "$fp" "$ff"
fi

# Suites that print their own "N passed, N failed" line.
run_suite() {
  local title=$1 script=$2; shift 2
  [ -f "$script" ] || return 0
  echo "== $title"
  local sout rc sp sf
  sout=$(bash "$script" "$@" 2>&1); rc=$?
  echo "$sout" | tail -40
  sp=$(echo "$sout" | awk '/^[0-9]+ passed, [0-9]+ failed/ {p=$1} END {print p+0}')
  sf=$(echo "$sout" | awk '/^[0-9]+ passed, [0-9]+ failed/ {f=$3} END {print f+0}')
  [ "$rc" -ne 0 ] && [ "$sf" -eq 0 ] && sf=1
  count "$sp" "$sf"
}
run_suite "fault injection: killed writers, stale handles, stuck holders, full segments" tests/fault/run.sh
run_suite "php-src ext/sysvshm tests, zero-edit shm_* and safeshm_*" tests/sysvshm/run.sh
run_suite "php-fpm: fatal errors, timeouts and killed workers" tests/fpm/run.sh

left=$(ipcs -m -s 2>/dev/null | awk '/^0x/ {n++} END {print n+0}')
echo "IPC objects left on the machine after the tests: $left"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
