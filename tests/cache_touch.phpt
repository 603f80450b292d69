--TEST--
SafeShm::touch(): a live entry gets a new TTL (0 = never expires) and keeps its value; false for an absent or expired key, which stays absent
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$s = new SafeShm(test_key(__FILE__), 65536);

$s->put('forever', 'f');            // no TTL: touch gives it one
$s->put('short', 's', 0.2);         // TTL: touch 0 makes it permanent
$s->put('extended', 'e', 0.2);      // TTL: touch extends it
$s->put('doomed', 'd', 100);        // TTL: touch shortens it
$s->put(7, 'seven', 0.2);
$s->put('expires', 'x', 0.1);
usleep(300000);                     // 'expires' is gone now; 'short' too

echo "-- touch an expired and an absent key\n";
var_dump($s->touch('expires', 100), $s->has('expires'), $s->touch('never-written', 100), $s->touch('short', 0));

$s->put('short', 's', 0.5);
$s->put(7, 'seven', 0.5);
$s->put('extended', 'e', 0.5);
echo "-- touch live keys\n";
var_dump($s->touch('forever', 0.5), $s->touch('short', 0), $s->touch('extended', 100), $s->touch('doomed', 0.5), $s->touch('7', 0));
echo 'forever ttl in (0, 0.5]: ', var_export($s->meta('forever')['ttl'] > 0 && $s->meta('forever')['ttl'] <= 0.5, true), "\n";
echo 'short ttl: ', var_export($s->meta('short')['ttl'], true), "\n";
echo 'extended ttl > 99: ', var_export($s->meta('extended')['ttl'] > 99, true), "\n";

usleep(1200000); // well past 0.5 s
echo "-- 1.2 s later\n";
foreach (['forever', 'short', 'extended', 'doomed', 7] as $k) {
    echo "$k: ", var_export($s->get($k, 'absent'), true), "\n";
}
var_dump($s->touch('forever', 10), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
-- touch an expired and an absent key
bool(false)
bool(false)
bool(false)
bool(false)
-- touch live keys
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
forever ttl in (0, 0.5]: true
short ttl: NULL
extended ttl > 99: true
-- 1.2 s later
forever: 'absent'
short: 's'
extended: 'e'
doomed: 'absent'
7: 'seven'
bool(false)
bool(true)
