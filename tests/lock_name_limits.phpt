--TEST--
SafeShm::lock(): names of 1 to 4096 bytes, any bytes (NUL included), each its own lock; "" and 4097 bytes are ValueErrors
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 1 << 20);
$names = ['a', "\0", "a\0b", "a\0c", "a", str_repeat('n', 4095) . "\0", str_repeat("\xff", 4096), "\xc3\x28", ' '];
$held = [];
unset($l);
foreach (array_unique($names) as $i => $n) {
    $l = $s->lock($n);
    echo strlen($n), ' bytes: ', $l instanceof SafeShmLock && $l->name() === $n ? 'held, name() round-trips' : 'NOT HELD', "\n";
    $held[] = $l;
}
// every one is held at once, so none shares a lock with another
foreach (array_unique($names) as $n) {
    echo bin2hex(substr($n, 0, 4)), ': ', var_export($s->lock($n), true) === 'NULL' ? 'busy' : 'FREE', "\n";
}
var_dump(count($s->locks()), count(array_unique($names)));
// released when their objects go
$held = [];
unset($l);
var_dump($s->locks());
foreach (['', str_repeat('x', 4097)] as $bad) {
    try {
        $s->lock($bad);
        echo "accepted\n";
    } catch (ValueError $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
1 bytes: held, name() round-trips
1 bytes: held, name() round-trips
3 bytes: held, name() round-trips
3 bytes: held, name() round-trips
4096 bytes: held, name() round-trips
4096 bytes: held, name() round-trips
2 bytes: held, name() round-trips
1 bytes: held, name() round-trips
61: busy
00: busy
610062: busy
610063: busy
6e6e6e6e: busy
ffffffff: busy
c328: busy
20: busy
int(8)
int(8)
array(0) {
}
ValueError: SafeShm::lock(): Argument #1 ($name) must be between 1 and 4096 bytes long
ValueError: SafeShm::lock(): Argument #1 ($name) must be between 1 and 4096 bytes long
