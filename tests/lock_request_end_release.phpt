--TEST--
SafeShm::lock(): the end of the request releases every hold, however it ends (exit, fatal error, uncaught exception, memory_limit, max_execution_time, objects kept alive to the end)
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 1 << 20);
// Each child PHP takes locks and ends in its own way. Right after it, no lock state is left in the store: the
// holds were released by the request's end, not found dead later (a dead holder's entry stays in the lock's
// state until a contender looks, though locks() no longer lists it).
$prelude = '$s = new SafeShm((int) $argv[1]); $l = $s->lock("job", 0, 0, false); $r = $s->lock("read", 0, 0, true); '
    . '$s->put("took", $l !== null && $r !== null); ';
$endings = [
    'exit()' => 'exit(3);',
    'fatal error' => 'undefined_function();',
    'uncaught exception' => 'throw new RuntimeException("boom");',
    'memory_limit' => 'ini_set("memory_limit", "8M"); $x = str_repeat("x", 32 << 20);',
    'max_execution_time' => 'set_time_limit(1); for (;;) { }',
    'held in a static property' => 'class Keep { public static $l; } Keep::$l = $l; unset($l);',
    'held in a reference cycle' => '$o = new stdClass; $o->self = $o; $o->l = $l; unset($l, $o);',
    'held by a shutdown function' => 'register_shutdown_function(function () use ($l) { echo $l->isHeld() ? "still held at shutdown\n" : "lost\n"; }); unset($l);',
    'exit() in a destructor' => 'class D { public function __destruct() { exit(4); } } $d = new D; unset($d);',
];
foreach ($endings as $what => $code) {
    $s->delete('took');
    $out = test_php_run($prelude . $code, [$key]);
    $lines = array_values(array_filter(array_map('trim', explode("\n", $out)), fn($l) => $l !== '' && !str_starts_with($l, 'Stack trace') && !str_starts_with($l, '#') && !str_starts_with($l, 'thrown')));
    $msg = $lines ? preg_replace('/ in .*$/', '', $lines[0]) : '';
    $after = $s->info()['locks'];
    $l = $s->lock('job');
    $r = $s->lock('read', 0, 0, true);
    printf("%-27s took=%s message=%s; lock states left: %d; next holder: %s%s\n", $what, var_export($s->get('took'), true),
        json_encode($msg), $after, $l && $r ? 'at once' : 'BLOCKED', $l && $l->previousHolderDied() ? ' (told it died)' : '');
    unset($l, $r);
}
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
exit()                      took=true message=""; lock states left: 0; next holder: at once
fatal error                 took=true message="Fatal error: Uncaught Error: Call to undefined function undefined_function()"; lock states left: 0; next holder: at once
uncaught exception          took=true message="Fatal error: Uncaught RuntimeException: boom"; lock states left: 0; next holder: at once
memory_limit                took=true message="Fatal error: Allowed memory size of 8388608 bytes exhausted (tried to allocate %d bytes)"; lock states left: 0; next holder: at once
max_execution_time          took=true message="Fatal error: Maximum execution time of 1 second exceeded"; lock states left: 0; next holder: at once
held in a static property   took=true message=""; lock states left: 0; next holder: at once
held in a reference cycle   took=true message=""; lock states left: 0; next holder: at once
held by a shutdown function took=true message="still held at shutdown"; lock states left: 0; next holder: at once
exit() in a destructor      took=true message=""; lock states left: 0; next holder: at once
