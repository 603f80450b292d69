--TEST--
safeshm.sysvshm_compat=1: a segment that ext/sysvshm processes still use under the key is refused with a message naming the key and the way out; it keeps working for them
--EXTENSIONS--
safeshm
sysvshm
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
// This process is an old one (real ext/sysvshm); the child is a migrated one (compat mode).
$key = ftok(__FILE__, 'a');
$newKey = ftok(__FILE__, 'b');
$old = shm_attach($key, 16384, 0600);
echo 'old process uses: ', (new ReflectionFunction('shm_attach'))->getExtensionName(), "\n";
shm_put_var($old, 1, 'payload');
shm_put_var($old, 2, ['an' => 'array']);
$raw = shmop_open($key, 'a', 0, 0);
$before = shmop_read($raw, 0, shmop_size($raw));
$shmid = null;
foreach (array_slice(file('/proc/sysvipc/shm'), 1) as $line) {
    $f = preg_split('/\s+/', trim($line));
    if ($f[0] === (string) $key) $shmid = $f[1];
}
$child = <<<'CHILD'
<?php
[, $key, $shmid, $newKey] = array_map('intval', $argv);
set_error_handler(function (int $no, string $msg) use ($key, $shmid) {
    echo $no === E_WARNING ? 'E_WARNING: ' : "error $no: ",
        str_replace([sprintf('0x%x', $key), "ipcrm -m $shmid)"], ['0xKEY', 'ipcrm -m SHMID)'], $msg), "\n";
    return true;
});
$shm = shm_attach($key, 16384, 0600);
echo 'migrated process: shm_attach returned ', var_export($shm, true), "\n";
// The way out the message names: copy the variables into a store under another key.
$store = new SafeShm($newKey, 65536);
echo 'imported: ', $store->importSysvshm($key), "\n";
$new = shm_attach($newKey);
echo 'through shm_get_var under the new key: ', shm_get_var($new, 1), ' ', shm_get_var($new, 2)['an'], "\n";
CHILD;
echo compat_run($child, [$key, $shmid, $newKey]);
echo 'bytes untouched: ', shmop_read($raw, 0, shmop_size($raw)) === $before ? 'yes' : 'NO', "\n";
var_dump(shm_get_var($old, 1), shm_get_var($old, 2)['an']);
shm_remove($old);
(new SafeShm($newKey))->remove();
?>
--CLEAN--
<?php
$id = @shmop_open(ftok(__DIR__ . '/compat_existing_sysvshm_segment.php', 'a'), 'w', 0, 0);
if ($id) shmop_delete($id);
try { (new SafeShm(ftok(__DIR__ . '/compat_existing_sysvshm_segment.php', 'b')))->remove(); } catch (Throwable) {}
?>
--EXPECT--
old process uses: sysvshm
E_WARNING: shm_attach(): Failed for key 0xKEY: the key holds an ext/sysvshm segment (shm_attach); it was left untouched. Copy its variables with SafeShm::importSysvshm(0xKEY) into a store under another key, or, once no process uses it, remove it (ipcrm -m SHMID) and attach again
migrated process: shm_attach returned false
imported: 2
through shm_get_var under the new key: payload array
bytes untouched: yes
string(7) "payload"
string(5) "array"
