--TEST--
safeshm_attach(): with safeshm.init_mem set in php.ini, a null size creates a segment of that size
--EXTENSIONS--
safeshm
--INI--
safeshm.init_mem=32768
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
function segment_size(int $key): ?int {
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[0] === (string) $key) return (int) $f[3];
    }
    return null;
}
$key = test_key(__FILE__);
$s = safeshm_attach($key, null, 0600);
var_dump(segment_size($key), $s->info()['size']);
var_dump(safeshm_put_var($s, 1, str_repeat('x', 20000)), strlen(safeshm_get_var($s, 1)));
safeshm_remove($s);
safeshm_detach($s);
var_dump(segment_size($key));
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int(82272)
int(82272)
bool(true)
int(20000)
NULL
