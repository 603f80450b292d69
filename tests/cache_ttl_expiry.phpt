--TEST--
SafeShm TTL: an entry is present right after put/add with a sub-second TTL and absent for every call once it expired; TTL 0 never expires; add succeeds over an expired entry
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);
$other = new SafeShm(test_key(__FILE__)); // another object, as another process would see it

$s->put('short', 'v', 0.5);          // sub-second
$s->put('int', 'w', 1);              // an int TTL
$s->put('never', 'n', 0);            // 0: never expires
$s->put('default', 'd');             // no TTL given: never expires
var_dump($s->add('added', 'a', 0.5), $s->add('added', 'again', 0.5));
$s->put(7, 'int key', 0.5);

echo "-- right after the writes\n";
var_dump($other->get('short'), $other->has('short'), $other->get(7), $other->get('added'));
$k = $other->keys();
sort($k, SORT_STRING);
var_dump(count($other));
echo 'keys: ', json_encode($k), "\n";
$m = $other->meta('short');
echo 'ttl left is in (0, 0.5]: ', var_export($m['ttl'] > 0 && $m['ttl'] <= 0.5, true), "\n";

usleep(1200000); // well past 0.5 s ('int', 1 s, is not checked)
echo "-- 1.2 s later\n";
var_dump($other->get('short'), $other->get('short', 'default'), $other->has('short'), $other->meta('short'));
var_dump($other->get(7, 'gone'), $other->has('7'), $other->get('added', 'gone'));
var_dump($other->getMultiple(['short', 'never', 7], 'gone'));
var_dump($other->delete('short'), $other->touch('short', 10), $other->cas('short', 'v', 'x'));
$k = $other->keys();
sort($k, SORT_STRING);
echo 'keys: ', implode(',', array_filter($k, fn($x) => $x !== 'int')), "\n";
echo 'never: ', $other->get('never'), ', ttl ', var_export($other->meta('never')['ttl'], true), "\n";
echo 'default: ', $other->get('default'), ', ttl ', var_export($other->meta('default')['ttl'], true), "\n";

echo "-- add over the expired entry succeeds, once\n";
var_dump($other->add('added', 'second life'), $s->add('added', 'third'), $s->get('added'));
var_dump($s->meta('added')['ttl']);

echo "-- increment of an expired counter counts from 0\n";
$s->put('ctr', 41, 0.1);
usleep(300000);
var_dump($s->increment('ctr'));

echo "-- put over an expired entry with another TTL\n";
$s->put('re', 'old', 0.1);
usleep(300000);
$s->put('re', 'new', 100);
var_dump($s->get('re'), $s->meta('re')['ttl'] > 99);
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
bool(false)
-- right after the writes
string(1) "v"
bool(true)
string(7) "int key"
string(1) "a"
int(6)
keys: [7,"added","default","int","never","short"]
ttl left is in (0, 0.5]: true
-- 1.2 s later
NULL
string(7) "default"
bool(false)
NULL
string(4) "gone"
bool(false)
string(4) "gone"
array(3) {
  ["short"]=>
  string(4) "gone"
  ["never"]=>
  string(1) "n"
  [7]=>
  string(4) "gone"
}
bool(false)
bool(false)
bool(false)
keys: default,never
never: n, ttl NULL
default: d, ttl NULL
-- add over the expired entry succeeds, once
bool(true)
bool(false)
string(11) "second life"
NULL
-- increment of an expired counter counts from 0
int(1)
-- put over an expired entry with another TTL
string(3) "new"
bool(true)
bool(true)
