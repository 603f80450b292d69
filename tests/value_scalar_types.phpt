--TEST--
SafeShm: int, float, bool, null and string values come back identical (===), with their type
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$values = [
    'int0' => 0, 'int1' => 1, 'intneg' => -1, 'intmax' => PHP_INT_MAX, 'intmin' => PHP_INT_MIN,
    'float' => 1.5, 'float01' => 0.1, 'float_sum' => 0.1 + 0.2, 'float_int' => 2.0, 'float_neg' => -3.25e-300,
    'float_max' => PHP_FLOAT_MAX, 'float_min' => PHP_FLOAT_MIN, 'float_eps' => PHP_FLOAT_EPSILON,
    'true' => true, 'false' => false, 'null' => null,
    'str' => 'hello', 'str_num' => '123', 'str_float' => '1.5', 'str_empty' => '', 'str_true' => '1',
    'str_ser' => 'a:1:{i:0;i:1;}', 'str_ser_b' => 'b:1;', 'str_ser_n' => 'N;',
];
foreach ($values as $k => $v) {
    $s->put($k, $v);
}
$t = new SafeShm($key);
foreach ($values as $k => $v) {
    $got = $t->get($k, 'MISSING');
    echo str_pad($k, 10), ' ', $got === $v ? 'identical' : 'DIFFERENT', ' ', get_debug_type($got), "\n";
}
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int0       identical int
int1       identical int
intneg     identical int
intmax     identical int
intmin     identical int
float      identical float
float01    identical float
float_sum  identical float
float_int  identical float
float_neg  identical float
float_max  identical float
float_min  identical float
float_eps  identical float
true       identical bool
false      identical bool
null       identical null
str        identical string
str_num    identical string
str_float  identical string
str_empty  identical string
str_true   identical string
str_ser    identical string
str_ser_b  identical string
str_ser_n  identical string
