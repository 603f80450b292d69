--TEST--
SafeShm::lock(): a lock "x" and a key "x" never interfere; clear(), deletePrefix(), count() and keys() leave locks alone
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 1 << 20);
$s->put('x', 'value of x');
$l = $s->lock('x');
var_dump($l !== null, $s->get('x'), $s->add('x', 'other'), count($s), $s->keys());
// the key can be written, deleted and re-added while the lock is held
$s->put('x', 2);
var_dump($s->increment('x'), $s->delete('x'), $s->has('x'), $s->add('x', 'again'), $l->isHeld());
// a lock taken with no key present, and a key created while it is held
$m = $s->lock('y');
var_dump($s->has('y'), $s->add('y', 1), $m->isHeld());
// removing every key removes no lock
$s->clear();
var_dump(count($s), $s->keys(), $l->isHeld(), $m->isHeld(), $s->lock('x'), $s->lock('y'));
$s->put('x', 1);
var_dump($s->deletePrefix(''), $l->isHeld(), count($s->locks()));
// and releasing the lock leaves the key alone
$s->put('x', 'kept');
var_dump($l->release(), $m->release(), $s->get('x'), count($s), $s->locks());
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
string(10) "value of x"
bool(false)
int(1)
array(1) {
  [0]=>
  string(1) "x"
}
int(3)
bool(true)
bool(false)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
int(0)
array(0) {
}
bool(true)
bool(true)
NULL
NULL
int(1)
bool(true)
int(2)
bool(true)
bool(true)
string(4) "kept"
int(1)
array(0) {
}
bool(true)
