--TEST--
safeshm_attach(): key outside key_t and size < 1 are ValueErrors (key checked first), key 0 warns and returns false; nothing is created
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
test_boundary_keys_lock();
$key = test_key(__FILE__);
function segment_exists(int $key): bool {
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
        if (preg_split('/\s+/', trim($line))[0] === (string) $key) return true;
    }
    return false;
}
$calls = [
    'key 2^31' => [2147483648, 10000],
    'key -2^31-1' => [-2147483649, 10000],
    'key PHP_INT_MAX' => [PHP_INT_MAX],
    'key PHP_INT_MIN, size 0' => [PHP_INT_MIN, 0],
    'size 0' => [$key, 0],
    'size -1' => [$key, -1],
    'size PHP_INT_MIN' => [$key, PHP_INT_MIN],
    'key 0' => [0],
    'key 0, size 4096' => [0, 4096],
    'key 0, size 0' => [0, 0],
    'key "abc"' => ['abc'],
    'size "big"' => [$key, 'big'],
];
foreach ($calls as $label => $args) {
    try {
        $r = @safeshm_attach(...$args);
        $err = error_get_last();
        error_clear_last();
        echo "$label: ", var_export($r, true), $err ? ' + warning: ' . $err['message'] : '', "\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump(segment_exists($key));
// The warning for key 0 is an E_WARNING with the function's name, as sysvshm's are.
var_dump(safeshm_attach(0));
// Boundaries of key_t are accepted.
foreach ([2147483647, -2147483648] as $k) {
    $s = safeshm_attach($k, 4096, 0600);
    echo "$k: ", $s instanceof SafeShm ? 'attached' : 'failed', "\n";
    $s->remove();
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean_boundary(__FILE__);
?>
--EXPECTF--
key 2^31: ValueError: safeshm_attach(): Argument #1 ($key) is out of range
key -2^31-1: ValueError: safeshm_attach(): Argument #1 ($key) is out of range
key PHP_INT_MAX: ValueError: safeshm_attach(): Argument #1 ($key) is out of range
key PHP_INT_MIN, size 0: ValueError: safeshm_attach(): Argument #1 ($key) is out of range
size 0: ValueError: safeshm_attach(): Argument #2 ($size) must be greater than 0
size -1: ValueError: safeshm_attach(): Argument #2 ($size) must be greater than 0
size PHP_INT_MIN: ValueError: safeshm_attach(): Argument #2 ($size) must be greater than 0
key 0: false + warning: safeshm_attach(): Failed for key 0x0: IPC_PRIVATE segments are not supported
key 0, size 4096: false + warning: safeshm_attach(): Failed for key 0x0: IPC_PRIVATE segments are not supported
key 0, size 0: ValueError: safeshm_attach(): Argument #2 ($size) must be greater than 0
key "abc": TypeError: safeshm_attach(): Argument #1 ($key) must be of type int, string given
size "big": TypeError: safeshm_attach(): Argument #2 ($size) must be of type ?int, string given
bool(false)

Warning: safeshm_attach(): Failed for key 0x0: IPC_PRIVATE segments are not supported in %s on line %d
bool(false)
2147483647: attached
-2147483648: attached
