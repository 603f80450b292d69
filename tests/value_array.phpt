--TEST--
SafeShm: arrays (empty, nested, mixed keys, mixed value types) come back identical (===)
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$values = [
    'empty' => [],
    'list' => [1, 2, 3],
    'assoc' => ['a' => 1, 'b' => 'two', 'c' => 3.5, 'd' => null, 'e' => false, 'f' => true],
    'mixed_keys' => [5 => 'five', 'x' => 'ex', -3 => 'neg', '7' => 'seven', '08' => 'string key'],
    'nested' => ['l1' => ['l2' => ['l3' => ['deep' => "a\0b"]]], 'list' => [[], [[]]]],
    'order' => ['z' => 1, 'a' => 2, 'm' => 3],
    'json' => json_decode('{"zmq":{"host":"19.168.1.100","port":"8899","createTime":1542110838}}', true),
    'big' => range(1, 2000),
];
foreach ($values as $k => $v) $s->put($k, $v);
$t = new SafeShm($key);
foreach ($values as $k => $v) {
    echo "$k: ", $t->get($k) === $v ? 'identical' : 'DIFFERENT', "\n";
}
var_dump(array_keys($t->get('mixed_keys')));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
empty: identical
list: identical
assoc: identical
mixed_keys: identical
nested: identical
order: identical
json: identical
big: identical
array(5) {
  [0]=>
  int(5)
  [1]=>
  string(1) "x"
  [2]=>
  int(-3)
  [3]=>
  int(7)
  [4]=>
  string(2) "08"
}
