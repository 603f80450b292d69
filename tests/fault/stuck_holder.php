<?php
/*
 * Issue 4, section 5: a lock holder stopped with SIGSTOP.
 *
 * There is no public way to hold the lock, so a holder process runs a put
 * with the hooks build's safeshm.test_fault_delay_us set to 2 s: it sleeps
 * inside the mutation, holding the lock. The test waits until the segment
 * header shows the mutation in progress, SIGSTOPs the holder, and then:
 * - processes doing put (and increment, delete, add) must get
 *   SafeShmTimeoutException after safeshm.lock_timeout (1 s) of wall-clock
 *   time, measured, within +0.5 s;
 * - lock-free reads (get, has) never wait for a writer (layout 3): they must
 *   return the committed value, the key being written included; count()
 *   takes the lock: the committed count or the same timeout;
 * - a process opening the store for the first time must work or time out;
 * - a put started during the stop with a longer timeout must succeed once
 *   the holder is continued (SIGCONT), and everything then works normally.
 * Then a holder stopped and SIGKILLed while stopped: the lock is free at once
 * (SEM_UNDO) and the next process repairs the store.
 *
 * Needs the hooks build: php -d extension=build-hooks/modules/safeshm.so tests/fault/stuck_holder.php
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

const LOCK_TIMEOUT = 1.0;
const SLACK = 0.5;
const HOLD_DELAY_US = 2000000;

T::start('stuck_holder: a lock holder stopped with SIGSTOP inside a mutation', 60);
if (!T::hooks()) {
    T::check(false, 'the fault hooks are compiled in (run with build-hooks/modules/safeshm.so)', 'no way to hold the lock without them');
    T::finish();
}
ini_set('safeshm.lock_timeout', (string) LOCK_TIMEOUT);

final class Held
{
    public static ?SafeShm $o = null;
}

$commands = [
    'open' => function (int|string $name): bool {
        Held::$o = new SafeShm($name);
        return true;
    },
    'put' => fn($k, $v) => Held::$o->put($k, $v),
    'get' => fn($k) => Held::$o->get($k, 'default'),
    'has' => fn($k) => Held::$o->has($k),
    'increment' => fn($k) => Held::$o->increment($k),
    'delete' => fn($k) => Held::$o->delete($k),
    'add' => fn($k, $v) => Held::$o->add($k, $v),
    'count' => fn() => count(Held::$o),
    'open_and_get' => fn(int|string $name, $k) => (new SafeShm($name))->get($k),
];
$holdInit = fn() => ini_set('safeshm.test_fault_delay_us', (string) HOLD_DELAY_US);

function proc_state(int $pid): string
{
    $stat = @file_get_contents("/proc/$pid/stat");
    return $stat === false ? '?' : (explode(' ', substr($stat, strrpos($stat, ')') + 2))[0] ?? '?');
}

/** The semaphore's value and the pid of the last semop, from `ipcs -s -i`. */
function sem_value(int $semid): ?array
{
    foreach (explode("\n", (string) shell_exec("ipcs -s -i $semid 2>/dev/null")) as $line) {
        if (preg_match('/^0\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/', trim($line), $m)) {
            return ['value' => (int) $m[1], 'pid' => (int) $m[4]];
        }
    }
    return null;
}

/** Starts $holder's put and returns once it sleeps inside the mutation, holding the lock. */
function wait_inside_mutation(Helper $holder, RawHeader $hdr, string $label): bool
{
    $deadline = microtime(true) + 1.5;
    while (microtime(true) < $deadline) {
        if (($hdr->seq() & 1) === 1 && $hdr->lockOwner() === $holder->pid) {
            return T::check(true, "$label: the holder is inside the mutation (sequence odd, lock owner pid {$holder->pid})");
        }
        usleep(200);
    }
    return T::check(false, "$label: the holder got inside the mutation within 1.5 s", 'seq ' . $hdr->seq() . ', owner ' . $hdr->lockOwner());
}

$name = T::storeName('stuck');
$newcomer = Helper::spawn($commands);   // forked before the store exists: it has never opened it
$store = T::create($name, 65536);
$store->put('k', 'committed');
$store->put('other', 'untouched');
$store->put('n', 5);
$info = $store->info();
$hdr = new RawHeader($info['key']);
if (!$hdr->ok()) {
    T::check(false, 'the segment header is readable (shmop)', 'needed to know when the holder is inside the mutation');
    T::finish();
}

