--TEST--
SafeShm TTL arguments: negative, INF, -INF, NAN and more than 100 years are a ValueError (exact message) from every method taking a TTL, and nothing is stored or called
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);
$s->put('live', 'old');
$calls = 0;
$fn = function ($v = null) use (&$calls) { $calls++; return 'new'; };
$calls_of = [
    'put' => fn($t) => $s->put('k', 'v', $t),
    'add' => fn($t) => $s->add('k', 'v', $t),
    'touch' => fn($t) => $s->touch('live', $t),
    'cas' => fn($t) => $s->cas('live', 'old', 'new', $t),
    'update' => fn($t) => $s->update('live', $fn, null, $t),
    'remember ttl' => fn($t) => $s->remember('k', $fn, $t),
    'remember stale' => fn($t) => $s->remember('k', $fn, 1, $t),
    'putMultiple' => fn($t) => $s->putMultiple(['k' => 'v', 'k2' => 'v'], $t),
];
foreach ([-1, -0.001, INF, -INF, NAN, 3153600001, 1e300] as $ttl) {
    echo "ttl ", var_export($ttl, true), "\n";
    foreach ($calls_of as $what => $call) {
        try {
            $call($ttl);
            echo "  $what: accepted\n";
        } catch (ValueError $e) {
            echo "  ", $e->getMessage(), "\n";
        }
    }
}
echo "stored: ", json_encode($s->keys()), ", live=", $s->get('live'), ", ttl of live: ", var_export($s->meta('live')['ttl'], true), "\n";
echo "callables called: $calls\n";
// the limits themselves are accepted; -0.0 is 0 (never)
$s->put('max', 1, 3153600000);
$s->put('negzero', 1, -0.0);
var_dump($s->meta('max')['ttl'] > 3153599000, $s->meta('negzero')['ttl']);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
ttl -1
  SafeShm::put(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::add(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::touch(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::cas(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::update(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #4 ($stale) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::putMultiple(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
ttl -0.001
  SafeShm::put(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::add(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::touch(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::cas(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::update(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #4 ($stale) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::putMultiple(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
ttl INF
  SafeShm::put(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::add(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::touch(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::cas(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::update(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #4 ($stale) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::putMultiple(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
ttl -INF
  SafeShm::put(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::add(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::touch(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::cas(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::update(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #4 ($stale) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::putMultiple(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
ttl NAN
  SafeShm::put(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::add(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::touch(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::cas(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::update(): Argument #4 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #3 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::remember(): Argument #4 ($stale) must be a finite number of seconds >= 0 (0: never expires)
  SafeShm::putMultiple(): Argument #2 ($ttl) must be a finite number of seconds >= 0 (0: never expires)
ttl 3153600001
  SafeShm::put(): Argument #3 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::add(): Argument #3 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::touch(): Argument #2 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::cas(): Argument #4 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::update(): Argument #4 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::remember(): Argument #3 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::remember(): Argument #4 ($stale) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::putMultiple(): Argument #2 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
ttl 1.0E+300
  SafeShm::put(): Argument #3 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::add(): Argument #3 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::touch(): Argument #2 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::cas(): Argument #4 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::update(): Argument #4 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::remember(): Argument #3 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::remember(): Argument #4 ($stale) must be at most 3153600000 seconds (100 years); use 0 for never
  SafeShm::putMultiple(): Argument #2 ($ttl) must be at most 3153600000 seconds (100 years); use 0 for never
stored: ["live"], live=old, ttl of live: NULL
callables called: 0
bool(true)
NULL
