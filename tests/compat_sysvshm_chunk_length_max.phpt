--TEST--
safeshm.sysvshm_compat=1: shm_attach() on a sysvshm segment with a valid header but a chunk length of PHP_INT_MAX warns "segment header is corrupted" and returns false; bytes untouched
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
// ext/sysvshm 8.2 attaches this and then reads past the segment in shm_get_var(). Issue 3, section 1:
// the warning is "segment header is corrupted", as for the other hostile segments.
$key = test_key(__FILE__);
$chunk = pack('q*', 1, PHP_INT_MAX, 32) . "i:1;\0\0\0\0";
$bytes = "PHP_SM\0\0" . pack('q*', 40, 40 + 32, 8192 - 72, 8192) . $chunk;
$id = shmop_open($key, 'c', 0600, 8192);
shmop_write($id, $bytes, 0);
$before = shmop_read($id, 0, 8192);
$child = <<<'CHILD'
<?php
$key = (int) $argv[1];
set_error_handler(function (int $no, string $msg) use ($key) {
    echo $no === E_WARNING ? 'E_WARNING: ' : "error $no: ", str_replace(sprintf('0x%x', $key), '0xKEY', $msg), "\n";
    return true;
});
$r = shm_attach($key);
echo 'returned ', var_export($r, true), "\n";
CHILD;
echo compat_run($child, [$key]);
echo 'bytes untouched: ', shmop_read($id, 0, 8192) === $before ? 'yes' : 'NO', "\n";
shmop_delete($id);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
returned false
bytes untouched: yes
