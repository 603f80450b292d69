--TEST--
SafeShm::keys(): lists every live key once (deleted and replaced keys included correctly)
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
var_dump($s->keys());
$expected = [];
for ($i = 0; $i < 300; $i++) {
    $s->put("key-$i", $i);
    $expected[] = "key-$i";
}
for ($i = 0; $i < 300; $i += 3) {
    $s->delete("key-$i");
    unset($expected[$i]);
}
for ($i = 1; $i < 300; $i += 3) $s->put("key-$i", 'replaced');
$keys = (new SafeShm($key))->keys();
var_dump(array_is_list($keys), count($keys), count(array_unique($keys)));
sort($keys);
sort($expected);
var_dump($keys === $expected, count($s));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
array(0) {
}
bool(true)
int(200)
int(200)
bool(true)
int(200)
