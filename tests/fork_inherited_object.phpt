--TEST--
SafeShm: an object created before fork() keeps working in parent and child, both ways
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('from parent', 'before fork');
[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    $s->put('from child', 'written by child');
    fwrite($childEnd, 'child read: ' . $s->get('from parent') . "\n");
    fgets($childEnd);
    fwrite($childEnd, 'child read after parent wrote: ' . $s->get('from parent') . ', n=' . $s->increment('n') . "\n");
    fclose($childEnd);
    exit(0);   // the child's object is freed here: that must not affect the parent
}
fclose($childEnd);
echo fgets($parentEnd);
var_dump($s->get('from child'));
$s->put('from parent', 'after fork');
$s->increment('n');
fwrite($parentEnd, "go\n");
echo fgets($parentEnd);
pcntl_waitpid($pid, $status);
var_dump(pcntl_wexitstatus($status));
var_dump($s->get('n'), count($s), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
child read: before fork
string(16) "written by child"
child read after parent wrote: after fork, n=2
int(0)
int(2)
int(3)
bool(true)
