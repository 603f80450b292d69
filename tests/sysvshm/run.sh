#!/usr/bin/env bash
# Runs our versions of php-src's ext/sysvshm tests (this directory) twice:
#  1. zero-edit mode: shm_* and SysvSharedMemory served by SafeShm
#     (safeshm.sysvshm_compat=1, PHP started with -n so ext/sysvshm is not loaded);
#  2. the safeshm_* functions: a generated copy with shm_ -> safeshm_ and
#     SysvSharedMemory -> SafeShm.
# LAYOUT_DEPENDENT.md lists the php-src tests not reproduced and why.
# Last line: "N passed, N failed". SAFESHM_SO overrides the build tested.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
so=${SAFESHM_SO:-$root/modules/safeshm.so}
php=${TEST_PHP_EXECUTABLE:-$(command -v php)}
[ -f "$so" ] || { echo "$so is missing: run tools/build.sh"; echo "0 passed, 1 failed"; exit 1; }
[ -f "$root/run-tests.php" ] || { echo "run-tests.php is missing: run tools/build.sh (phpize)"; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/compat" "$work/functions"
cp "$here"/*.phpt "$work/compat/"
for t in "$here"/*.phpt; do
  sed -e 's/\bshm_/safeshm_/g' -e 's/SysvSharedMemory/SafeShm/g' "$t" > "$work/functions/$(basename "$t")"
done

passed=0; failed=0; skipped=0
run() { # run LABEL DIR [php -d settings...]
  local label=$1 dir=$2; shift 2
  local out p f s
  out=$(cd "$root" && TEST_PHP_EXECUTABLE="$php" NO_INTERACTION=1 \
    "$php" run-tests.php -q -n -d extension="$so" "$@" "$dir" 2>&1)
  echo "$out" | grep -E "^(FAIL|BORK|SKIP|LEAK)" | sed "s|$dir/||"
  for d in "$dir"/*.diff; do [ -f "$d" ] && { echo "--- $(basename "$d")"; head -20 "$d"; echo; }; done
  p=$(echo "$out" | awk '/^Tests passed/ {print $4}')
  f=$(echo "$out" | awk '/^Tests failed/ {print $4}')
  s=$(echo "$out" | awk '/^Tests skipped/ {print $4}')
  b=$(echo "$out" | grep -c '^BORK' || true)
  echo "$label: passed ${p:-0}, failed ${f:-0}, skipped ${s:-0}, borked $b"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1} + b)); skipped=$((skipped + ${s:-0}))
}
run "zero-edit shm_* (safeshm.sysvshm_compat=1, no ext/sysvshm)" "$work/compat" -d safeshm.sysvshm_compat=1
run "safeshm_* functions" "$work/functions"
echo "skipped: $skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
