--TEST--
SafeShm: an index slot whose record offset points outside the arena (past the segment, at its end, into the header or the index, inside a record) is SafeShmCorruptException for get/keys/verify, never a read outside the segment
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box (shm_store.h): header u32 nslots@20, u64 index_off[2]@24, u32 active@104; an index slot is a u32
// holding a record's offset / 8 (0 empty, 1 tombstone). A record is a 40-byte header, then value and key.
$key = test_key(__FILE__);
$size = 65536;
$s = new SafeShm($key, $size);
$s->put('before', str_repeat('A', 64));
$marker = 'MARKER-' . str_repeat('m', 57);
$s->put('k', $marker);
$s->put('after', str_repeat('Z', 64));
$raw = shmop_open($key, 'w', 0, 0);
$all = shmop_read($raw, 0, $size);
$rec = strpos($all, $marker) - 40;
$nslots = unpack('V', $all, 20)[1];
$index = unpack('P', $all, 24 + 8 * unpack('V', $all, 104)[1])[1];
$slots = array_values(unpack('V*', substr($all, $index, 4 * $nslots)));
$slot = array_search(intdiv($rec, 8), $slots, true);
var_dump($slot !== false, count(array_keys($slots, intdiv($rec, 8), true)));
$slotOff = $index + 4 * $slot;
$orig = substr($all, $slotOff, 4);
$variants = [
    'far past the segment' => 0xFFFFFFFF,
    'at the end of the segment' => intdiv($size, 8),
    'record header crossing the end' => intdiv($size - 16, 8),
    'inside the header' => 2,
    'inside the index' => intdiv($index, 8) + 4,
    'inside its own record' => intdiv($rec, 8) + 1,
];
foreach ($variants as $label => $value) {
    shmop_write($raw, pack('V', $value), $slotOff);
    $results = [];
    foreach (['get' => fn() => $s->get('k'), 'has' => fn() => $s->has('k'), 'new get' => fn() => (new SafeShm($key))->get('k'),
              'put' => fn() => $s->put('k', 'new'), 'keys' => fn() => $s->keys(), 'verify' => fn() => $s->verify()] as $op => $f) {
        try {
            $r = $f();
            $results[] = "$op=" . ($r === $marker ? 'intact' : 'returned ' . substr(json_encode($r, JSON_INVALID_UTF8_SUBSTITUTE), 0, 40));
        } catch (SafeShmCorruptException $e) {
            $results[] = "$op=corrupt";
        } catch (SafeShmException $e) {
            $results[] = "$op=" . get_class($e);
        }
    }
    echo "$label: ", implode(' ', $results), "\n";
    shmop_write($raw, $orig, $slotOff);
}
var_dump($s->get('k') === $marker, $s->get('before') === str_repeat('A', 64), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
int(1)
far past the segment: get=corrupt has=corrupt new get=corrupt put=corrupt keys=corrupt verify=corrupt
at the end of the segment: get=corrupt has=corrupt new get=corrupt put=corrupt keys=corrupt verify=corrupt
record header crossing the end: get=corrupt has=corrupt new get=corrupt put=corrupt keys=corrupt verify=corrupt
inside the header: get=corrupt has=corrupt new get=corrupt put=corrupt keys=corrupt verify=corrupt
inside the index: get=corrupt has=corrupt new get=corrupt put=corrupt keys=corrupt verify=corrupt
inside its own record: get=corrupt has=corrupt new get=corrupt put=corrupt keys=corrupt verify=corrupt
bool(true)
bool(true)
bool(true)
