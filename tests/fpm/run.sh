#!/usr/bin/env bash
# SafeShm inside a real php-fpm (issue 4, section 2): fatal errors, timeouts,
# throwing serialization hooks, calls from error handlers and destructors, and
# workers killed by kill -9 and by FPM's request_terminate_timeout; and named
# locks (issue 12) held when a request ends by a fatal error, exit(),
# max_execution_time or memory_limit: the next request must acquire at once.
#
# Starts Debian's php-fpm8.2 with its own config in a temp dir (two pools of
# 2 static workers on unix sockets; never reads /etc/php), drives it with
# cgi-fcgi, and after every fault sends normal requests that must finish in
# under a second with the data intact (a known value, the 8 MiB value, verify())
# and the lock free (a quick put, lock_timeouts unchanged, and the lock itself
# not held: the robust mutex's word 0, or the semaphore's value 0).
# All of it twice: a store locked by the robust mutex (safeshm.lock=mutex), then
# one locked by its SysV semaphore (safeshm.lock=semaphore), each under its own
# php-fpm. Every check counts; the last line is "N passed, N failed".
#
# Then, with the test-hooks build (build-hooks/modules/safeshm.so, built when missing or stale), the same under
# both lock kinds for fatal errors, exit() and exceptions fired while a request holds the store's lock (the
# function safeshm.test_call names runs there): the worker's next requests must find the lock free at once.
#
# env: SAFESHM_SO (default modules/safeshm.so of this checkout), PHP_FPM, PHP_CLI,
#      SAFESHM_FPM_HOOKS=0 (no test-hooks run), SAFESHM_FPM_HOOKS_SO (default build-hooks/modules/safeshm.so),
#      SAFESHM_FPM_LOCKS (the lock kinds to run, "mutex semaphore"),
#      SAFESHM_FPM_KILLS (kill -9 rounds per lock kind, 5), SAFESHM_FPM_FOLLOWUPS (4),
#      SAFESHM_FPM_VERBOSE=1 to print passing checks too, SAFESHM_FPM_KEEP=1 to
#      keep the temp dir (config, fpm.log, php-errors.log) for a look afterwards.
set -uo pipefail
export LC_ALL=C PHP_INI_SCAN_DIR=

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
SO=${SAFESHM_SO:-$root/modules/safeshm.so}
HOOKS_SO=${SAFESHM_FPM_HOOKS_SO:-$root/build-hooks/modules/safeshm.so}
FPM=${PHP_FPM:-/usr/sbin/php-fpm8.2}
PHP=${PHP_CLI:-$(command -v php || echo /usr/bin/php)}
CGI=$(command -v cgi-fcgi || echo /usr/bin/cgi-fcgi)
TIMEOUT=$(command -v timeout)
KILLS=${SAFESHM_FPM_KILLS:-5}
FOLLOWUPS=${SAFESHM_FPM_FOLLOWUPS:-4}
VERBOSE=${SAFESHM_FPM_VERBOSE:-0}
DEADLINE=${SAFESHM_FPM_DEADLINE:-300}
LOCKS=${SAFESHM_FPM_LOCKS:-mutex semaphore}
app=$here/app.php

passed=0; failed=0; finished=0; failures=()
tmp=''; fpm_pid=''; fpm_job=''; watchdog=''; shmid=''; semid=''; bg_pids=(); lock=''
store=''          # the store's IPC key, in the tests' key range (tests/_ipc.inc)

# ---- bookkeeping ----------------------------------------------------------

