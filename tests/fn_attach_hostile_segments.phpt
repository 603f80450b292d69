--TEST--
safeshm_attach(): segments that are not SafeShm stores (shmop text, sysvshm headers with out-of-range fields, too short) warn and return false; bytes untouched, no semaphore left
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// A semaphore SafeShm made for the key would be under the key it derives from it (test_sem_key()).
function sems(int $key): int {
    return (int) isset(test_ipc_list('sem')[test_sem_key($key)]);
}
// ext/sysvshm's header: "PHP_SM\0\0", then start, end, free, total as 64-bit ints.
$sysv = fn(int $start, int $end, int $free, int $total) => "PHP_SM\0\0" . pack('q*', $start, $end, $free, $total);
$cases = [
    'shmop text' => [8192, 0, 'hello from shmop, not a store'],
    'shmop bytes only in the tail' => [8192, 8000, 'header bytes all zero'],
    'sysvshm start PHP_INT_MAX' => [8192, 0, $sysv(PHP_INT_MAX, 40, 8152, 8192)],
    'sysvshm start negative' => [8192, 0, $sysv(-4096, 40, 8152, 8192)],
    'sysvshm end past the segment' => [8192, 0, $sysv(40, 1 << 40, 8192 - (1 << 40), 8192)],
    'sysvshm end before start' => [8192, 0, $sysv(40, 8, 8184, 8192)],
    'sysvshm free out of range' => [8192, 0, $sysv(40, 40, PHP_INT_MAX, 8192)],
    'sysvshm free negative' => [8192, 0, $sysv(40, 40, -1, 8192)],
    'sysvshm total past the segment' => [8192, 0, $sysv(40, 40, PHP_INT_MAX - 40, PHP_INT_MAX)],
    'sysvshm all fields PHP_INT_MIN' => [8192, 0, $sysv(PHP_INT_MIN, PHP_INT_MIN, PHP_INT_MIN, PHP_INT_MIN)],
    'sysvshm bad header, 100 bytes' => [100, 0, $sysv(40, 4000, 0, 4000)],
    'text, 16 bytes' => [16, 0, 'hi'],
    'blank, 39 bytes' => [39, 0, ''],
    'sysvshm magic alone, 39 bytes' => [39, 0, "PHP_SM\0\0"],
    'text, 4095 bytes' => [4095, 0, 'shorter than a store'],
];
$key = test_key(__FILE__);
set_error_handler(function (int $no, string $msg) use ($key) {
    echo '  ', $no === E_WARNING ? 'E_WARNING: ' : "error $no: ", str_replace(sprintf('0x%x', $key), '0xKEY', $msg), "\n";
    return true;
});
foreach ($cases as $label => [$size, $offset, $bytes]) {
    echo "$label:\n";
    $id = shmop_open($key, 'c', 0611, $size);
    if ($bytes !== '') shmop_write($id, $bytes, $offset);
    $before = shmop_read($id, 0, $size);
    foreach ([[$key], [$key, 65536, 0611]] as $args) {
        $r = safeshm_attach(...$args);
        echo '  returned ', var_export($r, true), "\n";
    }
    echo '  bytes untouched: ', shmop_read($id, 0, $size) === $before ? 'yes' : 'NO', ', size ', shmop_size($id), "\n";
    shmop_delete($id);
}
echo 'semaphores left behind: ', sems($key), "\n";
// The key works once the foreign segment is gone.
$s = safeshm_attach($key, 8192, 0600);
var_dump(safeshm_put_var($s, 1, 'ok'), safeshm_get_var($s, 1));
safeshm_remove($s);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
shmop text:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
shmop bytes only in the tail:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
sysvshm start PHP_INT_MAX:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
sysvshm start negative:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
sysvshm end past the segment:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
sysvshm end before start:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
sysvshm free out of range:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
sysvshm free negative:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
sysvshm total past the segment:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
sysvshm all fields PHP_INT_MIN:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 8192
sysvshm bad header, 100 bytes:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes, size 100
text, 16 bytes:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment too small
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment too small
  returned false
  bytes untouched: yes, size 16
blank, 39 bytes:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment too small
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment too small
  returned false
  bytes untouched: yes, size 39
sysvshm magic alone, 39 bytes:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment too small
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment too small
  returned false
  bytes untouched: yes, size 39
text, 4095 bytes:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment too small
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment too small
  returned false
  bytes untouched: yes, size 4095
semaphores left behind: 0
bool(true)
string(2) "ok"
