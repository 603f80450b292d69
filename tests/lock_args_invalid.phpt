--TEST--
SafeShm::lock() and SafeShmLock::refresh(): a negative, infinite or NAN $wait or $ttl is a ValueError and takes nothing
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 1 << 20);
$bad = ['-1' => -1, '-0.001' => -0.001, 'INF' => INF, '-INF' => -INF, 'NAN' => NAN, '3153600001' => 3153600001];
foreach ($bad as $label => $v) {
    foreach (['wait' => [$v, 0], 'ttl' => [0, $v]] as $which => [$w, $t]) {
        try {
            $s->lock('n', $w, $t);
            echo "$which=$label: accepted\n";
        } catch (ValueError $e) {
            echo "$which=$label: ", $e->getMessage(), "\n";
        }
    }
}
try {
    $s->lock('n', 'soon');
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
// nothing was taken by the refused calls
var_dump($s->locks());
// the edges that are valid
$l = $s->lock('n', 0, 3153600000);
var_dump($l instanceof SafeShmLock, $s->locks()[0]['ttl'] > 3153599000);
var_dump($l->refresh(0.0), $l->refresh(0));
foreach ($bad as $label => $v) {
    try {
        $l->refresh($v);
        echo "refresh($label): accepted\n";
    } catch (ValueError $e) {
        echo "refresh($label): ", $e->getMessage(), "\n";
    }
}
var_dump($l->isHeld());
// a tiny ttl is rounded up to 1 µs, never down to 0 (which would mean "no expiry")
var_dump($l->refresh(1e-9));
usleep(2000);
var_dump($l->isHeld(), $l->refresh(0), $l->release());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
wait=-1: SafeShm::lock(): Argument #2 ($wait) must be a finite number of seconds between 0 and 3153600000
ttl=-1: SafeShm::lock(): Argument #3 ($ttl) must be a finite number of seconds between 0 and 3153600000
wait=-0.001: SafeShm::lock(): Argument #2 ($wait) must be a finite number of seconds between 0 and 3153600000
ttl=-0.001: SafeShm::lock(): Argument #3 ($ttl) must be a finite number of seconds between 0 and 3153600000
wait=INF: SafeShm::lock(): Argument #2 ($wait) must be a finite number of seconds between 0 and 3153600000
ttl=INF: SafeShm::lock(): Argument #3 ($ttl) must be a finite number of seconds between 0 and 3153600000
wait=-INF: SafeShm::lock(): Argument #2 ($wait) must be a finite number of seconds between 0 and 3153600000
ttl=-INF: SafeShm::lock(): Argument #3 ($ttl) must be a finite number of seconds between 0 and 3153600000
wait=NAN: SafeShm::lock(): Argument #2 ($wait) must be a finite number of seconds between 0 and 3153600000
ttl=NAN: SafeShm::lock(): Argument #3 ($ttl) must be a finite number of seconds between 0 and 3153600000
wait=3153600001: SafeShm::lock(): Argument #2 ($wait) must be a finite number of seconds between 0 and 3153600000
ttl=3153600001: SafeShm::lock(): Argument #3 ($ttl) must be a finite number of seconds between 0 and 3153600000
TypeError: SafeShm::lock(): Argument #2 ($wait) must be of type int|float, string given
array(0) {
}
bool(true)
bool(true)
bool(true)
bool(true)
refresh(-1): SafeShmLock::refresh(): Argument #1 ($ttl) must be a finite number of seconds between 0 and 3153600000
refresh(-0.001): SafeShmLock::refresh(): Argument #1 ($ttl) must be a finite number of seconds between 0 and 3153600000
refresh(INF): SafeShmLock::refresh(): Argument #1 ($ttl) must be a finite number of seconds between 0 and 3153600000
refresh(-INF): SafeShmLock::refresh(): Argument #1 ($ttl) must be a finite number of seconds between 0 and 3153600000
refresh(NAN): SafeShmLock::refresh(): Argument #1 ($ttl) must be a finite number of seconds between 0 and 3153600000
refresh(3153600001): SafeShmLock::refresh(): Argument #1 ($ttl) must be a finite number of seconds between 0 and 3153600000
bool(true)
bool(true)
bool(false)
bool(false)
bool(false)
