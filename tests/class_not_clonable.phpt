--TEST--
SafeShm objects cannot be cloned
--EXTENSIONS--
safeshm
--FILE--
<?php
$key = ftok(__FILE__, 'a');
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
try { (new SafeShm(ftok(__DIR__ . '/class_not_clonable.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECT--
Error: Trying to clone an uncloneable object of class SafeShm
int(1)
