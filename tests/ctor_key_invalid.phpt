--TEST--
SafeShm::__construct(): key 0, a key outside key_t (int32) or an empty name is a ValueError; negative key_t values are valid
--EXTENSIONS--
safeshm
--FILE--
<?php
// key_t is a signed 32-bit int: negative keys are valid (ftok() with a project id >= 0x80 makes them).
foreach ([0, -1, -2147483648, 0x80000000, 0xFFFFFFFF, PHP_INT_MAX, PHP_INT_MIN, ''] as $k) {
    try {
        $s = new SafeShm($k, 8192);
        echo var_export($k, true), ": created\n";
        $s->remove();
    } catch (Throwable $e) {
        echo var_export($k, true), ': ', get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--CLEAN--
<?php
foreach ([-1, -2147483648] as $k) {
    try { (new SafeShm($k))->remove(); } catch (Throwable) {}
}
?>
--EXPECTF--
0: ValueError: SafeShm::__construct(): Argument #1 ($key) %s
-1: created
-2147483648: created
2147483648: ValueError: SafeShm::__construct(): Argument #1 ($key) %s
4294967295: ValueError: SafeShm::__construct(): Argument #1 ($key) %s
9223372036854775807: ValueError: SafeShm::__construct(): Argument #1 ($key) %s
-9223372036854775807-1: ValueError: SafeShm::__construct(): Argument #1 ($key) %s
'': ValueError: SafeShm::__construct(): Argument #1 ($key) %s
