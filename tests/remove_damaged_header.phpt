--TEST--
remove() and safeshm_remove() of a store whose header is damaged: they work (removal needs no valid header), for an object attached before the damage and for a new one; every other call throws SafeShmCorruptException naming remove()
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box: the header's u64 segment size is at offset 8 (shm_store.h); a wrong value fails validation.
$key = test_key(__FILE__, 0);
$damage = function () use ($key): void {
    $raw = shmop_open($key, 'w', 0, 0);
    shmop_write($raw, pack('P', 1 << 40), 8);
};
function attempt(string $label, callable $f): void
{
    try {
        $r = $f();
        echo "$label: ", var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', preg_replace('/0x[0-9a-f]{8}/', 'KEY', $e->getMessage()), "\n";
    }
}
function segment_exists(int $key): bool
{
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
        if (preg_split('/\s+/', trim($line))[0] === (string) $key) return true;
    }
    return false;
}

echo "-- an object attached before the damage\n";
$s = new SafeShm($key, 65536);
$s->put('k', 'v');
$damage();
attempt('clear', fn() => $s->clear());
attempt('put', fn() => $s->put('k', 'w'));
attempt('remove', fn() => $s->remove());
echo 'segment gone: ', var_export(!segment_exists($key), true), "\n";
attempt('call after remove', fn() => $s->get('k'));
$fresh = new SafeShm($key, 65536);
attempt('a new store under the key', fn() => [$fresh->has('k'), $fresh->verify()]);
$fresh->remove();

echo "-- a new object for a damaged store\n";
$s = new SafeShm($key, 65536);
$s->put('k', 'v');
$damage();
$t = new SafeShm($key);
attempt('get', fn() => $t->get('k'));
attempt('info', fn() => $t->info());
attempt('remove', fn() => $t->remove());
echo 'segment gone: ', var_export(!segment_exists($key), true), "\n";
attempt('the object attached before', fn() => $s->get('k'));
unset($s, $t);

echo "-- a new object in another process\n";
$s = new SafeShm($key, 65536);
$damage();
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
echo shell_exec($php . ' ' . getenv('TEST_PHP_EXTRA_ARGS') . ' -r ' . escapeshellarg(
    '$t = new SafeShm(' . $key . '); try { $t->count(); } catch (SafeShmCorruptException $e) { echo "count: corrupt, "; } $t->remove(); echo "removed";') . ' 2>&1'), "\n";
echo 'segment gone: ', var_export(!segment_exists($key), true), "\n";
unset($s);

echo "-- safeshm_remove() of a handle attached before the damage\n";
$h = safeshm_attach($key, 65536);
safeshm_put_var($h, 1, 'v');
$damage();
attempt('safeshm_put_var', fn() => safeshm_put_var($h, 1, 'w'));
attempt('safeshm_remove', fn() => safeshm_remove($h));
echo 'segment gone: ', var_export(!segment_exists($key), true), "\n";
safeshm_detach($h);
attempt('safeshm_attach afterwards', fn() => safeshm_has_var(safeshm_attach($key, 65536), 1));
safeshm_remove(safeshm_attach($key));
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__DIR__ . '/remove_damaged_header.php', 0);
try { (new SafeShm($key))->remove(); } catch (Throwable) {
    $id = @shmop_open($key, 'w', 0, 0);
    if ($id) shmop_delete($id);
}
test_clean(__FILE__);
?>
--EXPECT--
-- an object attached before the damage
clear: SafeShmCorruptException: SafeShm segment KEY: segment is corrupted (remove() discards it; a new SafeShm object then creates a fresh store)
put: SafeShmCorruptException: SafeShm segment KEY: segment is corrupted (remove() discards it; a new SafeShm object then creates a fresh store)
remove: NULL
segment gone: true
call after remove: SafeShmException: SafeShm segment KEY has been removed; create a new SafeShm object
a new store under the key: array (
  0 => false,
  1 => true,
)
-- a new object for a damaged store
get: SafeShmCorruptException: SafeShm segment KEY: its header is damaged, so the store cannot be used; remove() discards it (a new SafeShm object then creates a fresh store)
info: SafeShmCorruptException: SafeShm segment KEY: its header is damaged, so the store cannot be used; remove() discards it (a new SafeShm object then creates a fresh store)
remove: NULL
segment gone: true
the object attached before: SafeShmException: SafeShm segment KEY has been removed; create a new SafeShm object
-- a new object in another process
count: corrupt, removed
segment gone: true
-- safeshm_remove() of a handle attached before the damage
safeshm_put_var: SafeShmCorruptException: SafeShm segment KEY: segment is corrupted (remove() discards it; a new SafeShm object then creates a fresh store)
safeshm_remove: true
segment gone: true
safeshm_attach afterwards: false
