--TEST--
SafeShm: a record with a corrupt header is reported as SafeShmCorruptException by get/keys/verify, never a crash or a hang
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box: a record is a 40-byte header (magic u8, type u8, flags u16, total u32, key_len u32, val_len u32,
// hash u64, expires u64, version u64) followed by the value (shm_store.h). We find the value by its bytes.
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('before', str_repeat('A', 64));
$marker = 'MARKER-' . str_repeat('m', 57);
$s->put('k', $marker);
$s->put('after', str_repeat('Z', 64));
$raw = shmop_open($key, 'w', 0, 0);
$all = shmop_read($raw, 0, 65536);
$pos = strpos($all, $marker);
var_dump($pos !== false && strpos($all, $marker, $pos + 1) === false);
$rec = $pos - 40;
$orig = substr($all, $rec, 40);
var_dump(ord($orig[0]) === 0x52, unpack('V', $orig, 12)[1] === strlen($marker));
$variants = [
    'whole header 0xff' => [0, str_repeat("\xff", 40)],
    'bad magic' => [0, "\x00"],
    'bad type' => [1, "\xee"],
    'val_len past the segment' => [12, pack('V', 0x7FFFFFF0)],
    'key_len past the segment' => [8, pack('V', 0xFFFFFFFF)],
    'total zero' => [4, pack('V', 0)],
    'total past the segment' => [4, pack('V', 0x7FFFFFF8)],
];
foreach ($variants as $label => [$off, $bytes]) {
    shmop_write($raw, $bytes, $rec + $off);
    $results = [];
    foreach (['get' => fn() => $s->get('k'), 'new get' => fn() => (new SafeShm($key))->get('k'),
              'keys' => fn() => $s->keys(), 'verify' => fn() => $s->verify()] as $op => $f) {
        try {
            $r = $f();
            $results[] = "$op=" . ($r === $marker ? 'intact' : 'returned ' . substr(json_encode($r, JSON_INVALID_UTF8_SUBSTITUTE), 0, 40));
        } catch (SafeShmCorruptException $e) {
            $results[] = "$op=corrupt";
        } catch (SafeShmException $e) {
            $results[] = "$op=" . get_class($e);
        }
    }
    // Other keys are not affected by one bad record when looked up directly.
    try {
        $results[] = 'other=' . ($s->get('before') === str_repeat('A', 64) ? 'intact' : 'WRONG');
    } catch (SafeShmCorruptException $e) {
        $results[] = 'other=corrupt';
    }
    echo "$label: ", implode(' ', $results), "\n";
    shmop_write($raw, $orig, $rec);
}
var_dump($s->get('k') === $marker, $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
whole header 0xff: get=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
bad magic: get=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
bad type: get=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
val_len past the segment: get=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
key_len past the segment: get=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
total zero: get=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
total past the segment: get=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
bool(true)
bool(true)
