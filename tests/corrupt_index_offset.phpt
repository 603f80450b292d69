--TEST--
SafeShm: an index slot whose record offset points outside the arena (past the segment, at its end, into the header or the index, inside a record, at a free block), or an index descriptor naming no index block, is SafeShmCorruptException for get/keys/verify, never a read outside the segment nor a write through it
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box (tests/_ipc.inc, from shm_store.h): header.index_desc names the index block ((offset / 8) << 32 | slots);
// after its 16-byte header, an index slot is a u32 holding a record's offset / 8 (0 empty, 1 tombstone). A record
// is a 48-byte header, then the value, then the key.
$key = test_key(__FILE__);
$size = 65536;
$s = new SafeShm($key, $size);
$s->put('before', str_repeat('A', 64));
$marker = 'MARKER-' . str_repeat('m', 57);
$s->put('k', $marker);
$s->put('after', str_repeat('Z', 64));
$raw = shmop_open($key, 'w', 0, 0);
$all = shmop_read($raw, 0, $size);
$rec = strpos($all, $marker) - TEST_RECORD_HEADER;
[$index, $slots] = test_index($all);
$free = array_values(array_filter(test_blocks($all), fn($b) => $b[2] === 'F'))[0][0];
$slot = array_search(intdiv($rec, 8), $slots, true);
var_dump($slot !== false, count(array_keys($slots, intdiv($rec, 8), true)));
$slotOff = $index + TEST_INDEX_HEADER + 4 * $slot;
$orig = substr($all, $slotOff, 4);
$variants = [
    'far past the segment' => 0xFFFFFFFF,
    'at the end of the segment' => intdiv($size, 8),
    'record header crossing the end' => intdiv($size - 16, 8),
    'inside the header' => 2,
    'inside the index' => intdiv($index, 8) + 4,
    'inside its own record' => intdiv($rec, 8) + 1,
    'at a free block' => intdiv($free, 8),
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

// The index descriptor (header.index_desc) damaged: every lookup goes through it, so every operation is corrupt;
// a put never writes slots into whatever bytes it names. The seq field aside (a locked call may open and close an
// empty mutation), no byte of the segment changes.
$all = shmop_read($raw, 0, $size);
$descOff = test_hdr_offset('index_desc');
$seqOff = test_hdr_offset('seq');
$origDesc = substr($all, $descOff, 8);
$n = count($slots);
$desc = fn(int $off, int $n): int => intdiv($off, 8) << 32 | $n;
$variants = [
    'no slots' => $desc($index, 0),
    'slots past the segment' => $desc($index, 0x40000000),
    'block past the segment' => $desc(1 << 34, $n),
    'block inside the header' => $desc(8, $n),
    'more slots than its block holds' => $desc($index, 2 * $n),
    'naming a record block' => $desc($rec, $n),
    'naming a free block' => $desc($free, $n),
];
$withoutSeq = fn(string $bytes): string => substr_replace($bytes, str_repeat("\0", 8), $seqOff, 8);
foreach ($variants as $label => $value) {
    shmop_write($raw, pack('P', $value), $descOff);
    $snapshot = $withoutSeq(shmop_read($raw, 0, $size));
    $results = [];
    $ops = [
        'get' => fn() => [$s->get('before'), $s->get('k'), $s->get('after')],
        'has' => fn() => $s->has('k'),
        'new get' => fn() => (new SafeShm($key))->get('k'),
        'put' => fn() => $s->put('k', 'new'),
        // new keys land in every part of the index
        'put new' => function () use ($s) { for ($i = 0; $i < 32; $i++) { $s->put("new$i", $i); } },
        'keys' => fn() => $s->keys(),
        'verify' => fn() => $s->verify(),
    ];
    foreach ($ops as $op => $f) {
        try {
            $r = $f();
            $results[] = "$op=returned " . substr(json_encode($r, JSON_INVALID_UTF8_SUBSTITUTE), 0, 40);
        } catch (SafeShmCorruptException $e) {
            $results[] = "$op=corrupt";
        } catch (SafeShmException $e) {
            $results[] = "$op=" . get_class($e);
        }
    }
    $untouched = $withoutSeq(shmop_read($raw, 0, $size)) === $snapshot;
    echo "index $label: ", implode(' ', $results), ', untouched: ', $untouched ? 'yes' : 'NO', "\n";
    shmop_write($raw, $all, 0);
}
var_dump($s->get('k') === $marker, count($s), $s->verify());
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
at a free block: get=corrupt has=corrupt new get=corrupt put=corrupt keys=corrupt verify=corrupt
bool(true)
bool(true)
bool(true)
index no slots: get=corrupt has=corrupt new get=corrupt put=corrupt put new=corrupt keys=corrupt verify=corrupt, untouched: yes
index slots past the segment: get=corrupt has=corrupt new get=corrupt put=corrupt put new=corrupt keys=corrupt verify=corrupt, untouched: yes
index block past the segment: get=corrupt has=corrupt new get=corrupt put=corrupt put new=corrupt keys=corrupt verify=corrupt, untouched: yes
index block inside the header: get=corrupt has=corrupt new get=corrupt put=corrupt put new=corrupt keys=corrupt verify=corrupt, untouched: yes
index more slots than its block holds: get=corrupt has=corrupt new get=corrupt put=corrupt put new=corrupt keys=corrupt verify=corrupt, untouched: yes
index naming a record block: get=corrupt has=corrupt new get=corrupt put=corrupt put new=corrupt keys=corrupt verify=corrupt, untouched: yes
index naming a free block: get=corrupt has=corrupt new get=corrupt put=corrupt put new=corrupt keys=corrupt verify=corrupt, untouched: yes
bool(true)
int(3)
bool(true)
