--TEST--
SafeShm: strings are stored as raw bytes (NUL bytes, every byte value, large strings)
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1048576);
$all = '';
for ($i = 0; $i < 256; $i++) $all .= chr($i);
mt_srand(42);
$big = '';
for ($i = 0; $i < 200000; $i++) $big .= chr(mt_rand(0, 255));
$values = [
    'nul' => "\0",
    'nuls' => "a\0b\0\0c",
    'trailing_nul' => "abc\0",
    'all_bytes' => $all,
    'big' => $big,
    'utf8' => "h\u{e9}llo w\u{f6}rld \u{1F600}",
];
foreach ($values as $k => $v) $s->put($k, $v);
foreach ($values as $k => $v) {
    $got = $s->get($k);
    echo "$k: ", $got === $v ? 'identical' : 'DIFFERENT', ' len=', strlen($got), "\n";
}
// Raw bytes, not serializer output: the segment holds the string itself, without an s:N:"..." wrapper.
$s->put('marker', 'RAW-STRING-MARKER-7f3a');
$shm = shmop_open($key, 'a', 0, 0);
$bytes = shmop_read($shm, 0, shmop_size($shm));
var_dump(str_contains($bytes, 'RAW-STRING-MARKER-7f3a'), str_contains($bytes, 's:22:"RAW-STRING-MARKER-7f3a"'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
nul: identical len=1
nuls: identical len=6
trailing_nul: identical len=4
all_bytes: identical len=256
big: identical len=200000
utf8: identical len=18
bool(true)
bool(false)
