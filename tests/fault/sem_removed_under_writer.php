<?php
/*
 * The semaphore removed (ipcrm -s) while a writer holds it, mid-mutation.
 *
 * SEM_UNDO vouches only for the semaphore a process holds: after ipcrm -s,
 * a new SafeShm object makes a new semaphore and gets it at once, while the
 * old writer may still be writing under the old one. The next holder must
 * not "repair" the store under that live writer. It waits up to
 * safeshm.lock_timeout for the writer to finish or die, and otherwise
 * reports a timeout; once the writer is gone, it recovers.
 *
 * Needs the hooks build: safeshm.test_fault_delay_us makes writer A sleep
 * inside its put, with the lock held and the mutation counter odd.
 *
 * Usage: php -d extension=build-hooks/modules/safeshm.so tests/fault/sem_removed_under_writer.php
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

T::start('semaphore removed under a live writer', 60);
if (!T::hooks()) {
    T::check(false, 'the fault hooks are compiled in (run with build-hooks/modules/safeshm.so)');
    T::finish();
}
ini_set('safeshm.lock_timeout', '1');

/** Reads the header's mutation counter through shmop: odd while a mutation is in progress. */
function seq_of(int $key): int
{
    $h = shmop_open($key, 'a', 0, 0);
    return test_uint(shmop_read($h, test_hdr_offset('seq'), 8), 0, 8);
}

foreach (['writer stays alive past the timeout' => 'kill-after', 'writer finishes on its own' => 'finish'] as $label => $mode) {
    echo "-- $label\n";
    $name = T::storeName('semrm');
    $s = T::create($name, 65536);
    $s->put('k', 'committed');
    $s->put('other', 'untouched');
    $key = $s->info()['key'];
    $oldSemid = $s->info()['semid'];
    $rec0 = $s->info()['recoveries'];
    unset($s);

    // A: a put that sleeps 1.5 s at each step of the mutation, holding the lock.
    $pid = pcntl_fork();
    if ($pid === 0) {
        ini_set('safeshm.test_fault_delay_us', '1500000');
        try {
            (new SafeShm($name))->put('k', 'from A');
        } catch (Throwable) {
        }
        exit(0);
    }
    T::trackChild($pid);
    for ($i = 0; $i < 200 && seq_of($key) % 2 === 0; $i++) {
        usleep(10000);
    }
    T::check(seq_of($key) % 2 === 1, "$label: writer A is inside its mutation (seq odd)", 'seq ' . seq_of($key) . ' after 2 s of waiting');

    $out = [];
    exec('ipcrm -s ' . $oldSemid . ' 2>&1', $out, $rc);
    T::check($rc === 0, "$label: ipcrm -s of the semaphore A holds", "ipcrm -s $oldSemid: exit $rc " . implode(' ', $out));

    // B: a fresh process gets a new semaphore at once; it must not repair under A.
    $t = microtime(true);
    try {
        // the constructor or the put may be the first to take the lock: either must time out
        (new SafeShm($name))->put('other', 'from B');
        $r = 'stored';
    } catch (SafeShmTimeoutException) {
        $r = 'timeout';
    } catch (Throwable $e) {
        $r = get_class($e) . ': ' . $e->getMessage();
    }
    $dt = microtime(true) - $t;
    if ($mode === 'kill-after') {
        T::check($r === 'timeout', "$label: B (construct or put) times out instead of repairing under A", $r);
        T::check(seq_of($key) % 2 === 1, "$label: A's mutation was left alone (seq still odd)", 'seq ' . seq_of($key));
        T::note(sprintf('   B waited %.2f s (lock_timeout 1 s)', $dt));
        posix_kill($pid, SIGKILL);
    }
    pcntl_waitpid($pid, $st);
    T::untrackChild($pid);

    // Writer gone (killed, or finished): the next put recovers or simply proceeds.
    $b = new SafeShm($name);
    $why = '';
    try {
        $b->put('after', 'ok');
    } catch (Throwable $e) {
        $why = get_class($e) . ': ' . $e->getMessage();
    }
    T::check($why === '', "$label: with A gone, B's put succeeds", $why);
    $info = $b->info();
    try {
        $why = $b->verify() === true ? '' : 'returned false';
    } catch (Throwable $e) {
        $why = get_class($e) . ': ' . $e->getMessage();
    }
    T::check($why === '', "$label: verify() passes", $why);
    T::check(in_array($b->get('k'), ['committed', 'from A'], true), "$label: k holds a value written for it", var_export($b->get('k'), true));
    T::check(in_array($b->get('other'), ['untouched', 'from B'], true), "$label: other holds a value written for it", var_export($b->get('other'), true));
    $want = $mode === 'kill-after' ? $rec0 + 1 : $rec0; // a finished writer leaves nothing to repair
    T::check($info['recoveries'] === $want, "$label: recoveries " . ($want - $rec0 ? 'once, after A died' : 'none, A finished'), "recoveries=$info[recoveries], before=$rec0");
    T::note("   k=" . var_export($b->get('k'), true) . " other=" . var_export($b->get('other'), true) . " recoveries=$info[recoveries]");
    unset($b);
    T::dispose($name, $label);
}
T::finish();
