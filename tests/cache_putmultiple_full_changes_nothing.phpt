--TEST--
SafeShm::putMultiple(): a batch that cannot fit even after evicting every TTL entry evicts none of them, and leaves the store's free space (index included) as it was
--DESCRIPTION--
Fails on the store of commit f367631 (shm_mutate.c, safeshm_store_put_many()): each record of the batch is
given room by alloc_room() on its own, so the first records evict TTL entries before a later one finds that
nothing more can be evicted; and index_reserve() grows the index for the batch's new keys before the
allocations and keeps it grown after they fail.
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 16384);
for ($i = 0; $i < 4; $i++) {
    $s->put("data$i", str_repeat('d', 1000));          // no TTL: never evicted
}
for ($i = 0; $i < 8; $i++) {
    $s->put("cache$i", str_repeat('c', 1000), 100 + $i); // TTL entries: cache
}
$before = $s->info();
echo "TTL entries: $before[ttl_entries]\n";
// Four values of 2500 bytes: each would fit after evictions, all four together do not.
try {
    $s->putMultiple(['m1' => str_repeat('1', 2500), 'm2' => str_repeat('2', 2500), 'm3' => str_repeat('3', 2500), 'm4' => str_repeat('4', 2500)]);
    echo "stored\n";
} catch (SafeShmFullException $e) {
    echo get_class($e), "\n";
}
$after = $s->info();
echo "TTL entries still there: ", count(array_filter(range(0, 7), fn($i) => $s->has("cache$i"))), ", evicted: $after[evicted]\n";

// 300 new small keys that do not fit: the index must not stay grown for them.
$s2 = new SafeShm(test_key(__FILE__, 1), 16384);
$s2->put('x', str_repeat('x', 9000));
$b2 = $s2->info();
try {
    $s2->putMultiple(array_fill_keys(array_map(fn($i) => "k$i", range(1, 300)), str_repeat('v', 40)));
    echo "stored\n";
} catch (SafeShmFullException $e) {
    echo get_class($e), "\n";
}
$a2 = $s2->info();
echo "free unchanged: ", var_export($a2['free'] === $b2['free'], true), " ($b2[free] -> $a2[free]), index bytes $b2[index_bytes] -> $a2[index_bytes]\n";
var_dump($s->verify(), $s2->verify());
$s->remove();
$s2->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
TTL entries: 8
SafeShmFullException
TTL entries still there: 8, evicted: 0
SafeShmFullException
free unchanged: true (%d -> %d), index bytes %d -> %d
bool(true)
bool(true)
