--TEST--
SafeShm::info(): used, free, entries and dead follow puts, replaces and deletes
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$i0 = $s->info();
$s->put('a', str_repeat('x', 1000));
$i1 = $s->info();
echo 'put: entries=', $i1['entries'], ' used grew by >= 1000: ', var_export($i1['used'] - $i0['used'] >= 1000, true),
    ', free shrank by >= 1000: ', var_export($i0['free'] - $i1['free'] >= 1000, true), "\n";
$s->put('b', str_repeat('y', 1000));
$i2 = $s->info();
echo 'second put: entries=', $i2['entries'], ' used grew by the same: ', var_export($i2['used'] - $i1['used'] === $i1['used'] - $i0['used'], true), "\n";
// Replacing with a value of the same size keeps used.
$s->put('a', str_repeat('z', 1000));
$i3 = $s->info();
echo 'replace: entries=', $i3['entries'], ' used same: ', var_export($i3['used'] === $i2['used'], true), "\n";
// A bigger value grows used by the difference (rounded to the record alignment).
$s->put('a', str_repeat('z', 2000));
$i4 = $s->info();
$d = $i4['used'] - $i3['used'];
echo 'bigger replace: used grew by about 1000: ', var_export($d >= 1000 && $d <= 1016, true), "\n";
// Delete gives the used bytes up; they are dead (or already compacted) until reused.
$s->delete('a');
$i5 = $s->info();
echo 'delete: entries=', $i5['entries'], ' used back to one record: ', var_export($i5['used'] === $i1['used'] - $i0['used'], true),
    ', dead or compacted: ', var_export($i5['dead'] > 0 || $i5['compactions'] > $i4['compactions'], true), "\n";
$s->delete('b');
$i6 = $s->info();
echo 'all deleted: entries=', $i6['entries'], ' used=', $i6['used'], "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
put: entries=1 used grew by >= 1000: true, free shrank by >= 1000: true
second put: entries=2 used grew by the same: true
replace: entries=2 used same: true
bigger replace: used grew by about 1000: true
delete: entries=1 used back to one record: true, dead or compacted: true
all deleted: entries=0 used=0
