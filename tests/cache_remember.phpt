--TEST--
SafeShm::remember(): computes on a miss and stores with $ttl, returns hits without computing; a throwing $compute stores nothing and leaves no marker; the marker is invisible to get/has/keys/count; a child that exits or dies of a fatal error inside $compute leaves no marker
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=2
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$calls = 0;
$compute = function () use (&$calls) { return 'value ' . ++$calls; };

echo "-- miss, then hits\n";
var_dump($s->remember('k', $compute), $s->remember('k', $compute), $s->get('k'), $calls);
var_dump($s->remember(7, $compute), $s->remember('7', $compute), $calls);
echo "-- null and false are values too: cached\n";
var_dump($s->remember('null', fn() => null), $s->remember('null', $compute), $s->remember('false', fn() => false), $s->remember('false', $compute), $calls);

echo "-- \$ttl: the value expires, the next call computes again\n";
$calls = 0;
var_dump($s->remember('t', $compute, 0.5), $s->meta('t')['ttl'] <= 0.5);
usleep(1200000);
var_dump($s->remember('t', $compute, 0.5), $calls);

echo "-- inside \$compute the key is still absent and the marker shows nowhere but info()['locks']\n";
$s->remember('inside', function () use ($s) {
    echo 'get: ', var_export($s->get('inside', 'absent'), true), ', has: ', var_export($s->has('inside'), true),
        ', keys: ', json_encode(array_values(array_filter($s->keys(), fn($k) => $k === 'inside'))),
        ', count: ', count($s), ', getMultiple: ', json_encode($s->getMultiple(['inside'], 'absent')),
        ', locks(): ', json_encode($s->locks()), ", info()['locks']: ", $s->info()['locks'], "\n";
    return 'done';
});
echo "after: info()['locks']: ", $s->info()['locks'], "\n";

echo "-- \$compute throws: the exception reaches the caller, nothing stored, no marker left\n";
try {
    $s->remember('x', function () { throw new RuntimeException('compute failed'); }, 60);
} catch (RuntimeException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($s->has('x'), $s->info()['locks']);
// with a marker left, this would wait safeshm.lock_timeout (this process holds it) and throw
var_dump($s->remember('x', fn() => 'second try'));
echo "-- \$compute returns what cannot be stored: the exception reaches the caller, nothing stored, no marker left\n";
try {
    $s->remember('y', fn() => function () {});
} catch (Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump($s->has('y'), $s->info()['locks'], $s->remember('y', fn() => 'stored'));

echo "-- a child process ends inside \$compute: exit(), an uncaught exception, memory_limit, max_execution_time\n";
$children = [
    'exit()' => 'exit(3);',
    'uncaught exception' => 'throw new LogicException("uncaught");',
    'memory_limit' => 'ini_set("memory_limit", "8M"); $a = []; for (;;) { $a[] = str_repeat("m", 1 << 16); }',
    'max_execution_time' => 'set_time_limit(1); for (;;) { }',
];
foreach ($children as $what => $body) {
    $code = '$s = new SafeShm((int) $argv[1]); $s->remember("child", function () use ($s) { '
        . 'echo "computing, markers: ", $s->info()["locks"], "\n"; ' . $body . ' });';
    $out = test_php_run($code, [$key]);
    preg_match('/computing, markers: \d+/', $out, $m);
    preg_match('/(Allowed memory size of \d+ bytes exhausted|Maximum execution time of \d+ seconds? exceeded|Uncaught LogicException: \w+)/m', $out, $f);
    echo str_pad($what, 19), ($m[0] ?? 'NOT COMPUTING: ' . $out), ($f ? "; died of: $f[0]" : ''),
        "; after: markers ", $s->info()['locks'], ", key ", var_export($s->get('child', 'absent'), true), "\n";
}
var_dump($s->remember('child', fn() => 'parent computed'));
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
-- miss, then hits
string(7) "value 1"
string(7) "value 1"
string(7) "value 1"
int(1)
string(7) "value 2"
string(7) "value 2"
int(2)
-- null and false are values too: cached
NULL
NULL
bool(false)
bool(false)
int(2)
-- $ttl: the value expires, the next call computes again
string(7) "value 1"
bool(true)
string(7) "value 2"
int(2)
-- inside $compute the key is still absent and the marker shows nowhere but info()['locks']
get: 'absent', has: false, keys: [], count: 5, getMultiple: {"inside":"absent"}, locks(): [], info()['locks']: 1
after: info()['locks']: 0
-- $compute throws: the exception reaches the caller, nothing stored, no marker left
RuntimeException: compute failed
bool(false)
int(0)
string(10) "second try"
-- $compute returns what cannot be stored: the exception reaches the caller, nothing stored, no marker left
Exception: Serialization of 'Closure' is not allowed
bool(false)
int(0)
string(6) "stored"
-- a child process ends inside $compute: exit(), an uncaught exception, memory_limit, max_execution_time
exit()             computing, markers: 1; after: markers 0, key 'absent'
uncaught exception computing, markers: 1; died of: Uncaught LogicException: uncaught; after: markers 0, key 'absent'
memory_limit       computing, markers: 1; died of: Allowed memory size of 8388608 bytes exhausted; after: markers 0, key 'absent'
max_execution_time computing, markers: 1; died of: Maximum execution time of 1 second exceeded; after: markers 0, key 'absent'
string(15) "parent computed"
bool(true)
