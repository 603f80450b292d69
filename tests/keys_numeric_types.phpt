--TEST--
SafeShm::keys(): canonical numeric-string keys come back as ints, everything else as strings
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$in = [7, '8', '-9', '07', '1.5', ' 3', 'abc', '9223372036854775807', '9223372036854775808', '-0', '0', "a\0b"];
foreach ($in as $k) $s->put($k, true);
$keys = $s->keys();
// What a PHP array does with the same keys.
$ref = array_keys(array_fill_keys($in, true));
$sortkey = fn($k) => get_debug_type($k) . ':' . $k;
usort($keys, fn($a, $b) => strcmp($sortkey($a), $sortkey($b)));
usort($ref, fn($a, $b) => strcmp($sortkey($a), $sortkey($b)));
var_dump($keys === $ref);
foreach ($keys as $k) echo get_debug_type($k), ' ', json_encode($k), "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
int -9
int 0
int 7
int 8
int 9223372036854775807
string " 3"
string "-0"
string "07"
string "1.5"
string "9223372036854775808"
string "a\u0000b"
string "abc"
