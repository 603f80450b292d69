/*
 * SafeShm: the module. Ini settings, module globals, MINIT to RSHUTDOWN,
 * phpinfo, and the registration of the classes with the SafeShm object's
 * handlers. The rest of the Zend glue is split by concern (safeshm_internal.h
 * lists the rooms); the store (shm_store.c) and the lock (sem_lock.c) are
 * plain C and know nothing of PHP.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "php_ini.h"
#include "ext/standard/info.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"
#include "ext/spl/spl_exceptions.h"

#include <inttypes.h>
#include <unistd.h>

#include "safeshm_internal.h"
#include "safeshm_arginfo.h"

ZEND_DECLARE_MODULE_GLOBALS(safeshm)

zend_class_entry *php_safeshm_ce;
zend_class_entry *php_safeshm_exception_ce;
zend_class_entry *php_safeshm_full_exception_ce;
zend_class_entry *php_safeshm_timeout_exception_ce;
zend_class_entry *php_safeshm_corrupt_exception_ce;
zend_class_entry *php_safeshm_sysv_ce;

zend_object_handlers php_safeshm_handlers;

/* Why safeshm.sysvshm_compat did not take effect, for phpinfo(); NULL if it did or is Off. */
static const char *php_safeshm_compat_skipped;

/* ---- ini ------------------------------------------------------------ */

/* ZEND_INI_MH passes more than these handlers need; -Wextra would say so. */
#define PHP_SAFESHM_INI_MH_UNUSED() \
	((void) entry, (void) mh_arg1, (void) mh_arg2, (void) mh_arg3, (void) stage)

static ZEND_INI_MH(OnUpdateDefaultSize)
{
	zend_long v = zend_ini_parse_quantity_warn(new_value, entry->name);

	PHP_SAFESHM_INI_MH_UNUSED();
	if (v < (zend_long) SAFESHM_MIN_SIZE || (uint64_t) v > SAFESHM_MAX_SIZE) {
		php_error_docref(NULL, E_WARNING, "safeshm.default_size must be between %u and %" PRIu64 " bytes (32 GiB - 8)",
			SAFESHM_MIN_SIZE, (uint64_t) SAFESHM_MAX_SIZE);
		return FAILURE;
	}
	SAFESHM_G(default_size) = v;
	return SUCCESS;
}

/* A number of seconds, and nothing else: "abc", "five", "", "inf", "NAN"
 * and "5s" are refused (strtod would read them as 0 or infinity, and every
 * contended call would then fail at once), and the old value is kept. */
static ZEND_INI_MH(OnUpdateLockTimeout)
{
	double v = -1.0;
	zend_long l;
	uint8_t type = is_numeric_string(ZSTR_VAL(new_value), ZSTR_LEN(new_value), &l, &v, false);

	PHP_SAFESHM_INI_MH_UNUSED();
	if (type == IS_LONG) {
		v = (double) l;
	} else if (type != IS_DOUBLE) {
		v = -1.0;
	}
	if (!zend_finite(v) || !(v >= 0.0) || v > 86400.0) {
		if (stage == ZEND_INI_STAGE_STARTUP) {
			php_error_docref(NULL, E_WARNING, "safeshm.lock_timeout must be a number of seconds between 0 and 86400, "
				"\"%s\" given; the default applies", ZSTR_VAL(new_value));
		} else {
			php_error_docref(NULL, E_WARNING, "safeshm.lock_timeout must be a number of seconds between 0 and 86400, "
				"\"%s\" given; it stays %.3F", ZSTR_VAL(new_value), SAFESHM_G(lock_timeout));
		}
		return FAILURE;
	}
	SAFESHM_G(lock_timeout) = v;
	return SUCCESS;
}

#if SAFESHM_HAVE_ROBUST_MUTEX
# define PHP_SAFESHM_DEFAULT_LOCK "mutex"
#else
# define PHP_SAFESHM_DEFAULT_LOCK "semaphore"
#endif

