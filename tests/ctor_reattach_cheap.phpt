--TEST--
SafeShm::__construct(): attaching an existing store is cheap and does not pile up mappings
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('k', 'v');
function mappings(int $key): int {
    // SysV segments show up in /proc/self/maps as "/SYSV<key in hex>".
    $needle = sprintf('/SYSV%08x', $key);
    return substr_count(file_get_contents('/proc/self/maps'), $needle);
}
$n = 20000;
$bad = 0;
for ($i = 0; $i < $n; $i++) {
    $o = new SafeShm($key);
    if ($o->get('k') !== 'v') $bad++;
}
unset($o);
echo "bad=$bad\n";
// Cheap is shown by structure, not by a timing threshold: 20000 constructions, and 101 live objects, share one mapping.
$m = mappings($key);
echo 'mappings of the segment: ', $m, "\n";
$held = [];
for ($i = 0; $i < 100; $i++) $held[] = new SafeShm($key);
$m = mappings($key);
echo 'mappings with 101 live objects: ', $m, "\n";
unset($held);
$m = mappings($key);
echo 'mappings after freeing them: ', $m, "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bad=0
mappings of the segment: 1
mappings with 101 live objects: 1
mappings after freeing them: 1
