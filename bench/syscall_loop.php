<?php
// The loop bench/compare.php runs under `strace -f -c`: ITERATIONS x (put + get + increment) on one store,
// after opening it. Run with 0 iterations too: the difference is what the operations themselves cost in
// system calls.
//
// usage: php -n -d extension=... bench/syscall_loop.php safeshm|apcu IPC-KEY ITERATIONS

declare(strict_types=1);

[, $store, $ipcKey, $n] = $argv + [null, '', '0', '0'];
$n = (int) $n;
$v = json_encode(['zmq' => ['host' => '19.168.1.100', 'port' => '8899', 'createTime' => 1542110838]]);
if ($store === 'safeshm') {
    $s = new SafeShm((int) $ipcKey);
    $s->put('k', $v);
    $s->put('n', 0);
    for ($i = 0; $i < $n; $i++) {
        $s->put('k', $v);
        $x = $s->get('k');
        $s->increment('n');
    }
    echo $s->get('n'), "\n";
} elseif ($store === 'apcu') {
    apcu_store('k', $v);
    apcu_store('n', 0);
    for ($i = 0; $i < $n; $i++) {
        apcu_store('k', $v);
        $x = apcu_fetch('k');
        apcu_inc('n');
    }
    echo apcu_fetch('n'), "\n";
} else {
    fwrite(STDERR, "usage: syscall_loop.php safeshm|apcu IPC-KEY ITERATIONS\n");
    exit(2);
}
