--TEST--
SafeShm::getMultiple(), putMultiple(), deleteMultiple(): results keyed as given (int keys, numeric strings, defaults), arrays and generators (keys repeated by yield from), TTL, counts
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);

echo "-- putMultiple from an array, getMultiple keyed as given\n";
$s->putMultiple(['a' => 1, 'b' => [2], 7 => 'seven', '08' => 'leading zero', 'n' => null]);
var_dump($s->getMultiple(['a', 'b', 7, '7', '08', 8, 'n', 'missing'], 'DEF'));
echo "without a default: ", json_encode($s->getMultiple(['missing', 'a'])), "\n";
echo "empty: ", json_encode($s->getMultiple([])), "\n";
echo "the array's keys are ignored: ", json_encode($s->getMultiple(['x' => 'a', 'y' => 'missing'])), "\n";

echo "-- generators\n";
function keys_in_parts() { yield from ['a', 'b']; yield from [7, 'missing']; } // keys 0, 1, 0, 1
echo "getMultiple: ", json_encode($s->getMultiple(keys_in_parts(), 'DEF')), "\n";
function pairs() { yield 'g1' => 'one'; yield 'g2' => 'two'; yield 42 => 'int key'; }
$s->putMultiple(pairs());
echo "putMultiple: ", json_encode($s->getMultiple(['g1', 'g2', 42])), "\n";
function same_key_twice() { yield 'dup' => 'first'; yield 'dup' => 'last'; }
$s->putMultiple(same_key_twice());
echo "a key given twice: ", json_encode($s->get('dup')), "\n";
echo "an ArrayIterator: ", json_encode($s->getMultiple(new ArrayIterator(['g1', 'a']))), "\n";

echo "-- putMultiple with a TTL\n";
$s->putMultiple(['t1' => 1, 't2' => 2], 0.5);
echo 'right after: ', json_encode($s->getMultiple(['t1', 't2'])), ', ttl in (0, 0.5]: ',
    var_export($s->meta('t1')['ttl'] > 0 && $s->meta('t2')['ttl'] <= 0.5, true), "\n";
usleep(1200000);
echo '1.2 s later: ', json_encode($s->getMultiple(['t1', 't2'], 'gone')), "\n";

echo "-- a bad key or value stores none of the batch\n";
foreach ([
    'empty key' => fn() => $s->putMultiple(['ok1' => 1, '' => 2]),
    'unserializable value' => fn() => $s->putMultiple(['ok1' => 1, 'ok2' => function () {}]),
    'generator throws' => fn() => $s->putMultiple((function () { yield 'ok1' => 1; throw new LogicException('mid-iteration'); })()),
] as $what => $call) {
    try {
        $call();
        echo "$what: stored\n";
    } catch (Throwable $e) {
        echo "$what: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump($s->has('ok1'), $s->has('ok2'));
foreach ([[1.5], [null], [['array']]] as $bad) {
    try {
        $s->getMultiple($bad);
    } catch (TypeError $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}

echo "-- deleteMultiple counts the keys that existed\n";
$s->put('expired', 1, 0.1);
usleep(300000);
var_dump($s->deleteMultiple(['a', 'b', 'missing', 'expired', 7, 'a']));
var_dump($s->getMultiple(['a', 'b', 7], 'gone'));
var_dump($s->deleteMultiple(keys_in_parts()), $s->deleteMultiple([]));
$s->putMultiple(['p' => 1, 'q' => 2, 'r' => 3]);
function pq() { yield from ['p']; yield from ['q']; } // both key 0
var_dump($s->deleteMultiple(pq()), $s->has('p'), $s->has('q'), $s->has('r'));
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
-- putMultiple from an array, getMultiple keyed as given
array(7) {
  ["a"]=>
  int(1)
  ["b"]=>
  array(1) {
    [0]=>
    int(2)
  }
  [7]=>
  string(5) "seven"
  ["08"]=>
  string(12) "leading zero"
  [8]=>
  string(3) "DEF"
  ["n"]=>
  NULL
  ["missing"]=>
  string(3) "DEF"
}
without a default: {"missing":null,"a":1}
empty: []
the array's keys are ignored: {"a":1,"missing":null}
-- generators
getMultiple: {"a":1,"b":[2],"7":"seven","missing":"DEF"}
putMultiple: {"g1":"one","g2":"two","42":"int key"}
a key given twice: "last"
an ArrayIterator: {"g1":"one","a":1}
-- putMultiple with a TTL
right after: {"t1":1,"t2":2}, ttl in (0, 0.5]: true
1.2 s later: {"t1":"gone","t2":"gone"}
-- a bad key or value stores none of the batch
empty key: ValueError: SafeShm::putMultiple(): Argument #1 ($values) must not be empty
unserializable value: Exception: Serialization of 'Closure' is not allowed
generator throws: LogicException: mid-iteration
bool(false)
bool(false)
TypeError: SafeShm::getMultiple(): Argument #1 ($keys) must contain only int or string keys, float given
TypeError: SafeShm::getMultiple(): Argument #1 ($keys) must contain only int or string keys, null given
TypeError: SafeShm::getMultiple(): Argument #1 ($keys) must contain only int or string keys, array given
-- deleteMultiple counts the keys that existed
int(3)
array(3) {
  ["a"]=>
  string(4) "gone"
  ["b"]=>
  string(4) "gone"
  [7]=>
  string(4) "gone"
}
int(0)
int(0)
int(2)
bool(false)
bool(false)
bool(true)
bool(true)
