--TEST--
Test hooks: an exception thrown by an error handler while a put() holds the store's lock: put() throws it and stores nothing, the lock is released, the same process and the next one write at once
--EXTENSIONS--
safeshm
shmop
--INI--
safeshm.lock_timeout=2
--SKIPIF--
<?php require __DIR__ . '/_hooks.inc'; hooks_skipif(); ?>
--FILE--
<?php
require __DIR__ . '/_hooks.inc';
hooks_end_under_lock(test_key(__FILE__), 'error handler exception');
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECTF--
called at locked: holder recorded: the child, the lock: taken by the child
put threw RuntimeException: the error handler threw on: Undefined variable $undefined
after the put: holder recorded: none, the lock: free
the same process wrote again: same process, next write
the request ends
child exit status: 0
after the child: holder recorded: none, the lock: free
this process wrote at once; k='old', verify: true, counters changed: entries +2
