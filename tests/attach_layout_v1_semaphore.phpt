--TEST--
SafeShm::__construct(): a layout-1 segment (made before the mutex lock existed, always semaphore-locked) is still opened and locked by its semaphore
--EXTENSIONS--
safeshm
shmop
--INI--
safeshm.lock=semaphore
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box: bytes 4..7 of the header are the little-endian layout version (shm_store.h).
$key = test_key(__FILE__);
$s = new SafeShm($key, 8192);
$s->put('k', 'data');
var_dump($s->info()['lock'], $s->info()['layout_version']);
$raw = shmop_open($key, 'w', 0, 0);
shmop_write($raw, pack('V', 1), 4);
// a fresh process whose default would be the mutex: the header decides, not the ini
$code = '$s = new SafeShm(' . $key . '); $s->put("n", 42); echo $s->get("k"), " ", $s->info()["lock"], " ", $s->info()["layout_version"], " ", var_export($s->verify(), true);';
echo trim(test_php_run($code, [], ['safeshm.lock' => 'mutex'])), "\n";
var_dump($s->get('n'), $s->increment('n'), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(9) "semaphore"
int(2)
data semaphore 1 true
int(42)
int(43)
bool(true)
