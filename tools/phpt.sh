#!/usr/bin/env bash
# Runs phpt tests with PHP's run-tests.php and reports them so that a CI log can be read: no colour, every
# failing test named with its diff (binary bytes escaped), skips counted and grouped by reason, the wall time.
#
#   tools/phpt.sh LABEL [run-tests.php options and test paths...]
#
# The last two lines are "phpt LABEL: N passed, N failed, N skipped (of N tests) in N s" and "N passed, N failed".
# A test file that run-tests.php never reported counts as failed, and so does a run that reports nothing.
# Environment: TEST_PHP_EXECUTABLE (default: php on PATH), RUN_TESTS (default ./run-tests.php, written by
# phpize), PHPT_JOBS (parallel workers, default 2), PHPT_DIFF_LINES (lines of each diff shown, default 60).
set -uo pipefail
label=${1:?usage: tools/phpt.sh LABEL [run-tests options and paths]}; shift
php=${TEST_PHP_EXECUTABLE:-$(command -v php)}
runner=${RUN_TESTS:-run-tests.php}
jobs=${PHPT_JOBS:-2}
lines=${PHPT_DIFF_LINES:-60}
export TEST_PHP_EXECUTABLE=$php NO_INTERACTION=1 NO_COLOR=1 TERM=dumb

if [ ! -f "$runner" ]; then
  echo "phpt $label: $runner not found (phpize writes it: bash tools/build.sh)"
  echo "0 passed, 1 failed"; exit 1
fi

# the test files asked for: every .phpt argument, and every .phpt below a directory argument
expected=0
for a in "$@"; do
  if [ -d "$a" ]; then expected=$((expected + $(find "$a" -name '*.phpt' | wc -l)))
  elif [[ $a == *.phpt ]] && [ -f "$a" ]; then expected=$((expected + 1)); fi
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
t0=$(date +%s)
"$php" "$runner" -q --no-color --no-progress -j"$jobs" "$@" >"$log.raw" 2>&1
rc=$?
# a progress line overwritten with \r may still precede a result: keep what follows the last \r
sed 's/.*\r//' "$log.raw" >"$log"; rm -f "$log.raw"
secs=$(( $(date +%s) - t0 ))

# result lines: "PASS title [file]", "FAIL title [file] ...", "SKIP title [file] reason: ...", "LEAK", "BORK", ...
count() { grep -cE "^$1 " "$log"; }
pass=$(count PASS); fail=$(count 'FAIL'); leak=$(count 'LEAK(&FAIL)?'); bork=$(count BORK)
skip=$(count SKIP); warn=$(count WARN); xfail=$(count XFAIL)
seen=$((pass + fail + leak + bork + skip + warn + xfail))
pass=$((pass + warn + xfail))   # passed with a warning, or failed as the test expects

# every result that is not a pass or a skip, each with what it printed
grep -E '^(FAIL|LEAK|LEAK&FAIL|BORK|WARN|XFAIL) ' "$log" | cat -v
grep -E '^(FAIL|LEAK|LEAK&FAIL|BORK) ' "$log" | sed -n 's/.*\[\([^]]*\.phpt\)\].*/\1/p' | sort -u | while read -r t; do
  base=${t%.phpt}
  for f in "$base.diff" "$base.mem"; do
    [ -s "$f" ] || continue
    echo "--- $f"
    head -n "$lines" "$f" | cut -c1-400 | cat -v
    n=$(wc -l <"$f"); [ "$n" -gt "$lines" ] && echo "... ($((n - lines)) more lines in $f)"
  done
  [ -s "$base.diff" ] || [ -s "$base.mem" ] || { echo "--- $t: no diff written; its output:"; head -n 20 "$base.out" 2>/dev/null | cat -v; }
done
# run-tests.php's own complaints (a bad option, a missing executable) are not result lines
if [ "$seen" -eq 0 ]; then echo "run-tests.php reported no test (exit $rc):"; tail -n 20 "$log" | cat -v; fi

if [ "$skip" -gt 0 ]; then
  echo "skipped: $skip"
  grep -E '^SKIP ' "$log" | sed -n 's/^SKIP .*\[\(.*\)\] *\(reason: \)\{0,1\}\(.*\)$/\3\t\1/p' |
    awk -F'\t' '{ n[$1]++; t[$1] = t[$1] (n[$1] <= 4 ? " " $2 : "") } END { for (r in n) printf "  %3d  %s:%s%s\n", n[r], r, t[r], (n[r] > 4 ? " ..." : "") }' |
    sort -rn | cut -c1-300
fi

missing=0
[ "$expected" -gt "$seen" ] && missing=$((expected - seen))
[ "$missing" -gt 0 ] && echo "$missing of $expected test files got no result from run-tests.php (counted as failed)"
failed=$((fail + leak + bork + missing))
[ "$seen" -eq 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "phpt $label: $pass passed, $failed failed, $skip skipped (of $expected tests) in $secs s"
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
