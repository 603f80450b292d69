--TEST--
SafeShm::count(): counts entries, works with count() (Countable) and follows puts, deletes and other objects
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
var_dump($s instanceof Countable, count($s), $s->count());
for ($i = 0; $i < 10; $i++) $s->put("k$i", $i);
var_dump(count($s));
$s->put('k3', 'replaced');
var_dump(count($s));
$s->delete('k4');
$s->delete('nope');
var_dump(count($s));
$s->add('k5', 'no');
$s->add('k10', 'yes');
$s->increment('k11');
var_dump(count($s), count(new SafeShm($key)), $s->info()['entries']);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
int(0)
int(0)
int(10)
int(10)
int(9)
int(11)
int(11)
int(11)
