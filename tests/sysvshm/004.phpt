--TEST--
shm_put_var(): stores under negative and repeated keys; a value that does not fit warns and returns false
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/004.phpt.
// php-src stores a 2 KB string into a 1024-byte segment; SafeShm makes a segment that holds at least what
// sysvshm holds in $size bytes, so a 2 KB string may fit: the value here is too big for any sizing.
$s = shm_attach(ftok(__FILE__, 't'), 1024);
var_dump(shm_put_var($s, -1, "qwerty"));
var_dump(shm_put_var($s, 10, "qwerty"));
var_dump(shm_put_var($s, 10, "qwerty"));
var_dump(shm_put_var($s, 11, str_repeat("test", 1 << 18)));
shm_remove($s);
echo "Done\n";
?>
--EXPECTF--
bool(true)
bool(true)
bool(true)

Warning: shm_put_var(): Not enough shared memory left in %s on line %d
bool(false)
Done
