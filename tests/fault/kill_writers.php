<?php
/*
 * Issue 4, section 1: writers killed at any instant, on layout 3.
 *
 * A writer child runs put / replace / delete / add / increment / putMultiple
 * (and, rarely, clear) over 150 value keys and 10 counters in a 32 KiB
 * segment. Values have mixed sizes (0 to 3000 bytes) and keep the store near
 * full, so that puts often find no free block that holds them and relocate
 * records (evacuate) to make one, new keys grow the index, and deletes leave
 * tombstones that index rebuilds purge. Every EPOCH rounds the store is
 * removed and the next writer creates it afresh (formatting it; its index
 * starts small and grows again). Every value names its key and the writer's
 * sequence number and ends in a CRC, so a torn or mixed value cannot pass for
 * a good one. The writer logs each operation before the call ("I ...") and
 * its result after the call returns ("R ..."): the parent knows the last
 * committed state of every key and the one operation possibly in flight.
 *
 * With the hooks build (safeshm.test_fault_delay_us) every fault point of a
 * mutation sleeps. The parent stops the writer (SIGSTOP), reads which fault
 * point it sleeps at from its stack (FaultPoint in common.php) and SIGKILLs
 * it there. Rounds kill at a random instant, or hunt (stop, look, continue)
 * for a kind of point: any point of a mutation, a relocation (evacuate:copied, evacuate:moved,
 * index:moved), an index rebuild (index:*), a multi-key put (putmany:*), the
 * formatting of a new store (format:*). Every third time the writer died
 * mid-mutation, the process that repairs the store is killed too, inside its
 * repair when it can be caught there (recover:*).
 *
 * After each kill the parent, as the checker, takes the lock within one lock
 * timeout, expects exactly one recovery when the writer died mid-mutation
 * (the header's sequence odd) and none otherwise, runs verify(), and reads
 * every key: each holds a value written for it, and the state is the last
 * committed one, or that plus the operation in flight (a putMultiple all or
 * nothing; a clear key by key); keys the in-flight operation did not touch
 * keep their last committed value.
 *
 * Usage: php -d extension=build-hooks/modules/safeshm.so tests/fault/kill_writers.php [kills=500] [seed]
 * Environment: SAFESHM_FAULT_DELAY_US (default: 50, 100 or 200 at random in each round).
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

$kills = max(1, (int) ($argv[1] ?? 500));
$seed = isset($argv[2]) ? (int) $argv[2] : random_int(1, 1 << 30);
$fixedDelay = (int) getenv('SAFESHM_FAULT_DELAY_US');
const SEGMENT_SIZE = 32768;
const LOCK_TIMEOUT = 2;
const EPOCH = 25;          // rounds between fresh stores: the index grows again in each
const HUNT_BUDGET = 0.25;  // seconds a round hunts for its kind of fault point

ini_set('safeshm.lock_timeout', (string) LOCK_TIMEOUT);
T::start("kill_writers: $kills SIGKILLs of a writer in a " . SEGMENT_SIZE . '-byte segment, fault delay '
    . ($fixedDelay ?: '50/100/200') . " us, seed $seed",
    max(120, (int) ($kills * 0.3)));
if (!T::hooks()) {
    T::check(false, 'the fault hooks are compiled in (run with build-hooks/modules/safeshm.so)',
        'without safeshm.test_fault_delay_us kills rarely land inside a mutation, and the recoveries this test claims would not happen');
    T::finish();
}
mt_srand($seed);

$valueKeys = [];
for ($i = 0; $i < 150; $i++) {
    $valueKeys[] = sprintf('s%03d', $i);
}
for ($i = 0; $i < 6; $i++) {
    $valueKeys[] = 1000 + $i; // int keys: keys() returns them as ints
}
$counterKeys = [];
for ($i = 0; $i < 10; $i++) {
    $counterKeys[] = "c$i";
}
$allKeys = array_merge($valueKeys, $counterKeys);

/** The value written for $key by operation $seq: self-describing, CRC-protected. */
function make_value(int|string $key, int $seq, string $kind, int $len): string|array
{
    $pad = substr(str_repeat(md5("$key#$seq", true), intdiv($len, 16) + 1), 0, $len);
    if ($kind === 'a') {
        $v = ['k' => (string) $key, 's' => $seq, 'p' => bin2hex(substr($pad, 0, intdiv($len, 2)))];
        $v['x'] = crc32(serialize($v));
        return $v;
    }
    $body = "K=$key;S=$seq;L=$len;" . $pad;
    return $body . ';X=' . sprintf('%08x', crc32($body));
}

