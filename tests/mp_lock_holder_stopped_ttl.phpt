--TEST--
SafeShm::lock() multi-process: a holder SIGSTOPped with $ttl = 1 loses the lock after ~1 s; after SIGCONT its release() is false, the new holder still holds, tokens increase across the handover
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
// The old holder: takes the lock for 1 s, reports, then waits for the word to release it.
$old = pcntl_fork();
if ($old === 0) {
    $o = new SafeShm($key);
    $before = hrtime(true); // the hold lapses 1 s after a moment later than this
    $l = $o->lock('job', 0, 1);
    $o->put('old:at', $before);
    $o->put('old:token', $l ? $l->token() : -1);
    await($o, 'old:go');
    $o->put('old:result', ['isHeld' => $l->isHeld(), 'refresh' => $l->refresh(10), 'release' => $l->release()]);
    exit(0);
}
$oldToken = await($s, 'old:token');
$oldAt = $s->get('old:at');
posix_kill($old, SIGSTOP);
pcntl_waitpid($old, $status, WUNTRACED);
echo 'old holder stopped: ', pcntl_wifstopped($status) ? 'yes' : 'no', "\n";
// a contender in another process waits up to 5 s
$new = pcntl_fork();
if ($new === 0) {
    $o = new SafeShm($key);
    $l = $o->lock('job', 5);
    $o->put('new:at', hrtime(true));
    $o->put('new:got', $l ? ['token' => $l->token(), 'died' => $l->previousHolderDied()] : null);
    await($o, 'new:check');
    $o->put('new:result', ['isHeld' => $l?->isHeld(), 'release' => $l?->release()]);
    exit(0);
}
$got = await($s, 'new:got');
$after = ($s->get('new:at') - $oldAt) / 1e9;
echo 'new holder acquired: ', $got ? 'yes' : 'no', ', previousHolderDied: ', var_export($got['died'] ?? null, true),
    ' (an expiry is not a death)', "\n";
// not before the TTL ran out (a lower bound, so no timing flakiness): at least 1 s after the old holder called lock()
echo 'acquired at least 1 s after the old holder took it: ', $after >= 0.999 ? 'yes' : "no ($after s)", "\n";
echo 'token increased across the handover: ', ($got['token'] ?? 0) > $oldToken ? 'yes' : 'no', "\n";
$e = $s->locks()[0];
echo 'locks() shows the new holder: ', $e['pids'] === [$new] ? 'yes' : json_encode($e['pids']), "\n";
// the old holder resumes and releases: false, and the new holder's lock is untouched
posix_kill($old, SIGCONT);
$s->put('old:go', true);
$r = await($s, 'old:result');
pcntl_waitpid($old, $status);
echo 'old holder after SIGCONT: ', json_encode($r), "\n";
$e = $s->locks()[0] ?? null;
echo 'new holder still listed: ', $e && $e['pids'] === [$new] ? 'yes' : 'no', ', lock() by a third: ', var_export($s->lock('job'), true), "\n";
$s->put('new:check', true);
echo 'new holder: ', json_encode(await($s, 'new:result')), "\n";
pcntl_waitpid($new, $status);
$l = $s->lock('job');
echo 'after both: acquired ', $l ? 'yes' : 'no', ', token above both: ', $l && $l->token() > $got['token'] ? 'yes' : 'no', "\n";
unset($l);
// measured, not asserted
printf("the new holder acquired %.3f s after the old one (TTL 1 s)\n", $after);
var_dump($s->locks(), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
old holder stopped: yes
new holder acquired: yes, previousHolderDied: false (an expiry is not a death)
acquired at least 1 s after the old holder took it: yes
token increased across the handover: yes
locks() shows the new holder: yes
old holder after SIGCONT: {"isHeld":false,"refresh":false,"release":false}
new holder still listed: yes, lock() by a third: NULL
new holder: {"isHeld":true,"release":true}
after both: acquired yes, token above both: yes
the new holder acquired %f s after the old one (TTL 1 s)
array(0) {
}
bool(true)
