--TEST--
GH-16591: a __serialize() that detaches the handle during shm_put_var() gets Error, also after shm_remove() (no use of freed memory)
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/gh16591.phpt.
class DetachesWhileSerialized {
    public function __serialize(): array {
        global $mem;
        shm_detach($mem);
        return ['a' => 'b'];
    }
}
$key = ftok(__FILE__, 't');
$mem = shm_attach($key);
$cleanup = shm_attach($key);
try {
    shm_put_var($mem, 1, new DetachesWhileSerialized);
} catch (Error $e) {
    echo $e->getMessage(), "\n";
}
// The same once the segment is removed: the handle is then the only holder of its mapping.
$mem = shm_attach($key);
shm_remove($mem);
try {
    shm_put_var($mem, 1, new DetachesWhileSerialized);
} catch (Error $e) {
    echo $e->getMessage(), "\n";
}
shm_remove($cleanup);
?>
--EXPECT--
Shared memory block has been destroyed by the serialization function
Shared memory block has been destroyed by the serialization function