/**
 * What a value read back is: ['seq' =>, 'kind' =>, 'len' =>] when it is exactly
 * a value written for $key, else a string saying what is wrong with it.
 */
function identify(mixed $v, int|string $key): array|string
{
    if (is_string($v) && preg_match('/^K=([^;]*);S=(\d+);L=(\d+);/s', $v, $m)) {
        $id = ['seq' => (int) $m[2], 'kind' => 's', 'len' => (int) $m[3]];
    } elseif (is_array($v) && isset($v['k'], $v['s'], $v['p']) && is_int($v['s'])) {
        $m = [1 => $v['k']];
        $id = ['seq' => $v['s'], 'kind' => 'a', 'len' => strlen($v['p'])];
    } else {
        return 'not a value this test writes: ' . substr(var_export($v, true), 0, 60);
    }
    if ($m[1] !== (string) $key) {
        return "a value written for key '$m[1]' (seq $id[seq]), not for this key";
    }
    if (make_value($key, $id['seq'], $id['kind'], $id['len']) === $v) {
        return $id;
    }
    return "torn or mixed value claiming seq $id[seq] (" . (is_string($v) ? strlen($v) . ' bytes' : 'array') . ')';
}

function describe_state(mixed $s): string
{
    if ($s === null) {
        return 'absent';
    }
    if (is_int($s)) {
        return "int $s";
    }
    if (is_array($s)) {
        return "seq $s[seq]";
    }
    return (string) $s;
}

/** Reads every key: the state as the model represents it. */
function read_state(SafeShm $c, array $valueKeys, array $counterKeys): array
{
    $state = [];
    foreach ($valueKeys as $k) {
        $v = $c->get($k);
        $state[$k] = $v === null ? null : identify($v, $k);
    }
    foreach ($counterKeys as $k) {
        $v = $c->get($k);
        $state[$k] = ($v === null || is_int($v)) ? $v : 'not an int: ' . var_export($v, true);
    }
    return $state;
}

/** The keys of an operation (a putMultiple has several). */
function op_keys(array $op): array
{
    return $op['op'] === 'pmany' ? $op['keys'] : [$op['key']];
}

/** The state after $op (an intent line, parsed) applied to $state. */
function apply_op(array $state, array $op): array
{
    $k = $op['key'];
    $written = ['seq' => $op['seq'], 'kind' => $op['kind'], 'len' => $op['len']];
    switch ($op['op']) {
        case 'put':
        case 'replace':
            $state[$k] = $written;
            break;
        case 'pmany':
            foreach ($op['keys'] as $pk) {
                $state[$pk] = $written;
            }
            break;
        case 'add':
            if ($state[$k] === null) {
                $state[$k] = $written;
            }
            break;
        case 'delete':
        case 'cdelete':
            $state[$k] = null;
            break;
        case 'incr':
            $state[$k] = ($state[$k] ?? 0) + $op['by'];
            break;
        case 'clear':
            $state = array_map(fn() => null, $state);
            break;
    }
    return $state;
}

/** What the writer's call must have returned, given the state before it. */
function expected_result(array $state, array $op): string
{
    $k = $op['key'];
    return match ($op['op']) {
        'add' => $state[$k] === null ? 'true' : 'false',
        'delete', 'cdelete' => $state[$k] === null ? 'false' : 'true',
        'incr' => (string) (($state[$k] ?? 0) + $op['by']),
        default => 'ok',
    };
}

function parse_key(string $k): int|string
{
    return ctype_digit($k) ? (int) $k : $k;
}

function parse_intent(string $line): ?array
{
    $f = explode(' ', $line);
    if (count($f) !== 7 || $f[0] !== 'I') {
        return null;
    }
    $keys = array_map('parse_key', explode(',', $f[3]));
    return ['seq' => (int) $f[1], 'op' => $f[2], 'key' => $keys[0], 'keys' => $keys, 'kind' => $f[4], 'len' => (int) $f[5],
        'by' => (int) $f[6]];
}

