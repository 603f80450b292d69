--TEST--
SafeShm::put()/add(): an exception thrown by __serialize or __sleep propagates and nothing is stored
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
class Boom {
    public function __serialize(): array { throw new DomainException('no serialize for you'); }
}
class SleepBoom {
    public function __sleep() { throw new LengthException('sleep failed'); }
}
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('k', ['old' => 'value']);
foreach (['put k' => fn() => $s->put('k', new Boom),
          'put k (nested)' => fn() => $s->put('k', [1, [2, new Boom]]),
          'put k (__sleep)' => fn() => $s->put('k', new SleepBoom),
          'put fresh' => fn() => $s->put('fresh', new Boom),
          'add fresh' => fn() => $s->add('fresh', new Boom)] as $label => $f) {
    try {
        $f();
        echo "$label: no exception\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump($s->get('k'), $s->has('fresh'), count($s), $s->verify());
$s->put('after', 1);
var_dump($s->get('after'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
put k: DomainException: no serialize for you
put k (nested): DomainException: no serialize for you
put k (__sleep): LengthException: sleep failed
put fresh: DomainException: no serialize for you
add fresh: DomainException: no serialize for you
array(1) {
  ["old"]=>
  string(5) "value"
}
bool(false)
int(1)
bool(true)
int(1)
