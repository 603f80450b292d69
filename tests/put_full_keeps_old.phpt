--TEST--
SafeShm::put(): when the new value does not fit, SafeShmFullException is thrown and the old value stays readable
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 8192);
$old = str_repeat('a', 1000);
$s->put('k', $old);
$s->put('other', 'keep me');
$used = $s->info()['used'];
try {
    $s->put('k', str_repeat('b', 8000));
    echo "stored\n";
} catch (SafeShmFullException $e) {
    echo get_class($e), "\n";
}
$t = new SafeShm($key);
var_dump($t->get('k') === $old, $t->get('other'), $s->info()['used'] === $used, $s->info()['entries']);
try {
    $s->put('k2', str_repeat('c', 8000));
    echo "stored\n";
} catch (SafeShmFullException $e) {
    echo get_class($e), "\n";
}
var_dump($s->has('k2'), count($s), $s->verify());

// Growing a value step by step: every put either succeeds (and the new value is read back)
// or throws SafeShmFullException (and the previous value is read back). Both must happen.
$ok = $full = $wrong = 0;
for ($n = 200; $n <= 9000; $n += 100) {
    $prev = $s->get('k');
    $new = str_repeat(chr(65 + ($n / 100) % 26), $n);
    try {
        $s->put('k', $new);
        $ok++;
        if ($t->get('k') !== $new) $wrong++;
    } catch (SafeShmFullException $e) {
        $full++;
        if ($t->get('k') !== $prev) $wrong++;
    }
    if ($t->get('other') !== 'keep me') $wrong++;
}
echo "fit: $ok, full: $full, wrong=$wrong\n";
var_dump($s->verify());
// Not holding the lock after the exceptions.
$s->put('k', 'small');
var_dump($t->get('k'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
SafeShmFullException
bool(true)
string(7) "keep me"
bool(true)
int(2)
SafeShmFullException
bool(false)
int(2)
bool(true)
fit: 34, full: 55, wrong=0
bool(true)
string(5) "small"
