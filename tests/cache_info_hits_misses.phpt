--TEST--
SafeShm::info() hits and misses: every lock-free read of a key counts one (an expired entry is a miss); another process's reads are folded in when its request ends
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->putMultiple(['a' => 1, 'b' => 2]);
$s->put('short', 1, 0.1);
usleep(300000);
$i0 = $s->info();
$s->get('a'); $s->get('a'); $s->get('b');            // 3 hits
$s->get('x'); $s->get('y', 'default');               // 2 misses
$s->has('a'); $s->has('x');                          // 1 hit, 1 miss
$s->get('short');                                    // expired: a miss
$s->getMultiple(['a', 'b', 'x']);                    // 2 hits, 1 miss
$s->meta('a');                                       // 1 hit
$s->put('c', 3); $s->increment('c'); $s->delete('c'); // writes count neither
$i1 = $s->info();
echo "this process: hits +", $i1['hits'] - $i0['hits'], ", misses +", $i1['misses'] - $i0['misses'], "\n";
echo test_php_run('$s = new SafeShm((int) $argv[1]); for ($i = 0; $i < 4; $i++) { $s->get("a"); } $s->get("nope"); echo "child done\n";', [$key]);
$i2 = $s->info();
echo "after another process: hits +", $i2['hits'] - $i1['hits'], ", misses +", $i2['misses'] - $i1['misses'], "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
this process: hits +7, misses +5
child done
after another process: hits +4, misses +1
