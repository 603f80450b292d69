--TEST--
safeshm_remove(): true; the objects of this process stay usable until detached, a new attach gets a fresh store, and detaching releases segment and semaphore
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
function shmids(): array {
    $ids = [];
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) $ids[] = preg_split('/\s+/', trim($line))[1];
    return $ids;
}
function shmid_of(int $key): ?string {
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[0] === (string) $key) return $f[1];
    }
    return null;
}
/** The store's semaphores: SafeShm makes one, under the key it derives from the segment key (test_sem_key()). */
function sems(int $key): int {
    return (int) isset(test_ipc_list('sem')[test_sem_key($key)]);
}
$key = test_key(__FILE__);
$a = safeshm_attach($key, 8192, 0621);
$b = safeshm_attach($key);
$obj = new SafeShm($key);
safeshm_put_var($a, 1, 'old');
$oldId = shmid_of($key);
echo 'semaphores: ', sems($key), "\n";
var_dump(safeshm_remove($a));
echo 'key still names a segment: ', var_export(shmid_of($key) !== null, true), "\n";
// Usable until detached, by every object of this process, and they still share one store.
var_dump(safeshm_put_var($a, 2, 'after remove'), safeshm_get_var($b, 2), $obj->get(1));
$obj->put(3, 'via method');
var_dump(safeshm_get_var($a, 3), safeshm_remove_var($b, 3), safeshm_has_var($a, 3));
// A new attach creates a fresh, empty store under the key; the removed one is not reachable through it.
$new = safeshm_attach($key, 8192, 0621);
var_dump(count($new), safeshm_has_var($new, 1));
safeshm_put_var($new, 1, 'new');
var_dump(safeshm_get_var($a, 1), safeshm_get_var($new, 1));
// Detaching the last object of the removed store frees its segment; the semaphore is kept while the new store uses it.
var_dump(safeshm_detach($a), safeshm_detach($b));
unset($obj);
echo 'removed segment still in the system: ', var_export(in_array($oldId, shmids(), true), true), "\n";
echo 'semaphores: ', sems($key), "\n";
var_dump(safeshm_get_var($new, 1));
var_dump(safeshm_remove($new), safeshm_detach($new));
echo 'key still names a segment: ', var_export(shmid_of($key) !== null, true), ', semaphores: ', sems($key), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
semaphores: 1
bool(true)
key still names a segment: false
bool(true)
string(12) "after remove"
string(3) "old"
string(10) "via method"
bool(true)
bool(false)
int(0)
bool(false)
string(3) "old"
string(3) "new"
bool(true)
bool(true)
removed segment still in the system: false
semaphores: 1
string(3) "new"
bool(true)
bool(true)
key still names a segment: false, semaphores: 0
