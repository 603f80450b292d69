--TEST--
shm_get_var(): values of every type come back; a missing key warns and returns false
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/005.phpt.
$s = shm_attach(ftok(__FILE__, 't'), 1024);
shm_put_var($s, -1, "test string");
shm_put_var($s, 0, new stdClass);
shm_put_var($s, 1, [1, 2, 3]);
shm_put_var($s, 2, false);
shm_put_var($s, 3, null);
var_dump(shm_get_var($s, 1000));
var_dump(shm_get_var($s, -10000));
foreach ([-1, 0, 1, 2, 3] as $k) var_dump(shm_get_var($s, $k));
shm_put_var($s, 3, "test");
shm_put_var($s, 3, 1);
shm_put_var($s, 3, null);
var_dump(shm_get_var($s, 3));
shm_remove($s);
echo "Done\n";
?>
--EXPECTF--
Warning: shm_get_var(): Variable key 1000 doesn't exist in %s on line %d
bool(false)

Warning: shm_get_var(): Variable key -10000 doesn't exist in %s on line %d
bool(false)
string(11) "test string"
object(stdClass)#%d (0) {
}
array(3) {
  [0]=>
  int(1)
  [1]=>
  int(2)
  [2]=>
  int(3)
}
bool(false)
NULL
NULL
Done
