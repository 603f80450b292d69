--TEST--
Test hooks: a writer stopped with the lock held at each step of a relocation (record copied, copy published) and of the put that needed it; meanwhile another process reads every key without waiting and never sees a torn or missing value
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
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$keep = hooks_fragment($s);
// The reader, another process: every kept key and "big" (the value being put), lock-free.
$reader = hooks_responder($key, '$keep = ' . var_export($keep, true) . ';
    $big = $s->get("big");
    echo "kept keys ", hooks_fcheck($s, $keep) ?: "intact", ", big ",
        $big === null ? "absent" : ($big === str_repeat("B", 3000) ? "stored" : "TORN (" . strlen((string) $big) . " bytes)"), "\n";');
$pauses = [];
function paused(string $where): void
{
    global $reader, $pauses, $key;
    $st = hooks_lock_state($key);
    $answer = hooks_ask($reader);
    $pauses[$where][$answer . ($st['owner'] === getmypid() ? '' : ' (the lock was NOT held)')] = true;
}
foreach (['evacuate:copied', 'evacuate:moved', 'put:written', 'put:published'] as $at) {
    $keep = hooks_fragment($s);
    $compactions = $s->info()['compactions'];
    ini_set('safeshm.test_call_at', $at);
    ini_set('safeshm.test_call', 'paused');
    $s->put('big', str_repeat('B', 3000));
    ini_set('safeshm.test_call', '');
    printf("writer stopped at %-15s %s; relocation passes: %d; afterwards: %s\n", "$at:",
        isset($pauses[$at]) ? 'the reader found: ' . implode(' | ', array_keys($pauses[$at])) : 'NEVER STOPPED THERE',
        $s->info()['compactions'] - $compactions, (hooks_fcheck($s, $keep) ?: 'kept keys intact') . ', verify ' . var_export($s->verify(), true));
}
hooks_responder_stop($reader);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECT--
writer stopped at evacuate:copied: the reader found: kept keys intact, big absent; relocation passes: 1; afterwards: kept keys intact, verify true
writer stopped at evacuate:moved: the reader found: kept keys intact, big absent; relocation passes: 1; afterwards: kept keys intact, verify true
writer stopped at put:written:    the reader found: kept keys intact, big absent; relocation passes: 1; afterwards: kept keys intact, verify true
writer stopped at put:published:  the reader found: kept keys intact, big stored; relocation passes: 1; afterwards: kept keys intact, verify true
