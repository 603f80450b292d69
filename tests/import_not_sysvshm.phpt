--TEST--
SafeShm::importSysvshm(): a key without a sysvshm segment (none, shmop bytes, a SafeShm store) throws SafeShmException and changes nothing; bad keys are ValueErrors
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$other = test_key(__FILE__, 1);
$s = new SafeShm($key, 65536, 0600);
$s->put('existing', 'kept');
function attempt(string $label, callable $f, int ...$keys): void {
    try {
        $r = $f();
        echo "$label: returned ", var_export($r, true), "\n";
    } catch (Throwable $e) {
        $msg = $e->getMessage();
        foreach ($keys as $i => $k) $msg = str_replace(sprintf('0x%08x', $k), 'KEY' . ($i + 1), $msg);
        echo "$label: ", get_class($e), ': ', $msg, "\n";
    }
}
attempt('no segment', fn() => $s->importSysvshm($other), $other);
$id = shmop_open($other, 'c', 0600, 8192);
shmop_write($id, 'hello from shmop', 0);
$before = shmop_read($id, 0, 8192);
attempt('shmop text', fn() => $s->importSysvshm($other), $other);
echo 'shmop bytes untouched: ', shmop_read($id, 0, 8192) === $before ? 'yes' : 'NO', "\n";
shmop_delete($id);
$id = shmop_open($other, 'c', 0600, 16);
shmop_write($id, "PHP_SM\0\0", 0);
attempt('sysvshm magic in a 16-byte segment', fn() => $s->importSysvshm($other), $other);
shmop_delete($id);
$t = new SafeShm($other, 8192, 0600);
$t->put(1, 'a SafeShm store');
attempt('a SafeShm store', fn() => $s->importSysvshm($other), $other);
$t->remove();
attempt('its own key', fn() => $s->importSysvshm($key));
attempt('key 0', fn() => $s->importSysvshm(0));
attempt('key 2^31', fn() => $s->importSysvshm(1 << 31));
attempt('string', fn() => $s->importSysvshm('abc'));
var_dump($s->keys(), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
no segment: SafeShmException: SafeShm::importSysvshm(): key KEY1: No such file or directory
shmop text: SafeShmException: SafeShm::importSysvshm(): key KEY1 does not hold an ext/sysvshm segment
shmop bytes untouched: yes
sysvshm magic in a 16-byte segment: SafeShmException: SafeShm::importSysvshm(): key KEY1 does not hold an ext/sysvshm segment
a SafeShm store: SafeShmException: SafeShm::importSysvshm(): key KEY1 does not hold an ext/sysvshm segment
its own key: ValueError: SafeShm::importSysvshm(): Argument #1 ($key) must not be the key of this store
key 0: ValueError: SafeShm::importSysvshm(): Argument #1 ($key) must be a non-zero System V IPC key (a 32-bit integer)
key 2^31: ValueError: SafeShm::importSysvshm(): Argument #1 ($key) must be a non-zero System V IPC key (a 32-bit integer)
string: TypeError: SafeShm::importSysvshm(): Argument #1 ($key) must be of type int, string given
array(1) {
  [0]=>
  string(8) "existing"
}
bool(true)