/** A value length: mostly small, some large, a few that take a tenth of the segment. */
function value_len(): int
{
    $r = mt_rand(1, 100);
    return $r <= 45 ? mt_rand(0, 40) : ($r <= 75 ? mt_rand(40, 300) : ($r <= 93 ? mt_rand(300, 1200) : mt_rand(1200, 3000)));
}

/**
 * The writer: runs until killed. Inherits $model (the committed state) from
 * the parent at fork time; logs intent before each call and result after it.
 * When the parent removed the store, this writer creates it (and formats it).
 */
function writer(int|string $name, string $logFile, array $model, int $seq, int $rseed, int $delayUs,
    array $valueKeys, array $counterKeys): never
{
    pcntl_alarm(0);
    ini_set('safeshm.test_fault_delay_us', (string) $delayUs);
    mt_srand($rseed);
    $log = fopen($logFile, 'w');
    $s = new SafeShm($name, SEGMENT_SIZE); // the size counts only when it creates the store
    for (;; $seq++) {
        $r = mt_rand(1, 1000);
        $kind = mt_rand(1, 5) === 1 ? 'a' : 's';
        $len = value_len();
        if ($kind === 'a') {
            $len -= $len % 2; // an array carries len/2 bytes as hex: keep len exact
        }
        $by = 0;
        $key = $valueKeys[mt_rand(0, count($valueKeys) - 1)];
        $keys = [$key];
        if ($r <= 3) {
            $op = 'clear';
        } elseif ($r <= 150) {
            $op = 'incr';
            $key = $counterKeys[mt_rand(0, count($counterKeys) - 1)];
            $by = mt_rand(1, 9);
        } elseif ($r <= 170) {
            $op = 'cdelete';
            $key = $counterKeys[mt_rand(0, count($counterKeys) - 1)];
        } elseif ($r <= 470) {
            $op = 'put';
        } elseif ($r <= 620) {
            $op = 'replace';
            $present = array_values(array_filter($valueKeys, fn($k) => $model[$k] !== null));
            if ($present) {
                $key = $present[mt_rand(0, count($present) - 1)];
            }
        } elseif ($r <= 770) {
            $op = 'delete';
        } elseif ($r <= 870) {
            $op = 'add';
        } else {
            $op = 'pmany';
            $keys = array_map(fn($i) => $valueKeys[$i], (array) array_rand($valueKeys, mt_rand(2, 5)));
            $key = $keys[0];
            $len = min($len, 600);
            $len -= $len % 2;
        }
        $keys = $op === 'pmany' ? $keys : [$key];
        fwrite($log, "I $seq $op " . implode(',', $keys) . " $kind $len $by\n");
        try {
            $res = match ($op) {
                'put', 'replace' => ($s->put($key, make_value($key, $seq, $kind, $len)) ?? 'ok'),
                'pmany' => ($s->putMultiple(array_combine($keys, array_map(fn($k) => make_value($k, $seq, $kind, $len), $keys))) ?? 'ok'),
                'add' => $s->add($key, make_value($key, $seq, $kind, $len)) ? 'true' : 'false',
                'delete', 'cdelete' => $s->delete($key) ? 'true' : 'false',
                'incr' => (string) $s->increment($key, $by),
                'clear' => ($s->clear() ?? 'ok'),
            };
            $model = apply_op($model, ['seq' => $seq, 'op' => $op, 'key' => $key, 'keys' => $keys, 'kind' => $kind,
                'len' => $len, 'by' => $by]);
        } catch (SafeShmFullException) {
            $res = 'full';
        } catch (Throwable $e) {
            $res = 'exc:' . get_class($e) . ':' . str_replace(["\n", ' '], ['|', '_'], $e->getMessage());
        }
        fwrite($log, "R $seq $res\n");
    }
}

/** The fault points a hunt looks for, by mode; null: any fault point. */
const HUNTS = [
    'mutation' => null,
    'relocation' => ['evacuate:copied', 'evacuate:moved', 'index:moved'],
    'index' => ['index:built', 'index:published', 'index:moved'],
    'putmany' => ['putmany:written', 'putmany:journal', 'putmany:published'],
    'format' => ['format:begin', 'format:written'],
    'recover' => ['recover:journal', 'recover:begin', 'recover:heap'],
];

