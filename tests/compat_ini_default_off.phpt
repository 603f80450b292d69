--TEST--
safeshm.sysvshm_compat: Off by default, PHP_INI_SYSTEM (ini_set() cannot change it), shown in phpinfo() with the compatibility row
--EXTENSIONS--
safeshm
sysvshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
var_dump(ini_get('safeshm.sysvshm_compat'));
var_dump(ini_set('safeshm.sysvshm_compat', '1'), ini_get('safeshm.sysvshm_compat'));
$all = ini_get_all('safeshm');
var_dump($all['safeshm.sysvshm_compat']['access'] === INI_SYSTEM);
var_dump($all['safeshm.init_mem']['global_value'], $all['safeshm.init_mem']['access'] === INI_ALL);
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
preg_match('/^sysvshm compatibility \(shm_\* functions\) => (.*)$/m', $info, $m);
echo 'phpinfo: ', $m[1] ?? 'no row', "\n";
var_dump(str_contains($info, 'safeshm.sysvshm_compat => Off => Off'), str_contains($info, 'safeshm.init_mem => 10000 => 10000'));
// SafeShm registered nothing under sysvshm's names.
foreach (['shm_attach', 'shm_put_var'] as $fn) {
    echo $fn, ': ', function_exists($fn) ? (new ReflectionFunction($fn))->getExtensionName() : 'not defined', "\n";
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(1) "0"
bool(false)
string(1) "0"
bool(true)
string(5) "10000"
bool(true)
phpinfo: disabled (safeshm.sysvshm_compat=Off)
bool(true)
bool(true)
shm_attach: sysvshm
shm_put_var: sysvshm
