--TEST--
SafeShm::remember() with $stale: an entry past its $ttl but within $stale is returned at once to other callers while one process recomputes it; past $ttl + $stale it is a miss again
--EXTENSIONS--
safeshm
pcntl
--INI--
safeshm.lock_timeout=10
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
$compute = fn($v) => fn() => $v;

echo "-- stored with a TTL of \$ttl + \$stale\n";
var_dump($s->remember('k', $compute('v1'), 0.5, 30));
$ttl = $s->meta('k')['ttl'];
echo 'ttl left is over $ttl and at most $ttl + $stale: ', var_export($ttl > 0.5 && $ttl <= 30.5, true), "\n";
echo "fresh: no recompute: ", $s->remember('k', $compute('NOT CALLED'), 0.5, 30), "\n";
usleep(1000000); // past $ttl, within $stale

echo "-- stale: one process recomputes (until told to finish), the others get the stale value at once\n";
[$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
    fclose($parentEnd);
    $o = new SafeShm($key);
    $v = $o->remember('k', function () use ($o) {
        $o->put('refreshing', true);
        for ($i = 0; $i < 2000 && !$o->has('go'); $i++) {
            usleep(5000); // until the parent has made its calls
        }
        $o->put('refreshed', true);
        return 'v2';
    }, 0.5, 30);
    fwrite($childEnd, $v);
    exit(0);
}
fclose($childEnd);
for ($i = 0; $i < 1000 && !$s->has('refreshing'); $i++) {
    usleep(5000);
}
echo "a process is recomputing: ", var_export($s->has('refreshing'), true), "\n";
$calls = 0;
$got = [];
for ($i = 0; $i < 3; $i++) {
    $got[] = $s->remember('k', function () use (&$calls) { $calls++; return 'computed here'; }, 0.5, 30);
}
echo "meanwhile: got ", json_encode($got), ", computed here $calls times, the recompute had not finished: ",
    var_export(!$s->has('refreshed'), true), "\n";
$s->put('go', true);
echo "the recomputing process got: ", stream_get_contents($parentEnd), "\n";
pcntl_waitpid($pid, $st);
echo "after it: ", $s->remember('k', $compute('NOT CALLED'), 0.5, 30), "\n";

echo "-- past \$ttl + \$stale: a miss, computed by the caller\n";
$s->remember('short', $compute('old'), 0.1, 0.1);
usleep(500000);
echo $s->remember('short', $compute('new'), 0.1, 0.1), "\n";
echo "-- \$stale without \$ttl: never stale (stored without expiry)\n";
$s->remember('forever', $compute('f'), 0, 5);
var_dump($s->meta('forever')['ttl'], $s->remember('forever', $compute('NOT CALLED'), 0, 5));
echo "markers left: ", $s->info()['locks'], "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
-- stored with a TTL of $ttl + $stale
string(2) "v1"
ttl left is over $ttl and at most $ttl + $stale: true
fresh: no recompute: v1
-- stale: one process recomputes (until told to finish), the others get the stale value at once
a process is recomputing: true
meanwhile: got ["v1","v1","v1"], computed here 0 times, the recompute had not finished: true
the recomputing process got: v2
after it: v2
-- past $ttl + $stale: a miss, computed by the caller
new
-- $stale without $ttl: never stale (stored without expiry)
NULL
string(1) "f"
markers left: 0
