--TEST--
SafeShm eviction: when a write does not fit, expired entries are reclaimed first, then live TTL entries soonest to expire first; entries without a TTL are never evicted; SafeShmFullException (evicting nothing) when even all TTL entries would not make room; info() expired/evicted
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 16384);
$counters = fn() => array_intersect_key($s->info(), ['expired' => 0, 'evicted' => 0]);

echo "-- live TTL entries go soonest to expire first, whatever the order they were written in\n";
for ($i = 0; $i < 4; $i++) {
    $s->put("data$i", str_repeat('d', 1000));           // no TTL: data
}
$ttls = [50, 10, 70, 20, 80, 30, 60, 40];
foreach ($ttls as $i => $t) {
    $s->put("cache$i", str_repeat('c', 1000), $t);
}
asort($ttls);
$soonest = array_keys($ttls);                            // [1, 3, 5, 7, 0, 6, 2, 4]
$s->put('big', str_repeat('b', 3000));                   // does not fit without evicting
$gone = array_values(array_filter($soonest, fn($i) => !$s->has("cache$i")));
$n = count($gone);
echo "stored: ", var_export($s->get('big') === str_repeat('b', 3000), true), "; evicted $n: the $n soonest to expire: ",
    var_export($gone === array_slice($soonest, 0, $n), true), "; info evicted = $n: ", var_export($counters()['evicted'] === $n, true), "\n";
echo "data entries all there: ", var_export(count(array_filter(range(0, 3), fn($i) => $s->get("data$i") === str_repeat('d', 1000))) === 4, true), "\n";

echo "-- a write that would not fit even after evicting every TTL entry: SafeShmFullException, nothing evicted\n";
$left = count(array_filter(range(0, 7), fn($i) => $s->has("cache$i")));
$before = $counters();
try {
    $s->put('huge', str_repeat('h', 12000), 10);
    echo "stored\n";
} catch (SafeShmFullException $e) {
    echo get_class($e), "\n";
}
echo "TTL entries left as they were: ", var_export(count(array_filter(range(0, 7), fn($i) => $s->has("cache$i"))) === $left, true),
    "; counters unchanged: ", var_export($counters() === $before, true), "\n";

echo "-- entries without a TTL are never evicted: once only data is left, writes are refused\n";
$s->deletePrefix('cache');
$s->delete('big');
$written = 0;
try {
    for ($i = 0; $i < 100; $i++, $written++) {
        $s->put("more$i", str_repeat('m', 1000));        // data, no TTL
    }
} catch (SafeShmFullException $e) {
    echo "after $written more data entries: ", get_class($e), "\n";
}
$evicted = $counters()['evicted'];
try {
    $s->put('cache-new', str_repeat('n', 1000), 60);      // a TTL write evicts no data either
    echo "stored\n";
} catch (SafeShmFullException $e) {
    echo "a TTL write: ", get_class($e), "\n";
}
echo "every data entry there: ", var_export(count(array_filter(range(0, $written - 1), fn($i) => $s->has("more$i"))) === $written
    && count(array_filter(range(0, 3), fn($i) => $s->has("data$i"))) === 4, true), "; evicted unchanged: ",
    var_export($counters()['evicted'] === $evicted, true), "\n";
var_dump($s->verify());

echo "-- expired entries are reclaimed by later writes (no sweeper), before any live entry is evicted\n";
$s2 = new SafeShm(test_key(__FILE__, 1), 16384);
for ($i = 0; $i < 10; $i++) {
    $s2->put("short$i", str_repeat('s', 1000), 0.1);
}
$s2->put('live', str_repeat('l', 1000), 60);
$used = $s2->info()['used'];
usleep(300000);
echo "expired, not yet reclaimed: used unchanged: ", var_export($s2->info()['used'] === $used, true), ", count: ", count($s2), "\n";
$s2->put('new', str_repeat('n', 8000), 60);              // needs the expired entries' bytes
$i = $s2->info();
echo "stored: ", var_export($s2->get('new') === str_repeat('n', 8000), true), "; live kept: ", var_export($s2->has('live'), true),
    "; evicted: $i[evicted]; expired reclaimed: ", $i['expired'] >= 7 ? 'at least 7' : $i['expired'], "\n";
// the rest goes too, a few at every write
for ($k = 0; $k < 20; $k++) {
    $s2->put('churn', $k);
}
$i = $s2->info();
echo "after more writes: expired reclaimed: $i[expired], entries: $i[entries], ttl_entries: $i[ttl_entries]\n";
var_dump($s2->verify());
$s->remove();
$s2->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
-- live TTL entries go soonest to expire first, whatever the order they were written in
stored: true; evicted %d: the %d soonest to expire: true; info evicted = %d: true
data entries all there: true
-- a write that would not fit even after evicting every TTL entry: SafeShmFullException, nothing evicted
SafeShmFullException
TTL entries left as they were: true; counters unchanged: true
-- entries without a TTL are never evicted: once only data is left, writes are refused
after %d more data entries: SafeShmFullException
a TTL write: SafeShmFullException
every data entry there: true; evicted unchanged: true
bool(true)
-- expired entries are reclaimed by later writes (no sweeper), before any live entry is evicted
expired, not yet reclaimed: used unchanged: true, count: 1
stored: true; live kept: true; evicted: 0; expired reclaimed: at least 7
after more writes: expired reclaimed: 10, entries: 3, ttl_entries: 2
bool(true)
