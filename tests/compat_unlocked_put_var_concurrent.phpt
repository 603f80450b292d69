--TEST--
safeshm.sysvshm_compat=1: unlocked shm_put_var()/shm_get_var() from concurrent processes, the pattern that corrupts ext/sysvshm, keeps every variable whole
--EXTENSIONS--
safeshm
--SKIPIF--
<?php
require __DIR__ . '/_compat.inc';
if ($why = compat_unavailable()) die("skip no compat child here: $why");
?>
--FILE--
<?php
require __DIR__ . '/_compat.inc';
$worker = <<<'WORKER'
<?php
[, $key, $rounds, $id] = array_map('intval', $argv);
$shm = shm_attach($key, 65536, 0600);
$bad = $missing = 0;
for ($i = 0; $i < $rounds; $i++) {
    $k = $i % 20;
    shm_put_var($shm, $k, ['writer' => $id, 'round' => $i, 'pad' => str_repeat(chr(65 + $id), 100 + $k * 10)]);
    $other = ($k + 7) % 20;
    if (!shm_has_var($shm, $other)) { $missing++; continue; }
    $v = shm_get_var($shm, $other);
    if (!is_array($v) || strlen($v['pad']) !== 100 + $other * 10 || $v['pad'] !== str_repeat(chr(65 + $v['writer']), 100 + $other * 10)) $bad++;
}
echo "worker $id: bad reads $bad\n";
WORKER;
const WORKERS = 4, ROUNDS = 2000;
$key = test_key(__FILE__);
$procs = [];
for ($w = 0; $w < WORKERS; $w++) {
    $procs[$w] = proc_open(compat_command([$key, ROUNDS, $w]), [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes[$w]);
    fwrite($pipes[$w][0], $worker);
    fclose($pipes[$w][0]);
}
for ($w = 0; $w < WORKERS; $w++) {
    echo stream_get_contents($pipes[$w][1]);
    fclose($pipes[$w][1]);
    $rc = proc_close($procs[$w]);
    if ($rc !== 0) echo "worker $w: exit $rc\n";
}
$s = new SafeShm($key);
$whole = 0;
for ($k = 0; $k < 20; $k++) {
    $v = $s->get($k);
    if (is_array($v) && $v['pad'] === str_repeat(chr(65 + $v['writer']), 100 + $k * 10)) $whole++;
}
echo "variables whole: $whole of 20, entries: ", count($s), "\n";
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
worker 0: bad reads 0
worker 1: bad reads 0
worker 2: bad reads 0
worker 3: bad reads 0
variables whole: 20 of 20, entries: 20
bool(true)
