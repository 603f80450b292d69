--TEST--
Test hooks: a writer SIGKILLed at each step of a put, a delete, a putMultiple(), an index growth and a relocation; the next process repairs the store (one recovery, none when nothing was half done), keeps or drops the write as the step says, and the store verifies
--EXTENSIONS--
safeshm
shmop
posix
--INI--
safeshm.lock_timeout=2
--SKIPIF--
<?php require __DIR__ . '/_hooks.inc'; hooks_skipif(); ?>
--FILE--
<?php
require __DIR__ . '/_hooks.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$die = 'function die_here(string $where): void { echo "killed at $where\n"; posix_kill(getmypid(), SIGKILL); }
    ini_set("safeshm.test_call", "die_here");';
$rounds = [
    // [what the child does, where it dies, what to print afterwards]
    ['put', 'locked'], ['put', 'put:written'], ['put', 'put:published'],
    ['delete', 'delete:published'],
    ['putMultiple', 'putmany:written'], ['putMultiple', 'putmany:journal'], ['putMultiple', 'putmany:published'],
    ['new keys', 'index:built'], ['new keys', 'index:published'],
    ['relocation', 'evacuate:copied'], ['relocation', 'evacuate:moved'],
];
foreach ($rounds as [$op, $at]) {
    $keep = [];
    if ($op === 'relocation') {
        $keep = hooks_fragment($r = new SafeShm(test_key(__FILE__, 1), 65536));
        $r->put('probe', 0);
    }
    $s->clear();
    $s->putMultiple(['k' => 'old', 'a' => 'old', 'b' => 'old', 'c' => 'old']);
    $target = $op === 'relocation' ? $r : $s;
    $before = array_diff_key(hooks_counters($target), ['entries' => 0]);
    $code = match ($op) {
        'put' => '(new SafeShm($key))->put("k", "new");',
        'delete' => '(new SafeShm($key))->delete("k");',
        'putMultiple' => '(new SafeShm($key))->putMultiple(["a" => "new", "b" => "new", "c" => "new"]);',
        'new keys' => '$s = new SafeShm($key); for ($i = 0; $i < 5000; $i++) { echo "putting n$i\n"; $s->put("n$i", $i); }',
        'relocation' => '(new SafeShm(' . test_key(__FILE__, 1) . '))->put("big", str_repeat("B", 3000));',
    };
    [$out, $pid, $status] = hooks_child($target === $s ? $key : test_key(__FILE__, 1),
        'ini_set("safeshm.test_call_at", ' . var_export($at, true) . '); ' . $die . $code . ' echo "not killed\n";');
    $writing = preg_match_all('/^putting n(\d+)$/m', $out, $m) ? (int) end($m[1]) : null;
    $killed = preg_match('/^killed at (\S+)$/m', $out, $w) ? $w[1] : 'nowhere: ' . trim($out);
    $target->put('probe', 1); // takes the lock: repairs what the child left
    $after = match ($op) {
        'put', 'delete' => 'k=' . var_export($s->get('k'), true),
        'putMultiple' => 'a,b,c=' . implode(',', $s->getMultiple(['a', 'b', 'c'])),
        'new keys' => sprintf('%s keys put before the kill present, the one being put %s',
            count(array_filter(range(0, $writing - 1), fn($i) => $s->get("n$i") === $i)) === $writing ? 'all' : 'NOT all',
            $s->has("n$writing") ? 'present' : 'absent'),
        'relocation' => 'kept keys ' . (hooks_fcheck($r, $keep) ?: 'intact') . ', big ' . ($r->has('big') ? 'present' : 'absent'),
    };
    printf("%-11s killed at %-17s %s; verify %s; counters changed: %s\n", $op, "$killed:", $after,
        var_export($target->verify(), true), hooks_delta($before, array_diff_key(hooks_counters($target), ['entries' => 0])));
    if ($op === 'new keys' && $writing < 10) {
        echo "  the index grew after only $writing keys\n";
    }
}
$r->remove();
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECT--
put         killed at locked:           k='old'; verify true; counters changed: none
put         killed at put:written:      k='old'; verify true; counters changed: recoveries +1
put         killed at put:published:    k='new'; verify true; counters changed: recoveries +1
delete      killed at delete:published: k=NULL; verify true; counters changed: recoveries +1
putMultiple killed at putmany:written:  a,b,c=old,old,old; verify true; counters changed: recoveries +1
putMultiple killed at putmany:journal:  a,b,c=new,new,new; verify true; counters changed: recoveries +1
putMultiple killed at putmany:published: a,b,c=new,new,new; verify true; counters changed: recoveries +1
new keys    killed at index:built:      all keys put before the kill present, the one being put absent; verify true; counters changed: recoveries +1
new keys    killed at index:published:  all keys put before the kill present, the one being put absent; verify true; counters changed: recoveries +1
relocation  killed at evacuate:copied:  kept keys intact, big absent; verify true; counters changed: recoveries +1
relocation  killed at evacuate:moved:   kept keys intact, big absent; verify true; counters changed: recoveries +1
