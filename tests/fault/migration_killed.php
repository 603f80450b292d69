<?php
/*
 * A migration to layout 3 killed halfway is finished by the next attacher.
 *
 * A store of layout 1 or 2 (a genuine image written with shmop, see
 * test_old_image() in tests/_ipc.inc) is migrated by the first process of
 * this release that attaches it (safeshm_upgrade.c): the old segment is
 * copied into a backup segment, the store is formatted as layout 3 and every
 * entry of the backup is put into it, then the backup is removed. With the
 * hooks build every fault point of the migration's format and puts sleeps;
 * the migrating process is stopped and SIGKILLed inside a put, inside the
 * formatting, inside an index growth, or at a random instant (which may be
 * the copy into the backup). Then the next attacher must find every entry
 * with its type, layout 3, the lock kind the old header recorded, verify()
 * true, and no backup segment left.
 *
 * Usage: php -d extension=build-hooks/modules/safeshm.so tests/fault/migration_killed.php [attempts=80] [seed]
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

$attempts = max(1, (int) ($argv[1] ?? 80));
$seed = isset($argv[2]) ? (int) $argv[2] : random_int(1, 1 << 30);
const SEGMENT_SIZE = 65536;

T::start("migration_killed: $attempts migrations of a layout-1/2 store SIGKILLed halfway, seed $seed", 120);
if (!T::hooks()) {
    T::check(false, 'the fault hooks are compiled in (run with build-hooks/modules/safeshm.so)',
        'without safeshm.test_fault_delay_us a migration is over before a kill can land inside it');
    T::finish();
}
mt_srand($seed);

/** 150 entries of every type the old layouts stored, some keys ints. */
function entries(int $seed): array
{
    mt_srand($seed);
    $e = [];
    for ($i = 0; $i < 150; $i++) {
        $r = mt_rand(1, 10);
        $v = match (true) {
            $r <= 4 => str_repeat(chr(mt_rand(0, 255)), mt_rand(0, 300)),
            $r === 5 => mt_rand(PHP_INT_MIN, PHP_INT_MAX),
            $r === 6 => mt_rand() / 7,
            $r === 7 => [mt_rand(0, 1) === 1, null],
            $r === 8 => ['k' => $i, 'list' => range(0, mt_rand(0, 20))],
            default => [false, true, null][mt_rand(0, 2)],
        };
        if ($r === 7) {
            $v = $v[0]; // a bool
        }
        $e[] = [$i % 9 === 4 ? 5000 + $i : sprintf('m%03d/%s', $i, str_repeat('x', $i % 5)), $v];
    }
    return $e;
}

/** What is under the key and the backup key right after the kill. */
function state(int $key): string
{
    $shm = @shmop_open($key, 'a', 0, 0);
    $head = $shm ? shmop_read($shm, 0, 8) : '';
    $store = match (true) {
        $head === '' => 'no store',
        substr($head, 0, 4) === 'FSHM' => 'layout ' . unpack('V', $head, 4)[1],
        substr($head, 0, 4) === 'FRMF' => 'being formatted',
        substr($head, 0, 4) === "\0\0\0\0" => 'magic 0',
        default => 'magic ' . bin2hex(substr($head, 0, 4)),
    };
    $b = @shmop_open(test_backup_key($key), 'a', 0, 0);
    $backup = !$b ? 'no backup'
        : (substr(shmop_read($b, TEST_OLD_HDR_FIELDS['reserved'][0], 15), 0, 15) === 'SafeShm-backup:' ? 'a backup' : 'an unfinished backup');
    return "$store, $backup";
}

const HUNTS = [
    'a put' => ['put:written', 'put:published'],
    'formatting' => ['format:begin', 'format:written'],
    'an index growth' => ['index:built', 'index:published'],
];

