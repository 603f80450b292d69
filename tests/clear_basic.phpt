--TEST--
SafeShm::clear(): removes every entry, frees their space, and the store stays usable
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$fresh = $s->info();
for ($i = 0; $i < 100; $i++) $s->put("k$i", str_repeat('x', $i));
$filled = $s->info();
$t = new SafeShm($key);
var_dump(count($t));
var_dump($s->clear());
var_dump(count($s), count($t), $t->keys(), $t->get('k5'), $t->has('k99'));
$info = $s->info();
var_dump($info['entries'], $info['used'], $info['dead'], $info['tombstones']);
// Every record's block is free again; the index keeps the size it grew to for 100 keys (it is part of the arena).
echo 'free is the whole capacity: ', $info['free'] === $info['capacity'] ? 'yes' : "no ($info[free] !== $info[capacity])", "\n";
echo 'free back to fresh, but for the index growth: ', $info['free'] + $info['index_bytes'] === $fresh['free'] + $fresh['index_bytes']
    ? 'yes' : "no ($info[free] + $info[index_bytes] !== $fresh[free] + $fresh[index_bytes])", "\n";
$s->put('after', 'clear');
var_dump($t->get('after'), count($t), $s->verify());
// The space is reused: the same 100 entries fit again, beside 'after'.
for ($i = 0; $i < 100; $i++) $s->put("k$i", str_repeat('x', $i));
var_dump(count($t), $s->info()['used'] === $filled['used'] + test_record_size(strlen('after'), strlen('clear')));
$s->clear();
$s->clear();
var_dump(count($s));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int(100)
NULL
int(0)
int(0)
array(0) {
}
NULL
bool(false)
int(0)
int(0)
int(0)
int(0)
free is the whole capacity: yes
free back to fresh, but for the index growth: yes
string(5) "clear"
int(1)
bool(true)
int(101)
bool(true)
int(0)
