--TEST--
safeshm.sysvshm_compat=1: unlocked shm_put_var()/shm_get_var() from concurrent processes, the pattern that corrupts ext/sysvshm, keeps every variable whole
--EXTENSIONS--
safeshm
--SKIPIF--
<?php
// Needs a PHP that runs SafeShm without ext/sysvshm (-n: no php.ini), with the compat ini On.
preg_match('/extension=([^"\s]*safeshm\.so)/', (string) getenv('TEST_PHP_EXTRA_ARGS'), $m);
$so = $m[1] ?? dirname(__DIR__) . '/modules/safeshm.so';
if (!is_file($so)) die("skip $so not found");
$php = escapeshellarg(getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY);
$out = shell_exec("$php -n -d " . escapeshellarg("extension=$so") . " -d safeshm.sysvshm_compat=1 -r "
    . escapeshellarg('echo extension_loaded("sysvshm") ? "ext/sysvshm is built in" : (function_exists("shm_attach") ? "ok" : "compat not on");') . ' 2>&1');
if ($out !== 'ok') die('skip no compat child here: ' . $out);
?>
--FILE--
<?php
// A compat child: PHP with safeshm.sysvshm_compat=1 and without ext/sysvshm (-n loads no php.ini, so no
// extension=sysvshm), the way a migrated application runs. It loads the SafeShm build the runner loaded.
function compat_command(array $args = [], array $extensions = [], array $ini = []): array
{
    static $builtin;
    $php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
    preg_match('/extension=([^"\s]*safeshm\.so)/', (string) getenv('TEST_PHP_EXTRA_ARGS'), $m);
    $cmd = [$php, '-n', '-d', 'extension=' . ($m[1] ?? dirname(__DIR__) . '/modules/safeshm.so')];
    $builtin ??= explode(' ', strtolower((string) shell_exec(escapeshellarg($php) . ' -n -r '
        . escapeshellarg('echo implode(" ", get_loaded_extensions());'))));
    foreach ($extensions as $ext) {
        if (!in_array($ext, $builtin, true)) array_push($cmd, '-d', "extension=$ext");
    }
    $ini += ['safeshm.sysvshm_compat' => '1', 'display_errors' => '1', 'display_startup_errors' => '1',
             'log_errors' => '0', 'html_errors' => '0', 'error_reporting' => (string) E_ALL];
    foreach ($ini as $name => $value) array_push($cmd, '-d', "$name=$value");
    return [...$cmd, '--', ...array_map('strval', $args)];
}
/** Runs the script $code in a compat child; its output, with "[child exit N]" when it did not exit with 0. */
function compat_run(string $code, array $args = [], array $extensions = [], array $ini = []): string
{
    $proc = proc_open(compat_command($args, $extensions, $ini), [['pipe', 'r'], ['pipe', 'w'], ['redirect', 1]], $pipes);
    fwrite($pipes[0], $code);
    fclose($pipes[0]);
    $out = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    $rc = proc_close($proc);
    return $out . ($rc !== 0 ? "[child exit $rc]\n" : '');
}
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
$key = ftok(__FILE__, 'a');
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
try { (new SafeShm(ftok(__DIR__ . '/compat_unlocked_put_var_concurrent.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECT--
worker 0: bad reads 0
worker 1: bad reads 0
worker 2: bad reads 0
worker 3: bad reads 0
variables whole: 20 of 20, entries: 20
bool(true)