/**
 * Stops $pid at random instants until it sleeps at one of $targets (null: any fault point) or the budget is
 * spent, then SIGKILLs it there. Returns [where it died, its wait status, whether the target was hit].
 */
function hunt(int $pid, ?array $targets, float $budget): array
{
    $deadline = microtime(true) + $budget;
    for (;;) {
        usleep(mt_rand(100, 1500));
        $where = FaultPoint::stop($pid);
        if ($where === 'gone') {
            return [$where, FaultPoint::$goneStatus, false];
        }
        $hit = $targets === null ? str_contains($where, ':') : in_array($where, $targets, true);
        if ($hit || microtime(true) >= $deadline || !FaultPoint::$usable) {
            posix_kill($pid, SIGKILL);
            pcntl_waitpid($pid, $st);
            return [$where, $st, $hit];
        }
        posix_kill($pid, SIGCONT);
    }
}

$name = T::storeName('kill_writers');
$logFile = tempnam(sys_get_temp_dir(), 'safeshm-kill-');
$parentPid = getmypid();
register_shutdown_function(function () use ($logFile, $parentPid) {
    if (getmypid() === $parentPid) {
        @unlink($logFile);
    }
});

$model = array_fill_keys($allKeys, null);
$nextSeq = 1;
$prevRecoveries = 0;
$totalRecoveries = 0;
$points = [];        // where the writers died => count
$recovererPoints = [];
$stat = [
    'mid_mutation' => 0, 'idle' => 0, 'formatting' => 0, 'holding_lock' => 0, 'journal' => 0,
    'ops' => 0, 'full' => 0, 'inflight_none' => 0, 'inflight_old' => 0, 'inflight_new' => 0, 'inflight_same' => 0,
    'inflight_mixed' => 0, 'max_lock_ms' => 0.0, 'index_grown' => 0, 'compactions' => 0, 'writes' => 0,
    'recoverer_finished' => 0, 'recoverer_killed' => 0, 'recoverer_killed_inside' => 0, 'epochs' => 0,
];
$modes = ['random' => 0, 'mutation' => 0, 'relocation' => 0, 'index' => 0, 'putmany' => 0, 'format' => 0];
$hits = array_fill_keys(array_keys($modes), 0);
$hdr = null;
$slots = 0;
$t0 = microtime(true);

