--TEST--
SafeShm::__construct(): size 0 uses safeshm.default_size, which defaults to 1 MiB
--EXTENSIONS--
safeshm
--FILE--
<?php
$key = ftok(__FILE__, 'a');
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
try { (new SafeShm(ftok(__DIR__ . '/ctor_size_default_ini.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECT--
int(1048576)
int(1048576)
system size: 1048576
int(1048576)
