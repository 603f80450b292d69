--TEST--
SafeShm::update() and cas() multi-process: 8 processes x 1000 update() appends to one array give exactly 8000 elements, each process's in its order; 8 x 1000 cas() increments give exactly 8000
--EXTENSIONS--
safeshm
pcntl
--INI--
safeshm.lock_timeout=30
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 4 << 20);
$workers = 8;
$n = 1000;

/** Forks $workers children running $job($w, SafeShm); returns what each returned (or its error). */
function run_workers(int $workers, int $key, callable $job): array {
    $start = microtime(true) + 0.3;
    $socks = $pids = [];
    for ($w = 0; $w < $workers; $w++) {
        [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
        $pid = pcntl_fork();
        if ($pid === 0) {
            fclose($parentEnd);
            $o = new SafeShm($key);
            usleep((int) max(0, ($start - microtime(true)) * 1e6));
            try {
                $out = $job($w, $o);
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
    foreach ($pids as $pid) {
        pcntl_waitpid($pid, $status);
    }
    return $results;
}

echo "-- update(): append to an array\n";
$results = run_workers($workers, $key, function (int $w, SafeShm $o) use ($n) {
    $calls = 0;
    for ($i = 0; $i < $n; $i++) {
        $o->update('list', function (array $l) use ($w, $i, &$calls) {
            $calls++;
            $l[] = $w * 100000 + $i;
            return $l;
        }, []);
    }
    return ['calls' => $calls];
});
$list = $s->get('list');
$calls = $errors = 0;
foreach ($results as $r) {
    isset($r['error']) ? print("error: $r[error]\n") + $errors++ : $calls += $r['calls'];
}
$inOrder = 0;
for ($w = 0; $w < $workers; $w++) {
    $mine = array_values(array_filter($list, fn($x) => intdiv($x, 100000) === $w));
    $inOrder += (int) ($mine === range($w * 100000, $w * 100000 + $n - 1));
}
echo "elements: ", count($list), ", distinct: ", count(array_unique($list)), ", processes whose appends are all there in order: $inOrder, errors: $errors\n";
echo "\$fn calls: ", $calls >= $workers * $n ? 'at least one per update' : "FEWER: $calls", "\n";
printf("re-runs after a concurrent write: %d (%.1f per update)\n", $calls - $workers * $n, ($calls - $workers * $n) / ($workers * $n));

echo "-- cas(): increment loops\n";
$s->put('counter', 0);
$s->put('doc', ['count' => 0, 'by' => []]);
$results = run_workers($workers, $key, function (int $w, SafeShm $o) use ($n) {
    $retries = 0;
    for ($i = 0; $i < $n; $i++) {
        do {
            $v = $o->get('counter');
        } while (!$o->cas('counter', $v, $v + 1) && ++$retries);
    }
    for ($i = 0; $i < $n / 4; $i++) { // an array value: compared by its serialized form
        do {
            $d = $o->get('doc');
            $new = ['count' => $d['count'] + 1, 'by' => $d['by']];
            $new['by'][$w] = ($new['by'][$w] ?? 0) + 1;
        } while (!$o->cas('doc', $d, $new) && ++$retries);
    }
    return ['retries' => $retries];
});
$retries = $errors = 0;
foreach ($results as $r) {
    isset($r['error']) ? print("error: $r[error]\n") + $errors++ : $retries += $r['retries'];
}
$doc = $s->get('doc');
ksort($doc['by']);
echo "int counter: ", $s->get('counter'), ", array counter: $doc[count], per process: ", json_encode($doc['by']), ", errors: $errors\n";
echo "cas() refused (another process changed the value first): $retries\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
-- update(): append to an array
elements: 8000, distinct: 8000, processes whose appends are all there in order: 8, errors: 0
$fn calls: at least one per update
re-runs after a concurrent write: %d (%f per update)
-- cas(): increment loops
int counter: 8000, array counter: 2000, per process: [250,250,250,250,250,250,250,250], errors: 0
cas() refused (another process changed the value first): %d
bool(true)
