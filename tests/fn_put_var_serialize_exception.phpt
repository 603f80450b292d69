--TEST--
safeshm_put_var(): an exception thrown by __serialize or __sleep propagates, nothing is stored and the old value stays
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
$shm = safeshm_attach($key, 65536, 0600);
safeshm_put_var($shm, 1, ['old' => 'value']);
foreach (['replace, __serialize' => fn() => safeshm_put_var($shm, 1, new Boom),
          'replace, nested __serialize' => fn() => safeshm_put_var($shm, 1, [1, [2, new Boom]]),
          'replace, __sleep' => fn() => safeshm_put_var($shm, 1, new SleepBoom),
          'new variable' => fn() => safeshm_put_var($shm, 2, new Boom),
          'closure' => fn() => safeshm_put_var($shm, 2, fn() => 1)] as $label => $f) {
    try {
        $r = $f();
        echo "$label: returned ", var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump(safeshm_get_var($shm, 1), safeshm_has_var($shm, 2), count($shm), $shm->verify());
// The lock was not left held.
var_dump(safeshm_put_var($shm, 3, 'after'), safeshm_get_var($shm, 3));
safeshm_remove($shm);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
replace, __serialize: DomainException: no serialize for you
replace, nested __serialize: DomainException: no serialize for you
replace, __sleep: LengthException: sleep failed
new variable: DomainException: no serialize for you
closure: Exception: Serialization of 'Closure' is not allowed
array(1) {
  ["old"]=>
  string(5) "value"
}
bool(false)
int(1)
bool(true)
bool(true)
string(5) "after"