// ---- 1. SIGSTOP inside the mutation, then SIGCONT ----------------------------
echo "-- holder stopped with SIGSTOP while holding the lock, then continued\n";
$ops = [
    'put #1' => ['put', 'k', 'from a waiter'],
    'put #2' => ['put', 'fresh key', 'from a waiter'],
    'increment' => ['increment', 'n'],
    'delete' => ['delete', 'other'],
    'add' => ['add', 'new', 1],
    'get (key being written)' => ['get', 'k'],
    'get (another key)' => ['get', 'other'],
    'has' => ['has', 'other'],
    'count' => ['count'],
];
$waiters = [];
foreach ($ops as $label => $op) {
    $waiters[$label] = Helper::spawn($commands);
    $waiters[$label]->call('open', $name);
}
$holder = Helper::spawn($commands, $holdInit);
$holder->call('open', $name);
$holder->send('put', 'k', 'from the holder');
if (wait_inside_mutation($holder, $hdr, 'SIGSTOP')) {
    posix_kill($holder->pid, SIGSTOP);
    usleep(20000);
    T::check(proc_state($holder->pid) === 'T', 'the holder is stopped', 'state ' . proc_state($holder->pid));
    if ($info['lock'] === 'mutex') {
        // the robust mutex's lock word is the holder's thread id (a PHP process has one thread)
        $word = $hdr->lockWord();
        T::check(($word & 0x3FFFFFFF) === $holder->pid, 'the mutex is held by the stopped holder (lock word = its tid)', sprintf('lock word 0x%x', $word));
    } else {
        $sem = sem_value($info['semid']);
        T::check($sem !== null && $sem['value'] === 1, 'the semaphore is held (value 1)', $sem ? "value $sem[value], last semop by pid $sem[pid]" : 'ipcs -s -i gave nothing');
    }
    $stoppedAt = microtime(true);

    foreach ($waiters as $label => $w) {
        $w->send(...$ops[$label]);
    }
    $newcomer->send('open_and_get', $name, 'other');
    $timeouts = 0;
    $measured = [];
    foreach ($waiters as $label => $w) {
        $r = $w->recv(LOCK_TIMEOUT + 5);
        $t = $r['t'] ?? -1;
        $measured[] = sprintf('%s %s %.3f s', $label, $r === null ? 'no answer' : ($r['ok'] ? 'returned' : 'timed out'), $t);
        $timedOut = $r !== null && !$r['ok'] && $r['class'] === 'SafeShmTimeoutException';
        $timeouts += (int) $timedOut;
        $what = describe_answer($r) . sprintf(' after %.3f s', $t);
        if (in_array($ops[$label][0], ['get', 'has'], true)) {
            // lock-free reads: the committed value, whatever the stopped writer was doing
            $committed = ['get (key being written)' => 'committed', 'get (another key)' => 'untouched', 'has' => true][$label];
            T::check($r !== null && $r['ok'] && $r['v'] === $committed, "during the stop, $label returns the committed value (no wait for the holder)", $what);
        } elseif ($ops[$label][0] === 'count') {
            // count() takes the lock: the committed count, or the same timeout as a writer
            $ok = ($r !== null && $r['ok'] && $r['v'] === 3) || ($timedOut && $t >= LOCK_TIMEOUT - 0.005 && $t <= LOCK_TIMEOUT + SLACK);
            T::check($ok, "during the stop, $label returns the committed count or times out within " . LOCK_TIMEOUT . '+' . SLACK . ' s', $what);
        } else {
            T::check($timedOut && $t >= LOCK_TIMEOUT - 0.005 && $t <= LOCK_TIMEOUT + SLACK,
                "during the stop, $label throws SafeShmTimeoutException after " . LOCK_TIMEOUT . " s (+" . SLACK . ' s)', $what);
        }
    }
    echo '  ..    measured with safeshm.lock_timeout=' . LOCK_TIMEOUT . ': ' . implode(', ', $measured) . "\n";
    $r = $newcomer->recv(LOCK_TIMEOUT + 5);
    $t = $r['t'] ?? -1;
    T::check(($r !== null && $r['ok'] && $r['v'] === 'untouched')
        || ($r !== null && !$r['ok'] && $r['class'] === 'SafeShmTimeoutException' && $t <= LOCK_TIMEOUT + SLACK),
        'during the stop, a process opening the store for the first time works or times out in the bound',
        describe_answer($r) . sprintf(' after %.3f s', $t));

    // a put with a long timeout, started during the stop, completes after SIGCONT
    $patient = Helper::spawn($commands, fn() => ini_set('safeshm.lock_timeout', '20'));
    $patient->call('open', $name);
    $patient->send('put', 'after', 'waited for the holder');
    usleep(300000);
    T::check($patient->recv(0.01) === null, 'a put with safeshm.lock_timeout=20 is still waiting while the holder is stopped');
    printf("  ..    the holder was stopped for %.2f s\n", microtime(true) - $stoppedAt);
    posix_kill($holder->pid, SIGCONT);
    $tc = microtime(true);
    $r = $holder->recv(HOLD_DELAY_US / 1e6 * 3 + 5);
    T::check($r !== null && $r['ok'], 'after SIGCONT the holder finishes its put', describe_answer($r) . sprintf(', %.2f s after SIGCONT', microtime(true) - $tc));
    $r = $patient->recv(20);
    T::check($r !== null && $r['ok'], 'the waiting put then succeeds', describe_answer($r) . sprintf(' after %.2f s of waiting', $r['t'] ?? -1));

    $t = microtime(true);
    $store->put('k2', 'after the stop');
    T::check(microtime(true) - $t < 0.5 && $store->get('k2') === 'after the stop', 'a new put succeeds at once', sprintf('%.3f s', microtime(true) - $t));
    T::check($store->get('k') === 'from the holder' && $store->get('after') === 'waited for the holder' && $store->get('other') === 'untouched'
        && $store->get('n') === 5, 'the values are the holder\'s put, the waiting put, and the rest unchanged by the timed-out calls',
        json_encode(['k' => $store->get('k'), 'after' => $store->get('after'), 'other' => $store->get('other'), 'n' => $store->get('n')]));
    T::check($store->verify() === true, 'verify() after SIGCONT');
    $i = $store->info();
    T::check($i['lock_timeouts'] - $info['lock_timeouts'] >= $timeouts, 'info() counted the lock timeouts', "lock_timeouts {$i['lock_timeouts']}, timeouts seen $timeouts");
    T::check($i['recoveries'] === $info['recoveries'], 'no recovery was needed (the holder finished)', "recoveries {$i['recoveries']}");
    $patient->stop();
}
foreach ($waiters as $w) {
    $w->stop();
}
T::check($holder->stop() === 'exit 0', 'the holder exits normally');

