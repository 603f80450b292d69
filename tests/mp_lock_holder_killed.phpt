--TEST--
SafeShm::lock() multi-process: a holder SIGKILLed while holding; the next contender (waiting, or arriving later) acquires without any TTL and is told previousHolderDied(), once
--EXTENSIONS--
safeshm
pcntl
posix
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
function await(SafeShm $s, string $k): mixed
{
    for ($d = microtime(true) + 20; !$s->has($k) && microtime(true) < $d; ) {
        usleep(500);
    }
    return $s->get($k);
}
/** A child that takes the lock, reports its token, and then sleeps holding it. */
function holder(int $key, string $tag): int
{
    $pid = pcntl_fork();
    if ($pid === 0) {
        $o = new SafeShm($key);
        $l = $o->lock('job');
        $o->put("$tag:token", $l ? $l->token() : -1);
        for (;;) {
            sleep(1);
        }
    }
    return $pid;
}

// 1. A contender is already waiting when the holder is killed. The holder is not reaped until the contender
//    is served (a zombie holds nothing).
$h = holder($key, 'h1');
$t1 = await($s, 'h1:token');
$w = pcntl_fork();
if ($w === 0) {
    $o = new SafeShm($key);
    $o->put('w:waiting', true);
    $l = $o->lock('job', 20);
    $o->put('w:at', hrtime(true));
    $o->put('w:result', $l ? ['died' => $l->previousHolderDied(), 'token' => $l->token()] : null);
    exit(0);
}
await($s, 'w:waiting');
for ($d = microtime(true) + 20; ($s->locks()[0]['waiters'] ?? 0) < 1 && microtime(true) < $d; ) {
    usleep(500);
}
echo 'waiting: ', $s->locks()[0]['waiters'], "\n";
$kill = hrtime(true);
posix_kill($h, SIGKILL);
$r = await($s, 'w:result');
$at = $s->get('w:at');
pcntl_waitpid($w, $status);
pcntl_waitpid($h, $status);
echo 'waiter acquired: ', $r ? 'yes' : 'no', ', previousHolderDied: ', var_export($r['died'] ?? null, true),
    ', token above the dead holder\'s: ', ($r['token'] ?? 0) > $t1 ? 'yes' : 'no', "\n";
$first = ($at - $kill) / 1e6;

// 2. Nobody waits: the holder is killed (and reaped); the next lock() acquires at once and is told.
$h = holder($key, 'h2');
$t2 = await($s, 'h2:token');
var_dump($s->lock('job'));
posix_kill($h, SIGKILL);
pcntl_waitpid($h, $status);
$t = hrtime(true);
$l = $s->lock('job', 5);
$second = (hrtime(true) - $t) / 1e6;
var_dump($l !== null, $l->previousHolderDied(), $l->token() > $t2);
// told once: the next holder after a clean release is not told
$l->release();
$m = $s->lock('job');
var_dump($m->previousHolderDied());
$m->release();

// 3. A shared holder killed: its share goes, and the exclusive contender is not told (it held nothing exclusively).
$pid = pcntl_fork();
if ($pid === 0) {
    $o = new SafeShm($key);
    $l = $o->lock('job', 0, 0, true);
    $o->put('s:held', $l !== null);
    for (;;) {
        sleep(1);
    }
}
var_dump(await($s, 's:held'));
posix_kill($pid, SIGKILL);
pcntl_waitpid($pid, $status);
$x = $s->lock('job', 5);
var_dump($x !== null, $x->previousHolderDied());
unset($x);
// measured, not asserted (the issue's goal is 100 ms; a waiter looks again every 20 ms)
printf("kill to acquisition: %.1f ms for the waiter, %.1f ms for a lock() after the kill\n", $first, $second);
var_dump($s->locks(), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
waiting: 1
waiter acquired: yes, previousHolderDied: true, token above the dead holder's: yes
NULL
bool(true)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(false)
kill to acquisition: %f ms for the waiter, %f ms for a lock() after the kill
array(0) {
}
bool(true)
