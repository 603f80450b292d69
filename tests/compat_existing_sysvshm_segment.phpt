--TEST--
safeshm.sysvshm_compat=1: a segment that ext/sysvshm processes still use under the key is refused with a message naming the key and the way out; it keeps working for them
--EXTENSIONS--
safeshm
sysvshm
shmop
--SKIPIF--
<?php
require __DIR__ . '/_compat.inc';
if ($why = compat_unavailable()) die("skip no compat child here: $why");
?>
--FILE--
<?php
require __DIR__ . '/_compat.inc';
// This process is an old one (real ext/sysvshm); the child is a migrated one (compat mode).
$key = test_key(__FILE__);
$newKey = test_key(__FILE__, 1);
$old = shm_attach($key, 16384, 0600);
echo 'old process uses: ', (new ReflectionFunction('shm_attach'))->getExtensionName(), "\n";
shm_put_var($old, 1, 'payload');
shm_put_var($old, 2, ['an' => 'array']);
$raw = shmop_open($key, 'a', 0, 0);
$before = shmop_read($raw, 0, shmop_size($raw));
$shmid = null;
foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
    $f = preg_split('/\s+/', trim($line));
    if ($f[0] === (string) $key) $shmid = $f[1];
}
$child = <<<'CHILD'
<?php
[, $key, $shmid, $newKey] = array_map('intval', $argv);
set_error_handler(function (int $no, string $msg) use ($key, $shmid) {
    echo $no === E_WARNING ? 'E_WARNING: ' : "error $no: ",
        str_replace([sprintf('0x%x', $key), "ipcrm -m $shmid)"], ['0xKEY', 'ipcrm -m SHMID)'], $msg), "\n";
    return true;
});
$shm = shm_attach($key, 16384, 0600);
echo 'migrated process: shm_attach returned ', var_export($shm, true), "\n";
// The way out the message names: copy the variables into a store under another key.
$store = new SafeShm($newKey, 65536);
echo 'imported: ', $store->importSysvshm($key), "\n";
$new = shm_attach($newKey);
echo 'through shm_get_var under the new key: ', shm_get_var($new, 1), ' ', shm_get_var($new, 2)['an'], "\n";
CHILD;
echo compat_run($child, [$key, $shmid, $newKey]);
echo 'bytes untouched: ', shmop_read($raw, 0, shmop_size($raw)) === $before ? 'yes' : 'NO', "\n";
var_dump(shm_get_var($old, 1), shm_get_var($old, 2)['an']);
shm_remove($old);
(new SafeShm($newKey))->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
old process uses: sysvshm
E_WARNING: shm_attach(): Failed for key 0xKEY: the key holds an ext/sysvshm segment (shm_attach); it was left untouched. Copy its variables with SafeShm::importSysvshm(0xKEY) into a store under another key, or, once no process uses it, remove it (ipcrm -m SHMID) and attach again
migrated process: shm_attach returned false
imported: 2
through shm_get_var under the new key: payload array
bytes untouched: yes
string(7) "payload"
string(5) "array"
