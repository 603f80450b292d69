<?php
// Shared by every part of the benchmark: cleanup, forked workers, timing, percentiles, the goal table.

declare(strict_types=1);

final class Bench
{
    public static float $secs = 1.0;
    public static int $runs = 3;
    public static bool $quick = false;
    public static int $parentPid = 0;
    /** @var array<string, Closure> run at exit by the parent, last registered first */
    public static array $cleanups = [];
    /** @var list<string> */
    public static array $notes = [];
    /** @var array<int, int> forked workers still running: killed if the parent exits first (Ctrl-C) */
    public static array $children = [];
    /** @var list<array{id: string, verdict: string, text: string}> */
    public static array $goals = [];
    private static string $tmp = '';

    public static function init(float $secs, int $runs, bool $quick): void
    {
        self::$secs = $secs;
        self::$runs = $runs;
        self::$quick = $quick;
        self::$parentPid = getmypid();
        register_shutdown_function([self::class, 'cleanup']);
        pcntl_async_signals(true);
        foreach ([SIGINT, SIGTERM, SIGHUP] as $sig) {
            pcntl_signal($sig, function (int $sig) { exit(128 + $sig); });
        }
    }

    public static function onExit(string $name, Closure $fn): void
    {
        self::$cleanups[$name] = $fn;
    }

    public static function cleanup(): void
    {
        if (getmypid() !== self::$parentPid) {
            return;                              // a forked worker never removes what the parent made
        }
        foreach (self::$children as $pid) {
            posix_kill($pid, SIGKILL);
            pcntl_waitpid($pid, $status);
        }
        self::$children = [];
        foreach (array_reverse(self::$cleanups) as $name => $fn) {
            try {
                $fn();
            } catch (Throwable $e) {
                fwrite(STDERR, "cleanup of $name failed: " . $e->getMessage() . "\n");
            }
        }
        self::$cleanups = [];
    }

    /** A private temporary directory, removed at exit. */
    public static function tmp(): string
    {
        if (self::$tmp === '') {
            self::$tmp = sys_get_temp_dir() . '/safeshm-bench.' . getmypid();
            @mkdir(self::$tmp, 0700);
            $dir = self::$tmp;
            self::onExit('temporary directory', function () use ($dir) {
                foreach (glob("$dir/*") ?: [] as $f) {
                    @unlink($f);
                }
                @rmdir($dir);
            });
        }
        return self::$tmp;
    }

    /** A fresh SafeShm store under an IPC key of this script, removed at exit. */
    public static function store(string $proj, int $size): SafeShm
    {
        $key = ftok(__DIR__ . '/../compare.php', $proj);
        $s = new SafeShm($key, $size);
        $s->remove();                            // a leftover of an interrupted run (maybe of another size): start empty
        $s = new SafeShm($key, $size);
        self::onExit("SafeShm store '$proj'", function () use ($s) {
            try {
                $s->remove();
            } catch (SafeShmException $e) {
                // removed already
            }
        });
        return $s;
    }

    /**
     * Operations per second of each $items name => [batch closure, args]: the closures run in turns, a batch of
     * about 2 ms each, until each one has had Bench::$secs seconds, so that a noisy moment of the machine
     * hits every store of the case alike; the figure is the median batch. A closure that throws is dropped,
     * its exception returned in $errors.
     * @return array<string, float>
     */
    public static function rates(array $items, ?array &$errors = null): array
    {
        $errors = [];
        $batch = [];
        $perOp = [];
        $spent = [];
        foreach ($items as $name => [$fn, $args]) {
            try {
                $fn(100, ...$args);             // warm-up, and the size of a 2 ms batch
                $t = hrtime(true);
                $fn(100, ...$args);
                $batch[$name] = (int) min(20000, max(10, 2e6 / max(1, (hrtime(true) - $t) / 100)));
                $perOp[$name] = [];
                $spent[$name] = 0;
            } catch (Throwable $e) {
                $errors[$name] = get_class($e) . ': ' . $e->getMessage();
                unset($items[$name]);
            }
        }
        $budget = (int) (self::$secs * 1e9);
        do {
            $left = false;
            foreach ($items as $name => [$fn, $args]) {
                if ($spent[$name] >= $budget) {
                    continue;
                }
                $left = true;
                try {
                    $t = hrtime(true);
                    $fn($batch[$name], ...$args);
                    $d = hrtime(true) - $t;
                } catch (Throwable $e) {
                    $errors[$name] = get_class($e) . ': ' . $e->getMessage();
                    unset($items[$name], $perOp[$name]);
                    continue;
                }
                $spent[$name] += $d;
                $perOp[$name][] = $d / $batch[$name];
            }
        } while ($left);
        $rates = [];
        foreach ($perOp as $name => $ns) {
            sort($ns);
            $rates[$name] = 1e9 / $ns[intdiv(count($ns), 2)];
        }
        return $rates;
    }

