--TEST--
SafeShm ini: configured safeshm.default_size and safeshm.lock_timeout are reported by ini_get
--EXTENSIONS--
safeshm
--INI--
safeshm.default_size=131072
safeshm.lock_timeout=2
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
var_dump(ini_get('safeshm.default_size'), ini_get('safeshm.lock_timeout'));
$key = test_key(__FILE__);
$s = new SafeShm($key);
var_dump($s->info()['size']);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(6) "131072"
string(1) "2"
int(131072)
