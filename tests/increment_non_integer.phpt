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
        echo "$label: ", get_class($e), ', unchanged: ', var_export($s->get($label) == $v && get_debug_type($s->get($label)) === get_debug_type($v), true), "\n";
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
numeric string: SafeShmException, unchanged: true
string: SafeShmException, unchanged: true
float: SafeShmException, unchanged: true
float int: SafeShmException, unchanged: true
true: SafeShmException, unchanged: true
false: SafeShmException, unchanged: true
null: SafeShmException, unchanged: true
array: SafeShmException, unchanged: true
object: SafeShmException, unchanged: true
int(9)
bool(true)
int(1)
