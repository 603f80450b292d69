/*
 * SafeShm: what another extension may include (module entry, version, the
 * object, class entries, module globals). The glue's own declarations are in
 * safeshm_internal.h; the store and the lock have their own plain-C headers.
 */
#ifndef PHP_SAFESHM_H
#define PHP_SAFESHM_H

/* The extension is built with -fvisibility=hidden: what another extension
 * may use is marked. */
#if defined(__GNUC__) && __GNUC__ >= 4
# define PHP_SAFESHM_API __attribute__ ((visibility("default")))
#else
# define PHP_SAFESHM_API
#endif

extern PHP_SAFESHM_API zend_module_entry safeshm_module_entry;
#define phpext_safeshm_ptr &safeshm_module_entry

#define PHP_SAFESHM_VERSION "0.2.0"

/* One mapping of one segment, shared by the objects of a process that opened
 * its key (safeshm_internal.h). */
typedef struct _php_safeshm_attachment php_safeshm_attachment;

typedef struct _php_safeshm_obj {
	php_safeshm_attachment *att;
	bool detached;      /* safeshm_detach()/shm_detach() was called */
	zend_object std;
} php_safeshm_obj;

static inline php_safeshm_obj *php_safeshm_obj_from_obj(zend_object *obj)
{
	return (php_safeshm_obj *) ((char *) obj - offsetof(php_safeshm_obj, std));
}

#define Z_SAFESHM_P(zv) php_safeshm_obj_from_obj(Z_OBJ_P(zv))

extern PHP_SAFESHM_API zend_class_entry *php_safeshm_ce;
extern PHP_SAFESHM_API zend_class_entry *php_safeshm_exception_ce;
extern PHP_SAFESHM_API zend_class_entry *php_safeshm_full_exception_ce;
extern PHP_SAFESHM_API zend_class_entry *php_safeshm_timeout_exception_ce;
extern PHP_SAFESHM_API zend_class_entry *php_safeshm_corrupt_exception_ce;
extern PHP_SAFESHM_API zend_class_entry *php_safeshm_sysv_ce; /* SysvSharedMemory in compat mode, else NULL */

ZEND_BEGIN_MODULE_GLOBALS(safeshm)
	zend_long default_size;
	zend_long init_mem;
	double lock_timeout;
	zend_long removal_check_ms;
	uint32_t lock_kind;               /* safeshm.lock: how new segments are locked */
	uint64_t request;                 /* counts requests, for once-per-request checks */
	bool sysvshm_compat;
	HashTable attachments;            /* key_t => php_safeshm_attachment* */
	php_safeshm_attachment *held;     /* whose lock this process holds, if any */
	/* When a lock attempt timed out waiting for the holder of a semaphore
	 * removed under it (ipcrm -s) to leave the store, its pid; else 0. */
	uint32_t prev_owner;
	/* The mutex held came with EOWNERDEAD: its holder died; made consistent
	 * once the store is repaired, before anything can release it. */
	bool owner_died;
	struct _php_safeshm_hold *holds;  /* locks this request holds (safeshm_locks.c) */
ZEND_END_MODULE_GLOBALS(safeshm)

#ifdef ZTS
ZEND_EXTERN_MODULE_GLOBALS(safeshm)
#else
extern PHP_SAFESHM_API zend_safeshm_globals safeshm_globals;
#endif
#define SAFESHM_G(v) ZEND_MODULE_GLOBALS_ACCESSOR(safeshm, v)

#if defined(ZTS) && defined(COMPILE_DL_SAFESHM)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

#endif
