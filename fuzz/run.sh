#!/usr/bin/env bash
# Fuzzes the store for $1 seconds (default 60), then replays the committed
# regression corpus fuzz/corpus/. Prints the number of executions and a final
# "N passed, N failed" line (1 passed when nothing crashed). Build outputs,
# the working corpus and crash artifacts go to fuzz/build/.
#
# SAFESHM_FUZZ_JOBS=n fuzzes with n parallel jobs (default 1).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build="$here/build"
secs=${1:-60}
jobs=${SAFESHM_FUZZ_JOBS:-1}

fail() { echo "$1"; echo "0 passed, 1 failed"; exit 1; }

CLANG=""
for c in clang-14 clang; do
  if command -v "$c" >/dev/null 2>&1; then CLANG=$c; break; fi
done
[ -n "$CLANG" ] || fail "clang not found: apt-get install -y clang libclang-rt-14-dev (tools/install-deps.sh)"

mkdir -p "$build/seeds" "$build/artifacts"
rm -rf "$build/work" "$build/seeds"/*
mkdir -p "$build/work"

# the store alone, without PHP
store_src=("$root/shm_store.c" "$root/shm_heap.c" "$root/shm_mutate.c" "$root/shm_room.c" "$root/shm_recover.c")

# seeds: healthy and torn segments written by the store itself
${CC:-cc} -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -o "$build/gen_seeds" \
  "$here/gen_seeds.c" "${store_src[@]}" || fail "gen_seeds: build failed"
"$build/gen_seeds" "$build/seeds" || fail "gen_seeds failed"

if ! "$CLANG" -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -o "$build/fuzz_store" "$here/fuzz_store.c" "$here/fuzz_ops.c" "${store_src[@]}" 2>"$build/build.log"; then
  cat "$build/build.log"
  fail "fuzz_store: build failed ($CLANG --version: $($CLANG --version | head -1)); libFuzzer comes with libclang-rt-14-dev"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# the working corpus: seeds and the committed corpus, except its known crashers
# (regress-*), which the replay below runs instead
cp "$build/seeds"/* "$build/work/"
for f in "$here/corpus"/*; do
  case "$(basename "$f")" in regress-*) ;; *) [ -f "$f" ] && cp "$f" "$build/work/" ;; esac
done
before=$(ls "$build/artifacts" | wc -l)

# -fork with -ignore_crashes: a crash is saved and the fuzzing goes on for the
# whole time, so one known bug does not hide the next
echo "== fuzzing for ${secs}s ($jobs job(s))"
(cd "$build" && ./fuzz_store -fork="$jobs" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
  -max_total_time="$secs" -max_len=65536 -timeout=25 -rss_limit_mb=2048 -use_value_profile=1 \
  -artifact_prefix="$build/artifacts/" "$build/work") >"$build/fuzz.log" 2>&1
rc=$?
grep -E '^#[0-9]+' "$build/fuzz.log" | tail -3
execs=$(grep -oE '^#[0-9]+' "$build/fuzz.log" | tail -1 | tr -d '#')
crashes=$(grep -oE 'oom/timeout/crash: [0-9]+/[0-9]+/[0-9]+' "$build/fuzz.log" | tail -1 | sed 's|.*/||')
new=$(( $(ls "$build/artifacts" | wc -l) - before ))
echo "executions: ${execs:-0} in ${secs}s (libFuzzer exit status $rc)"
echo "crashes found while fuzzing: ${crashes:-0} (new artifacts in fuzz/build/artifacts/: $new)"
if [ "${crashes:-0}" -gt 0 ] || [ "$new" -gt 0 ]; then
  grep -hE '^(==[0-9]+==ERROR|SUMMARY|fuzz_store:)' "$build/fuzz.log" "$build"/fuzz-*.log 2>/dev/null | sort | uniq -c | head -10
fi

# the regression corpus: the seeds plus crash inputs (regress-*), each replayed once
echo "== replaying fuzz/corpus/"
replay_fail=0; replay_n=0
for f in "$here/corpus"/*; do
  [ -f "$f" ] || continue
  replay_n=$((replay_n + 1))
  if ! "$build/fuzz_store" -runs=1 "$f" >"$build/replay.log" 2>&1; then
    replay_fail=$((replay_fail + 1))
    echo "CRASH $(basename "$f"): $(grep -m1 -E '^==[0-9]+==ERROR|^fuzz_store: |runtime error' "$build/replay.log" | sed 's/^==[0-9]*==//')"
    grep -m1 -E '^    #1 ' "$build/replay.log"
  fi
done
echo "replayed $replay_n inputs, $replay_fail crashed"

if [ "${crashes:-0}" -eq 0 ] && [ "$new" -eq 0 ] && [ "$replay_fail" -eq 0 ] && [ -n "${execs:-}" ]; then
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
  exit 1
fi
