--TEST--
safeshm_put_var(): when the value does not fit, E_WARNING "Not enough shared memory left" and false; unlike sysvshm, the previous value is still there
--EXTENSIONS--
safeshm
--FILE--
<?php
$key = ftok(__FILE__, 'a');
$shm = safeshm_attach($key, 8192, 0600);
$old = str_repeat('o', 1000);
var_dump(safeshm_put_var($shm, 1, $old), safeshm_put_var($shm, 2, 'neighbour'));
$info = $shm->info();
// Replacing var 1 with a value that cannot fit.
var_dump(safeshm_put_var($shm, 1, str_repeat('n', 1 << 20)));
var_dump(safeshm_get_var($shm, 1) === $old, safeshm_get_var($shm, 2));
// A new variable that cannot fit is not stored.
var_dump(safeshm_put_var($shm, 3, ['big' => str_repeat('x', 1 << 20)]));
var_dump(safeshm_has_var($shm, 3), count($shm), $shm->info()['used'] === $info['used'], $shm->verify());
// Another process sees the old value too.
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$code = '$s = safeshm_attach(' . $key . '); echo strlen(safeshm_get_var($s, 1)), " ", safeshm_get_var($s, 1)[0], " ", safeshm_get_var($s, 2);';
echo 'other process: ', shell_exec($php . ' ' . getenv('TEST_PHP_EXTRA_ARGS') . ' -r ' . escapeshellarg($code) . ' 2>&1'), "\n";
// The store is not left locked or damaged: a value that fits replaces it.
var_dump(safeshm_put_var($shm, 1, 'small'), safeshm_get_var($shm, 1));
// Filling up with new variables: every put either stores or warns, and the earlier ones stay.
$stored = 0;
for ($i = 100; ; $i++) {
    if (!@safeshm_put_var($shm, $i, str_repeat('f', 200))) {
        echo 'full after ', $stored > 0 ? 'some' : 'no', ' puts: ', error_get_last()['message'], "\n";
        break;
    }
    $stored++;
}
$bad = 0;
for ($j = 100; $j < 100 + $stored; $j++) if (safeshm_get_var($shm, $j) !== str_repeat('f', 200)) $bad++;
var_dump($bad, safeshm_get_var($shm, 2), $shm->verify());
safeshm_remove($shm);
?>
--CLEAN--
<?php
try { (new SafeShm(ftok(__DIR__ . '/fn_put_var_full_keeps_old.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECTF--
bool(true)
bool(true)

Warning: safeshm_put_var(): Not enough shared memory left in %s on line %d
bool(false)
bool(true)
string(9) "neighbour"

Warning: safeshm_put_var(): Not enough shared memory left in %s on line %d
bool(false)
bool(false)
int(2)
bool(true)
bool(true)
other process: 1000 o neighbour
bool(true)
string(5) "small"
full after some puts: safeshm_put_var(): Not enough shared memory left
int(0)
string(9) "neighbour"
bool(true)
