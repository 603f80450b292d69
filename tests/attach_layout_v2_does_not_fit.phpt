--TEST--
SafeShm::__construct(): a layout-2 store whose entries do not fit in layout 3 (24 small entries in a 4 KiB segment: layout 3's header and larger records take more) is refused with SafeShmException, every byte of it restored, no backup segment left; every later attach says the same
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box: a genuine layout-2 segment, written with shmop (test_old_image() in _ipc.inc).
// Layout 2: 512 bytes of header, 2 x 32 index slots, records of 40 + 3 + 30 bytes -> 80: 24 x 80 = 1920 of 3328.
// Layout 3: 2048 bytes of header, a 272-byte index, records of 48 + 3 + 30 -> 88: 24 x 88 = 2112 > 2048 - 272.
$key = test_key(__FILE__);
$entries = [];
for ($i = 0; $i < 24; $i++) {
    $entries[] = [sprintf('t%02d', $i), str_repeat(chr(97 + $i), 30)];
}
$image = test_old_image(4096, $entries, 2, 1);
test_shm_write($key, $image);
$raw = shmop_open($key, 'a', 0, 0);

function attempt(int $key, string $image, Shmop $raw, string $who): void
{
    $code = 'try { new SafeShm(' . $key . '); echo "attached"; } catch (SafeShmException $e) { echo get_class($e), ": ", $e->getMessage(); }';
    if ($who === 'this process') {
        try {
            new SafeShm($key);
            $said = 'attached';
        } catch (SafeShmException $e) {
            $said = get_class($e) . ': ' . $e->getMessage();
        }
    } else {
        $said = trim(test_php_run($code));
    }
    echo "$who: ", preg_replace('/segment 0x[0-9a-f]+/', 'segment KEY', $said), "\n";
    $now = shmop_read($raw, 0, 0);
    $diff = [];
    for ($o = 0; $o < strlen($image) && count($diff) < 4; $o++) {
        if ($now[$o] !== $image[$o]) {
            $diff[] = $o;
        }
    }
    echo '  every byte restored: ', $diff ? 'NO, first differences at ' . implode(', ', $diff) : 'yes',
        isset(test_ipc_list('shm')[test_backup_key($key)]) ? ', a backup segment left' : ', no backup segment left', "\n";
}
attempt($key, $image, $raw, 'this process');
attempt($key, $image, $raw, 'a fresh process');
attempt($key, $image, $raw, 'this process again');
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__, test_backup_key(test_key(__FILE__)));
?>
--EXPECT--
this process: SafeShmException: SafeShm segment KEY: cannot migrate it from an older layout: its 24 entries do not fit in layout 3 (not enough space in the segment): recreate it bigger and copy them with an older release
  every byte restored: yes, no backup segment left
a fresh process: SafeShmException: SafeShm segment KEY: cannot migrate it from an older layout: its 24 entries do not fit in layout 3 (not enough space in the segment): recreate it bigger and copy them with an older release
  every byte restored: yes, no backup segment left
this process again: SafeShmException: SafeShm segment KEY: cannot migrate it from an older layout: its 24 entries do not fit in layout 3 (not enough space in the segment): recreate it bigger and copy them with an older release
  every byte restored: yes, no backup segment left