pass() { passed=$((passed + 1)); [ "$VERBOSE" = 1 ] && echo "  ok    $1"; return 0; }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "  FAIL  $1"; return 0; }
# The failed checks again at the end, where a caller that shows only the tail sees them.
summary() {
    local f
    if [ "$failed" -gt 0 ]; then
        echo "failed checks:"
        for f in "${failures[@]:0:20}"; do echo "  - $f"; done
    fi
    echo "$passed passed, $failed failed"
}
# expect DESCRIPTION COMMAND...: one check
expect() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
has() { [[ $1 == *"$2"* ]]; }
hasnt() { [[ $1 != *"$2"* ]]; }
# field NAME TEXT: the value of NAME=value in TEXT
field() { [[ " $2 " =~ [[:space:]]$1=([^[:space:]]*) ]] && printf '%s' "${BASH_REMATCH[1]}"; }
ms() { printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# ---- setup and teardown ---------------------------------------------------

stop_fpm() {
    local kids='' i
    if [ -n "$fpm_pid" ]; then
        kids=$(pgrep -P "$fpm_pid" 2>/dev/null | tr '\n' ' ')
        kill -TERM "$fpm_pid" 2>/dev/null
        for ((i = 0; i < 50; i++)); do kill -0 "$fpm_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$fpm_pid" 2>/dev/null; then
            echo "php-fpm did not stop on SIGTERM; killing master $fpm_pid and workers $kids"
            kill -KILL "$fpm_pid" $kids 2>/dev/null
        fi
    fi
    [ -n "$fpm_job" ] && wait "$fpm_job" 2>/dev/null
    fpm_pid=''; fpm_job=''
}

all_gone() { local p; for p; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }

# ipc_exists -m|-s ID (ipcs -i exits 0 even for an unknown id)
ipc_exists() { ipcs "$1" | awk -v id="$2" '$2 == id { f = 1 } END { exit !f }'; }
# ipc_gone -m|-s ID: the object is gone within 3 s
ipc_gone() { local i; for ((i = 0; i < 60; i++)); do ipc_exists "$1" "$2" || return 0; sleep 0.05; done; return 1; }

# Removes the store (with remove(), then segment and semaphore by key and by id if anything is left).
remove_ipc() {
    local so=$SO
    [ -n "$tmp" ] && [ -f "$tmp/safeshm.so" ] && so=$tmp/safeshm.so
    [ -n "$store" ] || return 0
    if [ -x "$PHP" ] && [ -f "$so" ]; then
        "$PHP" -n -d extension="$so" -r 'try { (new SafeShm((int) $argv[1]))->remove(); } catch (Throwable $e) { fwrite(STDERR, "remove: " . $e->getMessage() . "\n"); }' "$store"
    fi
    "$PHP" -n -r 'require $argv[1]; test_ipc_remove((int) $argv[2]);' "$here/../_ipc.inc" "$store"
    if [ -n "$shmid" ] && ipc_exists -m "$shmid"; then ipcrm -m "$shmid"; fi
    if [ -n "$semid" ] && ipc_exists -s "$semid"; then ipcrm -s "$semid"; fi
}

stop_watchdog() { [ -n "$watchdog" ] && { kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null; watchdog=''; }; return 0; }

teardown() {
    local p
    for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    bg_pids=()
    stop_fpm
    remove_ipc
    if [ -n "$tmp" ] && [ "${SAFESHM_FPM_KEEP:-0}" = 1 ]; then
        echo "kept $tmp (SAFESHM_FPM_KEEP=1)"
    elif [ -n "$tmp" ]; then
        rm -rf "$tmp"
    fi
    tmp=''
}

on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$finished" = 0 ]; then
        fail "run aborted before the end"
        [ -n "$tmp" ] && [ -f "$tmp/fpm.log" ] && { echo "-- fpm.log (tail)"; tail -20 "$tmp/fpm.log"; }
        stop_watchdog
        teardown
        summary
        exit 1
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'echo "interrupted"; exit 1' INT TERM

preflight() {
    if [ ! -f "$SO" ] && [ "$SO" = "$root/modules/safeshm.so" ]; then
        echo "building $SO"
        bash "$root/tools/build.sh" >/dev/null || true
    fi
    local m
    for m in "$FPM" "$CGI" "$SO" "$PHP"; do
        if [ ! -e "$m" ]; then
            echo "missing $m (apt-get install -y php8.2-fpm libfcgi-bin; bash tools/build.sh)"
            exit 1
        fi
    done
}

start_fpm() {
    local user='' root_flag='' i
    if [ "$(id -u)" = 0 ]; then user=$'user = root\ngroup = root'; root_flag=-R; fi
    sed -e "s|@TMP@|$tmp|g" -e "s|@STORE@|$store|g" "$here/php-fpm.conf.in" |
        awk -v u="$user" '{ if ($0 == "@USER@") print u; else print }' >"$tmp/php-fpm.conf"
    # A private copy of the extension: a rebuild of modules/safeshm.so in place
    # while fpm has it mapped would crash fpm, and that is not what we test.
    cp "$SO" "$tmp/safeshm.so"
    # The subshell records how the master ended (and keeps bash's own
    # "Segmentation fault" job notices out of the output).
    ( "$FPM" -n -F $root_flag -y "$tmp/php-fpm.conf" -p "$tmp" \
        -d extension="$tmp/safeshm.so" -d safeshm.lock="$lock" -d safeshm.lock_timeout=2 >"$tmp/fpm.out" 2>&1
      echo $? >"$tmp/fpm.rc" ) 2>/dev/null &
    fpm_job=$!
    for ((i = 0; i < 50; i++)); do
        [ -z "$fpm_pid" ] && [ -s "$tmp/fpm.pid" ] && fpm_pid=$(cat "$tmp/fpm.pid")
        [ -n "$fpm_pid" ] && [ -S "$tmp/main.sock" ] && [ -S "$tmp/term.sock" ] && [ "$(workers)" = 4 ] && return 0
        kill -0 "$fpm_job" 2>/dev/null || break
        sleep 0.1
    done
    echo "php-fpm did not start:"; cat "$tmp/fpm.out" "$tmp/fpm.log" 2>/dev/null
    return 1
}

# The master must outlive every scenario; if it died, nothing after is meaningful.
fpm_alive() {
    kill -0 "$fpm_pid" 2>/dev/null && return 0
    fail "php-fpm master $fpm_pid died (exit status $(cat "$tmp/fpm.rc" 2>/dev/null))"
    echo "-- fpm.log (tail)"; tail -15 "$tmp/fpm.log"
    exit 1
}

# fpm_log_for PID: what the master logged about one worker
fpm_log_for() { grep -E "child $1[ ,]" "$tmp/fpm.log" 2>/dev/null | grep -v ' started' | sed 's/^/    fpm.log: /'; }

workers() { [ -n "$fpm_pid" ] && pgrep -P "$fpm_pid" 2>/dev/null | wc -l; }

# wait_workers N: the master has N children again (it respawns killed workers)
wait_workers() {
    local i
    for ((i = 0; i < 60; i++)); do [ "$(workers)" = "$1" ] && return 0; sleep 0.05; done
    return 1
}

# ---- one request ----------------------------------------------------------

# req SOCKET QUERY: one GET of app.php over FastCGI. Sets BODY (the response
# body), STATUS (HTTP status; 200 when FPM sent none), RC (cgi-fcgi's exit
# code) and US (wall time in microseconds).
req() {
    local sock=$1 query=$2 t0 raw head
    t0=${EPOCHREALTIME/./}
    raw=$(env -i SCRIPT_FILENAME="$app" SCRIPT_NAME=/app.php REQUEST_METHOD=GET QUERY_STRING="$query" \
        SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 \
        "$TIMEOUT" 10 "$CGI" -bind -connect "$sock" 2>>"$tmp/cgi-fcgi.err")
    RC=$?
    US=$((${EPOCHREALTIME/./} - t0))
    if [[ $raw == *$'\r\n\r\n'* ]]; then
        head=${raw%%$'\r\n\r\n'*}; BODY=${raw#*$'\r\n\r\n'}
    else
        head=''; BODY=$raw
    fi
    STATUS=200
    [[ $head =~ Status:\ ([0-9]+) ]] && STATUS=${BASH_REMATCH[1]}
    return 0
}

# fault SOCKET QUERY: req for a request that provokes a fault; remembers
# where fpm.log stood, so that what fpm logs about it can be shown
LOG_MARK=0
fault() { LOG_MARK=$(wc -l <"$tmp/fpm.log"); req "$@"; }

# bgreq NAME SOCKET QUERY: req in the background; results in $tmp/NAME.{rc,body}
bgreq() {
    local name=$1
    ( req "$2" "$3"; echo "$RC $STATUS $US" >"$tmp/$name.rc"; printf '%s' "$BODY" >"$tmp/$name.body" ) &
    BG=$!
    bg_pids+=("$BG")
}

bgwait() {
    wait "$1" 2>/dev/null
    local p keep=()
    for p in "${bg_pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    bg_pids=("${keep[@]}")
}

# wait_file FILE SECONDS
wait_file() {
    local i
    for ((i = 0; i < $2 * 20; i++)); do [ -s "$1" ] && return 0; sleep 0.05; done
    return 1
}

# wait_log PATTERN SECONDS: a line of fpm.log matching the extended regex
wait_log() {
    local i
    for ((i = 0; i < $2 * 20; i++)); do grep -Eq "$1" "$tmp/fpm.log" 2>/dev/null && return 0; sleep 0.05; done
    return 1
}

# ---- checks after a fault -------------------------------------------------

seq_no=0
LAST_CHECK=''      # the last follow-up's "check ..." line (carries the info() counters)
FOLLOW_PIDS=''

# followups SOCKET: normal requests that must be fast, see intact data and a free lock
followups() {
    local sock=$1 pool i line lat=() pids=() tag
    pool=$(basename "$sock" .sock)
    for ((i = 1; i <= FOLLOWUPS; i++)); do
        seq_no=$((seq_no + 1)); tag="t$seq_no"
        req "$sock" "scenario=check&tag=$tag"
        line=$(grep -m1 '^check ' <<<"$BODY")
        lat+=("$(ms "$US")"); pids+=("$(field pid "$BODY")")
        expect "[$pool #$i] answered in under 1 s (rc $RC, status $STATUS, $(ms "$US") ms)" \
            test "$RC" -eq 0 -a "$STATUS" = 200 -a "$US" -lt 1000000
        expect "[$pool #$i] data intact: $line" \
            has "$line" 'sentinel=ok victim=ok big=ok loops=ok'
        expect "[$pool #$i] verify() true: $line" has "$line" 'verify=ok'
        expect "[$pool #$i] lock free: put took $(field put_us "$line") us, probe read back, lock_timeouts=$(field lock_timeouts "$line")" \
            lock_free "$line"
        [ -n "$line" ] && LAST_CHECK=$line
        [ -z "$line" ] && echo "        body: $(head -c 600 <<<"$BODY" | tr '\n' ' ')"
    done
    FOLLOW_PIDS=" ${pids[*]} "
    echo "  follow-ups on pool $pool: ${lat[*]} ms (workers ${pids[*]})"
}

lock_free() {
    local put_us
    put_us=$(field put_us "$1")
    has "$1" 'probe=ok' && [ -n "$put_us" ] && [ "$put_us" -lt 500000 ] &&
        [ "$(field lock_timeouts "$1")" = 0 ]
}

semval() { ipcs -s -i "$semid" 2>/dev/null | awk '$1 == "0" && NF >= 5 { print $2; exit }'; }

# The lock's state in the segment header, read through shmop (white-box, shm_store.h): the pid of
# the holder (u32 at 124 in layout 3, 0 when free) and the first word of the robust mutex (u32 at 1504: its
# holder's thread id, 0 when free). Prints "owner=N mutex=N".
SHMOP_ARGS=''
lockstate() {
    "$PHP" -n $SHMOP_ARGS -r '$h = @shmop_open((int) $argv[1], "a", 0, 0); if (!$h) { echo "owner=? mutex=?"; exit; }
        echo "owner=", unpack("V", shmop_read($h, 124, 4))[1], " mutex=", unpack("V", shmop_read($h, 1504, 4))[1];' "$store"
}

recoveries_before=0
# state_after MAX_NEW_RECOVERIES: counters and the lock itself after a scenario. Under the mutex
# the semaphore only serialises creating the segment, so its value says nothing: the mutex word does.
state_after() {
    local max=$1 rec sv ls held
    rec=$(field recoveries "$LAST_CHECK"); rec=${rec:-0}
    ls=$(lockstate)
    expect "no lock holder recorded in the header after the follow-ups: $ls" test "$(field owner "$ls")" = 0
    if [ "$lock" = mutex ]; then
        held="mutex=$(field mutex "$ls")"
        expect "the robust mutex is free (its word 0) after the follow-ups: $held" test "$(field mutex "$ls")" = 0
    else
        sv=$(semval); held="semval=$sv"
        expect "semaphore value is 0 (lock not held) after the follow-ups: semval=$sv" test "$sv" = 0
    fi
    expect "recoveries went from $recoveries_before to $rec (allowed: +0..+$max)" \
        test "$rec" -ge "$recoveries_before" -a "$rec" -le $((recoveries_before + max))
    echo "  counts: recoveries=$rec (+$((rec - recoveries_before))) lock_timeouts=$(field lock_timeouts "$LAST_CHECK")" \
        "lock_waits=$(field lock_waits "$LAST_CHECK") compactions=$(field compactions "$LAST_CHECK")" \
        "writes=$(field writes "$LAST_CHECK") loop_count=$(field loop_count "$LAST_CHECK") $held"
    recoveries_before=$rec
}

# same_worker_served PID: the worker that met the fault served a follow-up
same_worker_served() {
    local p=$1 i
    has "$FOLLOW_PIDS" " $p " && return 0
    # FPM hands connections to whichever worker waits; give the faulted one more chances
    for ((i = 0; i < 6; i++)); do
        req "$tmp/main.sock" "scenario=check&tag=extra$i"
        [ "$(field pid "$BODY")" = "$p" ] && has "$BODY" 'verify=ok' && return 0
    done
    return 1
}

# survive NAME: the faulting request's worker lives on and serves normally
survive() {
    local pid=$1
    fpm_alive
    tail -n +$((LOG_MARK + 1)) "$tmp/fpm.log" | grep -v ' started$' | sed 's/^/    fpm.log: /'
    followups "$tmp/main.sock"
    expect "worker $pid that met the fault is alive and served a normal request" same_worker_served "$pid"
    state_after 0
}

# Every PHP error in the log is one a scenario provoked.
no_stray_errors() {
    local stray
    stray=$(grep 'PHP ' "$tmp/php-errors.log" 2>/dev/null |
        grep -Ev 'Allowed memory size of (4194304|6291456|8388608) bytes exhausted|Maximum execution time of 1 second exceeded|Uncaught RuntimeException: boom in __(sleep|wakeup)|Uncaught RuntimeException: lock test|Call to undefined function safeshm_lock_test_undefined')
    [ -z "$stray" ] || { echo "$stray" | head -5 | sed 's/^/    /'; return 1; }
}

readkey() { req "$tmp/main.sock" "scenario=read&k=$1"; field value "$BODY"; }

# lock_checks LABEL PID: requests that must take the named lock at once (exclusive, then two shared holds),
# see no holder left (locks() empty) and no "previous holder died", until worker PID (whose request ended
# holding the lock) has served one of them too
lock_checks() {
    local label=$1 p=$2 i line seen=0 lat=()
    for ((i = 1; i <= 8; i++)); do
        req "$tmp/main.sock" "scenario=lock_check"
        line=$(grep -m1 '^lock_check ' <<<"$BODY")
        lat+=("$(field pid "$BODY"):$(field us "$line")us")
        expect "g [$label] #$i: the next request found the lock free, both kinds: $line" \
            lock_was_free "$line"
        [ "$(field pid "$BODY")" = "$p" ] && seen=1
        [ "$seen" = 1 ] && [ "$i" -ge 2 ] && break
    done
    expect "g [$label]: worker $p itself took the lock again in a later request" test "$seen" = 1
    echo "  $label: next requests (worker:time lock() took) ${lat[*]}"
}

lock_was_free() {
    has "$1" 'held_before=0 exclusive=ok' && has "$1" 'died=false shared=ok' && [ "$(field us "$1")" -lt 500000 ]
}

# ---- main -----------------------------------------------------------------

preflight
# The test-hooks build (tests/hooks/run.sh builds it the same way): made when missing or older than the sources
HOOKS=0; HOOKS_NOTE=''
if [ "${SAFESHM_FPM_HOOKS:-1}" = 1 ]; then
    if [ -z "${SAFESHM_FPM_HOOKS_SO:-}" ] && { [ ! -f "$HOOKS_SO" ] ||
        [ -n "$(find "$root" -maxdepth 1 \( -name '*.c' -o -name '*.h' -o -name config.m4 \) -newer "$HOOKS_SO" -print -quit)" ]; }; then
        echo "building $HOOKS_SO"
        bash "$root/tools/build-hooks.sh" >/dev/null || true
    fi
    if [ -f "$HOOKS_SO" ]; then
        HOOKS=1; HOOKS_NOTE=", then the test-hooks build"
    else
        fail "the test-hooks build $HOOKS_SO could not be made"
    fi
fi
"$PHP" -n -m | grep -qx shmop || SHMOP_ARGS="-d extension=shmop"
( trap 'kill $sp 2>/dev/null; exit 0' TERM; sleep "$DEADLINE" & sp=$!; wait $sp
  echo "deadline of $DEADLINE s reached"; kill -TERM $$ ) &
watchdog=$!
t_all=${EPOCHREALTIME/./}

# suite LOCK N: every scenario against a store created with safeshm.lock=LOCK, under key N of this suite
suite() {
lock=$1
store=$("$PHP" -n -r 'require $argv[1]; echo test_key("fpm-run", (int) $argv[2]);' "$here/../_ipc.inc" "$2")
shmid=''; semid=''; recoveries_before=0; seq_no=0; LAST_CHECK=''
tmp=$(mktemp -d /tmp/safeshm-fpm.XXXXXX)
t_start=${EPOCHREALTIME/./}
remove_ipc 2>/dev/null  # what a run killed before its cleanup left under the key

echo "==== safeshm.lock=$lock"
echo "== php-fpm: $FPM, extension $SO, store $(printf '0x%08x' "$store"), temp dir $tmp"
start_fpm || exit 1
echo "  master $fpm_pid, workers $(pgrep -P "$fpm_pid" | tr '\n' ' ')(pools main and term, pm=static, 2 each)"
expect "php-fpm runs with the extension loaded and no php.ini" \
    grep -q 'ready to handle connections' "$tmp/fpm.log"

req "$tmp/main.sock" "scenario=setup"
line=$(grep -m1 '^setup ' <<<"$BODY")
shmid=$(field shmid "$line"); semid=$(field semid "$line")
expect "setup stored sentinel, victim, an 8 MiB value and hook objects: $line" test -n "$shmid" -a -n "$semid"
expect "the store is locked by the $lock (safeshm.lock=$lock): $line" test "$(field lock "$line")" = "$lock"
[ -n "$shmid" ] || { echo "$BODY"; exit 1; }
followups "$tmp/main.sock"
followups "$tmp/term.sock"
state_after 0

echo
for lim in 4M 6M; do
    bytes=$((${lim%M} << 20))
    if [ "$lim" = 4M ]; then
        echo "== a1. memory_limit exceeded inside get() of the 8 MiB value (ini_set memory_limit=4M: value > 2x the limit)"
    else
        echo
        echo "== a2. the same with memory_limit=6M (value < 2x the limit)"
    fi
    fault "$tmp/main.sock" "scenario=a_memory_limit&limit=$lim"
    pid=$(field pid "$BODY")
    echo "  request on worker $pid ended in $(ms "$US") ms (rc $RC): $(grep -m1 '^memory_limit' <<<"$BODY")"
    line=$(grep -m1 'Fatal error' <<<"$BODY") && echo "    $line"
    expect "the request died of PHP's memory-limit fatal error ('Allowed memory size of $bytes bytes exhausted')" \
        has "$BODY" "Allowed memory size of $bytes bytes exhausted"
    expect "the value was not returned" hasnt "$BODY" 'not reached'
    survive "$pid"
done

echo
echo "== b. max_execution_time (set_time_limit(1)) hit inside a tight loop of puts"
fault "$tmp/main.sock" "scenario=b_time_limit"
pid=$(field pid "$BODY")
echo "  request on worker $pid ended in $(ms "$US") ms: $(grep -m1 'Fatal error' <<<"$BODY"); $(grep -m1 '^shutdown:' <<<"$BODY")"
expect "the request died of 'Maximum execution time of 1 second exceeded'" \
    has "$BODY" 'Maximum execution time of 1 second exceeded'
expect "a shutdown function after the timeout used the store (increment ran)" \
    has "$BODY" 'after_timeout='
survive "$pid"

echo
echo "== c1. exception from __serialize during put(), caught"
fault "$tmp/main.sock" "scenario=c_serialize"
pid=$(field pid "$BODY")
echo "  worker $pid, $(ms "$US") ms: $(grep -m1 '^caught' <<<"$BODY")"
expect "put() threw the RuntimeException from __serialize" has "$BODY" 'caught RuntimeException: boom in __serialize'
expect "the old value stayed" has "$BODY" 'victim=original'
survive "$pid"

echo
echo "== c2. exception from __sleep during put(), uncaught (fatal error)"
fault "$tmp/main.sock" "scenario=c_sleep_uncaught"
pid=$(field pid "$BODY")
echo "  worker $pid, $(ms "$US") ms: $(grep -m1 'Fatal error' <<<"$BODY")"
expect "the request died of 'Uncaught RuntimeException: boom in __sleep'" \
    has "$BODY" 'Uncaught RuntimeException: boom in __sleep'
survive "$pid"

echo
echo "== c3. exception from __unserialize during get(), caught"
fault "$tmp/main.sock" "scenario=c_unserialize"
pid=$(field pid "$BODY")
echo "  worker $pid, $(ms "$US") ms: $(grep -m1 '^caught' <<<"$BODY")"
expect "get() threw the RuntimeException from __unserialize" has "$BODY" 'caught RuntimeException: boom in __unserialize'
expect "the next call in the same request works" has "$BODY" 'victim=original'
survive "$pid"

echo
echo "== c4. exception from __wakeup during get(), uncaught (fatal error)"
fault "$tmp/main.sock" "scenario=c_wakeup_uncaught"
pid=$(field pid "$BODY")
echo "  worker $pid, $(ms "$US") ms: $(grep -m1 'Fatal error' <<<"$BODY")"
expect "the request died of 'Uncaught RuntimeException: boom in __wakeup'" \
    has "$BODY" 'Uncaught RuntimeException: boom in __wakeup'
survive "$pid"

echo
echo "== c5. __serialize and __unserialize that call the same store (no user code under the lock)"
fault "$tmp/main.sock" "scenario=c_reentrant&tag=re$$"
pid=$(field pid "$BODY")
line=$(grep -m1 'inner_put=' <<<"$BODY")
echo "  worker $pid, $(ms "$US") ms: $line"
expect "put() from __serialize and increment() from __unserialize worked, without waiting for a lock" \
    has "$line" 'inner_put=ok inner_increment=ok roundtrip=ok'
expect "the request took under 1 s (a lock held around the hooks would wait 2 s)" test "$US" -lt 1000000
survive "$pid"

echo
echo "== d1. SafeShm called from a user error handler (trigger_error, and a warning from __wakeup inside get())"
fault "$tmp/main.sock" "scenario=d_error_handler&tag=eh$$"
pid=$(field pid "$BODY")
line=$(grep -m1 'trigger_error=' <<<"$BODY")
echo "  worker $pid, $(ms "$US") ms: $line"
expect "the handler wrote to the store for both warnings" has "$line" 'trigger_error=ok from_wakeup=ok handler_calls=2'
survive "$pid"

echo
echo "== d2. SafeShm called from a destructor and a shutdown function at request shutdown"
tag="dt$$x$RANDOM"
fault "$tmp/main.sock" "scenario=d_destructor&tag=$tag"
pid=$(field pid "$BODY")
echo "  worker $pid, $(ms "$US") ms"
expect "the response is complete" has "$BODY" 'returning'
expect "the destructor's put through the object it held is stored" test "$(readkey dtor_last)" = "\"$tag\""
expect "the destructor's put through a new SafeShm object is stored" test "$(readkey dtor_fresh_object)" = "\"$tag\""
expect "the shutdown function's put is stored" test "$(readkey shutdown_last)" = "\"$tag\""
survive "$pid"

echo
echo "== d3. SafeShm called from a shutdown function after a memory_limit fatal error inside get() (memory_limit=6M)"
tag="sf$$x$RANDOM"
fault "$tmp/main.sock" "scenario=d_shutdown_after_fatal&tag=$tag"
pid=$(field pid "$BODY")
echo "  worker $pid, $(ms "$US") ms: $(grep -m1 '^shutdown function' <<<"$BODY")"
expect "the request died of the memory limit" has "$BODY" 'Allowed memory size of 6291456 bytes exhausted'
expect "the shutdown function stored its value and verify() was true" has "$BODY" "shutdown function stored $tag, verify=true"
expect "the value is there for the next request" test "$(readkey shutdown_last)" = "\"$tag\""
survive "$pid"

echo
echo "== e. worker SIGKILLed mid-request while looping on puts ($KILLS rounds)"
rec_e=$recoveries_before
for ((r = 1; r <= KILLS; r++)); do
    rm -f "$tmp/e.pid"
    bgreq e "$tmp/main.sock" "scenario=e_sigkill&pidfile=e.pid"
    if ! wait_file "$tmp/e.pid" 5; then
        fail "round $r: the looping request did not start"; bgwait "$BG"; continue
    fi
    pid=$(cat "$tmp/e.pid")
    delay=$((100 + RANDOM % 400))
    sleep "0.$(printf '%03d' "$delay")"
    t0=${EPOCHREALTIME/./}
    kill -KILL "$pid"
    bgwait "$BG"
    fpm_alive
    read -r rc status us <"$tmp/e.rc"
    echo "  round $r: killed worker $pid after ~${delay} ms of puts; its request ended $(ms $((${EPOCHREALTIME/./} - t0))) ms later (cgi-fcgi rc $rc)"
    expect "round $r: the request did not finish its loop" hasnt "$(cat "$tmp/e.body")" 'finished'
    expect "round $r: FPM saw worker $pid die of SIGKILL" wait_log "child $pid exited on signal 9" 3
    expect "round $r: FPM replaced it (4 workers)" wait_workers 4
    followups "$tmp/main.sock"
    expect "round $r: the killed worker $pid served nothing after its death" hasnt "$FOLLOW_PIDS" " $pid "
    state_after 1
done
echo "  e total: $KILLS kills, recoveries +$((recoveries_before - rec_e))"

echo
echo "== f. request_terminate_timeout=1s kills a worker looping on puts for 5 s (pool term; 2 rounds)"
for ((r = 1; r <= 2; r++)); do
    rm -f "$tmp/f.pid"
    bgreq f "$tmp/term.sock" "scenario=f_terminate&pidfile=f.pid"
    if ! wait_file "$tmp/f.pid" 5; then
        fail "round $r: the looping request did not start"; bgwait "$BG"; continue
    fi
    pid=$(cat "$tmp/f.pid")
    bgwait "$BG"
    fpm_alive
    read -r rc status us <"$tmp/f.rc"
    echo "  round $r: worker $pid, request ended after $(ms "$us") ms (cgi-fcgi rc $rc)"
    expect "round $r: the request was cut short (under 4.5 s of its 5 s loop)" test "$us" -lt 4500000
    expect "round $r: it did not finish its loop" hasnt "$(cat "$tmp/f.body")" 'finished'
    expect "round $r: FPM logged the timeout for worker $pid" wait_log "child $pid, script .* execution timed out" 3
    expect "round $r: FPM's SIGTERM ended worker $pid" wait_log "child $pid exited on signal 15" 3
    fpm_log_for "$pid"
    expect "round $r: FPM replaced it (4 workers)" wait_workers 4
    followups "$tmp/term.sock"
    followups "$tmp/main.sock"
    state_after 1
done

# remember(): the request computing a missing key dies of a fatal error inside $compute; its in-flight
# marker goes with the request (the worker lives on), so nothing is left in flight for the next one
for g in time_limit memory_limit; do
    echo
    if [ "$g" = time_limit ]; then
        echo "== g1. remember(): max_execution_time (set_time_limit(1)) fires inside \$compute"
        want='Maximum execution time of 1 second exceeded'
    else
        echo "== g2. remember(): memory_limit (8M) exceeded inside \$compute"
        want='Allowed memory size of 8388608 bytes exhausted'
    fi
    fault "$tmp/main.sock" "scenario=g_remember_$g"
    pid=$(field pid "$BODY")
    echo "  worker $pid, $(ms "$US") ms: $(grep -m1 'Fatal error' <<<"$BODY")"
    expect "the request died of '$want' inside \$compute" has "$BODY" "$want"
    expect "no marker was in flight before it: $(grep -m1 '^markers_before' <<<"$BODY")" has "$BODY" 'markers_before=0'
    expect "remember() did not return" hasnt "$BODY" 'not reached'
    req "$tmp/main.sock" "scenario=g_remember_after"
    line=$(grep -m1 '^after' <<<"$BODY")
    echo "  next request (worker $(field pid "$BODY")): $line"
    expect "the next request found nothing in flight and computed the key at once: $line" \
        has "$line" 'markers_before=0 computed=yes value=ok markers_after=0'
    survive "$pid"
done

echo
echo "== g3. remember() stampede: a second request waits for the key while the first computes it and times out; the waiter takes over"
rm -f "$tmp/g.pid"
bgreq g "$tmp/main.sock" "scenario=g_remember_slow_fatal&pidfile=g.pid"
if wait_file "$tmp/g.pid" 5; then
    pid=$(cat "$tmp/g.pid")
    req "$tmp/main.sock" "scenario=g_remember_waiter"
    line=$(grep -m1 '^waiter' <<<"$BODY")
    waiter=$(field pid "$BODY")
    bgwait "$BG"
    read -r rc status us <"$tmp/g.rc"
    echo "  computing request on worker $pid ended after $(ms "$us") ms: $(grep -m1 'Fatal error' "$tmp/g.body")"
    echo "  waiting request on worker $waiter: $line"
    expect "the computing request died of max_execution_time inside \$compute" \
        has "$(cat "$tmp/g.body")" 'Maximum execution time of 1 second exceeded'
    expect "the waiting request ran on the other worker ($waiter, not $pid)" test -n "$waiter" -a "$waiter" != "$pid"
    expect "the waiter took over and computed the value itself: $line" has "$line" 'computed=yes value=ok'
    expect "the waiter's value is stored" test "$(readkey fpm_remember)" = "\"computed-by-$waiter\""
    req "$tmp/main.sock" "scenario=g_remember_after&delete=1"
    line=$(grep -m1 '^after' <<<"$BODY")
    expect "afterwards nothing is in flight, a new remember() computes at once: $line" has "$line" 'markers_before=0 computed=yes value=ok markers_after=0'
    survive "$pid"
else
    fail "g3: the computing request did not start"; bgwait "$BG"
fi

echo
echo "== g. named locks: a request takes SafeShm::lock() (exclusive, then shared) and ends by a fatal error, an uncaught"
echo "   exception, exit(), max_execution_time, memory_limit, or normally with the lock kept in an object cycle;"
echo "   its worker lives on, so only the request's end can release it: the next requests must acquire at once"
for kind in 0 1; do
    for end in fatal exception exit time memory object; do
        label="$([ "$kind" = 1 ] && echo shared || echo exclusive), $end"
        fault "$tmp/main.sock" "scenario=lock_end&end=$end&shared=$kind"
        fpm_alive
        pid=$(field pid "$BODY")
        expect "g [$label]: worker $pid took the lock: $(grep -m1 '^lock_end' <<<"$BODY")" has "$BODY" 'lock_end took=yes'
        expect "g [$label]: the request ended there (${US} us)" hasnt "$BODY" 'not reached'
        lock_checks "$label" "$pid"
    done
done
state_after 0

echo
echo "== end state"
req "$tmp/main.sock" "scenario=check&tag=final"
line=$(grep -m1 '^check ' <<<"$BODY")
echo "  $line"
expect "final check: data intact, verify() true, lock free" has "$line" 'sentinel=ok victim=ok big=ok loops=ok'
expect "lock_timeouts is 0 after the whole run" test "$(field lock_timeouts "$line")" = 0
expect "no PHP error outside the provoked ones in php-errors.log" no_stray_errors
elapsed=$(( (${EPOCHREALTIME/./} - t_start) / 1000000 ))

teardown_checks() {
    local s=$shmid m=$semid master=$fpm_pid kids
    kids=$(pgrep -P "$fpm_pid" | tr '\n' ' ')
    stop_fpm
    expect "php-fpm master $master stopped on SIGTERM with status 0 (it was $(cat "$tmp/fpm.rc" 2>/dev/null))" \
        test "$(cat "$tmp/fpm.rc" 2>/dev/null)" = 0
    teardown
    expect "php-fpm workers ${kids}are gone" all_gone $kids
    # a worker still exiting keeps a removed segment (key 0, "dest") until it detaches
    expect "segment $s removed" ipc_gone -m "$s"
    expect "semaphore $m removed" ipc_gone -s "$m"
}
echo "== cleanup: php-fpm stopped, store removed, temp dir removed"
teardown_checks
echo "fpm scenarios with safeshm.lock=$lock: 29 (a1, a2, b, c1-c5, d1-d3, e x$KILLS kills, f x2 terminations, g x12 named-lock endings, g1-g3 remember()); took ${elapsed} s"
echo
}

# hooks_suite LOCK N: the test-hooks build under php-fpm: PHP code runs while a request holds the store's lock
# (safeshm.test_call) and ends the request there by max_execution_time, memory_limit or exit(), or throws from an
# error handler; a getMultiple() forced onto its locked try meets max_execution_time there. Each worker lives on,
# so only the end of the request (or the call) can release the lock: its next requests must find it free.
hooks_suite() {
lock=$1
store=$("$PHP" -n -r 'require $argv[1]; echo test_key("fpm-run", (int) $argv[2]);' "$here/../_ipc.inc" "$2")
shmid=''; semid=''; recoveries_before=0; seq_no=0; LAST_CHECK=''
tmp=$(mktemp -d /tmp/safeshm-fpm.XXXXXX)
t_start=${EPOCHREALTIME/./}
remove_ipc 2>/dev/null
local so=$SO
SO=$HOOKS_SO
echo "==== test-hooks build, safeshm.lock=$lock"
echo "== php-fpm: $FPM, extension $SO, store $(printf '0x%08x' "$store"), temp dir $tmp"
start_fpm || exit 1
req "$tmp/main.sock" "scenario=setup"
line=$(grep -m1 '^setup ' <<<"$BODY")
shmid=$(field shmid "$line"); semid=$(field semid "$line")
expect "setup: $line" test -n "$shmid" -a -n "$semid" -a "$(field lock "$line")" = "$lock"
[ -n "$shmid" ] || { echo "$BODY"; exit 1; }
local end want
for end in time memory exit handler multi; do
    echo
    case $end in
        time) echo "== h1. max_execution_time fires while put() holds the lock"; want='Maximum execution time of 1 second exceeded' ;;
        memory) echo "== h2. memory_limit is exceeded while put() holds the lock"; want='Allowed memory size of 8388608 bytes exhausted' ;;
        exit) echo "== h3. exit() while put() holds the lock"; want='h shutdown functions ran' ;;
        handler) echo "== h4. an error handler throws while put() holds the lock; the request catches it and writes again"
            want='h put threw RuntimeException: the error handler threw on: Undefined variable $undefined' ;;
        multi) echo "== h5. getMultiple() spoilt by a write at each lock-free try locks for its last; max_execution_time fires there"
            want='Maximum execution time of 1 second exceeded' ;;
    esac
    fault "$tmp/main.sock" "scenario=h_under_lock&end=$end"
    pid=$(field pid "$BODY")
    echo "  worker $pid, $(ms "$US") ms: $(grep -m1 -E 'Fatal error|threw' <<<"$BODY")"
    expect "h [$end]: the test's function ran under the lock: $(grep -m1 '^h called' <<<"$BODY")" \
        has "$BODY" "h called at $([ "$end" = multi ] && echo multi:read || echo locked)"
    expect "h [$end]: the request ended as the function made it: '$want'" has "$BODY" "$want"
    if [ "$end" = handler ]; then
        expect "h [$end]: the same request wrote again at once" has "$BODY" 'h next put in the same request: ok'
    else
        expect "h [$end]: the request did not go on" hasnt "$BODY" 'h next put'
    fi
    survive "$pid"
done
elapsed=$(( (${EPOCHREALTIME/./} - t_start) / 1000000 ))
echo "== cleanup: php-fpm stopped, store removed, temp dir removed"
teardown_checks
SO=$so
echo "fpm scenarios of the test-hooks build with safeshm.lock=$lock: 5 (h1-h5); took ${elapsed} s"
echo
}

n=0
for l in $LOCKS; do
    suite "$l" "$n"
    n=$((n + 1))
done
if [ "$HOOKS" = 1 ]; then
    for l in $LOCKS; do
        hooks_suite "$l" "$n"
        n=$((n + 1))
    done
fi
echo "php-fpm suite: lock kinds $LOCKS${HOOKS_NOTE}; $(( (${EPOCHREALTIME/./} - t_all) / 1000000 )) s"
finished=1
stop_watchdog
teardown
summary
[ "$failed" -eq 0 ]
