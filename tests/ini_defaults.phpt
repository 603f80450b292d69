--TEST--
SafeShm ini: safeshm.default_size (1 MiB) and safeshm.lock_timeout (5 s) exist with their defaults
--EXTENSIONS--
safeshm
--FILE--
<?php
var_dump(ini_get('safeshm.default_size'), ini_get('safeshm.lock_timeout'));
$all = ini_get_all('safeshm');
ksort($all);
var_dump(isset($all['safeshm.default_size'], $all['safeshm.lock_timeout']));
var_dump($all['safeshm.default_size']['local_value'], $all['safeshm.lock_timeout']['local_value']);
?>
--EXPECT--
string(7) "1048576"
string(1) "5"
bool(true)
string(7) "1048576"
string(1) "5"