// ---- 2. SIGSTOP, then SIGKILL while stopped ---------------------------------------
echo "-- holder stopped with SIGSTOP while holding the lock, then SIGKILLed\n";
$before = $store->info();
$holder = Helper::spawn($commands, $holdInit);
$holder->call('open', $name);
$holder->send('put', 'k', 'from the killed holder');
if (wait_inside_mutation($holder, $hdr, 'SIGKILL')) {
    posix_kill($holder->pid, SIGSTOP);
    usleep(300000);
    posix_kill($holder->pid, SIGKILL);
    pcntl_waitpid($holder->pid, $st);
    T::untrackChild($holder->pid);
    T::check(pcntl_wifsignaled($st) && pcntl_wtermsig($st) === SIGKILL, 'the stopped holder is killed', describe_status($st));
    $t = microtime(true);
    try {
        $store->put('k3', 'after the kill');
        $dt = microtime(true) - $t;
        T::check($dt < 0.5, 'the next put takes the lock at once (SEM_UNDO or the robust mutex released it)', sprintf('%.3f s', $dt));
        $i = $store->info();
        T::check($i['recoveries'] === $before['recoveries'] + 1, 'it repaired the store once', "recoveries {$before['recoveries']} -> {$i['recoveries']}");
        $k = $store->get('k');
        T::check(in_array($k, ['from the holder', 'from the killed holder'], true), "'k' holds the old value or the killed holder's", var_export($k, true));
        T::check($store->verify() === true && $store->get('k3') === 'after the kill' && $store->get('after') === 'waited for the holder',
            'verify() and the other values after the kill');
    } catch (Throwable $e) {
        T::check(false, 'the store works after the stopped holder was killed', get_class($e) . ': ' . $e->getMessage());
    }
}
$newcomer->stop();
$hdr->close();
T::finish();
