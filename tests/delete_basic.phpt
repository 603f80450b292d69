--TEST--
SafeShm::delete(): returns true if the key existed, false otherwise; other keys are untouched
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('a', 1);
$s->put('b', null);
$s->put('c', [1, 2]);
var_dump($s->delete('a'));
var_dump($s->delete('a'));
var_dump($s->delete('never'));
var_dump($s->delete('b'));
var_dump($s->get('a', 'gone'), $s->get('b', 'gone'), $s->get('c'));
var_dump(count($s), $s->keys());
$t = new SafeShm($key);
var_dump($t->delete('c'), $s->delete('c'), count($s));
// Deleted keys can be stored again.
$s->put('a', 'back');
var_dump($t->get('a'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
bool(false)
bool(false)
bool(true)
string(4) "gone"
string(4) "gone"
array(2) {
  [0]=>
  int(1)
  [1]=>
  int(2)
}
int(1)
array(1) {
  [0]=>
  string(1) "c"
}
bool(true)
bool(false)
int(0)
string(4) "back"