for ($round = 1; $round <= $kills; $round++) {
    $fresh = $round % EPOCH === 1 || EPOCH === 1;
    if ($fresh) {
        // a new store: the writer creates and formats it, its index starts small
        if ($round > 1) {
            $last = (new SafeShm($name, SEGMENT_SIZE))->info();
            $totalRecoveries += $last['recoveries'];
            $stat['compactions'] += $last['compactions'];
            $stat['writes'] += $last['writes'];
        }
        T::removeStore($name);
        $hdr?->close();
        $hdr = null;
        $model = array_fill_keys($allKeys, null);
        $prevRecoveries = 0;
        $slots = 0;
        $stat['epochs']++;
    }
    // the first rounds of a store see it fill from empty: its index grows then
    $pos = ($round - 1) % EPOCH;
    $mode = $pos === 0 && $stat['epochs'] % 2 === 0 ? 'format'
        : ($pos <= 4 ? 'index' : ['random', 'mutation', 'relocation', 'random', 'relocation', 'putmany', 'mutation', 'relocation', 'random', 'index'][$round % 10]);
    $modes[$mode]++;
    $rseed = mt_rand();
    // formatting has two fault points and nothing between them: slow them down to land there
    $delayUs = $mode === 'format' ? 20000 : ($fixedDelay ?: [50, 100, 200][mt_rand(0, 2)]);

    file_put_contents($logFile, ''); // a writer killed before it opens the log must not leave the last round's there
    $pid = pcntl_fork();
    if ($pid === 0) {
        writer($name, $logFile, $model, $nextSeq, $rseed, $delayUs, $valueKeys, $counterKeys);
    }
    T::trackChild($pid);
    if ($mode === 'random') {
        usleep(mt_rand(0, 25000));
        [$where, $status] = FaultPoint::kill($pid);
        $hit = true;
    } else {
        // formatting: each of its two points in turn (a hunt stops at the first it meets)
        $targets = $mode === 'format' ? [HUNTS['format'][intdiv($stat['epochs'], 2) % 2]] : HUNTS[$mode];
        [$where, $status, $hit] = hunt($pid, $targets, $mode === 'format' ? 0.2 : HUNT_BUDGET);
    }
    $hits[$mode] += (int) $hit;
    T::untrackChild($pid);
    $points[$where] = ($points[$where] ?? 0) + 1;
    T::check($status !== null && pcntl_wifsignaled($status) && pcntl_wtermsig($status) === SIGKILL,
        "round $round: the writer ran until killed", describe_status($status), true);

    // where it died, before anyone touches the store
    if ($hdr === null || !$hdr->ok()) {
        $hdr = new RawHeader($name);
    }
    $formatting = !$hdr->ok() || $hdr->magic() !== 0x4D485346;
    $midMutation = !$formatting && ($hdr->seq() & 1) === 1;
    $stat['formatting'] += (int) $formatting;
    $stat['mid_mutation'] += (int) $midMutation;
    $stat['idle'] += (int) (!$midMutation && !$formatting);
    $stat['journal'] += (int) (!$formatting && $hdr->journalOff() !== 0);
    $stat['holding_lock'] += (int) (!$formatting && $hdr->lockOwner() === $pid);

    // Every third time the writer died mid-mutation, the process that repairs the store
    // (with the same fault delay, so every step of its repair sleeps too) is killed as well.
    $recoverer = '';
    if ($midMutation && $round % 3 === 0) {
        $rpid = pcntl_fork();
        if ($rpid === 0) {
            pcntl_alarm(0);
            ini_set('safeshm.test_fault_delay_us', (string) $delayUs);
            (new SafeShm($name))->info();
            exit(0);
        }
        T::trackChild($rpid);
        [$rwhere, $rst] = hunt($rpid, HUNTS['recover'], 0.1);
        T::untrackChild($rpid);
        $recoverer = $rst !== null && pcntl_wifexited($rst) ? 'finished' : 'killed';
        $stat['recoverer_' . $recoverer]++;
        if ($recoverer === 'killed') {
            $recovererPoints[$rwhere] = ($recovererPoints[$rwhere] ?? 0) + 1;
            $stat['recoverer_killed_inside'] += (int) str_starts_with($rwhere, 'recover:');
        }
        // the checker sees the store as the recoverer left it
        $prevRecoveries = $hdr->recoveries();
        $midMutation = ($hdr->seq() & 1) === 1;
    }

    // replay the writer's log: committed operations, and the one in flight
    $log = file_get_contents($logFile);
    T::check($log !== false, "round $round: the writer's log is there", $logFile, true);
    $lines = explode("\n", (string) $log);
    array_pop($lines); // the part after the last newline: empty, or a line cut by the kill
    $inflight = null;
    $resultsOk = true;
    $resultsDetail = '';
    foreach ($lines as $line) {
        if ($line[0] === 'I') {
            $inflight = parse_intent($line);
            $nextSeq = max($nextSeq, $inflight['seq'] + 1);
            continue;
        }
        [, $seq, $res] = explode(' ', $line, 3);
        if ($inflight === null || (int) $seq !== $inflight['seq']) {
            $resultsOk = false;
            $resultsDetail = "log out of order at '$line'";
            break;
        }
        $stat['ops']++;
        if ($res === 'full') {
            $stat['full']++;
        } elseif (str_starts_with($res, 'exc:')) {
            $resultsOk = false;
            $resultsDetail = "seq $seq {$inflight['op']} {$inflight['key']}: unexpected $res";
        } else {
            $want = expected_result($model, $inflight);
            if ($res !== $want) {
                $resultsOk = false;
                $resultsDetail = "seq $seq {$inflight['op']} {$inflight['key']} returned $res, expected $want (state was "
                    . describe_state($model[$inflight['key']]) . ')';
            }
            $model = apply_op($model, $inflight);
        }
        $inflight = null;
    }
    T::check($resultsOk, "round $round: every call the writer made returned what the committed state implies", $resultsDetail, true);

    // the checker
    try {
        $tl = hrtime(true);
        $c = new SafeShm($name, SEGMENT_SIZE); // formats it again when its creator died formatting
        $info = $c->info(); // takes the lock (and repairs the store when the writer died mid-mutation)
        $lockMs = (hrtime(true) - $tl) / 1e6;
        $stat['max_lock_ms'] = max($stat['max_lock_ms'], $lockMs);
        T::check($lockMs < LOCK_TIMEOUT * 1000, "round $round: lock taken within one lock timeout", sprintf('%.1f ms', $lockMs), true);
        if ($formatting) {
            // the writer died creating the store: no operation of it can have committed
            T::check($info['entries'] === 0 && $info['recoveries'] === 0 && $lines === [],
                "round $round: a store whose creator died formatting is formatted again, empty",
                "entries {$info['entries']}, recoveries {$info['recoveries']}, log lines " . count($lines), true);
            $hdr = new RawHeader($name);
            $prevRecoveries = 0;
        }
        $recovered = $info['recoveries'] - $prevRecoveries;
        $prevRecoveries = $info['recoveries'];
        $want = $midMutation ? 1 : 0;
        T::check($recovered === $want, "round $round: recoveries counted exactly when the writer died mid-mutation",
            ($recoverer ? "recoverer $recoverer, store left " : "writer died at $where, ") . ($midMutation ? 'mid-mutation' : 'between mutations')
            . ", recoveries went up by $recovered", true);
        try {
            $verified = $c->verify() === true ? '' : 'returned false';
        } catch (Throwable $e) {
            $verified = get_class($e) . ': ' . $e->getMessage();
        }
        T::check($verified === '', "round $round: verify() after the kill", "writer died at $where: $verified", true);
        if ($info['index_slots'] > $slots && $slots > 0) {
            $stat['index_grown']++;
        }
        $slots = $info['index_slots'];

        $actual = read_state($c, $valueKeys, $counterKeys);
        $after = $inflight ? apply_op($model, $inflight) : $model;
        $bad = [];
        foreach ($allKeys as $k) {
            $ok = $actual[$k] === $model[$k] || $actual[$k] === $after[$k];
            if (!$ok) {
                $bad[] = "$k: read " . describe_state($actual[$k]) . ', committed ' . describe_state($model[$k])
                    . ($after[$k] !== $model[$k] ? ', in flight ' . describe_state($after[$k]) : '');
            }
        }
        if ($bad) {
            $stat['inflight_mixed']++;
        } elseif ($actual === $model) {
            $stat[$inflight ? ($after === $model ? 'inflight_same' : 'inflight_old') : 'inflight_none']++;
        } elseif ($actual === $after) {
            $stat['inflight_new']++;
        } elseif (($inflight['op'] ?? '') !== 'clear') {
            // every key is old or new, but not all of them the same: only a clear may be half done
            $bad[] = 'keys individually plausible but not one consistent state (in flight: ' . ($inflight['op'] ?? '-') . ' '
                . implode(',', op_keys($inflight ?? ['op' => '', 'key' => '-'])) . ')';
        } else {
            $stat['inflight_mixed']++; // a clear killed halfway: some keys gone, the rest committed
        }
        T::check(!$bad, "round $round: every key holds its last committed value (or the in-flight one)",
            'writer died at ' . $where . '; in flight: ' . ($inflight ? "{$inflight['op']} " . implode(',', op_keys($inflight)) . " seq {$inflight['seq']}" : 'nothing') . '; '
            . implode('; ', array_slice($bad, 0, 4)), true);
        if ($bad) {
            // go on from what is there, so one fault is reported once
            foreach ($actual as $k => $v) {
                if (is_string($v)) {
                    $c->delete($k);
                    $actual[$k] = null;
                }
            }
        }
        $model = $actual;

        $present = array_keys(array_filter($model, fn($v) => $v !== null));
        $keys = $c->keys();
        sort($keys);
        sort($present);
        T::check($keys === $present && count($c) === count($present), "round $round: keys() and count() match the keys that read back",
            'keys() ' . json_encode($keys) . ', count ' . count($c) . ', read ' . json_encode($present), true);
        unset($c);
    } catch (Throwable $e) {
        T::check(false, "round $round: checker", "writer died at $where" . ($formatting ? ' (creating the store)' : '') . ': '
            . get_class($e) . ': ' . $e->getMessage(), true);
        if ($formatting) {
            // the store is refused for good: go on with a new one, so one fault is reported once
            test_ipc_remove($name);
            $model = array_fill_keys($allKeys, null);
            $hdr = null;
        }
        try {
            $prevRecoveries = (new SafeShm($name, SEGMENT_SIZE))->info()['recoveries'];
        } catch (Throwable) {
        }
    }

    if ($round % 50 === 0 || $round === $kills) {
        printf("  ..    %4d kills in %5.1f s: %d mid-mutation, %d while formatting, %d ops committed, %d full\n",
            $round, microtime(true) - $t0, $stat['mid_mutation'], $stat['formatting'], $stat['ops'], $stat['full']);
    }
}

