--TEST--
SafeShmLock::release() in a full store: the lock is released (for a waiter, or another shared holder), never kept held while release() says true
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 8192);
function fill(SafeShm $s): void
{
    static $n = 0;
    foreach ([200, 100, 50, 20, 8, 1, 0] as $len) {
        try {
            for (;; $n++) {
                $s->put("k$n", str_repeat('v', $len));
            }
        } catch (SafeShmFullException $e) {
        }
    }
}
// 1. two shared holders; the store fills up; one of them releases
$a = $s->lock('L', 0, 0, true);
$b = $s->lock('L', 0, 0, true);
fill($s);
try {
    echo 'release(): ', var_export($a->release(), true), "\n";
} catch (SafeShmException $e) {
    echo 'release(): ', get_class($e), "\n";
}
echo 'holders listed after it: ', count($s->locks()[0]['pids'] ?? []), "\n";
unset($b);
echo 'lock states left after both: ', $s->info()['locks'], "\n";
var_dump($s->lock('L') !== null);
$s->clear();

// 2. an exclusive holder and a waiter in another process; the store fills up; the holder releases
$x = $s->lock('job');
$pid = pcntl_fork();
if ($pid === 0) {
    $o = new SafeShm($key);
    try {
        $l = $o->lock('job', 3);
        $r = $l !== null ? 'acquired' : 'timed out';
    } catch (Throwable $e) {
        $r = get_class($e);
    }
    file_put_contents('php://stdout', "waiter: $r\n");
    exit(0);
}
for ($d = microtime(true) + 20; ($s->locks()[0]['waiters'] ?? 0) < 1 && microtime(true) < $d; ) {
    usleep(500);
}
fill($s);
$x->release();
pcntl_waitpid($pid, $status);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
release(): true
holders listed after it: 1
lock states left after both: 0
bool(true)
waiter: acquired
