--TEST--
safeshm_remove(), then fork: a child that merely exits leaves the semaphore to the parent, which keeps using the store as sysvshm allows; the semaphore goes when the remover detaches
--EXTENSIONS--
safeshm
pcntl
--INI--
safeshm.lock=semaphore
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
function sem_exists(int $semid): bool
{
    foreach (array_slice(file('/proc/sysvipc/sem'), 1) as $line) {
        if (preg_split('/\s+/', trim($line))[1] === (string) $semid) return true;
    }
    return false;
}
$key = test_key(__FILE__, 0);
$shm = safeshm_attach($key, 16384, 0600);
safeshm_put_var($shm, 1, 'before');
$semid = $shm->info()['semid'];
echo 'lock: ', $shm->info()['lock'], "\n";
var_dump(safeshm_remove($shm));
foreach (['exit()' => fn() => exit(0), 'end of script' => null] as $how => $end) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        if ($end) $end();
        return; // ends the child's script normally
    }
    pcntl_waitpid($pid, $status);
    echo "child ended by $how; semaphore still there: ", var_export(sem_exists($semid), true), "\n";
    var_dump(safeshm_put_var($shm, 2, "after $how"), safeshm_get_var($shm, 2));
}
safeshm_detach($shm);
echo 'remover detached; semaphore still there: ', var_export(sem_exists($semid), true), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
try { (new SafeShm(test_key(__DIR__ . '/fn_remove_fork_child_exit.php', 0)))->remove(); } catch (Throwable) {}
test_clean(__FILE__);
?>
--EXPECT--
lock: semaphore
bool(true)
child ended by exit(); semaphore still there: true
bool(true)
string(12) "after exit()"
child ended by end of script; semaphore still there: true
bool(true)
string(19) "after end of script"
remover detached; semaphore still there: false
