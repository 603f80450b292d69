--TEST--
SafeShm::remember() multi-process: when the computing process is SIGKILLed (reaped or still a zombie) or its $compute throws, exactly one waiting process takes over and every waiter gets its value
--EXTENSIONS--
safeshm
pcntl
posix
--INI--
safeshm.lock_timeout=10
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);

/** Forks a child running $fn(SafeShm); returns [pid, socket to read its serialized result from]. */
function spawn(int $key, callable $fn): array {
    [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    $pid = pcntl_fork();
    if ($pid === 0) {
        fclose($parentEnd);
        try {
            $out = $fn(new SafeShm($key));
        } catch (Throwable $e) {
            $out = ['error' => get_class($e) . ': ' . $e->getMessage()];
        }
        fwrite($childEnd, serialize($out));
        exit(0);
    }
    fclose($childEnd);
    return [$pid, $parentEnd];
}

function wait_for(SafeShm $s, string $k): bool {
    for ($i = 0; $i < 1000 && !$s->has($k); $i++) {
        usleep(10000);
    }
    return $s->has($k);
}

function scenario(SafeShm $s, int $key, string $name, string $how): void {
    echo "-- $name\n";
    $k = "report-$how";
    // the first caller computes slowly (and dies, or throws)
    [$firstPid, $firstSock] = spawn($key, function (SafeShm $o) use ($k, $how) {
        return ['v' => $o->remember($k, function () use ($o, $k, $how) {
            $o->put("$k:computing", getmypid());
            if ($how === 'throws') {
                usleep(300000);
                throw new RuntimeException('compute failed');
            }
            sleep(30); // killed long before
            return 'first';
        }, 60)];
    });
    echo "first caller computing: ", var_export(wait_for($s, "$k:computing"), true), "\n";
    $waiters = [];
    for ($w = 0; $w < 5; $w++) {
        $waiters[] = spawn($key, function (SafeShm $o) use ($k) {
            return ['v' => $o->remember($k, function () use ($o, $k) {
                $o->add("$k:takeover_at", hrtime(true));
                $o->increment("$k:takeovers");
                return 'computed by waiter ' . getmypid();
            }, 60), 'pid' => getmypid()];
        });
    }
    if ($how !== 'throws') {
        usleep(200000); // the waiters are asleep on the marker by now
        $t = hrtime(true);
        posix_kill($firstPid, SIGKILL);
        if ($how === 'reaped') {
            pcntl_waitpid($firstPid, $st);
        }
    } else {
        $t = null;
    }
    $got = [];
    foreach ($waiters as [$pid, $sock]) {
        $got[] = unserialize(stream_get_contents($sock));
        pcntl_waitpid($pid, $st);
    }
    $first = stream_get_contents($firstSock);
    if ($how !== 'reaped') {
        pcntl_waitpid($firstPid, $st); // a zombie until now
    }
    $stored = $s->get($k);
    $same = count(array_filter($got, fn($r) => ($r['v'] ?? null) === $stored));
    $errors = array_filter(array_map(fn($r) => $r['error'] ?? null, $got));
    echo "first caller: ", $how === 'throws' ? (unserialize($first)['error'] ?? 'no exception') : ($first === '' ? 'killed, no answer' : $first), "\n";
    echo "waiters that computed: ", $s->get("$k:takeovers"), "; waiters that got the stored value: $same of 5; errors: ", count($errors), $errors ? ' ' . implode('; ', $errors) : '', "\n";
    echo "stored value is a waiter's: ", var_export(is_string($stored) && str_starts_with($stored, 'computed by waiter'), true), "\n";
    if ($t !== null) {
        // issue 11 says within 100 ms; measured, not asserted (the machine may be loaded)
        printf("a waiter took over %d ms after the kill\n", round(($s->get("$k:takeover_at") - $t) / 1e6));
    }
    echo "markers left: ", $s->info()['locks'], "\n";
}

scenario($s, $key, 'computing process SIGKILLed and reaped', 'reaped');
scenario($s, $key, 'computing process SIGKILLed, still a zombie (not reaped) while the waiters look', 'zombie');
scenario($s, $key, '$compute throws in the computing process', 'throws');
var_dump($s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
-- computing process SIGKILLed and reaped
first caller computing: true
first caller: killed, no answer
waiters that computed: 1; waiters that got the stored value: 5 of 5; errors: 0
stored value is a waiter's: true
a waiter took over %d ms after the kill
markers left: 0
-- computing process SIGKILLed, still a zombie (not reaped) while the waiters look
first caller computing: true
first caller: killed, no answer
waiters that computed: 1; waiters that got the stored value: 5 of 5; errors: 0
stored value is a waiter's: true
a waiter took over %d ms after the kill
markers left: 0
-- $compute throws in the computing process
first caller computing: true
first caller: RuntimeException: compute failed
waiters that computed: 1; waiters that got the stored value: 5 of 5; errors: 0
stored value is a waiter's: true
markers left: 0
bool(true)
