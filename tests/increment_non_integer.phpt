--TEST--
SafeShm::increment(): on a value that is not an int it throws SafeShmException and changes nothing
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$values = ['numeric string' => '5', 'string' => 'abc', 'float' => 1.5, 'float int' => 2.0, 'true' => true,
           'false' => false, 'null' => null, 'array' => [1], 'object' => new ArrayObject([])];
foreach ($values as $label => $v) {
    $s->put($label, $v);
    try {
        var_dump($s->increment($label));
    } catch (SafeShmException $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), ', unchanged: ', var_export($s->get($label) == $v && get_debug_type($s->get($label)) === get_debug_type($v), true), "\n";
    }
}
var_dump(count($s), $s->verify());
// Not holding the lock after the failure.
var_dump($s->increment('ok'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
numeric string: SafeShmException: SafeShm::increment(): the value stored under this key is not an int, unchanged: true
string: SafeShmException: SafeShm::increment(): the value stored under this key is not an int, unchanged: true
float: SafeShmException: SafeShm::increment(): the value stored under this key is not an int, unchanged: true
float int: SafeShmException: SafeShm::increment(): the value stored under this key is not an int, unchanged: true
true: SafeShmException: SafeShm::increment(): the value stored under this key is not an int, unchanged: true
false: SafeShmException: SafeShm::increment(): the value stored under this key is not an int, unchanged: true
null: SafeShmException: SafeShm::increment(): the value stored under this key is not an int, unchanged: true
array: SafeShmException: SafeShm::increment(): the value stored under this key is not an int, unchanged: true
object: SafeShmException: SafeShm::increment(): the value stored under this key is not an int, unchanged: true
int(9)
bool(true)
int(1)
