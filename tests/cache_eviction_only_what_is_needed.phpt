--TEST--
SafeShm eviction: a write evicts only as many TTL entries as it needs bytes (the store relocates records to make the bytes one block), not until a free block happens to be large enough
--DESCRIPTION--
Issue 11: "then live TTL entries, soonest-to-expire first, until it fits". Fails on commit f367631: evict() in
shm_mutate.c keeps evicting while no free block fits and fewer than 2 * size + 4096 bytes are free, so when the
soonest-to-expire entries are scattered it evicts 6 entries of 1 KiB to store 3 KiB that 2 evictions and a
relocation (evacuate()) would have made room for.
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 16384);
for ($i = 0; $i < 4; $i++) {
    $s->put("data$i", str_repeat('d', 1000));                 // 1088-byte records, no TTL
}
foreach ([50, 10, 70, 20, 80, 30, 60, 40] as $i => $t) {
    $s->put("cache$i", str_repeat('c', 1000), $t);             // 1088-byte records; the soonest are not adjacent
}
$free = $s->info()['free'];
$need = test_record_size(3, 3000);                             // the record of 'big': 3072 bytes
$k = (int) ceil(($need - $free) / test_record_size(6, 1000));
echo "free $free, needed $need: $k evictions give enough bytes\n";
$s->put('big', str_repeat('b', 3000));
echo "evicted: ", $s->info()['evicted'], "\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
free 1008, needed 3072: 2 evictions give enough bytes
evicted: 2
bool(true)
