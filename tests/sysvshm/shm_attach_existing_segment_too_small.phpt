--TEST--
shm_attach() refuses an existing segment too small for a header
--EXTENSIONS--
shmop
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/shm_attach_existing_segment_too_small.phpt.
$key = ftok(__FILE__, 's');
$raw = shmop_open($key, 'n', 0600, 8);
var_dump(shm_attach($key, 1024));
shmop_delete($raw);
?>
--CLEAN--
<?php
$h = @shmop_open(ftok(__DIR__ . '/shm_attach_existing_segment_too_small.php', 's'), 'w', 0, 0);
if ($h !== false) shmop_delete($h);
?>
--EXPECTF--
Warning: shm_attach(): Failed for key 0x%x: segment too small in %s on line %d
bool(false)
