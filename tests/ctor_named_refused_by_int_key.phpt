--TEST--
SafeShm::__construct(): the name is recorded in the segment; opening a named store's IPC key without that name is refused
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$name = test_name(__FILE__);
// A size no other test uses, to find the segment this process created in /proc/sysvipc/shm.
$size = 12288 + 8;
$s = new SafeShm($name, $size);
$s->put('k', 'named data');
$found = [];
foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
    $f = preg_split('/\s+/', trim($line));
    if ($f[3] === (string) $size && $f[4] === (string) getmypid()) $found[] = (int) $f[0];
}
var_dump(count($found));
$key = $found[0];
echo 'named key in 0x40000000..0x7fffffff: ', $key >= 0x40000000 && $key <= 0x7fffffff ? 'yes' : sprintf('no (0x%08x)', $key), "\n";
// The mapping is fixed (every version and process must find the same segment for a name): FNV-1a 64 and a
// final mix, the low 30 bits, in 0x40000000..0x7fffffff.
echo 'key is the fixed hash of the name: ', var_export($key === test_name_key($name), true), ', info() key and name: ',
    var_export($s->info()['key'] === $key && $s->info()['name'] === $name, true), "\n";
try {
    $o = new SafeShm($key);
    echo 'opened by int key, sees: ', var_export($o->get('k'), true), "\n";
} catch (SafeShmException $e) {
    echo get_class($e), "\n";
}
var_dump($s->get('k'), (new SafeShm($name))->get('k'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int(1)
named key in 0x40000000..0x7fffffff: yes
key is the fixed hash of the name: true, info() key and name: true
SafeShmException
string(10) "named data"
string(10) "named data"
