--TEST--
SafeShm::put()/add(): a resource, or an array holding one, is a TypeError (serialize() would store it as 0, and get() could not return it); nothing is stored
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__, 0), 16384);
$s->put('k', 'old');
$fh = fopen('php://memory', 'r');
$nested = ['a' => [1, 2, ['deep' => $fh]]];
$recursive = [1];
$recursive[] = &$recursive;
foreach (['put resource' => fn() => $s->put('k', $fh), 'put nested' => fn() => $s->put('k', $nested),
          'add resource' => fn() => $s->add('new', $fh), 'put closed resource' => fn() => $s->put('k', (function () { $h = fopen('php://memory', 'r'); fclose($h); return $h; })()),
          'recursive array without one' => fn() => $s->put('r', $recursive)] as $label => $f) {
    try {
        $f();
        echo "$label: stored\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump($s->get('k'), $s->has('new'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
try { (new SafeShm(test_key(__DIR__ . '/value_resource_refused.php', 0)))->remove(); } catch (Throwable) {}
test_clean(__FILE__);
?>
--EXPECT--
put resource: TypeError: SafeShm::put(): Argument #2 ($value) cannot be a resource, nor hold one: it would be stored as 0
put nested: TypeError: SafeShm::put(): Argument #2 ($value) cannot be a resource, nor hold one: it would be stored as 0
add resource: TypeError: SafeShm::add(): Argument #2 ($value) cannot be a resource, nor hold one: it would be stored as 0
put closed resource: TypeError: SafeShm::put(): Argument #2 ($value) cannot be a resource, nor hold one: it would be stored as 0
recursive array without one: stored
string(3) "old"
bool(false)
