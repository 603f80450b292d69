--TEST--
SafeShm: on a store with no room left, put/add/increment of a new key throw SafeShmFullException and store nothing
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 8192);
$i = 0;
foreach ([500, 100, 10, 0] as $len) {
    while (true) {
        try {
            $s->put(sprintf('f%04d', $i), str_repeat('x', $len));
            $i++;
        } catch (SafeShmFullException $e) {
            break;
        }
        if ($i > 10000) { echo "never full\n"; break 2; }
    }
}
$info = $s->info();
echo "filled with $i entries: used $info[used] of $info[arena_size], free $info[free]\n";
$n = count($s);
var_dump($n === $i);
$new = sprintf('f%04d', $i);
foreach (['put' => fn() => $s->put($new, ''), 'add' => fn() => $s->add($new, 1), 'increment' => fn() => $s->increment($new)] as $op => $f) {
    try {
        $f();
        echo "$op: stored\n";
    } catch (SafeShmException $e) {
        echo "$op: ", get_class($e), "\n";
    }
}
var_dump($s->has($new), count($s) === $n, $s->verify());
// Every entry that was stored is intact.
$bad = 0;
for ($j = 0; $j < $i; $j++) if (!is_string($s->get(sprintf('f%04d', $j)))) $bad++;
var_dump($bad);
// Deleting makes room again.
$s->delete('f0000');
var_dump($s->add($new, 1), $s->increment($new), count($s) === $n);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
filled with 16 entries: used 7136 of 7168, free 32
bool(true)
put: SafeShmFullException
add: SafeShmFullException
increment: SafeShmFullException
bool(false)
bool(true)
bool(true)
int(0)
bool(true)
int(2)
bool(true)
