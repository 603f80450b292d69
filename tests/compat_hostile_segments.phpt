--TEST--
safeshm.sysvshm_compat=1: shm_attach() on segments that are not SafeShm stores (shmop text, sysvshm headers with out-of-range fields, too short) warns and returns false; bytes untouched
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
// Where ext/sysvshm 8.2 would read these bytes as its own header (and crash on the out-of-range ones),
// the compat shm_attach() refuses them. The parent writes them with shmop; the child runs sysvshm code.
$sysv = fn(int $start, int $end, int $free, int $total) => "PHP_SM\0\0" . pack('q*', $start, $end, $free, $total);
$cases = [
    'shmop text' => [8192, 0, 'hello from shmop, not a store'],
    'shmop bytes only in the tail' => [8192, 8000, 'header bytes all zero'],
    'sysvshm start PHP_INT_MAX' => [8192, 0, $sysv(PHP_INT_MAX, 40, 8152, 8192)],
    'sysvshm end past the segment' => [8192, 0, $sysv(40, 1 << 40, 8192 - (1 << 40), 8192)],
    'sysvshm end before start' => [8192, 0, $sysv(40, 8, 8184, 8192)],
    'sysvshm free out of range' => [8192, 0, $sysv(40, 40, PHP_INT_MAX, 8192)],
    'sysvshm free negative' => [8192, 0, $sysv(40, 40, -1, 8192)],
    'sysvshm total past the segment' => [8192, 0, $sysv(40, 40, PHP_INT_MAX - 40, PHP_INT_MAX)],
    'sysvshm bad header, 100 bytes' => [100, 0, $sysv(40, 4000, 0, 4000)],
    'text, 16 bytes' => [16, 0, 'hi'],
    'sysvshm magic alone, 39 bytes' => [39, 0, "PHP_SM\0\0"],
];
$child = <<<'CHILD'
<?php
$key = (int) $argv[1];
set_error_handler(function (int $no, string $msg) use ($key) {
    echo '  ', $no === E_WARNING ? 'E_WARNING: ' : "error $no: ", str_replace(sprintf('0x%x', $key), '0xKEY', $msg), "\n";
    return true;
});
foreach ([[$key], [$key, 65536, 0600]] as $args) {
    $r = shm_attach(...$args);
    echo '  returned ', var_export($r, true), "\n";
}
CHILD;
$key = ftok(__FILE__, 'a');
foreach ($cases as $label => [$size, $offset, $bytes]) {
    echo "$label:\n";
    $id = shmop_open($key, 'c', 0600, $size);
    shmop_write($id, $bytes, $offset);
    $before = shmop_read($id, 0, $size);
    echo compat_run($child, [$key]);
    echo '  bytes untouched: ', shmop_read($id, 0, $size) === $before ? 'yes' : 'NO', "\n";
    shmop_delete($id);
}
?>
--CLEAN--
<?php
$key = ftok(__DIR__ . '/compat_hostile_segments.php', 'a');
try { (new SafeShm($key))->remove(); } catch (Throwable) {
    $id = @shmop_open($key, 'w', 0, 0);
    if ($id) shmop_delete($id);
}
?>
--EXPECT--
shmop text:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
shmop bytes only in the tail:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm start PHP_INT_MAX:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm end past the segment:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm end before start:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm free out of range:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm free negative:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm total past the segment:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
sysvshm bad header, 100 bytes:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment header is corrupted
  returned false
  bytes untouched: yes
text, 16 bytes:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment too small
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment too small
  returned false
  bytes untouched: yes
sysvshm magic alone, 39 bytes:
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment too small
  returned false
  E_WARNING: shm_attach(): Failed for key 0xKEY: segment too small
  returned false
  bytes untouched: yes
