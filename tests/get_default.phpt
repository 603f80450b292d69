--TEST--
SafeShm::get(): a missing key returns $default (null unless given); a stored null is not missing
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
var_dump($s->get('missing'));
var_dump($s->get('missing', 'dflt'));
var_dump($s->get('missing', 42));
var_dump($s->get('missing', false));
var_dump($s->get('missing', [1, 2]));
$o = new stdClass;
var_dump($s->get('missing', $o) === $o);
// The default is not stored.
var_dump($s->has('missing'), count($s));

$s->put('null', null);
var_dump($s->get('null', 'dflt'));
$s->put('false', false);
var_dump($s->get('false', 'dflt'));
$s->put('empty', '');
var_dump($s->get('empty', 'dflt'));
$s->put('zero', 0);
var_dump($s->get('zero', 'dflt'));
$s->delete('zero');
var_dump($s->get('zero', 'dflt'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
NULL
string(4) "dflt"
int(42)
bool(false)
array(2) {
  [0]=>
  int(1)
  [1]=>
  int(2)
}
bool(true)
bool(false)
int(0)
NULL
bool(false)
string(0) ""
int(0)
string(4) "dflt"
