--TEST--
safeshm.lock: "mutex" by default, "semaphore" on request, anything else refused at startup; the setting is PHP_INI_SYSTEM
--EXTENSIONS--
safeshm
--SKIPIF--
<?php if (ini_get('safeshm.lock') !== 'mutex') die('skip for stores locked by the robust mutex (safeshm.lock=mutex)'); ?>
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
var_dump(ini_get('safeshm.lock'));
var_dump(ini_set('safeshm.lock', 'semaphore'), ini_get('safeshm.lock'));
$code = 'echo ini_get("safeshm.lock"), "\n";';
foreach (['semaphore', 'MUTEX', 'bogus', ''] as $v) {
    $out = test_php_run($code, [], ['display_startup_errors' => '1', 'safeshm.lock' => $v]);
    echo "safeshm.lock=$v: ", trim(preg_replace('/\s+/', ' ', (string) $out)), "\n";
}
$key = test_key(__FILE__);
$s = new SafeShm($key, 8192);
var_dump($s->info()['lock']);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(5) "mutex"
bool(false)
string(5) "mutex"
safeshm.lock=semaphore: semaphore
safeshm.lock=MUTEX: MUTEX
safeshm.lock=bogus: Warning: PHP Startup: safeshm.lock must be "mutex" or "semaphore" in Unknown on line 0 mutex
safeshm.lock=: Warning: PHP Startup: safeshm.lock must be "mutex" or "semaphore" in Unknown on line 0 mutex
string(5) "mutex"
