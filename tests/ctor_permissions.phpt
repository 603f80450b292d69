--TEST--
SafeShm::__construct(): $permissions sets the mode of a created segment (default 0600)
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
function mode(int $key): string {
    foreach (file('/proc/sysvipc/shm') as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[0] === (string) $key) return $f[2];
    }
    return 'none';
}
$s = new SafeShm($key, 8192);
echo 'default: ', mode($key), "\n";
$s->remove();
$s = new SafeShm($key, 8192, 0640);
echo '0640: ', mode($key), "\n";
// Attaching with other permissions does not change an existing segment.
$t = new SafeShm($key, 8192, 0666);
echo 'reattach 0666: ', mode($key), "\n";
$s->remove();
echo 'after remove: ', mode($key), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
default: 600
0640: 640
reattach 0666: 640
after remove: none
