--TEST--
safeshm.sysvshm_compat=1: the classic sem_get($key) + sem_acquire() around shm_put_var() on the same $key runs unchanged in concurrent processes: no collision, no deadlock, no lost update
--EXTENSIONS--
safeshm
sysvsem
--SKIPIF--
<?php
require __DIR__ . '/_compat.inc';
if ($why = compat_unavailable()) die("skip no compat child here: $why");
?>
--FILE--
<?php
require __DIR__ . '/_compat.inc';
// sysvshm code as it is written in the wild, unchanged: attach and detach inside the application's lock.
$worker = <<<'WORKER'
<?php
[, $key, $rounds, $id] = array_map('intval', $argv);
$sem = sem_get($key, 1, 0666, true);
for ($i = 0; $i < $rounds; $i++) {
    sem_acquire($sem);
    $shm = shm_attach($key, 65536, 0666);
    $n = shm_has_var($shm, 1) ? shm_get_var($shm, 1) : 0;
    shm_put_var($shm, 1, $n + 1);
    shm_put_var($shm, 100 + $id, $i);
    shm_detach($shm);
    sem_release($sem);
}
echo "worker $id: done, ", get_class($shm), "\n";
WORKER;
const WORKERS = 4, ROUNDS = 300;
$key = test_key(__FILE__);
$procs = [];
for ($w = 0; $w < WORKERS; $w++) {
    // safeshm.lock_timeout bounds SafeShm's own waits: a deadlock would end in SafeShmTimeoutException
    $procs[$w] = proc_open(compat_command([$key, ROUNDS, $w], ['sysvsem'], ['safeshm.lock_timeout' => '2']),
        [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes[$w]);
    fwrite($pipes[$w][0], $worker);
    fclose($pipes[$w][0]);
}
for ($w = 0; $w < WORKERS; $w++) {
    echo stream_get_contents($pipes[$w][1]);
    fclose($pipes[$w][1]);
    $rc = proc_close($procs[$w]);
    if ($rc !== 0) echo "worker $w: exit $rc\n";
}
$s = new SafeShm($key);
echo 'counter: ', $s->get(1), ' of ', WORKERS * ROUNDS, "\n";
$last = [];
for ($w = 0; $w < WORKERS; $w++) $last[] = $s->get(100 + $w);
echo 'last round of each worker: ', implode(' ', $last), "\n";
var_dump($s->verify());
$semKeys = [];
foreach (array_slice(file('/proc/sysvipc/sem'), 1) as $line) $semKeys[] = (int) preg_split('/\s+/', trim($line))[0];
echo 'application semaphore under $key: ', var_export(in_array($key, $semKeys, true), true), "\n";
$s->remove();
$sem = sem_get($key, 1, 0666, true);
var_dump(sem_acquire($sem, true), sem_release($sem), sem_remove($sem));
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
worker 0: done, SysvSharedMemory
worker 1: done, SysvSharedMemory
worker 2: done, SysvSharedMemory
worker 3: done, SysvSharedMemory
counter: 1200 of 1200
last round of each worker: 299 299 299 299
bool(true)
application semaphore under $key: true
bool(true)
bool(true)
bool(true)
