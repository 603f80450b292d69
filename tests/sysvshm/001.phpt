--TEST--
ftok(): invalid arguments are ValueErrors, a missing file warns and gives -1, an existing one a key
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/001.phpt.
foreach ([['', ''], [-1, -1], ['abcdefg', 'abcdefg']] as [$file, $proj]) {
    try {
        ftok($file, $proj);
    } catch (ValueError $e) {
        echo $e->getMessage(), "\n";
    }
}
var_dump(ftok(__DIR__ . '/no such file', 'q'));
var_dump(ftok(__FILE__, 'q') > 0);
?>
--EXPECTF--
ftok(): Argument #1 ($filename) cannot be empty
ftok(): Argument #2 ($project_id) must be a single character
ftok(): Argument #2 ($project_id) must be a single character

Warning: ftok(): ftok() failed - No such file or directory in %s on line %d
int(-1)
bool(true)
