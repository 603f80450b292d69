--TEST--
safeshm_attach(): a valid ext/sysvshm segment under the key is refused with a warning naming the key, importSysvshm and ipcrm; it is never reformatted
--EXTENSIONS--
safeshm
sysvshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
function shmid_of(int $key): ?string {
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[0] === (string) $key) return $f[1];
    }
    return null;
}
// The message must name this key and this segment's id: both are replaced by placeholders.
set_error_handler(function (int $no, string $msg) use (&$shmid, $key) {
    echo $no === E_WARNING ? 'E_WARNING: ' : "error $no: ",
        str_replace([sprintf('0x%x', $key), "ipcrm -m $shmid)"], ['0xKEY', 'ipcrm -m SHMID)'], $msg), "\n";
    return true;
});
foreach (['16384 bytes' => 16384, 'smaller than SafeShm\'s minimum' => 1000] as $label => $size) {
    echo "-- $label\n";
    $shm = shm_attach($key, $size, 0600);
    shm_put_var($shm, 1, 'payload');
    shm_put_var($shm, 2, ['an' => 'array']);
    $raw = shmop_open($key, 'a', 0, 0);
    $shmid = shmid_of($key);
    $before = shmop_read($raw, 0, shmop_size($raw));
    foreach ([[$key], [$key, 16384], [$key, 4096, 0666]] as $args) {
        var_dump(safeshm_attach(...$args));
    }
    echo 'bytes untouched: ', shmop_read($raw, 0, shmop_size($raw)) === $before ? 'yes' : 'NO', "\n";
    // the sysvshm users still see their data
    var_dump(shm_get_var($shm, 1), shm_get_var($shm, 2)['an']);
    shm_remove($shm);
    shm_detach($shm);
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
-- 16384 bytes
E_WARNING: safeshm_attach(): Failed for key 0xKEY: the key holds an ext/sysvshm segment (shm_attach); it was left untouched. Copy its variables with SafeShm::importSysvshm(0xKEY) into a store under another key, or, once no process uses it, remove it (ipcrm -m SHMID) and attach again
bool(false)
E_WARNING: safeshm_attach(): Failed for key 0xKEY: the key holds an ext/sysvshm segment (shm_attach); it was left untouched. Copy its variables with SafeShm::importSysvshm(0xKEY) into a store under another key, or, once no process uses it, remove it (ipcrm -m SHMID) and attach again
bool(false)
E_WARNING: safeshm_attach(): Failed for key 0xKEY: the key holds an ext/sysvshm segment (shm_attach); it was left untouched. Copy its variables with SafeShm::importSysvshm(0xKEY) into a store under another key, or, once no process uses it, remove it (ipcrm -m SHMID) and attach again
bool(false)
bytes untouched: yes
string(7) "payload"
string(5) "array"
-- smaller than SafeShm's minimum
E_WARNING: safeshm_attach(): Failed for key 0xKEY: the key holds an ext/sysvshm segment (shm_attach); it was left untouched. Copy its variables with SafeShm::importSysvshm(0xKEY) into a store under another key, or, once no process uses it, remove it (ipcrm -m SHMID) and attach again
bool(false)
E_WARNING: safeshm_attach(): Failed for key 0xKEY: the key holds an ext/sysvshm segment (shm_attach); it was left untouched. Copy its variables with SafeShm::importSysvshm(0xKEY) into a store under another key, or, once no process uses it, remove it (ipcrm -m SHMID) and attach again
bool(false)
E_WARNING: safeshm_attach(): Failed for key 0xKEY: the key holds an ext/sysvshm segment (shm_attach); it was left untouched. Copy its variables with SafeShm::importSysvshm(0xKEY) into a store under another key, or, once no process uses it, remove it (ipcrm -m SHMID) and attach again
bool(false)
bytes untouched: yes
string(7) "payload"
string(5) "array"
