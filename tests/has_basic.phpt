--TEST--
SafeShm::has(): true for a present key whatever its value (null, false, ""), false otherwise
--EXTENSIONS--
safeshm
--FILE--
<?php
$key = ftok(__FILE__, 'a');
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
try { (new SafeShm(ftok(__DIR__ . '/has_basic.php', 'a')))->remove(); } catch (Throwable) {}
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
