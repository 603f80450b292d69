--TEST--
SafeShm::remove(): the segment and its one semaphore disappear from the system
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
// SafeShm makes one semaphore per store, under the key it derives from the segment key (test_sem_key()).
function sems(int $key): array {
    return array_values(array_intersect_key(test_ipc_list('sem'), [test_sem_key($key) => 1]));
}
function segment(int $key): ?array {
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[0] === (string) $key) return $f;
    }
    return null;
}
$s = new SafeShm($key, 8192, 0604);
$s->put('k', 'v');
$seg = segment($key);
echo 'segment: ', $seg === null ? 'none' : "mode $seg[2] size $seg[3]", "\n";
$mine = sems($key);
echo 'semaphores created with the store: ', count($mine), ', the one info() names: ', var_export($mine === [$s->info()['semid']], true), "\n";
$s->remove();
echo 'segment after remove: ', segment($key) === null ? 'none' : 'still there', "\n";
echo 'semaphores left: ', count(sems($key)), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
segment: mode 604 size 8192
semaphores created with the store: 1, the one info() names: true
segment after remove: none
semaphores left: 0
