<?php
/*
 * Issue 4, section 3: removed and replaced segments (stale handles).
 *
 * For each way a store can disappear (SafeShm::remove() from another
 * process, `ipcrm -m <shmid>`, `ipcrm -s <semid>`, both ipcrm), a process B
 * that holds an old object makes its next calls: it must get a
 * SafeShmException, never a value from the orphaned segment, never a silent
 * write into it, never a crash. Then `new SafeShm($name)` must work, in B
 * and in a process that never saw the old store. Four variants of B's next
 * call: get at once, get after 200 ms idle, put first, or a new object first
 * (what a php-fpm worker does on its next request).
 *
 * Then the store is removed and re-created under the same name while B holds
 * its old object: B must not read or write either store through it.
 *
 * A store locked by its robust mutex (safeshm.lock=mutex, the default) uses
 * its semaphore only to serialise formatting a new segment: removing only the
 * semaphore (`ipcrm -s`) loses nothing and orphans nothing, so there B's old
 * object must simply keep working on the one live store, its writes seen by
 * every new object. Under safeshm.lock=semaphore it must throw, as above.
 *
 * Every process here is a fresh fork that opens the store itself (no mapping
 * inherited from the parent): A creates (and for remove() removes), B holds
 * the old object, C comes after.
 *
 * Usage: php -d extension=modules/safeshm.so tests/fault/stale_handles.php
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

T::start('stale_handles: removed and replaced segments under a process that holds an old object', 90);
ini_set('safeshm.lock_timeout', '2');

final class Held
{
    public static ?SafeShm $o = null;
}

$commands = [
    'create' => function (int|string $name): array {
        Held::$o = new SafeShm($name, 65536);
        Held::$o->put('k', 'old');
        Held::$o->put('n', 1);
        return Held::$o->info();
    },
    'open' => function (int|string $name): bool {
        Held::$o = new SafeShm($name);
        return true;
    },
    'get' => fn($k) => Held::$o->get($k),
    'put' => fn($k, $v) => Held::$o->put($k, $v),
    'has' => fn($k) => Held::$o->has($k),
    'increment' => fn($k) => Held::$o->increment($k),
    'count' => fn() => count(Held::$o),
    'remove' => fn() => Held::$o->remove(),
    'verify' => fn() => Held::$o->verify(),
    'sleep' => fn(int $ms) => usleep($ms * 1000),
    'ini' => fn(string $k, string $v) => ini_set($k, $v),
    'ping' => fn() => getmypid(),
    // a new object under the same name, used at once, as a php-fpm worker's next request would
    'fresh' => function (int|string $name, ?string $put): array {
        $o = new SafeShm($name);
        $before = ['k' => $o->get('k'), 'count' => count($o)];
        if ($put !== null) {
            $o->put('mark', $put);
        }
        return $before + ['mark' => $o->get('mark'), 'verify' => $o->verify(), 'shmid' => $o->info()['shmid']];
    },
];

function is_safeshm_exception(?array $r): bool
{
    return $r !== null && !$r['ok'] && is_a($r['class'], SafeShmException::class, true);
}

/** What B's call on an old object must do: throw, or (harmless removal) answer. */
function stale_ok(bool $harmless, ?array $r): bool
{
    return $harmless ? $r !== null && $r['ok'] : is_safeshm_exception($r);
}

function stale_says(bool $harmless): string
{
    return $harmless ? 'works (the semaphore of a mutex store is not its lock)' : 'throws SafeShmException';
}

function ipcrm(string $args): bool
{
    exec("ipcrm $args 2>&1", $out, $rc);
    T::check($rc === 0, "ipcrm $args", implode(' ', $out), true);
    return $rc === 0;
}

/** Removes the store the way $kind says. */
function remove_store(string $kind, Helper $a, array $info): void
{
    match ($kind) {
        'remove()' => T::check(($r = $a->call('remove')) !== null && $r['ok'], 'SafeShm::remove() in process A', describe_answer($r), true),
        'ipcrm -m' => ipcrm("-m {$info['shmid']}"),
        'ipcrm -s' => ipcrm("-s {$info['semid']}"),
        'ipcrm -m -s' => ipcrm("-m {$info['shmid']}") && ipcrm("-s {$info['semid']}"),
    };
}

$table = []; // kind => variant => what B's calls did

