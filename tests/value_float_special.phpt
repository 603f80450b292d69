--TEST--
SafeShm: INF, -INF, NAN (with sign and payload), -0.0, 0.0 and subnormals survive a round trip bit for bit
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$bits = fn(float $f): string => bin2hex(pack('e', $f));   // the IEEE 754 bytes, little-endian
$values = [
    'inf' => INF, 'ninf' => -INF, 'nan' => NAN,
    // a NaN with the sign bit set and a payload: only a copy of the 8 bytes keeps them
    'nan_payload' => unpack('e', hex2bin('efbeadde0000f8ff'))[1],
    'negzero' => -0.0, 'zero' => 0.0, 'subnormal' => 1e-320, 'min' => PHP_FLOAT_MIN, 'max' => -PHP_FLOAT_MAX,
];
foreach ($values as $k => $v) $s->put($k, $v);
$t = new SafeShm($key);
foreach ($values as $k => $v) {
    $got = $t->get($k);
    echo str_pad($k, 12), get_debug_type($got), ' ', is_float($got) ? $bits($got) : '-', $bits($v) === (is_float($got) ? $bits($got) : '') ? ' same bits' : ' DIFFERENT', "\n";
}
var_dump(fdiv(1, $t->get('negzero')));
// Inside an array the serializer carries them: the values (not a NaN's payload) survive.
$s->put('arr', [INF, -0.0, 1e-320, NAN]);
$a = $t->get('arr');
var_dump($bits($a[0]), $bits($a[1]), $bits($a[2]) === $bits(1e-320), is_nan($a[3]));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
inf         float 000000000000f07f same bits
ninf        float 000000000000f0ff same bits
nan         float 000000000000f87f same bits
nan_payload float efbeadde0000f8ff same bits
negzero     float 0000000000000080 same bits
zero        float 0000000000000000 same bits
subnormal   float e807000000000000 same bits
min         float 0000000000001000 same bits
max         float ffffffffffffefff same bits
float(-INF)
string(16) "000000000000f07f"
string(16) "0000000000000080"
bool(true)
bool(true)
