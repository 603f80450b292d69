--TEST--
SafeShm::__construct(): a string key names a segment shared by every object and process that uses the name
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$name = test_name(__FILE__);
$a = new SafeShm($name, 8192);
$b = new SafeShm($name);
$a->put('k', 'via a');
var_dump($b->get('k'));
$b->put('k2', 'via b');
var_dump($a->get('k2'));

// Another name is another store.
$other = new SafeShm($name . '-other', 8192);
var_dump($other->has('k'), count($other));

$pid = pcntl_fork();
if ($pid === 0) {
    $c = new SafeShm($name);
    $c->put('child', $c->get('k') . ' seen by child');
    exit(0);
}
pcntl_waitpid($pid, $status);
var_dump(pcntl_wexitstatus($status));
var_dump($a->get('child'));
var_dump($other->has('child'));
$other->remove();
$a->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(5) "via a"
string(5) "via b"
bool(false)
int(0)
int(0)
string(19) "via a seen by child"
bool(false)
