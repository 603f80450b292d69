--TEST--
SafeShm::locks(): a holder (or waiter) whose process died is not listed, even before a contender has looked
--EXTENSIONS--
safeshm
pcntl
posix
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$mine = $s->lock('shared', 0, 0, true);
$pids = [];
foreach (['excl' => false, 'shared' => true] as $name => $shared) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $o = new SafeShm($key);
        $l = $o->lock($name, 0, 0, $shared);
        $o->put("held:$name", $l !== null);
        for (;;) {
            sleep(1);
        }
    }
    $pids[$name] = $pid;
    for ($d = microtime(true) + 20; !$s->has("held:$name") && microtime(true) < $d; ) {
        usleep(500);
    }
}
// a waiter in a third process
$w = pcntl_fork();
if ($w === 0) {
    $o = new SafeShm($key);
    $o->lock('excl', 60);
    exit(0);
}
for ($d = microtime(true) + 20; (array_column($s->locks(), null, 'name')['excl']['waiters'] ?? 0) < 1 && microtime(true) < $d; ) {
    usleep(500);
}
$show = function () use ($s) {
    $list = array_column($s->locks(), null, 'name');
    ksort($list);
    foreach ($list as $name => $e) {
        echo "  $name: holders ", count($e['pids']), ', waiters ', $e['waiters'], "\n";
    }
    echo '  lock records in the store: ', $s->info()['locks'], "\n";
};
echo "all alive:\n";
$show();
foreach ([$w, $pids['excl'], $pids['shared']] as $pid) {
    posix_kill($pid, SIGKILL);
    pcntl_waitpid($pid, $status);
}
echo "after the kills, before any contender looked:\n";
$show();
$l = $s->lock('excl');
echo 'a contender: ', $l !== null ? 'acquired' : 'busy', ', previousHolderDied ', var_export($l?->previousHolderDied(), true), "\n";
unset($l);
$mine->release();
var_dump($s->locks());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
all alive:
  excl: holders 1, waiters 1
  shared: holders 2, waiters 0
  lock records in the store: 2
after the kills, before any contender looked:
  shared: holders 1, waiters 0
  lock records in the store: 2
a contender: acquired, previousHolderDied true
array(0) {
}
