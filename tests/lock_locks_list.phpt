--TEST--
SafeShm::locks(): each held lock with name, shared, holders' pids, held_for, ttl left and waiters
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
var_dump($s->locks());
$me = getmypid();
$x = $s->lock("excl\0bin", 0, 10);
$r1 = $s->lock('readers', 0, 0, true);
$r2 = $s->lock('readers', 0, 5, true);
$t = $s->lock('timed', 0, 5, true);
$u = $s->lock('timed', 0, 8, true);
// a child waits for the exclusive lock
$pid = pcntl_fork();
if ($pid === 0) {
    $o = new SafeShm($key);
    $l = $o->lock("excl\0bin", 10);
    $o->put('child', $l !== null ? 'acquired' : 'timed out');
    exit(0);
}
$deadline = microtime(true) + 10;
do {
    usleep(2000);
    $byName = array_column($s->locks(), null, 'name');
} while (($byName["excl\0bin"]['waiters'] ?? 0) < 1 && microtime(true) < $deadline);
ksort($byName);
foreach ($byName as $name => $e) {
    echo json_encode($name), ': keys ', implode(',', array_keys($e)), "\n";
    echo '  shared=', var_export($e['shared'], true), ' pids=', $e['pids'] === array_fill(0, count($e['pids']), $me) ? count($e['pids']) . ' x mine' : json_encode($e['pids']),
        ' held_for ', is_float($e['held_for']) && $e['held_for'] >= 0 && $e['held_for'] < 60 ? 'ok' : var_export($e['held_for'], true),
        ' ttl=', $e['ttl'] === null ? 'null' : (is_float($e['ttl']) ? 'float' : gettype($e['ttl'])), ' waiters=', $e['waiters'], "\n";
}
// ttl left: the longest of the holders' when every holder has one; null when one of them has none
var_dump($byName["excl\0bin"]['ttl'] <= 10 && $byName["excl\0bin"]['ttl'] > 5);
var_dump($byName['timed']['ttl'] <= 8 && $byName['timed']['ttl'] > 5);
$x->release();
pcntl_waitpid($pid, $status);
var_dump($s->get('child'));
$r1->release();
$byName = array_column($s->locks(), null, 'name');
var_dump(array_keys($byName), $byName['readers']['pids'] === [$me], $byName['readers']['ttl'] <= 5);
unset($r2, $t, $u);
var_dump($s->locks());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
array(0) {
}
"excl\u0000bin": keys name,shared,pids,held_for,ttl,waiters
  shared=false pids=1 x mine held_for ok ttl=float waiters=1
"readers": keys name,shared,pids,held_for,ttl,waiters
  shared=true pids=2 x mine held_for ok ttl=null waiters=0
"timed": keys name,shared,pids,held_for,ttl,waiters
  shared=true pids=2 x mine held_for ok ttl=float waiters=0
bool(true)
bool(true)
string(8) "acquired"
array(2) {
  [0]=>
  string(7) "readers"
  [1]=>
  string(5) "timed"
}
bool(true)
bool(true)
array(0) {
}
