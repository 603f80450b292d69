--TEST--
SafeShm::__construct(): the largest key_t value 0x7fffffff is a valid key
--EXTENSIONS--
safeshm
--FILE--
<?php
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
try { (new SafeShm(0x7fffffff))->remove(); } catch (Throwable) {}
?>
--EXPECT--
string(1) "v"
bool(true)
