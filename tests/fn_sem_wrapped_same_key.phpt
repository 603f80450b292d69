--TEST--
safeshm_put_var() wrapped in sem_get($key) + sem_acquire() on the same $key: no semaphore collision, no deadlock, no lost update across processes
--EXTENSIONS--
safeshm
sysvsem
pcntl
--INI--
safeshm.lock_timeout=2
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// The pattern of sysvshm code, unchanged but for the function names: the application's semaphore and the
// store share $key. SafeShm's own semaphore has a key derived from $key and never equal to it.
$key = test_key(__FILE__);
const WORKERS = 4, ROUNDS = 250;
$sem = sem_get($key, 1, 0600, false);
sem_acquire($sem);
$shm = safeshm_attach($key, 65536, 0631);   // first attach while the application's semaphore is held
safeshm_put_var($shm, 1, 0);
sem_release($sem);
$pids = [];
for ($w = 0; $w < WORKERS; $w++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $sem = sem_get($key, 1, 0600, false);
        $shm = safeshm_attach($key);
        try {
            for ($i = 0; $i < ROUNDS; $i++) {
                sem_acquire($sem);
                // read-modify-write: the application's semaphore makes the pair atomic
                safeshm_put_var($shm, 1, safeshm_get_var($shm, 1) + 1);
                safeshm_put_var($shm, 100 + $w, $i);
                sem_release($sem);
            }
        } catch (Throwable $e) {
            fwrite(STDOUT, "worker $w: " . get_class($e) . ': ' . $e->getMessage() . "\n");
            exit(1);
        }
        exit(0);
    }
    $pids[] = $pid;
}
$failed = 0;
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $status);
    if (!pcntl_wifexited($status) || pcntl_wexitstatus($status) !== 0) $failed++;
}
echo 'workers failed: ', $failed, "\n";
echo 'counter: ', safeshm_get_var($shm, 1), ' of ', WORKERS * ROUNDS, "\n";
$last = [];
for ($w = 0; $w < WORKERS; $w++) $last[] = safeshm_get_var($shm, 100 + $w);
echo 'last round of each worker: ', implode(' ', $last), "\n";
var_dump($shm->verify());
$sems = test_ipc_list('sem');
echo 'store semaphore: under the derived key ', var_export(($sems[test_sem_key($key)] ?? null) === $shm->info()['semid'], true),
    ', derived key equal to $key: ', var_export(test_sem_key($key) === $key, true), "\n";
echo 'application semaphore still has key $key: ', var_export(isset($sems[$key]), true), "\n";
// Removing the store leaves the application's semaphore alone, and the other way round.
safeshm_remove($shm);
safeshm_detach($shm);
echo 'store semaphore after remove: ', var_export(isset(test_ipc_list('sem')[test_sem_key($key)]), true), "\n";
var_dump(sem_acquire($sem, true), sem_release($sem), sem_remove($sem));
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
workers failed: 0
counter: 1000 of 1000
last round of each worker: 249 249 249 249
bool(true)
store semaphore: under the derived key true, derived key equal to $key: false
application semaphore still has key $key: true
store semaphore after remove: false
bool(true)
bool(true)
bool(true)
