--TEST--
SafeShm::remember() multi-process: 50 processes ask for one missing key whose computation takes 200 ms; it is computed exactly once and all 50 get its value
--EXTENSIONS--
safeshm
pcntl
--INI--
safeshm.lock_timeout=10
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$procs = 50;
$start = microtime(true) + 1.5; // every child is forked and waiting by then
$socks = $pids = [];
for ($w = 0; $w < $procs; $w++) {
    [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    $pid = pcntl_fork();
    if ($pid === 0) {
        fclose($parentEnd);
        $o = new SafeShm($key);
        usleep((int) max(0, ($start - microtime(true)) * 1e6));
        $t0 = hrtime(true);
        try {
            $v = $o->remember('report', function () use ($o) {
                $o->increment('computations');
                $o->put('compute_start', hrtime(true));
                usleep(200000);
                $o->put('compute_end', hrtime(true));
                return ['computed by' => getmypid(), 'rows' => range(1, 100)];
            }, 60);
            $out = ['v' => $v, 't0' => $t0, 't1' => hrtime(true), 'pid' => getmypid()];
        } catch (Throwable $e) {
            $out = ['error' => get_class($e) . ': ' . $e->getMessage()];
        }
        fwrite($childEnd, serialize($out));
        exit(0);
    }
    fclose($childEnd);
    $socks[] = $parentEnd;
    $pids[] = $pid;
}
$results = [];
foreach ($socks as $sock) {
    $results[] = unserialize(stream_get_contents($sock));
}
$exited = 0;
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $status);
    $exited += (int) (pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0);
}
$stored = $s->get('report');
$same = $errors = $waited = 0;
$lateMs = [];
$end = $s->get('compute_end');
foreach ($results as $r) {
    if (isset($r['error'])) {
        $errors++;
        echo "error: $r[error]\n";
        continue;
    }
    $same += (int) ($r['v'] === $stored);
    if ($r['pid'] !== $stored['computed by'] && $r['t0'] < $end && $r['t1'] >= $end) {
        $waited++;
        $lateMs[] = ($r['t1'] - $end) / 1e6;
    }
}
echo "processes: $procs, exited cleanly: $exited, errors: $errors\n";
echo "computations: ", $s->get('computations'), "\n";
echo "processes that got the stored value: $same\n";
echo "the value is the computing process's: ", var_export(in_array($stored['computed by'], $pids, true), true), "\n";
sort($lateMs);
echo "others that called while it was being computed and waited for it: $waited\n";
// how long after the value was stored the waiters had it (on a loaded machine, mostly waiting for a CPU)
printf("they returned after it was stored: median %d ms, slowest %d ms\n", $lateMs ? (int) round($lateMs[intdiv(count($lateMs), 2)]) : 0, $lateMs ? (int) round(end($lateMs)) : 0);
echo "markers left: ", $s->info()['locks'], "\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
processes: 50, exited cleanly: 50, errors: 0
computations: 1
processes that got the stored value: 50
the value is the computing process's: true
others that called while it was being computed and waited for it: %d
they returned after it was stored: median %d ms, slowest %d ms
markers left: 0
bool(true)
