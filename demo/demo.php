<?php
// The production scenario SafeShm was written for: several PHP workers rewrite and read one small JSON value in
// shared memory at the same time (a config or service address that any request may refresh).
//
// usage: php -d extension=modules/safeshm.so demo/demo.php [seconds-per-store] [workers]
//   defaults: 3 seconds, 8 workers
//
// Runs the scenario with SafeShm, then, when PHP's sysvshm extension is loaded, with the two ways people use
// sysvshm today: shm_put_var/shm_get_var with no lock, and the same calls wrapped in sem_acquire/sem_release.
// Every shared-memory segment and semaphore made here is removed at the end.

declare(strict_types=1);

ini_set('display_errors', 'stderr');     // Debian's CLI php.ini hides errors: a failure here must not be silent

$secs = (float)($argv[1] ?? 3);
$workers = (int)($argv[2] ?? 8);
if ($secs <= 0 || $workers < 1) {
    fwrite(STDERR, "usage: php demo/demo.php [seconds > 0] [workers >= 1]\n");
    exit(2);
}
if (!function_exists('pcntl_fork')) {
    fwrite(STDERR, "The demo forks workers: it needs PHP's pcntl extension on the CLI.\n");
    exit(2);
}

$payload = json_encode(['zmq' => ['host' => '19.168.1.100', 'port' => '8899', 'createTime' => 1542110838]]);
const SYSV_SIZE = 10000;

$parentPid = getmypid();
$cleanups = [];
register_shutdown_function(function () use (&$cleanups, $parentPid) {
    if (getmypid() === $parentPid) {
        foreach ($cleanups as $fn) {
            try { $fn(); } catch (Throwable) { /* already gone */ }
        }
        $cleanups = [];
    }
});
pcntl_async_signals(true);
foreach ([SIGINT, SIGTERM] as $sig) {
    pcntl_signal($sig, function (int $sig) { exit(128 + $sig); });
}

/**
 * Forks the workers; each one loops "write the value, read it back" until the time is up.
 * $open runs in the worker and returns [write(string), read(): mixed]; a write that returns false, a warning
 * and an exception each count as an error, a read that is not the value written counts as a wrong read. Workers save their counts as they go,
 * so that a worker that crashes still shows what it did before.
 * @return array{ops: int, errors: int, wrong: int, crashed: int, signals: array<string>, hung: int, exited: int, elapsed: float}
 */
function run_scenario(Closure $open, int $workers, float $secs, string $payload): array
{
    $dir = sys_get_temp_dir() . '/safeshm-demo.' . getmypid();
    @mkdir($dir, 0700);
    $t0 = hrtime(true);
    $pids = [];
    for ($w = 0; $w < $workers; $w++) {
        $pid = pcntl_fork();
        if ($pid === -1) {
            fwrite(STDERR, "fork failed\n");
            break;
        }
        if ($pid === 0) {
            $ops = $errors = $wrong = 0;
            set_error_handler(function () use (&$errors) { $errors++; return true; });
            $save = function () use ($dir, $w, &$ops, &$errors, &$wrong) { file_put_contents("$dir/$w", "$ops $errors $wrong"); };
            try {
                [$write, $read] = $open();
            } catch (Throwable) {
                $errors++;
                $save();
                exit(1);
            }
            $end = hrtime(true) + (int)($secs * 1e9);
            $nextSave = 0;
            while (($now = hrtime(true)) < $end) {
                if ($now >= $nextSave) {
                    $save();
                    $nextSave = $now + 200_000_000;
                }
                for ($i = 0; $i < 64; $i++) {
                    $ops++;
                    try {
                        if ($write($payload) === false) {
                            $errors++;
                        }
                        if ($read() !== $payload) {
                            $wrong++;
                        }
                    } catch (Throwable) {
                        $errors++;
                    }
                }
            }
            $save();
            exit(0);
        }
        $pids[$w] = $pid;
    }

    $res = ['ops' => 0, 'errors' => 0, 'wrong' => 0, 'crashed' => 0, 'signals' => [], 'hung' => 0, 'exited' => 0];
    $deadline = hrtime(true) + (int)(($secs + 20) * 1e9);
    while ($pids) {
        foreach ($pids as $w => $pid) {
            if (pcntl_waitpid($pid, $status, WNOHANG) !== $pid) {
                continue;
            }
            unset($pids[$w]);
            if (pcntl_wifsignaled($status)) {
                $res['crashed']++;
                $sig = pcntl_wtermsig($status);
                $res['signals'][] = signal_name($sig);
            } elseif (pcntl_wexitstatus($status) !== 0) {
                $res['exited']++;
            }
        }
        if ($pids && hrtime(true) > $deadline) {
            // A worker still running 20 s after the end is stuck: kill it and say so.
            foreach ($pids as $pid) {
                posix_kill($pid, SIGKILL);
                pcntl_waitpid($pid, $status);
                $res['hung']++;
            }
            $pids = [];
        }
        usleep(20_000);
    }
    $res['elapsed'] = (hrtime(true) - $t0) / 1e9;
    for ($w = 0; $w < $workers; $w++) {
        $line = @file_get_contents("$dir/$w");
        @unlink("$dir/$w");
        if ($line) {
            [$o, $e, $b] = array_map('intval', explode(' ', $line));
            $res['ops'] += $o;
            $res['errors'] += $e;
            $res['wrong'] += $b;
        }
    }
    @rmdir($dir);
    return $res;
}

function signal_name(int $sig): string
{
    foreach (['SIGSEGV', 'SIGBUS', 'SIGABRT', 'SIGKILL', 'SIGFPE', 'SIGILL', 'SIGTERM', 'SIGINT'] as $name) {
        if (defined($name) && constant($name) === $sig) {
            return $name;
        }
    }
    return "signal $sig";
}

