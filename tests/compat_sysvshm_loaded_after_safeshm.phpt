--TEST--
safeshm.sysvshm_compat=1 with ext/sysvshm loaded after SafeShm (conf.d/20-safeshm.ini sorts first): the same startup warning, sysvshm keeps its functions
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
$loaded = shell_exec("$php -n -d extension=sysvshm -r " . escapeshellarg('echo extension_loaded("sysvshm") ? "ok" : "no";') . ' 2>&1');
if ($loaded !== 'ok') die('skip ext/sysvshm cannot be loaded as a shared module');
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
$code = '<?php foreach (["shm_attach", "shm_put_var"] as $f) echo $f, ": ", (new ReflectionFunction($f))->getExtensionName(), "\n";'
      . ' echo "SysvSharedMemory: ", (new ReflectionClass("SysvSharedMemory"))->getExtensionName(), "\n";';
echo compat_run($code, [], ['sysvshm']);
?>
--EXPECT--
Warning: safeshm.sysvshm_compat is On, but ext/sysvshm is loaded: SafeShm leaves its shm_* functions alone (disable extension=sysvshm to serve them from SafeShm) in Unknown on line 0
shm_attach: sysvshm
shm_put_var: sysvshm
SysvSharedMemory: sysvshm
