--TEST--
SafeShm::__construct(): the largest size is 32 GiB - 8 bytes (index slots hold offset / 8 in 32 bits), and the message says exactly that; safeshm.default_size has the same bounds
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
foreach ([32 * 1024 ** 3, 32 * 1024 ** 3 - 7, PHP_INT_MAX] as $size) {
    try {
        new SafeShm(test_key(__FILE__, 0), $size);
        echo "$size: created\n";
    } catch (ValueError $e) {
        echo "$size: ", $e->getMessage(), "\n";
    }
}
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
echo preg_replace('/\s+/', ' ', trim((string) shell_exec(escapeshellarg($php) . ' ' . getenv('TEST_PHP_EXTRA_ARGS')
    . ' -d display_startup_errors=1 -d display_errors=1 -d log_errors=0 -d safeshm.default_size=34359738368 -r ' . escapeshellarg('echo " => ", ini_get("safeshm.default_size");') . ' 2>&1'))), "\n";
?>
--EXPECT--
34359738368: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
34359738361: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
9223372036854775807: SafeShm::__construct(): Argument #2 ($size) must be 0 (safeshm.default_size) or between 4096 and 34359738360 bytes (32 GiB - 8)
Warning: PHP Startup: safeshm.default_size must be between 4096 and 34359738360 bytes (32 GiB - 8) in Unknown on line 0 => 1048576
