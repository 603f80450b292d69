#!/usr/bin/env bash
# Builds the C tests of the store and the lock with ASan and UBSan and runs
# them. Prints each program's "N passed, N failed" line; exits non-zero on
# any failure. Build outputs: tests/c/build/.
#
#   tests/c/run.sh [program ...]    (default: every program below)
#
#   test_lock           the lock's semaphore (sem_lock.c)
#   test_lock_mutex     the robust mutex a store can be locked by instead (sem_lock.c)
#   test_store_ops      the store: format, operations, TTL, capacity, making room
#   test_store_crash    the store: a crash at every fault point of random workloads
#   test_store_hostile  the store: damaged headers, records and allocator state
#   test_store_readers  the store: lock-free readers beside writers, a stopped writer
#   test_store_room     the store: making room near full reads and moves what the size written bounds, not the arena
#   test_locks          the named-lock table (shm_locks.c): grants, queue order, deaths, TTL, tokens
#   test_locks_limits   the named-lock table: entry limits, a full store, idle records, damaged states
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
store="check.o shm_store.o shm_heap.o shm_mutate.o shm_room.o shm_recover.o shm_locks.o"
declare -A objs=(
  [test_lock]="check.o sem_lock.o"
  [test_lock_mutex]="check.o sem_lock.o"
  [test_store_ops]="$store"
  [test_store_crash]="$store"
  [test_store_hostile]="$store"
  [test_store_readers]="$store"
  [test_store_room]="$store"
  [test_locks]="$store"
  [test_locks_limits]="$store"
)
tests="test_lock test_lock_mutex test_store_ops test_store_crash test_store_hostile test_store_readers test_store_room test_locks test_locks_limits"
if [ $# -gt 0 ]; then
  for t in "$@"; do
    [ -n "${objs[$t]:-}" ] || { echo "no C test program $t (programs: $tests)"; echo "0 passed, 1 failed"; exit 1; }
  done
  tests="$*"
fi

# shared objects; a failure here fails every program that needs it
declare -A obj_ok=()
for src in "$here/check.c" "$root/shm_store.c" "$root/shm_heap.c" "$root/shm_mutate.c" "$root/shm_room.c" "$root/shm_recover.c" "$root/shm_locks.c" "$root/sem_lock.c"; do
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
  asan=$ASAN_OPTIONS
  # its simulated crashes longjmp out of the store, leaking what the "killed" writer held
  [ "$t" = test_store_crash ] && asan="detect_leaks=0:abort_on_error=0"
  (cd "$build" && ASAN_OPTIONS=$asan timeout -k 10 "${SAFESHM_C_TEST_TIMEOUT:-1800}" "./$t") >"$out" 2>&1
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
