<?php
// Issue #10, goals 2 and 3, on a big store: a reader beside a writer that rewrites the store, a writer stopped
// in the middle of a mutation, and the latency of every put/delete/increment under steady random rewrites;
// beside APCu holding the same data in the same run.
//
// Two fillings of the same store: the issue's (100 000 x 1 KB entries in 256 MiB, 40 % full), and "near full":
// the same plus cold 4 KB entries until only Big::$slack bytes stay free, where rewrites of other sizes
// fragment the free space and writes must relocate records to make room.
//
// Every latency is one call timed with hrtime(); getrusage() after each call (outside the timed window) tells
// whether the process was preempted (an involuntary context switch) or slept (a voluntary one) during it, and
// how much CPU time the call took, so that a slow call can be told from a slow machine. The goals are judged on
// the raw figures; the others are context.

declare(strict_types=1);

const SEQ_OFFSET = 40;          // safeshm_header.seq: odd while a mutation is in progress
const LOCK_OWNER_OFFSET = 124;  // safeshm_header.lock_owner: pid of the lock holder

final class Big
{
    public SafeShm $s;
    public int $ipcKey;
    public int $size;
    public int $keys;
    public int $slack;
    public int $ops;
    /** @var list<string> rewrite values, 512 to 1536 bytes */
    public array $vals = [];
    public bool $apcu = false;
    public int $ballast = 0;
    public int $apcuBallast = 0;
    public const COUNTERS = 1000;
    public const BALLAST_BYTES = 4000;
    public const READER_VALUE = 'the reader key: never written while the benchmark runs';
}

function big_open(bool $withApcu): Big
{
    $b = new Big();
    $b->size = Bench::$quick ? 32 << 20 : 256 << 20;
    $b->keys = Bench::$quick ? 12_500 : 100_000;
    $b->slack = Bench::$quick ? 1 << 20 : 8 << 20;
    $b->ops = Bench::$quick ? 20_000 : 300_000;
    $b->s = Bench::store('b', $b->size);
    $b->ipcKey = $b->s->info()['key'];
    for ($z = 512; $z <= 1536; $z += 64) {
        $b->vals[] = str_repeat(chr(ord('a') + ($z / 64) % 26), $z);
    }
    $kb = str_repeat('x', 1024);
    for ($i = 0; $i < $b->keys; $i++) {
        $b->s->put("e$i", $kb);
    }
    for ($i = 0; $i < Big::COUNTERS; $i++) {
        $b->s->put("c$i", 0);
    }
    $b->s->put('reader', Big::READER_VALUE);
    if ($withApcu) {
        $b->apcu = true;
        for ($i = 0; $i < $b->keys; $i++) {
            apcu_store("L:e$i", $kb);
        }
        for ($i = 0; $i < Big::COUNTERS; $i++) {
            apcu_store("L:c$i", 0);
        }
        apcu_store('L:reader', Big::READER_VALUE);
        $need = 3 * $b->size;
        if ((int) ini_get('apc.shm_size') > 0 && apcu_sma_info(true)['seg_size'] < $need) {
            Bench::$notes[] = sprintf('APCu: apc.shm_size is %d MiB; below %d MiB it may expunge (wipe) its cache during the big-store cases (tools/bench.sh sets it)',
                apcu_sma_info(true)['seg_size'] >> 20, $need >> 20);
        }
    }
    return $b;
}

/** Cold 4 KB entries until only $slack bytes are free (not to full and back: near full, each would relocate). */
function big_fill_ballast(Big $b): void
{
    $v = str_repeat('y', Big::BALLAST_BYTES);
    $free = $b->s->info()['free'];
    try {
        while ($free > $b->slack + 64 * Big::BALLAST_BYTES) {
            for ($i = 0; $i < 64; $i++) {
                $b->s->put('b' . $b->ballast, $v);
                $b->ballast++;
            }
            $free = $b->s->info()['free'];
        }
        while ($free > $b->slack + Big::BALLAST_BYTES) {
            $b->s->put('b' . $b->ballast, $v);
            $b->ballast++;
            $free = $b->s->info()['free'];
        }
    } catch (SafeShmFullException $e) {
        // full before the slack was reached: as near full as it gets
    }
    if ($b->apcu) {
        for (; $b->apcuBallast < $b->ballast; $b->apcuBallast++) {
            apcu_store('L:b' . $b->apcuBallast, $v);
        }
    }
}

