--TEST--
safeshm.sysvshm_compat=1: the classic sem_get($key) + sem_acquire() around shm_put_var() on the same $key runs unchanged in concurrent processes: no collision, no deadlock, no lost update
--EXTENSIONS--
safeshm
sysvsem
--SKIPIF--
<?php
// Needs a PHP that runs SafeShm without ext/sysvshm (-n: no php.ini), with the compat ini On.
preg_match('/extension=([^"\s]*safeshm\.so)/', (string) getenv('TEST_PHP_EXTRA_ARGS'), $m);
$so = $m[1] ?? dirname(__DIR__) . '/modules/safeshm.so';
if (!is_file($so)) die("skip $so not found");
$php = escapeshellarg(getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY);
$load = '';
foreach (['sysvsem'] as $ext) {
    if (trim((string) shell_exec("$php -n -r " . escapeshellarg("echo extension_loaded('$ext') ? 1 : 0;"))) !== '1') $load .= " -d extension=$ext";
}
$out = shell_exec("$php -n -d " . escapeshellarg("extension=$so") . "$load -d safeshm.sysvshm_compat=1 -r "
    . escapeshellarg('echo extension_loaded("sysvshm") ? "ext/sysvshm is built in" : (function_exists("shm_attach") ? "ok" : "compat not on");'
        . ' foreach (["sysvsem"] as $e) if (!extension_loaded($e)) echo " / $e missing";') . ' 2>&1');
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
// sysvshm code as it is written in the wild, unchanged: attach and detach inside the application's lock.
$worker = <<<'WORKER'
<?php
[, $key, $rounds, $id] = array_map('intval', $argv);
$sem = sem_get($key, 1, 0666, true);
for ($i = 0; $i < $rounds; $i++) {
    sem_acquire($sem);
    $shm = shm_attach($key, 65536, 0666);
    $n = shm_has_var($shm, 1) ? shm_get_var($shm, 1) : 0;
    shm_put_var($shm, 1, $n + 1);
    shm_put_var($shm, 100 + $id, $i);
    shm_detach($shm);
    sem_release($sem);
}
echo "worker $id: done, ", get_class($shm), "\n";
WORKER;
const WORKERS = 4, ROUNDS = 300;
$key = ftok(__FILE__, 'a');
$procs = [];
for ($w = 0; $w < WORKERS; $w++) {
    // safeshm.lock_timeout bounds SafeShm's own waits: a deadlock would end in SafeShmTimeoutException
    $procs[$w] = proc_open(compat_command([$key, ROUNDS, $w], ['sysvsem'], ['safeshm.lock_timeout' => '2']),
        [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes[$w]);
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
echo 'counter: ', $s->get(1), ' of ', WORKERS * ROUNDS, "\n";
$last = [];
for ($w = 0; $w < WORKERS; $w++) $last[] = $s->get(100 + $w);
echo 'last round of each worker: ', implode(' ', $last), "\n";
var_dump($s->verify());
$semKeys = [];
foreach (array_slice(file('/proc/sysvipc/sem'), 1) as $line) $semKeys[] = (int) preg_split('/\s+/', trim($line))[0];
echo 'application semaphore under $key: ', var_export(in_array($key, $semKeys, true), true), "\n";
$s->remove();
$sem = sem_get($key, 1, 0666, true);
var_dump(sem_acquire($sem, true), sem_release($sem), sem_remove($sem));
?>
--CLEAN--
<?php
$key = ftok(__DIR__ . '/compat_sem_wrapped_put_var.php', 'a');
try { (new SafeShm($key))->remove(); } catch (Throwable) {}
$sem = @sem_get($key, 1, 0666, true);
if ($sem) @sem_remove($sem);
?>
--EXPECT--
worker 0: done, SysvSharedMemory
worker 1: done, SysvSharedMemory
worker 2: done, SysvSharedMemory
worker 3: done, SysvSharedMemory
counter: 1200 of 1200
last round of each worker: 299 299 299 299
bool(true)
application semaphore under $key: true
bool(true)
bool(true)
bool(true)
