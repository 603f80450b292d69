--TEST--
SafeShm::info(): 'free' is what a new entry can still use: once a small new entry no longer fits, free is below its size
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
foreach ([8192, 65536] as $size) {
    $s = new SafeShm($key, $size);
    $i = 0;
    $lastFree = null;
    try {
        while (true) {
            $lastFree = $s->info()['free'];
            $s->put(sprintf('s%05d', $i), $i);
            $i++;
        }
    } catch (SafeShmFullException $e) {
    }
    $info = $s->info();
    // One such entry takes well under 128 bytes (key 6 bytes, an int value, a record header).
    echo "$size: stored some: ", $i > 0 ? 'yes' : 'no', ', free when full below 128: ',
        $info['free'] < 128 ? 'yes' : "no (free=$info[free], used=$info[used], entries=$info[entries])", "\n";
    $s->remove();
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
8192: stored some: yes, free when full below 128: yes
65536: stored some: yes, free when full below 128: yes
