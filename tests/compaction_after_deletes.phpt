--TEST--
SafeShm: fragmentation never causes SafeShmFullException while total free space suffices (compaction), with the README's record arithmetic
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
// A record is 40 bytes of header + value + key, rounded up to 8: 544 bytes here, and 112 of them fill the
// 60928-byte arena of a 64 KiB segment exactly.
$before = $s->info();
echo "filled with $n entries: used $before[used] of $before[arena_size], free $before[free]\n";
for ($i = 0; $i < $n; $i += 2) $s->delete("e$i");
$holes = $s->info();
// Every other record deleted: 56 holes of 544 bytes, none of them big enough for a 5048-byte record.
echo "after deleting every other entry: used $holes[used], free $holes[free], dead $holes[dead]\n";
$big = str_repeat('B', 5000);
try {
    $s->put('big', $big);
    echo "big stored\n";
} catch (SafeShmFullException $e) {
    echo "SafeShmFullException despite free space\n";
}
$after = $s->info();
var_dump($s->get('big') === $big);
echo 'compactions: ', $after['compactions'] - $before['compactions'], ", then used $after[used], dead $after[dead]\n";
$bad = 0;
for ($i = 1; $i < $n; $i += 2) {
    if ($s->get("e$i") !== str_repeat(chr(97 + $i % 26), 500)) $bad++;
}
for ($i = 0; $i < $n; $i += 2) {
    if ($s->has("e$i")) $bad++;
}
var_dump($bad, count($s) === intdiv($n, 2) + 1, $s->verify());
// Keep filling the holes with big entries: as many as the reclaimed space allows.
$more = 0;
try {
    while (true) { $s->put("big$more", $big); $more++; }
} catch (SafeShmFullException $e) {
}
$info = $s->info();
echo "reclaimed space reused for $more more big entries: used $info[used], free $info[free]\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
filled with 112 entries: used 60928 of 60928, free 0
after deleting every other entry: used 30464, free 30464, dead 30464
big stored
bool(true)
compactions: 1, then used 35512, dead 0
int(0)
bool(true)
bool(true)
reclaimed space reused for 5 more big entries: used 60752, free 176
bool(true)
