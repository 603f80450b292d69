--TEST--
Test hooks: getMultiple() kept from a consistent lock-free snapshot by a write at every try takes the store's lock for its last try; max_execution_time fires there, with the lock held by a read; the end of the request releases it and the next process writes at once
--EXTENSIONS--
safeshm
shmop
--INI--
safeshm.lock_timeout=2
--SKIPIF--
<?php require __DIR__ . '/_hooks.inc'; hooks_skipif(); ?>
--FILE--
<?php
require __DIR__ . '/_hooks.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$s->putMultiple(['a' => 0, 'b' => 0]);
$semid = $s->info()['semid'];
$before = hooks_counters($s);
[$out, $pid, $status] = hooks_child($key, '$s = new SafeShm($key); $semid = $s->info()["semid"]; $tries = 0;
    function interleave(string $where): void {
        global $s, $key, $semid, $tries;
        if (hooks_lock_state($key)["owner"] !== getmypid()) {
            $s->increment("a"); // a write after each key read: no lock-free try is a snapshot
            $tries++;
            return;
        }
        echo "lock-free tries: ", $tries / 2, ", each with a write after each of its 2 reads; then called at $where: ", hooks_lock_words($key, getmypid(), $semid), "\n";
        set_time_limit(1);
        for (;;) { }
    }
    register_shutdown_function(function () { echo "the request ends\n"; });
    ini_set("safeshm.test_call_at", "multi:read");
    ini_set("safeshm.test_call", "interleave");
    $s->getMultiple(["a", "b"]);
    echo "not reached\n";');
echo implode("\n", array_filter(explode("\n", $out), fn(string $l): bool => trim($l) !== '')), "\n";
echo "child exit status: $status\n";
echo 'after the child: ', hooks_lock_words($key, $pid, $semid), "\n";
$s->put('probe', 1);
echo 'this process wrote at once; a=', $s->get('a'), ', verify: ', var_export($s->verify(), true),
    ', counters changed: ', hooks_delta($before, hooks_counters($s)), "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECTF--
lock-free tries: 16, each with a write after each of its 2 reads; then called at multi:read: holder recorded: the child, the lock: taken by the child
Fatal error: Maximum execution time of 1 second exceeded in Command line code on line %d
the request ends
child exit status: 255
after the child: holder recorded: none, the lock: free
this process wrote at once; a=32, verify: true, counters changed: entries +1
