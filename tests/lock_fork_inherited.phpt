--TEST--
SafeShmLock inherited by a forked child: the child does not hold it, its release() is false, and its exit leaves the parent's hold alone
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$l = $s->lock('p', 0, 0);
$sh = $s->lock('q', 0, 0, true);
$pid = pcntl_fork();
if ($pid === 0) {
    $out = [
        'child isHeld' => $l->isHeld(),
        'child lock p' => $s->lock('p') !== null,
        'child lock q shared' => ($c = $s->lock('q', 0, 0, true)) !== null,
        'child refresh' => $l->refresh(5),
        'child release p' => $l->release(),
        'child release q' => $sh->release(),
    ];
    unset($c);
    $s->put('child', $out);
    exit(0);
}
pcntl_waitpid($pid, $status);
foreach ($s->get('child') as $k => $v) {
    echo "$k: ", var_export($v, true), "\n";
}
$list = array_column($s->locks(), null, 'name');
var_dump($l->isHeld(), $sh->isHeld(), $list['p']['pids'] === [getmypid()], $list['q']['pids'] === [getmypid()]);
var_dump($s->lock('p'), $l->release(), $sh->release(), $s->locks());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
child isHeld: false
child lock p: false
child lock q shared: true
child refresh: false
child release p: false
child release q: false
bool(true)
bool(true)
bool(true)
bool(true)
NULL
bool(true)
bool(true)
array(0) {
}
