--TEST--
safeshm.removal_check_ms=3600000: between the system checks only the flag SafeShm::remove() sets tells other processes' lock-free reads that the store is gone; they throw "removed" at once, while a removal from outside is seen by neither reads nor writes until the next check (the documented window)
--EXTENSIONS--
safeshm
pcntl
shmop
--INI--
safeshm.removal_check_ms=3600000
safeshm.lock_timeout=2
--FILE--
<?php
require __DIR__ . '/_removal.inc';
removal_scenario(test_key(__FILE__), 'remove()');
removal_scenario(test_key(__FILE__, 1), 'IPC_RMID');
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
-- removed by remove(), safeshm.removal_check_ms=3600000
forked child reads shared shared
fresh process reads shared
  forked child, own get: SafeShmException (removed)
  forked child, own has: SafeShmException (removed)
  forked child, inherited get: SafeShmException (removed)
  forked child, inherited has: SafeShmException (removed)
  forked child, put: SafeShmException (removed)
  forked child, get after the put: SafeShmException (removed)
  forked child, new object: returned "fresh store"
  fresh process, own get: SafeShmException (removed)
  fresh process, own has: SafeShmException (removed)
  fresh process, put: SafeShmException (removed)
  fresh process, get after the put: SafeShmException (removed)
  fresh process, new object: returned "fresh store"
both exited normally: true
fresh store: [0,null]
-- removed by IPC_RMID, safeshm.removal_check_ms=3600000
forked child reads shared shared
fresh process reads shared
  forked child, own get: returned "shared"
  forked child, own has: returned true
  forked child, inherited get: returned "shared"
  forked child, inherited has: returned true
  forked child, put: returned null
  forked child, get after the put: returned "orphan"
  forked child, new object: returned "fresh store"
  fresh process, own get: returned "orphan"
  fresh process, own has: returned true
  fresh process, put: returned null
  fresh process, get after the put: returned "orphan"
  fresh process, new object: returned "fresh store"
both exited normally: true
fresh store: [0,null]
