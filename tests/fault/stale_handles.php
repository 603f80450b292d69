<?php
/*
 * Issue 4, section 3: removed and replaced segments (stale handles).
 *
 * For each way a store can disappear (SafeShm::remove() from another
 * process, `ipcrm -m <shmid>`, `ipcrm -s <semid>`, both ipcrm), a process B
 * that holds an old object makes its next calls. What B is owed:
 *
 * - SafeShm::remove() sets a flag in the segment that every call reads: B's
 *   next call, read or write, throws SafeShmException at once, whatever
 *   safeshm.removal_check_ms is (pinned here to an hour to show it).
 * - A removal from outside changes nothing in the mapped bytes: reads and
 *   writes alike ask the system whether the segment (and the semaphore of a
 *   semaphore-locked store) is still theirs at the first call of a request
 *   and then every safeshm.removal_check_ms, not at every call (issue 10: a
 *   write racing an ipcrm is no different from one made just before it). So:
 *   with removal_check_ms=0 B's next call, get or put, throws; with 200, B's
 *   next call after 300 ms idle throws; inside the window (an hour), B's calls
 *   may still reach the segment it had, now orphaned, but nothing of them ever
 *   reaches the new store, and B never crashes. A new request builds new
 *   objects: B's new SafeShm($name) (what a php-fpm worker's next request
 *   does) is the new store at once, window or not; so is C's, a process that
 *   never saw the old store.
 * - A semaphore-locked store cannot take its lock once its semaphore is gone:
 *   a write after ipcrm -s throws at once.
 * - A store locked by its robust mutex (safeshm.lock=mutex, the default) uses
 *   its semaphore only to serialise formatting: removing only the semaphore
 *   (`ipcrm -s`) loses nothing and orphans nothing; B's old object simply
 *   keeps working on the one live store, its writes seen by every new object.
 *
 * Then the store is removed and re-created under the same name while B holds
 * its old object: B's old object never reads or writes the new store (it
 * throws, or inside the window acts on the old segment only).
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

const WINDOW_MS = 3600000; // a removal check interval no test outlasts: B's calls stay inside the window
const CHECK_MS = 200;

/**
 * B's variants: [removal_check_ms B runs with, ms B idles after the removal, its calls]. 'fresh' makes a new
 * object first (a new request). Inside the window a call may throw or still act on the old segment.
 */
const VARIANTS = [
    'get first, removal_check_ms=0' => [0, 0, ['get', 'put']],
    'put first, removal_check_ms=0' => [0, 0, ['put', 'get']],
    'get after the check interval (removal_check_ms=' . CHECK_MS . ', 300 ms idle)' => [CHECK_MS, 300, ['get', 'put']],
    'put after the check interval (removal_check_ms=' . CHECK_MS . ', 300 ms idle)' => [CHECK_MS, 300, ['put', 'get']],
    'inside the window (removal_check_ms=' . WINDOW_MS . ')' => [WINDOW_MS, 0, ['get', 'put', 'get']],
    'a new object first, as a new request (removal_check_ms=' . WINDOW_MS . ')' => [WINDOW_MS, 0, ['fresh', 'get']],
];

/** A write to a semaphore-locked store whose semaphore was removed: it cannot take its lock, at once. */
function semaphore_gone(string $kind, string $lock, string $call): bool
{
    return $lock === 'semaphore' && str_ends_with($kind, '-s') && in_array($call, ['put', 'increment'], true);
}

/**
 * What B's call on its old object must do after the removal: 'throw', 'work' (same store, harmless
 * removal), or 'either' (inside the window of a removal from outside: throw, or act on the old segment).
 */
function expect_call(string $kind, string $lock, int $checkMs, string $call): string
{
    if ($kind === 'ipcrm -s' && $lock === 'mutex') {
        return 'work';
    }
    if ($kind === 'remove()' || $checkMs !== WINDOW_MS) {
        return 'throw';
    }
    if (semaphore_gone($kind, $lock, $call)) {
        return 'throw';
    }
    return 'either';
}

