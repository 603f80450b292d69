--TEST--
SafeShm::remove(): after the key is reused for a fresh store, objects of the removed one still refuse, never read stale data
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$a = new SafeShm($key, 65536);
$a->put('k', 'old store');
$stale = new SafeShm($key);
(new SafeShm($key))->remove();
$fresh = new SafeShm($key, 65536);
$fresh->put('k2', 'new store');
foreach (['get old key' => fn() => $stale->get('k'), 'put' => fn() => $stale->put('k3', 'from stale')] as $label => $f) {
    try {
        $r = $f();
        echo "$label: returned ", json_encode($r), "\n";
    } catch (SafeShmException $e) {
        echo "$label: ", get_class($e), str_contains(strtolower($e->getMessage()), 'removed') ? ' (removed)' : ': ' . $e->getMessage(), "\n";
    }
}
// Objects created after the recreation see the new store only; fresh attachments are never stale.
for ($i = 0; $i < 3; $i++) {
    $o = new SafeShm($key);
    echo json_encode([$o->get('k'), $o->get('k2'), $o->has('k3'), count($o)]), "\n";
}
$fresh->remove();
$again = new SafeShm($key, 8192);
var_dump(count($again), $again->info()['size']);
$again->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
get old key: SafeShmException (removed)
put: SafeShmException (removed)
[null,"new store",false,1]
[null,"new store",false,1]
[null,"new store",false,1]
int(0)
int(8192)