static ZEND_INI_MH(OnUpdateLockKind)
{
	PHP_SAFESHM_INI_MH_UNUSED();
	if (zend_string_equals_literal_ci(new_value, "mutex")) {
		if (!safeshm_lock_mutex_supported()) {
			php_error_docref(NULL, E_WARNING, "safeshm.lock=mutex needs robust process-shared mutexes, which this build lacks");
			return FAILURE;
		}
		SAFESHM_G(lock_kind) = SAFESHM_LOCK_KIND_MUTEX;
	} else if (zend_string_equals_literal_ci(new_value, "semaphore")) {
		SAFESHM_G(lock_kind) = SAFESHM_LOCK_KIND_SEMAPHORE;
	} else {
		php_error_docref(NULL, E_WARNING, "safeshm.lock must be \"mutex\" or \"semaphore\"");
		return FAILURE;
	}
	return SUCCESS;
}

#ifdef SAFESHM_TEST_HOOKS
/* Test builds only. safeshm.test_fault_delay_us: sleep at every step of a
 * mutation, so that a SIGKILL at a random instant lands inside put, delete or
 * a compaction's record move. safeshm.test_call: a PHP function called with
 * the point's name at the point safeshm.test_call_at names, so that a test
 * decides what happens there, deterministically: a fatal error, exit() or an
 * exception while the lock is held ("locked": a write has just taken it), a
 * SIGKILL or a read by another process in the middle of a mutation (the
 * store's fault points: "put:written", "evacuate:copied", ...), writes in the
 * middle of a lock-free read ("read:found", "multi:read"). Production
 * builds have none of it: no user code ever runs under their lock. */
static zend_long php_safeshm_fault_delay_us;
static char php_safeshm_test_call[256], php_safeshm_test_call_at[64];
static bool php_safeshm_test_calling;

void php_safeshm_test_point(const char *where)
{
	zval fn, arg, rv;

	if (!php_safeshm_test_call[0] || php_safeshm_test_calling || strcmp(where, php_safeshm_test_call_at) != 0) {
		return;
	}
	/* not again from inside the function (its own reads and writes); a
	 * bailout out of it leaves the flag set until the next request */
	php_safeshm_test_calling = true;
	ZVAL_STRING(&fn, php_safeshm_test_call);
	ZVAL_STRING(&arg, where);
	ZVAL_UNDEF(&rv);
	call_user_function(NULL, NULL, &fn, &rv, 1, &arg);
	zval_ptr_dtor(&rv);
	zval_ptr_dtor(&arg);
	zval_ptr_dtor(&fn);
	php_safeshm_test_calling = false;
}

static void php_safeshm_fault_hook(const char *where)
{
	if (php_safeshm_fault_delay_us > 0) {
		usleep((useconds_t) php_safeshm_fault_delay_us);
	}
	php_safeshm_test_point(where);
}

static void php_safeshm_fault_hook_update(void)
{
	safeshm_store_fault_hook = php_safeshm_fault_delay_us > 0 || php_safeshm_test_call[0] ? php_safeshm_fault_hook : NULL;
}

static ZEND_INI_MH(OnUpdateFaultDelay)
{
	PHP_SAFESHM_INI_MH_UNUSED();
	php_safeshm_fault_delay_us = ZEND_STRTOL(ZSTR_VAL(new_value), NULL, 10);
	php_safeshm_fault_hook_update();
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateTestCall)
{
	PHP_SAFESHM_INI_MH_UNUSED();
	if (ZSTR_LEN(new_value) >= sizeof(php_safeshm_test_call)) {
		return FAILURE;
	}
	memcpy(php_safeshm_test_call, ZSTR_VAL(new_value), ZSTR_LEN(new_value) + 1);
	php_safeshm_fault_hook_update();
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateTestCallAt)
{
	PHP_SAFESHM_INI_MH_UNUSED();
	if (ZSTR_LEN(new_value) >= sizeof(php_safeshm_test_call_at)) {
		return FAILURE;
	}
	memcpy(php_safeshm_test_call_at, ZSTR_VAL(new_value), ZSTR_LEN(new_value) + 1);
	return SUCCESS;
}
#endif

