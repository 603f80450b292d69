--TEST--
SafeShm::putMultiple(): when the batch does not fit, SafeShmFullException and none of it is stored: replaced keys keep their old values, new keys stay absent, used bytes unchanged
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 16384);
$s->put('a', 'old a');
$s->put('b', str_repeat('b', 1000));
$s->put('keep', 'kept');
$used = $s->info()['used'];
$free = $s->info()['free'];
echo "free before: ", $free > 10000 ? 'over 10000' : $free, "\n";

$batches = [
    'the last value is too big for the segment' => ['a' => 'new a', 'b' => 'new b', 'n1' => 'x', 'n2' => str_repeat('z', 20000)],
    'each fits, together they do not' => ['a' => str_repeat('1', 4000), 'n1' => str_repeat('2', 4000), 'n2' => str_repeat('3', 4000), 'n3' => str_repeat('4', 4000)],
    'many small new keys' => array_fill_keys(array_map(fn($i) => "many$i", range(1, 400)), str_repeat('m', 40)),
];
foreach ($batches as $what => $batch) {
    try {
        $s->putMultiple($batch);
        echo "$what: stored\n";
    } catch (SafeShmFullException $e) {
        echo "$what: ", get_class($e), "\n";
    }
    $present = array_filter(array_keys($batch), fn($k) => !in_array($k, ['a', 'b'], true) && $s->has($k));
    echo "  new keys present: ", count($present), "; a: ", $s->get('a'), "; b intact: ",
        var_export($s->get('b') === str_repeat('b', 1000), true), "; keep: ", $s->get('keep'),
        "; used unchanged: ", var_export($s->info()["used"] === $used, true), "\n";
}
var_dump(count($s), $s->verify());

echo "-- a batch that fits is stored whole\n";
$s->putMultiple(['a' => str_repeat('1', 4000), 'n1' => str_repeat('2', 4000)]);
echo json_encode(array_map('strlen', $s->getMultiple(['a', 'n1']))), "\n";
var_dump(count($s), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
free before: over 10000
the last value is too big for the segment: SafeShmFullException
  new keys present: 0; a: old a; b intact: true; keep: kept; used unchanged: true
each fits, together they do not: SafeShmFullException
  new keys present: 0; a: old a; b intact: true; keep: kept; used unchanged: true
many small new keys: SafeShmFullException
  new keys present: 0; a: old a; b intact: true; keep: kept; used unchanged: true
int(3)
bool(true)
-- a batch that fits is stored whole
{"a":4000,"n1":4000}
int(4)
bool(true)
