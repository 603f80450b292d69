--TEST--
SafeShm::cas() on floats follows ===: 0.0 and -0.0 match each other, NAN never matches (not the stored bytes)
--DESCRIPTION--
Issue 11: "identical to $expected (=== for scalars and strings)". Fails on commit f367631: the store compares
a float's 8 bytes (shm_mutate.c, value_equals() for SAFESHM_PUT_IF_VALUE), so 0.0 and -0.0 differ and NAN
matches NAN. Arrays and objects compare by their serialized form, where [0.0] and [-0.0] do differ.
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);
foreach ([[0.0, -0.0], [-0.0, 0.0], [NAN, NAN], [INF, INF], [-INF, INF], [0.1 + 0.2, 0.3]] as [$stored, $expected]) {
    $s->put('f', $stored);
    $php = $stored === $expected;
    $cas = $s->cas('f', $expected, 'replaced');
    printf("stored %s, expected %s: === %s, cas %s\n", var_export($stored, true), var_export($expected, true),
        var_export($php, true), var_export($cas, true));
}
$s->put('a', [0.0]);
var_dump($s->cas('a', [-0.0], 'replaced'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
stored 0.0, expected -0.0: === true, cas true
stored -0.0, expected 0.0: === true, cas true
stored NAN, expected NAN: === false, cas false
stored INF, expected INF: === true, cas true
stored -INF, expected INF: === false, cas false
stored 0.30000000000000004, expected 0.3: === false, cas false
bool(false)
