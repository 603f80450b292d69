--TEST--
SafeShm: a float key with no exact int value (1.5, INF, NAN, 1e20) is a TypeError, so 1.2 and 1.7 can never silently be one key; an integral float (2.0, -0.0) is the int key
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__, 0), 16384);
function attempt(string $label, callable $f): void
{
    try {
        $r = $f();
        echo "$label: ", var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
attempt('put(1.2)', fn() => $s->put(1.2, 'a'));
attempt('put(1.7)', fn() => $s->put(1.7, 'b'));
attempt('entries', fn() => count($s));
foreach (['get' => fn($k) => $s->get($k), 'has' => fn($k) => $s->has($k), 'delete' => fn($k) => $s->delete($k),
          'add' => fn($k) => $s->add($k, 1), 'increment' => fn($k) => $s->increment($k)] as $m => $f) {
    attempt("$m(0.5)", fn() => $f(0.5));
}
attempt('put(INF)', fn() => $s->put(INF, 1));
attempt('put(NAN)', fn() => $s->put(NAN, 1));
attempt('put(1e20)', fn() => $s->put(1e20, 1));
// Integral floats are the int key, as array offsets are.
$s->put(2.0, 'two');
attempt('get(2), get("2")', fn() => [$s->get(2), $s->get('2')]);
$s->put(-0.0, 'zero');
attempt('get(0)', fn() => $s->get(0));
attempt('keys', fn() => $s->keys());
// A numeric string is a string: "1.5" is its own key.
$s->put('1.5', 'string key');
attempt('get("1.5")', fn() => $s->get('1.5'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
try { (new SafeShm(test_key(__DIR__ . '/key_float.php', 0)))->remove(); } catch (Throwable) {}
test_clean(__FILE__);
?>
--EXPECT--
put(1.2): TypeError: SafeShm::put(): Argument #1 ($key) must be of type string|int, float 1.2 given: it has no exact int value (cast it, or pass a string, to choose the key)
put(1.7): TypeError: SafeShm::put(): Argument #1 ($key) must be of type string|int, float 1.7 given: it has no exact int value (cast it, or pass a string, to choose the key)
entries: 0
get(0.5): TypeError: SafeShm::get(): Argument #1 ($key) must be of type string|int, float 0.5 given: it has no exact int value (cast it, or pass a string, to choose the key)
has(0.5): TypeError: SafeShm::has(): Argument #1 ($key) must be of type string|int, float 0.5 given: it has no exact int value (cast it, or pass a string, to choose the key)
delete(0.5): TypeError: SafeShm::delete(): Argument #1 ($key) must be of type string|int, float 0.5 given: it has no exact int value (cast it, or pass a string, to choose the key)
add(0.5): TypeError: SafeShm::add(): Argument #1 ($key) must be of type string|int, float 0.5 given: it has no exact int value (cast it, or pass a string, to choose the key)
increment(0.5): TypeError: SafeShm::increment(): Argument #1 ($key) must be of type string|int, float 0.5 given: it has no exact int value (cast it, or pass a string, to choose the key)
put(INF): TypeError: SafeShm::put(): Argument #1 ($key) must be of type string|int, float INF given: it has no exact int value (cast it, or pass a string, to choose the key)
put(NAN): TypeError: SafeShm::put(): Argument #1 ($key) must be of type string|int, float NAN given: it has no exact int value (cast it, or pass a string, to choose the key)
put(1e20): TypeError: SafeShm::put(): Argument #1 ($key) must be of type string|int, float 1.0E+20 given: it has no exact int value (cast it, or pass a string, to choose the key)
get(2), get("2"): array (
  0 => 'two',
  1 => 'two',
)
get(0): 'zero'
keys: array (
  0 => 2,
  1 => 0,
)
get("1.5"): 'string key'
