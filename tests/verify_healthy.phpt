--TEST--
SafeShm::verify(): true on a fresh store, throughout a mix of operations that fills the store and makes it relocate records (compactions), and after it
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 16384);
var_dump($s->verify());
mt_srand(7);
// Values up to 1000 bytes in a 16 KiB store: it is often full, and the holes left by replaced and deleted values are
// often too small for the next one, so relocation passes run.
$full = $failed = 0;
$model = [];
for ($i = 0; $i < 20000; $i++) {
    if ($i % 500 === 0) {
        try {
            $s->verify();
        } catch (SafeShmCorruptException $e) {
            if ($failed++ === 0) echo "verify failed after $i operations: ", $e->getMessage(), "\n";
        }
    }
    $k = 'k' . mt_rand(0, 40);
    try {
        switch (mt_rand(0, 4)) {
            case 0: $s->delete($k); unset($model[$k]); break;
            case 1: $v = mt_rand(); if ($s->add($k, $v)) $model[$k] = $v; break;
            case 2:
                try {
                    $model[$k] = $s->increment($k);
                } catch (SafeShmException $e) {
                    if ($e instanceof SafeShmFullException) throw $e;
                }
                break;
            default: $v = str_repeat('v', mt_rand(0, 1000)); $s->put($k, $v); $model[$k] = $v; break;
        }
    } catch (SafeShmFullException $e) {
        $full++;
    }
}
// Every entry is what the operations that succeeded left (a refused one changed nothing).
$wrong = 0;
for ($j = 0; $j <= 40; $j++) {
    if ($s->get("k$j") !== ($model["k$j"] ?? null)) $wrong++;
}
var_dump($failed, $wrong, count($s) === count($model), $s->verify(), (new SafeShm($key))->verify());
echo 'full happened: ', $full > 0 ? 'yes' : 'no', ', compactions happened: ', $s->info()['compactions'] > 0 ? 'yes' : 'no', "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
int(0)
int(0)
bool(true)
bool(true)
bool(true)
full happened: yes, compactions happened: yes
