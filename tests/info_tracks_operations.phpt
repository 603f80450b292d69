--TEST--
SafeShm::info(): used, free and entries follow puts, replaces and deletes by exactly the record sizes; a replaced or deleted record's block is free at once (dead stays 0)
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
// A record is 48 bytes of header + value + key, rounded up to 8 and, from 256 bytes, to a sixteenth of its power of
// two: 'a' with 1000 bytes is 1088, with 2000 bytes 2176.
$show = function (string $what) use ($s): array {
    $i = $s->info();
    echo str_pad("$what:", 16), "entries=$i[entries] used=$i[used] free=$i[free] dead=$i[dead]\n";
    return $i;
};
$i0 = $show('fresh');
$s->put('a', str_repeat('x', 1000));
$show('put a');
$s->put('b', str_repeat('y', 1000));
$show('put b');
// Replacing with a value of the same size keeps used and free: the old record's block is freed at once.
$s->put('a', str_repeat('z', 1000));
$show('replace a');
$s->put('a', str_repeat('z', 2000));
$show('bigger a');
// Delete frees the record's block at once.
$s->delete('a');
$show('delete a');
$s->delete('b');
$i6 = $show('delete b');
echo 'free is the whole capacity again, in one block: ', var_export($i6['free'] === $i0['free'] && $i6['largest_free'] === $i0['free']
    && $i0['free'] === $i0['capacity'], true), "\n";
echo 'record sizes: ', test_record_size(1, 1000), ' ', test_record_size(1, 2000), "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
fresh:          entries=0 used=0 free=63216 dead=0
put a:          entries=1 used=1088 free=62128 dead=0
put b:          entries=2 used=2176 free=61040 dead=0
replace a:      entries=2 used=2176 free=61040 dead=0
bigger a:       entries=2 used=3264 free=59952 dead=0
delete a:       entries=1 used=1088 free=62128 dead=0
delete b:       entries=0 used=0 free=63216 dead=0
free is the whole capacity again, in one block: true
record sizes: 1088 2176
