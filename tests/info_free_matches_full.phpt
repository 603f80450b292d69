--TEST--
SafeShm::info(): 'free' is what a new entry can still use: once a new entry no longer fits, free is below its record size, whether the index or the arena ran out
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
// A record is 40 bytes of header + value + key, rounded up to 8: an int with a 6-byte key is 56 bytes,
// a 1000-byte string with it 1048.
foreach ([[8192, 0, 56], [65536, 0, 56], [8192, 1000, 1048]] as [$size, $len, $record]) {
    $s = new SafeShm($key, $size);
    $i = 0;
    try {
        while (true) {
            $s->put(sprintf('s%05d', $i), $len ? str_repeat('x', $len) : $i);
            $i++;
        }
    } catch (SafeShmFullException $e) {
    }
    $info = $s->info();
    echo "$size, ", $len ? "$len-byte strings" : 'ints', ": stored $i, then full: free $info[free] (below $record: ",
        var_export($info['free'] < $record, true), "), used $info[used] of $info[arena_size], entries $info[entries] of $info[max_entries]\n";
    $s->remove();
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
8192, ints: stored 48, then full: free 0 (below 56: true), used 2688 of 7168, entries 48 of 48
65536, ints: stored 384, then full: free 0 (below 56: true), used 21504 of 60928, entries 384 of 384
8192, 1000-byte strings: stored 6, then full: free 880 (below 1048: true), used 6288 of 7168, entries 6 of 48
