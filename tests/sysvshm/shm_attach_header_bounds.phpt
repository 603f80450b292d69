--TEST--
shm_attach() refuses a segment whose sysvshm header points out of bounds (end 1 GiB into a 4 KiB segment)
--EXTENSIONS--
shmop
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
if (PHP_INT_SIZE !== 8) die('skip 64-bit only');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/shm_attach_header_bounds.phpt.
$key = ftok(__FILE__, 's');
$h = shmop_open($key, 'c', 0600, 4096);
// sysvshm's header (magic, start, end, free, total), then a chunk (key, length, next) announcing a long string
shmop_write($h, pack('a8qqqq', 'PHP_SM', 40, 1 << 30, 0, 4096), 0);
shmop_write($h, pack('qqq', 1, 1 << 20, 32) . 's:1000000:"', 40);
$shm = shm_attach($key, 4096);
var_dump($shm);
if ($shm !== false) {
    var_dump(shm_get_var($shm, 1));
    shm_remove($shm);
}
shmop_delete($h); // not left for --CLEAN--, which finds the key only while this file exists
echo "Done\n";
?>
--CLEAN--
<?php
$h = @shmop_open(ftok(__DIR__ . '/shm_attach_header_bounds.php', 's'), 'w', 0, 0);
if ($h !== false) shmop_delete($h);
?>
--EXPECTF--
Warning: shm_attach(): Failed for key 0x%x: segment header is corrupted in %s on line %d
bool(false)
Done