$key = T::storeName('migration');
$bkey = test_backup_key($key);
$points = $states = $missed = [];
for ($n = 1; $n <= $attempts; $n++) {
    $version = $n % 4 === 0 ? 1 : 2;
    $kind = $version === 2 && intdiv($n, 2) % 2 === 1 ? 1 : 0;
    $mode = ['a put', 'a put', 'formatting', 'an index growth', 'random'][$n % 5];
    $entries = entries($n);
    test_ipc_remove($key, $bkey);
    test_shm_write($key, test_old_image(SEGMENT_SIZE, $entries, $version, $kind));
    $delay = $mode === 'formatting' ? 20000 : mt_rand(50, 200);

    $pid = pcntl_fork();
    if ($pid === 0) {
        pcntl_alarm(0);
        ini_set('safeshm.test_fault_delay_us', (string) $delay);
        try {
            new SafeShm($key);
        } catch (Throwable) {
        }
        exit(0);
    }
    T::trackChild($pid);
    if ($mode === 'random') {
        usleep(mt_rand(0, 40000));
        $where = FaultPoint::stop($pid);
    } else {
        // formatting has two points: each in turn (a hunt stops at the first it meets)
        $targets = $mode === 'formatting' ? [HUNTS[$mode][intdiv($n, 5) % 2]] : HUNTS[$mode];
        $deadline = microtime(true) + 0.5;
        for (;;) {
            usleep(mt_rand(100, 1500));
            $where = FaultPoint::stop($pid);
            if ($where === 'gone' || in_array($where, $targets, true) || microtime(true) >= $deadline) {
                break;
            }
            posix_kill($pid, SIGCONT);
        }
        if (!in_array($where, $targets, true)) {
            $missed[$mode] = ($missed[$mode] ?? 0) + 1;
        }
    }
    if ($where !== 'gone') {
        posix_kill($pid, SIGKILL);
        pcntl_waitpid($pid, $st);
    }
    T::untrackChild($pid);
    $points[$where] = ($points[$where] ?? 0) + 1;
    $state = state($key);
    $states[$state] = ($states[$state] ?? 0) + 1;
    $label = "attempt $n (layout $version, " . ($kind ? 'mutex' : 'semaphore') . ", killed at $where: $state)";

    // the next attacher finishes it
    try {
        $s = new SafeShm($key);
        $i = $s->info();
        $bad = [];
        foreach ($entries as [$k, $v]) {
            if ($s->get($k, '(absent)') !== $v) {
                $bad[] = var_export($k, true);
            }
        }
        T::check(!$bad && count($s) === count($entries), "$label: every entry is there with its type",
            count($bad) . ' of ' . count($entries) . ' differ: ' . implode(', ', array_slice($bad, 0, 5)), true);
        T::check($i['layout_version'] === 3 && $i['lock'] === ($kind ? 'mutex' : 'semaphore'),
            "$label: layout 3, with the lock kind the old header recorded", "layout {$i['layout_version']}, {$i['lock']}", true);
        T::check($s->verify() === true, "$label: verify()", '', true);
        T::check(!isset(test_ipc_list('shm')[$bkey]), "$label: no backup segment left", sprintf('0x%08x', $bkey), true);
        $s->remove();
        unset($s);
    } catch (Throwable $e) {
        T::check(false, "$label: the next attacher finishes the migration", get_class($e) . ': ' . $e->getMessage(), true);
    }
}

// Killed while making the backup: the store is still the old one, and the next attacher makes the backup again.
// The backup is the old bytes followed by a 64-byte trailer (safeshm_upgrade.c): who it belongs to, written right
// after the segment is made, then "complete" once the copy is done. The states such a kill leaves, made directly:
// a segment of the backup's size with no trailer yet (killed right after making it), and one whose trailer names
// this store but whose copy is half done (not complete).
$trailer = fn(int $k, int $size) => str_pad('SafeShm-backup', 16, "\0") . pack('l', $k) . pack('V', 0) . pack('P', $size);
foreach (['empty, no trailer' => fn($img) => str_repeat("\0", strlen($img) + 64),
        'half copied, trailer without complete' => fn($img) => substr($img, 0, intdiv(strlen($img), 2))
            . str_repeat("\0", strlen($img) - intdiv(strlen($img), 2)) . str_pad($trailer($key, strlen($img)), 64, "\0")] as $what => $backup) {
    $entries = entries(1000);
    $image = test_old_image(SEGMENT_SIZE, $entries, 2, 0);
    test_ipc_remove($key, $bkey);
    test_shm_write($key, $image);
    test_shm_write($bkey, $backup($image));
    try {
        $s = new SafeShm($key);
        $ok = count($s) === count($entries) && $s->info()['layout_version'] === 3 && $s->verify() === true;
        T::check($ok && !isset(test_ipc_list('shm')[$bkey]), "killed while making the backup ($what): the next attacher migrates it, every entry there, no backup left",
            'entries ' . count($s) . ', layout ' . $s->info()['layout_version']);
        $s->remove();
        unset($s);
    } catch (Throwable $e) {
        T::check(false, "killed while making the backup ($what): the next attacher migrates it", get_class($e) . ': ' . $e->getMessage());
    }
}
// A segment of another size under the backup key is somebody else's: refused, both left alone.
$entries = entries(100);
$image = test_old_image(SEGMENT_SIZE, $entries, 2, 0);
test_ipc_remove($key, $bkey);
test_shm_write($key, $image);
test_shm_write($bkey, str_repeat('x', 4096));
try {
    new SafeShm($key);
    T::check(false, 'a foreign segment under the backup key: the migration is refused', 'it was not');
} catch (SafeShmException $e) {
    T::check(str_contains($e->getMessage(), 'backup key') && test_shm_read($key) === $image,
        'a foreign segment under the backup key: the migration is refused, the store left as it was', $e->getMessage());
}
test_ipc_remove($key, $bkey);
ksort($points);
arsort($states);
$fmt = fn(array $a) => implode(', ', array_map(fn($k, $v) => "$k $v", array_keys($a), $a));
echo "migrating process killed at: ", $fmt($points), ($missed ? '; hunts that missed their point: ' . $fmt($missed) : ''), "\n";
echo "left behind: ", $fmt($states), "\n";
T::check(($points['put:written'] ?? 0) + ($points['put:published'] ?? 0) >= $attempts / 5, 'kills landed inside the puts of the migration',
    $fmt($points));
T::finish();
