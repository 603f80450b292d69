--TEST--
SafeShm multi-process: 8 workers x 2000 increments give exactly 16000; each of 2000 add() keys is won by exactly one worker
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$workers = 8;
$s = new SafeShm($key, 4 << 20);

/** Forks $workers children running $job($w, $store), returns what each wrote back, and how many exited cleanly. */
function run_workers(int $workers, SafeShm $s, int $key, callable $job): array {
    $start = microtime(true) + 0.2;
    $socks = $pids = [];
    for ($w = 0; $w < $workers; $w++) {
        [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
        $pid = pcntl_fork();
        if ($pid === 0) {
            fclose($parentEnd);
            $o = $w % 2 ? $s : new SafeShm($key);
            while (microtime(true) < $start) { }
            try {
                $out = $job($w, $o);
            } catch (Throwable $e) {
                $out = ['error' => get_class($e) . ': ' . $e->getMessage()];
            }
            fwrite($childEnd, json_encode($out));
            fclose($childEnd);
            exit(0);
        }
        fclose($childEnd);
        $socks[] = $parentEnd;
        $pids[] = $pid;
    }
    $results = [];
    foreach ($socks as $sock) $results[] = json_decode(stream_get_contents($sock), true);
    $ok = 0;
    foreach ($pids as $pid) {
        pcntl_waitpid($pid, $status);
        if (pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0) $ok++;
    }
    return [$results, $ok];
}

// 1. increment: exact total, and every returned value is distinct (each increment saw its own result).
[$results, $ok] = run_workers($workers, $s, $key, function (int $w, SafeShm $o) {
    $seen = [];
    for ($i = 0; $i < 2000; $i++) $seen[] = $o->increment('counter');
    return $seen;
});
echo "increment workers exited ok: $ok\n";
$all = [];
foreach ($results as $r) {
    if (isset($r['error'])) { echo "worker error: $r[error]\n"; continue; }
    array_push($all, ...$r);
}
sort($all);
var_dump($s->get('counter'));
echo 'returned values are exactly 1..16000: ', $all === range(1, 16000) ? 'yes' : 'no (' . count(array_unique($all)) . ' distinct)', "\n";

// 2. add race on 2000 fresh keys: every worker tries every key, in the same order.
[$results, $ok] = run_workers($workers, $s, $key, function (int $w, SafeShm $o) {
    $won = [];
    for ($i = 0; $i < 2000; $i++) {
        if ($o->add("slot-$i", $w)) $won[] = $i;
    }
    return $won;
});
echo "add workers exited ok: $ok\n";
$winner = [];
$dup = 0;
$wins = 0;
foreach ($results as $w => $r) {
    if (isset($r['error'])) { echo "worker error: $r[error]\n"; continue; }
    foreach ($r as $i) {
        if (isset($winner[$i])) $dup++;
        $winner[$i] = $w;
        $wins++;
    }
}
$mismatch = 0;
for ($i = 0; $i < 2000; $i++) {
    if (!isset($winner[$i]) || $s->get("slot-$i") !== $winner[$i]) $mismatch++;
}
echo "wins=$wins keys won twice=$dup keys whose value is not their winner=$mismatch\n";
var_dump(count($s), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
increment workers exited ok: 8
int(16000)
returned values are exactly 1..16000: yes
add workers exited ok: 8
wins=2000 keys won twice=0 keys whose value is not their winner=0
int(2001)
bool(true)
