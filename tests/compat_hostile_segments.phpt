--TEST--
safeshm.sysvshm_compat=1: shm_attach() on segments that are not SafeShm stores (shmop text, sysvshm headers with out-of-range fields, too short) warns and returns false; bytes untouched
--EXTENSIONS--
safeshm
shmop
--SKIPIF--
<?php
require __DIR__ . '/_compat.inc';
if ($why = compat_unavailable()) die("skip no compat child here: $why");
?>
--FILE--
<?php
require __DIR__ . '/_compat.inc';
// Where ext/sysvshm 8.2 would read these bytes as its own header (and crash on the out-of-range ones),
// the compat shm_attach() refuses them. The parent writes them with shmop; the child runs sysvshm code.
$sysv = fn(int $start, int $end, int $free, int $total) => "PHP_SM\0\0" . pack('q*', $start, $end, $free, $total);
$cases = [
    'shmop text' => [8192, 0, 'hello from shmop, not a store'],
    'shmop bytes only in the tail' => [8192, 8000, 'header bytes all zero'],
    'sysvshm start PHP_INT_MAX' => [8192, 0, $sysv(PHP_INT_MAX, 40, 8152, 8192)],
    'sysvshm end past the segment' => [8192, 0, $sysv(40, 1 << 40, 8192 - (1 << 40), 8192)],
    'sysvshm end before start' => [8192, 0, $sysv(40, 8, 8184, 8192)],
    'sysvshm free out of range' => [8192, 0, $sysv(40, 40, PHP_INT_MAX, 8192)],
    'sysvshm free negative' => [8192, 0, $sysv(40, 40, -1, 8192)],
    'sysvshm total past the segment' => [8192, 0, $sysv(40, 40, PHP_INT_MAX - 40, PHP_INT_MAX)],
    'sysvshm bad header, 100 bytes' => [100, 0, $sysv(40, 4000, 0, 4000)],
    'text, 16 bytes' => [16, 0, 'hi'],
    'sysvshm magic alone, 39 bytes' => [39, 0, "PHP_SM\0\0"],
];
$child = <<<'CHILD'
<?php
$key = (int) $argv[1];
set_error_handler(function (int $no, string $msg) use ($key) {
    echo '  ', $no === E_WARNING ? 'E_WARNING: ' : "error $no: ", str_replace(sprintf('0x%x', $key), '0xKEY', $msg), "\n";
    return true;
});
foreach ([[$key], [$key, 65536, 0600]] as $args) {
    $r = shm_attach(...$args);
    echo '  returned ', var_export($r, true), "\n";
}
CHILD;
$key = test_key(__FILE__);
foreach ($cases as $label => [$size, $offset, $bytes]) {
    echo "$label:\n";
    $id = shmop_open($key, 'c', 0600, $size);
    shmop_write($id, $bytes, $offset);
    $before = shmop_read($id, 0, $size);
    echo compat_run($child, [$key]);
    echo '  bytes untouched: ', shmop_read($id, 0, $size) === $before ? 'yes' : 'NO', "\n";
    shmop_delete($id);
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
shmop text:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
shmop bytes only in the tail:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm start PHP_INT_MAX:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm end past the segment:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm end before start:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm free out of range:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm free negative:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm total past the segment:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm bad header, 100 bytes:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
text, 16 bytes:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment too small
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment too small
  returned false
  bytes untouched: yes
sysvshm magic alone, 39 bytes:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment too small
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment too small
  returned false
  bytes untouched: yes
