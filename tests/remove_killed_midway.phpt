--TEST--
SafeShm::remove() is crash-safe: a remover SIGKILLed before each system call of the removal (or the segment removed from outside) leaves either the store untouched or removed, never a store that refuses every process; a new object always works
--EXTENSIONS--
safeshm
--SKIPIF--
<?php
if (trim((string) shell_exec('command -v strace')) === '') die('skip needs strace (tools/install-deps.sh installs it)');
if (trim((string) shell_exec('strace -qq -o /dev/null true 2>/dev/null; echo $?')) !== '0') die('skip strace cannot trace here');
?>
--INI--
; the object attached before checks the system at every call, so the test need not wait out the removal window
safeshm.removal_check_ms=0
; PCRE's JIT reads past the end of strings with SIMD loads: false reports under valgrind
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// strace kills a remover (SIGKILL, the system call not made) just before the segment's IPC_RMID, or just before
// the semaphore's; `ipcrm -m` alone gives the state in between (segment gone, nothing else done). Before the fix
// the removed flag was set first, so a kill before the segment's IPC_RMID left a store every process refused.
$key = test_key(__FILE__, 0);
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$args = getenv('TEST_PHP_EXTRA_ARGS');
$remover = '$s = new SafeShm(' . $key . '); $s->remove(); echo "returned";';
function run(string $code, string $prefix = ''): string
{
    global $php, $args;
    $out = (string) shell_exec($prefix . escapeshellarg($php) . " $args -r " . escapeshellarg($code) . ' 2>&1; echo " exit=$?"');
    return trim(preg_replace('/^Killed\s*/m', '', $out)); // the shell's report of the kill
}
/** Which call of $syscall is the removal's IPC_RMID (1-based), from a traced run of the remover. */
function rmid_call(string $syscall): int
{
    global $remover, $key;
    $log = tempnam(sys_get_temp_dir(), 'safeshm-strace');
    (new SafeShm($key, 16384))->put('k', 'v');
    run($remover, 'strace -qq -e trace=' . $syscall . ' -o ' . escapeshellarg($log) . ' ');
    $n = 0;
    foreach (file($log) as $line) {
        if (str_starts_with($line, "$syscall(")) {
            $n++;
            if (str_contains($line, 'IPC_RMID')) break;
        }
    }
    unlink($log);
    return $n;
}
function semkey_of(int $semid): ?string
{
    foreach (array_slice(file('/proc/sysvipc/sem'), 1) as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ($f[1] === (string) $semid) return $f[0];
    }
    return null;
}
function ipc_left(string $shmkey, ?string $semkey): int
{
    $n = 0;
    foreach (['shm' => $shmkey, 'sem' => $semkey] as $kind => $k) {
        foreach (array_slice(file("/proc/sysvipc/$kind"), 1) as $line) {
            if ($k !== null && preg_split('/\s+/', trim($line))[0] === $k) $n++;
        }
    }
    return $n;
}

$kills = [
    'remover killed before the segment\'s IPC_RMID' => ['shmctl', rmid_call('shmctl')],
    'segment removed from outside (ipcrm -m), nothing else' => null,
    'remover killed before the semaphore\'s IPC_RMID' => ['semctl', rmid_call('semctl')],
];
$semkey = null;
foreach ($kills as $label => $kill) {
    echo "-- $label\n";
    $p = new SafeShm($key, 16384);
    $p->put('k', 'old');
    $semkey ??= semkey_of($p->info()['semid']);
    if ($kill) {
        [$syscall, $n] = $kill;
        echo 'remover: ', run($remover, "strace -qq -o /dev/null -e trace=$syscall -e inject=$syscall:error=EPERM:signal=SIGKILL:when=$n "), "\n";
    } else {
        exec('ipcrm -m ' . $p->info()['shmid'], $out, $rc);
        echo "ipcrm -m: exit=$rc\n";
    }
    echo 'a new object in a new process: ', run('$s = new SafeShm(' . $key . '); echo $s->get("k", "(fresh store)"); $s->put("n", 1); echo ", put ok";'), "\n";
    try {
        $p->put('k2', 'x');
        echo "the object attached before: still works\n";
    } catch (SafeShmException $e) {
        echo 'the object attached before: ', get_class($e), ': ', preg_replace('/0x[0-9a-f]{8}/', 'KEY', $e->getMessage()), "\n";
    }
    // whatever state it was left in, anyone can finish the removal
    (new SafeShm($key))->remove();
    unset($p);
    echo 'IPC objects of the key left: ', ipc_left((string) $key, $semkey), "\n";
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__DIR__ . '/remove_killed_midway.php', 0);
try { (new SafeShm($key))->remove(); } catch (Throwable) { exec("ipcrm -M $key 2>/dev/null"); }
test_clean(__FILE__);
?>
--EXPECT--
-- remover killed before the segment's IPC_RMID
remover: exit=137
a new object in a new process: old, put ok exit=0
the object attached before: still works
IPC objects of the key left: 0
-- segment removed from outside (ipcrm -m), nothing else
ipcrm -m: exit=0
a new object in a new process: (fresh store), put ok exit=0
the object attached before: SafeShmException: SafeShm segment KEY has been removed; create a new SafeShm object
IPC objects of the key left: 0
-- remover killed before the semaphore's IPC_RMID
remover: exit=137
a new object in a new process: (fresh store), put ok exit=0
the object attached before: SafeShmException: SafeShm segment KEY has been removed; create a new SafeShm object
IPC objects of the key left: 0
