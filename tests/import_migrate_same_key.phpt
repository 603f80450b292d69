--TEST--
SafeShm::importSysvshm(): the documented same-key migration (copy to a temporary store, remove the sysvshm segment, create the store under the key, copy back) keeps every variable
--EXTENSIONS--
safeshm
sysvshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
// Before: an application on ext/sysvshm.
$shm = shm_attach($key, 20000, 0666);
shm_put_var($shm, 1, ['host' => '10.0.0.1', 'port' => 8899]);
shm_put_var($shm, 2, 'config');
shm_put_var($shm, 3, 42);
echo 'safeshm_attach before: ', var_export(@safeshm_attach($key), true), "\n";

// The procedure of docs/MIGRATING.md, with the application's size and permissions.
[$size, $perms] = [20000, 0666];
$tmp = new SafeShm('migrate-' . $key, 1 << 20);
printf("copied %d variables\n", $tmp->importSysvshm($key));
shmop_delete(shmop_open($key, 'w', 0, 0));                // the sysvshm segment (ipcrm -M does the same)
$store = safeshm_attach($key, $size, $perms);
foreach ($tmp->keys() as $k) $store->put($k, $tmp->get($k));
$tmp->remove();

// After: the application's shm_* calls (here safeshm_*) see the same variables under the same key.
$app = safeshm_attach($key);
var_dump(safeshm_get_var($app, 1), safeshm_get_var($app, 2), safeshm_get_var($app, 3), count($app));
foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
    $f = preg_split('/\s+/', trim($line));
    if ($f[0] === (string) $key) echo "segment under the key: mode $f[2] size $f[3]\n";
}
// An old process still attached keeps its (removed) segment until it detaches, as with any IPC_RMID.
var_dump(shm_get_var($shm, 2));
shm_detach($shm);
safeshm_remove($app);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
safeshm_attach before: false
copied 3 variables
array(2) {
  ["host"]=>
  string(8) "10.0.0.1"
  ["port"]=>
  int(8899)
}
string(6) "config"
int(42)
int(3)
segment under the key: mode 666 size 51064
string(6) "config"
