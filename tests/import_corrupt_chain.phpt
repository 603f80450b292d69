--TEST--
SafeShm::importSysvshm(): an out-of-range header or any invalid chunk (length PHP_INT_MAX, negative, next 0 or past the end) throws SafeShmCorruptException and imports nothing
--EXTENSIONS--
safeshm
sysvshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$old = test_key(__FILE__);
$new = test_key(__FILE__, 1);
$shm = shm_attach($old, 16384, 0600);
shm_put_var($shm, 1, 'first');
shm_put_var($shm, 2, ['second']);
shm_put_var($shm, 3, 3.0);
$raw = shmop_open($old, 'w', 0, 0);
$orig = shmop_read($raw, 0, 16384);
// Header: magic, start, end, free, total (8 bytes each). Chunk: key, length, next, then the bytes.
[$start, $end, $free, $total] = array_values(unpack('q4', $orig, 8));
$chunks = [];
for ($pos = $start; $pos < $end; $pos += unpack('q', $orig, $pos + 16)[1]) $chunks[] = $pos;
echo 'chunks: ', count($chunks), "\n";
$q = fn(int $v) => pack('q', $v);
$cases = [
    'header start PHP_INT_MAX' => [8, $q(PHP_INT_MAX)],
    'header end past the segment' => [16, $q(1 << 40)],
    'header free negative' => [24, $q(-1)],
    'first chunk length PHP_INT_MAX' => [$chunks[0] + 8, $q(PHP_INT_MAX)],
    'middle chunk length PHP_INT_MAX' => [$chunks[1] + 8, $q(PHP_INT_MAX)],
    'last chunk length PHP_INT_MAX' => [$chunks[2] + 8, $q(PHP_INT_MAX)],
    'last chunk length negative' => [$chunks[2] + 8, $q(-1)],
    'middle chunk next 0' => [$chunks[1] + 16, $q(0)],
    'middle chunk next negative' => [$chunks[1] + 16, $q(-32)],
    'last chunk next past the end' => [$chunks[2] + 16, $q(1 << 20)],
    'last chunk next PHP_INT_MAX' => [$chunks[2] + 16, $q(PHP_INT_MAX)],
    'header end 8 bytes short' => [16, $q($end - 8) . $q($free + 8)],
    'header end 8 bytes further' => [16, $q($end + 8) . $q($free - 8)],
    'header end 64 bytes further' => [16, $q($end + 64) . $q($free - 64)],
];
$s = new SafeShm($new, 65536, 0600);
$s->put('existing', 'kept');
foreach ($cases as $label => [$offset, $bytes]) {
    shmop_write($raw, $bytes, $offset);
    $snapshot = shmop_read($raw, 0, 16384);
    try {
        $n = $s->importSysvshm($old);
        echo "$label: returned $n";
    } catch (SafeShmException $e) {
        // the chunk it names: C0, C1, C2 (the three chunks), END (where the header said the chain ends)
        echo "$label: ", get_class($e), ': ', str_replace([sprintf('0x%08x', $old), "offset $chunks[0] ", "offset $chunks[1] ", "offset $chunks[2] ", "offset $end "],
            ['KEY', 'offset C0 ', 'offset C1 ', 'offset C2 ', 'offset END '], $e->getMessage());
    }
    echo "\n  entries ", count($s), ', bytes untouched ', shmop_read($raw, 0, 16384) === $snapshot ? 'yes' : 'NO', "\n";
    shmop_write($raw, $orig, 0);
}
var_dump($s->keys(), $s->verify());
// Repaired, the same segment imports.
var_dump($s->importSysvshm($old), $s->get(2));
shm_remove($shm);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
chunks: 3
header start PHP_INT_MAX: SafeShmCorruptException: SafeShm::importSysvshm(): the ext/sysvshm segment of key KEY is corrupted (header or chunk chain); nothing was imported
  entries 1, bytes untouched yes
header end past the segment: SafeShmCorruptException: SafeShm::importSysvshm(): the ext/sysvshm segment of key KEY is corrupted (header or chunk chain); nothing was imported
  entries 1, bytes untouched yes
header free negative: SafeShmCorruptException: SafeShm::importSysvshm(): the ext/sysvshm segment of key KEY is corrupted (header or chunk chain); nothing was imported
  entries 1, bytes untouched yes
first chunk length PHP_INT_MAX: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset C0 of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
middle chunk length PHP_INT_MAX: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset C1 of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
last chunk length PHP_INT_MAX: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset C2 of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
last chunk length negative: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset C2 of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
middle chunk next 0: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset C1 of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
middle chunk next negative: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset C1 of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
last chunk next past the end: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset C2 of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
last chunk next PHP_INT_MAX: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset C2 of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
header end 8 bytes short: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset C2 of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
header end 8 bytes further: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset END of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
header end 64 bytes further: SafeShmCorruptException: SafeShm::importSysvshm(): chunk at offset END of key KEY is corrupted; nothing was imported
  entries 1, bytes untouched yes
array(1) {
  [0]=>
  string(8) "existing"
}
bool(true)
int(3)
array(1) {
  [0]=>
  string(6) "second"
}
