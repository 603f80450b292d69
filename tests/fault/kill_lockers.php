<?php
/*
 * Issue 12: named-lock holders and waiters killed at random points.
 *
 * Worker children loop forever over four named locks: lock() (exclusive or
 * shared, trying once or waiting up to 0.2 s, sometimes with a long TTL),
 * a few data writes while holding, release(). With the hooks build
 * (safeshm.test_fault_delay_us) every step of a store mutation sleeps, and a
 * lock's state is a record of the store, so kills land inside the writes of
 * lock states too (granting, queueing, heartbeats, releasing), not only
 * between them. The parent SIGKILLs a random worker every few milliseconds
 * (reaping it at once, or leaving it a zombie for a while) and starts another;
 * every third kill is aimed: the victim is stopped until the header shows it
 * inside a store mutation (its own: it holds the store's lock), and killed there.
 *
 * What must hold:
 * - no lock is lost: a live worker's isHeld() stays true while it holds, and
 *   its release() returns true (its TTL, when it has one, is far away);
 * - exclusion: whoever is granted a lock finds no live exclusive holder (an
 *   exclusive holder writes "owner:NAME" = its pid while it holds);
 * - after each kill the parent, as a contender, looks at every lock (a
 *   lock() try); then locks() lists no dead (or zombie) process as a holder;
 * - verify() is true; no worker meets an exception; at the end, with every
 *   worker dead, each lock is free at once and no lock state is left.
 * Kills of holders, of waiters, and recoveries of the store are counted.
 *
 * Usage: php -d extension=build-hooks/modules/safeshm.so [-d extension=shmop] tests/fault/kill_lockers.php [kills=500] [seed]
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

$kills = max(1, (int) ($argv[1] ?? 500));
$seed = isset($argv[2]) ? (int) $argv[2] : random_int(1, 1 << 30);
const WORKERS = 6;
const NAMES = ['alpha', 'beta', "g\0mma", 'delta'];
const SEGMENT_SIZE = 256 << 10;

ini_set('safeshm.lock_timeout', '5');
T::start("kill_lockers: $kills SIGKILLs of named-lock holders and waiters (" . WORKERS . ' workers, '
    . count(NAMES) . " locks), seed $seed", max(120, (int) ($kills * 0.4)));
if (!T::hooks()) {
    T::check(false, 'the fault hooks are compiled in (run with build-hooks/modules/safeshm.so)',
        'without safeshm.test_fault_delay_us kills rarely land inside the write of a lock state');
    T::finish();
}
mt_srand($seed);

/** Whether $pid runs (a zombie does not). */
function running(int $pid): bool
{
    if ($pid <= 0 || !posix_kill($pid, 0)) {
        return false;
    }
    $stat = @file_get_contents("/proc/$pid/stat");
    return $stat !== false && !in_array(substr($stat, strrpos($stat, ')') + 2, 1), ['Z', 'X'], true);
}

/** A worker: runs until killed; logs what it does (one line per step, unbuffered) and every violation ("V ..."). */
function worker(int $key, string $logFile, int $rseed, int $delayUs): never
{
    pcntl_alarm(0);
    ini_set('safeshm.test_fault_delay_us', (string) $delayUs);
    mt_srand($rseed);
    $log = fopen($logFile, 'w');
    $me = getmypid();
    try {
        $s = new SafeShm($key);
    } catch (Throwable $e) {
        fwrite($log, 'E open ' . get_class($e) . ': ' . $e->getMessage() . "\n");
        exit(1);
    }
    for (;;) {
        $name = NAMES[mt_rand(0, count(NAMES) - 1)];
        $shared = mt_rand(1, 3) === 1;
        $wait = mt_rand(0, 3) ? mt_rand(0, 200) / 1000 : 0;
        $ttl = mt_rand(1, 4) === 1 ? 600 : 0;
        fwrite($log, 'W ' . bin2hex($name) . "\n");
        try {
            $l = $s->lock($name, $wait, $ttl, $shared);
            if ($l === null) {
                fwrite($log, 'N ' . bin2hex($name) . "\n");
                continue;
            }
            fwrite($log, 'H ' . bin2hex($name) . ' ' . $l->token() . ' ' . (int) $l->previousHolderDied() . ' ' . (int) $shared . "\n");
            $owner = $s->get("owner:$name");
            if ($owner !== null && $owner !== $me && running($owner)) {
                fwrite($log, 'V granted ' . ($shared ? 'shared' : 'exclusive') . ' ' . bin2hex($name) . " while live pid $owner holds it exclusively\n");
            }
            if (!$shared) {
                $s->put("owner:$name", $me);
            }
            for ($j = mt_rand(0, 3); $j > 0; $j--) {
                usleep(mt_rand(0, 3000));
                $s->put('data' . mt_rand(0, 9), str_repeat(chr(mt_rand(97, 122)), mt_rand(0, 400)));
                if (!$l->isHeld()) {
                    fwrite($log, 'V lost ' . bin2hex($name) . " while holding it (isHeld false)\n");
                }
            }
            if (!$shared) {
                $s->delete("owner:$name");
            }
            fwrite($log, ($l->release() ? 'R ' : 'V release() false for ') . bin2hex($name) . "\n");
        } catch (Throwable $e) {
            fwrite($log, 'E ' . get_class($e) . ': ' . $e->getMessage() . "\n");
        }
        unset($l);
    }
}

