--TEST--
GH-9945: a key outside key_t's 32 bits is a ValueError
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
if (PHP_INT_SIZE !== 8) die('skip 64-bit only');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/gh9945.phpt.
try {
    shm_attach(0x100000000, 0);
} catch (ValueError $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
shm_attach(): Argument #1 ($key) is out of range
