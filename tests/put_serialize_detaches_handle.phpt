--TEST--
put()/add()/safeshm_put_var(): user code that detaches or removes the handle while the value is serialized (__serialize, __sleep, a destructor, an error handler) gets ext/sysvshm's Error, never a write through a freed handle
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// php-src GH-16591: ext/sysvshm throws "Shared memory block has been destroyed by the serialization
// function". Under valgrind (USE_ZEND_ALLOC=0) the cases after a safeshm_remove() were a use-after-free.
$key = test_key(__FILE__, 0);
$h = null; // the handle the user code detaches

class DetachInSerialize {
    public function __serialize(): array { global $h; safeshm_detach($h); return ['a' => 'b']; }
}
class DetachInSleep {
    public $p = 1;
    public function __sleep(): array { global $h; safeshm_detach($h); return ['p']; }
}
class DetachInDestructor {
    public function __destruct() { global $h; safeshm_detach($h); }
}
class ReturnsTemporary {
    // the array __serialize returns holds the only reference to an object whose destructor detaches
    public function __serialize(): array { return ['gone' => spl_object_id(new DetachInDestructor)]; }
}
class WarnsInSleep {
    public function __sleep(): array { return ['missing']; } // serialize() warns: the error handler detaches
}
class RemoveInSerialize {
    public function __serialize(): array { global $h; $h->remove(); return []; }
}

function attempt(string $label, callable $f): void
{
    try {
        $r = $f();
        echo "$label: returned ", var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}

$check = new SafeShm($key, 65536);
$check->put(1, 'old');

$cases = [
    '__serialize' => fn() => new DetachInSerialize,
    '__sleep' => fn() => new DetachInSleep,
    'destructor' => fn() => new ReturnsTemporary,
    'error handler' => fn() => new WarnsInSleep,
];
set_error_handler(function (int $no, string $msg) { global $h; safeshm_detach($h); echo "  (handler: $msg)\n"; return true; });
foreach ($cases as $label => $make) {
    $h = safeshm_attach($key);
    attempt("safeshm_put_var, $label", fn() => safeshm_put_var($h, 1, $make()));
    $h = new SafeShm($key);
    attempt("SafeShm::put, $label", fn() => $h->put(1, $make()));
    $h = new SafeShm($key);
    attempt("SafeShm::add, $label", fn() => $h->add(2, $make()));
}
restore_error_handler();

// After safeshm_remove() the attachment is no longer cached: detaching frees it at once.
$h = safeshm_attach($key);
var_dump(safeshm_remove($h));
attempt('after safeshm_remove, safeshm_put_var, __serialize', fn() => safeshm_put_var($h, 1, new DetachInSerialize));
$h = safeshm_attach($key, 65536);
var_dump(safeshm_remove($h));
attempt('after safeshm_remove, SafeShm::put via safeshm_detach', fn() => $h->put(1, new DetachInSerialize));

// The store itself removed by the serializer: the put refuses, nothing is written.
$h = new SafeShm($key, 65536);
$h->put(1, 'kept');
attempt('remove() in __serialize', fn() => $h->put(1, new RemoveInSerialize));

echo "first store still reads: ", var_export($check->get(1), true), ", has 2: ", var_export($check->has(2), true), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
try { (new SafeShm(test_key(__DIR__ . '/put_serialize_detaches_handle.php', 0)))->remove(); } catch (Throwable) {}
test_clean(__FILE__);
?>
--EXPECTF--
safeshm_put_var, __serialize: Error: Shared memory block has been destroyed by the serialization function
SafeShm::put, __serialize: Error: Shared memory block has been destroyed by the serialization function
SafeShm::add, __serialize: Error: Shared memory block has been destroyed by the serialization function
safeshm_put_var, __sleep: Error: Shared memory block has been destroyed by the serialization function
SafeShm::put, __sleep: Error: Shared memory block has been destroyed by the serialization function
SafeShm::add, __sleep: Error: Shared memory block has been destroyed by the serialization function
safeshm_put_var, destructor: Error: Shared memory block has been destroyed by the serialization function
SafeShm::put, destructor: Error: Shared memory block has been destroyed by the serialization function
SafeShm::add, destructor: Error: Shared memory block has been destroyed by the serialization function
  (handler: %s(): "missing" returned as member variable from __sleep() but does not exist)
safeshm_put_var, error handler: Error: Shared memory block has been destroyed by the serialization function
  (handler: %s(): "missing" returned as member variable from __sleep() but does not exist)
SafeShm::put, error handler: Error: Shared memory block has been destroyed by the serialization function
  (handler: %s(): "missing" returned as member variable from __sleep() but does not exist)
SafeShm::add, error handler: Error: Shared memory block has been destroyed by the serialization function
bool(true)
after safeshm_remove, safeshm_put_var, __serialize: Error: Shared memory block has been destroyed by the serialization function
bool(true)
after safeshm_remove, SafeShm::put via safeshm_detach: Error: Shared memory block has been destroyed by the serialization function
remove() in __serialize: SafeShmException: SafeShm segment 0x%x has been removed; create a new SafeShm object
first store still reads: 'old', has 2: false
