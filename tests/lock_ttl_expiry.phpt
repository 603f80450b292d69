--TEST--
SafeShm::lock() with $ttl: the hold lapses after $ttl even while its holder lives; release()/refresh() then say false and leave the next holder alone
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 1 << 20);
$a = $s->lock('t', 0, 0.2);
$ttl = $s->locks()[0]['ttl'];
var_dump($a->isHeld(), is_float($ttl) && $ttl > 0 && $ttl <= 0.2);
usleep(250000);
// lapsed: nobody else has looked yet, but it is no longer held
var_dump($a->isHeld(), $s->locks(), $a->refresh(5));
$b = $s->lock('t');
var_dump($b !== null, $b->previousHolderDied(), $b->token() > $a->token());
// the lapsed holder's release() is false and does not release the new holder's lock
var_dump($a->release(), $b->isHeld(), $s->lock('t'));
var_dump($b->release());

// refresh() extends a held lock past its first ttl
$c = $s->lock('u', 0, 0.5);
var_dump($c->refresh(30));
usleep(600000);
var_dump($c->isHeld(), $s->lock('u'));
$ttl = $s->locks()[0]['ttl'];
var_dump($ttl > 25 && $ttl <= 30);
// refresh(0): no expiry any more
var_dump($c->refresh(0), $s->locks()[0]['ttl'], $c->isHeld());
var_dump($c->release(), $c->refresh(1), $c->isHeld());
var_dump($s->locks());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
bool(true)
bool(true)
bool(false)
array(0) {
}
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
NULL
bool(true)
bool(true)
bool(true)
NULL
bool(true)
bool(true)
NULL
bool(true)
bool(true)
bool(false)
bool(false)
array(0) {
}
