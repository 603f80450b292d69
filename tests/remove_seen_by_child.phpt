--TEST--
SafeShm::remove(): a forked process's existing objects throw SafeShmException ("removed") on their next call
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('k', 'shared');
[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    $own = new SafeShm($key);      // attached in the child
    $inherited = $s;              // attached before the fork
    fwrite($childEnd, 'ready ' . $own->get('k') . ' ' . $inherited->get('k') . "\n");
    fgets($childEnd);             // wait until the parent has removed the store
    $report = [];
    foreach (['own get' => fn() => $own->get('k'), 'own put' => fn() => $own->put('k', 'orphan'),
              'inherited put' => fn() => $inherited->put('x', 1), 'inherited get' => fn() => $inherited->get('k'),
              'new object' => fn() => (new SafeShm($key))->get('k', 'fresh store')] as $label => $f) {
        try {
            $report[] = "$label: returned " . json_encode($f());
        } catch (SafeShmException $e) {
            $report[] = "$label: " . get_class($e) . (str_contains(strtolower($e->getMessage()), 'removed') ? ' (removed)' : ': ' . $e->getMessage());
        }
    }
    fwrite($childEnd, implode("\n", $report) . "\n");
    fclose($childEnd);
    exit(0);
}
fclose($childEnd);
echo fgets($parentEnd);
$s->remove();
fwrite($parentEnd, "go\n");
echo stream_get_contents($parentEnd);
pcntl_waitpid($pid, $status);
var_dump(pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0);
// The child's "new object" created a fresh store; nothing the stale objects tried reached it.
$n = new SafeShm($key);
var_dump(count($n), $n->has('k'), $n->has('x'));
$n->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
ready shared shared
own get: SafeShmException (removed)
own put: SafeShmException (removed)
inherited put: SafeShmException (removed)
inherited get: SafeShmException (removed)
new object: returned "fresh store"
bool(true)
int(0)
bool(false)
bool(false)
