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
$t = new SafeShm($key);
var_dump(count($t));
var_dump($s->clear());
var_dump(count($s), count($t), $t->keys(), $t->get('k5'), $t->has('k99'));
$info = $s->info();
var_dump($info['entries'], $info['used'], $info['dead'], $info['tombstones']);
echo 'free back to fresh: ', $info['free'] === $fresh['free'] ? 'yes' : "no ($info[free] !== $fresh[free])", "\n";
$s->put('after', 'clear');
var_dump($t->get('after'), count($t), $s->verify());
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
free back to fresh: yes
string(5) "clear"
int(1)
bool(true)
int(0)
