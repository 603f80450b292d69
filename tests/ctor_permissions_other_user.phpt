--TEST--
SafeShm::__construct(): a store created with 0666 is usable (segment and lock) by another user
--EXTENSIONS--
safeshm
pcntl
posix
--SKIPIF--
<?php
if (posix_getuid() !== 0) die('skip needs root to switch to another user');
if (posix_getpwnam('nobody') === false) die('skip no user nobody');
?>
--INI--
safeshm.lock_timeout=2
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 8192, 0666);
$s->put('from', 'root');
$nobody = posix_getpwnam('nobody');

[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    posix_setgid($nobody['gid']);
    posix_setuid($nobody['uid']);
    try {
        $c = new SafeShm($key);
        $out = 'child read ' . $c->get('from');
        $c->put('from', 'nobody');
        $out .= ', incremented to ' . $c->increment('n', 5);
    } catch (Throwable $e) {
        $out = get_class($e) . ': ' . $e->getMessage();
    }
    fwrite($childEnd, $out);
    fclose($childEnd);
    exit(0);
}
fclose($childEnd);
echo stream_get_contents($parentEnd), "\n";
pcntl_waitpid($pid, $status);
var_dump(pcntl_wexitstatus($status));
var_dump($s->get('from'), $s->get('n'), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
child read root, incremented to 5
int(0)
string(6) "nobody"
int(5)
bool(true)
