<?php
// SafeShm against the stores a PHP user would otherwise pick, measured in one run so that the ratios are fair.
//
// usage: php -d extension=modules/safeshm.so -d apc.enable_cli=1 bench/compare.php [seconds-per-case] [runs]
//   seconds-per-case  default 1
//   runs              default 3; every case keeps its best run, because shared machines are noisy
//
// Cases: one process getting and putting the ~70-byte JSON string and a 20-element array, then 8 forked
// processes doing 90 % get / 10 % put over 100 keys (the shape of shared/peers/contention.php).
// Peers are measured when loaded: sysvshm+sysvsem, shmop+sysvsem, APCu (needs apc.enable_cli=1 on the
// CLI) and Yac (needs yac.enable_cli=1). At the end the two floors of issue #2 are checked against the
// measured numbers. Exit status: 0 when no floor failed, 1 when one did.
//
// Every IPC object made here is removed on exit, on Ctrl-C too.

declare(strict_types=1);

ini_set('display_errors', 'stderr');     // Debian's CLI php.ini hides errors: a failure here must not be silent

const SEGMENT_SIZE = 1 << 20;
const MIX_PROCS = 8;
const MIX_KEYS = 100;
const SHMOP_SLOT = 4096;

$secs = (float)($argv[1] ?? 1);
$runs = (int)($argv[2] ?? 3);
if ($secs <= 0 || $runs < 1) {
    fwrite(STDERR, "usage: php bench/compare.php [seconds-per-case > 0] [runs >= 1]\n");
    exit(2);
}
foreach (['pcntl_fork', 'ftok'] as $fn) {
    if (!function_exists($fn)) {
        fwrite(STDERR, "bench/compare.php needs $fn() (pcntl and sysvsem/sysvshm or shmop on the CLI)\n");
        exit(2);
    }
}

