--TEST--
SafeShm objects cannot be cloned
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 8192);
$s->put('k', 1);
try {
    $c = clone $s;
    echo "cloned\n";
} catch (Error $e) {
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
Error: Trying to clone an uncloneable object of class SafeShm
int(1)
