--TEST--
SafeShm::increment(): a result past PHP_INT_MAX or PHP_INT_MIN throws SafeShmException and changes nothing
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$cases = [[PHP_INT_MAX, 1], [PHP_INT_MAX - 5, 6], [1, PHP_INT_MAX], [PHP_INT_MIN, -1], [-2, PHP_INT_MIN]];
foreach ($cases as [$start, $by]) {
    $s->put('c', $start);
    try {
        var_dump($s->increment('c', $by));
    } catch (SafeShmException $e) {
        echo get_class($e), ': ', $e->getMessage(), ', unchanged: ', var_export($s->get('c') === $start, true), "\n";
    }
}
// Boundaries themselves are reachable.
$s->put('c', PHP_INT_MAX - 1);
var_dump($s->increment('c'));
$s->put('c', PHP_INT_MIN + 1);
var_dump($s->increment('c', -1));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
SafeShmException: SafeShm::increment(): the result would overflow an int; the value is unchanged, unchanged: true
SafeShmException: SafeShm::increment(): the result would overflow an int; the value is unchanged, unchanged: true
SafeShmException: SafeShm::increment(): the result would overflow an int; the value is unchanged, unchanged: true
SafeShmException: SafeShm::increment(): the result would overflow an int; the value is unchanged, unchanged: true
SafeShmException: SafeShm::increment(): the result would overflow an int; the value is unchanged, unchanged: true
int(9223372036854775807)
int(-9223372036854775808)