// ---------------------------------------------------------------------------------------------------------

$stores = [];     // label => [open-in-worker closure, one-line description]

if (class_exists('SafeShm')) {
    $key = ftok(__FILE__, 'a');
    $s = new SafeShm($key);
    $s->remove();                                   // a leftover of an interrupted run: start fresh
    $safe = new SafeShm($key);
    $cleanups[] = fn () => $safe->remove();
    $safe->put('config', $payload);
    $usedBefore = $safe->info()['used'];
    $stores['SafeShm'] = [
        function () use ($key) {
            $s = new SafeShm($key);                 // each worker attaches, as a php-fpm request would
            return [fn ($v) => $s->put('config', $v), fn () => $s->get('config')];
        },
        'put() and get(); SafeShm does its own locking',
    ];
} else {
    echo "SafeShm is not loaded: run with -d extension=modules/safeshm.so to see it.\n\n";
}

if (function_exists('shm_attach')) {
    foreach (['sysvshm, no lock' => 'b', 'sysvshm + semaphore' => 'c'] as $label => $proj) {
        $key = ftok(__FILE__, $proj);
        $shm = shm_attach($key, SYSV_SIZE, 0644);
        shm_remove($shm);                           // start from a fresh segment
        $shm = shm_attach($key, SYSV_SIZE, 0644);
        shm_put_var($shm, 1, $payload);
        $cleanups[] = fn () => shm_remove($shm);    // the parent's handle still works after workers broke the segment
        $locked = $proj === 'c';
        if ($locked) {
            $sem = sem_get($key, 1, 0644, true);
            $cleanups[] = fn () => sem_remove($sem);
        }
        $stores[$label] = [
            function () use ($key, $locked) {
                $shm = shm_attach($key, SYSV_SIZE, 0644);
                if (!$locked) {
                    return [
                        fn ($v) => shm_put_var($shm, 1, $v),
                        fn () => shm_get_var($shm, 1),
                    ];
                }
                $sem = sem_get($key, 1, 0644, true);
                return [
                    function ($v) use ($shm, $sem) {
                        sem_acquire($sem);
                        try { return shm_put_var($shm, 1, $v); } finally { sem_release($sem); }
                    },
                    function () use ($shm, $sem) {
                        sem_acquire($sem);
                        try { return shm_get_var($shm, 1); } finally { sem_release($sem); }
                    },
                ];
            },
            $locked ? 'sem_acquire(); shm_put_var()/shm_get_var(); sem_release()' : 'shm_put_var()/shm_get_var() with no lock',
        ];
    }
} else {
    echo "PHP's sysvshm extension is not loaded: only SafeShm is shown.\n\n";
}

if (!$stores) {
    fwrite(STDERR, "Nothing to run: load the safeshm extension (-d extension=modules/safeshm.so).\n");
    exit(2);
}

printf("%d workers each write one %d-byte JSON value and read it back, over and over, for %s s per store.\n"
    . "One operation below is one write plus one read.\n\n",
    $workers, strlen($payload), rtrim(rtrim(sprintf('%.1f', $secs), '0'), '.'));
$results = [];
foreach ($stores as $label => [$open, $how]) {
    printf("  running %-20s (%s) ...\n", $label, $how);
    $results[$label] = run_scenario($open, $workers, $secs, $payload);
}

echo "\n";
$fmt = "%-20s %12s %12s %12s %12s   %s\n";
printf($fmt, 'store', 'operations', 'per second', 'errors', 'wrong reads', 'crashed workers');
printf($fmt, str_repeat('-', 20), str_repeat('-', 12), str_repeat('-', 12), str_repeat('-', 12), str_repeat('-', 12), str_repeat('-', 16));
foreach ($results as $label => $r) {
    $crash = "{$r['crashed']} of $workers";
    if ($r['signals']) {
        $counts = array_count_values($r['signals']);
        $crash .= ' (' . implode(', ', array_map(fn ($s, $n) => "$n x $s", array_keys($counts), $counts)) . ')';
    }
    printf($fmt, $label, number_format($r['ops']), number_format($r['ops'] / $secs), number_format($r['errors']),
        number_format($r['wrong']), $crash);
}
echo "\n";

foreach ($results as $label => $r) {
    $bad = [];
    if ($r['errors']) { $bad[] = number_format($r['errors']) . ' errors or warnings'; }
    if ($r['wrong']) { $bad[] = number_format($r['wrong']) . ' reads that did not return the value written'; }
    if ($r['crashed']) { $bad[] = "{$r['crashed']} workers killed by a signal"; }
    if ($r['exited']) { $bad[] = "{$r['exited']} workers that exited with an error"; }
    if ($r['hung']) { $bad[] = "{$r['hung']} workers stuck and killed"; }
    printf("%-20s %s\n", "$label:", $bad ? 'BROKEN: ' . implode(', ', $bad) . '.' : 'correct: every read returned the value written.');
}
if (isset($safe)) {
    try {
        $usedAfter = $safe->info()['used'];
        printf("\nSafeShm bytes in use: %s before, %s after %s rewrites of the same key (%s).\n",
            number_format($usedBefore), number_format($usedAfter), number_format($results['SafeShm']['ops']),
            $usedAfter === $usedBefore ? 'no growth' : 'it grew');
    } catch (Throwable $e) {
        echo "\nSafeShm info() failed: ", $e->getMessage(), "\n";
    }
}
if (isset($results['sysvshm + semaphore'], $results['SafeShm']) && $results['sysvshm + semaphore']['ops'] > 0) {
    printf("SafeShm did %.1fx the work of sysvshm + semaphore in the same time.\n",
        $results['SafeShm']['ops'] / $results['sysvshm + semaphore']['ops']);
}
