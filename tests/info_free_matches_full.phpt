--TEST--
SafeShm::info(): 'free' is every free byte, 'largest_free' the largest free block; once a new entry no longer fits, every free block is smaller than its record and than every stored record (nothing can be moved to join them)
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
// A record is 48 bytes of header + value + key, rounded up to 8: an int with a 6-byte key is 64 bytes, a 1000-byte
// string with it 1056. The index is a block of the arena too (it grows there), so the bytes are the only limit.
// Layout 3 never moves a record in place (lock-free readers may be reading it): pieces of free space smaller than
// every record (left over where a smaller index block was, or at the arena's end) stay free when the store is full.
foreach ([[8192, 0], [65536, 0], [8192, 1000]] as [$size, $len]) {
    $s = new SafeShm($key, $size);
    $record = test_record_size(6, $len ? $len : 8);
    $i = 0;
    try {
        while (true) {
            $s->put(sprintf('s%05d', $i), $len ? str_repeat('x', $len) : $i);
            $i++;
        }
    } catch (SafeShmFullException $e) {
    }
    $info = $s->info();
    // White-box: the blocks of the arena.
    $blocks = test_blocks(shmop_read(shmop_open($key, 'a', 0, 0), 0, 0));
    $free = array_column(array_filter($blocks, fn($b) => $b[2] === 'F'), 1);
    $records = array_column(array_filter($blocks, fn($b) => $b[2] === 'R'), 1);
    echo "$size, ", $len ? "$len-byte strings" : 'ints', " ($record-byte records), full:\n";
    echo '  entries are the puts that succeeded: ', var_export($info['entries'] === $i && count($records) === $i, true), "\n";
    echo '  free is the sum of the free blocks: ', var_export($info['free'] === array_sum($free), true),
        ', largest_free the largest: ', var_export($info['largest_free'] === max($free ?: [0]), true), "\n";
    echo '  free + used is the capacity: ', var_export($info['free'] + $info['used'] === $info['capacity'], true), "\n";
    echo '  every free block below the new record: ', var_export($info['largest_free'] < $record, true),
        ', below every stored record: ', var_export($info['largest_free'] < min($records), true), "\n";
    // And it stays so: a second try changes nothing.
    try {
        $s->put('one-more', $len ? str_repeat('x', $len) : 1);
        echo "  one more: stored\n";
    } catch (SafeShmFullException $e) {
        echo '  one more: ', get_class($e), ', nothing changed: ', var_export($s->info() == $info, true), "\n";
    }
    $s->remove();
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
8192, ints (64-byte records), full:
  entries are the puts that succeeded: true
  free is the sum of the free blocks: true, largest_free the largest: true
  free + used is the capacity: true
  every free block below the new record: true, below every stored record: true
  one more: SafeShmFullException, nothing changed: true
65536, ints (64-byte records), full:
  entries are the puts that succeeded: true
  free is the sum of the free blocks: true, largest_free the largest: true
  free + used is the capacity: true
  every free block below the new record: true, below every stored record: true
  one more: SafeShmFullException, nothing changed: true
8192, 1000-byte strings (1088-byte records), full:
  entries are the puts that succeeded: true
  free is the sum of the free blocks: true, largest_free the largest: true
  free + used is the capacity: true
  every free block below the new record: true, below every stored record: true
  one more: SafeShmFullException, nothing changed: true
