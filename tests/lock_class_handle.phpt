--TEST--
SafeShmLock is a final handle: not constructible, serializable, unserializable or clonable, no dynamic properties
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 1 << 20);
$l = $s->lock('h');
$r = new ReflectionClass(SafeShmLock::class);
var_dump($r->isFinal(), $r->getProperties());
$attempts = [
    'new' => fn() => new SafeShmLock(),
    'newInstanceWithoutConstructor' => fn() => $r->newInstanceWithoutConstructor(),
    'serialize' => fn() => serialize($l),
    'unserialize' => fn() => unserialize('O:11:"SafeShmLock":0:{}'),
    'clone' => fn() => clone $l,
    'dynamic property' => function () use ($l) { $l->owner = 'me'; },
];
foreach ($attempts as $what => $f) {
    try {
        $f();
        echo "$what: allowed\n";
    } catch (Throwable $e) {
        echo "$what: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
// none of that touched the hold
var_dump($l->isHeld(), $s->lock('h'), count($s->locks()));
var_dump($l->release());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
array(0) {
}
new: Error: Cannot directly construct SafeShmLock, use SafeShm::lock() instead
newInstanceWithoutConstructor: ReflectionException: Class SafeShmLock is an internal class marked as final that cannot be instantiated without invoking its constructor
serialize: Exception: Serialization of 'SafeShmLock' is not allowed
unserialize: Exception: Unserialization of 'SafeShmLock' is not allowed
clone: Error: Trying to clone an uncloneable object of class SafeShmLock
dynamic property: Error: Cannot create dynamic property SafeShmLock::$owner
bool(true)
NULL
int(1)
bool(true)
