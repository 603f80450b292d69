<?php
// The stores a PHP user would pick for shared data, each behind the same closures. Every closure runs its
// operations in a batch, so that the per-operation cost measured is the store's own call and not a PHP closure
// call around it.
//   get(n): n reads of key 'k';   put(n, value): n writes of it;   seed(keys, value): writes every key
//   mix(n, keys, value, every): n operations on random keys, every `every`-th a put, the others gets;
//                               returns the number of wrong reads
//   optional: inc(n) n increments of key 'n'; putTtl(n, value) n writes of 'k' with a 60 s TTL;
//             remember(n, value) n hits of a single-flight read of key 'r' whose compute returns value
// A single-process key is 'k' (sysvshm: 1, shmop: slot 0); mix keys are 0..$nkeys-1.

declare(strict_types=1);

const SEGMENT_SIZE = 1 << 20;
const SHMOP_SLOT = 4096;

/** @return array<string, array<string, Closure>> */
function open_stores(): array
{
    $stores = [];

    if (class_exists('SafeShm')) {
        try {
            $s = Bench::store('s', SEGMENT_SIZE);
            $stores['SafeShm'] = [
                'get' => function (int $n) use ($s) { for ($i = 0; $i < $n; $i++) { $v = $s->get('k'); } return $v; },
                'put' => function (int $n, mixed $val) use ($s) { for ($i = 0; $i < $n; $i++) { $s->put('k', $val); } },
                'seed' => function (array $keys, mixed $val) use ($s) { foreach ($keys as $k) { $s->put($k, $val); } },
                'mix' => function (int $n, array $keys, mixed $val, int $every) use ($s): int {
                    $bad = 0;
                    $last = count($keys) - 1;
                    for ($i = 0; $i < $n; $i++) {
                        $k = $keys[mt_rand(0, $last)];
                        if ($i % $every === 0) { $s->put($k, $val); } elseif ($s->get($k) !== $val) { $bad++; }
                    }
                    return $bad;
                },
                'inc' => function (int $n) use ($s) { for ($i = 0; $i < $n; $i++) { $v = $s->increment('n'); } return $v; },
                'putTtl' => function (int $n, mixed $val) use ($s) { for ($i = 0; $i < $n; $i++) { $s->put('k', $val, 60); } },
                'remember' => function (int $n, mixed $val) use ($s) {
                    $compute = fn() => $val;
                    for ($i = 0; $i < $n; $i++) { $v = $s->remember('r', $compute); }
                    return $v;
                },
            ];
        } catch (Throwable $e) {
            Bench::$notes[] = 'SafeShm: cannot open a store: ' . get_class($e) . ': ' . $e->getMessage();
        }
    } else {
        Bench::$notes[] = 'SafeShm is not loaded: add -d extension=modules/safeshm.so (peers only, no ratios)';
    }

    if (function_exists('shm_attach') && function_exists('sem_get')) {
        $key = ftok(__DIR__ . '/../compare.php', 'v');
        $shm = shm_attach($key, SEGMENT_SIZE, 0600);
        shm_remove($shm);                       // drop a leftover segment, which may have another size
        $shm = shm_attach($key, SEGMENT_SIZE, 0600);
        $sem = sem_get($key, 1, 0600, true);
        Bench::onExit('sysvshm+sysvsem', function () use ($shm, $sem) { shm_remove($shm); sem_remove($sem); });
        $stores['sysvshm+sysvsem'] = [
            'get' => function (int $n) use ($shm, $sem) {
                for ($i = 0; $i < $n; $i++) { sem_acquire($sem); $v = shm_get_var($shm, 1); sem_release($sem); }
                return $v;
            },
            'put' => function (int $n, mixed $val) use ($shm, $sem) {
                for ($i = 0; $i < $n; $i++) { sem_acquire($sem); shm_put_var($shm, 1, $val); sem_release($sem); }
            },
            'seed' => function (array $keys, mixed $val) use ($shm) { foreach ($keys as $k => $_) { shm_put_var($shm, $k, $val); } },
            'mix' => function (int $n, array $keys, mixed $val, int $every) use ($shm, $sem): int {
                $bad = 0;
                $last = count($keys) - 1;
                for ($i = 0; $i < $n; $i++) {
                    $k = mt_rand(0, $last);
                    sem_acquire($sem);
                    if ($i % $every === 0) { shm_put_var($shm, $k, $val); $v = $val; } else { $v = shm_get_var($shm, $k); }
                    sem_release($sem);
                    if ($v !== $val) { $bad++; }
                }
                return $bad;
            },
        ];
    } else {
        Bench::$notes[] = 'sysvshm+sysvsem: not loaded';
    }

    if (function_exists('shmop_open') && function_exists('sem_get')) {
        // shmop has no keys: fixed slots of SHMOP_SLOT bytes, each a 4-byte length and serialize()d bytes,
        // read and written under a sysvsem semaphore.
        $key = ftok(__DIR__ . '/../compare.php', 'o');
        $old = @shmop_open($key, 'w', 0, 0);
        if ($old !== false) {
            shmop_delete($old);
        }
        $sh = shmop_open($key, 'c', 0600, SEGMENT_SIZE);
        $sem = sem_get($key, 1, 0600, true);
        Bench::onExit('shmop+sysvsem', function () use ($sh, $sem) { shmop_delete($sh); sem_remove($sem); });
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
            'mix' => function (int $n, array $keys, mixed $val, int $every) use ($sh, $sem): int {
                $bad = 0;
                $last = count($keys) - 1;
                for ($i = 0; $i < $n; $i++) {
                    $off = mt_rand(0, $last) * SHMOP_SLOT;
                    if ($i % $every === 0) {
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
        Bench::$notes[] = 'shmop+sysvsem: not loaded';
    }

    if (function_exists('apcu_fetch')) {
        if (apcu_enabled()) {
            Bench::onExit('APCu', function () { apcu_clear_cache(); });
            $stores['APCu'] = [
                'get' => function (int $n) { for ($i = 0; $i < $n; $i++) { $v = apcu_fetch('k'); } return $v; },
                'put' => function (int $n, mixed $val) { for ($i = 0; $i < $n; $i++) { apcu_store('k', $val); } },
                'seed' => function (array $keys, mixed $val) { foreach ($keys as $k) { apcu_store($k, $val); } },
                'mix' => function (int $n, array $keys, mixed $val, int $every): int {
                    $bad = 0;
                    $last = count($keys) - 1;
                    for ($i = 0; $i < $n; $i++) {
                        $k = $keys[mt_rand(0, $last)];
                        if ($i % $every === 0) { apcu_store($k, $val); } elseif (apcu_fetch($k) !== $val) { $bad++; }
                    }
                    return $bad;
                },
                'inc' => function (int $n) { for ($i = 0; $i < $n; $i++) { $v = apcu_inc('n'); } return $v; },
                'putTtl' => function (int $n, mixed $val) { for ($i = 0; $i < $n; $i++) { apcu_store('k', $val, 60); } },
                'remember' => function (int $n, mixed $val) {
                    $compute = fn($key) => $val;
                    for ($i = 0; $i < $n; $i++) { $v = apcu_entry('r', $compute); }
                    return $v;
                },
            ];
        } else {
            Bench::$notes[] = 'APCu is loaded but disabled on the CLI: add -d apc.enable_cli=1';
        }
    } else {
        Bench::$notes[] = 'APCu: not loaded';
    }

    if (class_exists('Yac')) {
        $y = new Yac('bench_');
        if ($y->set('probe', 1) && $y->get('probe') === 1) {
            Bench::onExit('Yac', function () use ($y) { $y->flush(); });
            $stores['Yac'] = [
                'get' => function (int $n) use ($y) { for ($i = 0; $i < $n; $i++) { $v = $y->get('k'); } return $v; },
                'put' => function (int $n, mixed $val) use ($y) { for ($i = 0; $i < $n; $i++) { $y->set('k', $val); } },
                'seed' => function (array $keys, mixed $val) use ($y) { foreach ($keys as $k) { $y->set($k, $val); } },
                'mix' => function (int $n, array $keys, mixed $val, int $every) use ($y): int {
                    $bad = 0;
                    $last = count($keys) - 1;
                    for ($i = 0; $i < $n; $i++) {
                        $k = $keys[mt_rand(0, $last)];
                        if ($i % $every === 0) { $y->set($k, $val); } elseif ($y->get($k) !== $val) { $bad++; }
                    }
                    return $bad;
                },
                'putTtl' => function (int $n, mixed $val) use ($y) { for ($i = 0; $i < $n; $i++) { $y->set('k', $val, 60); } },
            ];
        } else {
            Bench::$notes[] = 'Yac is loaded but disabled on the CLI: add -d yac.enable_cli=1';
        }
    }

    return $stores;
}
