<?php
/*
 * Lists the System V IPC objects the tests left on the machine, for a test runner to call after the suites:
 * segments and semaphores under the keys of every test (tests/*.phpt, tests/fault/*.php, tests/fpm), under the
 * keys of their store names, under the semaphore keys SafeShm derives from all of these, anything else in the
 * tests' key range, and the key_t boundary keys some tests must use. Also checks that no two tests share keys.
 *
 * usage: php tools/ipc-leftovers.php [--remove]
 *   prints "IPC objects left by the tests: N" (and one line per object), exits 1 when N > 0 or two tests share
 *   keys; --remove also removes what it lists. Honours SAFESHM_TEST_KEY_BASE as the tests do.
 * Needs no extension; reads /proc/sysvipc.
 */
require dirname(__DIR__) . '/tests/_ipc.inc';

$remove = in_array('--remove', $argv, true);

/** Every test id: the phpt files, the fault scripts and the php-fpm suite. */
function test_ids(): array
{
    $ids = [];
    foreach (glob(dirname(__DIR__) . '/tests/*.phpt') as $f) {
        $ids[] = test_id($f);
    }
    foreach (glob(dirname(__DIR__) . '/tests/fault/*.php') as $f) {
        if (basename($f) !== 'common.php') {
            $ids[] = 'fault-' . basename($f, '.php');
        }
    }
    $ids[] = 'fpm-run';
    return $ids;
}

$owner = [];   // key => what uses it
$blocks = [];  // first key of a test's block => test ids
foreach (test_ids() as $id) {
    $blocks[test_key($id)][] = $id;
    for ($n = 0; $n < TEST_KEYS_PER_TEST; $n++) {
        $owner[test_key($id, $n)] = "$id #$n";
        $owner[test_name_key(test_name($id, $n))] = "$id, store name " . test_name($id, $n);
    }
}
test_boundary_keys_lock(); // a boundary-key test of another run finishes first
foreach (TEST_BOUNDARY_KEYS as $k) {
    $owner[$k] = sprintf('key_t boundary key %d', $k);
}
$semOwner = [];
foreach ($owner as $k => $what) {
    $semOwner[test_sem_key($k)] = "the semaphore of $what";
}
$base = test_key_base();
$inRange = fn(int $k) => $k >= $base && $k < $base + TEST_KEY_SPAN;

$left = [];
foreach (['shm' => $owner, 'sem' => $semOwner + $owner] as $kind => $known) {
    foreach (test_ipc_list($kind) as $key => $id) {
        $what = $known[$key] ?? ($inRange($key) ? "in the tests' key range" : null);
        if ($what !== null) {
            $left[] = [$kind, $key, $id, $what];
        }
    }
}
$shared = array_filter($blocks, fn($ids) => count($ids) > 1);

echo 'IPC objects left by the tests: ', count($left), "\n";
foreach ($left as [$kind, $key, $id, $what]) {
    printf("  %s key 0x%08x id %d: %s\n", $kind, $key & 0xFFFFFFFF, $id, $what);
}
foreach ($shared as $first => $ids) {
    printf("  tests sharing the keys from 0x%08x: %s (rename one)\n", $first, implode(', ', $ids));
}
if ($remove && $left) {
    exec('ipcrm ' . implode(' ', array_map(fn($l) => ($l[0] === 'shm' ? '-m ' : '-s ') . $l[2], $left)) . ' 2>&1', $out, $rc);
    echo $rc === 0 ? "  removed\n" : '  ipcrm: ' . implode(' ', $out) . "\n";
}
exit($left || $shared ? 1 : 0);
