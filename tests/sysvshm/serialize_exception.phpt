--TEST--
An exception thrown by __serialize() propagates out of shm_put_var()
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/serialize_exception.phpt.
class Refuses {
    public function __serialize(): array {
        throw new Error("no");
    }
}
$s = shm_attach(ftok(__FILE__, 't'), 1024);
try {
    shm_put_var($s, 1, new Refuses);
} catch (Error $e) {
    echo $e::class, ': ', $e->getMessage(), "\n";
}
var_dump(shm_has_var($s, 1));
shm_remove($s);
?>
--EXPECT--
Error: no
bool(false)
