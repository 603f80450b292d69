--TEST--
shm_remove(): true; after shm_detach() it throws Error
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/007.phpt.
$s = shm_attach(ftok(__FILE__, 't'), 1024);
var_dump(shm_remove($s));
shm_detach($s);
try {
    shm_remove($s);
} catch (Error $e) {
    echo $e->getMessage(), "\n";
}
echo "Done\n";
?>
--EXPECT--
bool(true)
Shared memory block has already been destroyed
Done
