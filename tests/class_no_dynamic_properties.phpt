--TEST--
SafeShm objects reject dynamic properties (strict properties)
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 8192);
try {
    $s->foo = 1;
    echo "assigned\n";
} catch (Error $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(isset($s->foo));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
Error: Cannot create dynamic property SafeShm::$foo
bool(false)
