#!/usr/bin/env bash
# The phpt tests of the test-hooks build (build-hooks/modules/safeshm.so, made by tools/build-hooks.sh when it is
# missing or older than the sources): a function of the test runs at a chosen point of a call (safeshm.test_call,
# safeshm.test_call_at), so that what the other suites can only hope to hit happens every time: max_execution_time,
# memory_limit, exit() and exceptions while the store's lock is held, a writer killed or stopped at each step of a
# mutation while another process reads, writes in the middle of a lock-free read. Run under both lock kinds.
#
#   tests/hooks/run.sh [test.phpt ...]      (default: every test here)
#
# Environment: SAFESHM_HOOKS_SO (another hooks build), SAFESHM_HOOKS_LOCKS (default "mutex semaphore").
# Last line: "N passed, N failed" over both runs.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
hooks=${SAFESHM_HOOKS_SO:-$root/build-hooks/modules/safeshm.so}
passed=0; failed=0

if [ -z "${SAFESHM_HOOKS_SO:-}" ] && { [ ! -f "$hooks" ] ||
    [ -n "$(find . -maxdepth 1 \( -name '*.c' -o -name '*.h' -o -name config.m4 \) -newer "$hooks" -print -quit)" ]; }; then
  echo "== building $hooks"
  bash tools/build-hooks.sh || { echo "hooks build failed"; echo "0 passed, 1 failed"; exit 1; }
fi
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(tests/hooks)
for lock in ${SAFESHM_HOOKS_LOCKS:-mutex semaphore}; do
  out=$(bash tools/phpt.sh "hooks build, safeshm.lock=$lock" -d extension="$hooks" -d safeshm.lock="$lock" "${tests[@]}")
  echo "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
  line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1)
  passed=$((passed + ${line%% *})); f=${line#* passed, }; failed=$((failed + ${f%% *}))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
