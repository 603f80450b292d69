--TEST--
SafeShm::__construct(): a size below 4096, above 32 GiB or negative is a ValueError and creates nothing
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
function segment_exists(int $key): bool {
    foreach (file('/proc/sysvipc/shm') as $line) {
        if (preg_split('/\s+/', trim($line))[0] === (string) $key) return true;
    }
    return false;
}
foreach ([1, 100, 4095, -1, -4096, PHP_INT_MIN, (32 << 30) + 8, PHP_INT_MAX] as $size) {
    try {
        $s = new SafeShm($key, $size);
        echo "$size: created\n";
        $s->remove();
    } catch (Throwable $e) {
        echo "$size: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump(segment_exists($key));
$s = new SafeShm($key, 4096);
var_dump($s->info()['size']);
$s->put('k', 'v');
var_dump($s->get('k'));
$s->remove();
var_dump(segment_exists($key));
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
1: ValueError: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
100: ValueError: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
4095: ValueError: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
-1: ValueError: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
-4096: ValueError: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
-9223372036854775808: ValueError: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
34359738376: ValueError: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
9223372036854775807: ValueError: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
bool(false)
int(4096)
string(1) "v"
bool(false)
