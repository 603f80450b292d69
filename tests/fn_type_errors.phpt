--TEST--
safeshm_* functions: wrong argument types and counts give PHP's usual TypeError / ArgumentCountError and change nothing
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$shm = safeshm_attach($key, 8192, 0600);
safeshm_put_var($shm, 1, 'kept');
$calls = [
    'attach key array' => fn() => safeshm_attach([]),
    'attach permissions string' => fn() => safeshm_attach($key, 8192, 'rw'),
    'detach stdClass' => fn() => safeshm_detach(new stdClass),
    'detach int' => fn() => safeshm_detach($key),
    'remove null' => fn() => safeshm_remove(null),
    'put_var string key' => fn() => safeshm_put_var($shm, 'one', 'x'),
    'put_var no value' => fn() => safeshm_put_var($shm, 1),
    'get_var string key' => fn() => safeshm_get_var($shm, 'one'),
    'get_var resource' => fn() => safeshm_get_var(STDIN, 1),
    'has_var array key' => fn() => safeshm_has_var($shm, []),
    'get_var no key' => fn() => safeshm_get_var($shm),
];
foreach ($calls as $label => $f) {
    try {
        $r = $f();
        echo "$label: returned ", var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
// Numeric strings are ints in coercive mode, as for every int parameter.
var_dump(safeshm_get_var($shm, '1'));
var_dump(count($shm), safeshm_get_var($shm, 1));
safeshm_remove($shm);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
attach key array: TypeError: safeshm_attach(): Argument #1 ($key) must be of type int, array given
attach permissions string: TypeError: safeshm_attach(): Argument #3 ($permissions) must be of type int, string given
detach stdClass: TypeError: safeshm_detach(): Argument #1 ($shm) must be of type SafeShm, stdClass given
detach int: TypeError: safeshm_detach(): Argument #1 ($shm) must be of type SafeShm, int given
remove null: TypeError: safeshm_remove(): Argument #1 ($shm) must be of type SafeShm, null given
put_var string key: TypeError: safeshm_put_var(): Argument #2 ($key) must be of type int, string given
put_var no value: ArgumentCountError: safeshm_put_var() expects exactly 3 arguments, 2 given
get_var string key: TypeError: safeshm_get_var(): Argument #2 ($key) must be of type int, string given
get_var resource: TypeError: safeshm_get_var(): Argument #1 ($shm) must be of type SafeShm, resource given
has_var array key: TypeError: safeshm_has_var(): Argument #2 ($key) must be of type int, array given
get_var no key: ArgumentCountError: safeshm_get_var() expects exactly 2 arguments, 1 given
string(4) "kept"
int(1)
string(4) "kept"
