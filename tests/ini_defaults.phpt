--TEST--
SafeShm ini: safeshm.default_size (1 MiB) and safeshm.lock_timeout (5 s) exist with their defaults
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// The default size may be spelled "1M" or "1048576"; its value is what counts.
var_dump(ini_parse_quantity(ini_get('safeshm.default_size')), ini_get('safeshm.lock_timeout'));
$all = ini_get_all('safeshm');
var_dump(isset($all['safeshm.default_size'], $all['safeshm.lock_timeout']));
var_dump(ini_parse_quantity($all['safeshm.default_size']['global_value']), $all['safeshm.lock_timeout']['global_value']);
?>
--EXPECT--
int(1048576)
string(1) "5"
bool(true)
int(1048576)
string(1) "5"