function big_drop_ballast(Big $b): void
{
    while ($b->ballast > 0) {
        $b->s->delete('b' . --$b->ballast);
    }
    while ($b->apcuBallast > 0) {
        apcu_delete('L:b' . --$b->apcuBallast);
    }
}

function big_filling(Big $b): string
{
    $i = $b->s->info();
    return sprintf('%d MiB store, %s x 1 KB entries%s: %.0f %% of its bytes used',
        $b->size >> 20, Bench::ops($b->keys), $b->ballast ? ' + ' . Bench::ops($b->ballast) . ' x 4 KB' : '',
        100 * ($i['size'] - $i['free']) / $i['size']);
}

/**
 * Times $op() (which returns the kind of operation it did, 0..$kinds-1) until $maxOps calls or $maxSecs.
 * @return array{all: array, clean: array, kinds: list<array>, cpu_max_us: int, preempted: int, slept: int, ops: int, secs: float}
 */
function latency_loop(Closure $op, int $maxOps, float $maxSecs, int $kinds = 1): array
{
    $raw = [];
    $clean = [];
    $byKind = array_fill(0, $kinds, []);
    $cpuMax = 0;
    $preempted = 0;
    $slept = 0;
    $ru = getrusage();
    $cpu0 = $ru['ru_utime.tv_sec'] * 1_000_000 + $ru['ru_utime.tv_usec'] + $ru['ru_stime.tv_sec'] * 1_000_000 + $ru['ru_stime.tv_usec'];
    $t0 = hrtime(true);
    $end = $t0 + (int) ($maxSecs * 1e9);
    for ($i = 0; $i < $maxOps; $i++) {
        $a = hrtime(true);
        $k = $op();
        $d = hrtime(true) - $a;
        $ru2 = getrusage();
        $cpu1 = $ru2['ru_utime.tv_sec'] * 1_000_000 + $ru2['ru_utime.tv_usec'] + $ru2['ru_stime.tv_sec'] * 1_000_000 + $ru2['ru_stime.tv_usec'];
        $raw[] = $d;
        if ($kinds > 1) {
            $byKind[$k][] = $d;
        }
        $cpuMax = max($cpuMax, $cpu1 - $cpu0);
        $cpu0 = $cpu1;
        $switched = false;
        if ($ru2['ru_nivcsw'] !== $ru['ru_nivcsw']) {
            $preempted++;
            $switched = true;
        }
        if ($ru2['ru_nvcsw'] !== $ru['ru_nvcsw']) {
            $slept++;
            $switched = true;
        }
        if (!$switched) {
            $clean[] = $d;
        }
        $ru = $ru2;
        if (($i & 255) === 0 && $a > $end) {
            $i++;
            break;
        }
    }
    $secs = (hrtime(true) - $t0) / 1e9;
    return [
        'all' => Bench::percentiles($raw),
        'clean' => Bench::percentiles($clean),
        'kinds' => $kinds > 1 ? array_map([Bench::class, 'percentiles'], $byKind) : [],
        'cpu_max_us' => $cpuMax,
        'preempted' => $preempted,
        'slept' => $slept,
        'ops' => $i,
        'secs' => $secs,
    ];
}

/** Folds one run's latency_loop() result into the best so far: every statistic keeps its best run. */
function latency_best(?array $best, array $run): array
{
    if ($best === null) {
        return $run;
    }
    $best['all'] = Bench::bestOf($best['all'], $run['all']);
    $best['clean'] = Bench::bestOf($best['clean'], $run['clean']);
    foreach ($run['kinds'] as $k => $p) {
        $best['kinds'][$k] = Bench::bestOf($best['kinds'][$k], $p);
    }
    $best['cpu_max_us'] = min($best['cpu_max_us'], $run['cpu_max_us']);
    $best['preempted'] += $run['preempted'];
    $best['slept'] += $run['slept'];
    $best['ops'] = max($best['ops'], $run['ops']);
    foreach ($run['extra'] ?? [] as $k => $v) {
        $best['extra'][$k] = ($best['extra'][$k] ?? 0) + $v;   // counts add up over the runs
    }
    $best['wrong'] = ($best['wrong'] ?? 0) + ($run['wrong'] ?? 0);
    return $best;
}

