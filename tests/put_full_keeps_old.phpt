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
// Layout 3 writes the new record into a free block beside the old one: a put that a free block holds always fits;
// one that none holds fits only when a relocation pass can make such a block. A refused put changes nothing, so
// once refused, every larger value is refused too.
$ok = $full = $wrong = $fitAfterFull = $refusedThoughFree = $relocated = $fitBeyondFree = 0;
for ($n = 200; $n <= 9000; $n += 100) {
    $prev = $s->get('k');
    $new = str_repeat(chr(65 + ($n / 100) % 26), $n);
    $before = $s->info();
    $record = test_record_size(1, $n);
    try {
        $s->put('k', $new);
        $ok++;
        if ($t->get('k') !== $new) $wrong++;
        if ($full) $fitAfterFull++;
        if ($record > $before['largest_free']) $relocated++;
        if ($record > $before['free']) $fitBeyondFree++;
    } catch (SafeShmFullException $e) {
        $full++;
        if ($t->get('k') !== $prev) $wrong++;
        if ($record <= $before['largest_free']) $refusedThoughFree++;
        $after = $s->info();
        if ($after['used'] !== $before['used'] || $after['free'] !== $before['free']) $wrong++;
    }
    if ($t->get('other') !== 'keep me') $wrong++;
}
echo 'fit: ', $ok > 0 ? 'some' : 'none', ', full: ', $full > 0 ? 'some' : 'none', ", wrong=$wrong\n";
echo "fit after a refusal: $fitAfterFull, refused though a free block held it: $refusedThoughFree, fit after a relocation pass: ",
    $relocated > 0 ? 'yes' : 'no', ", fit beyond the free bytes: $fitBeyondFree\n";
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
fit: some, full: some, wrong=0
fit after a refusal: 0, refused though a free block held it: 0, fit after a relocation pass: yes, fit beyond the free bytes: 0
bool(true)
string(5) "small"
