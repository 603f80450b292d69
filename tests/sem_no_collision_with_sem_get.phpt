--TEST--
SafeShm: its lock does not collide with an application's own sem_get() on the same integer key
--EXTENSIONS--
safeshm
sysvsem
--INI--
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
// The usual shm_put_var pattern: a semaphore on the same key, held while the application works.
$sem = sem_get($key, 1, 0600, false);
var_dump(sem_acquire($sem));
try {
    $s = new SafeShm($key, 65536);
    $s->put('k', 'v');
    var_dump($s->get('k'), $s->increment('n'), $s->add('a', 1), $s->delete('a'), $s->verify());
} catch (SafeShmException $e) {
    echo 'app semaphore first: ', get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(sem_release($sem));
// SafeShm's remove() must not take the application's semaphore with it.
$s->remove();
var_dump(sem_acquire($sem, true));
var_dump(sem_release($sem));
var_dump(sem_remove($sem));

// Other order: the store (and its lock) exists before the application's semaphore.
$s = new SafeShm($key, 65536);
$s->put('k', 'v2');
$sem = sem_get($key, 1, 0600, false);
var_dump($sem !== false);
var_dump(sem_acquire($sem, true));
try {
    $s->put('k', 'v3');
    var_dump($s->get('k'), $s->increment('n'));
} catch (SafeShmException $e) {
    echo 'store first: ', get_class($e), ': ', $e->getMessage(), "\n";
}
var_dump(sem_release($sem), sem_remove($sem));
var_dump($s->get('k'), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
string(1) "v"
int(1)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(2) "v3"
int(1)
bool(true)
bool(true)
string(2) "v3"
bool(true)
