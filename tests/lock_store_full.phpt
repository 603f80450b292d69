--TEST--
SafeShm::lock(): each lock is one record of the store (48 + 16 + name + 40 per slot, rounded as records are; slots for 1, 2, 4 ... holders and waiters), idle after the last release until a write needs its room; no room, or a 4097th holder or waiter, is SafeShmFullException, never a silent failure
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 1 << 20);
// a record of 16 + 40 per slot value bytes, the name its key (rounded as any record: _ipc.inc)
$size = fn(int $name, int $entries): int => test_record_size($name, 16 + 40 * $entries);
$used = fn(): int => $s->info()['used'];
$base = $used();
$a = $s->lock('abc', 0, 0, true);
echo 'one holder: ', $used() - $base, ' bytes (rule: ', $size(3, 1), ")\n";
$b = $s->lock('abc', 0, 0, true);
echo 'two holders: ', $used() - $base, ' bytes (rule: ', $size(3, 2), ")\n";
$c = $s->lock(str_repeat('n', 100));
echo 'and a second lock: ', $used() - $base, ' bytes (rule: ', $size(3, 2) + $size(100, 1), ")\n";
unset($a, $b, $c);
echo 'all released: ', $s->info()['locks'], ' lock states; the records stay idle: ', $used() - $base, " bytes\n";
$d = $s->lock('abc');
echo 'locked again: the idle record used in place: ', $used() - $base, " bytes\n";
unset($d);

// 4096 holders of one lock at most (here shared holds of this process)
$held = [];
for ($i = 0; $i < 4096; $i++) {
    $held[] = $s->lock('many', 0, 0, true);
}
echo count(array_filter($held)), ' shared holders; record ', $used() - $base, ' bytes (rule: ', $size(4, 4096), ")\n";
try {
    $s->lock('many', 0, 0, true);
    echo "4097th: acquired\n";
} catch (SafeShmFullException $e) {
    echo '4097th: ', get_class($e), "\n";
}
// an exclusive try changes nothing and so is a plain "busy"
var_dump($s->lock('many'));
array_pop($held);
var_dump($s->lock('many', 0, 0, true) !== null);
$held = [];

// a full store: the lock is refused with the exception, the data stays
$small = new SafeShm(test_key(__FILE__, 1), 8192);
$n = 0;
try {
    for (;; $n++) {
        $small->put("k$n", str_repeat('v', 200));
    }
} catch (SafeShmFullException $e) {
}
for ($len = 190; $len >= 0; $len -= 10) {
    try {
        for (;; $n++) {
            $small->put("k$n", str_repeat('v', $len));
        }
    } catch (SafeShmFullException $e) {
    }
}
$keys = count($small);
try {
    $small->lock('job');
    echo "full store: acquired\n";
} catch (SafeShmFullException $e) {
    echo 'full store: ', get_class($e), "\n";
}
var_dump(count($small) === $keys, $small->get('k0') === str_repeat('v', 200), $small->locks(), $small->verify());
$small->delete('k0');
$l = $small->lock('job');
var_dump($l !== null && $l->isHeld());
// released, its record idle: a put that needs the room reclaims it
$l->release();
$small->put('k0', str_repeat('v', 200));
var_dump($small->get('k0') === str_repeat('v', 200), $small->info()['locks'], $small->verify());
$small->remove();
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
one holder: 112 bytes (rule: 112)
two holders: 152 bytes (rule: 152)
and a second lock: 360 bytes (rule: 360)
all released: 0 lock states; the records stay idle: 360 bytes
locked again: the idle record used in place: 360 bytes
4096 shared holders; record 163968 bytes (rule: 163968)
4097th: SafeShmFullException
NULL
bool(true)
full store: SafeShmFullException
bool(true)
bool(true)
array(0) {
}
bool(true)
bool(true)
bool(true)
int(0)
bool(true)
