--TEST--
SafeShm::lock() multi-process: 12 processes (more than the CPUs, so waiters go to sleep on the lock's futex word) alternate exclusive and shared holds of one lock; every release wakes who it must: exact count, every process done, no lock state left, the idle record used again
--EXTENSIONS--
safeshm
pcntl
--INI--
safeshm.lock_timeout=10
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// A release makes the wake-up system call only when a waiter said, before its last look, that it may sleep
// (sem_lock.h). A lost wake-up would leave a waiter asleep until its 20 ms re-check: slow, so the C test
// (tests/c/test_lock.c, wake_not_lost) counts those; this one checks that the lock stays exact and everybody
// gets through with many sleepers, exclusive and shared, on one word.
const PROCS = 12;
const ITER = 300;
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$s->put('counter', 0);
$pids = [];
for ($p = 0; $p < PROCS; $p++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $o = new SafeShm($key);
        while (!$o->has('go')) {
            usleep(100);
        }
        $failed = 0;
        $broken = 0;
        for ($i = 0; $i < ITER; $i++) {
            if ($i % 5 === 4) {
                // a reader: any number at once, never beside a writer
                $l = $o->lock('w', 60, 0, true);
                if ($l === null) {
                    $failed++;
                    continue;
                }
                $broken += $o->get('writing') !== 0;
                unset($l); // released by its destructor
                continue;
            }
            $l = $o->lock('w', 60);
            if ($l === null) {
                $failed++;
                continue;
            }
            $o->put('writing', 1);
            $v = $o->get('counter');
            $o->put('counter', $v + 1);
            $o->put('writing', 0);
            $failed += $l->release() ? 0 : 1000;
        }
        $o->put("result$p", [$failed, $broken]);
        exit(0);
    }
    $pids[] = $pid;
}
$s->put('writing', 0);
$s->put('go', true);
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $status);
}
$problems = [];
for ($p = 0; $p < PROCS; $p++) {
    $r = $s->get("result$p");
    if (!is_array($r)) {
        $problems[] = "process $p: did not finish";
        continue;
    }
    if ($r[0]) $problems[] = "process $p: $r[0] lock() or release() calls failed";
    if ($r[1]) $problems[] = "process $p: a reader saw a writer inside $r[1] times";
}
echo 'counter=', $s->get('counter'), ' (expected ', PROCS * ITER * 4 / 5, ")\n";
echo 'problems: ', $problems ? implode('; ', $problems) : 'none', "\n";
echo 'lock states left: ', $s->info()['locks'], ', held: ', count($s->locks()), "\n";
$s->lock('w')->release(); // its crowd's record of 16 slots went with the last of them; one slot now, left idle
$used = $s->info()['used'];
$l = $s->lock('w');
echo 'locked again: ', $l !== null ? 'at once' : 'BUSY', ', no new record: ', $s->info()['used'] <= $used ? 'yes' : 'NO', "\n";
$l->release();
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
counter=2880 (expected 2880)
problems: none
lock states left: 0, held: 0
locked again: at once, no new record: yes
bool(true)
