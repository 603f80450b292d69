--TEST--
Test hooks: writes land in the middle of a lock-free get() (after it found the record, before it copied it): the key deleted and written again with a shorter value in the same bytes; get() notices and reads again, and returns the new value, never a mix of the two
--EXTENSIONS--
safeshm
shmop
--INI--
safeshm.lock_timeout=2
--SKIPIF--
<?php require __DIR__ . '/_hooks.inc'; hooks_skipif(); ?>
--FILE--
<?php
require __DIR__ . '/_hooks.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$raw = shmop_open($key, 'a', 0, 0);
/** The offset of the value bytes of key $k's record (white-box: the index, then the record). */
function value_offset(string $k): ?int
{
    global $raw, $key;
    $seg = shmop_read($raw, 0, shmop_size($raw));
    foreach (test_index($seg)[1] as $slot) {
        if ($slot > 1) {
            $off = $slot * 8;
            $vlen = test_rec_get($seg, $off, 'val_len');
            if (substr($seg, $off + TEST_RECORD_HEADER + $vlen, test_rec_get($seg, $off, 'key_len')) === $k) {
                return $off + TEST_RECORD_HEADER;
            }
        }
    }
    return null;
}
$calls = 0;
$found = null;
function interleave(string $where): void
{
    global $s, $calls, $found, $raw;
    if ($calls++ > 0) {
        return;
    }
    $found = value_offset('k');
    $s->delete('k');
    $s->put('k', str_repeat('c', 900));
    // what get() would copy if it trusted what it found: 1000 bytes from where the old value was
    $bytes = shmop_read($raw, $found, 1000);
    echo "the old value's bytes now: ", $bytes === str_repeat('a', 1000) ? 'unchanged' : (str_starts_with($bytes, str_repeat('c', 900)) ? 'the new value, then other bytes' : 'other bytes'), "\n";
}
$s->put('k', str_repeat('a', 1000));
ini_set('safeshm.test_call_at', 'read:found');
ini_set('safeshm.test_call', 'interleave');
$v = $s->get('k');
ini_set('safeshm.test_call', '');
echo "get() looked ", $calls, " times, returned: ", match (true) {
    $v === str_repeat('c', 900) => 'the new value',
    $v === str_repeat('a', 1000) => 'the old value',
    default => 'TORN: ' . strlen($v) . ' bytes, ...' . addcslashes(substr($v, 895, 16), "\0..\37\177..\377") . '...',
}, "\n";
echo "the new value is where the old one was: ", var_export(value_offset('k') === $found, true), "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECT--
the old value's bytes now: the new value, then other bytes
get() looked 2 times, returned: the new value
the new value is where the old one was: true
