#!/usr/bin/env bash
# Builds the C tests of the store and the lock with ASan and UBSan and runs
# them. Prints each program's "N passed, N failed" line; exits non-zero on
# any failure. Build outputs: tests/c/build/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$here/build"
mkdir -p "$build"

CC=${CC:-cc}
CFLAGS="-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -fsanitize=address,undefined -fno-omit-frame-pointer -pthread"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

status=0
for t in test_store test_lock; do
  echo "== $t"
  # shellcheck disable=SC2086
  if ! $CC $CFLAGS -o "$build/$t" "$here/$t.c" "$root/shm_store.c" "$root/sem_lock.c" 2>"$build/$t.build.log"; then
    cat "$build/$t.build.log"
    echo "$t: build failed"
    echo "0 passed, 1 failed"
    status=1
    continue
  fi
  out="$build/$t.out"
  # a last resort against a hang; the tests bound their own waits
  (cd "$build" && timeout -k 10 "${SAFESHM_C_TEST_TIMEOUT:-1800}" "./$t") >"$out" 2>&1
  rc=$?
  grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$out"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
  if [ -z "$line" ]; then
    echo "$t: exited with status $rc without a summary"
    line="0 passed, 1 failed"
  elif [ "$rc" -ne 0 ] && [ "$(echo "$line" | awk '{print $3}')" = 0 ]; then
    # all checks passed but the program failed at exit (a leak report)
    echo "$t: exited with status $rc after its checks (sanitizer report above)"
    line="$(echo "$line" | awk '{print $1}') passed, 1 failed"
  fi
  echo "$line"
  [ "$rc" -eq 0 ] || status=1
done
exit $status
