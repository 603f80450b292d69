--TEST--
SafeShm: an entry key of 4096 bytes works; an empty key or one of 4097 bytes is a ValueError in every method
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$max = str_repeat('k', 4096);
$s->put($max, 'long');
var_dump($s->get($max), $s->has($max), $s->add($max, 'x'), $s->delete($max), $s->increment($max, 2));
var_dump(in_array($max, $s->keys(), true));
$calls = [
    'put' => fn($k) => $s->put($k, 1),
    'get' => fn($k) => $s->get($k),
    'has' => fn($k) => $s->has($k),
    'delete' => fn($k) => $s->delete($k),
    'add' => fn($k) => $s->add($k, 1),
    'increment' => fn($k) => $s->increment($k),
];
foreach (['' => 'empty', str_repeat('k', 4097) => '4097 bytes'] as $k => $label) {
    foreach ($calls as $m => $f) {
        try {
            $r = $f((string) $k);
            echo "$m($label): returned ", var_export($r, true), "\n";
        } catch (Throwable $e) {
            echo "$m($label): ", get_class($e), ': ', $e->getMessage(), "\n";
        }
    }
}
var_dump(count($s));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(4) "long"
bool(true)
bool(false)
bool(true)
int(2)
bool(true)
put(empty): ValueError: SafeShm::put(): Argument #1 ($key) must not be empty
get(empty): ValueError: SafeShm::get(): Argument #1 ($key) must not be empty
has(empty): ValueError: SafeShm::has(): Argument #1 ($key) must not be empty
delete(empty): ValueError: SafeShm::delete(): Argument #1 ($key) must not be empty
add(empty): ValueError: SafeShm::add(): Argument #1 ($key) must not be empty
increment(empty): ValueError: SafeShm::increment(): Argument #1 ($key) must not be empty
put(4097 bytes): ValueError: SafeShm::put(): Argument #1 ($key) must be at most 4096 bytes long
get(4097 bytes): ValueError: SafeShm::get(): Argument #1 ($key) must be at most 4096 bytes long
has(4097 bytes): ValueError: SafeShm::has(): Argument #1 ($key) must be at most 4096 bytes long
delete(4097 bytes): ValueError: SafeShm::delete(): Argument #1 ($key) must be at most 4096 bytes long
add(4097 bytes): ValueError: SafeShm::add(): Argument #1 ($key) must be at most 4096 bytes long
increment(4097 bytes): ValueError: SafeShm::increment(): Argument #1 ($key) must be at most 4096 bytes long
int(1)
