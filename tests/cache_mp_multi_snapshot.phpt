--TEST--
SafeShm::putMultiple() and getMultiple() multi-process: readers never see part of a batch; every getMultiple() is one consistent snapshot
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$s->putMultiple(['a' => 0, 'b' => 0, 'c' => 0, 'pad' => str_repeat('p', 100)]);
$batches = 3000;
$socks = $pids = [];
for ($w = 0; $w < 3; $w++) {
    [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    $pid = pcntl_fork();
    if ($pid === 0) {
        fclose($parentEnd);
        $o = new SafeShm($key);
        if ($w === 0) {
            // the writer: batches of three keys, with values of changing sizes so records move
            for ($i = 1; $i <= $batches; $i++) {
                $o->putMultiple(['a' => $i, 'b' => $i, 'c' => $i, 'pad' => str_repeat('p', 100 + $i % 300)]);
                // the first 200 batches wait for a read in between: reads overlap the writes by construction
                for ($seen = $o->get('reads', 0), $t = 0; $i <= 200 && $o->get('reads', 0) === $seen && $t < 20000; $t++) {
                    usleep(100);
                }
            }
            $o->put('done', true);
            $out = ['wrote' => $batches];
        } else {
            $reads = $torn = $mid = 0;
            $last = 0;
            $backwards = 0;
            while (!$o->has('done') || $reads === 0) {
                $v = $o->getMultiple(['a', 'b', 'c']);
                $reads++;
                $o->increment('reads');
                if ($v['a'] !== $v['b'] || $v['b'] !== $v['c']) {
                    $torn++;
                }
                $mid += (int) ($v['a'] > 0 && $v['a'] < $batches);
                $backwards += (int) ($v['a'] < $last);
                $last = $v['a'];
            }
            $out = ['reads' => $reads, 'torn' => $torn, 'mid' => $mid, 'backwards' => $backwards];
        }
        fwrite($childEnd, serialize($out));
        exit(0);
    }
    fclose($childEnd);
    $socks[] = $parentEnd;
    $pids[] = $pid;
}
$r = array_map(fn($sock) => unserialize(stream_get_contents($sock)), $socks);
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $st);
}
echo "batches written: {$r[0]['wrote']}\n";
foreach ([1, 2] as $i) {
    echo "reader $i: torn snapshots {$r[$i]['torn']}, values going backwards {$r[$i]['backwards']}, reads during the writes: ",
        $r[$i]['mid'] > 0 ? 'some' : 'none', "\n";
}
echo json_encode($s->getMultiple(['a', 'b', 'c'])), "\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
batches written: 3000
reader 1: torn snapshots 0, values going backwards 0, reads during the writes: some
reader 2: torn snapshots 0, values going backwards 0, reads during the writes: some
{"a":3000,"b":3000,"c":3000}
bool(true)
