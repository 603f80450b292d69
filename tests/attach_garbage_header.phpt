--TEST--
SafeShm: a store whose first 64 header bytes are overwritten with garbage is refused (SafeShmException), never crashes, never written
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
$key = ftok(__FILE__, 'a');
$s = new SafeShm($key, 65536);
for ($i = 0; $i < 20; $i++) $s->put("k$i", str_repeat('v', $i * 10));
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
    $results = [];
    foreach (['new' => fn() => new SafeShm($key),
              'get' => fn() => $s->get('k1'),
              'put' => fn() => $s->put('k1', 'overwrite'),
              'increment' => fn() => $s->increment('n'),
              'keys' => fn() => $s->keys(),
              'verify' => fn() => $s->verify()] as $op => $f) {
        try {
            $f();
            $results[] = "$op=ok";
        } catch (SafeShmException $e) {
            $results[] = "$op=" . ($e instanceof SafeShmCorruptException ? 'corrupt' : 'refused');
        }
    }
    $untouched = shmop_read($raw, 0, 65536) === $snapshot;
    // A new object may be refused as foreign or as corrupt; existing objects must not use the segment.
    $ok = !in_array('new=ok', $results) && !in_array('get=ok', $results) && !in_array('put=ok', $results)
        && !in_array('increment=ok', $results) && !in_array('keys=ok', $results) && !in_array('verify=ok', $results);
    echo "$label: ", $ok ? 'refused' : implode(' ', $results), ', untouched: ', $untouched ? 'yes' : 'NO', "\n";
    shmop_write($raw, $orig, 0);
}
$t = new SafeShm($key);
$bad = 0;
for ($i = 0; $i < 20; $i++) if ($t->get("k$i") !== str_repeat('v', $i * 10)) $bad++;
var_dump($bad, $t->verify(), $s->get('k3'));
$t->remove();
?>
--CLEAN--
<?php
$key = ftok(__DIR__ . '/attach_garbage_header.php', 'a');
try { (new SafeShm($key))->remove(); } catch (Throwable) {
    $id = @shmop_open($key, 'w', 0, 0);
    if ($id) shmop_delete($id);
}
?>
--EXPECT--
all 0xff: refused, untouched: yes
all zero: refused, untouched: yes
random 1: refused, untouched: yes
random 2: refused, untouched: yes
random 3: refused, untouched: yes
random 4: refused, untouched: yes
random 5: refused, untouched: yes
int(0)
bool(true)
string(30) "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
