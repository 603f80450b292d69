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
// A fresh store: nothing stored, nothing waited for, and the geometry of a 64 KiB segment: a 2048-byte header,
// then the arena, which holds the index block (64 slots to start with: a 16-byte header and 4 bytes a slot, grown
// once 13/16 of them are taken) and one free block, the capacity.
var_dump($info['size'], $info['used'], $info['entries'], $info['dead'], $info['compactions'], $info['lock_waits'],
    $info['lock_timeouts'], $info['recoveries'], $info['writes'], $info['tombstones'], $info['ttl_entries'],
    $info['expired'], $info['evicted'], $info['hits'], $info['misses'], $info['locks']);
var_dump($info['index_slots'], $info['max_entries'], $info['index_bytes'], $info['arena_size'], $info['capacity']);
echo 'header + arena = size: ', var_export(TEST_HEADER_SIZE + $info['arena_size'] === $info['size'], true), "\n";
echo 'index + capacity = arena: ', var_export($info['index_bytes'] + $info['capacity'] === $info['arena_size'], true), "\n";
echo 'index bytes for its slots: ', var_export(test_index_bytes($info['index_slots']) === $info['index_bytes'], true), "\n";
echo 'free is the whole capacity, in one block: ', var_export($info['free'] === $info['capacity'] && $info['largest_free'] === $info['free'], true), "\n";
echo 'key: ', var_export($info['key'] === $key, true), ', layout ', $info['layout_version'], ', lock is the ini\'s: ',
    var_export($info['lock'] === ini_get('safeshm.lock'), true), ', name ', var_export($info['name'], true), "\n";
$ids = ['shm' => null, 'sem' => null];
foreach (['shm' => test_key(__FILE__), 'sem' => test_sem_key($key)] as $kind => $k) {
    $ids[$kind] = test_ipc_list($kind)[$k] ?? null;
}
echo 'shmid and semid are the system\'s: ', var_export($ids['shm'] === $info['shmid'] && $ids['sem'] === $info['semid'], true), "\n";
$s->put('k', 'v');
$i2 = $s->info();
echo 'after one put: writes ', $i2['writes'], ', entries ', $i2['entries'], ', lock_waits ', $i2['lock_waits'],
    ', used ', $i2['used'] === test_record_size(1, 1) ? 'its record' : $i2['used'], "\n";
$s->get('k');
$s->get('k');
$s->get('missing');
$i3 = $s->info();
echo 'after two hits and a miss: hits ', $i3['hits'], ', misses ', $i3['misses'], "\n";
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
capacity: int
largest_free: int
index_bytes: int
index_slots: int
ttl_entries: int
expired: int
evicted: int
hits: int
misses: int
locks: int
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
int(0)
int(0)
int(0)
int(0)
int(0)
int(0)
int(64)
int(52)
int(272)
int(63488)
int(63216)
header + arena = size: true
index + capacity = arena: true
index bytes for its slots: true
free is the whole capacity, in one block: true
key: true, layout 3, lock is the ini's: true, name NULL
shmid and semid are the system's: true
after one put: writes 1, entries 1, lock_waits 0, used its record
after two hits and a miss: hits 2, misses 1
