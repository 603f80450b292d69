#!/usr/bin/env bash
# Runs the fault-injection tests of issue 4 (sections 1, 3 and 5) and of
# issue 12 (named-lock holders and waiters killed): killed writers, killed
# lockers and stuck holders with the test build that has the fault hooks
# (build-hooks/modules/safeshm.so), stale handles and full segments with the
# production build (modules/safeshm.so). Builds either when it is missing or
# older than the sources. Last line: "N passed, N failed" summed over all.
#
# Migrations of layout-1/2 stores killed halfway run with the hooks build; the
# last layout-2 release (built from the project's history into build-v2/, when
# the clone has that commit) is run beside this one on the same keys.
#
# Environment: SAFESHM_FAULT_KILLS (default 500; SAFESHM_FAULT_KILLS_SEM 250 for
# the semaphore-locked run), SAFESHM_FAULT_LOCK_KILLS (kill_lockers.php, 500;
# SAFESHM_FAULT_LOCK_KILLS_SEM 250), SAFESHM_FAULT_CACHE_KILLS (kill_cache.php:
# writers of TTL entries, evictions and putMultiple() batches killed; 250),
# SAFESHM_SO / SAFESHM_HOOKS_SO / SAFESHM_OLD_SO to test other builds,
# SAFESHM_OLD_RELEASE (a commit of layout 2).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
passed=0; failed=0

stale() { # stale SO: the .so is missing or a source is newer
  [ ! -f "$1" ] || [ -n "$(find . -maxdepth 1 \( -name '*.c' -o -name '*.h' -o -name config.m4 \) -newer "$1" -print -quit)" ]
}

prod=${SAFESHM_SO:-$root/modules/safeshm.so}
hooks=${SAFESHM_HOOKS_SO:-$root/build-hooks/modules/safeshm.so}
if [ -z "${SAFESHM_SO:-}" ] && stale "$prod"; then
  echo "== building $prod"
  bash tools/build.sh || { echo "build failed"; failed=$((failed + 1)); }
fi
if [ -z "${SAFESHM_HOOKS_SO:-}" ] && stale "$hooks"; then
  echo "== building $hooks"
  bash tools/build-hooks.sh || { echo "hooks build failed"; failed=$((failed + 1)); }
fi

# The last release of layout 2: main before layout 3 landed.
old_release=${SAFESHM_OLD_RELEASE:-3118dbda4e5eeefbf46e82c964806ed2896b847c}
old=${SAFESHM_OLD_SO:-$root/build-v2/modules/safeshm.so}
if [ -z "${SAFESHM_OLD_SO:-}" ] && [ ! -f "$old" ]; then
  if git cat-file -e "$old_release^{commit}" 2>/dev/null; then
    echo "== building the layout-2 release ($old_release) into build-v2/"
    rm -rf build-v2 && mkdir build-v2 && git archive "$old_release" | tar -x -C build-v2 \
      && (cd build-v2 && phpize >/dev/null && ./configure -q --enable-safeshm >/dev/null && make -j"$(nproc)" >/dev/null) \
      || { echo "old release build failed"; failed=$((failed + 1)); }
  else
    echo "== the layout-2 release ($old_release) is not in this clone: old_release.php is skipped"
  fi
fi

run() { # run SO LIMIT SCRIPT [ARGS]
  local so=$1 limit=$2 script=$3; shift 3
  echo
  if [ ! -f "$so" ]; then
    echo "== $script: $so is missing"; failed=$((failed + 1)); return
  fi
  local out rc p f
  # shellcheck disable=SC2086
  out=$(timeout -k 5 "$limit" php -d extension="$so" ${phpargs:-} \
        "tests/fault/$script" "$@" 2>&1 </dev/null)
  rc=$?
  echo "$out"
  p=$(echo "$out" | awk '/^[0-9]+ passed, [0-9]+ failed$/ {p=$1} END {print p+0}')
  f=$(echo "$out" | awk '/^[0-9]+ passed, [0-9]+ failed$/ {f=$3} END {print f+0}')
  if ! echo "$out" | grep -qE '^[0-9]+ passed, [0-9]+ failed$'; then
    echo "== $script ended without its closing line (exit $rc)"; f=$((f + 1))
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "== $script exited $rc"; f=1
  fi
  passed=$((passed + p)); failed=$((failed + f))
}

start=$(date +%s)
# Stores are locked by a robust mutex by default (safeshm.lock=mutex), or by
# their SysV semaphore (safeshm.lock=semaphore): the faults are produced on both.
for lock in mutex semaphore; do
  phpargs="-d safeshm.lock=$lock"
  echo; echo "==== safeshm.lock=$lock"
  if [ "$lock" = mutex ]; then kills=${SAFESHM_FAULT_KILLS:-500}; else kills=${SAFESHM_FAULT_KILLS_SEM:-250}; fi
  run "$hooks" 200 kill_writers.php "$kills"
  if [ "$lock" = mutex ]; then lkills=${SAFESHM_FAULT_LOCK_KILLS:-500}; else lkills=${SAFESHM_FAULT_LOCK_KILLS_SEM:-250}; fi
  run "$hooks" 200 kill_lockers.php "$lkills"
  run "$hooks" 200 kill_cache.php "${SAFESHM_FAULT_CACHE_KILLS:-250}"
  run "$hooks" 60 stuck_holder.php
  run "$prod" 60 stale_handles.php
done
# the semaphore's own hazard: removed (ipcrm -s) under a live writer
phpargs="-d safeshm.lock=semaphore"
run "$hooks" 60 sem_removed_under_writer.php
phpargs=""
run "$prod" 60 fill_refill.php
# a migration to layout 3 killed halfway: the old header decides the lock kind
run "$hooks" 120 migration_killed.php
if [ -f "$old" ]; then
  run "$old" 60 old_release.php "$prod"
fi
echo
echo "fault tests: $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
