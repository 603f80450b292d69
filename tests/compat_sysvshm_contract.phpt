--TEST--
safeshm.sysvshm_compat=1: unchanged sysvshm code runs on SafeShm, with sysvshm's names in every message; the data is a SafeShm store
--EXTENSIONS--
safeshm
--SKIPIF--
<?php
require __DIR__ . '/_compat.inc';
if ($why = compat_unavailable()) die("skip no compat child here: $why");
?>
--FILE--
<?php
require __DIR__ . '/_compat.inc';
$child = <<<'CHILD'
<?php
function t(string $label, callable $f) {
    try { $r = $f(); echo "$label: returned ", is_object($r) ? get_class($r) : var_export($r, true), "\n"; }
    catch (Throwable $e) { echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n"; }
}
$key = (int) $argv[1];
t('key out of range', fn() => shm_attach(1 << 32, 0));
t('size 0', fn() => shm_attach($key, 0));
t('key 0', fn() => shm_attach(0));
t('wrong type', fn() => shm_attach('key'));
$shm = shm_attach($key, 8192, 0600);
echo 'attached: ', get_class($shm), "\n";
t('put 1', fn() => shm_put_var($shm, 1, ['host' => '10.0.0.1', 'port' => 8899]));
t('put 2', fn() => shm_put_var($shm, 2, 'neighbour'));
t('get 1', fn() => shm_get_var($shm, 1)['port']);
t('has 1', fn() => shm_has_var($shm, 1));
t('get missing', fn() => shm_get_var($shm, 42));
t('has missing', fn() => shm_has_var($shm, 42));
t('remove missing', fn() => shm_remove_var($shm, 42));
t('put too big', fn() => shm_put_var($shm, 1, str_repeat('x', 1 << 20)));
t('old value still there', fn() => shm_get_var($shm, 1)['host']);
t('string key', fn() => shm_put_var($shm, 'one', 1));
t('closure', fn() => shm_put_var($shm, 3, fn() => 1));
t('remove_var 2', fn() => shm_remove_var($shm, 2));
$again = shm_attach($key, 100000, 0666);
t('second object sees 1', fn() => shm_get_var($again, 1)['host']);
t('detach', fn() => shm_detach($again));
foreach (['shm_put_var' => fn() => shm_put_var($again, 1, 1), 'shm_get_var' => fn() => shm_get_var($again, 1),
          'shm_has_var' => fn() => shm_has_var($again, 1), 'shm_remove_var' => fn() => shm_remove_var($again, 1),
          'shm_remove' => fn() => shm_remove($again), 'shm_detach' => fn() => shm_detach($again)] as $label => $f) {
    t("$label after detach", $f);
}
t('first object still works', fn() => shm_get_var($shm, 1)['port']);
CHILD;
$key = test_key(__FILE__);
echo compat_run($child, [$key]);
// What the child wrote is an ordinary SafeShm store: this process (with ext/sysvshm loaded) reads it.
$s = new SafeShm($key);
var_dump($s->get(1), $s->has(2), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
key out of range: ValueError: shm_attach(): Argument #1 ($key) is out of range
size 0: ValueError: shm_attach(): Argument #2 ($size) must be greater than 0

Warning: shm_attach(): Failed for key 0x0: IPC_PRIVATE segments are not supported in Standard input code on line %d
key 0: returned false
wrong type: TypeError: shm_attach(): Argument #1 ($key) must be of type int, string given
attached: SysvSharedMemory
put 1: returned true
put 2: returned true
get 1: returned 8899
has 1: returned true

Warning: shm_get_var(): Variable key 42 doesn't exist in Standard input code on line %d
get missing: returned false
has missing: returned false

Warning: shm_remove_var(): Variable key 42 doesn't exist in Standard input code on line %d
remove missing: returned false

Warning: shm_put_var(): Not enough shared memory left in Standard input code on line %d
put too big: returned false
old value still there: returned '10.0.0.1'
string key: TypeError: shm_put_var(): Argument #2 ($key) must be of type int, string given
closure: Exception: Serialization of 'Closure' is not allowed
remove_var 2: returned true
second object sees 1: returned '10.0.0.1'
detach: returned true
shm_put_var after detach: Error: Shared memory block has already been destroyed
shm_get_var after detach: Error: Shared memory block has already been destroyed
shm_has_var after detach: Error: Shared memory block has already been destroyed
shm_remove_var after detach: Error: Shared memory block has already been destroyed
shm_remove after detach: Error: Shared memory block has already been destroyed
shm_detach after detach: Error: Shared memory block has already been destroyed
first object still works: returned 8899
array(2) {
  ["host"]=>
  string(8) "10.0.0.1"
  ["port"]=>
  int(8899)
}
bool(false)
bool(true)
