--TEST--
SafeShm::put(): 100 000 rewrites of one key never grow the store: used stays at its value after the first write
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$value = json_encode(['zmq' => ['host' => '19.168.1.100', 'port' => '8899', 'createTime' => 15421108380]]);
var_dump(strlen($value));
$s = new SafeShm($key, 65536);
$s->put('k', $value);
$first = $s->info();
$errors = 0;
for ($i = 0; $i < 100000; $i++) {
    try {
        $s->put('k', $value);
    } catch (Throwable $e) {
        $errors++;
    }
}
$last = $s->info();
var_dump($errors, $last['used'] === $first['used'], $last['entries'], $s->get('k') === $value);
// Each rewrite retires one 112-byte record (40 + 70 + 1, rounded up to 8); compaction reclaims them when the
// arena's end is reached: 100 000 rewrites of a 60928-byte arena.
echo "dead $last[dead], compactions $last[compactions], free + used is the arena: ", var_export($last['free'] + $last['used'] === $last['arena_size'], true), "\n";

// Same on the smallest segment, with a value that takes a large part of it.
$s->remove();
$s = new SafeShm($key, 4096);
$big = str_repeat('z', 1000);
$s->put('k', $big);
$first = $s->info();
$errors = 0;
for ($i = 0; $i < 100000; $i++) {
    try {
        $s->put('k', $big);
    } catch (Throwable $e) {
        $errors++;
    }
}
var_dump($errors, $s->info()['used'] === $first['used'], $s->get('k') === $big, $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int(70)
int(0)
bool(true)
int(1)
bool(true)
dead 9856, compactions 184, free + used is the arena: true
int(0)
bool(true)
bool(true)
bool(true)
