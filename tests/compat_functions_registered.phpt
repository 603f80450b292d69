--TEST--
safeshm.sysvshm_compat=1 without ext/sysvshm: shm_* and a final, non-constructible, non-serializable, non-clonable SysvSharedMemory are SafeShm's
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
echo 'sysvshm loaded: ', var_export(extension_loaded('sysvshm'), true), ', compat ini: ', ini_get('safeshm.sysvshm_compat'), "\n";
foreach (['shm_attach', 'shm_detach', 'shm_remove', 'shm_put_var', 'shm_get_var', 'shm_has_var', 'shm_remove_var'] as $fn) {
    $rf = new ReflectionFunction($fn);
    $params = array_map(fn($p) => $p->getType() . ' $' . $p->getName() . ($p->isOptional() ? ' = ' . $p->getDefaultValueConstantName() . var_export($p->getDefaultValue(), true) : ''), $rf->getParameters());
    echo $rf->getExtensionName(), ': ', $fn, '(', implode(', ', $params), '): ', $rf->getReturnType(), "\n";
}
$rc = new ReflectionClass('SysvSharedMemory');
echo 'SysvSharedMemory: extension ', $rc->getExtensionName(), ', final ', var_export($rc->isFinal(), true),
    ', parent ', var_export($rc->getParentClass(), true), ', interfaces ', count($rc->getInterfaceNames()), "\n";
$key = (int) $argv[1];
t('new', fn() => new SysvSharedMemory());
t('newInstanceWithoutConstructor', fn() => $rc->newInstanceWithoutConstructor());
$shm = shm_attach($key, 8192, 0600);
echo 'shm_attach: ', get_class($shm), "\n";
t('serialize', fn() => serialize($shm));
t('unserialize', fn() => unserialize('O:16:"SysvSharedMemory":0:{}'));
t('clone', fn() => clone $shm);
t('dynamic property', function () use ($shm) { $shm->x = 1; });
t('compare with another object', fn() => $shm == shm_attach($key));
t('SafeShm method on it', fn() => $shm->get(1));
t('safeshm_put_var on it', fn() => safeshm_put_var($shm, 1, 'x'));
t('shm_put_var on a SafeShm', fn() => shm_put_var(new SafeShm($key), 1, 'x'));
ob_start();
phpinfo(INFO_MODULES);
preg_match('/^sysvshm compatibility \(shm_\* functions\) => (.*)$/m', ob_get_clean(), $m);
echo 'phpinfo: ', $m[1] ?? 'no row', "\n";
shm_remove($shm);
CHILD;
$key = test_key(__FILE__);
echo compat_run($child, [$key]);
// With the ini Off (the default), nothing is registered.
echo compat_run('<?php var_dump(function_exists("shm_attach"), class_exists("SysvSharedMemory"), ini_get("safeshm.sysvshm_compat"));',
    [], [], ['safeshm.sysvshm_compat' => '0']);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
sysvshm loaded: false, compat ini: 1
safeshm: shm_attach(int $key, ?int $size = NULL, int $permissions = 438): SysvSharedMemory|false
safeshm: shm_detach(SysvSharedMemory $shm): bool
safeshm: shm_remove(SysvSharedMemory $shm): bool
safeshm: shm_put_var(SysvSharedMemory $shm, int $key, mixed $value): bool
safeshm: shm_get_var(SysvSharedMemory $shm, int $key): mixed
safeshm: shm_has_var(SysvSharedMemory $shm, int $key): bool
safeshm: shm_remove_var(SysvSharedMemory $shm, int $key): bool
SysvSharedMemory: extension safeshm, final true, parent false, interfaces 0
new: Error: Cannot directly construct SysvSharedMemory, use shm_attach() instead
newInstanceWithoutConstructor: ReflectionException: Class SysvSharedMemory is an internal class marked as final that cannot be instantiated without invoking its constructor
shm_attach: SysvSharedMemory
serialize: Exception: Serialization of 'SysvSharedMemory' is not allowed
unserialize: Exception: Unserialization of 'SysvSharedMemory' is not allowed
clone: Error: Trying to clone an uncloneable object of class SysvSharedMemory
dynamic property: Error: Cannot create dynamic property SysvSharedMemory::$x
compare with another object: returned false
SafeShm method on it: Error: Call to undefined method SysvSharedMemory::get()
safeshm_put_var on it: TypeError: safeshm_put_var(): Argument #1 ($shm) must be of type SafeShm, SysvSharedMemory given
shm_put_var on a SafeShm: TypeError: shm_put_var(): Argument #1 ($shm) must be of type SysvSharedMemory, SafeShm given
phpinfo: enabled: shm_* and SysvSharedMemory are served by SafeShm
bool(false)
bool(false)
string(1) "0"