/**
 * Goal 2: a reader process timing gets of an unrelated key while a writer process rewrites random entries
 * with values of random sizes. $who: SafeShm, APCu, alone (SafeShm's reader with no writer: what the same
 * gets cost on this machine when nobody writes), or floor (the reader reads a PHP array beside SafeShm's
 * writer: what this machine's scheduling alone costs).
 */
function reader_beside_writer(Big $b, string $who): ?array
{
    $s = $b->s;
    $before = $s->info();
    $secs = Bench::$secs;
    $res = Bench::fork(2, function (int $me, int $start) use ($b, $s, $who, $secs) {
        if ($me === 0) {
            if ($who === 'alone') {
                return ['writes' => 0, 'full' => 0];
            }
            $stop = $start + (int) (($secs + 0.2) * 1e9);
            $n = 0;
            $full = 0;
            $nv = count($b->vals) - 1;
            do {
                for ($i = 0; $i < 64; $i++) {
                    $k = 'e' . mt_rand(0, $b->keys - 1);
                    $v = $b->vals[mt_rand(0, $nv)];
                    if ($who === 'APCu') {
                        apcu_store("L:$k", $v);
                    } else {
                        try {
                            $s->put($k, $v);
                        } catch (SafeShmFullException $e) {
                            $full++;
                        }
                    }
                }
                $n += 64;
            } while (hrtime(true) < $stop);
            return ['writes' => $n, 'full' => $full];
        }
        usleep(20000);                          // the writer is running before the first sample
        $wrong = 0;
        $op = match ($who) {
            'SafeShm', 'alone' => function () use ($s, &$wrong) {
                if ($s->get('reader') !== Big::READER_VALUE) {
                    $wrong++;
                }
                return 0;
            },
            'APCu' => function () use (&$wrong) {
                if (apcu_fetch('L:reader') !== Big::READER_VALUE) {
                    $wrong++;
                }
                return 0;
            },
            'floor' => function () use (&$wrong) {
                static $a = ['reader' => Big::READER_VALUE];
                if ($a['reader'] !== Big::READER_VALUE) {
                    $wrong++;
                }
                return 0;
            },
        };
        $r = latency_loop($op, 3_000_000, $secs);
        $r['wrong'] = $wrong;
        return $r;
    }, 120 + 20 * $secs);
    if ($res[0] === null || $res[1] === null) {
        return null;
    }
    $after = $s->info();
    $r = $res[1];
    $r['extra'] = [
        'writes' => $res[0]['writes'],
        'full' => $res[0]['full'],
        'compactions' => in_array($who, ['APCu', 'alone'], true) ? 0 : $after['compactions'] - $before['compactions'],
    ];
    return $r;
}

/** Goal 3: every operation timed, under steady random rewrites: 80 % put (random size), 10 % delete, 10 % increment. */
function write_latency(Big $b, string $who, float $maxSecs): array
{
    $s = $b->s;
    $nv = count($b->vals) - 1;
    $full = 0;
    $before = $s->info();
    $expunges0 = $who === 'APCu' ? (apcu_cache_info(true)['expunges'] ?? 0) : 0;
    $op = match ($who) {
        'SafeShm' => function () use ($s, $b, $nv, &$full): int {
            $r = mt_rand(0, 9);
            if ($r === 0) {
                $s->delete('e' . mt_rand(0, $b->keys - 1));
                return 1;
            }
            if ($r === 1) {
                $s->increment('c' . mt_rand(0, Big::COUNTERS - 1));
                return 2;
            }
            try {
                $s->put('e' . mt_rand(0, $b->keys - 1), $b->vals[mt_rand(0, $nv)]);
            } catch (SafeShmFullException $e) {
                $full++;
            }
            return 0;
        },
        'APCu' => function () use ($b, $nv): int {
            $r = mt_rand(0, 9);
            if ($r === 0) {
                apcu_delete('L:e' . mt_rand(0, $b->keys - 1));
                return 1;
            }
            if ($r === 1) {
                apcu_inc('L:c' . mt_rand(0, Big::COUNTERS - 1));
                return 2;
            }
            apcu_store('L:e' . mt_rand(0, $b->keys - 1), $b->vals[mt_rand(0, $nv)]);
            return 0;
        },
        'floor' => function () use ($b, $nv): int {
            static $a = [];
            $r = mt_rand(0, 9);
            $a[$r] = $b->vals[mt_rand(0, $nv)];
            return $r === 0 ? 1 : ($r === 1 ? 2 : 0);
        },
    };
    $r = latency_loop($op, $b->ops, $maxSecs, 3);
    $after = $s->info();
    $r['extra'] = [
        'full' => $full,
        'compactions' => $who === 'SafeShm' ? $after['compactions'] - $before['compactions'] : 0,
        'expunges' => $who === 'APCu' ? (apcu_cache_info(true)['expunges'] ?? 0) - $expunges0 : 0,
    ];
    return $r;
}

