--TEST--
SafeShm::put(): 100 000 rewrites of one key never grow the store: used and free stay at their values after the first write, the freed block is reused at once (no relocation)
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$value = json_encode(['zmq' => ['host' => '19.168.1.100', 'port' => '8899', 'createTime' => 15421108380]]);
var_dump(strlen($value));
$s = new SafeShm($key, 65536);
$s->put('k', $value);
$first = $s->info();
$errors = 0;
for ($i = 0; $i < 100000; $i++) {
    try {
        $s->put('k', $value);
    } catch (Throwable $e) {
        $errors++;
    }
}
$last = $s->info();
var_dump($errors, $last['used'] === $first['used'], $last['free'] === $first['free'], $last['entries'], $s->get('k') === $value);
// Each rewrite writes a 120-byte record (48 + 70 + 1, rounded up to 8) into a free block, then frees the old one at
// once: the next rewrite reuses it. Nothing is ever dead and nothing has to be moved.
echo "record ", test_record_size(1, strlen($value)), ", dead $last[dead], compactions $last[compactions], free + used is the capacity: ",
    var_export($last['free'] + $last['used'] === $last['capacity'], true), "\n";
var_dump($s->verify());
// White-box: where the record lives, over 1000 more rewrites. A freed block is reused by the next write: the record
// alternates between two blocks.
$raw = shmop_open($key, 'a', 0, 0);
$offsets = [];
for ($i = 0; $i < 1000; $i++) {
    $s->put('k', $value);
    [, $slots] = test_index(shmop_read($raw, 0, 0));
    foreach ($slots as $v) if ($v > 1) $offsets[$v * 8] = true;
}
echo 'blocks the record lived in: ', count($offsets), "\n";

// Same on the smallest segment, with the largest value a replace allows there: the new record is written beside
// the old one, so two records of half the capacity each.
$s->remove();
$s = new SafeShm($key, 4096);
$cap = $s->info()['capacity'];
// (the longest value whose record, rounded up to a step of its size class, is at most half the capacity)
for ($len = (intdiv($cap, 2) & ~7) - TEST_RECORD_HEADER - 1; test_record_size(1, $len) > intdiv($cap, 2); $len -= 8) {
}
$big = str_repeat('z', $len);
$s->put('k', $big);
$first = $s->info();
echo "capacity $cap, value $len bytes, record ", test_record_size(1, $len), ", used $first[used]\n";
$errors = 0;
for ($i = 0; $i < 100000; $i++) {
    try {
        $s->put('k', $big);
    } catch (Throwable $e) {
        $errors++;
    }
}
$last = $s->info();
var_dump($errors, $last['used'] === $first['used'], $last['free'] === $first['free'], $last['compactions'], $s->get('k') === $big, $s->verify());
// The next longer record no longer fits beside the old one: the replace is refused and the old value stays.
for ($more = 8; test_record_size(1, $len + $more) + test_record_size(1, $len) <= $cap; $more += 8) {
}
try {
    $s->put('k', $big . str_repeat('y', $more));
    echo "bigger: stored\n";
} catch (SafeShmFullException $e) {
    echo "bigger: ", get_class($e), ", old value kept: ", var_export($s->get('k') === $big, true), "\n";
}
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int(70)
int(0)
bool(true)
bool(true)
int(1)
bool(true)
record 120, dead 0, compactions 0, free + used is the capacity: true
bool(true)
blocks the record lived in: 2
capacity 1776, value 815 bytes, record 864, used 864
int(0)
bool(true)
bool(true)
int(0)
bool(true)
bool(true)
bigger: SafeShmFullException, old value kept: true
