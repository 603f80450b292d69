--TEST--
SafeShm::importSysvshm(): a chunk whose serialized bytes do not unserialize throws SafeShmCorruptException and imports nothing, wherever it is in the chain
--EXTENSIONS--
safeshm
sysvshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// The chain is valid; only the value bytes are damaged. Nothing may be imported: the stub says
// "SafeShmCorruptException when its header or a chunk is invalid (nothing is imported then)".
$old = test_key(__FILE__);
$new = test_key(__FILE__, 1);
$shm = shm_attach($old, 16384, 0600);
shm_put_var($shm, 1, 'first');
shm_put_var($shm, 2, ['second']);
shm_put_var($shm, 3, 3.5);
$raw = shmop_open($old, 'w', 0, 0);
$orig = shmop_read($raw, 0, 16384);
[$start, $end] = array_values(unpack('q2', $orig, 8));
$chunks = [];
for ($pos = $start; $pos < $end; $pos += unpack('q', $orig, $pos + 16)[1]) $chunks[] = $pos;
$cases = [
    'first value garbage' => [$chunks[0] + 24, 'XXXX'],
    'last value garbage' => [$chunks[2] + 24, 'XXXX'],
    'last value cut short' => [$chunks[2] + 8, pack('q', unpack('q', $orig, $chunks[2] + 8)[1] - 2)],
];
$s = new SafeShm($new, 65536, 0600);
$s->put('existing', 'kept');
// Each case runs in a child process, so that a crash is reported instead of ending the test.
$code = '$s = new SafeShm(' . $new . '); try { $r = $s->importSysvshm(' . $old . '); echo "returned ", $r; }'
      . ' catch (SafeShmException $e) { echo get_class($e); } echo ", entries ", count($s);';
foreach ($cases as $label => [$offset, $bytes]) {
    shmop_write($raw, $bytes, $offset);
    $snapshot = shmop_read($raw, 0, 16384);
    exec(test_php() . ' -r ' . escapeshellarg($code) . ' 2>&1', $out, $rc);
    echo "$label: ", implode(' ', $out), $rc ? " [exit $rc]" : '', ', bytes untouched: ', shmop_read($raw, 0, 16384) === $snapshot ? 'yes' : 'NO', "\n";
    $out = [];
    shmop_write($raw, $orig, 0);
}
var_dump($s->keys(), $s->verify());
shm_remove($shm);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
first value garbage: SafeShmCorruptException, entries 1, bytes untouched: yes
last value garbage: SafeShmCorruptException, entries 1, bytes untouched: yes
last value cut short: SafeShmCorruptException, entries 1, bytes untouched: yes
array(1) {
  [0]=>
  string(8) "existing"
}
bool(true)
