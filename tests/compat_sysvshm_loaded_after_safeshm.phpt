--TEST--
safeshm.sysvshm_compat=1 with ext/sysvshm loaded after SafeShm (conf.d/20-safeshm.ini sorts first): the same startup warning, sysvshm keeps its functions
--EXTENSIONS--
safeshm
sysvshm
--SKIPIF--
<?php
require __DIR__ . '/_compat.inc';
if ($why = compat_unavailable()) die("skip no compat child here: $why");
?>
--FILE--
<?php
require __DIR__ . '/_compat.inc';
$code = '<?php foreach (["shm_attach", "shm_put_var"] as $f) echo $f, ": ", (new ReflectionFunction($f))->getExtensionName(), "\n";'
      . ' echo "SysvSharedMemory: ", (new ReflectionClass("SysvSharedMemory"))->getExtensionName(), "\n";';
echo compat_run($code, [], ['sysvshm']);
?>
--EXPECT--
Warning: safeshm.sysvshm_compat is On, but ext/sysvshm is loaded: SafeShm leaves its shm_* functions alone (disable extension=sysvshm to serve them from SafeShm) in Unknown on line 0
shm_attach: sysvshm
shm_put_var: sysvshm
SysvSharedMemory: sysvshm
