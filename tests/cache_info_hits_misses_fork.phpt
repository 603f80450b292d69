--TEST--
SafeShm::info() hits and misses: a forked child counts only its own reads, not the tallies it inherited from its parent
--DESCRIPTION--
Fails on commit f367631: a process's hit/miss tallies live in its attachment (php_safeshm_attachment hits,
misses) and are folded into the header at request end; a child forked before they were folded inherits them
and folds them too (safeshm_attach.c, php_safeshm_atfork_child() does not zero them), so they count twice.
--EXTENSIONS--
safeshm
pcntl
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);
$s->put('k', 1);
$i0 = $s->info();                     // folds what this process counted so far
for ($i = 0; $i < 5; $i++) {
    $s->get('k');                      // 5 hits
}
$s->get('missing');                    // 1 miss
$pid = pcntl_fork();
if ($pid === 0) {
    for ($i = 0; $i < 3; $i++) {
        $s->get('k');                  // 3 hits
    }
    exit(0);                           // its request end folds its tallies
}
pcntl_waitpid($pid, $status);
$i1 = $s->info();
echo "hits +", $i1['hits'] - $i0['hits'], ", misses +", $i1['misses'] - $i0['misses'], "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
hits +8, misses +1
