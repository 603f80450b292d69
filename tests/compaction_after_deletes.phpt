--TEST--
SafeShm: fragmentation never causes SafeShmFullException while the free bytes suffice and the records in the way can move: a relocation pass (counted in compactions) makes one free block
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$n = 0;
while (true) {
    try {
        $s->put("e$n", str_repeat(chr(97 + $n % 26), 500));
        $n++;
    } catch (SafeShmFullException $e) {
        break;
    }
}
// A record is 48 bytes of header + value + key, rounded up to 8 and to a step of its size class: 576 bytes here. Full means no free block holds
// one more (every piece left is smaller than a record, so no record can be moved to join pieces).
$before = $s->info();
$rec = test_record_size(3, 500);
echo "filled: record $rec, entries = puts: ", var_export($before['entries'] === $n, true),
    ', largest free block below a record: ', var_export($before['largest_free'] < $rec, true),
    ', free + used = capacity: ', var_export($before['free'] + $before['used'] === $before['capacity'], true), "\n";
for ($i = 0; $i < $n; $i += 2) $s->delete("e$i");
$holes = $s->info();
// Every other record deleted: holes of 576 bytes (a little more beside a piece left free), none big enough for a
// 5120-byte record, but many of them.
$big = str_repeat('B', 5000);
$bigRec = test_record_size(3, 5000);
echo "after deleting every other entry: used ", $holes['used'] === $before['used'] - intdiv($n + 1, 2) * $rec ? 'down by their records' : $holes['used'],
    ", dead $holes[dead], free >= $bigRec: ", var_export($holes['free'] >= $bigRec, true),
    ", largest free block below it: ", var_export($holes['largest_free'] < $bigRec, true), "\n";
try {
    $s->put('big', $big);
    echo "big stored\n";
} catch (SafeShmFullException $e) {
    echo "SafeShmFullException despite free space\n";
}
$after = $s->info();
var_dump($s->get('big') === $big);
// One relocation pass moved the records of one window elsewhere (each like a put: publish, then retire).
echo 'compactions: ', $after['compactions'] - $before['compactions'], ', used up by the big record: ',
    var_export($after['used'] === $holes['used'] + $bigRec, true), ", dead $after[dead]\n";
$bad = 0;
for ($i = 1; $i < $n; $i += 2) {
    if ($s->get("e$i") !== str_repeat(chr(97 + $i % 26), 500)) $bad++;
}
for ($i = 0; $i < $n; $i += 2) {
    if ($s->has("e$i")) $bad++;
}
var_dump($bad, count($s) === intdiv($n, 2) + 1, $s->verify());
// Keep filling the holes with big entries: as many as the free bytes allow.
$more = 0;
try {
    while (true) { $s->put("big$more", $big); $more++; }
} catch (SafeShmFullException $e) {
}
$info = $s->info();
echo "big entries that fitted: ", $more === intdiv($after['free'], $bigRec) ? 'as many as the free bytes allowed' : "$more of " . intdiv($after['free'], $bigRec),
    ", then free below one: ", var_export($info['free'] < $bigRec, true), ", relocation passes: ", $info['compactions'] > $after['compactions'] ? 'more' : 'none', "\n";
$bad = 0;
for ($i = 1; $i < $n; $i += 2) {
    if ($s->get("e$i") !== str_repeat(chr(97 + $i % 26), 500)) $bad++;
}
for ($i = 0; $i < $more; $i++) {
    if ($s->get("big$i") !== $big) $bad++;
}
var_dump($bad, $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
filled: record 576, entries = puts: true, largest free block below a record: true, free + used = capacity: true
after deleting every other entry: used down by their records, dead 0, free >= 5120: true, largest free block below it: true
big stored
bool(true)
compactions: 1, used up by the big record: true, dead 0
int(0)
bool(true)
bool(true)
big entries that fitted: as many as the free bytes allowed, then free below one: true, relocation passes: more
int(0)
bool(true)