// ---- removal, then B's next calls ------------------------------------------
$kinds = ['remove()', 'ipcrm -m', 'ipcrm -s', 'ipcrm -m -s'];
foreach ($kinds as $kind) {
    echo "-- removed by $kind\n";
    foreach (VARIANTS as $variant => [$checkMs, $idleMs, $calls]) {
        $label = "$kind / $variant";
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
        $b->call('ini', 'safeshm.removal_check_ms', (string) $checkMs);
        $r = $b->call('open', $name);
        $r2 = $b->call('get', 'k');
        T::check(($r['ok'] ?? false) && ($r2['v'] ?? null) === 'old', "$label: process B opens it and reads 'old'", describe_answer($r2), true);

        remove_store($kind, $a, $info);
        if ($idleMs) {
            $b->call('sleep', $idleMs);
        }

        $seen = [];
        $wrote = false;      // B's put returned normally
        $threw = false;      // B's old object threw once: it must go on throwing
        foreach ($calls as $call) {
            if ($call === 'fresh') {
                $r = $b->call('fresh', $name, 'from B');
                $seen[] = 'new SafeShm + get/put: ' . describe_answer($r);
                $ok = $r !== null && $r['ok'] && $r['v']['mark'] === 'from B' && $r['v']['verify'] === true;
                T::check($ok, "$label: B's new SafeShm(\$name) works at once (get, put, get, verify)", describe_answer($r));
                if ($ok && $kind !== 'ipcrm -s') {
                    T::check($r['v']['k'] === null && $r['v']['count'] === 0, "$label: ... on a fresh store (no old data)",
                        "k=" . var_export($r['v']['k'], true) . " count={$r['v']['count']}");
                }
                // B's cache now holds the new segment: its old object is stale at once
                $threw = !$harmless && $kind !== 'ipcrm -s';
                continue;
            }
            $want = $threw ? 'throw' : expect_call($kind, $info['lock'], $checkMs, $call);
            $r = $call === 'put' ? $b->call('put', 'k', 'written through the stale object') : $b->call('get', 'k');
            $seen[] = "$call: " . describe_answer($r);
            $thrown = is_safeshm_exception($r);
            $worked = $r !== null && $r['ok'];
            if ($call === 'put') {
                $wrote = $worked;
                $ok = match ($want) { 'throw' => $thrown, 'work' => $worked, 'either' => $thrown || $worked };
            } else {
                // a get that answers reads the old segment: 'old', or what B itself wrote there
                $v = $worked ? $r['v'] : null;
                $own = $v === 'old' || ($wrote && $v === 'written through the stale object');
                $ok = match ($want) { 'throw' => $thrown, 'work' => $worked && $own, 'either' => $thrown || ($worked && $own) };
            }
            $threw = $threw || $thrown;
            $says = ['throw' => 'throws SafeShmException', 'work' => 'works on the live store (the semaphore of a mutex store is not its lock)',
                'either' => 'throws, or acts on the old segment only'][$want];
            T::check($ok, "$label: B's old object, $call, $says", describe_answer($r));
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
                // a semaphore store: the segment stays; its new semaphore is made by the next attacher
                T::check($r['v']['k'] === 'old', "$label: ... on the same segment, its data kept (only the semaphore was removed)",
                    'k=' . var_export($r['v']['k'], true), true);
            } else {
                T::check($r['v']['k'] === null, "$label: ... on a fresh store: neither the old data nor B's writes",
                    'k=' . var_export($r['v']['k'], true), true);
            }
        }
        if (!in_array('fresh', $calls, true)) {
            // B itself, after its stale calls: a new object is the store C sees
            $r = $b->call('fresh', $name, null);
            T::check($r !== null && $r['ok'] && $r['v']['mark'] === 'from C', "$label: B's own new SafeShm(\$name) then works and sees the same store as C",
                describe_answer($r), true);
        }
        if ($wrote && !$harmless && $kind !== 'ipcrm -s') {
            $seen[] = 'B\'s put returned normally: inside the window, into the segment it had, which no new object sees';
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
    foreach ([[0, 0], [CHECK_MS, 300], [WINDOW_MS, 0]] as [$checkMs, $idleMs]) {
        $label = "re-created after $kind, B with removal_check_ms=$checkMs" . ($idleMs ? ", idle {$idleMs} ms" : '');
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
        $b->call('ini', 'safeshm.removal_check_ms', (string) $checkMs);
        $b->call('open', $name);
        $r = $b->call('get', 'k');
        T::check(($r['v'] ?? null) === 'store 1', "$label: B reads store 1", describe_answer($r), true);

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
        $threw = false;
        // what each call of B's old object may answer when it acts on store 1 (inside the window only)
        $store1 = ['k' => 'store 1', 'only2' => null];
        foreach ([['get', 'k'], ['get', 'only2'], ['put', 'k', 'written by B through its old object'], ['has', 'only2'], ['increment', 'n']] as $call) {
            $r = $b->call(...$call);
            $seen[] = "$call[0]('$call[1]'): " . describe_answer($r);
            $thrown = is_safeshm_exception($r);
            $either = $kind !== 'remove()' && $checkMs === WINDOW_MS && !$threw && !semaphore_gone($kind, $info['lock'], $call[0]);
            if ($either) {
                $v = $r !== null && $r['ok'] ? $r['v'] : 'no answer';
                $store1Answer = $r !== null && $r['ok'] && match ($call[0]) {
                    'get' => $v === $store1[$call[1]],
                    'put' => true,
                    'has' => $v === false,
                    'increment' => $v === 2,
                };
                T::check($thrown || $store1Answer, "$label: B's old object, $call[0]('$call[1]'), throws or acts on store 1 only", describe_answer($r));
            } else {
                T::check($thrown, "$label: B's old object, $call[0]('$call[1]'), throws SafeShmException", describe_answer($r));
            }
            $threw = $threw || $thrown;
        }
        $r = $c->call('get', 'k');
        T::check(($r['v'] ?? null) === 'store 2', "$label: store 2 keeps its own value (nothing from B's old object)", describe_answer($r));
        $r = $c->call('count');
        T::check(($r['v'] ?? null) === 2, "$label: store 2 has only its own keys (no 'n' from B's increment)", describe_answer($r));
        $r = $c->call('verify');
        T::check(($r['v'] ?? null) === true, "$label: store 2 verifies", describe_answer($r), true);
        $r = $b->call('fresh', $name, null);
        T::check(($r['v']['k'] ?? null) === 'store 2', "$label: B's new SafeShm(\$name) is store 2", describe_answer($r));
        $table['re-created after ' . $kind]["B with removal_check_ms=$checkMs" . ($idleMs ? ", {$idleMs} ms idle" : '')] = $seen;
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
