--TEST--
SafeShm::lock(): a held lock excludes others until release() or its object is destroyed; release() twice; accessors
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 1 << 20);
$l = $s->lock('job');
var_dump($l instanceof SafeShmLock, $l->name(), $l->shared(), $l->isHeld(), $l->previousHolderDied());
var_dump(is_int($l->token()) && $l->token() > 0);
// held: a second try (in this process too: locks are not re-entrant) gets null, at once or after $wait
var_dump($s->lock('job'));
$t = hrtime(true);
var_dump($s->lock('job', 0.05));
$waited = (hrtime(true) - $t) / 1e9;
echo 'waited at least $wait: ', $waited >= 0.049 ? 'yes' : "no ($waited s)", "\n";
var_dump($s->lock('job', 0, 0, true));           // shared is excluded by exclusive too
// a second object of the same store sees the same lock
$s2 = new SafeShm(test_key(__FILE__));
var_dump($s2->lock('job'));
// release(): true once, then false; the lock is free at once
var_dump($l->release(), $l->release(), $l->isHeld());
$m = $s2->lock('job');
var_dump($m->isHeld(), $m->token() > $l->token());
// the accessors still answer after release
var_dump($l->name(), $l->shared(), $l->previousHolderDied());
// the object going away releases it: unset, reassignment, end of a function's scope
unset($m);
$n = $s->lock('job');
var_dump($n !== null);
$n = null;
function take(SafeShm $s): bool
{
    $local = $s->lock('job');
    return $local !== null && $local->isHeld();
}
var_dump(take($s), take($s));
var_dump($s->lock('job') !== null); // a temporary: released as soon as it is discarded
var_dump($s->locks());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
string(3) "job"
bool(false)
bool(true)
bool(false)
bool(true)
NULL
NULL
waited at least $wait: yes
NULL
NULL
bool(true)
bool(false)
bool(false)
bool(true)
bool(true)
string(3) "job"
bool(false)
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
array(0) {
}
