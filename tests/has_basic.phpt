--TEST--
SafeShm::has(): true for a present key whatever its value (null, false, ""), false otherwise
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
var_dump($s->has('k'));
foreach ([null, false, '', 0, [], 'v'] as $v) {
    $s->put('k', $v);
    var_dump($s->has('k'));
}
$s->delete('k');
var_dump($s->has('k'));
var_dump((new SafeShm($key))->has('k'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
