--TEST--
SafeShm is a final Countable class with the documented exception hierarchy
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$rc = new ReflectionClass('SafeShm');
var_dump($rc->isFinal(), $rc->isInternal(), $rc->implementsInterface('Countable'));
var_dump($rc->getProperties());
foreach (['SafeShmException', 'SafeShmFullException', 'SafeShmTimeoutException', 'SafeShmCorruptException'] as $c) {
    $chain = [];
    for ($p = $c; $p !== false; $p = get_parent_class($p)) {
        $chain[] = $p;
    }
    echo implode(' < ', $chain), (new ReflectionClass($c))->isFinal() ? ' (final)' : '', "\n";
}
try {
    $rc->newInstanceWithoutConstructor();
} catch (ReflectionException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
array(0) {
}
SafeShmException < RuntimeException < Exception
SafeShmFullException < SafeShmException < RuntimeException < Exception
SafeShmTimeoutException < SafeShmException < RuntimeException < Exception
SafeShmCorruptException < SafeShmException < RuntimeException < Exception
ReflectionException: Class SafeShm is an internal class marked as final that cannot be instantiated without invoking its constructor
