--TEST--
SafeShm::lock(..., shared: true): shared holders coexist, exclude an exclusive one, and a waiting exclusive locker is served before later shared ones
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$r1 = $s->lock('rw', 0, 0, true);
$r2 = $s->lock('rw', 0, 0, true);
var_dump($r1->shared(), $r2->shared(), $r1->token() !== $r2->token());
var_dump($s->lock('rw'));                      // exclusive: busy
$w = $s->lock('rw', 0, 0, false);
var_dump($w);
// a writer in another process queues
$pid = pcntl_fork();
if ($pid === 0) {
    $o = new SafeShm($key);
    $l = $o->lock('rw', 20);
    $o->put('writer', $l !== null ? 'acquired' : 'timed out');
    for ($d = microtime(true) + 20; !$o->has('done') && microtime(true) < $d; ) {
        usleep(1000);
    }
    exit(0);
}
for ($d = microtime(true) + 20; ($s->locks()[0]['waiters'] ?? 0) < 1 && microtime(true) < $d; ) {
    usleep(1000);
}
echo "writer waiting\n";
// a new reader does not overtake the waiting writer, though only readers hold the lock
var_dump($s->lock('rw', 0, 0, true));
$t = hrtime(true);
var_dump($s->lock('rw', 0.1, 0, true));
$r1->release();
var_dump($s->lock('rw', 0, 0, true), $s->has('writer'));
$r2->release();
for ($d = microtime(true) + 20; !$s->has('writer') && microtime(true) < $d; ) {
    usleep(1000);
}
var_dump($s->get('writer'));
$e = $s->locks()[0];
var_dump($e['shared'], $e['pids'] === [$pid]);
var_dump($s->lock('rw', 0, 0, true));          // the writer holds it now
$s->put('done', true);
pcntl_waitpid($pid, $status);
$r3 = $s->lock('rw', 0, 0, true);
var_dump($r3 !== null, $r3->previousHolderDied());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
NULL
NULL
writer waiting
NULL
NULL
NULL
bool(false)
string(8) "acquired"
bool(false)
bool(true)
NULL
bool(true)
bool(false)
