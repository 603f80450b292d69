--TEST--
SafeShm::info(): exactly the documented keys, with their types, and the values of a fresh store
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$info = $s->info();
foreach ($info as $k => $v) echo $k, ': ', get_debug_type($v), "\n";
// A fresh store: nothing stored, nothing waited for, and the geometry of a 64 KiB segment
// (a 512-byte header, two 4-byte index slots per 128 bytes of segment, 3/4 of the slots usable).
var_dump($info['size'], $info['used'], $info['entries'], $info['dead'], $info['compactions'], $info['lock_waits'],
    $info['lock_timeouts'], $info['recoveries'], $info['writes'], $info['tombstones'], $info['max_entries'],
    $info['index_bytes'], $info['arena_size']);
echo 'free is the whole arena: ', var_export($info['free'] === $info['arena_size'], true), "\n";
echo 'header + index + arena = size: ', var_export(512 + $info['index_bytes'] + $info['arena_size'] === $info['size'], true), "\n";
echo 'key: ', var_export($info['key'] === $key, true), ', layout ', $info['layout_version'], ', lock is the ini\'s: ',
    var_export($info['lock'] === ini_get('safeshm.lock'), true), ', name ', var_export($info['name'], true), "\n";
$ids = ['shm' => null, 'sem' => null];
foreach (['shm' => test_key(__FILE__), 'sem' => test_sem_key($key)] as $kind => $k) {
    $ids[$kind] = test_ipc_list($kind)[$k] ?? null;
}
echo 'shmid and semid are the system\'s: ', var_export($ids['shm'] === $info['shmid'] && $ids['sem'] === $info['semid'], true), "\n";
$s->put('k', 'v');
$i2 = $s->info();
echo 'after one put: writes ', $i2['writes'], ', entries ', $i2['entries'], ', lock_waits ', $i2['lock_waits'], "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
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
writes: int
max_entries: int
tombstones: int
arena_size: int
index_bytes: int
key: int
shmid: int
semid: int
layout_version: int
lock: string
name: null
int(65536)
int(0)
int(0)
int(0)
int(0)
int(0)
int(0)
int(0)
int(0)
int(0)
int(384)
int(4096)
int(60928)
free is the whole arena: true
header + index + arena = size: true
key: true, layout 2, lock is the ini's: true, name NULL
shmid and semid are the system's: true
after one put: writes 1, entries 1, lock_waits 0
