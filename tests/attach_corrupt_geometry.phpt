--TEST--
SafeShm: a store with a valid magic and version but corrupt geometry fields gives SafeShmCorruptException, never a crash
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
// White-box: header field offsets from safeshm_header in shm_store.h (little-endian):
// size@8 (u64) header_size@16 (u32) nslots@20 (u32) index_off[2]@24 (u64 x2) arena_off@40 arena_end@48 (u64).
$key = ftok(__FILE__, 'a');
/** Attaches from a fresh PHP process, which has no attachment cached. */
function fresh_attach(int $key): string {
    $php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
    $code = 'try { (new SafeShm(' . $key . '))->count(); echo "ok"; } catch (SafeShmCorruptException $e) { echo "corrupt"; }'
          . ' catch (SafeShmException $e) { echo get_class($e); }';
    return trim((string) shell_exec($php . ' ' . getenv('TEST_PHP_EXTRA_ARGS') . ' -r ' . escapeshellarg($code) . ' 2>&1'));
}
$s = new SafeShm($key, 65536);
for ($i = 0; $i < 20; $i++) $s->put("k$i", "value $i");
$raw = shmop_open($key, 'w', 0, 0);
$orig = shmop_read($raw, 0, 64);
$u64 = fn($off) => unpack('P', $orig, $off)[1];
$variants = [
    'bytes 8..64 all 0xff' => [8, str_repeat("\xff", 56)],
    'size 1 TiB' => [8, pack('P', 1 << 40)],
    'size smaller than real' => [8, pack('P', 4096)],
    'header_size huge' => [16, pack('V', 0xFFFFFFFF)],
    'nslots 0' => [20, pack('V', 0)],
    'nslots not a power of two' => [20, pack('V', 3)],
    'nslots huge' => [20, pack('V', 0x40000000)],
    'index_off past the end' => [24, pack('PP', 1 << 40, 1 << 40)],
    'index_off inside the header' => [24, pack('PP', 8, 8)],
    'arena_off past arena_end' => [40, pack('P', $u64(48) + 8)],
    'arena_end past the segment' => [48, pack('P', 1 << 40)],
];
foreach ($variants as $label => [$off, $bytes]) {
    shmop_write($raw, $bytes, $off);
    $snapshot = shmop_read($raw, 0, 65536);
    $results = ['fresh process=' . fresh_attach($key)];
    // a damaged store constructs (so that it can be removed), then refuses
    foreach (['new' => fn() => (new SafeShm($key))->count(), 'get' => fn() => $s->get('k1'), 'put' => fn() => $s->put('k1', 'x'),
              'keys' => fn() => $s->keys(), 'verify' => fn() => $s->verify()] as $op => $f) {
        try {
            $r = $f();
            $results[] = "$op=" . ($op === 'get' && $r === 'value 1' ? 'intact' : 'ok');
        } catch (SafeShmCorruptException $e) {
            $results[] = "$op=corrupt";
        } catch (SafeShmException $e) {
            $results[] = "$op=" . get_class($e);
        }
    }
    $untouched = shmop_read($raw, 0, 65536) === $snapshot;
    echo "$label: ", implode(' ', $results), ', untouched: ', $untouched ? 'yes' : 'NO', "\n";
    shmop_write($raw, $orig, 0);
}
$t = new SafeShm($key);
$bad = 0;
for ($i = 0; $i < 20; $i++) if ($t->get("k$i") !== "value $i") $bad++;
var_dump($bad, $t->verify(), fresh_attach($key));
$t->remove();
?>
--CLEAN--
<?php
$key = ftok(__DIR__ . '/attach_corrupt_geometry.php', 'a');
try { (new SafeShm($key))->remove(); } catch (Throwable) {
    $id = @shmop_open($key, 'w', 0, 0);
    if ($id) shmop_delete($id);
}
?>
--EXPECTF--
bytes 8..64 all 0xff: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
size 1 TiB: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
size smaller than real: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
header_size huge: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
nslots 0: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
nslots not a power of two: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
nslots huge: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
index_off past the end: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
index_off inside the header: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
arena_off past arena_end: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
arena_end past the segment: fresh process=corrupt new=corrupt get=%r(intact|corrupt)%r put=corrupt keys=corrupt verify=corrupt, untouched: yes
int(0)
bool(true)
string(2) "ok"
