--TEST--
SafeShm ini: configured safeshm.default_size and safeshm.lock_timeout are reported by ini_get
--EXTENSIONS--
safeshm
--INI--
safeshm.default_size=131072
safeshm.lock_timeout=2
--FILE--
<?php
var_dump(ini_get('safeshm.default_size'), ini_get('safeshm.lock_timeout'));
$key = ftok(__FILE__, 'a');
$s = new SafeShm($key);
var_dump($s->info()['size']);
$s->remove();
?>
--CLEAN--
<?php
try { (new SafeShm(ftok(__DIR__ . '/ini_configured.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECT--
string(6) "131072"
string(1) "2"
int(131072)
