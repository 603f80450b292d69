--TEST--
SafeShm: a record whose header is damaged (size, magic, lengths, type, namespace, version or tag) is SafeShmCorruptException for get/has/keys/verify, never a crash, a hang or a wrong answer
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box (tests/_ipc.inc, from safeshm_block and safeshm_record in shm_store.h): a record is a 48-byte header
// (size8 u32, magic u8, bflags u8, key_len u16, type u8, ns u8, tag u16, val_len u32, version u64, expires u64,
// created u64, updated u64), then the value, then the key. We find the value by its bytes.
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
$rec = $pos - TEST_RECORD_HEADER;
$orig = substr($all, $rec, TEST_RECORD_HEADER);
var_dump(chr(test_rec_get($all, $rec, 'magic')), test_rec_get($all, $rec, 'val_len') === strlen($marker),
    test_rec_get($all, $rec, 'key_len'), test_rec_get($all, $rec, 'size8') * 8 === test_record_size(1, strlen($marker)));
$field = fn(string $f, string $bytes): array => [test_rec_offset($f), $bytes];
$variants = [
    'whole header 0xff' => [0, str_repeat("\xff", TEST_RECORD_HEADER)],
    'bad magic' => $field('magic', "\x00"),
    'magic of a free block' => $field('magic', 'F'),
    'bad type' => $field('type', "\xee"),
    'bad namespace' => $field('ns', "\xee"),
    'val_len past the segment' => $field('val_len', pack('V', 0x7FFFFFF0)),
    'val_len past its block' => $field('val_len', pack('V', strlen($marker) + 8)),
    'key_len past the maximum' => $field('key_len', pack('v', 0xFFFF)),
    'key_len zero' => $field('key_len', pack('v', 0)),
    'size zero' => $field('size8', pack('V', 0)),
    'size past the segment' => $field('size8', pack('V', 0x0FFFFFFF)),
    'size smaller than its contents' => $field('size8', pack('V', 4)),
    // a record being written has version 0 until it is whole: a slot naming one outside a mutation is damage
    'version zero' => $field('version', pack('P', 0)),
    'tag of another key' => $field('tag', pack('v', test_rec_get($all, $rec, 'tag') ^ 0x5555)),
];
foreach ($variants as $label => [$off, $bytes]) {
    shmop_write($raw, $bytes, $rec + $off);
    $results = [];
    foreach (['get' => fn() => $s->get('k'), 'has' => fn() => $s->has('k'), 'new get' => fn() => (new SafeShm($key))->get('k'),
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
string(1) "R"
bool(true)
int(1)
bool(true)
whole header 0xff: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
bad magic: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
magic of a free block: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
bad type: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
bad namespace: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
val_len past the segment: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
val_len past its block: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
key_len past the maximum: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
key_len zero: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
size zero: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
size past the segment: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
size smaller than its contents: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
version zero: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
tag of another key: get=corrupt has=corrupt new get=corrupt keys=corrupt verify=corrupt other=intact
bool(true)
bool(true)
