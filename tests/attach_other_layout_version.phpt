--TEST--
SafeShm::__construct(): a SafeShm segment of another layout version is refused with SafeShmException and left untouched; layout 1 is only valid semaphore-locked
--EXTENSIONS--
safeshm
shmop
--SKIPIF--
<?php if (ini_get('safeshm.lock') !== 'mutex') die('skip for stores locked by the robust mutex (safeshm.lock=mutex)'); ?>
--FILE--
<?php
// White-box: the header starts with the magic "FSHM" and a little-endian uint32 layout version (shm_store.h).
$key = ftok(__FILE__, 'a');
/** Attaches from a fresh PHP process, which has no attachment cached. */
function fresh_attach(int $key): string {
    $php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
    $code = 'try { (new SafeShm(' . $key . '))->count(); echo "attached"; } catch (SafeShmException $e) { echo get_class($e); }';
    return trim((string) shell_exec($php . ' ' . getenv('TEST_PHP_EXTRA_ARGS') . ' -r ' . escapeshellarg($code) . ' 2>&1'));
}
$s = new SafeShm($key, 8192);
$s->put('k', 'data');
$raw = shmop_open($key, 'w', 0, 0);
$head = shmop_read($raw, 0, 8);
var_dump(substr($head, 0, 4), unpack('V', $head, 4)[1], $s->info()['lock']);
// Layout 1 (before the mutex lock) was always locked by the semaphore: a layout-1 header that says "mutex" is damaged.
foreach ([3, 99, 0, 0xFFFFFFFF, 1] as $v) {
    shmop_write($raw, pack('V', $v), 4);
    $before = shmop_read($raw, 0, 8192);
    try {
        (new SafeShm($key))->count(); // a damaged store constructs (for remove()), then refuses
        echo "version $v: attached\n";
    } catch (SafeShmException $e) {
        echo "version $v: ", get_class($e), "\n";
    }
    echo "version $v, fresh process: ", fresh_attach($key), "\n";
    echo "version $v: untouched: ", shmop_read($raw, 0, 8192) === $before ? 'yes' : 'NO', "\n";
}
shmop_write($raw, substr($head, 4, 4), 4);
$t = new SafeShm($key);
var_dump($t->get('k'), $t->verify());
$t->remove();
?>
--CLEAN--
<?php
$key = ftok(__DIR__ . '/attach_other_layout_version.php', 'a');
try { (new SafeShm($key))->remove(); } catch (Throwable) {
    $id = @shmop_open($key, 'w', 0, 0);
    if ($id) shmop_delete($id);
}
?>
--EXPECT--
string(4) "FSHM"
int(2)
string(5) "mutex"
version 3: SafeShmException
version 3, fresh process: SafeShmException
version 3: untouched: yes
version 99: SafeShmException
version 99, fresh process: SafeShmException
version 99: untouched: yes
version 0: SafeShmException
version 0, fresh process: SafeShmException
version 0: untouched: yes
version 4294967295: SafeShmException
version 4294967295, fresh process: SafeShmException
version 4294967295: untouched: yes
version 1: SafeShmCorruptException
version 1, fresh process: SafeShmCorruptException
version 1: untouched: yes
string(4) "data"
bool(true)
