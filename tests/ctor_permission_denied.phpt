--TEST--
SafeShm::__construct(): another user without access gets a SafeShmException that says permission is denied
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
$s = new SafeShm($key, 8192, 0600);
$s->put('secret', 'root only');
$nobody = posix_getpwnam('nobody');

[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    posix_setgid($nobody['gid']);
    posix_setuid($nobody['uid']);
    try {
        $c = new SafeShm($key);
        $out = 'attached: ' . var_export($c->get('secret'), true);
    } catch (Throwable $e) {
        $out = get_class($e) . ': ' . str_replace(sprintf('0x%08x', $key), '0xKEY', $e->getMessage());
    }
    fwrite($childEnd, $out);
    fclose($childEnd);
    exit(0);
}
fclose($childEnd);
echo stream_get_contents($parentEnd), "\n";
pcntl_waitpid($pid, $status);
var_dump(pcntl_wexitstatus($status));
var_dump($s->get('secret'), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
SafeShmException: SafeShm segment 0xKEY: permission denied: Permission denied
int(0)
string(9) "root only"
bool(true)
