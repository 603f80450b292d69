--TEST--
safeshm.lock only chooses the lock of new segments: processes with either setting share an existing store's own lock, and their increments stay exact
--EXTENSIONS--
safeshm
pcntl
--SKIPIF--
<?php if (getenv('SKIP_SLOW_TESTS')) die('skip slow'); ?>
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
const ROUNDS = 2000;
foreach (['mutex', 'semaphore'] as $i => $kind) {
    $key = test_key(__FILE__, $i);
    $other = $kind === 'mutex' ? 'semaphore' : 'mutex';
    // created by a process whose setting is $kind
    $made = test_php_run('$s = new SafeShm(' . $key . ', 65536); $s->put("n", 0); echo $s->info()["lock"];', [], ['safeshm.lock' => $kind]);
    echo "$kind store: created as ", $made, "\n";
    // two workers with the other setting, two with the same, all at once
    $procs = [];
    foreach ([$other, $other, $kind, $kind] as $w) {
        $code = '$s = new SafeShm(' . $key . '); for ($i = 0; $i < ' . ROUNDS . '; $i++) { $s->increment("n"); } echo $s->info()["lock"];';
        $procs[] = [$w, popen(test_php(null, ['safeshm.lock' => $w]) . ' -r ' . escapeshellarg($code) . ' 2>&1', 'r')];
    }
    $seen = [];
    foreach ($procs as [$w, $p]) {
        $seen[] = "$w-setting worker used " . trim(stream_get_contents($p));
        pclose($p);
    }
    echo implode("\n", array_unique($seen)), "\n";
    $s = new SafeShm($key);
    var_dump($s->get('n') === 4 * ROUNDS, $s->info()['lock'], $s->verify());
    $s->remove();
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
mutex store: created as mutex
semaphore-setting worker used mutex
mutex-setting worker used mutex
bool(true)
string(5) "mutex"
bool(true)
semaphore store: created as semaphore
mutex-setting worker used semaphore
semaphore-setting worker used semaphore
bool(true)
string(9) "semaphore"
bool(true)
