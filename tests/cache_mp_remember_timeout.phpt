--TEST--
SafeShm::remember() multi-process: a caller waiting for another process's computation gives up with SafeShmTimeoutException after safeshm.lock_timeout, computing nothing; the computation's value is there afterwards
--EXTENSIONS--
safeshm
pcntl
--INI--
safeshm.lock_timeout=0.5
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$pid = pcntl_fork();
if ($pid === 0) {
    $o = new SafeShm($key);
    $o->remember('slow', function () use ($o) {
        $o->put('computing', true);
        for ($i = 0; $i < 2000 && !$o->has('go'); $i++) {
            usleep(5000); // until the parent has timed out
        }
        return 'computed by the child';
    });
    exit(0);
}
for ($i = 0; $i < 1000 && !$s->has('computing'); $i++) {
    usleep(5000);
}
$called = false;
try {
    $s->remember('slow', function () use (&$called) { $called = true; return 'parent'; });
    echo "returned\n";
} catch (SafeShmTimeoutException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($called, $s->has('slow'));
$s->put('go', true);
pcntl_waitpid($pid, $st);
var_dump($s->remember('slow', fn() => 'NOT CALLED'), $s->info()['locks']);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
SafeShmTimeoutException: SafeShm segment 0x%x: remember(): no value was computed within safeshm.lock_timeout (0.500 s)
bool(false)
bool(false)
string(21) "computed by the child"
int(0)
