--TEST--
SafeShm: entry keys are binary-safe ("a\0b", "a" and "a\0c" are three entries)
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('a', 1);
$s->put("a\0b", 2);
$s->put("a\0c", 3);
$s->put("\0", 4);
$s->put("\xff\xfe", 5);
var_dump($s->get('a'), $s->get("a\0b"), $s->get("a\0c"), $s->get("\0"), $s->get("\xff\xfe"), $s->get("a\0"));
var_dump(count($s));
$keys = $s->keys();
sort($keys, SORT_STRING);
var_dump(array_map('bin2hex', $keys));
var_dump($s->delete("a\0b"), $s->get('a'), $s->get("a\0c"), $s->has("a\0b"));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int(1)
int(2)
int(3)
int(4)
int(5)
NULL
int(5)
array(5) {
  [0]=>
  string(2) "00"
  [1]=>
  string(2) "61"
  [2]=>
  string(6) "610062"
  [3]=>
  string(6) "610063"
  [4]=>
  string(4) "fffe"
}
bool(true)
int(1)
int(3)
bool(false)
