--TEST--
SafeShm: a store whose first 64 header bytes are overwritten with garbage is refused (SafeShmException), never crashes, never written
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
/** Attaches from a fresh PHP process, which has no attachment cached. */
function fresh_attach(int $key): string {
        $code = 'try { new SafeShm(' . $key . '); echo "ok"; } catch (SafeShmCorruptException $e) { echo "corrupt"; }'
          . ' catch (SafeShmException $e) { echo get_class($e) === "SafeShmException" ? "refused" : get_class($e); }';
    return trim((string) shell_exec(test_php() . ' -r ' . escapeshellarg($code) . ' 2>&1'));
}
$s = new SafeShm($key, 65536);
for ($i = 0; $i < 20; $i++) $s->put("k$i", str_repeat('v', $i * 10));
var_dump(fresh_attach($key));
$raw = shmop_open($key, 'w', 0, 0);
$orig = shmop_read($raw, 0, 64);
mt_srand(1234);
$patterns = ['all 0xff' => str_repeat("\xff", 64), 'all zero' => str_repeat("\0", 64)];
for ($p = 1; $p <= 5; $p++) {
    $g = '';
    for ($i = 0; $i < 64; $i++) $g .= chr(mt_rand(0, 255));
    $patterns["random $p"] = $g;
}
foreach ($patterns as $label => $garbage) {
    shmop_write($raw, $garbage, 0);
    $snapshot = shmop_read($raw, 0, 65536);
    $results = ['fresh process=' . fresh_attach($key)];
    foreach (['new' => fn() => new SafeShm($key),
              'get' => fn() => $s->get('k1'),
              'put' => fn() => $s->put('k1', 'overwrite'),
              'increment' => fn() => $s->increment('n'),
              'keys' => fn() => $s->keys(),
              'verify' => fn() => $s->verify()] as $op => $f) {
        try {
            $r = $f();
            // A lock-free get checks the header too: it never returns data from a store it does not recognise.
            $results[] = "$op=" . ($op === 'get' && $r === str_repeat('v', 10) ? 'intact' : 'returned ' . json_encode($r));
        } catch (SafeShmException $e) {
            $results[] = "$op=" . ($e instanceof SafeShmCorruptException ? 'corrupt'
                : (get_class($e) === 'SafeShmException' ? 'refused' : get_class($e)));
        }
    }
    $untouched = shmop_read($raw, 0, 65536) === $snapshot;
    echo "$label: ", implode(' ', $results), ', untouched: ', $untouched ? 'yes' : 'NO', "\n";
    shmop_write($raw, $orig, 0);
}
// Restored, the store works again, for existing objects and new processes alike.
$t = new SafeShm($key);
$bad = 0;
for ($i = 0; $i < 20; $i++) if ($t->get("k$i") !== str_repeat('v', $i * 10)) $bad++;
var_dump($bad, $t->verify(), $s->get('k3'), fresh_attach($key));
$s->put('after', 'restore');
var_dump($t->get('after'));
$t->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(2) "ok"
all 0xff: fresh process=refused new=refused get=refused put=refused increment=refused keys=refused verify=refused, untouched: yes
all zero: fresh process=refused new=refused get=refused put=refused increment=refused keys=refused verify=refused, untouched: yes
random 1: fresh process=refused new=refused get=refused put=refused increment=refused keys=refused verify=refused, untouched: yes
random 2: fresh process=refused new=refused get=refused put=refused increment=refused keys=refused verify=refused, untouched: yes
random 3: fresh process=refused new=refused get=refused put=refused increment=refused keys=refused verify=refused, untouched: yes
random 4: fresh process=refused new=refused get=refused put=refused increment=refused keys=refused verify=refused, untouched: yes
random 5: fresh process=refused new=refused get=refused put=refused increment=refused keys=refused verify=refused, untouched: yes
int(0)
bool(true)
string(30) "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
string(2) "ok"
string(7) "restore"
