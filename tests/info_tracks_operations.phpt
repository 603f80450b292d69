--TEST--
SafeShm::info(): used, free, entries and dead follow puts, replaces and deletes by exactly the record sizes
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
// A record is 40 bytes of header + value + key, rounded up to 8: 'a' with 1000 bytes is 1048, with 2000 bytes 2048.
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
// Replacing with a value of the same size keeps used; the old record is dead until compacted.
$s->put('a', str_repeat('z', 1000));
$show('replace a');
$s->put('a', str_repeat('z', 2000));
$show('bigger a');
// Delete gives the used bytes up; they are dead until reused.
$s->delete('a');
$show('delete a');
$s->delete('b');
$i6 = $show('delete b');
echo 'free + used is the whole arena again (dead bytes count as free): ', var_export($i6['free'] + $i6['used'] === $i0['free'], true), "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
fresh:          entries=0 used=0 free=60928 dead=0
put a:          entries=1 used=1048 free=59880 dead=0
put b:          entries=2 used=2096 free=58832 dead=0
replace a:      entries=2 used=2096 free=58832 dead=1048
bigger a:       entries=2 used=3096 free=57832 dead=2096
delete a:       entries=1 used=1048 free=59880 dead=4144
delete b:       entries=0 used=0 free=60928 dead=5192
free + used is the whole arena again (dead bytes count as free): true