PHP_INI_BEGIN()
	PHP_INI_ENTRY("safeshm.default_size", "1048576", PHP_INI_SYSTEM, OnUpdateDefaultSize)
	PHP_INI_ENTRY("safeshm.lock_timeout", "5", PHP_INI_ALL, OnUpdateLockTimeout)
	PHP_INI_ENTRY("safeshm.lock", PHP_SAFESHM_DEFAULT_LOCK, PHP_INI_SYSTEM, OnUpdateLockKind)
	STD_PHP_INI_ENTRY("safeshm.removal_check_ms", "100", PHP_INI_ALL, OnUpdateLong, removal_check_ms, zend_safeshm_globals, safeshm_globals)
	STD_PHP_INI_ENTRY("safeshm.init_mem", "10000", PHP_INI_ALL, OnUpdateLong, init_mem, zend_safeshm_globals, safeshm_globals)
	STD_PHP_INI_BOOLEAN("safeshm.sysvshm_compat", "0", PHP_INI_SYSTEM, OnUpdateBool, sysvshm_compat, zend_safeshm_globals, safeshm_globals)
#ifdef SAFESHM_TEST_HOOKS
	PHP_INI_ENTRY("safeshm.test_fault_delay_us", "0", PHP_INI_ALL, OnUpdateFaultDelay)
	PHP_INI_ENTRY("safeshm.test_call", "", PHP_INI_ALL, OnUpdateTestCall)
	PHP_INI_ENTRY("safeshm.test_call_at", "locked", PHP_INI_ALL, OnUpdateTestCallAt)
#endif
PHP_INI_END()

/* ---- the SafeShm object --------------------------------------------- */

zend_object *php_safeshm_create(zend_class_entry *ce)
{
	php_safeshm_obj *o = zend_object_alloc(sizeof(php_safeshm_obj), ce);
	zend_object_std_init(&o->std, ce);
	object_properties_init(&o->std, ce);
	o->std.handlers = &php_safeshm_handlers;
	o->att = NULL;
	return &o->std;
}

static void php_safeshm_free_obj(zend_object *obj)
{
	php_safeshm_obj *o = php_safeshm_obj_from_obj(obj);
	if (o->att) {
		php_safeshm_attachment_release(o->att);
		o->att = NULL;
	}
	zend_object_std_dtor(obj);
}

/* ---- module --------------------------------------------------------- */

static PHP_GINIT_FUNCTION(safeshm)
{
#if defined(COMPILE_DL_SAFESHM) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	memset(safeshm_globals, 0, sizeof(*safeshm_globals));
	zend_hash_init(&safeshm_globals->attachments, 8, NULL, php_safeshm_attachment_dtor, 1);
}

static PHP_GSHUTDOWN_FUNCTION(safeshm)
{
	zend_hash_destroy(&safeshm_globals->attachments);
}

PHP_MINIT_FUNCTION(safeshm)
{
	REGISTER_INI_ENTRIES();
	php_safeshm_attach_minit();
	safeshm_lock_setup();

	php_safeshm_ce = register_class_SafeShm(zend_ce_countable);
	php_safeshm_ce->create_object = php_safeshm_create;
	memcpy(&php_safeshm_handlers, &std_object_handlers, sizeof(zend_object_handlers));
	php_safeshm_handlers.offset = offsetof(php_safeshm_obj, std);
	php_safeshm_handlers.free_obj = php_safeshm_free_obj;
	php_safeshm_handlers.clone_obj = NULL;
	php_safeshm_handlers.compare = zend_objects_not_comparable;

	php_safeshm_exception_ce = register_class_SafeShmException(spl_ce_RuntimeException);
	if (SAFESHM_G(sysvshm_compat)) {
		php_safeshm_compat_skipped = php_safeshm_register_compat();
	}
	php_safeshm_full_exception_ce = register_class_SafeShmFullException(php_safeshm_exception_ce);
	php_safeshm_timeout_exception_ce = register_class_SafeShmTimeoutException(php_safeshm_exception_ce);
	php_safeshm_corrupt_exception_ce = register_class_SafeShmCorruptException(php_safeshm_exception_ce);
	php_safeshm_lock_ce = register_class_SafeShmLock();
	php_safeshm_locks_minit();
	return SUCCESS;
}

