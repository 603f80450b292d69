--TEST--
SafeShm phpinfo(): a safeshm section with the version and both settings
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$version = phpversion('safeshm');
var_dump(is_string($version) && preg_match('/^\d+\.\d+\.\d+/', $version) === 1);
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
$start = strpos($info, "\nsafeshm\n");
var_dump($start !== false);
$section = substr($info, $start, 2000);
var_dump(str_contains($section, $version));
$size = ini_get('safeshm.default_size');
var_dump(ini_parse_quantity($size) === 1048576 && str_contains($section, "safeshm.default_size => $size => $size"));
var_dump(str_contains($section, 'safeshm.lock_timeout => 5 => 5'));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
