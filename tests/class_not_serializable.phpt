--TEST--
SafeShm objects cannot be serialized or unserialized
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 8192);
$s->put('k', 'v');
try {
    var_dump(serialize($s));
} catch (Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
try {
    var_dump(serialize(['wrapped' => $s]));
} catch (Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
try {
    var_dump(unserialize('O:7:"SafeShm":0:{}'));
} catch (Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
// Storing a SafeShm inside the store is a serialization too: it throws and changes nothing.
try {
    $s->put('k', $s);
} catch (Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($s->get('k'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
Exception: Serialization of 'SafeShm' is not allowed
Exception: Serialization of 'SafeShm' is not allowed
Exception: Unserialization of 'SafeShm' is not allowed
Exception: Serialization of 'SafeShm' is not allowed
string(1) "v"
