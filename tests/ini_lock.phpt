--TEST--
safeshm.lock: "mutex" by default, "semaphore" on request, anything else refused at startup; the setting is PHP_INI_SYSTEM
--EXTENSIONS--
safeshm
--SKIPIF--
<?php if (ini_get('safeshm.lock') !== 'mutex') die('skip for stores locked by the robust mutex (safeshm.lock=mutex)'); ?>
--FILE--
<?php
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$args = getenv('TEST_PHP_EXTRA_ARGS');
var_dump(ini_get('safeshm.lock'));
var_dump(ini_set('safeshm.lock', 'semaphore'), ini_get('safeshm.lock'));
$code = 'echo ini_get("safeshm.lock"), "\n";';
foreach (['semaphore', 'MUTEX', 'bogus', ''] as $v) {
    $out = shell_exec("$php $args -d display_startup_errors=1 -d " . escapeshellarg("safeshm.lock=$v") . ' -r ' . escapeshellarg($code) . ' 2>&1');
    echo "safeshm.lock=$v: ", trim(preg_replace('/\s+/', ' ', (string) $out)), "\n";
}
$key = ftok(__FILE__, 'a');
$s = new SafeShm($key, 8192);
var_dump($s->info()['lock']);
$s->remove();
?>
--CLEAN--
<?php
$key = ftok(__DIR__ . '/ini_lock.php', 'a');
try { (new SafeShm($key))->remove(); } catch (Throwable) {}
?>
--EXPECTF--
string(5) "mutex"
bool(false)
string(5) "mutex"
safeshm.lock=semaphore: semaphore
safeshm.lock=MUTEX: MUTEX
safeshm.lock=bogus: Warning: PHP Startup: safeshm.lock must be "mutex" or "semaphore" in %s mutex
safeshm.lock=: Warning: PHP Startup: safeshm.lock must be "mutex" or "semaphore" in %s mutex
string(5) "mutex"
