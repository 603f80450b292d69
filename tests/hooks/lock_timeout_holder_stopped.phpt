--TEST--
Test hooks: while another process holds the store's lock (stopped inside put(), the lock taken), a write waits safeshm.lock_timeout and throws SafeShmTimeoutException, reads answer at once with the committed value; once the holder goes on, writes work again
--EXTENSIONS--
safeshm
shmop
--INI--
safeshm.lock_timeout=0.2
--SKIPIF--
<?php require __DIR__ . '/_hooks.inc'; hooks_skipif(); ?>
--FILE--
<?php
require __DIR__ . '/_hooks.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$s->put('k', 'old');
$semid = $s->info()['semid'];
$before = hooks_counters($s);
// The holder: its put() stops with the lock held until it reads a line (or 5 s pass: a write that waited for it
// without bound would otherwise wait for ever).
$code = 'require ' . var_export(__DIR__ . '/_hooks.inc', true) . '; $s = new SafeShm(' . $key . ');
    function hold(string $where): void {
        echo "holding\n";
        $r = [STDIN]; $w = $e = [];
        if (stream_select($r, $w, $e, 5)) { fgets(STDIN); } else { echo "holder gave up waiting\n"; }
    }
    ini_set("safeshm.test_call", "hold");
    $s->put("k", "from the holder");
    echo "holder done\n";';
$p = proc_open([...test_php_argv(), '-r', $code], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
$pid = proc_get_status($p)['pid'];
echo 'holder: ', trim((string) fgets($pipes[1])), '; ', hooks_lock_words($key, $pid, $semid), "\n";
echo 'get: ', var_export($s->get('k'), true), ', has: ', var_export($s->has('k'), true), "\n";
foreach (['put' => fn() => $s->put('k', 'x'), 'delete' => fn() => $s->delete('k'), 'increment' => fn() => $s->increment('n')] as $op => $f) {
    try {
        $f();
        echo "$op: returned\n";
    } catch (SafeShmException $e) {
        echo "$op: ", get_class($e), ': ', str_replace(sprintf('0x%08x', $key), 'KEY', $e->getMessage()), "\n";
    }
}
fwrite($pipes[0], "go\n");
echo 'holder: ', trim((string) fgets($pipes[1])), "\n";
fclose($pipes[0]);
fclose($pipes[1]);
proc_close($p);
echo 'after it: ', hooks_lock_words($key, $pid, $semid), '; k=', var_export($s->get('k'), true), "\n";
$s->put('k', 'mine');
echo 'put: ', $s->get('k'), ', verify: ', var_export($s->verify(), true), ', counters changed: ', hooks_delta($before, hooks_counters($s)), "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECT--
holder: holding; holder recorded: the child, the lock: taken by the child
get: 'old', has: true
put: SafeShmTimeoutException: SafeShm segment KEY: lock not acquired within safeshm.lock_timeout (0.200 s)
delete: SafeShmTimeoutException: SafeShm segment KEY: lock not acquired within safeshm.lock_timeout (0.200 s)
increment: SafeShmTimeoutException: SafeShm segment KEY: lock not acquired within safeshm.lock_timeout (0.200 s)
holder: holder done
after it: holder recorded: none, the lock: free; k='from the holder'
put: mine, verify: true, counters changed: lock_waits +3, lock_timeouts +3
