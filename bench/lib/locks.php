<?php
// Issue #12: named locks against what PHP code uses for mutual exclusion today: flock() on a tmpfs file,
// sysvsem, and a Redis lock (SET NX PX, released by a compare-and-delete script) on a redis-server this
// benchmark starts on 127.0.0.1 and stops at exit.

declare(strict_types=1);

const REDIS_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Every locker: 'cycle' (n uncontended lock+release), optionally 'close' (ends what cycle opened), and
 * 'handoff' (a factory called in each of two processes,
 * returning [lock, unlock, waiting]: waiting() tells whether the other process is asleep in lock(), or null when
 * the locker cannot tell).
 * @return array<string, array{cycle: Closure, close?: Closure, handoff: ?Closure}>
 */
function open_lockers(?SafeShm $s, ?array $redis): array
{
    $lockers = [];
    if ($s !== null) {
        $lockers['SafeShm lock()'] = [
            'cycle' => function (int $n) use ($s) {
                for ($i = 0; $i < $n; $i++) {
                    $l = $s->lock('bench');
                    $l->release();
                }
            },
            'handoff' => function () use ($s) {
                $held = null;
                return [
                    function () use ($s, &$held) {
                        $held = $s->lock('handoff', 10);
                        if ($held === null) {
                            throw new RuntimeException('SafeShm lock not acquired within 10 s');
                        }
                    },
                    function () use (&$held) { $held->release(); $held = null; },
                    function () use ($s): bool {
                        foreach ($s->locks() as $l) {
                            if ($l['name'] === 'handoff') {
                                return $l['waiters'] > 0;
                            }
                        }
                        return false;
                    },
                ];
            },
        ];
    }

    $dir = is_dir('/dev/shm') && is_writable('/dev/shm') ? '/dev/shm' : sys_get_temp_dir();
    $file = "$dir/safeshm-bench." . getmypid() . '.lock';
    touch($file);
    Bench::onExit('flock file', function () use ($file) { @unlink($file); });
    $fs = trim((string) @shell_exec('stat -f -c %T ' . escapeshellarg($dir) . ' 2>/dev/null'));
    $flockName = "flock() on $dir" . ($fs !== '' ? " ($fs)" : '');
    $f = fopen($file, 'c');
    $lockers[$flockName] = [
        'cycle' => function (int $n) use ($f) {
            for ($i = 0; $i < $n; $i++) {
                flock($f, LOCK_EX);
                flock($f, LOCK_UN);
            }
        },
        'handoff' => function () use ($file) {
            $h = fopen($file, 'c');             // its own open file description: a forked copy would share the lock
            return [fn() => flock($h, LOCK_EX), fn() => flock($h, LOCK_UN), null];
        },
    ];

    if (function_exists('sem_get')) {
        $key = ftok(__DIR__ . '/../compare.php', 'l');
        $sem = sem_get($key, 1, 0600, false);
        Bench::onExit('lock semaphore', function () use ($sem) { @sem_remove($sem); });
        $lockers['sem_acquire()'] = [
            'cycle' => function (int $n) use ($sem) {
                for ($i = 0; $i < $n; $i++) {
                    sem_acquire($sem);
                    sem_release($sem);
                }
            },
            'handoff' => function () use ($key) {
                $h = sem_get($key, 1, 0600, false);
                return [fn() => sem_acquire($h), fn() => sem_release($h), null];
            },
        ];
    }

    if ($redis !== null) {
        $conn = null;                           // one connection for the case, closed before anything forks
        $sha = '';
        $lockers['Redis SET NX PX + script'] = [
            'cycle' => function (int $n) use ($redis, &$conn, &$sha) {
                if ($conn === null) {
                    $conn = redis_connect($redis);
                    $sha = $conn->script('load', REDIS_RELEASE);
                }
                for ($i = 0; $i < $n; $i++) {
                    $token = bin2hex(random_bytes(8));
                    if (!$conn->set('bench-lock', $token, ['nx', 'px' => 30000])) {
                        throw new RuntimeException('Redis lock not acquired uncontended');
                    }
                    $conn->evalSha($sha, ['bench-lock', $token], 1);
                }
            },
            'close' => function () use (&$conn) {
                $conn?->close();
                $conn = null;
            },
            'handoff' => null,                  // a Redis lock has no wait: its waiters poll
        ];
    }
    return $lockers;
}

function redis_connect(array $redis): Redis
{
    $r = new Redis();
    $r->connect('127.0.0.1', $redis['port'], 2.0);
    return $r;
}

