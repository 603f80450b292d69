<?php
/*
 * Issue 4, section 1: writers killed at any instant.
 *
 * A writer child runs put / replace / delete / add / increment (and, rarely,
 * clear) over 50 keys in a 16 KiB segment, so compaction runs every few
 * writes. Every value names its key and the writer's sequence number and
 * ends in a CRC, so a torn or mixed value cannot pass for a good one. The
 * writer logs each operation before the call ("I ...") and its result after
 * the call returns ("R ..."): the parent knows the last committed state of
 * every key and the one operation possibly in flight.
 *
 * The parent SIGKILLs the writer at random instants; with the hooks build
 * (safeshm.test_fault_delay_us) every step of a mutation sleeps, so kills land
 * inside puts, deletes and compaction record moves. A third of the rounds
 * wait until the segment header shows a compaction move (or a mutation) in
 * progress and kill then. Every third time the writer died mid-mutation,
 * the process that repairs the store is SIGKILLed too, during its repair. After each kill the parent, as the checker, takes
 * the lock within one lock timeout, expects exactly one recovery when the
 * writer died mid-mutation and none otherwise, runs verify(), and reads every
 * key: the state must be the last committed one, or that plus the in-flight
 * operation; never anything else.
 *
 * Usage: php -d extension=build-hooks/modules/safeshm.so tests/fault/kill_writers.php [kills=500] [seed]
 * Environment: SAFESHM_FAULT_DELAY_US (default: 50, 100 or 200 at random in each round).
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

$kills = max(1, (int) ($argv[1] ?? 500));
$seed = isset($argv[2]) ? (int) $argv[2] : random_int(1, 1 << 30);
$fixedDelay = (int) getenv('SAFESHM_FAULT_DELAY_US');
const SEGMENT_SIZE = 16384;
const LOCK_TIMEOUT = 2;

ini_set('safeshm.lock_timeout', (string) LOCK_TIMEOUT);
T::start("kill_writers: $kills SIGKILLs of a writer in a " . SEGMENT_SIZE . '-byte segment, fault delay '
    . ($fixedDelay ?: '50/100/200') . " us, seed $seed",
    max(90, (int) ($kills * 0.3)));
if (!T::hooks()) {
    T::check(false, 'the fault hooks are compiled in (run with build-hooks/modules/safeshm.so)',
        'without safeshm.test_fault_delay_us kills rarely land inside a mutation, and the recoveries this test claims would not happen');
    T::finish();
}
mt_srand($seed);

$valueKeys = [];
for ($i = 0; $i < 35; $i++) {
    $valueKeys[] = sprintf('s%02d', $i);
}
for ($i = 0; $i < 5; $i++) {
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

/** The state after $op (an intent line, parsed) applied to $state. */
function apply_op(array $state, array $op): array
{
    $k = $op['key'];
    switch ($op['op']) {
        case 'put':
        case 'replace':
            $state[$k] = ['seq' => $op['seq'], 'kind' => $op['kind'], 'len' => $op['len']];
            break;
        case 'add':
            if ($state[$k] === null) {
                $state[$k] = ['seq' => $op['seq'], 'kind' => $op['kind'], 'len' => $op['len']];
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

function parse_intent(string $line): ?array
{
    $f = explode(' ', $line);
    if (count($f) !== 7 || $f[0] !== 'I') {
        return null;
    }
    $key = ctype_digit($f[3]) ? (int) $f[3] : $f[3];
    return ['seq' => (int) $f[1], 'op' => $f[2], 'key' => $key, 'kind' => $f[4], 'len' => (int) $f[5], 'by' => (int) $f[6]];
}

/**
 * The writer: runs until killed. Inherits $model (the committed state) from
 * the parent at fork time; logs intent before each call and result after it.
 */
function writer(int|string $name, string $logFile, array $model, int $seq, int $rseed, bool $heavy, int $delayUs,
    array $valueKeys, array $counterKeys): never
{
    pcntl_alarm(0);
    if (T::hooks()) {
        ini_set('safeshm.test_fault_delay_us', (string) $delayUs);
    }
    mt_srand($rseed);
    $log = fopen($logFile, 'w');
    $s = new SafeShm($name);
    for (;; $seq++) {
        $r = mt_rand(1, 1000);
        $kind = mt_rand(1, 5) === 1 ? 'a' : 's';
        $lr = mt_rand(1, 100);
        $len = $heavy
            ? ($lr <= 30 ? mt_rand(0, 120) : ($lr <= 60 ? mt_rand(120, 600) : mt_rand(600, 2000)))
            : ($lr <= 60 ? mt_rand(0, 120) : ($lr <= 90 ? mt_rand(120, 500) : mt_rand(500, 1500)));
        if ($kind === 'a') {
            $len -= $len % 2; // an array carries len/2 bytes as hex: keep len exact
        }
        $by = 0;
        $key = $valueKeys[mt_rand(0, count($valueKeys) - 1)];
        if ($r <= 1) {
            $op = 'clear';
        } elseif ($r <= 200) {
            $op = 'incr';
            $key = $counterKeys[mt_rand(0, count($counterKeys) - 1)];
            $by = mt_rand(1, 9);
        } elseif ($r <= 220) {
            $op = 'cdelete';
            $key = $counterKeys[mt_rand(0, count($counterKeys) - 1)];
        } elseif ($r <= 550) {
            $op = 'put';
        } elseif ($r <= 750) {
            $op = 'replace';
            $present = array_values(array_filter($valueKeys, fn($k) => $model[$k] !== null));
            if ($present) {
                $key = $present[mt_rand(0, count($present) - 1)];
            }
        } elseif ($r <= 870) {
            $op = 'delete';
        } else {
            $op = 'add';
        }
        fwrite($log, "I $seq $op $key $kind $len $by\n");
        try {
            $res = match ($op) {
                'put', 'replace' => ($s->put($key, make_value($key, $seq, $kind, $len)) ?? 'ok'),
                'add' => $s->add($key, make_value($key, $seq, $kind, $len)) ? 'true' : 'false',
                'delete', 'cdelete' => $s->delete($key) ? 'true' : 'false',
                'incr' => (string) $s->increment($key, $by),
                'clear' => ($s->clear() ?? 'ok'),
            };
            $model = apply_op($model, ['seq' => $seq, 'op' => $op, 'key' => $key, 'kind' => $kind, 'len' => $len, 'by' => $by]);
        } catch (SafeShmFullException) {
            $res = 'full';
        } catch (Throwable $e) {
            $res = 'exc:' . get_class($e) . ':' . str_replace(["\n", ' '], ['|', '_'], $e->getMessage());
        }
        fwrite($log, "R $seq $res\n");
    }
}

$name = T::storeName('kill_writers');
$store = T::create($name, SEGMENT_SIZE);
$key = T::key($name);
$hdr = new RawHeader($key);
if (!T::check($hdr->ok(), 'the segment header is readable (shmop)', 'needed to tell where each kill landed and how many recoveries it must cause')) {
    T::finish();
}
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
$stat = [
    'mid_mutation' => 0, 'in_move' => 0, 'in_overlap' => 0, 'holding_lock' => 0, 'idle' => 0, 'target_missed' => 0,
    'ops' => 0, 'full' => 0, 'inflight_none' => 0, 'inflight_old' => 0, 'inflight_new' => 0, 'inflight_same' => 0,
    'heavy_rounds' => 0, 'max_lock_ms' => 0.0,
    'recoverer_finished' => 0, 'recoverer_killed' => 0, 'recoverer_killed_inside' => 0,
];
$modes = ['random' => 0, 'compaction' => 0, 'mutation' => 0];
$t0 = microtime(true);

for ($round = 1; $round <= $kills; $round++) {
    $mode = ['random', 'random', 'compaction', 'mutation'][$round % 4];
    $heavy = intdiv($round, 25) % 3 === 2; // stretches of rounds with large values: the segment stays near full
    $modes[$mode]++;
    $stat['heavy_rounds'] += (int) $heavy;
    $rseed = mt_rand();
    $delayUs = $fixedDelay ?: [50, 100, 200][mt_rand(0, 2)];

    file_put_contents($logFile, ''); // a writer killed before it opens the log must not leave the last round's there
    $pid = pcntl_fork();
    if ($pid === 0) {
        writer($name, $logFile, $model, $nextSeq, $rseed, $heavy, $delayUs, $valueKeys, $counterKeys);
    }
    T::trackChild($pid);
    if ($mode === 'random' || !$hdr->ok()) {
        usleep(mt_rand(0, 25000));
    } else {
        // wait for the window, then kill somewhere inside it
        $deadline = microtime(true) + 0.3;
        $hit = false;
        while (microtime(true) < $deadline) {
            if ($mode === 'compaction' ? $hdr->moveLen() !== 0 : ($hdr->seq() & 1) === 1) {
                $hit = true;
                break;
            }
        }
        $stat['target_missed'] += (int) !$hit;
        usleep(mt_rand(0, 300));
    }
    posix_kill($pid, SIGKILL);
    pcntl_waitpid($pid, $status);
    T::untrackChild($pid);
    T::check(pcntl_wifsignaled($status) && pcntl_wtermsig($status) === SIGKILL, "round $round: the writer ran until killed",
        describe_status($status), true);

    // where it died, before anyone touches the store
    $midMutation = $inMove = false;
    if ($hdr->ok()) {
        $midMutation = ($hdr->seq() & 1) === 1;
        $inMove = $hdr->moveLen() !== 0;
        $stat['mid_mutation'] += (int) $midMutation;
        $stat['in_move'] += (int) $inMove;
        $stat['holding_lock'] += (int) ($hdr->lockOwner() === $pid);
        $stat['idle'] += (int) (!$midMutation && !$inMove);
        if ($inMove) {
            // a record moved down by less than its length is copied in several chunks,
            // and from the second chunk on its old bytes are being overwritten
            [$src, $dst, $len, $done] = $hdr->move();
            $stat['in_overlap'] += (int) ($len > $src - $dst && $done > $src - $dst);
        }
    }

    // Every third time the writer died mid-mutation, the process that repairs the store
    // (with the same fault delay, so its compaction moves are slow too) is killed as well.
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
        usleep(mt_rand(0, 6000));
        posix_kill($rpid, SIGKILL);
        pcntl_waitpid($rpid, $rst);
        T::untrackChild($rpid);
        $recoverer = pcntl_wifexited($rst) ? 'finished' : 'killed';
        $stat['recoverer_' . $recoverer]++;
        if ($recoverer === 'killed' && ($hdr->seq() & 1) === 1) {
            $stat['recoverer_killed_inside']++;
        }
        // the checker sees the store as the recoverer left it
        $prevRecoveries = $hdr->recoveries();
        $midMutation = ($hdr->seq() & 1) === 1;
        $inMove = $hdr->moveLen() !== 0;
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
        $c = new SafeShm($name);
        $info = $c->info(); // takes the lock (and repairs the store when the writer died mid-mutation)
        $lockMs = (hrtime(true) - $tl) / 1e6;
        $stat['max_lock_ms'] = max($stat['max_lock_ms'], $lockMs);
        T::check($lockMs < LOCK_TIMEOUT * 1000, "round $round: lock taken within one lock timeout", sprintf('%.1f ms', $lockMs), true);
        $recovered = $info['recoveries'] - $prevRecoveries;
        $prevRecoveries = $info['recoveries'];
        if ($hdr->ok()) {
            $want = ($midMutation || $inMove) ? 1 : 0;
            T::check($recovered === $want, "round $round: recoveries counted exactly when the writer died mid-mutation",
                ($recoverer ? "recoverer $recoverer, store left " : 'writer died ') . ($midMutation ? 'mid-mutation' : 'between mutations') . ($inMove ? ' inside a compaction move' : '')
                . ", recoveries went up by $recovered", true);
        }
        T::check($c->verify() === true, "round $round: verify() after the kill", '', true);

        $actual = read_state($c, $valueKeys, $counterKeys);
        $after = $inflight ? apply_op($model, $inflight) : $model;
        if ($actual === $model) {
            $stat[$inflight ? ($after === $model ? 'inflight_same' : 'inflight_old') : 'inflight_none']++;
            $ok = true;
        } elseif ($actual === $after) {
            $stat['inflight_new']++;
            $ok = true;
        } else {
            $ok = false;
            $bad = [];
            foreach ($allKeys as $k) {
                if ($actual[$k] !== $model[$k] && $actual[$k] !== $after[$k]) {
                    $bad[] = "$k: read " . describe_state($actual[$k]) . ', committed ' . describe_state($model[$k])
                        . ($after[$k] !== $model[$k] ? ', in flight ' . describe_state($after[$k]) : '');
                }
            }
            if (!$bad) {
                $bad[] = 'keys individually plausible but not one consistent state (in flight: ' . ($inflight['op'] ?? '-') . ')';
            }
        }
        T::check($ok, "round $round: every key holds its last committed value (or the in-flight one)",
            ($ok ? '' : 'in flight: ' . ($inflight ? "{$inflight['op']} {$inflight['key']} seq {$inflight['seq']}" : 'nothing') . '; ')
            . implode('; ', array_slice($bad ?? [], 0, 4)), true);
        if (!$ok) {
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
        T::check(false, "round $round: checker", get_class($e) . ': ' . $e->getMessage(), true);
        $prevRecoveries = $store->info()['recoveries'] ?? $prevRecoveries;
    }

    if ($round % 50 === 0 || $round === $kills) {
        printf("  ..    %4d kills in %5.1f s: %d mid-mutation (%d inside a compaction move), %d ops committed, %d full, recoveries %d\n",
            $round, microtime(true) - $t0, $stat['mid_mutation'], $stat['in_move'], $stat['ops'], $stat['full'], $prevRecoveries);
    }
}

$info = $store->info();
$hdr->close();
echo "kills: $kills (random instants {$modes['random']}, waiting for a compaction move {$modes['compaction']}, "
    . "waiting for a mutation {$modes['mutation']}; windows missed {$stat['target_missed']}; large-value rounds {$stat['heavy_rounds']})\n";
echo "kill landed (from the segment header at death): mid-mutation {$stat['mid_mutation']}, of which inside a compaction record move "
    . "{$stat['in_move']} (of which {$stat['in_overlap']} after the record's old bytes began to be overwritten); holding the lock {$stat['holding_lock']}; between mutations {$stat['idle']}\n";
echo "recovering processes also SIGKILLed: {$stat['recoverer_killed']} (of which {$stat['recoverer_killed_inside']} inside the repair); "
    . "{$stat['recoverer_finished']} finished before the kill\n";
echo "writer operations committed: {$stat['ops']} (SafeShmFullException: {$stat['full']}); "
    . "in-flight op found applied {$stat['inflight_new']}, not applied {$stat['inflight_old']}, no-op {$stat['inflight_same']}, none {$stat['inflight_none']}\n";
printf("recoveries: %d; compactions: %d; writes: %d; slowest lock after a kill: %.1f ms\n",
    $info['recoveries'], $info['compactions'], $info['writes'], $stat['max_lock_ms']);

T::check($info['recoveries'] === $prevRecoveries, 'the recoveries counter matches the per-kill increments', "{$info['recoveries']}");
// the test itself must have produced the faults it claims (the hooks build makes it possible)
T::check($stat['mid_mutation'] >= $kills / 4, 'at least a quarter of the kills landed inside a mutation', "{$stat['mid_mutation']} of $kills");
T::check($stat['in_move'] >= $kills / 20, 'at least 5% of the kills landed inside a compaction record move', "{$stat['in_move']} of $kills");
T::check($info['recoveries'] > 0 && $info['recoveries'] >= $kills / 4, 'the store recovered after each of them (recoveries > 0, at least a quarter of the kills)',
    "recoveries {$info['recoveries']}, kills mid-mutation {$stat['mid_mutation']}, of $kills kills");
printf("checks per kill: writer ran until killed, writer results consistent, lock within %d s, recovery iff mid-mutation, verify, values, keys/count\n", LOCK_TIMEOUT);
T::finish();
