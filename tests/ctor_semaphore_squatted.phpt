--TEST--
A store's semaphore key squatted by another user (created first with sem_get()): the error names the semaphore's key and its owner instead of a bare timeout or "Permission denied", and the segment the failed attempt created is not left behind
--EXTENSIONS--
safeshm
sysvsem
pcntl
posix
--SKIPIF--
<?php
if (posix_getuid() !== 0) die('skip needs root to switch to other users');
if (posix_getpwnam('nobody') === false || posix_getpwnam('daemon') === false) die('skip needs users nobody and daemon');
?>
--INI--
safeshm.lock_timeout=1
safeshm.lock=semaphore
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__, 0);
function as_user(string $user, callable $f): string
{
    $pw = posix_getpwnam($user);
    [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    $pid = pcntl_fork();
    if ($pid === 0) {
        fclose($parentEnd);
        posix_setgid($pw['gid']);
        posix_setuid($pw['uid']);
        try {
            $out = $f();
        } catch (Throwable $e) {
            $out = get_class($e) . ': ' . $e->getMessage();
        }
        fwrite($childEnd, $out);
        exit(0);
    }
    fclose($childEnd);
    $out = stream_get_contents($parentEnd);
    pcntl_waitpid($pid, $st);
    return $out;
}
function segments(int $key): int
{
    $n = 0;
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) $n += preg_split('/\s+/', trim($line))[0] === (string) $key;
    return $n;
}
// The key of the store's semaphore, as the system shows it (ipcs -s).
$s = new SafeShm($key, 8192);
$semid = $s->info()['semid'];
foreach (array_slice(file('/proc/sysvipc/sem'), 1) as $line) {
    $f = preg_split('/\s+/', trim($line));
    if ($f[1] === (string) $semid) $semkey = (int) $f[0];
}
$s->remove();
$hex = sprintf('0x%08x', $semkey);
$daemon = posix_getpwnam('daemon')['uid'];

foreach (['0600 (nobody may not use it)' => 0600, '0666 (usable, but sem_get() leaves it at 1: taken)' => 0666] as $label => $mode) {
    echo "-- squatted with mode $label\n";
    echo 'squatter: ', as_user('daemon', fn() => sem_get($semkey, 1, $mode, false) ? 'made it' : 'failed'), "\n";
    $msg = as_user('nobody', function () use ($key) { new SafeShm($key, 8192, 0666); return 'attached'; });
    echo 'victim: ', $msg, "\n";
    echo 'names the key: ', var_export(str_contains($msg, $hex) && str_contains($msg, 'ipcs -s'), true),
        ', names the owner or says it is another user\'s: ', var_export(str_contains($msg, "uid $daemon") || str_contains($msg, 'another user'), true), "\n";
    echo 'segments left under the key: ', segments($key), "\n";
    sem_remove(sem_get($semkey));
}
echo "-- not squatted any more\n";
echo 'nobody: ', as_user('nobody', function () use ($key) { $s = new SafeShm($key, 8192, 0666); $s->put('k', 'ok'); $v = $s->get('k'); $s->remove(); return $v; }), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
try { (new SafeShm(test_key(__DIR__ . '/ctor_semaphore_squatted.php', 0)))->remove(); } catch (Throwable) {}
test_clean(__FILE__);
?>
--EXPECTF--
-- squatted with mode 0600 (nobody may not use it)
squatter: made it
victim: SafeShmException: SafeShm segment 0x%x: semaphore: Permission denied; its semaphore (key 0x%x, see ipcs -s) belongs to another user and this one may not use it: %s
names the key: true, names the owner or says it is another user's: true
segments left under the key: 0
-- squatted with mode 0666 (usable, but sem_get() leaves it at 1: taken)
squatter: made it
victim: SafeShmTimeoutException: SafeShm segment 0x%x: lock not acquired within safeshm.lock_timeout (1.000 s); its semaphore (key 0x%x, see ipcs -s) belongs to uid %d, neither this user nor the store's owner: %s
names the key: true, names the owner or says it is another user's: true
segments left under the key: 0
-- not squatted any more
nobody: ok