/** The last line a worker logged: what it was doing when it was killed. */
function last_step(string $logFile): string
{
    $lines = @file($logFile, FILE_IGNORE_NEW_LINES) ?: [];
    return $lines ? $lines[count($lines) - 1] : '';
}

/** The violations and exceptions a worker logged. */
function violations(string $logFile): array
{
    $bad = [];
    foreach (@file($logFile, FILE_IGNORE_NEW_LINES) ?: [] as $line) {
        if ($line !== '' && ($line[0] === 'V' || $line[0] === 'E')) {
            $bad[] = $line;
        }
    }
    return $bad;
}

$key = T::storeName('locks');
$s = T::create($key, SEGMENT_SIZE);
$dir = sys_get_temp_dir() . '/safeshm-kill-lockers-' . getmypid();
@mkdir($dir);
register_shutdown_function(function () use ($dir) {
    foreach (glob("$dir/*") ?: [] as $f) {
        @unlink($f);
    }
    @rmdir($dir);
});

$workers = []; // pid => log file
$n = 0;
$spawn = function () use (&$workers, &$n, $key, $dir): void {
    $log = "$dir/w" . $n++ . '.log';
    $rseed = mt_rand();
    $delay = [50, 100, 200][mt_rand(0, 2)];
    $pid = pcntl_fork();
    if ($pid === 0) {
        worker($key, $log, $rseed, $delay);
    }
    T::trackChild($pid);
    $workers[$pid] = $log;
};
for ($i = 0; $i < WORKERS; $i++) {
    $spawn();
}

