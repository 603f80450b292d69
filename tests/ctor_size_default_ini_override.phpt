--TEST--
SafeShm::__construct(): size 0 follows a configured safeshm.default_size
--EXTENSIONS--
safeshm
--INI--
safeshm.default_size=65536
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
var_dump(ini_get('safeshm.default_size'));
$s = new SafeShm($key);
var_dump($s->info()['size']);
// An explicit size still wins.
$s->remove();
$s = new SafeShm($key, 16384);
var_dump($s->info()['size']);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(5) "65536"
int(65536)
int(16384)
