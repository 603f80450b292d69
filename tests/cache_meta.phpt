--TEST--
SafeShm::meta(): size, ttl, version, created, updated of an entry (null when absent or expired); version increases on every write (put, add, increment, cas, update, putMultiple, remember), created stays across replaces
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);
var_dump($s->meta('absent'));

$before = microtime(true);
$s->put('k', 'hello');
$after = microtime(true);
$m = $s->meta('k');
echo 'fields: ', implode(',', array_keys($m)), "\n";
echo 'types: ', implode(',', array_map('get_debug_type', $m)), "\n";
echo "size: $m[size]\n";
echo 'created is the time of the put (unix time): ', var_export($m['created'] >= $before - 0.001 && $m['created'] <= $after + 0.001, true), "\n";
echo 'first write: created === updated: ', var_export($m['created'] === $m['updated'], true), "\n";

echo "-- size is the bytes stored, per value type\n";
class P { public $a = 1; }
foreach (['int' => 42, 'float' => 1.5, 'true' => true, 'false' => false, 'null' => null, 'empty string' => '',
        'string' => str_repeat('x', 1000), 'array' => [1, 'two' => 2], 'object' => new P()] as $what => $v) {
    $s->put('t', $v);
    $m = $s->meta('t');
    // objects are stored as serialize() writes them; arrays of scalars in the native encoding:
    // 'N', version, map tag, count (4), then per entry a key (int: 1 + 8; string: 1 + 4 + bytes) and a value
    echo str_pad($what, 13), $m['size'], is_object($v) ? ' (serialize(): ' . strlen(serialize($v)) . ')'
        : (is_array($v) ? ' (native: 2 + 1 + 4 + (9 + 9) + (8 + 9))' : ''), "\n";
}

echo "-- version: every write of the key increases it; a refused write does not\n";
$versions = [];
$step = function (string $what) use ($s, &$versions) {
    $v = $s->meta('v')['version'] ?? null;
    $prev = end($versions);
    $versions[] = $v;
    echo str_pad($what, 28), $prev === false ? 'first' : ($v > $prev ? 'increased' : ($v === $prev ? 'unchanged' : "DECREASED $prev -> $v")), "\n";
};
$s->add('v', 1);                    $step('add');
$s->put('v', 2);                    $step('put');
$s->put('v', 2);                    $step('put of the same value');
$s->increment('v');                 $step('increment');
$s->increment('v', 0);              $step('increment by 0');
$s->cas('v', 3, 10);                $step('cas (matching)');
$s->cas('v', 3, 11);                $step('cas (not matching)');
$s->add('v', 12);                   $step('add (exists)');
$s->update('v', fn($x) => $x + 1);  $step('update');
$s->putMultiple(['v' => 20, 'w' => 1]); $step('putMultiple');
$s->get('v'); $s->has('v'); $s->meta('v'); $step('get, has, meta');
$s->put('other', 'x');              $step('put of another key');
echo "value: ", $s->get('v'), "\n";

echo "-- created stays across replaces; updated follows the last write\n";
// Compared within one meta() result: both times come from the same conversion to unix time.
$s->put('v', 'first');
usleep(2000);
$s->put('v', 'replaced');
$m = $s->meta('v');
$s->increment('n');
usleep(2000);
$s->increment('n');
$n = $s->meta('n');
var_dump($m['updated'] - $m['created'] >= 0.002, $n['updated'] - $n['created'] >= 0.002);
echo "-- after delete or expiry, a new entry is created anew\n";
$s->delete('v');
$s->put('v', 'again');
$m = $s->meta('v');
var_dump($m['created'] === $m['updated']);
$s->put('e', 1, 0.1);
usleep(2000);
$s->put('e', 1, 0.1);
usleep(300000);
var_dump($s->meta('e'));
$s->add('e', 2);
$m = $s->meta('e');
var_dump($m['created'] === $m['updated']);

echo "-- ttl: null without, seconds left (float) with\n";
$s->put('t', 1, 60);
$m = $s->meta('t');
var_dump(is_float($m['ttl']) && $m['ttl'] > 59 && $m['ttl'] <= 60);
$s->put('t', 1);
var_dump($s->meta('t')['ttl']);
echo "-- remember writes a version too\n";
$s->remember('r', fn() => 'computed');
var_dump(is_int($s->meta('r')['version']) && $s->meta('r')['version'] > $s->meta('t')['version']);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
NULL
fields: size,ttl,version,created,updated
types: int,null,int,float,float
size: 5
created is the time of the put (unix time): true
first write: created === updated: true
-- size is the bytes stored, per value type
int          8
float        8
true         0
false        0
null         0
empty string 0
string       1000
array        42 (native: 2 + 1 + 4 + (9 + 9) + (8 + 9))
object       24 (serialize(): 24)
-- version: every write of the key increases it; a refused write does not
add                         first
put                         increased
put of the same value       increased
increment                   increased
increment by 0              increased
cas (matching)              increased
cas (not matching)          unchanged
add (exists)                unchanged
update                      increased
putMultiple                 increased
get, has, meta              unchanged
put of another key          unchanged
value: 20
-- created stays across replaces; updated follows the last write
bool(true)
bool(true)
-- after delete or expiry, a new entry is created anew
bool(true)
NULL
bool(true)
-- ttl: null without, seconds left (float) with
bool(true)
NULL
-- remember writes a version too
bool(true)
