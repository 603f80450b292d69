--TEST--
SafeShm: a store created 0644 is readable by another user: attached read-only, lock-free reads work (also beside a writer), every write gets a clear read-only error, and nothing is ever written into the read-only mapping
--EXTENSIONS--
safeshm
pcntl
posix
shmop
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
$s = new SafeShm($key, 65536, 0644);
for ($i = 0; $i < 50; $i++) $s->put("k$i", "value $i");
$s->put('n', 5);
$nobody = posix_getpwnam('nobody');
$raw = shmop_open($key, 'a', 0, 0);
function short(Throwable $e): string { return get_class($e) . ': ' . preg_replace('/0x[0-9a-f]{8}/', 'KEY', $e->getMessage()); }

echo "-- the store alone\n";
$before = shmop_read($raw, 0, 65536);
[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    posix_setgid($nobody['gid']);
    posix_setuid($nobody['uid']);
    $out = [];
    try {
        $c = new SafeShm($key);
        $out[] = 'get: ' . $c->get('k7') . ', has: ' . var_export($c->has('k8'), true) . ', missing: ' . var_export($c->get('nope', 'default'), true);
        $out[] = 'count: ' . count($c) . ', keys: ' . count($c->keys()) . ', verify: ' . var_export($c->verify(), true)
            . ', info entries: ' . $c->info()['entries'];
        foreach (['put' => fn() => $c->put('k1', 'x'), 'add' => fn() => $c->add('new', 1), 'delete' => fn() => $c->delete('k1'),
                  'increment' => fn() => $c->increment('n'), 'clear' => fn() => $c->clear(), 'remove' => fn() => $c->remove()] as $op => $f) {
            try {
                $f();
                $out[] = "$op: done";
            } catch (Throwable $e) {
                $out[] = "$op: " . short($e);
            }
        }
        $out[] = 'reads still work: ' . $c->get('k7');
    } catch (Throwable $e) {
        $out[] = 'constructor: ' . short($e);
    }
    fwrite($childEnd, implode("\n", $out));
    exit(0);
}
fclose($childEnd);
echo stream_get_contents($parentEnd), "\n";
pcntl_waitpid($pid, $status);
echo 'reader exited normally: ', var_export(pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0, true), "\n";
echo 'segment bytes unchanged by the reader: ', var_export(shmop_read($raw, 0, 65536) === $before, true), "\n";

echo "-- reads beside a writer\n";
$pid = pcntl_fork();
if ($pid === 0) {
    posix_setgid($nobody['gid']);
    posix_setuid($nobody['uid']);
    $c = new SafeShm($key);
    $bad = $n = 0;
    $end = microtime(true) + 1.0;
    while (microtime(true) < $end) {
        $i = mt_rand(0, 49);
        $v = $c->get("k$i");
        if (!is_string($v) || !preg_match("/^value $i( round \\d+)?$/", $v)) $bad++;
        $n++;
    }
    exit($bad === 0 && $n > 100 ? 0 : 1);
}
$end = microtime(true) + 1.0;
for ($r = 1; microtime(true) < $end; $r++) $s->put('k' . ($r % 50), 'value ' . ($r % 50) . " round $r");
pcntl_waitpid($pid, $status);
echo 'every read a written value: ', var_export(pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0, true), "\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
try { (new SafeShm(test_key(__DIR__ . '/ctor_read_only_other_user.php', 0)))->remove(); } catch (Throwable) {}
test_clean(__FILE__);
?>
--EXPECT--
-- the store alone
get: value 7, has: true, missing: 'default'
count: 51, keys: 51, verify: true, info entries: 51
put: SafeShmException: SafeShm segment KEY: read-only for this user: its mode lets it read the store, not write it
add: SafeShmException: SafeShm segment KEY: read-only for this user: its mode lets it read the store, not write it
delete: SafeShmException: SafeShm segment KEY: read-only for this user: its mode lets it read the store, not write it
increment: SafeShmException: SafeShm segment KEY: read-only for this user: its mode lets it read the store, not write it
clear: SafeShmException: SafeShm segment KEY: read-only for this user: its mode lets it read the store, not write it
remove: SafeShmException: SafeShm segment KEY: cannot remove: Operation not permitted (only its owner, its creator or root may remove it); the store is unchanged
reads still work: value 7
reader exited normally: true
segment bytes unchanged by the reader: true
-- reads beside a writer
every read a written value: true
bool(true)
