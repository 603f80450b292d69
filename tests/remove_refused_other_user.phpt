--TEST--
SafeShm::remove() refused by the system (another user's 0666 store): a clear permission error, nothing changes, and the store keeps working for everyone, its owner's remove() included
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
; PCRE's JIT reads past the end of strings with SIMD loads: false reports under valgrind
pcre.jit=0
safeshm.lock_timeout=2
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__, 0);
$s = new SafeShm($key, 16384, 0666);
$s->put('k', 'from root');
$nobody = posix_getpwnam('nobody');

[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    posix_setgid($nobody['gid']);
    posix_setuid($nobody['uid']);
    $out = [];
    $c = new SafeShm($key);
    try {
        $c->remove();
        $out[] = 'remove: returned';
    } catch (SafeShmException $e) {
        $out[] = 'remove: ' . get_class($e) . ': ' . preg_replace('/0x[0-9a-f]{8}/', 'KEY', $e->getMessage());
    }
    foreach (['same object' => $c, 'new object' => new SafeShm($key)] as $label => $o) {
        try {
            $o->put('k', "from nobody ($label)");
            $out[] = "$label: " . $o->get('k');
        } catch (Throwable $e) {
            $out[] = "$label: " . get_class($e) . ': ' . $e->getMessage();
        }
    }
    fwrite($childEnd, implode("\n", $out));
    fclose($childEnd);
    exit(0);
}
fclose($childEnd);
echo stream_get_contents($parentEnd), "\n";
pcntl_waitpid($pid, $status);
var_dump($s->get('k'), $s->verify());
$t = new SafeShm($key);
$t->put('k2', 'still a store');
var_dump($t->get('k2'));
$s->remove();
echo 'removed by its owner; a new object makes a fresh store: ', count(new SafeShm($key)), "\n";
(new SafeShm($key))->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
try { (new SafeShm(test_key(__DIR__ . '/remove_refused_other_user.php', 0)))->remove(); } catch (Throwable) {}
test_clean(__FILE__);
?>
--EXPECT--
remove: SafeShmException: SafeShm segment KEY: cannot remove: Operation not permitted (only its owner, its creator or root may remove it); the store is unchanged
same object: from nobody (same object)
new object: from nobody (new object)
string(24) "from nobody (new object)"
bool(true)
string(13) "still a store"
removed by its owner; a new object makes a fresh store: 0
