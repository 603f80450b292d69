--TEST--
SafeShmLock::token(): strictly increasing over every acquisition of any lock of the store, shared or exclusive, in every object and process
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$s2 = new SafeShm($key);
$seen = [];
$record = function (?SafeShmLock $l, string $who) use (&$seen) {
    if ($l === null) {
        echo "$who: not acquired\n";
        return;
    }
    $seen[] = [$l->token(), $who];
};
for ($round = 0; $round < 20; $round++) {
    // this process, two objects, several names, both kinds; shared holders at once
    $a = $s->lock('n' . ($round % 3));
    $record($a, 'parent');
    $b = $s2->lock('shared', 0, 0, true);
    $c = $s->lock('shared', 0, 0, true);
    $record($b, 'parent');
    $record($c, 'parent');
    $a->release(); $b->release(); $c->release();
    // a child process (its own SafeShm object), between two acquisitions of ours
    $pid = pcntl_fork();
    if ($pid === 0) {
        $o = new SafeShm($key);
        $l = $o->lock('n' . ($round % 3), 5);
        $o->put('child', $l ? $l->token() : -1);
        $m = $o->lock('other', 0, 1);
        $o->put('child2', $m ? $m->token() : -1);
        exit(0);
    }
    pcntl_waitpid($pid, $status);
    $seen[] = [$s->get('child'), 'child'];
    $seen[] = [$s->get('child2'), 'child'];
    // a waiter that is served after a wait
    $d = $s->lock('n' . ($round % 3), 1);
    $record($d, 'parent');
}
$ok = true;
for ($i = 1; $i < count($seen); $i++) {
    if (!is_int($seen[$i][0]) || $seen[$i][0] <= $seen[$i - 1][0]) {
        $ok = false;
        echo "not increasing at $i: {$seen[$i - 1][1]} {$seen[$i - 1][0]}, then {$seen[$i][1]} ", var_export($seen[$i][0], true), "\n";
    }
}
echo count($seen), ' tokens, strictly increasing: ', $ok ? 'yes' : 'no', "\n";
echo 'all distinct: ', count(array_unique(array_column($seen, 0))) === count($seen) ? 'yes' : 'no', "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
120 tokens, strictly increasing: yes
all distinct: yes
