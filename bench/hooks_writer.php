<?php
// One mutation of a SafeShm store, run by bench/compare.php under the test build (tools/build-hooks.sh), whose
// safeshm.test_fault_delay_us sleeps at every fault point of the mutation: the benchmark SIGSTOPs this process
// during such a sleep, while it holds the store's lock with the mutation half done.
//
// usage: php -n -d extension=build-hooks/modules/safeshm.so -d safeshm.test_fault_delay_us=US \
//            bench/hooks_writer.php IPC-KEY put|delete|increment KEY [VALUE]

declare(strict_types=1);

[, $ipcKey, $op, $key] = $argv + [null, '', '', ''];
$value = $argv[4] ?? '';
if (ini_get('safeshm.test_fault_delay_us') === false) {
    fwrite(STDERR, "hooks_writer.php needs the test build (tools/build-hooks.sh)\n");
    exit(2);
}
$s = new SafeShm((int) $ipcKey);
$r = match ($op) {
    'put' => $s->put($key, $value),
    'delete' => $s->delete($key),
    'increment' => $s->increment($key),
    default => throw new ValueError("unknown operation $op"),
};
echo json_encode(['op' => $op, 'result' => $r]), "\n";
