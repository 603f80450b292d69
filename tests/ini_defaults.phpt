--TEST--
SafeShm ini: every setting exists with its default and its access level (safeshm.lock's default is in ini_lock)
--EXTENSIONS--
safeshm
--FILE--
<?php
// The default size may be spelled "1M" or "1048576"; its value is what counts.
var_dump(ini_parse_quantity(ini_get('safeshm.default_size')), ini_get('safeshm.lock_timeout'));
$all = ini_get_all('safeshm');
$access = [INI_ALL => 'PHP_INI_ALL', INI_SYSTEM => 'PHP_INI_SYSTEM', INI_PERDIR => 'PHP_INI_PERDIR', INI_USER => 'PHP_INI_USER'];
foreach ($all as $name => $e) {
    if (str_starts_with($name, 'safeshm.test_')) continue; // test builds only
    $v = $name === 'safeshm.default_size' ? ini_parse_quantity($e['global_value']) : $e['global_value'];
    echo $name, ': ', $name === 'safeshm.lock' ? '(see ini_lock)' : var_export($v, true), ', ', $access[$e['access']] ?? $e['access'], "\n";
}
?>
--EXPECT--
int(1048576)
string(1) "5"
safeshm.default_size: 1048576, PHP_INI_SYSTEM
safeshm.init_mem: '10000', PHP_INI_ALL
safeshm.lock: (see ini_lock), PHP_INI_SYSTEM
safeshm.lock_timeout: '5', PHP_INI_ALL
safeshm.removal_check_ms: '100', PHP_INI_ALL
safeshm.sysvshm_compat: '0', PHP_INI_SYSTEM
