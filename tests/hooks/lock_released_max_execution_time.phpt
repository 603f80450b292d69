--TEST--
Test hooks: max_execution_time fires while a put() holds the store's lock; the end of the request releases it (the holder's mark cleared, not left to the child's death), and the next process writes at once
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
hooks_end_under_lock(test_key(__FILE__), 'max_execution_time');
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECTF--
called at locked: holder recorded: the child, the lock: taken by the child
Fatal error: Maximum execution time of 1 second exceeded in Command line code on line %d
the request ends
child exit status: 255
after the child: holder recorded: none, the lock: free
this process wrote at once; k='old', verify: true, counters changed: entries +1
