--TEST--
SafeShm: fragmentation never causes SafeShmFullException while total free space suffices (compaction)
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
echo 'filled with many entries: ', $n > 50 ? 'yes' : "no ($n)", "\n";
$before = $s->info();
for ($i = 0; $i < $n; $i += 2) $s->delete("e$i");
$holes = $s->info();
// Each hole is one ~560-byte record; together they are far more than 5000 bytes.
echo 'free after deletes well above 5000: ', $holes['free'] + $holes['dead'] > 10000 ? 'yes' : 'no', "\n";
$big = str_repeat('B', 5000);
try {
    $s->put('big', $big);
    echo "big stored\n";
} catch (SafeShmFullException $e) {
    echo "SafeShmFullException despite free space\n";
}
$after = $s->info();
var_dump($s->get('big') === $big);
echo 'compactions > 0: ', $after['compactions'] > 0 ? 'yes' : 'no', "\n";
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
echo 'reclaimed space reused for more big entries: ', $more >= 2 ? 'yes' : "no ($more)", "\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
filled with many entries: yes
free after deletes well above 5000: yes
big stored
bool(true)
compactions > 0: yes
int(0)
bool(true)
bool(true)
reclaimed space reused for more big entries: yes
bool(true)
