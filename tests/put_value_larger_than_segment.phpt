--TEST--
SafeShm::put()/add(): a value larger than the whole segment throws SafeShmFullException and changes nothing
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=1
memory_limit=256M
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 4096);
$s->put('k', 'old');
$tries = [
    'string 4096' => str_repeat('x', 4096),
    'string 4097' => str_repeat('x', 4097),
    'string 1 MiB' => str_repeat('x', 1 << 20),
    'string 16 MiB' => str_repeat('x', 16 << 20),
    'array' => range(1, 10000),
    'object' => (object) ['blob' => str_repeat('y', 100000)],
];
foreach ($tries as $label => $v) {
    foreach (['put k', 'put new', 'add new'] as $op) {
        try {
            match ($op) {
                'put k' => $s->put('k', $v),
                'put new' => $s->put('new', $v),
                'add new' => $s->add('new', $v),
            };
            echo "$label/$op: stored\n";
        } catch (SafeShmFullException $e) {
        } catch (Throwable $e) {
            echo "$label/$op: ", get_class($e), ': ', $e->getMessage(), "\n";
        }
    }
}
var_dump($s->get('k'), $s->has('new'), count($s), $s->verify());
$s->put('k', 'still writable');
var_dump($s->get('k'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(3) "old"
bool(false)
int(1)
bool(true)
string(14) "still writable"
