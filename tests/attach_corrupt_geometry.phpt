--TEST--
SafeShm: a store with a valid magic and version but corrupt geometry fields gives SafeShmCorruptException, never a crash
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box (tests/_ipc.inc, from safeshm_header in shm_store.h): the geometry fields size, header_size, lock_kind,
// arena_off and arena_end follow magic and version; every process derives them from the real segment size and
// refuses a header that disagrees. (A damaged index descriptor is corrupt_index_offset.phpt.)
$key = test_key(__FILE__);
/** Attaches from a fresh PHP process, which has no attachment cached. */
function fresh_attach(int $key): string {
    $code = 'try { (new SafeShm(' . $key . '))->count(); echo "ok"; } catch (SafeShmCorruptException $e) { echo "corrupt"; }'
          . ' catch (SafeShmException $e) { echo get_class($e); }';
    return trim((string) shell_exec(test_php() . ' -r ' . escapeshellarg($code) . ' 2>&1'));
}
$s = new SafeShm($key, 65536);
for ($i = 0; $i < 20; $i++) $s->put("k$i", "value $i");
$raw = shmop_open($key, 'w', 0, 0);
$orig = shmop_read($raw, 0, 65536);
// The fields are where the test damages them.
echo implode(' ', array_map(fn($f) => "$f=" . test_hdr_get($orig, $f),
    ['magic', 'version', 'size', 'header_size', 'arena_off', 'arena_end'])), "\n";
$arenaEnd = test_hdr_get($orig, 'arena_end');
$variants = [
    'geometry bytes 8..40 all 0xff' => [test_hdr_offset('size'), str_repeat("\xff", 32)],
    'size 1 TiB' => [test_hdr_offset('size'), pack('P', 1 << 40)],
    'size smaller than real' => [test_hdr_offset('size'), pack('P', 4096)],
    'header_size huge' => [test_hdr_offset('header_size'), pack('V', 0xFFFFFFFF)],
    'header_size of layout 2' => [test_hdr_offset('header_size'), pack('V', 512)],
    'lock_kind unknown' => [test_hdr_offset('lock_kind'), pack('V', 2)],
    'arena_off past arena_end' => [test_hdr_offset('arena_off'), pack('P', $arenaEnd + 8)],
    'arena_off inside the header' => [test_hdr_offset('arena_off'), pack('P', 512)],
    'arena_end past the segment' => [test_hdr_offset('arena_end'), pack('P', 1 << 40)],
    'arena_end short of the segment' => [test_hdr_offset('arena_end'), pack('P', $arenaEnd - 8)],
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
            // A lock-free get checks the geometry too: it never returns data from a store it cannot trust.
            $results[] = "$op=" . ($op === 'get' && $r === 'value 1' ? 'intact' : 'returned ' . json_encode($r));
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
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
magic=1296585542 version=3 size=65536 header_size=2048 arena_off=2048 arena_end=65536
geometry bytes 8..40 all 0xff: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
size 1 TiB: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
size smaller than real: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
header_size huge: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
header_size of layout 2: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
lock_kind unknown: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
arena_off past arena_end: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
arena_off inside the header: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
arena_end past the segment: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
arena_end short of the segment: fresh process=corrupt new=corrupt get=corrupt put=corrupt keys=corrupt verify=corrupt, untouched: yes
int(0)
bool(true)
string(2) "ok"
