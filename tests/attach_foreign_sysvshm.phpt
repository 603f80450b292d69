--TEST--
SafeShm::__construct(): a sysvshm (shm_put_var) segment is refused with SafeShmException and keeps its data
--EXTENSIONS--
safeshm
sysvshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$shm = shm_attach($key, 16384, 0600);
shm_put_var($shm, 1, 'payload');
shm_put_var($shm, 2, ['an' => 'array']);
$raw = shmop_open($key, 'a', 0, 0);
$before = shmop_read($raw, 0, shmop_size($raw));
foreach ([[$key], [$key, 16384], [$key, 4096]] as $args) {
    try {
        new SafeShm(...$args);
        echo "attached\n";
    } catch (SafeShmException $e) {
        echo get_class($e), "\n";
    }
}
var_dump(shmop_read($raw, 0, shmop_size($raw)) === $before);
var_dump(shm_get_var($shm, 1), shm_get_var($shm, 2));
shm_remove($shm);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
SafeShmException
SafeShmException
SafeShmException
bool(true)
string(7) "payload"
array(1) {
  ["an"]=>
  string(5) "array"
}
