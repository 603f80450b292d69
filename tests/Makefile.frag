# make test: the tests also need PHP's own shared extensions shmop, sysvsem, sysvshm, posix and pcntl. make test
# runs them with extension_dir=modules/, where run-tests.php would look for these and skip every test that
# declares one in --EXTENSIONS--; load the ones this PHP has as shared modules from its extension directory.
PHP_TEST_SHARED_EXTENSIONS += `$(PHP_EXECUTABLE) -n -r 'foreach (["shmop", "sysvsem", "sysvshm", "posix", "pcntl"] as $$e) { if (!extension_loaded($$e) && is_file(PHP_EXTENSION_DIR . "/$$e.so")) echo " -d extension=", PHP_EXTENSION_DIR, "/$$e.so"; }'`
