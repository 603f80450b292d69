--TEST--
safeshm_remove(): another process's objects for the removed store throw SafeShmException ("removed"); its new attach gets a fresh store
--EXTENSIONS--
safeshm
pcntl
--INI--
safeshm.lock_timeout=2
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$shm = safeshm_attach($key, 8192, 0600);
safeshm_put_var($shm, 1, 'shared');
[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    $own = safeshm_attach($key);          // attached in the child
    $obj = new SafeShm($key);
    fwrite($childEnd, 'child reads ' . safeshm_get_var($own, 1) . "\n");
    fgets($childEnd);                     // the parent has called safeshm_remove()
    $report = [];
    foreach (['safeshm_put_var' => fn() => safeshm_put_var($own, 2, 'orphan'),
              'safeshm_remove_var' => fn() => safeshm_remove_var($own, 1),
              'safeshm_get_var after that' => fn() => safeshm_get_var($own, 1),
              'safeshm_has_var after that' => fn() => safeshm_has_var($own, 1),
              'method put' => fn() => $obj->put(3, 'orphan'),
              'new attach' => fn() => count(safeshm_attach($key)) . ' entries'] as $label => $f) {
        try {
            $report[] = "$label: returned " . var_export($f(), true);
        } catch (SafeShmException $e) {
            $report[] = "$label: " . get_class($e) . (str_contains($e->getMessage(), 'removed') ? ' (removed)' : ': ' . $e->getMessage());
        }
    }
    fwrite($childEnd, implode("\n", $report) . "\n");
    exit(0);
}
fclose($childEnd);
echo fgets($parentEnd);
var_dump(safeshm_remove($shm));
fwrite($parentEnd, "removed\n");
echo stream_get_contents($parentEnd);
pcntl_waitpid($pid, $status);
var_dump(pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0);
// The remover's object kept its data; the child's writes reached neither store.
var_dump(safeshm_get_var($shm, 1), safeshm_has_var($shm, 2), safeshm_has_var($shm, 3));
safeshm_detach($shm);
$fresh = new SafeShm($key);
var_dump(count($fresh));
$fresh->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
child reads shared
bool(true)
safeshm_put_var: SafeShmException (removed)
safeshm_remove_var: SafeShmException (removed)
safeshm_get_var after that: SafeShmException (removed)
safeshm_has_var after that: SafeShmException (removed)
method put: SafeShmException (removed)
new attach: returned '0 entries'
bool(true)
string(6) "shared"
bool(false)
bool(false)
int(0)