$info = (new SafeShm($name, SEGMENT_SIZE))->info();
$totalRecoveries += $info['recoveries'];
$stat['compactions'] += $info['compactions'];
$stat['writes'] += $info['writes'];
$hdr?->close();

ksort($points);
ksort($recovererPoints);
$fmt = fn(array $a) => implode(', ', array_map(fn($k, $v) => "$k $v", array_keys($a), $a));
echo "kills: $kills over {$stat['epochs']} stores; rounds by what they waited for (hit/rounds): "
    . $fmt(array_map(fn($m) => "$hits[$m]/$modes[$m]", array_combine(array_keys($modes), array_keys($modes)))) . "\n";
echo "writer killed at (the fault point it slept at; 'elsewhere': between points): " . $fmt($points) . "\n";
echo "store at the kill (its header): mid-mutation {$stat['mid_mutation']} (a multi-key put past its commit point {$stat['journal']}), "
    . "being formatted {$stat['formatting']}, between mutations {$stat['idle']}; the writer held the lock {$stat['holding_lock']}\n";
echo "recovering processes also SIGKILLed: {$stat['recoverer_killed']} (inside the repair {$stat['recoverer_killed_inside']}: "
    . ($recovererPoints ? $fmt($recovererPoints) : '-') . "); {$stat['recoverer_finished']} finished before the kill\n";
