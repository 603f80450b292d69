--TEST--
shm_detach(): true once; after it, shm_detach() and shm_remove() throw Error
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/003.phpt.
$s = shm_attach(ftok(__FILE__, 'q'));
var_dump(shm_detach($s));
foreach (['shm_detach', 'shm_remove'] as $f) {
    try {
        $f($s);
    } catch (Error $e) {
        echo $e->getMessage(), "\n";
    }
}
echo "Done\n";
?>
--CLEAN--
<?php
$s = shm_attach(ftok(__DIR__ . '/003.php', 'q'));
shm_remove($s);
?>
--EXPECTF--
bool(true)
Shared memory block has already been destroyed
Shared memory block has already been destroyed
Done
