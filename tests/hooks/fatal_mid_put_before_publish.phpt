--TEST--
Test hooks: max_execution_time fires in the middle of a put (the new record written, not published): the end of the request releases the lock, the next writer repairs the store (one recovery) and the old value stays
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
hooks_end_under_lock(test_key(__FILE__), 'max_execution_time', 'put:written');
?>
--CLEAN--
<?php
require __DIR__ . '/_hooks.inc';
test_clean(__FILE__);
?>
--EXPECTF--
called at put:written: holder recorded: the child, the lock: taken by the child
Fatal error: Maximum execution time of 1 second exceeded in Command line code on line %d
the request ends
child exit status: 255
after the child: holder recorded: none, the lock: free
this process wrote at once; k='old', verify: true, counters changed: entries +1, recoveries +1
