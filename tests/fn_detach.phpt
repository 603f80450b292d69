--TEST--
safeshm_detach(): true; afterwards every function and method on that object throws Error "Shared memory block has already been destroyed", other objects keep working
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$shm = safeshm_attach($key, 8192, 0600);
$other = safeshm_attach($key);
$obj = new SafeShm($key);
safeshm_put_var($shm, 1, 'value');
var_dump(safeshm_detach($shm));
$calls = [
    'safeshm_detach' => fn() => safeshm_detach($shm),
    'safeshm_remove' => fn() => safeshm_remove($shm),
    'safeshm_put_var' => fn() => safeshm_put_var($shm, 1, 'x'),
    'safeshm_get_var' => fn() => safeshm_get_var($shm, 1),
    'safeshm_has_var' => fn() => safeshm_has_var($shm, 1),
    'safeshm_remove_var' => fn() => safeshm_remove_var($shm, 1),
    'put' => fn() => $shm->put(1, 'x'),
    'get' => fn() => $shm->get(1),
    'has' => fn() => $shm->has(1),
    'delete' => fn() => $shm->delete(1),
    'add' => fn() => $shm->add(2, 'x'),
    'increment' => fn() => $shm->increment('n'),
    'count' => fn() => count($shm),
    'keys' => fn() => $shm->keys(),
    'clear' => fn() => $shm->clear(),
    'info' => fn() => $shm->info(),
    'verify' => fn() => $shm->verify(),
    'remove' => fn() => $shm->remove(),
    'importSysvshm' => fn() => $shm->importSysvshm(12345),
];
foreach ($calls as $label => $f) {
    try {
        $r = $f();
        echo "$label: returned ", var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
// The store and the other objects for it are untouched.
var_dump(safeshm_get_var($other, 1), $obj->get(1), safeshm_put_var($other, 2, 'still'), $obj->get(2));
var_dump(safeshm_detach($other));
var_dump($obj->get(2));
safeshm_remove(safeshm_attach($key));
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
safeshm_detach: Error: Shared memory block has already been destroyed
safeshm_remove: Error: Shared memory block has already been destroyed
safeshm_put_var: Error: Shared memory block has already been destroyed
safeshm_get_var: Error: Shared memory block has already been destroyed
safeshm_has_var: Error: Shared memory block has already been destroyed
safeshm_remove_var: Error: Shared memory block has already been destroyed
put: Error: Shared memory block has already been destroyed
get: Error: Shared memory block has already been destroyed
has: Error: Shared memory block has already been destroyed
delete: Error: Shared memory block has already been destroyed
add: Error: Shared memory block has already been destroyed
increment: Error: Shared memory block has already been destroyed
count: Error: Shared memory block has already been destroyed
keys: Error: Shared memory block has already been destroyed
clear: Error: Shared memory block has already been destroyed
info: Error: Shared memory block has already been destroyed
verify: Error: Shared memory block has already been destroyed
remove: Error: Shared memory block has already been destroyed
importSysvshm: Error: Shared memory block has already been destroyed
string(5) "value"
string(5) "value"
bool(true)
string(5) "still"
bool(true)
string(5) "still"
