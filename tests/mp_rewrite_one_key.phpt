--TEST--
SafeShm multi-process: workers rewrite and read one key (70-byte values in 1 MiB, then 3000-byte values in 16 KiB, compacted every few writes); no errors, every read one of the written values, used unchanged
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);

/**
 * $writers processes put the values in turn (and read back after each put when $readBack), $readers processes
 * only read, for $seconds. Returns what every worker counted: [ops, reads, bad reads, errors, first error].
 */
function run_phase(SafeShm $s, int $key, array $values, int $writers, int $readers, float $seconds, bool $readBack): array
{
    $start = microtime(true) + 0.2;
    $socks = $pids = [];
    for ($w = 0; $w < $writers + $readers; $w++) {
        [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
        $pid = pcntl_fork();
        if ($pid === 0) {
            fclose($parentEnd);
            // Half the workers use the object inherited from the parent, half attach their own.
            $o = $w % 2 ? $s : new SafeShm($key);
            $writer = $w < $writers;
            $ops = $reads = $bad = $errors = 0;
            $firstError = '';
            while (microtime(true) < $start) { }
            $end = $start + $seconds;
            $i = $w;
            do { // at least one round, however late the worker starts
                for ($n = 0; $n < 50; $n++) {
                    try {
                        if ($writer) {
                            $o->put('payload', $values[$i++ % count($values)]);
                            $ops++;
                        }
                        if (!$writer || $readBack) {
                            $r = $o->get('payload');
                            $reads++;
                            if (!in_array($r, $values, true)) $bad++;
                        }
                    } catch (Throwable $e) {
                        $errors++;
                        if ($firstError === '') $firstError = get_class($e) . ': ' . $e->getMessage();
                    }
                }
            } while (microtime(true) < $end);
            fwrite($childEnd, json_encode([$ops, $reads, $bad, $errors, $firstError]));
            fclose($childEnd);
            exit(0);
        }
        fclose($childEnd);
        $socks[] = $parentEnd;
        $pids[] = $pid;
    }
    $results = [];
    foreach ($socks as $sock) {
        $results[] = json_decode(stream_get_contents($sock), true) ?? [0, 0, 0, 1, 'no report'];
    }
    foreach ($pids as $i => $pid) {
        pcntl_waitpid($pid, $status);
        if (!pcntl_wifexited($status) || pcntl_wexitstatus($status) !== 0) $results[$i][3]++;
    }
    return $results;
}

function report(string $phase, SafeShm $s, array $results, int $usedAfterFirst, array $values): void
{
    $sum = fn(int $i) => array_sum(array_column($results, $i));
    $idle = count(array_filter($results, fn($r) => $r[0] + $r[1] === 0));
    $info = $s->info();
    echo "$phase: errors=", $sum(3), ' bad_reads=', $sum(2), ', workers that did nothing: ', $idle, "\n";
    foreach (array_unique(array_filter(array_column($results, 4))) as $e) echo "  error: $e\n";
    echo "$phase: used unchanged: ", $info['used'] === $usedAfterFirst ? 'yes' : "no ($usedAfterFirst -> $info[used])",
        ", entries=$info[entries] lock_timeouts=$info[lock_timeouts], last value a written one: ",
        var_export(in_array($s->get('payload'), $values, true), true), ', verify: ', var_export($s->verify(), true), "\n";
    // How much work, contention and compaction the time brings depends on the machine: shown, not asserted.
    echo "$phase: puts=", $sum(0), ' reads checked=', $sum(1), " lock_waits=$info[lock_waits] compactions=$info[compactions]\n";
}

// 1. The production scenario: a 70-byte config value rewritten and read back by 8 workers for 2 s.
$values = [];
foreach ([15421108380, 15421108381, 15421108382] as $t) {
    $values[] = json_encode(['zmq' => ['host' => '19.168.1.100', 'port' => '8899', 'createTime' => $t]]);
}
echo 'value sizes: ', implode(',', array_map('strlen', $values)), "\n";
$s = new SafeShm($key, 1 << 20);
$s->put('payload', $values[0]);
$used = $s->info()['used'];
report('70-byte values', $s, run_phase($s, $key, $values, 8, 0, 2.0, true), $used, $values);
$s->remove();

// 2. Readers that only read while writers rewrite 3000-byte values in a 16 KiB segment: a record read is often
// being moved by a compaction or overwritten by the next write; a read that mixed two values would show.
$values = [];
foreach (['A', 'B', 'C'] as $c) $values[] = $c . str_repeat(strtolower($c), 2998) . $c;
$s = new SafeShm($key, 16384);
$s->put('payload', $values[0]);
$used = $s->info()['used'];
report('3000-byte values', $s, run_phase($s, $key, $values, 4, 4, 1.0, false), $used, $values);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
value sizes: 70,70,70
70-byte values: errors=0 bad_reads=0, workers that did nothing: 0
70-byte values: used unchanged: yes, entries=1 lock_timeouts=0, last value a written one: true, verify: true
70-byte values: puts=%d reads checked=%d lock_waits=%d compactions=%d
3000-byte values: errors=0 bad_reads=0, workers that did nothing: 0
3000-byte values: used unchanged: yes, entries=1 lock_timeouts=0, last value a written one: true, verify: true
3000-byte values: puts=%d reads checked=%d lock_waits=%d compactions=%d
