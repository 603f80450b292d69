--TEST--
SafeShm::importSysvshm() while another process keeps writing the sysvshm segment (a migration in progress): every import is a consistent snapshot or a SafeShmCorruptException, never a crash or a fatal error
--EXTENSIONS--
safeshm
sysvshm
shmop
pcntl
posix
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// The writer is ext/sysvshm itself: unlocked shm_put_var() replaces move chunks (memmove) while the importer
// reads. Every value says which key it belongs to, so a torn or mixed-up copy cannot pass for a good one.
// How many imports get a snapshot depends on how the two processes are scheduled (a busy machine may give
// none): what must hold is that none crashes, none is a mix, and an import is exact once the writer stops.
$old = test_key(__FILE__, 0);
$new = test_key(__FILE__, 1);
const KEYS = 24;
function value_for(int $key, int $round): string|array
{
    $len = 40 + ($round * 37 + $key * 11) % 700; // sizes change with every write: chunks move
    $s = str_repeat(chr(65 + $key % 26), $len);
    return $round % 3 ? $s : ['key' => $key, 'pad' => $s];
}
function well_formed(int $key, mixed $v): bool
{
    if (is_array($v)) {
        if (array_keys($v) !== ['key', 'pad'] || $v['key'] !== $key) return false;
        $v = $v['pad'];
    }
    return is_string($v) && strlen($v) >= 40 && $v === str_repeat(chr(65 + $key % 26), strlen($v));
}

$shm = shm_attach($old, 65536, 0600);
for ($k = 1; $k <= KEYS; $k++) shm_put_var($shm, $k, value_for($k, 0));

$parent = getmypid();
$pid = pcntl_fork();
if ($pid === 0) {
    // stops between two writes on SIGTERM (a SIGKILL inside shm_put_var() would leave the sysvshm segment
    // itself half-written: sysvshm has no lock), by itself when the parent is gone (a crashed importer) or after 30 s
    $stop = false;
    pcntl_async_signals(true);
    pcntl_signal(SIGTERM, function () use (&$stop) { $stop = true; });
    $end = microtime(true) + 30;
    for ($round = 1; !$stop && posix_getppid() === $parent && microtime(true) < $end; $round++) {
        for ($k = 1; $k <= KEYS && !$stop; $k++) shm_put_var($shm, $k, value_for($k, $round));
    }
    exit(0);
}

$s = new SafeShm($new, 1 << 20, 0600);
$snapshots = $corrupt = $bad = 0;
$other = [];
$deadline = microtime(true) + 2.0;
while (microtime(true) < $deadline || $snapshots + $corrupt < 20) {
    try {
        $n = $s->importSysvshm($old);
        $snapshots++;
        if ($n > KEYS) $bad++;
        for ($k = 1; $k <= KEYS; $k++) {
            if ($s->has($k) && !well_formed($k, $s->get($k))) {
                $bad++;
            }
        }
    } catch (SafeShmCorruptException $e) {
        $corrupt++;
    } catch (Throwable $e) {
        $other[get_class($e) . ': ' . preg_replace('/0x[0-9a-f]+|\d+/', 'N', $e->getMessage())] = 1;
    }
}
posix_kill($pid, SIGTERM);
pcntl_waitpid($pid, $status);
echo "imports: ", $snapshots + $corrupt, " (snapshots $snapshots, SafeShmCorruptException $corrupt)\n";
echo "values that are not one the writer wrote for their key: $bad\n";
echo "other exceptions: ", $other ? implode('; ', array_keys($other)) : 'none', "\n";
var_dump($s->verify());
// With the writer gone, an import is exact.
var_dump($s->importSysvshm($old));
$exact = 0;
for ($k = 1; $k <= KEYS; $k++) $exact += $s->get($k) === shm_get_var($shm, $k);
echo "exact after the writer stopped: $exact of ", KEYS, "\n";
shm_remove($shm);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
$id = @shmop_open(test_key(__DIR__ . '/import_concurrent_sysvshm_writer.php', 0), 'w', 0, 0);
if ($id) shmop_delete($id);
try { (new SafeShm(test_key(__DIR__ . '/import_concurrent_sysvshm_writer.php', 1)))->remove(); } catch (Throwable) {}
test_clean(__FILE__);
?>
--EXPECTF--
imports: %d (snapshots %d, SafeShmCorruptException %d)
values that are not one the writer wrote for their key: 0
other exceptions: none
bool(true)
int(24)
exact after the writer stopped: 24 of 24
