--TEST--
safeshm.sysvshm_compat=1: shm_attach() on a sysvshm segment with a valid header but a chunk length of PHP_INT_MAX warns "segment header is corrupted" and returns false; bytes untouched
--EXTENSIONS--
safeshm
shmop
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
// ext/sysvshm 8.2 attaches this and then reads past the segment in shm_get_var(). Issue 3, section 1:
// the warning is "segment header is corrupted", as for the other hostile segments.
$key = ftok(__FILE__, 'a');
$chunk = pack('q*', 1, PHP_INT_MAX, 32) . "i:1;\0\0\0\0";
$bytes = "PHP_SM\0\0" . pack('q*', 40, 40 + 32, 8192 - 72, 8192) . $chunk;
$id = shmop_open($key, 'c', 0600, 8192);
shmop_write($id, $bytes, 0);
$before = shmop_read($id, 0, 8192);
$child = <<<'CHILD'
<?php
$key = (int) $argv[1];
set_error_handler(function (int $no, string $msg) use ($key) {
    echo $no === E_WARNING ? 'E_WARNING: ' : "error $no: ", str_replace(sprintf('0x%x', $key), '0xKEY', $msg), "\n";
    return true;
});
$r = shm_attach($key);
echo 'returned ', var_export($r, true), "\n";
CHILD;
echo compat_run($child, [$key]);
echo 'bytes untouched: ', shmop_read($id, 0, 8192) === $before ? 'yes' : 'NO', "\n";
shmop_delete($id);
?>
--CLEAN--
<?php
$id = @shmop_open(ftok(__DIR__ . '/compat_sysvshm_chunk_length_max.php', 'a'), 'w', 0, 0);
if ($id) shmop_delete($id);
?>
--EXPECT--
E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
returned false
bytes untouched: yes
