--TEST--
SafeShm::lock(): a user who may only read the segment takes no lock (refused with SafeShmException, the store untouched)
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
$s = new SafeShm($key, 1 << 20, 0644);
$s->put('k', 'v');
$before = $s->info()['writes'];
$pid = pcntl_fork();
if ($pid === 0) {
    $nobody = posix_getpwnam('nobody');
    posix_setgid($nobody['gid']);
    posix_setuid($nobody['uid']);
    try {
        $l = (new SafeShm($key))->lock('job');
        $out = 'locked: ' . var_export($l !== null, true);
    } catch (SafeShmException $e) {
        $out = get_class($e) . ': ' . preg_replace('/0x[0-9a-f]{8}/', '0x%08x', $e->getMessage());
    }
    file_put_contents('php://stdout', "$out\n");
    exit(0);
}
pcntl_waitpid($pid, $status);
var_dump($s->locks(), $s->info()['writes'] === $before, $s->lock('job') !== null);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
SafeShmException: SafeShm segment 0x%08x is attached read-only: a lock needs write access
array(0) {
}
bool(true)
bool(true)
