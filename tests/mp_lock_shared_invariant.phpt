--TEST--
SafeShm::lock() multi-process: shared readers check an invariant that exclusive writers break and restore; no reader ever sees it broken, readers overlap, writers are alone
--EXTENSIONS--
safeshm
pcntl
--INI--
safeshm.lock_timeout=10
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// The invariant: a === b. A writer, holding the lock exclusively, sets a, pauses, then sets b: between the two
// the invariant is broken on purpose. Readers, holding the lock shared, read both. Each holder also counts
// itself in and out (increment is atomic): a writer must be alone, readers may be several at once.
const WRITERS = 4;
const READERS = 4;
const ITER = 2000;
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$s->put('a', 0);
$s->put('b', 0);
$s->put('readers_in', 0);
$s->put('writers_in', 0);
$pids = [];
for ($p = 0; $p < WRITERS + READERS; $p++) {
    $writer = $p < WRITERS;
    $pid = pcntl_fork();
    if ($pid === 0) {
        $o = new SafeShm($key);
        while (!$o->has('go')) {
            usleep(100);
        }
        $r = ['broken' => 0, 'failed' => 0, 'not_alone' => 0, 'max_readers' => 0, 'max_wait' => 0];
        for ($i = 0; $i < ITER; $i++) {
            $t = hrtime(true);
            $l = $o->lock('ab', 60, 0, !$writer);
            $r['max_wait'] = max($r['max_wait'], hrtime(true) - $t);
            if ($l === null) {
                $r['failed']++;
                continue;
            }
            if ($writer) {
                if ($o->increment('writers_in') !== 1 || $o->get('readers_in') !== 0) $r['not_alone']++;
                $v = $o->get('a') + 1;
                $o->put('a', $v);
                if ($i % 8 === 0) usleep(50);      // broken for a while
                $o->put('b', $v);
                $o->increment('writers_in', -1);
            } else {
                $r['max_readers'] = max($r['max_readers'], $o->increment('readers_in'));
                if ($o->get('writers_in') !== 0) $r['not_alone']++;
                if ($o->get('a') !== $o->get('b')) $r['broken']++;
                if ($i % 4 === 0) usleep(50);      // stay a while, so that readers overlap
                if ($o->get('a') !== $o->get('b')) $r['broken']++;
                $o->increment('readers_in', -1);
            }
            if (!$l->release()) $r['failed']++;
        }
        $o->put("result$p", $r);
        exit(0);
    }
    $pids[] = $pid;
}
$s->put('go', true);
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $status);
}
$sum = ['broken' => 0, 'failed' => 0, 'not_alone' => 0];
$maxReaders = 0;
$waits = [];
for ($p = 0; $p < WRITERS + READERS; $p++) {
    $r = $s->get("result$p");
    if (!is_array($r)) {
        echo "process $p: no result\n";
        continue;
    }
    foreach ($sum as $k => $_) $sum[$k] += $r[$k];
    $maxReaders = max($maxReaders, $r['max_readers']);
    $waits[] = sprintf('%s%.1f', $p < WRITERS ? 'w' : 'r', $r['max_wait'] / 1e6);
}
echo 'a=', $s->get('a'), ' b=', $s->get('b'), ' (expected ', WRITERS * ITER, ")\n";
echo "reads that saw a !== b: $sum[broken]\n";
echo "holders not alone when they must be: $sum[not_alone]\n";
echo "failed lock() or release(): $sum[failed]\n";
echo 'readers held it together: ', $maxReaders >= 2 ? 'yes' : 'no', "\n";
echo 'locks left: ', count($s->locks()), "\n";
// measured, not asserted
echo "most readers at once: $maxReaders; max wait per process (ms): ", implode(' ', $waits), "\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
a=8000 b=8000 (expected 8000)
reads that saw a !== b: 0
holders not alone when they must be: 0
failed lock() or release(): 0
readers held it together: yes
locks left: 0
most readers at once: %d; max wait per process (ms): %s
bool(true)
