--TEST--
SafeShm::__construct(): a segment written by shmop is refused with SafeShmException and left byte for byte untouched
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// A semaphore SafeShm made for one of these keys would be under the key it derives from it (test_sem_key()).
function sems(int ...$keys): array {
    return array_intersect_key(test_ipc_list('sem'), array_flip(array_map('test_sem_key', $keys)));
}
$cases = [
    'hello at offset 0' => [test_key(__FILE__), 0, 'hello'],
    'bytes only in the tail' => [test_key(__FILE__, 1), 8000, 'tail bytes, header all zero'],
];
foreach ($cases as $label => [$key, $offset, $data]) {
    $id = shmop_open($key, 'c', 0600, 8192);
    shmop_write($id, $data, $offset);
    $before = shmop_read($id, 0, 8192);
    foreach ([[$key], [$key, 8192, 0602], [$key, 65536, 0602]] as $args) {
        try {
            $s = new SafeShm(...$args);
            echo "$label: attached\n";
        } catch (SafeShmException $e) {
            echo "$label: ", get_class($e), "\n";
        }
    }
    $after = shmop_read($id, 0, 8192);
    echo "$label: bytes untouched: ", $after === $before ? 'yes' : 'NO', ', size still ', shmop_size($id), "\n";
    shmop_delete($id);
}
echo 'semaphores left behind: ', count(sems(test_key(__FILE__), test_key(__FILE__, 1))), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
hello at offset 0: SafeShmException
hello at offset 0: SafeShmException
hello at offset 0: SafeShmException
hello at offset 0: bytes untouched: yes, size still 8192
bytes only in the tail: SafeShmException
bytes only in the tail: SafeShmException
bytes only in the tail: SafeShmException
bytes only in the tail: bytes untouched: yes, size still 8192
semaphores left behind: 0
