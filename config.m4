dnl config.m4 for extension safeshm

PHP_ARG_ENABLE([safeshm],
  [whether to enable safeshm support],
  [AS_HELP_STRING([--disable-safeshm], [Disable SafeShm, a locked shared-memory key-value store])],
  [yes])

PHP_ARG_ENABLE([safeshm-test-hooks],
  [whether to compile SafeShm's fault-injection hooks (tests only)],
  [AS_HELP_STRING([--enable-safeshm-test-hooks], [SafeShm: compile fault-injection hooks, for tests only])],
  [no], [no])

if test "$PHP_SAFESHM" != "no"; then
  AC_CHECK_HEADERS([sys/ipc.h sys/shm.h sys/sem.h], [], [AC_MSG_ERROR([SafeShm needs System V IPC headers])])
  AC_CHECK_FUNCS([semtimedop], [], [AC_MSG_ERROR([SafeShm needs semtimedop()])])
  dnl robust mutexes (safeshm.lock=mutex): in libc since glibc 2.34, in libpthread before
  PHP_CHECK_LIBRARY(pthread, pthread_mutexattr_setrobust,
    [PHP_ADD_LIBRARY(pthread, 1, SAFESHM_SHARED_LIBADD)], [])
  PHP_SUBST(SAFESHM_SHARED_LIBADD)
  if test "$PHP_SAFESHM_TEST_HOOKS" != "no"; then
    AC_DEFINE(SAFESHM_TEST_HOOKS, 1, [Compile fault-injection hooks])
  fi
  dnl -fvisibility=hidden: calls between the extension's own files go direct
  dnl instead of through the PLT (a put makes dozens); php_safeshm.h marks
  dnl what other extensions may use (PHP_SAFESHM_API)
  PHP_NEW_EXTENSION(safeshm, safeshm.c safeshm_attach.c safeshm_lock.c safeshm_value.c safeshm_native.c safeshm_ops.c safeshm_class.c safeshm_cache.c safeshm_locks.c safeshm_sysvshm.c safeshm_upgrade.c shm_store.c shm_heap.c shm_mutate.c shm_room.c shm_recover.c shm_locks.c shm_migrate.c sem_lock.c, $ext_shared,, -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1 -D_GNU_SOURCE -std=gnu11 -fvisibility=hidden)
fi

dnl make test loads the system's shmop, sysvsem, sysvshm, posix and pcntl for the tests that need them
if test "$PHP_SAFESHM" != "no"; then
  PHP_ADD_MAKEFILE_FRAGMENT([$ext_srcdir/tests/Makefile.frag])
fi
