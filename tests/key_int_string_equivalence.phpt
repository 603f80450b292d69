--TEST--
SafeShm: int keys and canonical numeric-string keys are the same entry, as in PHP arrays
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put(7, 'int seven');
var_dump($s->get('7'), $s->has('7'));
$s->put('7', 'string seven');
var_dump($s->get(7), count($s));
$s->put(-5, 'minus five');
var_dump($s->get('-5'));
$s->put('9223372036854775807', 'max');
var_dump($s->get(PHP_INT_MAX));
$s->put(0, 'zero');
var_dump($s->get('0'));
var_dump(count($s));

// Non-canonical numeric strings are different keys.
foreach (['07', '7.0', ' 7', '7 ', '+7', '-0', '00', '1e3', '0x1A', '9223372036854775808'] as $k) {
    echo var_export($k, true), ': ', var_export($s->get($k), true), "\n";
}
$s->put('07', 'oh seven');
var_dump($s->get(7), $s->get('07'), count($s));

// increment, add, delete and has follow the same rule.
var_dump($s->increment('42'), $s->increment(42), $s->get('42'));
var_dump($s->add(42, 'again'), $s->add('042', 'distinct'));
var_dump($s->delete('7'), $s->has(7), $s->has('07'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(9) "int seven"
bool(true)
string(12) "string seven"
int(1)
string(10) "minus five"
string(3) "max"
string(4) "zero"
int(4)
'07': NULL
'7.0': NULL
' 7': NULL
'7 ': NULL
'+7': NULL
'-0': NULL
'00': NULL
'1e3': NULL
'0x1A': NULL
'9223372036854775808': NULL
string(12) "string seven"
string(8) "oh seven"
int(5)
int(1)
int(2)
int(2)
bool(false)
bool(true)
bool(true)
bool(false)
bool(true)
