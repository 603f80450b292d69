--TEST--
shm_remove_var(): removes a variable; a missing one warns and returns false
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/006.phpt.
$s = shm_attach(ftok(__FILE__, 't'), 1024);
shm_put_var($s, 1, "test string");
var_dump(shm_remove_var($s, -10));
var_dump(shm_get_var($s, 1));
var_dump(shm_remove_var($s, 1));
var_dump(shm_get_var($s, 1));
var_dump(shm_remove_var($s, 1));
var_dump(shm_get_var($s, 1));
shm_remove($s);
echo "Done\n";
?>
--EXPECTF--
Warning: shm_remove_var(): Variable key -10 doesn't exist in %s on line %d
bool(false)
string(11) "test string"
bool(true)

Warning: shm_get_var(): Variable key 1 doesn't exist in %s on line %d
bool(false)

Warning: shm_remove_var(): Variable key 1 doesn't exist in %s on line %d
bool(false)

Warning: shm_get_var(): Variable key 1 doesn't exist in %s on line %d
bool(false)
Done
