--TEST--
SafeShm::remove(): every other object for the store, and the remover, throw SafeShmException ("removed") on their next call
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$a = new SafeShm($key, 65536);
$a->put('k', 'v');
$objects = [];
$calls = ['get', 'put', 'has', 'delete', 'add', 'increment', 'count', 'keys', 'clear', 'info', 'verify'];
foreach ($calls as $m) $objects[$m] = new SafeShm($key);
$remover = new SafeShm($key);
var_dump($objects['get']->get('k'));
var_dump($remover->remove());
foreach ($calls as $m) {
    $o = $objects[$m];
    try {
        $r = match ($m) {
            'get' => $o->get('k'), 'put' => $o->put('k', 'orphan'), 'has' => $o->has('k'),
            'delete' => $o->delete('k'), 'add' => $o->add('n', 1), 'increment' => $o->increment('c'),
            'count' => count($o), 'keys' => $o->keys(), 'clear' => $o->clear(), 'info' => $o->info(),
            'verify' => $o->verify(),
        };
        echo "$m: returned ", json_encode($r), "\n";
    } catch (SafeShmException $e) {
        echo "$m: ", get_class($e), str_contains(strtolower($e->getMessage()), 'removed') ? ' (removed)' : ': ' . $e->getMessage(), "\n";
    }
}
foreach (['remover' => $remover, 'first' => $a] as $label => $o) {
    try {
        var_dump($o->get('k'));
    } catch (SafeShmException $e) {
        echo "$label: ", get_class($e), str_contains(strtolower($e->getMessage()), 'removed') ? ' (removed)' : ': ' . $e->getMessage(), "\n";
    }
}
// A new object for the key creates a fresh, empty store.
$n = new SafeShm($key, 8192);
var_dump(count($n), $n->get('k'), $n->info()['size'], $n->info()['used']);
$n->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(1) "v"
NULL
get: SafeShmException (removed)
put: SafeShmException (removed)
has: SafeShmException (removed)
delete: SafeShmException (removed)
add: SafeShmException (removed)
increment: SafeShmException (removed)
count: SafeShmException (removed)
keys: SafeShmException (removed)
clear: SafeShmException (removed)
info: SafeShmException (removed)
verify: SafeShmException (removed)
remover: SafeShmException (removed)
first: SafeShmException (removed)
int(0)
NULL
int(8192)
int(0)
