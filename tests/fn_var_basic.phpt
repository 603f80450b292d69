--TEST--
safeshm_put_var/get_var/has_var/remove_var: sysvshm's contract, with "Variable key %d doesn't exist" warnings and false for missing variables
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
class Point { public function __construct(public int $x = 0, public int $y = 0) {} }
$key = test_key(__FILE__);
$shm = safeshm_attach($key, 65536, 0600);
var_dump($shm instanceof SafeShm);
$values = [
    1 => 'string', 2 => "bin\0ary", 3 => 42, 4 => -1.5, 5 => true, 6 => false, 7 => null,
    8 => ['a' => [1, 2], 'b' => 'c'], 9 => new Point(3, 4), 0 => 'zero', -7 => 'negative',
    PHP_INT_MAX => 'max', PHP_INT_MIN => 'min', 10 => '', 11 => [],
];
$ok = true;
foreach ($values as $k => $v) $ok = safeshm_put_var($shm, $k, $v) && $ok;
var_dump($ok);
foreach ($values as $k => $v) {
    $got = safeshm_get_var($shm, $k);
    echo "$k: ", is_object($v) ? ($got == $v && $got instanceof Point ? 'equal object' : 'DIFFERENT') : ($got === $v ? 'identical' : 'DIFFERENT'),
        ', has ', var_export(safeshm_has_var($shm, $k), true), "\n";
}
// Replace keeps one entry.
var_dump(safeshm_put_var($shm, 1, 'replaced'), safeshm_get_var($shm, 1), count($shm));
// Missing variables: sysvshm's warning and false; has_var says false without a warning.
var_dump(safeshm_get_var($shm, 12345));
var_dump(safeshm_has_var($shm, 12345));
var_dump(safeshm_remove_var($shm, 12345));
var_dump(safeshm_get_var($shm, -99));
// A stored false is told apart from a missing variable only by has_var, as with sysvshm.
var_dump(safeshm_get_var($shm, 6), safeshm_has_var($shm, 6));
// remove_var: true, then the variable is gone for everyone.
var_dump(safeshm_remove_var($shm, 3));
var_dump(safeshm_has_var($shm, 3));
var_dump(safeshm_get_var($shm, 3));
var_dump(safeshm_remove_var($shm, 3));
$other = safeshm_attach($key);
var_dump(safeshm_has_var($other, 3), safeshm_get_var($other, 1), count($other));
var_dump(safeshm_remove($shm));
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
bool(true)
bool(true)
1: identical, has true
2: identical, has true
3: identical, has true
4: identical, has true
5: identical, has true
6: identical, has true
7: identical, has true
8: identical, has true
9: equal object, has true
0: identical, has true
-7: identical, has true
9223372036854775807: identical, has true
-9223372036854775808: identical, has true
10: identical, has true
11: identical, has true
bool(true)
string(8) "replaced"
int(15)

Warning: safeshm_get_var(): Variable key 12345 doesn't exist in %s on line %d
bool(false)
bool(false)

Warning: safeshm_remove_var(): Variable key 12345 doesn't exist in %s on line %d
bool(false)

Warning: safeshm_get_var(): Variable key -99 doesn't exist in %s on line %d
bool(false)
bool(false)
bool(true)
bool(true)
bool(false)

Warning: safeshm_get_var(): Variable key 3 doesn't exist in %s on line %d
bool(false)

Warning: safeshm_remove_var(): Variable key 3 doesn't exist in %s on line %d
bool(false)
bool(false)
string(8) "replaced"
int(14)
bool(true)