// ---------------------------------------------------------------------------------------------------------
// Goal 2, second half: a writer of the test build stopped (SIGSTOP) while it sleeps inside a mutation.

final class RawSeq
{
    private Shmop $shm;

    public function __construct(int $ipcKey)
    {
        $shm = @shmop_open($ipcKey, 'a', 0, 0);
        if ($shm === false) {
            throw new RuntimeException('cannot map the segment read-only with shmop');
        }
        $this->shm = $shm;
    }

    public function seq(): int { return unpack('P', shmop_read($this->shm, SEQ_OFFSET, 8))[1]; }
    public function lockOwner(): int { return unpack('V', shmop_read($this->shm, LOCK_OWNER_OFFSET, 4))[1]; }
}

function proc_state(int $pid): string
{
    $stat = @file_get_contents("/proc/$pid/stat");
    return $stat === false ? '?' : (explode(' ', substr($stat, strrpos($stat, ')') + 2))[0] ?? '?');
}

/**
 * One mutation ($op on $target) by a test-build writer, SIGSTOPped $offsetMs after its mutation began; while it
 * is stopped this process gets every other entry (timed, and compared with what it held before) and the target,
 * which must answer its old value, or its new one if the mutation committed it before the stop.
 * @return array{status: string, what: string, reads: ?array, others_wrong: int, target_ok: bool, new_ok: bool, detail: string}
 *   status: ok, bad, or n/a (the mutation has no fault point to stop in: it is one store)
 */
