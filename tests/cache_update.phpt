--TEST--
SafeShm::update(): stores and returns $fn(current value, or $default); an exception from $fn changes nothing; a write of the key while $fn runs makes it run again on the new value; racing forever ends in SafeShmTimeoutException
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=0.3
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);

echo "-- absent: \$fn gets \$default (null when not given)\n";
var_dump($s->update('a', fn($v) => [$v]), $s->get('a'));
var_dump($s->update('b', fn($v) => $v + 1, 10), $s->get('b'));
echo "-- present: \$fn gets the current value\n";
var_dump($s->update('b', fn($v) => $v * 2, 1000), $s->get('b'));
$s->put('list', ['x']);
var_dump($s->update('list', function (array $l) { $l[] = 'y'; return $l; }, []));
echo "-- an expired entry is absent: \$default\n";
$s->put('e', 'old', 0.1);
usleep(300000);
var_dump($s->update('e', fn($v) => "from $v", 'default'));

echo "-- \$fn throws: the exception propagates, nothing changes\n";
$v0 = $s->meta('b')['version'];
try {
    $s->update('b', function ($v) { throw new DomainException("refused $v"); });
} catch (DomainException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($s->get('b'), $s->meta('b')['version'] === $v0);
try {
    $s->update('never', function ($v) { throw new DomainException('refused'); });
} catch (DomainException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($s->has('never'));
echo "-- \$fn returns what cannot be stored: the exception propagates, nothing changes\n";
try {
    $s->update('b', fn($v) => function () {});
} catch (Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($s->get('b'));

echo "-- a write of the key while \$fn runs: \$fn runs again on the new value\n";
$calls = [];
$r = $s->update('c', function ($v) use ($s, &$calls) {
    $calls[] = $v;
    if (count($calls) === 1) {
        $s->put('c', 'written meanwhile');  // as another process would
    }
    return "$v+";
}, 'start');
var_dump($r, $s->get('c'), $calls);
echo "-- the same when the key is deleted meanwhile, or added while absent\n";
$calls = [];
$s->put('d', 'there');
$r = $s->update('d', function ($v) use ($s, &$calls) {
    $calls[] = $v;
    if (count($calls) === 1) {
        $s->delete('d');
    }
    return "$v!";
}, 'gone');
echo json_encode([$r, $calls]), "\n";
$calls = [];
$r = $s->update('n', function ($v) use ($s, &$calls) {
    $calls[] = $v;
    if (count($calls) === 1) {
        $s->add('n', 'added meanwhile');
    }
    return "$v!";
}, 'none');
echo json_encode([$r, $calls]), "\n";

echo "-- a TTL: counted from the store\n";
$s->update('t', fn($v) => 1, null, 60);
var_dump($s->meta('t')['ttl'] > 59);
$s->update('t', fn($v) => 2);
var_dump($s->meta('t')['ttl']);

echo "-- a writer that always wins: SafeShmTimeoutException after safeshm.lock_timeout\n";
$n = 0;
try {
    $s->update('hot', function ($v) use ($s, &$n) {
        $n++;
        $s->increment('hot');
        return 'mine';
    }, 0);
} catch (SafeShmTimeoutException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
echo 'ran more than once: ', var_export($n > 1, true), ', stored value is the other writer\'s: ', var_export($s->get('hot') === $n, true), "\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
-- absent: $fn gets $default (null when not given)
array(1) {
  [0]=>
  NULL
}
array(1) {
  [0]=>
  NULL
}
int(11)
int(11)
-- present: $fn gets the current value
int(22)
int(22)
array(2) {
  [0]=>
  string(1) "x"
  [1]=>
  string(1) "y"
}
-- an expired entry is absent: $default
string(12) "from default"
-- $fn throws: the exception propagates, nothing changes
DomainException: refused 22
int(22)
bool(true)
DomainException: refused
bool(false)
-- $fn returns what cannot be stored: the exception propagates, nothing changes
Exception: Serialization of 'Closure' is not allowed
int(22)
-- a write of the key while $fn runs: $fn runs again on the new value
string(18) "written meanwhile+"
string(18) "written meanwhile+"
array(2) {
  [0]=>
  string(5) "start"
  [1]=>
  string(17) "written meanwhile"
}
-- the same when the key is deleted meanwhile, or added while absent
["gone!",["there","gone"]]
["added meanwhile!",["none","added meanwhile"]]
-- a TTL: counted from the store
bool(true)
NULL
-- a writer that always wins: SafeShmTimeoutException after safeshm.lock_timeout
SafeShmTimeoutException: SafeShm segment 0x%x: update() kept racing other writers of the key and did not store within safeshm.lock_timeout (0.300 s)
ran more than once: true, stored value is the other writer's: true
bool(true)
