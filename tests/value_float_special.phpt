--TEST--
SafeShm: INF, -INF, NAN and -0.0 survive a round trip bit for bit
--EXTENSIONS--
safeshm
--FILE--
<?php
$key = ftok(__FILE__, 'a');
$s = new SafeShm($key, 65536);
$s->put('inf', INF);
$s->put('ninf', -INF);
$s->put('nan', NAN);
$s->put('negzero', -0.0);
$s->put('zero', 0.0);
var_dump($s->get('inf') === INF);
var_dump($s->get('ninf') === -INF);
$nan = $s->get('nan');
var_dump(is_float($nan), is_nan($nan));
$nz = $s->get('negzero');
var_dump(is_float($nz), bin2hex(pack('E', $nz)), fdiv(1, $nz));
$z = $s->get('zero');
var_dump(is_float($z), bin2hex(pack('E', $z)));
$s->put('arr', [INF, -0.0, 1e-320]);
$a = $s->get('arr');
var_dump($a[0] === INF, bin2hex(pack('E', $a[1])), $a[2] === 1e-320);
$s->remove();
?>
--CLEAN--
<?php
try { (new SafeShm(ftok(__DIR__ . '/value_float_special.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(16) "8000000000000000"
float(-INF)
bool(true)
string(16) "0000000000000000"
bool(true)
string(16) "8000000000000000"
bool(true)
