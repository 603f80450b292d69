--TEST--
safeshm_attach(): a system failure (permission denied) is an E_WARNING "Failed for key 0x...: <reason>" and false, as with shm_attach()
--EXTENSIONS--
safeshm
pcntl
posix
--SKIPIF--
<?php
if (posix_getuid() !== 0) die('skip needs root to switch to another user');
if (posix_getpwnam('nobody') === false) die('skip no user nobody');
?>
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = safeshm_attach($key, 8192, 0600);
safeshm_put_var($s, 1, 'root only');
$nobody = posix_getpwnam('nobody');
[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    posix_setgid($nobody['gid']);
    posix_setuid($nobody['uid']);
    $out = [];
    set_error_handler(function (int $no, string $msg) use (&$out, $key) {
        $out[] = ($no === E_WARNING ? 'E_WARNING: ' : "error $no: ") . str_replace(sprintf('0x%x', $key), '0xKEY', $msg);
        return true;
    });
    foreach ([[$key], [$key, 8192, 0666]] as $args) {
        $r = safeshm_attach(...$args);
        $out[] = 'returned ' . var_export($r, true);
    }
    fwrite($childEnd, implode("\n", $out) . "\n");
    exit(0);
}
fclose($childEnd);
echo stream_get_contents($parentEnd);
pcntl_waitpid($pid, $status);
var_dump(pcntl_wexitstatus($status));
var_dump(safeshm_get_var($s, 1), $s->verify());
safeshm_remove($s);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
E_WARNING: safeshm_attach(): Failed for key 0xKEY: Permission denied
returned false
E_WARNING: safeshm_attach(): Failed for key 0xKEY: Permission denied
returned false
int(0)
string(9) "root only"
bool(true)