$killed = ['holding' => 0, 'waiting' => 0, 'between' => 0];
$aimed = 0;
// White-box, read through shmop (safeshm_header in shm_store.h, layout 3): the mutation counter, odd while a
// mutation is in progress (u64 at offset 40), and the pid of the store lock's holder (u32 at offset 124).
$raw = function_exists('shmop_open') ? @shmop_open($key, 'a', 0, 0) : false;
$seq = $raw ? fn(): int => unpack('P', shmop_read($raw, 40, 8))[1] : null;
$owner = $raw ? fn(): int => unpack('V', shmop_read($raw, 124, 4))[1] : null;
if (!$seq) {
    T::note('shmop is not loaded: kills are not aimed at mutations');
}
$zombies = [];
$violations = [];
$deadListed = 0;
$recoveriesBefore = $s->info()['recoveries'];
$looks = 0;
$verifyFailures = 0;
for ($k = 1; $k <= $kills; $k++) {
    usleep(mt_rand(0, 15000));
    $victim = array_rand($workers);
    if ($k % 3 === 0 && $seq) {
        // aim: stop the victim until it is caught inside a store mutation of its own, then kill
        for ($try = 0; $try < 200; $try++) {
            posix_kill($victim, SIGSTOP);
            pcntl_waitpid($victim, $st, WUNTRACED);
            if (($seq() & 1) && $owner() === $victim) {
                $aimed++;
                break;
            }
            posix_kill($victim, SIGCONT);
            usleep(mt_rand(0, 1000));
        }
    }
    posix_kill($victim, SIGKILL);
    posix_kill($victim, SIGCONT);
    $step = last_step($workers[$victim]);
    $killed[match ($step[0] ?? '') { 'H' => 'holding', 'W' => 'waiting', default => 'between' }]++;
    foreach (violations($workers[$victim]) as $v) {
        $violations[] = "worker $victim: $v";
    }
    unset($workers[$victim]);
    if (mt_rand(0, 2)) {
        pcntl_waitpid($victim, $st);
        T::untrackChild($victim);
    } else {
        // dead but not reaped: a zombie holds nothing either. SIGKILL is delivered asynchronously: wait until
        // the kernel shows it dead, or a look at the locks could still (rightly) find it alive.
        for ($d = microtime(true) + 5; running($victim) && microtime(true) < $d; ) {
            usleep(100);
        }
        $zombies[] = $victim;
    }
    $spawn();
    // The parent looks at every lock as a contender (a shared try purges dead holders, and a lock it is granted is
    // released at once); after that no dead process may be listed as a holder.
    try {
        foreach (NAMES as $name) {
            $try = $s->lock($name, 0, 0, (bool) mt_rand(0, 1));
            unset($try);
            $looks++;
        }
        foreach ($s->locks() as $e) {
            foreach ($e['pids'] as $pid) {
                if (!running($pid)) {
                    $deadListed++;
                    T::check(false, "kill $k: after a contender looked, no dead process holds a lock",
                        json_encode($e['name']) . " is held by pid $pid, which is " . (in_array($pid, $zombies, true) ? 'a zombie' : 'dead'), true);
                }
            }
        }
        if ($k % 10 === 0 && !$s->verify()) {
            $verifyFailures++;
        }
    } catch (Throwable $e) {
        T::check(false, "kill $k: the parent's look at the locks", get_class($e) . ': ' . $e->getMessage(), true);
    }
    if (count($zombies) > 3) {
        foreach ($zombies as $z) {
            pcntl_waitpid($z, $st);
            T::untrackChild($z);
        }
        $zombies = [];
    }
}
// the end: every worker dies; each lock must then be free at once, and no lock state left
foreach ($workers as $pid => $log) {
    posix_kill($pid, SIGKILL);
    pcntl_waitpid($pid, $st);
    T::untrackChild($pid);
    foreach (violations($log) as $v) {
        $violations[] = "worker $pid: $v";
    }
}
foreach ($zombies as $z) {
    pcntl_waitpid($z, $st);
    T::untrackChild($z);
}
$died = 0;
$grants = 0;
foreach (glob("$dir/w*.log") ?: [] as $log) {
    foreach (@file($log, FILE_IGNORE_NEW_LINES) ?: [] as $line) {
        if ($line !== '' && $line[0] === 'H') {
            $grants++;
            $died += (int) explode(' ', $line)[3];
        }
    }
}
$free = 0;
foreach (NAMES as $name) {
    $l = $s->lock($name);
    $free += $l !== null;
    unset($l);
}
$info = $s->info();
$recoveries = $info['recoveries'] - $recoveriesBefore;

T::note(sprintf('%d kills: %d holding a lock, %d waiting for one, %d between locks; %d aimed inside a mutation; %d grants in all, %d told previousHolderDied; %d recoveries of the store (kills inside a mutation); %d looks by the parent',
    $kills, $killed['holding'], $killed['waiting'], $killed['between'], $aimed, $grants, $died, $recoveries, $looks));
T::check($violations === [], 'no live holder lost its lock, no exclusion was broken, no worker met an exception',
    count($violations) . ' violations, first: ' . implode(' | ', array_slice($violations, 0, 3)));
T::check($deadListed === 0, 'after every kill, once the parent looked, locks() listed no dead process', "$deadListed listed");
T::check($verifyFailures === 0, 'verify() true every 10 kills', "$verifyFailures failures");
T::check($free === count(NAMES), 'with every worker dead, each lock is free at once', "$free of " . count(NAMES));
T::check($info['locks'] === 0, 'and no lock state is left in the store', "info()['locks'] = $info[locks]");
T::check($s->verify(), 'verify() true at the end');
T::check($killed['holding'] > 0 && $killed['waiting'] > 0, 'kills hit holders and waiters', json_encode($killed));
T::check($died > 0, 'some holder was told previousHolderDied()', "$died times");
T::check($recoveries > 0 && $recoveries >= $aimed, 'every kill aimed inside a mutation was repaired (one recovery each, at least)',
    "$recoveries recoveries, $aimed aimed kills");
T::dispose($key, 'locks');
T::finish();
