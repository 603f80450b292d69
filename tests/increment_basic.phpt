--TEST--
SafeShm::increment(): a missing key counts from 0; returns the new value; $by may be negative or zero
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
var_dump($s->increment('c'));
var_dump($s->increment('c'));
var_dump($s->increment('c', 10));
var_dump($s->increment('c', -20));
var_dump($s->get('c'));
var_dump($s->increment('z', 0), $s->has('z'), $s->get('z'));
var_dump($s->increment('neg', -3));
$s->put('i', 100);
var_dump($s->increment('i', 5), (new SafeShm($key))->get('i'));
var_dump($s->increment('edge', PHP_INT_MAX), $s->increment('edge', PHP_INT_MIN));
$s->put('min', 0);
var_dump($s->increment('min', PHP_INT_MIN));
var_dump(count($s));
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
int(12)
int(-8)
int(-8)
int(0)
bool(true)
int(0)
int(-3)
int(105)
int(105)
int(9223372036854775807)
int(-1)
int(-9223372036854775808)
int(6)
