--TEST--
Test hooks: exit() while a put() holds the store's lock: the put does nothing, the lock is released, the next process writes at once
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
hooks_end_under_lock(test_key(__FILE__), 'exit');
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECTF--
called at locked: holder recorded: the child, the lock: taken by the child
the request ends
child exit status: 3
after the child: holder recorded: none, the lock: free
this process wrote at once; k='old', verify: true, counters changed: entries +1
