--TEST--
SafeShm: endless put/delete of ever-new keys neither fills the store nor the index (deleted slots are reclaimed)
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 16384);
$s->put('sentinel', 'stays');
$errors = 0;
for ($i = 0; $i < 100000; $i++) {
    try {
        $s->put("churn-$i", $i);
        if (!$s->delete("churn-$i")) $errors++;
    } catch (Throwable $e) {
        $errors++;
        if ($errors === 1) echo "first error at $i: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump($errors, count($s), $s->get('sentinel'), $s->verify());
// Lookups of absent keys still terminate and say absent.
var_dump($s->has('churn-5'), $s->get('never-stored', 'absent'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int(0)
int(1)
string(5) "stays"
bool(true)
bool(false)
string(6) "absent"