    /**
     * Forks $n workers that start $body($index, $startNs) at the same instant; each returns an array,
     * handed back to the parent in order. A worker that dies or exits non-zero gives null; one still
     * running $timeout seconds after the start is killed (and gives null).
     * @return list<?array>
     */
    public static function fork(int $n, Closure $body, float $timeout = 60.0, int $startDelayMs = 0): array
    {
        $dir = self::tmp();
        $start = hrtime(true) + (int) (max($startDelayMs, 50 + 4 * $n) * 1e6); // every fork happens before anyone starts
        $pids = [];
        for ($i = 0; $i < $n; $i++) {
            $pid = pcntl_fork();
            if ($pid === -1) {
                fwrite(STDERR, "pcntl_fork failed\n");
                break;
            }
            if ($pid === 0) {
                pcntl_signal(SIGINT, SIG_DFL);
                pcntl_signal(SIGTERM, SIG_DFL);
                mt_srand($i + 1);
                while (($now = hrtime(true)) < $start) {
                    usleep((int) min(500, max(1, ($start - $now) / 1000)));
                }
                $out = $body($i, $start);
                file_put_contents("$dir/w.$i", serialize($out));
                exit(0);
            }
            $pids[$i] = $pid;
            self::$children[$pid] = $pid;
        }
        $ok = [];
        $deadline = $start + (int) ($timeout * 1e9);
        while ($pids) {
            foreach ($pids as $i => $pid) {
                $r = pcntl_waitpid($pid, $status, WNOHANG);
                if ($r === $pid || $r === -1) {
                    $ok[$i] = $r === $pid && pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0;
                    unset($pids[$i], self::$children[$pid]);
                }
            }
            if ($pids && hrtime(true) > $deadline) {
                foreach ($pids as $pid) {
                    posix_kill($pid, SIGKILL);
                }
                $deadline = PHP_INT_MAX;
            }
            if ($pids) {
                usleep(2000);
            }
        }
        $res = [];
        for ($i = 0; $i < $n; $i++) {
            $raw = @file_get_contents("$dir/w.$i");
            @unlink("$dir/w.$i");
            $res[$i] = ($ok[$i] ?? false) && $raw !== false ? unserialize($raw) : null;
        }
        return $res;
    }

    /** The path of a loaded shared object (e.g. 'safeshm.so'), from this process's memory map. */
    public static function loadedObject(string $basename): ?string
    {
        foreach (file('/proc/self/maps', FILE_IGNORE_NEW_LINES) ?: [] as $line) {
            $path = preg_split('/\s+/', $line, 6)[5] ?? '';
            if ($path !== '' && basename($path) === $basename) {
                return $path;
            }
        }
        return null;
    }

    // -----------------------------------------------------------------------------------------
    // Statistics and formatting.

    /** p50, p99, p99.99 and max of latencies in ns (nearest rank). @return array{n:int,p50:int,p99:int,p9999:int,max:int} */
    public static function percentiles(array $ns): array
    {
        sort($ns);
        $n = count($ns);
        if ($n === 0) {
            return ['n' => 0, 'p50' => 0, 'p99' => 0, 'p9999' => 0, 'max' => 0];
        }
        $at = fn(float $p) => $ns[max(0, (int) ceil($p * $n) - 1)];
        return ['n' => $n, 'p50' => $at(0.50), 'p99' => $at(0.99), 'p9999' => $at(0.9999), 'max' => $ns[$n - 1]];
    }

    /** Keeps the best (lowest) value of every statistic over the runs. */
    public static function bestOf(?array $best, array $run): array
    {
        if ($best === null) {
            return $run;
        }
        foreach ($run as $k => $v) {
            if ($k !== 'n' && is_numeric($v)) {
                $best[$k] = min($best[$k], $v);
            }
        }
        $best['n'] = max($best['n'] ?? 0, $run['n'] ?? 0);
        return $best;
    }

    public static function ns(float $ns): string
    {
        if ($ns >= 1e6) {
            return sprintf('%.2f ms', $ns / 1e6);
        }
        if ($ns >= 1e4) {
            return sprintf('%.1f us', $ns / 1e3);
        }
        if ($ns >= 1e3) {
            return sprintf('%.2f us', $ns / 1e3);
        }
        return sprintf('%.0f ns', $ns);
    }

    public static function ops(float $ops): string
    {
        return number_format($ops, 0, '.', ',');
    }

    public static function pctLine(array $p): string
    {
        return sprintf('p50 %s  p99 %s  p99.99 %s  max %s  (%s samples)',
            self::ns($p['p50']), self::ns($p['p99']), self::ns($p['p9999']), self::ns($p['max']), self::ops($p['n']));
    }

    /**
     * Records a goal: $ok true/false gives PASS/FAIL, null INFO (a figure with no goal), 'SKIP' or 'ERROR'
     * a case that could not be measured. $text carries the figures, the peer's and the goal.
     */
    public static function goal(string $id, bool|string|null $ok, string $text): void
    {
        $verdict = match (true) {
            $ok === true => 'PASS',
            $ok === false => 'FAIL',
            $ok === null => 'INFO',
            default => $ok,
        };
        self::$goals[] = ['id' => $id, 'verdict' => $verdict, 'text' => $text];
    }

    public static function section(string $title): void
    {
        echo "== $title\n";
    }

    public static function progress(string $what): void
    {
        static $t0 = null;
        $t0 ??= hrtime(true);
        fprintf(STDERR, "  %6.1f s  %s\n", (hrtime(true) - $t0) / 1e9, $what);
    }
}
