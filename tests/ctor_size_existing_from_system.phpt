--TEST--
SafeShm::__construct(): attaching an existing segment takes its size from the system, not the argument
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$a = new SafeShm($key, 8192);
$a->put('k', 'from a');
foreach ([0, 4096, 65536, 1048576] as $size) {
    $b = new SafeShm($key, $size);
    echo "$size: size=", $b->info()['size'], ' k=', $b->get('k'), "\n";
}
foreach (file('/proc/sysvipc/shm') as $line) {
    $f = preg_split('/\s+/', trim($line));
    if ($f[0] === (string) $key) echo "system size: $f[3]\n";
}
// The attachment with a larger argument must not write past the real segment.
$b = new SafeShm($key, 1048576);
try {
    $b->put('big', str_repeat('x', 20000));
} catch (SafeShmFullException $e) {
    echo get_class($e), "\n";
}
var_dump($a->get('k'), $a->has('big'), $a->verify());
$a->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
0: size=8192 k=from a
4096: size=8192 k=from a
65536: size=8192 k=from a
1048576: size=8192 k=from a
system size: 8192
SafeShmFullException
string(6) "from a"
bool(false)
bool(true)