echo "writer operations committed: {$stat['ops']} (SafeShmFullException: {$stat['full']}); "
    . "in-flight op found applied {$stat['inflight_new']}, not applied {$stat['inflight_old']}, no-op {$stat['inflight_same']}, "
    . "half (a clear) {$stat['inflight_mixed']}, none {$stat['inflight_none']}\n";
printf("recoveries: %d; relocation passes: %d; index grown between two checks: %d times; writes: %d; slowest lock after a kill: %.1f ms\n",
    $totalRecoveries, $stat['compactions'], $stat['index_grown'], $stat['writes'], $stat['max_lock_ms']);

$at = fn(array $names) => array_sum(array_map(fn($n) => $points[$n] ?? 0, $names));
T::check(FaultPoint::$usable, 'the fault point of each kill was read from the writer\'s stack', FaultPoint::$why);
T::check($info['recoveries'] === $prevRecoveries, 'the recoveries counter matches the per-kill increments', "{$info['recoveries']}");
// the test itself must have produced the faults it claims (the hooks build makes it possible)
T::check($stat['mid_mutation'] > $kills / 2, 'most kills landed inside a mutation', "{$stat['mid_mutation']} of $kills");
T::check($at(HUNTS['relocation']) >= $kills / 20, 'at least 5% of the kills landed inside a relocation (evacuate:copied, evacuate:moved, index:moved)',
    $at(HUNTS['relocation']) . " of $kills");
T::check($at(['index:built', 'index:published']) >= $kills / 50, 'at least 2% of the kills landed inside an index rebuild (index:built, index:published)',
    $at(['index:built', 'index:published']) . " of $kills");
T::check($stat['index_grown'] >= $stat['epochs'], 'the index grew in every store (new keys)', "{$stat['index_grown']} growths over {$stat['epochs']} stores");
T::check($at(HUNTS['putmany']) > 0 && $at(['put:written', 'put:published']) > 0 && ($points['delete:published'] ?? 0) > 0,
    'kills landed inside puts, deletes and multi-key puts', $fmt($points));
T::check($totalRecoveries > 0 && $totalRecoveries >= $stat['mid_mutation'],
    'the store recovered after each kill mid-mutation (recoveries > 0)', "recoveries $totalRecoveries, kills mid-mutation {$stat['mid_mutation']}");
printf("checks per kill: writer ran until killed, writer results consistent, lock within %d s, recovery iff mid-mutation, verify, values, keys/count\n", LOCK_TIMEOUT);
T::finish();
