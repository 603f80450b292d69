--TEST--
safeshm.sysvshm_compat=1 with ext/sysvshm loaded: one startup warning and a phpinfo() line, no "cannot redeclare"; sysvshm's shm_* are left alone
--EXTENSIONS--
safeshm
sysvshm
shmop
--INI--
safeshm.sysvshm_compat=1
display_startup_errors=1
log_errors=0
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
var_dump(ini_get('safeshm.sysvshm_compat'));
foreach (['shm_attach', 'shm_put_var', 'shm_get_var', 'shm_detach'] as $fn) {
    echo $fn, ': ', (new ReflectionFunction($fn))->getExtensionName(), "\n";
}
echo 'SysvSharedMemory: ', (new ReflectionClass('SysvSharedMemory'))->getExtensionName(), "\n";
ob_start();
phpinfo(INFO_MODULES);
preg_match('/^sysvshm compatibility \(shm_\* functions\) => (.*)$/m', ob_get_clean(), $m);
echo 'phpinfo: ', $m[1] ?? 'no row', "\n";
// shm_attach() is ext/sysvshm's: it writes sysvshm's own header, which SafeShm then refuses to take over.
$key = test_key(__FILE__);
$shm = shm_attach($key, 8192, 0600);
shm_put_var($shm, 1, 'sysvshm');
$raw = shmop_open($key, 'a', 0, 0);
var_dump(substr(shmop_read($raw, 0, 8), 0, 6));
var_dump(@safeshm_attach($key));
var_dump(shm_get_var($shm, 1));
shm_remove($shm);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
Warning: safeshm.sysvshm_compat is On, but ext/sysvshm is loaded: SafeShm leaves its shm_* functions alone (disable extension=sysvshm to serve them from SafeShm) in Unknown on line 0
string(1) "1"
shm_attach: sysvshm
shm_put_var: sysvshm
shm_get_var: sysvshm
shm_detach: sysvshm
SysvSharedMemory: sysvshm
phpinfo: ext/sysvshm is loaded: its shm_* functions are left alone
string(6) "PHP_SM"
bool(false)
string(7) "sysvshm"
