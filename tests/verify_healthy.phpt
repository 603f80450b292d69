--TEST--
SafeShm::verify(): true on a fresh store and after a mix of operations and compactions
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 16384);
var_dump($s->verify());
mt_srand(7);
$full = 0;
for ($i = 0; $i < 20000; $i++) {
    $k = 'k' . mt_rand(0, 40);
    try {
        switch (mt_rand(0, 4)) {
            case 0: $s->delete($k); break;
            case 1: $s->add($k, mt_rand()); break;
            case 2: try { $s->increment($k); } catch (SafeShmException $e) { if ($e instanceof SafeShmFullException) throw $e; } break;
            default: $s->put($k, str_repeat('v', mt_rand(0, 400))); break;
        }
    } catch (SafeShmFullException $e) {
        $full++;
    }
}
var_dump($s->verify(), (new SafeShm($key))->verify());
echo 'compactions happened: ', $s->info()['compactions'] > 0 ? 'yes' : 'no', "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
compactions happened: yes
