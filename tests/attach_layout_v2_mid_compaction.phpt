--TEST--
SafeShm::__construct(): a layout-2 store left by a writer killed mid-compaction (a journalled record move half done, its old header already overwritten) is migrated to layout 3 with that record intact, at every point of the move
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box: genuine layout-2 segments, written with shmop (test_old_image() and test_old_half_moved() in _ipc.inc).
$key = test_key(__FILE__);
$big = '';
for ($i = 0; $i < 40; $i++) {
    $big .= sprintf('%09d|', $i);
}
$entries = [['first', 'before the gap'], ['gap', 'deleted'], ['moved', $big], ['after', [1, 2, 3]], [9, 99]];
$layout = [];
$clean = test_old_image(8192, $entries, 2, 0, '', $layout);
[$dst, $chunk] = $layout['records']['gap'];
[$src, $len] = $layout['records']['moved'];
echo "the record moves down by $chunk bytes (its size: $len): ", intdiv($len + $chunk - 1, $chunk), " chunks\n";

foreach (['journalled, nothing copied' => 0, 'one chunk copied' => $chunk, 'two chunks copied' => 2 * $chunk,
    'all but the last chunk copied' => intdiv($len - 1, $chunk) * $chunk, 'all copied, the slot not yet moved' => $len,
    'all copied and the slot moved, the journal not yet cleared' => -1] as $label => $done) {
    $image = $clean;
    test_old_half_moved($image, $layout, 'gap', 'moved', $done < 0 ? $len : $done);
    if ($done < 0) {
        foreach ($layout['index_off'] as $off) {
            test_put_uint($image, $off + 4 * $layout['records']['moved'][2], 4, $dst >> 3);
        }
    }
    $headerGone = substr($image, $src, TEST_OLD_RECORD_HEADER) !== substr($clean, $src, TEST_OLD_RECORD_HEADER);
    test_shm_write($key, $image);
    $s = new SafeShm($key);
    $i = $s->info();
    printf("%s: its old header %s; layout %d, moved %s, first %s, after %s, 9 %s, gap %s, %d entries, verify %s, %s\n",
        $label, $headerGone ? 'overwritten' : 'intact', $i['layout_version'],
        $s->get('moved') === $big ? 'intact' : 'LOST', $s->get('first') === 'before the gap' ? 'intact' : 'LOST',
        $s->get('after') === [1, 2, 3] ? 'intact' : 'LOST', $s->get(9) === 99 ? 'intact' : 'LOST',
        $s->has('gap') ? 'BACK' : 'deleted', count($s), var_export($s->verify(), true),
        isset(test_ipc_list('shm')[test_backup_key($key)]) ? 'a backup left' : 'no backup left');
    $s->remove();
    test_ipc_remove($key);
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__, test_backup_key(test_key(__FILE__)));
?>
--EXPECT--
the record moves down by 56 bytes (its size: 448): 8 chunks
journalled, nothing copied: its old header intact; layout 3, moved intact, first intact, after intact, 9 intact, gap deleted, 4 entries, verify true, no backup left
one chunk copied: its old header intact; layout 3, moved intact, first intact, after intact, 9 intact, gap deleted, 4 entries, verify true, no backup left
two chunks copied: its old header overwritten; layout 3, moved intact, first intact, after intact, 9 intact, gap deleted, 4 entries, verify true, no backup left
all but the last chunk copied: its old header overwritten; layout 3, moved intact, first intact, after intact, 9 intact, gap deleted, 4 entries, verify true, no backup left
all copied, the slot not yet moved: its old header overwritten; layout 3, moved intact, first intact, after intact, 9 intact, gap deleted, 4 entries, verify true, no backup left
all copied and the slot moved, the journal not yet cleared: its old header overwritten; layout 3, moved intact, first intact, after intact, 9 intact, gap deleted, 4 entries, verify true, no backup left