// ---- removal, then B's next call ------------------------------------------
$kinds = ['remove()', 'ipcrm -m', 'ipcrm -s', 'ipcrm -m -s'];
$variants = ['get at once', 'get after 200 ms', 'put first', 'new object first'];  // 'get at once' runs with safeshm.removal_check_ms=0
foreach ($kinds as $kind) {
    echo "-- removed by $kind\n";
    foreach ($variants as $variant) {
        $label = "$kind / $variant" . ($variant === 'get at once' ? ' (removal_check_ms=0)' : '');
        $name = T::storeName('stale');
        $a = Helper::spawn($commands);
        $b = Helper::spawn($commands);
        $r = $a->call('create', $name);
        if (!T::check($r !== null && $r['ok'], "$label: process A creates the store", describe_answer($r), true)) {
            $a->stop();
            $b->stop();
            continue;
        }
        $info = $r['v'];
        T::own($name, $info['key']);
        $harmless = $kind === 'ipcrm -s' && $info['lock'] === 'mutex';
        $r = $b->call('open', $name);
        $r2 = $b->call('get', 'k');
        T::check(($r['ok'] ?? false) && ($r2['v'] ?? null) === 'old', "$label: process B opens it and reads 'old'", describe_answer($r2), true);

        // Lock-free reads ask the system whether the segment still exists at the first read of
        // a request and then every safeshm.removal_check_ms (default 100). "At once" is the
        // strict setting (0: every read asks); "after 200 ms" tests the default.
        if ($variant === 'get at once') {
            $b->call('ini', 'safeshm.removal_check_ms', '0');
        }
        remove_store($kind, $a, $info);

        $seen = [];
        $wrote = false;
        switch ($variant) {
            case 'get at once':
            case 'get after 200 ms':
                if ($variant === 'get after 200 ms') {
                    $b->call('sleep', 200);
                }
                $r = $b->call('get', 'k');
                $seen[] = 'get: ' . describe_answer($r);
                T::check(stale_ok($harmless, $r) && (!$harmless || $r['v'] === 'old'), "$label: B's next call, get, " . stale_says($harmless), describe_answer($r));
                $r = $b->call('put', 'k', 'written through the stale object');
                $seen[] = 'then put: ' . describe_answer($r);
                $wrote = $r !== null && $r['ok'];
                T::check(stale_ok($harmless, $r), "$label: B's put after that " . stale_says($harmless), describe_answer($r));
                break;
            case 'put first':
                $r = $b->call('put', 'k', 'written through the stale object');
                $seen[] = 'put: ' . describe_answer($r);
                $wrote = $r !== null && $r['ok'];
                T::check(stale_ok($harmless, $r), "$label: B's next call, put, " . stale_says($harmless), describe_answer($r));
                $r = $b->call('get', 'k');
                $seen[] = 'then get: ' . describe_answer($r);
                T::check(stale_ok($harmless, $r) && (!$harmless || $r['v'] === 'written through the stale object'),
                    "$label: B's get after that " . stale_says($harmless), describe_answer($r));
                break;
            case 'new object first':
                $r = $b->call('fresh', $name, 'from B');
                $seen[] = 'new SafeShm + get/put: ' . describe_answer($r);
                $ok = $r !== null && $r['ok'] && $r['v']['mark'] === 'from B' && $r['v']['verify'] === true;
                T::check($ok, "$label: B's new SafeShm(\$name) works at once (get, put, get, verify)", describe_answer($r));
                if ($ok && $kind !== 'ipcrm -s') {
                    T::check($r['v']['k'] === null && $r['v']['count'] === 0, "$label: ... on a fresh store (no old data)",
                        "k=" . var_export($r['v']['k'], true) . " count={$r['v']['count']}");
                }
                $r = $b->call('get', 'k');
                $seen[] = 'then the old object\'s get: ' . describe_answer($r);
                T::check(stale_ok($harmless, $r) && (!$harmless || $r['v'] === 'old'),
                    "$label: the old object's get after that " . stale_says($harmless), describe_answer($r));
                break;
        }
        $r = $b->call('ping');
        T::check($r !== null && $r['ok'] && $r['v'] === $b->pid, "$label: B is alive (no crash)", describe_answer($r), true);

        // a process that never saw the old store
        $c = Helper::spawn($commands);
        $r = $c->call('fresh', $name, 'from C');
        $ok = $r !== null && $r['ok'] && $r['v']['mark'] === 'from C' && $r['v']['verify'] === true;
        T::check($ok, "$label: a new process's new SafeShm(\$name) works", describe_answer($r), true);
        if ($ok) {
            if ($harmless) {
                // nothing orphaned: what B wrote through its old object is what everyone sees
                $want = $wrote ? 'written through the stale object' : 'old';
                T::check($r['v']['k'] === $want, "$label: ... on the same store, with B's writes in it", 'k=' . var_export($r['v']['k'], true), true);
            } elseif ($kind === 'ipcrm -s') {
                $seen[] = 'afterwards, new SafeShm($name) in a new process: the segment was not removed, old data '
                    . ($r['v']['k'] !== null ? 'still there' : 'gone');
            } else {
                T::check($r['v']['k'] === null, "$label: ... on a fresh store (the old data is gone)", 'k=' . var_export($r['v']['k'], true), true);
            }
        }
        if ($variant !== 'new object first') {
            // B itself, after its stale calls
            $r = $b->call('fresh', $name, null);
            T::check($r !== null && $r['ok'] && $r['v']['mark'] === 'from C', "$label: B's own new SafeShm(\$name) then works and sees the same store as C",
                describe_answer($r), true);
        }
        if ($wrote && !$harmless) {
            $seen[] = 'B\'s put returned normally: it wrote into a segment no new object can see';
        } elseif ($wrote) {
            $seen[] = 'B\'s put returned normally, into the live store every new object sees';
        }
        $table[$kind][$variant] = $seen;
        foreach ([$a, $b, $c] as $i => $h) {
            $st = $h->stop();
            T::check($st === 'exit 0', "$label: process " . 'ABC'[$i] . ' exits normally', $st, true);
        }
        T::dispose($name, $label);
    }
}

