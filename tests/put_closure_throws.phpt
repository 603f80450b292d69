--TEST--
SafeShm::put()/add(): a value that cannot be serialized (a Closure) throws and changes nothing
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('k', 'old');
$before = $s->info();
$attempts = [
    'closure' => fn() => 1,
    'array with closure' => ['ok' => 1, 'bad' => function () {}],
    'object with closure' => (function () { $o = new stdClass; $o->f = fn() => 2; return $o; })(),
    'generator' => (function () { yield 1; })(),
];
foreach ($attempts as $label => $v) {
    try {
        $s->put('k', $v);
        echo "$label: stored\n";
    } catch (Exception $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
try {
    var_dump($s->add('new', fn() => 3));
} catch (Exception $e) {
    echo 'add: ', get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($s->get('k'), $s->has('new'), count($s));
$after = $s->info();
var_dump($after['used'] === $before['used'], $after['entries'] === $before['entries']);
// The lock was not left held: a write right after still works.
$s->put('k', 'new');
var_dump($s->get('k'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
closure: Exception: Serialization of 'Closure' is not allowed
array with closure: Exception: Serialization of 'Closure' is not allowed
object with closure: Exception: Serialization of 'Closure' is not allowed
generator: Exception: Serialization of 'Generator' is not allowed
add: Exception: Serialization of 'Closure' is not allowed
string(3) "old"
bool(false)
int(1)
bool(true)
bool(true)
string(3) "new"
