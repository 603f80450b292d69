#!/usr/bin/env bash
# Builds the C tests of the store and the lock with ASan and UBSan and runs
# them. Prints each program's "N passed, N failed" line; exits non-zero on
# any failure. Build outputs: tests/c/build/.
#
#   test_lock           the lock (sem_lock.c)
#   test_store_layout   the store: format, geometry, lock kind, hostile headers
#   test_store_ops      the store: operations, space, clear, iterate
#   test_store_records  the store: corrupted records
#   test_store_crash    the store: crash points, deterministic scenarios
#   test_store_random   the store: crash points, random workloads
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$here/build"
mkdir -p "$build"

CC=${CC:-cc}
CFLAGS="-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -fsanitize=address,undefined -fno-omit-frame-pointer -pthread"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# What each program links besides its own source (objects built once below).
store="check.o store_helpers.o shm_store.o"
declare -A objs=(
  [test_lock]="check.o sem_lock.o"
  [test_store_layout]="$store"
  [test_store_ops]="$store"
  [test_store_records]="$store"
  [test_store_crash]="$store crash_model.o"
  [test_store_random]="$store crash_model.o"
)
tests="test_lock test_store_layout test_store_ops test_store_records test_store_crash test_store_random"

# shared objects; a failure here fails every program that needs it
declare -A obj_ok=()
for src in "$here/check.c" "$here/store_helpers.c" "$here/crash_model.c" "$root/shm_store.c" "$root/sem_lock.c"; do
  o=$(basename "$src" .c).o
  # shellcheck disable=SC2086
  if $CC $CFLAGS -c -o "$build/$o" "$src" 2>"$build/$o.build.log"; then
    obj_ok[$o]=1
  else
    cat "$build/$o.build.log"
    echo "$o: build failed"
  fi
done

status=0
for t in $tests; do
  echo "== $t"
  missing=""
  for o in ${objs[$t]}; do [ -n "${obj_ok[$o]:-}" ] || missing="$missing $o"; done
  # shellcheck disable=SC2086
  if [ -n "$missing" ] || ! (cd "$build" && $CC $CFLAGS -o "$t" "$here/$t.c" ${objs[$t]}) 2>"$build/$t.build.log"; then
    cat "$build/$t.build.log"
    echo "$t: build failed${missing:+ (missing:$missing)}"
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
