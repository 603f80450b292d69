--TEST--
SafeShm::cas(): replaces only when the live value has the same type and bytes as $expected, for every value type (int, float, string, bool, null, array, object); a missing or expired key never matches
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);
class Pt { public function __construct(public int $x = 0, public int $y = 0) {} }

// [stored value, expected values that must NOT match it]
$cases = [
    'int' => [42, [43, 42.0, '42', true, null, [42]]],
    'negative int' => [-1, [1, -1.0, '-1', true]],
    'float' => [1.5, [1.25, '1.5', 1, [1.5]]],
    'float 1.0' => [1.0, [1, '1', true]],
    'string' => ['abc', ['abd', 'ABC', 'abc ', 0, true]],
    'numeric string' => ['10', [10, 10.0, '10.0', '010']],
    'empty string' => ['', [null, false, 0, '0', []]],
    'binary string' => ["a\0b", ["a\0c", 'a']],
    'true' => [true, [1, '1', false, 1.0]],
    'false' => [false, [0, '', null, '0', true]],
    'null' => [null, [false, 0, '', [], 'null']],
    'array' => [['a' => 1, 'b' => [2]], [['b' => [2], 'a' => 1], ['a' => 1], ['a' => '1', 'b' => [2]], ['a' => 1, 'b' => [2.0]]]],
    'list' => [[1, 2, 3], [[1, 2], [3, 2, 1], [1, 2, 3, 4], '1,2,3']],
    'empty array' => [[], [null, false, '', [0]]],
    'object' => [new Pt(1, 2), [new Pt(2, 1), new Pt(1, 3), (object) ['x' => 1, 'y' => 2], ['x' => 1, 'y' => 2]]],
];
foreach ($cases as $what => [$stored, $others]) {
    $s->put('k', $stored);
    $refused = 0;
    foreach ($others as $o) {
        if ($s->cas('k', $o, 'WRONG')) {
            echo "$what: matched ", var_export($o, true), "\n";
            $s->put('k', $stored);
        } else {
            $refused++;
        }
    }
    $unchanged = $s->get('k') == $stored && gettype($s->get('k')) === gettype($stored);
    // the same value, as another equal instance where it is an object
    $same = is_object($stored) ? clone $stored : $stored;
    $ok = $s->cas('k', $same, ['replaced' => $what], 60);
    echo str_pad($what, 15), "refused $refused of ", count($others), ", unchanged: ", var_export($unchanged, true),
        ", identical matched: ", var_export($ok, true), ", now: ", json_encode($s->get('k')),
        ", ttl set: ", var_export($s->meta('k')['ttl'] > 59, true), "\n";
}

echo "-- a missing key never matches, whatever is expected\n";
var_dump($s->cas('missing', null, 1), $s->cas('missing', false, 1), $s->has('missing'));
echo "-- an expired key never matches\n";
$s->put('exp', 'v', 0.1);
usleep(300000);
var_dump($s->cas('exp', 'v', 'w'), $s->get('exp', 'absent'));
echo "-- an int changed by increment() is compared by its current value\n";
$s->put('n', 1);
$s->increment('n', 5);
var_dump($s->cas('n', 1, 100), $s->cas('n', 6, 100), $s->get('n'));
echo "-- without a TTL, cas() stores without one (as put does)\n";
$s->put('t', 'a', 60);
$s->cas('t', 'a', 'b');
var_dump($s->get('t'), $s->meta('t')['ttl']);
echo "-- an expected value that cannot be serialized throws, nothing changes\n";
try {
    $s->cas('t', function () {}, 'c');
} catch (Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($s->get('t'), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int            refused 6 of 6, unchanged: true, identical matched: true, now: {"replaced":"int"}, ttl set: true
negative int   refused 4 of 4, unchanged: true, identical matched: true, now: {"replaced":"negative int"}, ttl set: true
float          refused 4 of 4, unchanged: true, identical matched: true, now: {"replaced":"float"}, ttl set: true
float 1.0      refused 3 of 3, unchanged: true, identical matched: true, now: {"replaced":"float 1.0"}, ttl set: true
string         refused 5 of 5, unchanged: true, identical matched: true, now: {"replaced":"string"}, ttl set: true
numeric string refused 4 of 4, unchanged: true, identical matched: true, now: {"replaced":"numeric string"}, ttl set: true
empty string   refused 5 of 5, unchanged: true, identical matched: true, now: {"replaced":"empty string"}, ttl set: true
binary string  refused 2 of 2, unchanged: true, identical matched: true, now: {"replaced":"binary string"}, ttl set: true
true           refused 4 of 4, unchanged: true, identical matched: true, now: {"replaced":"true"}, ttl set: true
false          refused 5 of 5, unchanged: true, identical matched: true, now: {"replaced":"false"}, ttl set: true
null           refused 5 of 5, unchanged: true, identical matched: true, now: {"replaced":"null"}, ttl set: true
array          refused 4 of 4, unchanged: true, identical matched: true, now: {"replaced":"array"}, ttl set: true
list           refused 4 of 4, unchanged: true, identical matched: true, now: {"replaced":"list"}, ttl set: true
empty array    refused 4 of 4, unchanged: true, identical matched: true, now: {"replaced":"empty array"}, ttl set: true
object         refused 4 of 4, unchanged: true, identical matched: true, now: {"replaced":"object"}, ttl set: true
-- a missing key never matches, whatever is expected
bool(false)
bool(false)
bool(false)
-- an expired key never matches
bool(false)
string(6) "absent"
-- an int changed by increment() is compared by its current value
bool(false)
bool(true)
int(100)
-- without a TTL, cas() stores without one (as put does)
string(1) "b"
NULL
-- an expected value that cannot be serialized throws, nothing changes
Exception: Serialization of 'Closure' is not allowed
string(1) "b"
bool(true)
