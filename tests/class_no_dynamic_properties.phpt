--TEST--
SafeShm objects reject dynamic properties (strict properties)
--EXTENSIONS--
safeshm
--FILE--
<?php
$key = ftok(__FILE__, 'a');
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
try { (new SafeShm(ftok(__DIR__ . '/class_no_dynamic_properties.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECT--
Error: Cannot create dynamic property SafeShm::$foo
bool(false)
