--TEST--
safeshm_attach(): a sysvshm segment whose header is valid but whose chunk length is PHP_INT_MAX warns "segment header is corrupted" and returns false; bytes untouched
--EXTENSIONS--
safeshm
sysvshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// ext/sysvshm 8.2's shm_get_var() reads past the segment on such a chunk. Issue 3, section 1, lists this
// case with the other hostile segments: the warning is "segment header is corrupted", not the advice to
// import a (valid) sysvshm segment.
$key = test_key(__FILE__);
set_error_handler(function (int $no, string $msg) use ($key) {
    echo '  ', $no === E_WARNING ? 'E_WARNING: ' : "error $no: ", str_replace(sprintf('0x%x', $key), '0xKEY', $msg), "\n";
    return true;
});
// Header: "PHP_SM\0\0", start, end, free, total. Chunk: key, length, next, then the serialized value.
$chunk = pack('q*', 1, PHP_INT_MAX, 32) . "i:1;\0\0\0\0";
$crafted = "PHP_SM\0\0" . pack('q*', 40, 40 + 32, 8192 - 72, 8192) . $chunk;
foreach (['crafted by shmop' => 'crafted', 'written by shm_put_var, then its length overwritten' => 'real'] as $label => $how) {
    echo "$label:\n";
    if ($how === 'crafted') {
        $id = shmop_open($key, 'c', 0600, 8192);
        shmop_write($id, $crafted, 0);
    } else {
        $shm = shm_attach($key, 8192, 0600);
        shm_put_var($shm, 1, 'a value');
        shm_put_var($shm, 2, 'another');
        $id = shmop_open($key, 'w', 0, 0);
        shmop_write($id, pack('q', PHP_INT_MAX), 40 + 8);
        shm_detach($shm);
    }
    $before = shmop_read($id, 0, 8192);
    foreach ([[$key], [$key, 8192]] as $args) {
        $r = safeshm_attach(...$args);
        echo '  returned ', var_export($r, true), "\n";
    }
    echo '  bytes untouched: ', shmop_read($id, 0, 8192) === $before ? 'yes' : 'NO', "\n";
    shmop_delete($id);
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
crafted by shmop:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
written by shm_put_var, then its length overwritten:
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: safeshm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