function stopped_writer_round(Big $b, string $hooksSo, string $op, string $target, mixed $newValue, int $offsetMs): array
{
    $s = $b->s;
    $result = fn(string $status, string $why) => ['status' => $status, 'what' => "$op $target", 'reads' => null,
        'others_wrong' => 0, 'target_ok' => $status !== 'bad', 'new_ok' => $status !== 'bad', 'detail' => $why];
    $missing = "\0missing";
    // what every other entry holds now: nobody else writes the store during the round
    $keys = [];
    for ($i = 0; $i < $b->keys; $i++) {
        $keys[] = "e$i";
    }
    for ($i = 0; $i < Big::COUNTERS; $i++) {
        $keys[] = "c$i";
    }
    $keys = array_values(array_diff($keys, [$target]));
    $expect = [];
    foreach ($keys as $k) {
        $v = $s->get($k, $missing);
        $expect[$k] = is_string($v) ? crc32($v) : $v;
    }
    $old = $s->get($target, $missing);
    $expectNew = match ($op) {
        'put' => $newValue,
        'delete' => $missing,
        'increment' => (is_int($old) ? $old : 0) + 1,
    };
    $show = fn($v) => $v instanceof Throwable ? get_class($v) : ($v === $missing ? 'absent'
        : var_export(is_string($v) && strlen($v) > 12 ? substr($v, 0, 12) . '...' : $v, true));

    $seq = new RawSeq($b->ipcKey);
    $cmd = [PHP_BINARY, '-n', '-d', "extension=$hooksSo", '-d', 'safeshm.test_fault_delay_us=100000',
        __DIR__ . '/../hooks_writer.php', (string) $b->ipcKey, $op, $target];
    if ($op === 'put') {
        $cmd[] = $newValue;
    }
    $t0 = microtime(true);
    $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    if (!is_resource($proc)) {
        return $result('bad', 'the test-build writer did not start');
    }
    $pid = proc_get_status($proc)['pid'];
    $exit = null;
    $running = function () use ($proc, &$exit): bool {
        if ($exit !== null || !is_resource($proc)) {
            return false;
        }
        $st = proc_get_status($proc);
        if (!$st['running']) {
            $exit = $st['signaled'] ? -$st['termsig'] : $st['exitcode'];  // reported once only
        }
        return $st['running'];
    };
    $finish = function () use ($proc, $pid, $running) {
        posix_kill($pid, SIGCONT);
        for ($i = 0; $i < 1000 && $running(); $i++) {
            usleep(10000);
        }
        if ($running()) {
            posix_kill($pid, SIGKILL);
            for ($i = 0; $i < 100 && $running(); $i++) {
                usleep(10000);
            }
        }
    };
    Bench::onExit("test-build writer $pid", $finish);  // a Ctrl-C while it is stopped must not leave it stopped
    $done = function () use ($finish, $proc, $pipes, $pid, &$exit): string {
        $finish();
        $err = trim(stream_get_contents($pipes[2]));
        fclose($pipes[1]);
        fclose($pipes[2]);
        proc_close($proc);
        unset(Bench::$cleanups["test-build writer $pid"]);
        return $exit !== 0 ? "; writer exit $exit" . ($err !== '' ? ": $err" : '') : '';
    };

    $deadline = microtime(true) + 10;
    while (($seq->seq() & 1) === 0 && $running() && microtime(true) < $deadline) {
        usleep(100);
    }
    if (($seq->seq() & 1) === 0) {
        $tail = $done();
        $after = $s->get($target, $missing);
        if ($exit === 0 && $after === $expectNew) {
            return $result('n/a', sprintf('no fault point inside it to stop at (it is one store): done in %.0f ms, %s after it%s',
                1000 * (microtime(true) - $t0), $show($after), $tail));
        }
        return $result('bad', 'the writer never got inside its mutation' . $tail);
    }
    usleep($offsetMs * 1000);
    posix_kill($pid, SIGSTOP);
    for ($i = 0; $i < 2000 && ($state = proc_state($pid)) !== 'T'; $i++) {
        usleep(1000);                           // a busy machine may take a while to deliver the stop
    }
    $odd = ($seq->seq() & 1) === 1;
    $owner = $seq->lockOwner();
    if ($state !== 'T' || !$odd) {
        $tail = $done();
        return $result('bad', "not stopped mid-mutation (state $state, sequence " . ($odd ? 'odd' : 'even') . ')' . $tail);
    }

    // the writer sleeps, stopped, holding the lock with its mutation half done
    $lockTimeout = ini_get('safeshm.lock_timeout');
    ini_set('safeshm.lock_timeout', '1');      // a read that waited for the lock would show, not hang the run
    $wrong = 0;
    $errors = 0;
    $i = 0;
    $reads = latency_loop(function () use ($s, $keys, $expect, $missing, &$i, &$wrong, &$errors) {
        $k = $keys[$i++];
        try {
            $v = $s->get($k, $missing);
        } catch (SafeShmException $e) {
            $v = $e;
            $errors++;
        }
        if ((is_string($v) ? crc32($v) : $v) !== $expect[$k]) {
            $wrong++;
        }
        return 0;
    }, count($keys), 30);
    try {
        $during = $s->get($target, $missing);
    } catch (SafeShmException $e) {
        $during = $e;
    }
    ini_set('safeshm.lock_timeout', $lockTimeout);
    $stillOdd = ($seq->seq() & 1) === 1 && proc_state($pid) === 'T';

    $tail = $done();
    $after = $s->get($target, $missing);
    $targetOk = $during === $old || $during === $expectNew;
    $newOk = $after === $expectNew;
    return [
        'status' => $exit === 0 && $targetOk && $newOk && $wrong === 0 && $errors === 0 && $stillOdd ? 'ok' : 'bad',
        'what' => "$op $target",
        'reads' => $reads + ['errors' => $errors],
        'others_wrong' => $wrong,
        'target_ok' => $targetOk,
        'new_ok' => $newOk,
        'detail' => sprintf('stopped %d ms into it, holding the lock (owner pid %d = writer %d); %s other keys read: %d wrong, %d exceptions; the key: %s while stopped (%s), %s after SIGCONT (expected %s)%s%s',
            $offsetMs, $owner, $pid, Bench::ops($reads['ops']), $wrong, $errors, $show($during),
            $during === $old ? 'its old value' : ($during === $expectNew ? 'its new value: committed before the stop' : 'NEITHER old ' . $show($old) . ' NOR new'),
            $show($after), $show($expectNew), $stillOdd ? '' : '; the writer was no longer stopped mid-mutation after the reads', $tail),
    ];
}