/**
 * Starts a private redis-server on 127.0.0.1 (never another address) when one is installed and phpredis is
 * loaded; it is stopped at exit. $bin: SAFESHM_BENCH_REDIS, else redis-server from PATH.
 * @return ?array{port: int}
 */
function start_redis(): ?array
{
    if (!class_exists('Redis')) {
        Bench::$notes[] = 'Redis lock: phpredis not loaded (tools/bench.sh loads it)';
        return null;
    }
    $bin = getenv('SAFESHM_BENCH_REDIS') ?: trim((string) @shell_exec('command -v redis-server 2>/dev/null'));
    if ($bin === '' || !is_executable($bin)) {
        Bench::$notes[] = 'Redis lock: no redis-server found (tools/bench.sh installs one)';
        return null;
    }
    $probe = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
    if ($probe === false) {
        Bench::$notes[] = "Redis lock: no free port on 127.0.0.1: $errstr";
        return null;
    }
    $port = (int) substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
    fclose($probe);
    $dir = Bench::tmp();
    $proc = proc_open([$bin, '--bind', '127.0.0.1', '--port', (string) $port, '--protected-mode', 'yes',
        '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', $dir, '--logfile', "$dir/redis.log"],
        [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
    if (!is_resource($proc)) {
        Bench::$notes[] = "Redis lock: $bin did not start";
        return null;
    }
    Bench::onExit('redis-server', function () use ($proc) {
        $pid = proc_get_status($proc)['pid'];
        proc_terminate($proc, SIGTERM);
        for ($i = 0; $i < 200 && proc_get_status($proc)['running']; $i++) {
            usleep(10000);
        }
        if (proc_get_status($proc)['running']) {
            posix_kill($pid, SIGKILL);
        }
        proc_close($proc);
    });
    for ($i = 0; $i < 200; $i++) {
        try {
            $r = new Redis();
            if (@$r->connect('127.0.0.1', $port, 0.2) && $r->ping()) {
                $r->close();
                return ['port' => $port];
            }
        } catch (RedisException $e) {
            // not listening yet
        }
        if (!proc_get_status($proc)['running']) {
            break;
        }
        usleep(10000);
    }
    Bench::$notes[] = "Redis lock: redis-server did not answer on 127.0.0.1:$port (log: " . trim((string) @file_get_contents("$dir/redis.log")) . ')';
    return null;
}

/**
 * Handoff latency between two processes: the holder waits until the other one sleeps in lock() (asked when
 * the locker can tell, and 1 ms in any case), takes the time and releases; the other one takes the time as
 * soon as its lock() returns. The roles alternate. Latency = acquired - released, on the shared monotonic clock.
 * @return ?array percentiles in ns, null when a worker failed
 */
function measure_handoff(Closure $factory, int $handoffs): ?array
{
    $pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    $res = Bench::fork(2, function (int $me) use ($factory, $handoffs, $pair) {
        $sock = $pair[$me];
        fclose($pair[1 - $me]);
        [$lock, $unlock, $waiting] = $factory();
        $released = [];
        $acquired = [];
        if ($me === 0) {
            $lock();
            fwrite($sock, 'g');
        } else {
            fread($sock, 1);
        }
        for ($h = 0; $h < $handoffs; $h++) {
            if ($h % 2 === $me) {
                usleep(1000);                   // the other one calls lock() meanwhile and sleeps in it
                if ($waiting !== null) {
                    for ($i = 0; $i < 1000 && !$waiting(); $i++) {
                        usleep(100);
                    }
                }
                $released[$h] = hrtime(true);
                $unlock();
                if (fread($sock, 1) !== 'a') {
                    return null;
                }
            } else {
                $lock();
                $acquired[$h] = hrtime(true);
                fwrite($sock, 'a');
            }
        }
        if ($handoffs % 2 === $me) {
            $unlock();                          // the last acquirer ends holding the lock
        }
        return ['released' => $released, 'acquired' => $acquired];
    }, 120);
    fclose($pair[0]);
    fclose($pair[1]);
    if ($res[0] === null || $res[1] === null) {
        return null;
    }
    $lat = [];
    for ($h = 0; $h < $handoffs; $h++) {
        $rel = $res[$h % 2]['released'][$h] ?? null;
        $acq = $res[1 - $h % 2]['acquired'][$h] ?? null;
        if ($rel === null || $acq === null) {
            return null;
        }
        $lat[] = $acq - $rel;
    }
    return Bench::percentiles($lat);
}
