--TEST--
SafeShm::__construct(): key 0, a key outside key_t (int32), an empty name or a name over 200 bytes is a ValueError; negative key_t values and 200-byte names are valid
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
test_boundary_keys_lock();
$long = str_pad(test_name(__FILE__), 200, '-');
// key_t is a signed 32-bit int: negative keys are valid (ftok() with a project id >= 0x80 makes them).
foreach ([0, -1, -2147483648, 0x80000000, 0xFFFFFFFF, PHP_INT_MAX, PHP_INT_MIN, '', $long, $long . 'x'] as $k) {
    $label = is_string($k) && strlen($k) > 20 ? strlen($k) . '-byte name' : var_export($k, true);
    try {
        $s = new SafeShm($k, 8192);
        echo "$label: created\n";
        $s->remove();
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean_boundary(__FILE__, test_name_key(str_pad(test_name(__FILE__), 200, '-')));
?>
--EXPECT--
0: ValueError: SafeShm::__construct(): Argument #1 ($key) must be a non-zero System V IPC key (a 32-bit integer)
-1: created
-2147483648: created
2147483648: ValueError: SafeShm::__construct(): Argument #1 ($key) must be a non-zero System V IPC key (a 32-bit integer)
4294967295: ValueError: SafeShm::__construct(): Argument #1 ($key) must be a non-zero System V IPC key (a 32-bit integer)
9223372036854775807: ValueError: SafeShm::__construct(): Argument #1 ($key) must be a non-zero System V IPC key (a 32-bit integer)
-9223372036854775807-1: ValueError: SafeShm::__construct(): Argument #1 ($key) must be a non-zero System V IPC key (a 32-bit integer)
'': ValueError: SafeShm::__construct(): Argument #1 ($key) must not be an empty string
200-byte name: created
201-byte name: ValueError: SafeShm::__construct(): Argument #1 ($key) must be a name of at most 200 bytes