// The value of shared/peers/single.php and contention.php, the issue's "70-byte" JSON string (69 bytes exactly).
$small = json_encode(['zmq' => ['host' => '19.168.1.100', 'port' => '8899', 'createTime' => 1542110838]]);
// A 20-element array of mixed scalar types, stored with PHP's serializer by every store.
$array = [];
for ($i = 0; $i < 20; $i++) {
    $array["field$i"] = match ($i % 4) { 0 => $i * 1000, 1 => "value-$i", 2 => $i / 4, 3 => $i % 8 === 3 };
}
$mixKeys = [];
for ($k = 0; $k < MIX_KEYS; $k++) {
    $mixKeys[$k] = "k$k";
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: the parent removes everything it created; forked workers never do.

$parentPid = getmypid();
$cleanups = [];
register_shutdown_function(function () use (&$cleanups, $parentPid) {
    if (getmypid() !== $parentPid) {
        return;
    }
    foreach (array_reverse($cleanups) as $name => $fn) {
        try {
            $fn();
        } catch (Throwable $e) {
            fwrite(STDERR, "cleanup of $name failed: " . $e->getMessage() . "\n");
        }
    }
    $cleanups = [];
});
pcntl_async_signals(true);
foreach ([SIGINT, SIGTERM] as $sig) {
    pcntl_signal($sig, function (int $sig) { exit(128 + $sig); });
}

// ---------------------------------------------------------------------------------------------------------
// Stores. Each one runs its operations in batches inside one closure, so that the per-operation cost
// measured is the store's own call and not a PHP closure call around it.
//   get(n, key): n reads of the one key;   put(n, key, value): n writes of it
//   mix(n, keys, value): n operations, 1 in 10 a put, on random keys; returns the number of wrong reads
// A single-process key is 'k' (sysvshm: 1, shmop: slot 0); mix keys are 0..99.

/** @return array<string, array> */
function open_stores(array &$cleanups, array &$notes): array
{
    $stores = [];

    if (class_exists('SafeShm')) {
        try {
            $key = ftok(__FILE__, 's');
            $s = new SafeShm($key, SEGMENT_SIZE);
            $s->remove();                       // a leftover of an interrupted run: start from a fresh store
            $s = new SafeShm($key, SEGMENT_SIZE);
            $cleanups['SafeShm'] = function () use ($s) { $s->remove(); };
            $stores['SafeShm'] = [
                'get' => function (int $n) use ($s) { for ($i = 0; $i < $n; $i++) { $v = $s->get('k'); } return $v; },
                'put' => function (int $n, mixed $val) use ($s) { for ($i = 0; $i < $n; $i++) { $s->put('k', $val); } },
                'seed' => function (array $keys, mixed $val) use ($s) { foreach ($keys as $k) { $s->put($k, $val); } },
                'mix' => function (int $n, array $keys, mixed $val) use ($s): int {
                    $bad = 0;
                    for ($i = 0; $i < $n; $i++) {
                        $k = $keys[mt_rand(0, MIX_KEYS - 1)];
                        if ($i % 10 === 0) { $s->put($k, $val); } elseif ($s->get($k) !== $val) { $bad++; }
                    }
                    return $bad;
                },
            ];
        } catch (Throwable $e) {
            $notes[] = 'SafeShm: cannot open a store: ' . get_class($e) . ': ' . $e->getMessage();
        }
    } else {
        $notes[] = 'SafeShm is not loaded: add -d extension=modules/safeshm.so (peers only, no ratios)';
    }

    if (function_exists('shm_attach') && function_exists('sem_get')) {
        $key = ftok(__FILE__, 'v');
        $shm = shm_attach($key, SEGMENT_SIZE, 0600);
        shm_remove($shm);                       // drop a leftover segment, which may have another size
        $shm = shm_attach($key, SEGMENT_SIZE, 0600);
        $sem = sem_get($key, 1, 0600, true);
        $cleanups['sysvshm+sysvsem'] = function () use ($shm, $sem) { shm_remove($shm); sem_remove($sem); };
        $stores['sysvshm+sysvsem'] = [
            'get' => function (int $n) use ($shm, $sem) {
                for ($i = 0; $i < $n; $i++) { sem_acquire($sem); $v = shm_get_var($shm, 1); sem_release($sem); }
                return $v;
            },
            'put' => function (int $n, mixed $val) use ($shm, $sem) {
                for ($i = 0; $i < $n; $i++) { sem_acquire($sem); shm_put_var($shm, 1, $val); sem_release($sem); }
            },
            'seed' => function (array $keys, mixed $val) use ($shm) { foreach ($keys as $k => $_) { shm_put_var($shm, $k, $val); } },
            'mix' => function (int $n, array $keys, mixed $val) use ($shm, $sem): int {
                $bad = 0;
                for ($i = 0; $i < $n; $i++) {
                    $k = mt_rand(0, MIX_KEYS - 1);
                    sem_acquire($sem);
                    if ($i % 10 === 0) { shm_put_var($shm, $k, $val); $v = $val; } else { $v = shm_get_var($shm, $k); }
                    sem_release($sem);
                    if ($v !== $val) { $bad++; }
                }
                return $bad;
            },
        ];
    } else {
        $notes[] = 'sysvshm+sysvsem: not loaded';
    }

    if (function_exists('shmop_open') && function_exists('sem_get')) {
        // shmop has no keys: fixed slots of SHMOP_SLOT bytes, each a 4-byte length and serialize()d bytes,
        // read and written under a sysvsem semaphore.
        $key = ftok(__FILE__, 'o');
        $old = @shmop_open($key, 'w', 0, 0);
        if ($old !== false) {
            shmop_delete($old);
        }
        $sh = shmop_open($key, 'c', 0600, SEGMENT_SIZE);
        $sem = sem_get($key, 1, 0600, true);
        $cleanups['shmop+sysvsem'] = function () use ($sh, $sem) { shmop_delete($sh); sem_remove($sem); };
        $read = function (int $slot) use ($sh) {
            $off = $slot * SHMOP_SLOT;
            return unserialize(shmop_read($sh, $off + 4, unpack('N', shmop_read($sh, $off, 4))[1]));
        };
        $stores['shmop+sysvsem'] = [
            'get' => function (int $n) use ($sh, $sem) {
                for ($i = 0; $i < $n; $i++) {
                    sem_acquire($sem);
                    $v = unserialize(shmop_read($sh, 4, unpack('N', shmop_read($sh, 0, 4))[1]));
                    sem_release($sem);
                }
                return $v;
            },
            'put' => function (int $n, mixed $val) use ($sh, $sem) {
                for ($i = 0; $i < $n; $i++) {
                    $s = serialize($val);
                    sem_acquire($sem);
                    shmop_write($sh, pack('N', strlen($s)) . $s, 0);
                    sem_release($sem);
                }
            },
            'seed' => function (array $keys, mixed $val) use ($sh) {
                $s = serialize($val);
                foreach ($keys as $k => $_) { shmop_write($sh, pack('N', strlen($s)) . $s, $k * SHMOP_SLOT); }
            },
            'mix' => function (int $n, array $keys, mixed $val) use ($sh, $sem): int {
                $bad = 0;
                for ($i = 0; $i < $n; $i++) {
                    $off = mt_rand(0, MIX_KEYS - 1) * SHMOP_SLOT;
                    if ($i % 10 === 0) {
                        $s = serialize($val);
                        sem_acquire($sem);
                        shmop_write($sh, pack('N', strlen($s)) . $s, $off);
                        sem_release($sem);
                    } else {
                        sem_acquire($sem);
                        $v = unserialize(shmop_read($sh, $off + 4, unpack('N', shmop_read($sh, $off, 4))[1]));
                        sem_release($sem);
                        if ($v !== $val) { $bad++; }
                    }
                }
                return $bad;
            },
        ];
    } else {
        $notes[] = 'shmop+sysvsem: not loaded';
    }

    if (function_exists('apcu_fetch')) {
        if (apcu_enabled()) {
            $cleanups['APCu'] = function () { apcu_clear_cache(); };
            $stores['APCu'] = [
                'get' => function (int $n) { for ($i = 0; $i < $n; $i++) { $v = apcu_fetch('k'); } return $v; },
                'put' => function (int $n, mixed $val) { for ($i = 0; $i < $n; $i++) { apcu_store('k', $val); } },
                'seed' => function (array $keys, mixed $val) { foreach ($keys as $k) { apcu_store($k, $val); } },
                'mix' => function (int $n, array $keys, mixed $val): int {
                    $bad = 0;
                    for ($i = 0; $i < $n; $i++) {
                        $k = $keys[mt_rand(0, MIX_KEYS - 1)];
                        if ($i % 10 === 0) { apcu_store($k, $val); } elseif (apcu_fetch($k) !== $val) { $bad++; }
                    }
                    return $bad;
                },
            ];
        } else {
            $notes[] = 'APCu is loaded but disabled on the CLI: add -d apc.enable_cli=1';
        }
    } else {
        $notes[] = 'APCu: not loaded';
    }

    if (class_exists('Yac')) {
        $y = new Yac('bench_');
        if ($y->set('probe', 1) && $y->get('probe') === 1) {
            $cleanups['Yac'] = function () use ($y) { $y->flush(); };
            $stores['Yac'] = [
                'get' => function (int $n) use ($y) { for ($i = 0; $i < $n; $i++) { $v = $y->get('k'); } return $v; },
                'put' => function (int $n, mixed $val) use ($y) { for ($i = 0; $i < $n; $i++) { $y->set('k', $val); } },
                'seed' => function (array $keys, mixed $val) use ($y) { foreach ($keys as $k) { $y->set($k, $val); } },
                'mix' => function (int $n, array $keys, mixed $val) use ($y): int {
                    $bad = 0;
                    for ($i = 0; $i < $n; $i++) {
                        $k = $keys[mt_rand(0, MIX_KEYS - 1)];
                        if ($i % 10 === 0) { $y->set($k, $val); } elseif ($y->get($k) !== $val) { $bad++; }
                    }
                    return $bad;
                },
            ];
        } else {
            $notes[] = 'Yac is loaded but disabled on the CLI: add -d yac.enable_cli=1';
        }
    }

    return $stores;
}

// ---------------------------------------------------------------------------------------------------------
// Measurement.

/** Runs $batch in batches of 1000 for $secs seconds; returns operations per second. */
function measure(Closure $batch, float $secs, mixed ...$args): float
{
    $batch(100, ...$args);                      // warm-up
    $n = 0;
    $t0 = hrtime(true);
    $end = $t0 + (int)($secs * 1e9);
    do {
        $batch(1000, ...$args);
        $n += 1000;
    } while (hrtime(true) < $end);
    return $n / ((hrtime(true) - $t0) / 1e9);
}

/**
 * MIX_PROCS forked workers start at the same instant and run the mix for $secs seconds.
 * @return array{ops: float, bad: int, crashed: int}
 */
function measure_mix(Closure $mix, float $secs, array $keys, string $val): array
{
    $dir = sys_get_temp_dir() . '/safeshm-bench.' . getmypid();
    @mkdir($dir, 0700);
    $start = hrtime(true) + 100_000_000;        // time for every fork to happen before anyone starts
    $stop = $start + (int)($secs * 1e9);
    $pids = [];
    for ($p = 0; $p < MIX_PROCS; $p++) {
        $pid = pcntl_fork();
        if ($pid === -1) {
            fwrite(STDERR, "pcntl_fork failed\n");
            break;
        }
        if ($pid === 0) {
            mt_srand($p + 1);
            while (hrtime(true) < $start) {
                usleep(200);
            }
            $n = 0;
            $bad = 0;
            do {
                $bad += $mix(200, $keys, $val);
                $n += 200;
            } while (($now = hrtime(true)) < $stop);
            file_put_contents("$dir/$p", "$n $bad $now");
            exit(0);
        }
        $pids[$p] = $pid;
    }
    $crashed = 0;
    $deadline = $stop + 30_000_000_000;         // a worker stuck 30 s past the end is killed and counted
    while ($pids) {
        foreach ($pids as $p => $pid) {
            $r = pcntl_waitpid($pid, $status, WNOHANG);
            if ($r === $pid || $r === -1) {
                if ($r === -1 || pcntl_wifsignaled($status) || pcntl_wexitstatus($status) !== 0) {
                    $crashed++;
                }
                unset($pids[$p]);
            }
        }
        if ($pids && hrtime(true) > $deadline) {
            foreach ($pids as $pid) {
                posix_kill($pid, SIGKILL);
            }
            $deadline = PHP_INT_MAX;
        }
        if ($pids) {
            usleep(10_000);
        }
    }
    $ops = 0;
    $bad = 0;
    $last = $stop;
    for ($p = 0; $p < MIX_PROCS; $p++) {
        $line = @file_get_contents("$dir/$p");
        @unlink("$dir/$p");
        if ($line === false) {
            continue;
        }
        [$n, $b, $end] = array_map('intval', explode(' ', $line));
        $ops += $n;
        $bad += $b;
        $last = max($last, $end);
    }
    @rmdir($dir);
    return ['ops' => $ops / (($last - $start) / 1e9), 'bad' => $bad, 'crashed' => $crashed];
}

// ---------------------------------------------------------------------------------------------------------
// Run: every run goes through every case and store, so that a noisy moment hurts one run, not one store.

$notes = [];
$stores = open_stores($cleanups, $notes);
if (!$stores) {
    fwrite(STDERR, "no store to measure\n" . implode("\n", $notes) . "\n");
    exit(2);
}

$sl = strlen($small);
$cases = [
    'get-string' => ["get, {$sl}-byte JSON string, 1 process", 'get', $small],
    'put-string' => ["put, {$sl}-byte JSON string, 1 process", 'put', $small],
    'get-array'  => ['get, 20-element array, 1 process', 'get', $array],
    'put-array'  => ['put, 20-element array, 1 process', 'put', $array],
    'mix'        => [sprintf('%d processes, 90 %% get / 10 %% put over %d keys (%d-byte string)', MIX_PROCS, MIX_KEYS, $sl), 'mix', $small],
];

// What every store returns must be the value stored, or its numbers mean nothing.
$check = [];
foreach ($stores as $name => $st) {
    foreach (['string' => $small, 'array' => $array] as $what => $val) {
        $st['put'](1, $val);
        $check[$name][$what] = $st['get'](1) === $val ? 'ok' : 'WRONG VALUE';
    }
}

printf("SafeShm benchmark: PHP %s, %d CPUs, %s s per case, best of %d run%s\n",
    PHP_VERSION, (int)trim((string)@shell_exec('nproc')), rtrim(rtrim(sprintf('%.2f', $secs), '0'), '.'), $runs, $runs > 1 ? 's' : '');
printf("Stores: %s (SafeShm with safeshm.lock=%s)\n", implode(", ", array_keys($stores)), ini_get("safeshm.lock"));
foreach ($notes as $note) {
    echo "  note: $note\n";
}
echo "\n";

$best = [];
$mixBad = [];
$mixCrashed = [];
for ($r = 1; $r <= $runs; $r++) {
    fprintf(STDERR, "run %d/%d ...\n", $r, $runs);
    foreach ($cases as $cid => [, $op, $val]) {
        foreach ($stores as $name => $st) {
            if ($op === 'mix') {
                $st['seed']($mixKeys, $val);
                $res = measure_mix($st['mix'], $secs, $mixKeys, $val);
                $ops = $res['ops'];
                $mixBad[$name] = ($mixBad[$name] ?? 0) + $res['bad'];
                $mixCrashed[$name] = ($mixCrashed[$name] ?? 0) + $res['crashed'];
            } else {
                $st['put'](1, $val);
                $ops = $op === 'get' ? measure($st['get'], $secs) : measure($st['put'], $secs, $val);
            }
            $best[$cid][$name] = max($best[$cid][$name] ?? 0.0, $ops);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Report.

function fmt_ops(float $ops): string
{
    return number_format($ops, 0, '.', ',');
}

$hasSafe = isset($stores['SafeShm']);
foreach ($cases as $cid => [$title, $op]) {
    echo "== $title\n";
    printf("   %-17s %14s %10s %13s   %s\n", 'store', 'ops/s', 'ns/op', 'SafeShm/peer', 'check');
    foreach ($best[$cid] as $name => $ops) {
        if ($op === 'mix') {
            $nsop = '-';  // many processes at once: ns per operation is not one call's cost
            $chk = number_format($mixBad[$name]) . ' wrong reads' . ($mixCrashed[$name] ? sprintf(', %d workers crashed', $mixCrashed[$name]) : '');
        } else {
            $nsop = number_format(1e9 / $ops, 0);
            $chk = $check[$name][str_ends_with($cid, 'string') ? 'string' : 'array'];
        }
        $ratio = $name === 'SafeShm' ? '' : ($hasSafe ? sprintf('%.2fx', $best[$cid]['SafeShm'] / $ops) : 'n/a');
        printf("   %-17s %14s %10s %13s   %s\n", $name, fmt_ops($ops), $nsop, $ratio, $chk);
    }
    echo "\n";
}
echo "SafeShm/peer > 1 means SafeShm is faster. ns/op = 1e9 / (ops/s) of one process.\n\n";

// The floors of issue #2, from the numbers above.
echo "Floor checks (issue #2): small-string get and put at most 3x APCu's ns/op; 8-process mix at least 5x sysvshm+sysvsem\n";
$failed = false;
$line = function (bool $ok, string $text) use (&$failed) {
    $failed = $failed || !$ok;
    printf("  %s  %s\n", $ok ? 'PASS' : 'FAIL', $text);
};
foreach (['get-string' => 'get', 'put-string' => 'put'] as $cid => $op) {
    if (!$hasSafe || !isset($best[$cid]['APCu'])) {
        printf("  SKIP  1-process small-string %s vs APCu: %s not measured\n", $op, $hasSafe ? 'APCu' : 'SafeShm');
        continue;
    }
    $ns = 1e9 / $best[$cid]['SafeShm'];
    $apcu = 1e9 / $best[$cid]['APCu'];
    $line($ns <= 3 * $apcu && $check['SafeShm']['string'] === 'ok', sprintf(
        "1-process small-string %s: SafeShm %.0f ns/op, limit 3 x APCu %.0f ns/op = %.0f ns/op (SafeShm takes %.2fx APCu's time)",
        $op, $ns, $apcu, 3 * $apcu, $ns / $apcu));
}
if (!$hasSafe || !isset($best['mix']['sysvshm+sysvsem'])) {
    printf("  SKIP  %d-process mix vs sysvshm+sysvsem: %s not measured\n", MIX_PROCS, $hasSafe ? 'sysvshm+sysvsem' : 'SafeShm');
} else {
    $safe = $best['mix']['SafeShm'];
    $sysv = $best['mix']['sysvshm+sysvsem'];
    $line($safe >= 5 * $sysv && $mixBad['SafeShm'] === 0 && $mixCrashed['SafeShm'] === 0, sprintf(
        "%d-process mix: SafeShm %s ops/s, floor 5 x sysvshm+sysvsem %s ops/s = %s ops/s (SafeShm does %.1fx; %d wrong reads, %d crashed)",
        MIX_PROCS, fmt_ops($safe), fmt_ops($sysv), fmt_ops(5 * $sysv), $safe / $sysv, $mixBad['SafeShm'], $mixCrashed['SafeShm']));
}
exit($failed ? 1 : 0);
