# `make test` (Makefile.global) runs run-tests.php with -n, an ini file stripped of every extension= line, and
# extension_dir pointed at modules/: the extensions a test declares in --EXTENSIONS-- (shmop, sysvsem, sysvshm,
# pcntl, posix) would then be looked for in modules/ and the test skipped. This points extension_dir back at
# PHP's own, where run-tests.php finds them, and loads this build by its full path instead.
PHP_TEST_SHARED_EXTENSIONS = -d extension_dir=$(EXTENSION_DIR) -d extension=$(phplibdir)/safeshm.so
