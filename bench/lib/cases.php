<?php
// Cases measured by forked processes or child programs: the multi-process mixes (issue #10 goal 5), capacity in
// tiny counters (goal 4), system calls under strace (goal 1) and the stampede (issue #11).

declare(strict_types=1);

/**
 * $procs forked workers start at the same instant and run $mix for Bench::$secs seconds; every $every-th
 * operation of each is a put.
 * @return array{ops: float, bad: int, crashed: int}
 */
function measure_mix(Closure $mix, int $procs, int $every, array $keys, string $val): array
{
    $secs = Bench::$secs;
    $res = Bench::fork($procs, function (int $p, int $start) use ($mix, $every, $keys, $val, $secs) {
        $stop = $start + (int) ($secs * 1e9);
        $n = 0;
        $bad = 0;
        do {
            $bad += $mix(200, $keys, $val, $every);
            $n += 200;
        } while (($now = hrtime(true)) < $stop);
        return ['n' => $n, 'bad' => $bad, 'start' => $start, 'end' => $now];
    }, 30 + 2 * $secs);
    $ops = 0;
    $bad = 0;
    $crashed = 0;
    $start = null;
    $last = 0;
    foreach ($res as $r) {
        if ($r === null) {
            $crashed++;
            continue;
        }
        $ops += $r['n'];
        $bad += $r['bad'];
        $start = $r['start'];
        $last = max($last, $r['end']);
    }
    return ['ops' => $start === null ? 0.0 : $ops / (($last - $start) / 1e9), 'bad' => $bad, 'crashed' => $crashed];
}

/** How many int counters with 10-byte keys a new SafeShm store of $mib MiB takes before SafeShmFullException. */
function safeshm_capacity(int $mib): int
{
    $s = Bench::store('c', $mib << 20);
    $n = 0;
    try {
        while (true) {
            $s->put(sprintf('c%09d', $n), $n);
            $n++;
        }
    } catch (SafeShmFullException $e) {
        // the answer
    }
    $s->remove();
    return $n;
}

/** APCu's counters per MiB: the shared memory that 20 000 such counters take from its allocator. */
function apcu_counters_per_mib(): ?float
{
    if (!function_exists('apcu_sma_info') || !apcu_enabled()) {
        return null;
    }
    $n = 20_000;
    $before = apcu_sma_info(true)['avail_mem'];
    for ($i = 0; $i < $n; $i++) {
        apcu_store(sprintf('C%09d', $i), $i);
    }
    $used = $before - apcu_sma_info(true)['avail_mem'];
    for ($i = 0; $i < $n; $i++) {
        apcu_delete(sprintf('C%09d', $i));
    }
    return $used > 0 ? $n / ($used / 1048576) : null;
}

/**
 * System calls of bench/syscall_loop.php with $n iterations under `strace -f -c`, loading only $ini.
 * @return ?int the "total" calls, null when strace or the child failed
 */
function strace_calls(string $strace, array $ini, string $store, int $ipcKey, int $n, ?string &$err): ?int
{
    $out = Bench::tmp() . "/strace.$store.$n";
    $cmd = array_merge([$strace, '-f', '-c', '-o', $out, PHP_BINARY, '-n'], $ini,
        [__DIR__ . '/../syscall_loop.php', $store, (string) $ipcKey, (string) $n]);
    $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    if (!is_resource($proc)) {
        $err = 'strace did not start';
        return null;
    }
    $stdout = stream_get_contents($pipes[1]);
    $stderr = stream_get_contents($pipes[2]);
    $rc = proc_close($proc);
    $calls = null;
    foreach (file($out, FILE_IGNORE_NEW_LINES) ?: [] as $line) {
        $f = preg_split('/\s+/', trim($line));
        if (end($f) === 'total' && isset($f[3])) {
            $calls = (int) $f[3];
        }
    }
    @unlink($out);
    if ($rc !== 0 || $calls === null || trim($stdout) !== (string) $n) {
        $err = "exit $rc, printed '" . trim($stdout) . "'" . ($stderr !== '' ? ': ' . trim($stderr) : '');
        return null;
    }
    return $calls;
}

/**
 * Issue #11's stampede: $procs processes ask at the same instant for one missing key whose computation takes
 * 100 ms. $variant: remember (SafeShm), entry (APCu apcu_entry), poll (SafeShm add() as a lock, the others
 * polling every 10 ms, as code without single-flight does).
 * @return array{computes: int, wall: float, wrong: int, crashed: int, error: string}
 */
function stampede(string $variant, SafeShm $s, int $procs, string $tag): array
{
    $key = "stampede:$variant:$tag";
    $file = Bench::tmp() . "/computes.$variant.$tag";
    file_put_contents($file, '');
    $val = 'computed by ' . $variant;
    $compute = function () use ($file, $val) {
        file_put_contents($file, '.', FILE_APPEND);
        usleep(100_000);
        return $val;
    };
    $res = Bench::fork($procs, function (int $p, int $start) use ($variant, $s, $key, $compute) {
        try {
            $v = match ($variant) {
                'remember' => $s->remember($key, $compute, 60),
                'entry' => apcu_entry($key, fn($k) => $compute(), 60),
                'poll' => (function () use ($s, $key, $compute) {
                    while (true) {
                        $v = $s->get($key);
                        if ($v !== null) {
                            return $v;
                        }
                        if ($s->add("lock:$key", getmypid(), 10)) {
                            $v = $compute();
                            $s->put($key, $v, 60);
                            $s->delete("lock:$key");
                            return $v;
                        }
                        usleep(10_000);
                    }
                })(),
            };
            return ['v' => $v, 'end' => hrtime(true), 'start' => $start, 'error' => ''];
        } catch (Throwable $e) {
            return ['v' => null, 'end' => hrtime(true), 'start' => $start, 'error' => get_class($e) . ': ' . $e->getMessage()];
        }
    }, 30);
    $wrong = 0;
    $crashed = 0;
    $last = 0;
    $start = null;
    $error = '';
    foreach ($res as $r) {
        if ($r === null) {
            $crashed++;
            continue;
        }
        $start = $r['start'];
        $last = max($last, $r['end']);
        if ($r['v'] !== $val) {
            $wrong++;
            $error = $error ?: $r['error'];
        }
    }
    $computes = strlen((string) file_get_contents($file));
    @unlink($file);
    if ($variant === 'entry') {
        apcu_delete($key);
    } else {
        $s->delete($key);
    }
    return ['computes' => $computes, 'wall' => $start === null ? 0.0 : ($last - $start) / 1e9, 'wrong' => $wrong,
        'crashed' => $crashed, 'error' => $error];
}
