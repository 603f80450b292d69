--TEST--
SafeShm::importSysvshm(): all or nothing. When the variables do not all fit (bytes of records and index), SafeShmFullException and the store is unchanged: no variable copied, no existing key overwritten
--EXTENSIONS--
safeshm
sysvshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$old = test_key(__FILE__, 0);
$new = test_key(__FILE__, 1);
$shm = shm_attach($old, 65536, 0600);
for ($k = 1; $k <= 10; $k++) shm_put_var($shm, $k, str_repeat(chr(64 + $k), 1000));

function state(SafeShm $s): string
{
    $out = [];
    foreach ($s->keys() as $k) $out[$k] = $s->get($k);
    ksort($out);
    return md5(serialize($out)) . ' (' . count($out) . ' keys)';
}
function attempt(SafeShm $s, int $key, string $label): void
{
    $before = state($s);
    try {
        $n = $s->importSysvshm($key);
        echo "$label: imported $n\n";
    } catch (SafeShmException $e) {
        echo "$label: ", get_class($e), "\n";
    }
    echo '  store unchanged: ', state($s) === $before ? 'yes' : 'NO', ', verify: ', var_export($s->verify(), true), "\n";
}

// Room for about 6 of the 10 values: before the fix, 6 were copied (key 3 overwritten) and then it threw.
$s = new SafeShm($new, 8192, 0600);
$s->put(3, 'mine');
$s->put('other', 'kept');
attempt($s, $old, 'arena too small');
var_dump($s->get(3), $s->has(1), $s->has(10));

// Three values that fit an empty store, but not beside what the store already holds.
$few = test_key(__FILE__, 4);
$f = shm_attach($few, 16384, 0600);
for ($k = 1; $k <= 3; $k++) shm_put_var($f, $k, str_repeat(chr(64 + $k), 1000));
$s->clear();
$s->put(3, 'mine');
$s->put('pad', str_repeat('x', 4000));
attempt($s, $few, 'existing data leaves too little room');
var_dump($s->get(3), $s->has(1));

// Many small variables: their records and the index they need (which grows inside the arena) exceed the store.
$many = test_key(__FILE__, 2);
$m = shm_attach($many, 65536, 0600);
for ($k = 1; $k <= 200; $k++) shm_put_var($m, $k, $k);
$s->clear();
$s->put('before', 1);
attempt($s, $many, 'many small variables');
echo 'entries: ', count($s), "\n";

// A store that can hold it all takes it all.
$big = new SafeShm(test_key(__FILE__, 3), 65536, 0600);
$big->put(3, 'mine');
attempt($big, $old, 'fits');
var_dump(strlen($big->get(3)), count($big));

shm_remove($shm);
shm_remove($m);
shm_remove($f);
$s->remove();
$big->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
foreach (['a', 'c', 'e'] as $p) {
    $id = @shmop_open(test_key(__DIR__ . '/import_all_or_nothing.php', ord($p) - 97), 'w', 0, 0);
    if ($id) shmop_delete($id);
}
foreach (['b', 'd'] as $p) {
    try { (new SafeShm(test_key(__DIR__ . '/import_all_or_nothing.php', ord($p) - 97)))->remove(); } catch (Throwable) {}
}
test_clean(__FILE__);
?>
--EXPECT--
arena too small: SafeShmFullException
  store unchanged: yes, verify: true
string(4) "mine"
bool(false)
bool(false)
existing data leaves too little room: SafeShmFullException
  store unchanged: yes, verify: true
string(4) "mine"
bool(false)
many small variables: SafeShmFullException
  store unchanged: yes, verify: true
entries: 1
fits: imported 10
  store unchanged: NO, verify: true
int(1000)
int(10)
