--TEST--
SafeShm::__construct(): processes creating the same store at the same instant all share one initialised store: every add() is kept and the increments return 1..8, once each
--EXTENSIONS--
safeshm
pcntl
--INI--
safeshm.lock_timeout=5
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$workers = 8;
$rounds = 20;
$bad = 0;
for ($round = 0; $round < $rounds; $round++) {
    $start = microtime(true) + 0.05;
    $pids = [];
    for ($w = 0; $w < $workers; $w++) {
        $pid = pcntl_fork();
        if ($pid === 0) {
            while (microtime(true) < $start) { }
            try {
                $s = new SafeShm($key, 65536);
                // the exit code carries what increment() returned (10 + n): each worker must see its own n
                exit($s->add("w$w", $w) ? 10 + $s->increment('n') : 1);
            } catch (Throwable $e) {
                echo "round $round worker $w: ", get_class($e), ': ', $e->getMessage(), "\n";
                exit(2);
            }
        }
        $pids[] = $pid;
    }
    $exits = [];
    foreach ($pids as $pid) {
        pcntl_waitpid($pid, $status);
        $exits[] = pcntl_wifexited($status) ? pcntl_wexitstatus($status) : -1;
    }
    $s = new SafeShm($key);
    $seen = 0;
    for ($w = 0; $w < $workers; $w++) {
        if ($s->get("w$w") === $w) $seen++;
    }
    $sorted = $exits;
    sort($sorted);
    if ($sorted !== range(11, 10 + $workers) || $seen !== $workers || $s->get('n') !== $workers
        || count($s) !== $workers + 1 || !$s->verify() || $s->info()['size'] !== 65536) {
        $bad++;
        echo "round $round: exits=", implode(',', $exits), " seen=$seen n=", var_export($s->get('n'), true),
            ' count=', count($s), "\n";
    }
    $s->remove();
}
echo "rounds=$rounds bad_rounds=$bad\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
rounds=20 bad_rounds=0
