--TEST--
SafeShm::__construct(): a layout-1 store (made before the mutex lock existed, always semaphore-locked) is migrated to layout 3 at its first attach, every entry kept with its type, and stays locked by its semaphore whatever the attacher's safeshm.lock says
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box: a genuine layout-1 segment, written with shmop (test_old_image() in _ipc.inc follows shm_migrate.c).
$key = test_key(__FILE__);
$entries = [['k', 'data'], ['n', 41], [12, 'int key'], ['pi', 3.25], ['off', false], ['on', true], ['none', null],
    ['list', [1, 'two', ['three' => 3.0]]], ["\x00\xfe", str_repeat("\0", 100)]];
$image = test_old_image(8192, $entries, 1);
test_shm_write($key, $image);
var_dump(test_old_hdr_get($image, 'version'), test_old_hdr_get($image, 'lock_kind'));

// the first attacher: a fresh process whose default would be the mutex; the old header decides, not the ini
$code = '$s = new SafeShm(' . $key . '); $s->put("new", 1); $i = $s->info();'
    . ' echo $s->get("k"), " ", $i["lock"], " ", $i["layout_version"], " ", count($s), " ", var_export($s->verify(), true);';
echo trim(test_php_run($code, [], ['safeshm.lock' => 'mutex'])), "\n";
echo isset(test_ipc_list('shm')[test_backup_key($key)]) ? "a backup segment is left\n" : "no backup segment left\n";

$s = new SafeShm($key);
foreach ($entries as [$k, $v]) {
    if ($s->get($k, '(absent)') !== $v) {
        echo 'differs: ', var_export($k, true), ' => ', var_export($s->get($k, '(absent)'), true), "\n";
    }
}
var_dump($s->get('new'), $s->increment('n'), $s->info()['lock'], $s->verify());
// its semaphore is its lock: another process's writes wait for it like any semaphore-locked store's
echo trim(test_php_run('$s = new SafeShm(' . $key . '); echo $s->increment("n"), " ", $s->info()["lock"];', [], ['safeshm.lock' => 'mutex'])), "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__, test_backup_key(test_key(__FILE__)));
?>
--EXPECT--
int(1)
int(0)
data semaphore 3 10 true
no backup segment left
int(1)
int(42)
string(9) "semaphore"
bool(true)
43 semaphore