PHP_MSHUTDOWN_FUNCTION(safeshm)
{
	UNREGISTER_INI_ENTRIES();
	return SUCCESS;
}

PHP_RINIT_FUNCTION(safeshm)
{
	(void) type;
	(void) module_number;
#if defined(ZTS) && defined(COMPILE_DL_SAFESHM)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	SAFESHM_G(request)++;
#ifdef SAFESHM_TEST_HOOKS
	php_safeshm_test_calling = false;
#endif
	return SUCCESS;
}

/* Last resort: a bailout we did not catch must not leave the lock held
 * for the next request this worker serves. */
PHP_RSHUTDOWN_FUNCTION(safeshm)
{
	(void) type;
	(void) module_number;
	if (SAFESHM_G(held)) {
		php_safeshm_release(SAFESHM_G(held));
	}
	/* named locks and remember() markers this request still holds: fatal
	 * errors, exit() and timeouts end up here too */
	php_safeshm_holds_release_all();
	{
		php_safeshm_attachment *a;
		ZEND_HASH_FOREACH_PTR(&SAFESHM_G(attachments), a) {
			if (!a->readonly) {
				php_safeshm_fold_tallies(a);
			}
		} ZEND_HASH_FOREACH_END();
	}
	return SUCCESS;
}

PHP_MINFO_FUNCTION(safeshm)
{
	char buf[64];

	php_info_print_table_start();
	php_info_print_table_row(2, "SafeShm support", "enabled");
	php_info_print_table_row(2, "Version", PHP_SAFESHM_VERSION);
	snprintf(buf, sizeof(buf), "%u", SAFESHM_LAYOUT_VERSION);
	php_info_print_table_row(2, "Segment layout version", buf);
	php_info_print_table_row(2, "Lock", SAFESHM_G(lock_kind) == SAFESHM_LOCK_KIND_MUTEX
		? "robust process-shared mutex in the segment (new segments; safeshm.lock); lock-free validated reads"
		: "SysV semaphore, SEM_UNDO, semtimedop (new segments; safeshm.lock); lock-free validated reads");
	php_info_print_table_row(2, "Robust mutexes", safeshm_lock_mutex_supported() ? "available" : "not available in this build");
	snprintf(buf, sizeof(buf), "%u bytes", SAFESHM_MIN_SIZE);
	php_info_print_table_row(2, "Minimum segment size", buf);
	snprintf(buf, sizeof(buf), "%u bytes", SAFESHM_MAX_KEY_LEN);
	php_info_print_table_row(2, "Maximum key length", buf);
	snprintf(buf, sizeof(buf), "%u", zend_hash_num_elements(&SAFESHM_G(attachments)));
	php_info_print_table_row(2, "Segments attached by this process", buf);
	php_info_print_table_row(2, "sysvshm compatibility (shm_* functions)",
		php_safeshm_sysv_ce ? "enabled: shm_* and SysvSharedMemory are served by SafeShm"
		: php_safeshm_compat_skipped ? php_safeshm_compat_skipped : "disabled (safeshm.sysvshm_compat=Off)");
#ifdef SAFESHM_TEST_HOOKS
	php_info_print_table_row(2, "Fault-injection hooks", "compiled in (test build)");
#endif
	php_info_print_table_end();

	DISPLAY_INI_ENTRIES();
}

zend_module_entry safeshm_module_entry = {
	STANDARD_MODULE_HEADER,
	"safeshm",
	ext_functions,
	PHP_MINIT(safeshm),
	PHP_MSHUTDOWN(safeshm),
	PHP_RINIT(safeshm),
	PHP_RSHUTDOWN(safeshm),
	PHP_MINFO(safeshm),
	PHP_SAFESHM_VERSION,
	PHP_MODULE_GLOBALS(safeshm),
	PHP_GINIT(safeshm),
	PHP_GSHUTDOWN(safeshm),
	NULL,
	STANDARD_MODULE_PROPERTIES_EX
};

#ifdef COMPILE_DL_SAFESHM
# ifdef ZTS
ZEND_TSRMLS_CACHE_DEFINE()
# endif
ZEND_GET_MODULE(safeshm)
#endif
