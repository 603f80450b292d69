--TEST--
SafeShm::importSysvshm(): copies every variable of a sysvshm segment (after replaces and removes) with its type, returns the count, and only reads the segment
--EXTENSIONS--
safeshm
sysvshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
enum Suit { case Hearts; }
class Point { public function __construct(public int $x = 0, public int $y = 0) {} }
$old = test_key(__FILE__);
$new = test_key(__FILE__, 1);
$shm = shm_attach($old, 32768, 0600);
$values = [1 => 'string', 2 => "bin\0ary", 3 => 42, 4 => -1.5, 5 => true, 6 => false, 7 => null,
           8 => ['nested' => [1, 2, ['x' => 'y']]], 9 => new Point(1, 2), 10 => Suit::Hearts,
           -5 => 'negative key', PHP_INT_MAX => 'max key', 0 => 'zero key', 11 => str_repeat('L', 5000)];
foreach ($values as $k => $v) shm_put_var($shm, $k, $v);
shm_put_var($shm, 1, 'replaced');      // sysvshm moves the chunk to the end
shm_put_var($shm, 12, 'removed later');
shm_remove_var($shm, 12);
$values[1] = 'replaced';
$raw = shmop_open($old, 'a', 0, 0);
$before = shmop_read($raw, 0, shmop_size($raw));

$s = new SafeShm($new, 65536, 0600);
$s->put('unrelated', 'kept');
$s->put(3, 'overwritten by the import');
var_dump($s->importSysvshm($old));
$same = 0;
foreach ($values as $k => $v) {
    $got = $s->get($k);
    if (is_object($v) && !$v instanceof UnitEnum ? $got == $v && $got instanceof Point : $got === $v) $same++;
    else echo "differs: $k\n";
}
echo "identical: $same of ", count($values), "\n";
var_dump($s->has(12), $s->get('unrelated'), count($s), $s->verify());
// Read through the procedural API and by another process.
var_dump(safeshm_get_var(safeshm_attach($new), -5));
echo 'other process: ', shell_exec(test_php() . ' -r ' . escapeshellarg('echo (new SafeShm(' . $new . '))->get(PHP_INT_MAX);') . ' 2>&1'), "\n";
// The sysvshm segment is only read.
echo 'sysvshm bytes untouched: ', shmop_read($raw, 0, shmop_size($raw)) === $before ? 'yes' : 'NO', "\n";
var_dump(shm_get_var($shm, 1), shm_put_var($shm, 13, 'old processes keep writing'));
// Importing again replaces with the current values.
shm_put_var($shm, 2, 'changed');
var_dump($s->importSysvshm($old), $s->get(2), $s->get(13), count($s));
// An empty sysvshm segment imports nothing.
$empty = test_key(__FILE__, 2);
$e = shm_attach($empty, 1000, 0600);
var_dump($s->importSysvshm($empty), count($s));
shm_remove($e);
shm_remove($shm);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
int(14)
identical: 14 of 14
bool(false)
string(4) "kept"
int(15)
bool(true)
string(12) "negative key"
other process: max key
sysvshm bytes untouched: yes
string(8) "replaced"
bool(true)
int(15)
string(7) "changed"
string(26) "old processes keep writing"
int(16)
int(0)
int(16)
