--TEST--
SafeShm: a damaged robust mutex in the header is a SafeShmCorruptException (at attach and for an attached object), never a hang or a crash
--EXTENSIONS--
safeshm
shmop
--SKIPIF--
<?php if (ini_get('safeshm.lock') !== 'mutex') die('skip for stores locked by the robust mutex (safeshm.lock=mutex)'); ?>
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box: the mutex lives in the header's 64-byte lock area (safeshm_header.lock_area in shm_store.h); its
// kind bits are the int at offset 16 of glibc's pthread_mutex_t on x86-64.
$key = test_key(__FILE__);
$area = test_hdr_offset('lock_area');
$fresh = fn() => trim((string) shell_exec(test_php() . ' -r ' . escapeshellarg(
    'try { $s = new SafeShm(' . $key . '); $s->put("x", 1); echo "works"; } catch (SafeShmException $e) { echo get_class($e), ": ", $e->getMessage(); }') . ' 2>&1'));
$msg = fn(string $m) => str_replace(sprintf('0x%08x', $key), '0xKEY', $m);
$s = new SafeShm($key, 8192);
$s->put('k', 'data');
var_dump($s->info()['lock']);
$raw = shmop_open($key, 'w', 0, 0);
$good = shmop_read($raw, $area, 64);
foreach (['zeroed' => str_repeat("\0", 64), 'garbage' => str_repeat("\xA5", 64), 'kind bits' => substr_replace($good, "\x01\0\0\0", 16, 4)] as $what => $bad) {
    shmop_write($raw, $bad, $area);
    $before = shmop_read($raw, 0, 8192);
    echo "$what, fresh process: ", $msg($fresh()), "\n";
    try {
        $s->put('k', 'new');
        echo "$what, attached object: put worked\n";
    } catch (SafeShmException $e) {
        echo "$what, attached object: ", get_class($e), ": ", $msg($e->getMessage()), "\n";
    }
    echo "$what, lock-free get: ", var_export($s->get('k'), true), "\n";
    echo "$what: untouched: ", shmop_read($raw, 0, 8192) === $before ? 'yes' : 'NO', "\n";
}
shmop_write($raw, $good, $area);
echo "restored, fresh process: ", $fresh(), "\n";
var_dump($s->get('x'), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(5) "mutex"
zeroed, fresh process: SafeShmCorruptException: SafeShm segment 0xKEY: its header is damaged, so the store cannot be used; remove() discards it (a new SafeShm object then creates a fresh store)
zeroed, attached object: SafeShmCorruptException: SafeShm segment 0xKEY: its lock is damaged
zeroed, lock-free get: 'data'
zeroed: untouched: yes
garbage, fresh process: SafeShmCorruptException: SafeShm segment 0xKEY: its header is damaged, so the store cannot be used; remove() discards it (a new SafeShm object then creates a fresh store)
garbage, attached object: SafeShmCorruptException: SafeShm segment 0xKEY: its lock is damaged
garbage, lock-free get: 'data'
garbage: untouched: yes
kind bits, fresh process: SafeShmCorruptException: SafeShm segment 0xKEY: its header is damaged, so the store cannot be used; remove() discards it (a new SafeShm object then creates a fresh store)
kind bits, attached object: SafeShmCorruptException: SafeShm segment 0xKEY: its lock is damaged
kind bits, lock-free get: 'data'
kind bits: untouched: yes
restored, fresh process: works
int(1)
bool(true)
