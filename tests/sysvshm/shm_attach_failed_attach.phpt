--TEST--
shm_attach() removes the segment it created when it cannot attach it (mode 0): the next attach with a usable mode works
--EXTENSIONS--
posix
pcntl
--SKIPIF--
<?php
// Runs from tests/sysvshm/run.sh: shm_* served by SafeShm (zero-edit mode), or its safeshm_* copy.
if (!function_exists('shm_attach') || extension_loaded('sysvshm')) die('skip needs shm_* served by SafeShm: run tests/sysvshm/run.sh');
if (posix_geteuid() === 0 && (!function_exists('pcntl_fork') || posix_getpwnam('nobody') === false)) die('skip as root, needs pcntl and user nobody');
?>
--FILE--
<?php
// SafeShm test suite (PHP License 3.01, see LICENSE): our version of php-src ext/sysvshm/tests/shm_attach_failed_attach.phpt.
// php-src skips this as root, which may attach any mode: as root, the body runs as user nobody.
function body(int $key): string
{
    ob_start();
    var_dump(shm_attach($key, 1024, 0));
    $segment = shm_attach($key, 1024, 0600);
    if (!$segment instanceof SysvSharedMemory) {
        echo "the key is still held by the segment of the failed attach\n";
        return ob_get_clean();
    }
    try {
        var_dump(shm_put_var($segment, 1, 'value'));
        var_dump(shm_get_var($segment, 1));
    } finally {
        var_dump(shm_remove($segment));
    }
    return ob_get_clean();
}
$key = ftok(__FILE__, 't');
if (posix_geteuid() !== 0) {
    echo body($key);
} else {
    [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    $pid = pcntl_fork();
    if ($pid === 0) {
        $nobody = posix_getpwnam('nobody');
        posix_setgid($nobody['gid']);
        posix_setuid($nobody['uid']);
        fwrite($childEnd, body($key));
        exit(0);
    }
    fclose($childEnd);
    echo stream_get_contents($parentEnd);
    pcntl_waitpid($pid, $status);
}
?>
--EXPECTF--
Warning: shm_attach(): Failed for key 0x%x: %s in %s on line %d
bool(false)
bool(true)
string(5) "value"
bool(true)
