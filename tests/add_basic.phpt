--TEST--
SafeShm::add(): stores only when the key is absent and says whether it did
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
var_dump($s->add('k', 'first'));
var_dump($s->add('k', 'second'));
var_dump($s->get('k'));
$t = new SafeShm($key);
var_dump($t->add('k', 'third'), $t->get('k'));
// A present null/false value still counts as present.
$s->put('n', null);
var_dump($s->add('n', 'x'), $s->get('n', 'dflt'));
$s->put('f', false);
var_dump($s->add('f', 'x'), $s->get('f'));
// After delete, add wins again.
$s->delete('k');
var_dump($s->add('k', ['arr']), $s->get('k'));
var_dump(count($s));
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
string(5) "first"
bool(false)
string(5) "first"
bool(false)
NULL
bool(false)
bool(false)
bool(true)
array(1) {
  [0]=>
  string(3) "arr"
}
int(3)
