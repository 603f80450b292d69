--TEST--
Attaching and removing the same key twice, then shutting down, does not crash
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/shutdown_crash_0.phpt.
$key = ftok(__FILE__, 't');
var_dump($s = shm_attach($key, 1024));
shm_remove($s);
var_dump($s = shm_attach($key, 1024));
shm_remove($s);
?>
--EXPECT--
object(SysvSharedMemory)#1 (0) {
}
object(SysvSharedMemory)#2 (0) {
}
