--TEST--
SafeShm phpinfo(): a safeshm section with the version, layout, lock, limits, compatibility and every setting
--EXTENSIONS--
safeshm
--FILE--
<?php
$version = phpversion('safeshm');
var_dump(is_string($version) && preg_match('/^\d+\.\d+\.\d+$/', $version) === 1);
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
preg_match("/\nsafeshm\n\n(.*?\n)\n(Directive => .*?\n)\n/s", $info, $m);
// What varies by build and by the lock this run creates stores with is replaced by a placeholder;
// the fault-injection row and setting exist only in test builds.
$lock = ini_get('safeshm.lock');
echo str_replace(
    ["Version => $version\n", "safeshm.lock => $lock => $lock\n", 'robust process-shared mutex in the segment', 'SysV semaphore, SEM_UNDO, semtimedop'],
    ["Version => VERSION\n", "safeshm.lock => LOCK => LOCK\n", 'LOCK', 'LOCK'],
    preg_replace(["/^Fault-injection hooks => .*\n/m", "/^safeshm\\.test_\\w+ => .*\n/m"], '', ($m[1] ?? "no safeshm section\n") . "\n" . ($m[2] ?? ''))), "\n";
echo 'Lock row names the ini\'s lock: ', var_export(str_contains($m[1] ?? '', $lock === 'mutex' ? 'robust process-shared mutex' : 'SysV semaphore'), true), "\n";
?>
--EXPECT--
bool(true)
SafeShm support => enabled
Version => VERSION
Segment layout version => 2
Lock => LOCK (new segments; safeshm.lock); lock-free validated reads
Robust mutexes => available
Minimum segment size => 4096 bytes
Maximum key length => 4096 bytes
Segments attached by this process => 0
sysvshm compatibility (shm_* functions) => disabled (safeshm.sysvshm_compat=Off)

Directive => Local Value => Master Value
safeshm.default_size => 1048576 => 1048576
safeshm.init_mem => 10000 => 10000
safeshm.lock => LOCK => LOCK
safeshm.lock_timeout => 5 => 5
safeshm.removal_check_ms => 100 => 100
safeshm.sysvshm_compat => Off => Off

Lock row names the ini's lock: true
