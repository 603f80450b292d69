--TEST--
SafeShm::__construct(): size 0 uses safeshm.default_size, which defaults to 1 MiB
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
var_dump(ini_parse_quantity(ini_get('safeshm.default_size')));
$s = new SafeShm($key);
var_dump($s->info()['size']);
foreach (file('/proc/sysvipc/shm') as $line) {
    $f = preg_split('/\s+/', trim($line));
    if ($f[0] === (string) $key) echo "system size: $f[3]\n";
}
$s->remove();
$s = new SafeShm($key, 0);
var_dump($s->info()['size']);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int(1048576)
int(1048576)
system size: 1048576
int(1048576)
