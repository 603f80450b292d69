--TEST--
Test hooks: a putMultiple() lands in the middle of a getMultiple() (after its first key, before the others): getMultiple() returns one snapshot, all old or all new values, never a mix
--EXTENSIONS--
safeshm
shmop
--INI--
safeshm.lock_timeout=2
--SKIPIF--
<?php require __DIR__ . '/_hooks.inc'; hooks_skipif(); ?>
--FILE--
<?php
require __DIR__ . '/_hooks.inc';
$s = new SafeShm(test_key(__FILE__), 1 << 20);
$calls = 0;
function interleave(string $where): void
{
    global $s, $calls;
    if ($calls++ === 0) {
        $s->putMultiple(['a' => 2, 'b' => 2, 'c' => 2]);
    }
}
foreach (['put one by one' => fn() => [$s->put('a', 1), $s->put('b', 1), $s->put('c', 1)],
          'putMultiple' => fn() => $s->putMultiple(['a' => 1, 'b' => 1, 'c' => 1])] as $how => $setup) {
    $setup();
    $calls = 0;
    ini_set('safeshm.test_call_at', 'multi:read');
    ini_set('safeshm.test_call', 'interleave');
    $got = $s->getMultiple(['a', 'b', 'c']);
    ini_set('safeshm.test_call', '');
    echo "values written $how, then getMultiple(): ", json_encode($got), ', interleaved write done: ',
        $calls > 0 ? 'yes' : 'no', ', store now: ', json_encode($s->getMultiple(['a', 'b', 'c'])), "\n";
}
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECT--
values written put one by one, then getMultiple(): {"a":2,"b":2,"c":2}, interleaved write done: yes, store now: {"a":2,"b":2,"c":2}
values written putMultiple, then getMultiple(): {"a":2,"b":2,"c":2}, interleaved write done: yes, store now: {"a":2,"b":2,"c":2}
