--TEST--
SafeShm::put(): stores a value, replaces it, and another object for the same key sees it
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
var_dump($s->put('k', 'one'));
var_dump($s->get('k'));
$s->put('k', 'two, longer than one');
var_dump($s->get('k'));
$s->put('k', 3);
var_dump($s->get('k'));
$t = new SafeShm($key);
var_dump($t->get('k'));
$t->put('k', 'written by t');
var_dump($s->get('k'));
var_dump(count($s), $s->keys());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
NULL
string(3) "one"
string(20) "two, longer than one"
int(3)
int(3)
string(12) "written by t"
int(1)
array(1) {
  [0]=>
  string(1) "k"
}
