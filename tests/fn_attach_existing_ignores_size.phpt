--TEST--
safeshm_attach(): attaching an existing segment ignores $size and $permissions, in this process and in a fresh one
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
function segment(int $key): ?string {
    foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[0] === (string) $key) return "mode $f[2] size $f[3]";
    }
    return null;
}
$key = test_key(__FILE__);
$a = safeshm_attach($key, 8192, 0600);
var_dump(safeshm_put_var($a, 1, 'kept'));
echo segment($key), "\n";
foreach ([[100000, 0644], [1, 0666], [null, 0400], [4096, 0]] as [$size, $perm]) {
    $b = safeshm_attach($key, $size, $perm);
    echo 'again (', var_export($size, true), sprintf(', 0%o): ', $perm), segment($key), ', info size ', $b->info()['size'],
        ', var 1 = ', safeshm_get_var($b, 1), "\n";
}
// A process that has nothing cached asks the system.
$code = '$s = safeshm_attach(' . $key . ', 1000000, 0644); echo $s->info()["size"], " ", safeshm_get_var($s, 1);';
echo 'fresh process: ', shell_exec(test_php() . ' -r ' . escapeshellarg($code) . ' 2>&1'), "\n";
echo segment($key), "\n";
safeshm_remove($a);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
mode 600 size 22176
again (100000, 0644): mode 600 size 22176, info size 22176, var 1 = kept
again (1, 0666): mode 600 size 22176, info size 22176, var 1 = kept
again (NULL, 0400): mode 600 size 22176, info size 22176, var 1 = kept
again (4096, 00): mode 600 size 22176, info size 22176, var 1 = kept
fresh process: 22176 kept
mode 600 size 22176
