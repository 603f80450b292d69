--TEST--
SafeShm::__construct(): the largest key_t value 0x7fffffff is a valid key
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
test_boundary_keys_lock();
$s = new SafeShm(0x7fffffff, 8192);
$s->put('k', 'v');
var_dump((new SafeShm(0x7fffffff))->get('k'));
// The segment really lives under that SysV key.
$found = false;
foreach (file('/proc/sysvipc/shm') as $line) {
    $f = preg_split('/\s+/', trim($line));
    if ($f[0] === '2147483647') { $found = true; }
}
var_dump($found);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean_boundary(__FILE__);
?>
--EXPECT--
string(1) "v"
bool(true)
