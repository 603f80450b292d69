--TEST--
shm_attach(): a size below 1 is a ValueError; attach and remove with a size, a mode and the default size
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/002.phpt.
$key = ftok(__FILE__, 't');
foreach ([[-1, 0], [0, -1], [123, -1], [$key, -1], [$key, 0]] as [$k, $size]) {
    try {
        shm_attach($k, $size);
    } catch (ValueError $e) {
        echo $e->getMessage(), "\n";
    }
}
foreach ([[$key, 1024], [$key, 1024], [$key, 1024, 0666], [$key, 1024], [$key]] as $args) {
    var_dump($s = shm_attach(...$args));
    shm_remove($s);
}
echo "Done\n";
?>
--EXPECTF--
shm_attach(): Argument #2 ($size) must be greater than 0
shm_attach(): Argument #2 ($size) must be greater than 0
shm_attach(): Argument #2 ($size) must be greater than 0
shm_attach(): Argument #2 ($size) must be greater than 0
shm_attach(): Argument #2 ($size) must be greater than 0
object(SysvSharedMemory)#%d (0) {
}
object(SysvSharedMemory)#%d (0) {
}
object(SysvSharedMemory)#%d (0) {
}
object(SysvSharedMemory)#%d (0) {
}
object(SysvSharedMemory)#%d (0) {
}
Done
