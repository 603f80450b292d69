--TEST--
safeshm_attach(): a null size is ini safeshm.init_mem (10000 by default, as sysvshm.init_mem); the segment is sized to hold what ext/sysvshm holds in that many bytes
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
function segment(int $key): ?array {
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[0] === (string) $key) return ['mode' => $f[2], 'size' => (int) $f[3]];
    }
    return null;
}
var_dump(ini_get('safeshm.init_mem'));
$key = test_key(__FILE__);
foreach (['omitted' => [$key], 'null' => [$key, null], 'null, 0600' => [$key, null, 0600],
          '1' => [$key, 1], '100' => [$key, 100], '4095' => [$key, 4095], '4096' => [$key, 4096],
          '4097' => [$key, 4097], '65536' => [$key, 65536]] as $label => $args) {
    $s = safeshm_attach(...$args);
    $seg = segment($key);
    echo "$label: segment size {$seg['size']} mode {$seg['mode']}, info size {$s->info()['size']}\n";
    safeshm_remove($s);
    safeshm_detach($s);
}
// Runtime changes apply to the next attach (PHP_INI_ALL, like sysvshm.init_mem).
ini_set('safeshm.init_mem', '20000');
$s = safeshm_attach($key);
echo 'after ini_set: ', segment($key)['size'], "\n";
safeshm_remove($s);
safeshm_detach($s);
var_dump(segment($key));
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(5) "10000"
omitted: segment size 26616 mode 666, info size 26616
null: segment size 26616 mode 666, info size 26616
null, 0600: segment size 26616 mode 600, info size 26616
1: segment size 4096 mode 666, info size 4096
100: segment size 4096 mode 666, info size 4096
4095: segment size 12160 mode 666, info size 12160
4096: segment size 12160 mode 666, info size 12160
4097: segment size 12168 mode 666, info size 12168
65536: segment size 162384 mode 666, info size 162384
after ini_set: 51064
NULL
