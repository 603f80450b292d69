--TEST--
SafeShm::__construct(): an existing segment smaller than the 4096-byte minimum is refused, even when blank
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
foreach (['blank 100' => [100, ''], 'written 100' => [100, 'hi'], 'blank 4095' => [4095, ''], 'written 4095' => [4095, 'hi']] as $label => [$size, $data]) {
    $id = shmop_open($key, 'c', 0600, $size);
    if ($data !== '') shmop_write($id, $data, 0);
    $before = shmop_read($id, 0, $size);
    foreach ([0, 4096, 65536] as $arg) {
        try {
            new SafeShm($key, $arg);
            echo "$label/$arg: attached\n";
        } catch (SafeShmException $e) {
            echo "$label/$arg: ", get_class($e), "\n";
        } catch (Throwable $e) {
            echo "$label/$arg: ", get_class($e), ': ', $e->getMessage(), "\n";
        }
    }
    echo "$label: untouched: ", shmop_read($id, 0, $size) === $before ? 'yes' : 'NO', "\n";
    shmop_delete($id);
}
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
blank 100/0: SafeShmException
blank 100/4096: SafeShmException
blank 100/65536: SafeShmException
blank 100: untouched: yes
written 100/0: SafeShmException
written 100/4096: SafeShmException
written 100/65536: SafeShmException
written 100: untouched: yes
blank 4095/0: SafeShmException
blank 4095/4096: SafeShmException
blank 4095/65536: SafeShmException
blank 4095: untouched: yes
written 4095/0: SafeShmException
written 4095/4096: SafeShmException
written 4095/65536: SafeShmException
written 4095: untouched: yes