// ---- removed and re-created under the same name -------------------------------
echo "-- removed and re-created under the same name while B holds an old object\n";
foreach (['remove()', 'ipcrm -m', 'ipcrm -m -s'] as $kind) {
    foreach ([0, 200] as $idleMs) {
        $label = "re-created after $kind" . ($idleMs ? ", B idle {$idleMs} ms" : ', B at once (removal_check_ms=0)');
        $name = T::storeName('recreate');
        $a = Helper::spawn($commands);
        $b = Helper::spawn($commands);
        $c = Helper::spawn($commands);
        $r = $a->call('create', $name);
        if (!T::check($r !== null && $r['ok'], "$label: A creates store 1", describe_answer($r), true)) {
            continue;
        }
        $info = $r['v'];
        T::own($name, $info['key']);
        $a->call('put', 'k', 'store 1');
        $b->call('open', $name);
        $r = $b->call('get', 'k');
        T::check(($r['v'] ?? null) === 'store 1', "$label: B reads store 1", describe_answer($r), true);
        if (!$idleMs) {
            $b->call('ini', 'safeshm.removal_check_ms', '0'); // "at once" is the strict setting
        }

        remove_store($kind, $a, $info);
        $r = $c->call('open', $name);
        $c->call('put', 'k', 'store 2');
        $c->call('put', 'only2', 'only in store 2');
        $r = $c->call('count');
        T::check(($r['v'] ?? null) === 2, "$label: C's new store 2 under the same name starts empty", describe_answer($r), true);
        if ($idleMs) {
            $b->call('sleep', $idleMs);
        }

        $seen = [];
        foreach ([['get', 'k'], ['get', 'only2'], ['put', 'k', 'written by B through its old object'], ['has', 'only2'], ['increment', 'n']] as $call) {
            $r = $b->call(...$call);
            $seen[] = "$call[0]('$call[1]'): " . describe_answer($r);
            T::check(is_safeshm_exception($r), "$label: B's old object, $call[0]('$call[1]'), throws SafeShmException", describe_answer($r));
        }
        $r = $c->call('get', 'k');
        T::check(($r['v'] ?? null) === 'store 2', "$label: store 2 keeps its own value (nothing from B's old object)", describe_answer($r));
        $r = $c->call('verify');
        T::check(($r['v'] ?? null) === true, "$label: store 2 verifies", describe_answer($r), true);
        $r = $b->call('fresh', $name, null);
        T::check(($r['v']['k'] ?? null) === 'store 2', "$label: B's new SafeShm(\$name) is store 2", describe_answer($r));
        $table['re-created after ' . $kind][$idleMs ? "B's calls after {$idleMs} ms idle" : "B's calls at once"] = $seen;
        foreach ([$a, $b, $c] as $i => $h) {
            $st = $h->stop();
            T::check($st === 'exit 0', "$label: process " . 'ABC'[$i] . ' exits normally', $st, true);
        }
        T::dispose($name, $label);
    }
}

echo "\nwhat a process holding an old object saw:\n";
foreach ($table as $kind => $rows) {
    foreach ($rows as $variant => $seen) {
        echo "  $kind / $variant:\n";
        foreach ($seen as $s) {
            echo "      $s\n";
        }
    }
}
T::finish();
