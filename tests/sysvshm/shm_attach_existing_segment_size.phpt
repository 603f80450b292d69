--TEST--
shm_attach() of an existing segment takes its size from the system, not from $size
--EXTENSIONS--
shmop
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/shm_attach_existing_segment_size.phpt.
$key = ftok(__FILE__, 's');
$raw = shmop_open($key, 'n', 0600, 4096); // a blank 4 KiB segment, made by someone else
$shm = shm_attach($key, 10 * 1024 * 1024);
var_dump($shm instanceof SysvSharedMemory);
var_dump(shm_put_var($shm, 1, str_repeat('A', 1024 * 1024)));
var_dump(shm_put_var($shm, 2, 'ok'));
var_dump(shm_get_var($shm, 2));
var_dump(shm_remove($shm));
?>
--CLEAN--
<?php
$h = @shmop_open(ftok(__DIR__ . '/shm_attach_existing_segment_size.php', 's'), 'w', 0, 0);
if ($h !== false) shmop_delete($h);
?>
--EXPECTF--
bool(true)

Warning: shm_put_var(): Not enough shared memory left in %s on line %d
bool(false)
bool(true)
string(2) "ok"
bool(true)
