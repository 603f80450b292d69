--TEST--
SafeShm::lock($name, $wait): a waiter sleeps until the holder in another process releases and then gets the lock; after $wait it gets null and leaves no waiter entry
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
function await(SafeShm $s, string $k): mixed
{
    for ($deadline = microtime(true) + 20; !$s->has($k) && microtime(true) < $deadline; ) {
        usleep(1000);
    }
    return $s->get($k);
}
$pid = pcntl_fork();
if ($pid === 0) {
    $o = new SafeShm($key);
    $l = $o->lock('w');
    $z = $o->lock('z');
    $o->put('held', true);
    usleep(300000);
    $o->put('t_before', hrtime(true));
    $ok = $l->release();
    $o->put('t_after', hrtime(true));
    $o->put('released', $ok);
    await($o, 'release z');
    $z->release();
    exit(0);
}
await($s, 'held');
$cpu = getrusage();
$l = $s->lock('w', 20);
$t1 = hrtime(true);
$ru = getrusage();
var_dump($l !== null, await($s, 'released'));
echo 'acquired after the holder began to release: ', $t1 > $s->get('t_before') ? 'yes' : 'no', "\n";
// measured, not asserted: the machine is shared
printf("wake-up after the release returned: %.3f ms\n", max(0, $t1 - $s->get('t_after')) / 1e6);
$used = ($ru['ru_utime.tv_sec'] - $cpu['ru_utime.tv_sec']) + ($ru['ru_utime.tv_usec'] - $cpu['ru_utime.tv_usec']) / 1e6
    + ($ru['ru_stime.tv_sec'] - $cpu['ru_stime.tv_sec']) + ($ru['ru_stime.tv_usec'] - $cpu['ru_stime.tv_usec']) / 1e6;
printf("CPU time spent waiting ~0.3 s: %.1f ms\n", $used * 1000);

// $wait runs out: null, after at least $wait, and the waiter entry is gone
$t = hrtime(true);
var_dump($s->lock('z', 0.2));
$waited = (hrtime(true) - $t) / 1e9;
echo 'waited at least 0.2 s: ', $waited >= 0.199 ? 'yes' : "no ($waited)", "\n";
$z = array_column($s->locks(), null, 'name')['z'];
var_dump($z['waiters'], count($z['pids']));
$s->put('release z', true);
pcntl_waitpid($pid, $status);
$l->release();
var_dump($s->lock('z') !== null, $s->locks());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
bool(true)
bool(true)
acquired after the holder began to release: yes
wake-up after the release returned: %f ms
CPU time spent waiting ~0.3 s: %f ms
NULL
waited at least 0.2 s: yes
int(0)
int(1)
bool(true)
array(0) {
}
