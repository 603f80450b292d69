--TEST--
Creating a store with a mode that does not let its creator read and write it (0400, 0444, 0): a clear error and nothing left behind, so the next attempt with a usable mode works (as shm_attach_failed_attach of newer PHP)
--EXTENSIONS--
safeshm
pcntl
posix
--SKIPIF--
<?php
if (posix_getuid() !== 0) die('skip needs root to switch to another user (root may use any mode)');
if (posix_getpwnam('nobody') === false) die('skip no user nobody');
?>
--INI--
; PCRE's JIT reads past the end of strings with SIMD loads: false reports under valgrind
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__, 0);
function ipc_of(int $key): int
{
    $n = 0;
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) $n += preg_split('/\s+/', trim($line))[0] === (string) $key;
    return $n;
}
$nobody = posix_getpwnam('nobody');
[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    posix_setgid($nobody['gid']);
    posix_setuid($nobody['uid']);
    $out = [];
    set_error_handler(function (int $no, string $msg) use (&$out) { $out[] = '  warning: ' . preg_replace('/0x[0-9a-f]+/', 'KEY', $msg); return true; });
    foreach ([0400, 0444, 0] as $mode) {
        try {
            new SafeShm($key, 8192, $mode);
            $out[] = sprintf("new SafeShm(%04o): created", $mode);
        } catch (SafeShmException $e) {
            $out[] = sprintf("new SafeShm(%04o): %s", $mode, preg_replace('/0x[0-9a-f]{8}/', 'KEY', $e->getMessage()));
        }
        $out[] = '  segments left under the key: ' . ipc_of($key);
        $s = new SafeShm($key, 8192, 0600);
        $s->put('k', 'works');
        $out[] = '  then 0600: ' . $s->get('k');
        $s->remove();
    }
    $out[] = 'safeshm_attach(0): ' . var_export(safeshm_attach($key, 1024, 0), true);
    $h = safeshm_attach($key, 1024, 0600);
    $out[] = 'then 0600: ' . var_export(safeshm_put_var($h, 1, 'value'), true) . ' ' . safeshm_get_var($h, 1)
        . ' ' . var_export(safeshm_remove($h), true);
    fwrite($childEnd, implode("\n", $out));
    exit(0);
}
fclose($childEnd);
echo stream_get_contents($parentEnd), "\n";
pcntl_waitpid($pid, $status);
echo 'segments left under the key: ', ipc_of($key), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
try { (new SafeShm(test_key(__DIR__ . '/ctor_permissions_unusable_mode.php', 0)))->remove(); } catch (Throwable) {}
test_clean(__FILE__);
?>
--EXPECT--
new SafeShm(0400): SafeShm segment KEY: permission denied: mode 0400 does not let its creator read and write it (a store needs at least 0600 for its owner); nothing was left behind
  segments left under the key: 0
  then 0600: works
new SafeShm(0444): SafeShm segment KEY: permission denied: mode 0444 does not let its creator read and write it (a store needs at least 0600 for its owner); nothing was left behind
  segments left under the key: 0
  then 0600: works
new SafeShm(0000): SafeShm segment KEY: permission denied: mode 0000 does not let its creator read and write it (a store needs at least 0600 for its owner); nothing was left behind
  segments left under the key: 0
  then 0600: works
  warning: safeshm_attach(): Failed for key KEY: Permission denied
safeshm_attach(0): false
then 0600: true value true
segments left under the key: 0
