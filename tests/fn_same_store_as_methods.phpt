--TEST--
safeshm_* functions and SafeShm methods share one store: safeshm_put_var($shm, 7, ...) is $obj->get(7) and $obj->get('7')
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$shm = safeshm_attach($key, 65536, 0600);
$obj = new SafeShm($key);
var_dump(get_class($shm));
safeshm_put_var($shm, 7, ['seven']);
safeshm_put_var($shm, -3, 'minus three');
var_dump($obj->get(7), $obj->get('7'), $obj->get('-3'), $obj->has('07'));
// Methods work on the object safeshm_attach() returned, and the other way round.
$shm->put(8, 'eight');
$obj->put('9', 'nine');
$obj->put('name', 'a string key');
var_dump(safeshm_get_var($shm, 8), safeshm_get_var($shm, 9), $obj->increment(10, 5), safeshm_get_var($shm, 10));
$keys = $obj->keys();
usort($keys, fn($a, $b) => strcmp((string) $a, (string) $b));
var_dump($keys, count($shm));
// A string key has no int spelling: the procedural API does not see it, the methods do.
var_dump(safeshm_has_var($shm, 0), $shm->get('name'));
// Deletes are shared too.
var_dump($obj->delete(7), safeshm_has_var($shm, 7), safeshm_remove_var($shm, 8), $obj->has(8));
$shm->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(7) "SafeShm"
array(1) {
  [0]=>
  string(5) "seven"
}
array(1) {
  [0]=>
  string(5) "seven"
}
string(11) "minus three"
bool(false)
string(5) "eight"
string(4) "nine"
int(5)
int(5)
array(6) {
  [0]=>
  int(-3)
  [1]=>
  int(10)
  [2]=>
  int(7)
  [3]=>
  int(8)
  [4]=>
  int(9)
  [5]=>
  string(4) "name"
}
int(6)
bool(false)
string(12) "a string key"
bool(true)
bool(false)
bool(true)
bool(false)
