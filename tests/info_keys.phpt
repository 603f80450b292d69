--TEST--
SafeShm::info(): has at least the documented keys, all ints, consistent on a fresh store
--EXTENSIONS--
safeshm
--FILE--
<?php
$key = ftok(__FILE__, 'a');
$s = new SafeShm($key, 65536);
$info = $s->info();
foreach (['size', 'used', 'free', 'entries', 'dead', 'compactions', 'lock_waits', 'lock_timeouts', 'recoveries'] as $k) {
    echo $k, ': ', array_key_exists($k, $info) ? get_debug_type($info[$k]) : 'MISSING', "\n";
}
var_dump($info['size'], $info['used'], $info['entries'], $info['dead'], $info['compactions'], $info['lock_timeouts'], $info['recoveries']);
echo 'free in (0, size): ', $info['free'] > 0 && $info['free'] < $info['size'] ? 'yes' : 'no', "\n";
echo 'lock_waits >= 0: ', $info['lock_waits'] >= 0 ? 'yes' : 'no', "\n";
$s->remove();
?>
--CLEAN--
<?php
try { (new SafeShm(ftok(__DIR__ . '/info_keys.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECT--
size: int
used: int
free: int
entries: int
dead: int
compactions: int
lock_waits: int
lock_timeouts: int
recoveries: int
int(65536)
int(0)
int(0)
int(0)
int(0)
int(0)
int(0)
free in (0, size): yes
lock_waits >= 0: yes
