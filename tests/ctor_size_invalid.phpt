--TEST--
SafeShm::__construct(): a size below 4096 or negative is a ValueError and creates nothing
--EXTENSIONS--
safeshm
--FILE--
<?php
$key = ftok(__FILE__, 'a');
function segment_exists(int $key): bool {
    foreach (file('/proc/sysvipc/shm') as $line) {
        if (preg_split('/\s+/', trim($line))[0] === (string) $key) return true;
    }
    return false;
}
foreach ([1, 100, 4095, -1, -4096, PHP_INT_MIN] as $size) {
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
try { (new SafeShm(ftok(__DIR__ . '/ctor_size_invalid.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECTF--
1: ValueError: SafeShm::__construct(): Argument #2 ($size) %s
100: ValueError: SafeShm::__construct(): Argument #2 ($size) %s
4095: ValueError: SafeShm::__construct(): Argument #2 ($size) %s
-1: ValueError: SafeShm::__construct(): Argument #2 ($size) %s
-4096: ValueError: SafeShm::__construct(): Argument #2 ($size) %s
-9223372036854775808: ValueError: SafeShm::__construct(): Argument #2 ($size) %s
bool(false)
int(4096)
string(1) "v"
bool(false)
