--TEST--
SafeShm::remove(): the segment and its one semaphore disappear from the system
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
// The store is created with a mode no other test uses (0604), so its semaphore can be told apart.
function sems(): array {
    $ids = [];
    foreach (array_slice(file('/proc/sysvipc/sem'), 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[2] === '604') $ids[] = $f[1];
    }
    return $ids;
}
function segment(int $key): ?array {
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[0] === (string) $key) return $f;
    }
    return null;
}
$before = sems();
$s = new SafeShm($key, 8192, 0604);
$s->put('k', 'v');
$seg = segment($key);
echo 'segment: ', $seg === null ? 'none' : "mode $seg[2] size $seg[3]", "\n";
$mine = array_values(array_diff(sems(), $before));
echo 'semaphores created with the store: ', count($mine), "\n";
$s->remove();
echo 'segment after remove: ', segment($key) === null ? 'none' : 'still there', "\n";
echo 'semaphores left: ', count(array_intersect($mine, sems())), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
segment: mode 604 size 8192
semaphores created with the store: 1
segment after remove: none
semaphores left: 0
