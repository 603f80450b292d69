--TEST--
safeshm_put_var(): when the value does not fit, E_WARNING "Not enough shared memory left" and false; unlike sysvshm, the previous value is still there
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
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
$code = '$s = safeshm_attach(' . $key . '); echo strlen(safeshm_get_var($s, 1)), " ", safeshm_get_var($s, 1)[0], " ", safeshm_get_var($s, 2);';
echo 'other process: ', shell_exec(test_php() . ' -r ' . escapeshellarg($code) . ' 2>&1'), "\n";
// The store is not left locked or damaged: a value that fits replaces it.
var_dump(safeshm_put_var($shm, 1, 'small'), safeshm_get_var($shm, 1));
// Filling up with new variables: every put either stores or warns, and the earlier ones stay. It warns only when
// no free block holds the new variable's record any more.
$stored = $record = 0;
for ($i = 100; ; $i++) {
    $used = $shm->info()['used'];
    if (!@safeshm_put_var($shm, $i, str_repeat('f', 200))) {
        echo "full: ", error_get_last()['message'], "\n";
        break;
    }
    $record = $shm->info()['used'] - $used;
    $stored++;
}
$info = $shm->info();
echo "stored some first: ", var_export($stored > 0 && $info['entries'] === 2 + $stored, true),
    ", no free block holds another: ", var_export($info['largest_free'] < $record, true), "\n";
$bad = 0;
for ($j = 100; $j < 100 + $stored; $j++) if (safeshm_get_var($shm, $j) !== str_repeat('f', 200)) $bad++;
var_dump($bad, safeshm_get_var($shm, 2), $shm->verify());
safeshm_remove($shm);
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
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
full: safeshm_put_var(): Not enough shared memory left
stored some first: true, no free block holds another: true
int(0)
string(9) "neighbour"
bool(true)
