--TEST--
SafeShm: a memory_limit fatal error inside keys() leaves the lock released for the rest of the request
--EXTENSIONS--
safeshm
--INI--
memory_limit=8M
safeshm.lock_timeout=1
--SKIPIF--
<?php if (getenv('USE_ZEND_ALLOC') === '0') die('skip memory_limit is not enforced with USE_ZEND_ALLOC=0 (valgrind run)'); ?>
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$key = test_key(__FILE__);
$s = new SafeShm($key, 24 << 20);
register_shutdown_function(function () use ($key) {
    ini_set('memory_limit', '128M');
    try {
        $t = new SafeShm($key);
        $t->put('after', 'bailout');
        echo "after bailout: put ", $t->get('after'), ", entries: ", count($t), ", verify: ",
            var_export($t->verify(), true), "\n";
        $t->remove();
    } catch (Throwable $e) {
        echo 'after bailout: ', get_class($e), ': ', $e->getMessage(), "\n";
    }
});
$pad = str_repeat('k', 4000);
for ($i = 0; $i < 3000; $i++) $s->put(sprintf('%s%06d', $pad, $i), $i);
echo "stored ", count($s), "\n";
$keys = $s->keys();
echo "not reached: ", count($keys), "\n";
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECTF--
stored 3000

Fatal error: Allowed memory size of 8388608 bytes exhausted%s(tried to allocate %d bytes) in %s on line 20
after bailout: put bailout, entries: 3001, verify: true
