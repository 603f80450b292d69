--TEST--
SafeShm::keys($prefix) and deletePrefix($prefix): live keys starting with the prefix (bytes, int keys by their decimal form), expired ones excluded and not counted; named locks and remember() markers untouched
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);
$s->putMultiple(['user:1' => 'a', 'user:2' => 'b', 'user:10' => 'c', 'users' => 'd', 'session:1' => 'e',
    1 => 'one', 10 => 'ten', 12 => 'twelve', 2 => 'two', "bin\0ary" => 'f', 'USER:3' => 'g']);
$s->put('user:expired', 'x', 0.1);
usleep(300000);
$show = function (array $k) { sort($k, SORT_STRING); return json_encode($k); };
echo "keys(): ", $show($s->keys()), "\n";
echo "keys(''): ", $show($s->keys('')), "\n";
echo "keys('user:'): ", $show($s->keys('user:')), "\n";
echo "keys('user'): ", $show($s->keys('user')), "\n";
echo "keys('1'): ", $show($s->keys('1')), "\n";
echo "keys(\"bin\\0\"): ", $show(array_map('bin2hex', $s->keys("bin\0"))), "\n";
echo "keys('nothing'): ", $show($s->keys('nothing')), "\n";
echo "keys('user:1') (a whole key is a prefix of itself): ", $show($s->keys('user:1')), "\n";

$lock = $s->lock('user:lock');   // a named lock: its own namespace
echo "-- deletePrefix\n";
var_dump($s->deletePrefix('user:'));   // user:1, user:2, user:10 (user:expired does not count)
echo "left: ", $show($s->keys()), "\n";
var_dump($s->deletePrefix('1'), $s->deletePrefix('nothing'));
echo "left: ", $show($s->keys()), "\n";
echo "the named lock is still held: ", var_export($lock->isHeld(), true), ", locks: ", count($s->locks()), "\n";
$s->remember('user:r', function () use ($s) {
    echo "deletePrefix('user') while a remember() computes: ", $s->deletePrefix('user'), "\n";
    return 'computed';
});
echo "the computed value was stored after it: ", $s->get('user:r'), "\n";
var_dump($s->deletePrefix(''), count($s), $s->keys());
var_dump($lock->release(), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
keys(): [1,10,12,2,"USER:3","bin\u0000ary","session:1","user:1","user:10","user:2","users"]
keys(''): [1,10,12,2,"USER:3","bin\u0000ary","session:1","user:1","user:10","user:2","users"]
keys('user:'): ["user:1","user:10","user:2"]
keys('user'): ["user:1","user:10","user:2","users"]
keys('1'): [1,10,12]
keys("bin\0"): ["62696e00617279"]
keys('nothing'): []
keys('user:1') (a whole key is a prefix of itself): ["user:1","user:10"]
-- deletePrefix
int(3)
left: [1,10,12,2,"USER:3","bin\u0000ary","session:1","users"]
int(3)
int(0)
left: [2,"USER:3","bin\u0000ary","session:1","users"]
the named lock is still held: true, locks: 1
deletePrefix('user') while a remember() computes: 1
the computed value was stored after it: computed
int(5)
int(0)
array(0) {
}
bool(true)
bool(true)
