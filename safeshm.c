/*
 * SafeShm: the Zend glue. Argument parsing, (un)serialization, exceptions,
 * ini and phpinfo; the store (shm_store.c) and the lock (sem_lock.c) are
 * plain C and know nothing of PHP.
 *
 * Rules kept here: no user code and no PHP warning while the lock is held
 * (serialize before locking, copy bytes out under it, unserialize after);
 * every path that could bail out under the lock releases it (zend_try), and
 * request shutdown releases it as a last resort, because php-fpm workers
 * outlive requests and SEM_UNDO only acts when a process exits.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "php_ini.h"
#include "ext/standard/info.h"
#include "ext/standard/php_var.h"
#include "ext/standard/basic_functions.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"
#include "zend_smart_str.h"
#include "ext/spl/spl_exceptions.h"

#include <errno.h>
#include <unistd.h>
#include <time.h>
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <signal.h>

#include "php_safeshm.h"
#include "safeshm_arginfo.h"

/* The compat stub's generated table is also called ext_functions. */
#define ext_functions php_safeshm_compat_functions
#include "safeshm_compat_arginfo.h"
#undef ext_functions

ZEND_DECLARE_MODULE_GLOBALS(safeshm)

zend_class_entry *php_safeshm_ce;
zend_class_entry *php_safeshm_exception_ce;
zend_class_entry *php_safeshm_full_exception_ce;
zend_class_entry *php_safeshm_timeout_exception_ce;
zend_class_entry *php_safeshm_corrupt_exception_ce;
zend_class_entry *php_safeshm_sysv_ce;

/* Why safeshm.sysvshm_compat did not take effect, for phpinfo(); NULL if it did or is Off. */
static const char *php_safeshm_compat_skipped;

static zend_object_handlers php_safeshm_handlers;

/* Optimistic (lock-free) read attempts before a reader takes the lock. */
#define PHP_SAFESHM_READ_TRIES 16

/* ---- ini ------------------------------------------------------------ */

static ZEND_INI_MH(OnUpdateDefaultSize)
{
	zend_long v = zend_ini_parse_quantity_warn(new_value, entry->name);
	if (v < (zend_long) SAFESHM_MIN_SIZE) {
		php_error_docref(NULL, E_WARNING, "safeshm.default_size must be at least %u", SAFESHM_MIN_SIZE);
		return FAILURE;
	}
	SAFESHM_G(default_size) = v;
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateLockTimeout)
{
	double v = zend_strtod(ZSTR_VAL(new_value), NULL);
	if (!(v >= 0.0) || v > 86400.0) {
		php_error_docref(NULL, E_WARNING, "safeshm.lock_timeout must be between 0 and 86400 seconds");
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
/* Test builds only: sleep at every step of a mutation, so that a SIGKILL at a
 * random instant lands inside put, delete or a compaction's record move. */
static zend_long php_safeshm_fault_delay_us;

static void php_safeshm_fault_hook(const char *where)
{
	(void) where;
	if (php_safeshm_fault_delay_us > 0) {
		usleep((useconds_t) php_safeshm_fault_delay_us);
	}
}

static ZEND_INI_MH(OnUpdateFaultDelay)
{
	php_safeshm_fault_delay_us = ZEND_STRTOL(ZSTR_VAL(new_value), NULL, 10);
	safeshm_store_fault_hook = php_safeshm_fault_delay_us > 0 ? php_safeshm_fault_hook : NULL;
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
#endif
PHP_INI_END()

/* ---- errors --------------------------------------------------------- */

static zend_class_entry *php_safeshm_status_ce(safeshm_status st)
{
	switch (st) {
		case SAFESHM_FULL: return php_safeshm_full_exception_ce;
		case SAFESHM_CORRUPT: return php_safeshm_corrupt_exception_ce;
		default: return php_safeshm_exception_ce;
	}
}

static void php_safeshm_throw_status(const php_safeshm_attachment *a, safeshm_status st)
{
	zend_throw_exception_ex(php_safeshm_status_ce(st), 0, "SafeShm segment 0x%08x: %s",
		(unsigned) a->key, safeshm_status_str(st));
}

static void php_safeshm_throw_removed(const php_safeshm_attachment *a)
{
	zend_throw_exception_ex(php_safeshm_exception_ce, 0,
		"SafeShm segment 0x%08x has been removed; create a new SafeShm object", (unsigned) a->key);
}

/* ---- attachments ---------------------------------------------------- */

static void php_safeshm_attachment_free(php_safeshm_attachment *a)
{
	/* after safeshm_remove(): the semaphore goes too, unless a new segment
	 * under the same key already uses it */
	if (a->rmid_kept && a->lock.semid > 0 && shmget(a->key, 0, 0) < 0 && errno == ENOENT) {
		safeshm_lock_remove(&a->lock);
	}
	if (a->store.base) {
		shmdt(a->store.base);
	}
	pefree(a, 1);
}

static void php_safeshm_attachment_release(php_safeshm_attachment *a)
{
	if (--a->refcount == 0 && !a->cached) {
		php_safeshm_attachment_free(a);
	}
}

/* Drops a from the cache; objects still holding it see it as stale. */
static void php_safeshm_attachment_forget(php_safeshm_attachment *a)
{
	a->stale = true;
	if (a->cached) {
		a->cached = false;
		zend_hash_index_del(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) a->key);
	}
}

static void php_safeshm_attachment_dtor(zval *zv)
{
	php_safeshm_attachment *a = Z_PTR_P(zv);
	a->cached = false;
	if (a->refcount == 0) {
		php_safeshm_attachment_free(a);
	}
}

static long php_safeshm_timeout_ms(void)
{
	return (long) (SAFESHM_G(lock_timeout) * 1000.0 + 0.5);
}

/* Takes the lock and makes the store usable (recovering after a crashed
 * holder). On failure nothing is held and the returned status says why;
 * no exception is thrown here. */
typedef enum {
	PHP_SAFESHM_LOCKED = 0,
	PHP_SAFESHM_LOCK_TIMEOUT,
	PHP_SAFESHM_LOCK_REMOVED,
	PHP_SAFESHM_LOCK_SYSERR,
	PHP_SAFESHM_LOCK_BROKEN, /* the store's mutex is damaged */
	PHP_SAFESHM_LOCK_STORE  /* store status in *store_st */
} php_safeshm_lock_result;

static uint64_t php_safeshm_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* Whether the key still names our segment. SafeShm::remove() sets a flag
 * every process sees at once; this catches removal from outside (ipcrm -m,
 * shm_remove by other code), which changes nothing in the mapped bytes. */
static bool php_safeshm_still_current(php_safeshm_attachment *a)
{
	int id;
	if (a->rmid_kept) {
		return true; /* sysvshm semantics: usable until detached */
	}
	id = shmget(a->key, 0, 0);
	a->checked_ns = php_safeshm_now_ns();
	a->checked_request = SAFESHM_G(request);
	return id == a->shmid;
}

/* The check of a lock-free reader: segment and semaphore both still ours.
 * Asked of the system at the first read of each request, then at most every
 * safeshm.removal_check_ms (0: every read), because on some machines a
 * system call costs several times a whole lock-free get. */
static bool php_safeshm_reader_current(php_safeshm_attachment *a)
{
	zend_long ms = SAFESHM_G(removal_check_ms);
	if (a->checked_request == SAFESHM_G(request) && ms > 0
			&& php_safeshm_now_ns() - a->checked_ns < (uint64_t) ms * 1000000u) {
		return true;
	}
	/* a mutex store's semaphore only serialises formatting: its removal loses nothing */
	return php_safeshm_still_current(a) && (a->rmid_kept || a->lock.mutex || safeshm_lock_exists(&a->lock));
}

/* getpid() is a system call; the pid is cached and refreshed in forked children. */
static uint32_t php_safeshm_pid;

/* When the lock we took is not the semaphore the previous holder took (it was
 * removed and re-created), that holder's pid from the header; else 0. */
static uint32_t php_safeshm_prev_owner;

/* The mutex we hold came with EOWNERDEAD: its holder died; made consistent
 * once the store is repaired, before anything can release it. */
static bool php_safeshm_owner_died;

static void php_safeshm_atfork_child(void)
{
	php_safeshm_pid = (uint32_t) getpid();
}

/* Whether the lock a holds is the one the store's writers use: at attach a
 * holds the semaphore, which for a mutex store only serialises formatting,
 * so it must not touch the holder fields of the header. A mutex is only set
 * on an attachment whose header was validated: the hot path skips the check. */
static bool php_safeshm_is_store_lock(const php_safeshm_attachment *a)
{
	return a->lock.mutex != NULL || (safeshm_store_check_header(&a->store) == SAFESHM_OK
		&& safeshm_store_lock_kind(&a->store) == SAFESHM_LOCK_KIND_SEMAPHORE);
}

/* Releases the lock this process holds on a. */
static void php_safeshm_release(php_safeshm_attachment *a)
{
	if (php_safeshm_is_store_lock(a)) {
		safeshm_store_set_owner(&a->store, 0);
	}
	safeshm_lock_release(&a->lock);
	SAFESHM_G(held) = NULL;
}

/* Acquires the lock only: the semaphore at attach, then the store's own lock. */
static php_safeshm_lock_result php_safeshm_lock_raw(php_safeshm_attachment *a, int *err)
{
	int waited = 0;
	safeshm_lock_status ls;

	ZEND_ASSERT(SAFESHM_G(held) == NULL);
	ls = safeshm_lock_acquire(&a->lock, php_safeshm_timeout_ms(), &waited);
	if (waited) {
		safeshm_store_count_lock_wait(&a->store);
	}
	switch (ls) {
		case SAFESHM_LOCK_OWNER_DEAD:
		case SAFESHM_LOCK_OK:
			SAFESHM_G(held) = a;
			php_safeshm_prev_owner = 0;
			php_safeshm_owner_died = ls == SAFESHM_LOCK_OWNER_DEAD;
			if (php_safeshm_is_store_lock(a)) {
				/* a previous holder of this very semaphore is gone (SEM_UNDO);
				 * one of another semaphore (removed and re-created) may not be.
				 * A mutex lives in the segment: nobody can swap it under us. */
				if (!a->lock.mutex && safeshm_store_lock_semid(&a->store) != a->lock.semid) {
					php_safeshm_prev_owner = __atomic_load_n(safeshm_store_owner_hint(&a->store), __ATOMIC_ACQUIRE);
					safeshm_store_set_lock_semid(&a->store, a->lock.semid);
				}
				safeshm_store_set_owner(&a->store, php_safeshm_pid);
			}
			return PHP_SAFESHM_LOCKED;
		case SAFESHM_LOCK_TIMEOUT:
			safeshm_store_count_lock_timeout(&a->store);
			return PHP_SAFESHM_LOCK_TIMEOUT;
		case SAFESHM_LOCK_REMOVED:
			return PHP_SAFESHM_LOCK_REMOVED;
		case SAFESHM_LOCK_BROKEN:
			return PHP_SAFESHM_LOCK_BROKEN;
		default:
			*err = errno;
			return PHP_SAFESHM_LOCK_SYSERR;
	}
}

/*
 * Before repairing a store left mid-mutation, make sure its writer is dead:
 * SEM_UNDO guarantees that for the semaphore we hold, but if someone removed
 * the semaphore (ipcrm -s) a writer may still be at work under the old one.
 * Only when the semaphore changed under it: waits up to safeshm.lock_timeout
 * for that owner to finish or die, then reports a timeout rather than repair
 * under a writer that may resume (a SIGSTOPped one).
 */
static bool php_safeshm_owner_alive(php_safeshm_attachment *a)
{
	uint64_t deadline = php_safeshm_now_ns() + (uint64_t) php_safeshm_timeout_ms() * 1000000u;
	uint32_t pid = php_safeshm_prev_owner;

	for (;;) {
		if (pid == 0 || pid == php_safeshm_pid || pid > INT32_MAX
				|| (kill((pid_t) pid, 0) != 0 && errno == ESRCH)) {
			return false;
		}
		if (!safeshm_store_needs_recovery(&a->store)) {
			return false; /* it finished its mutation */
		}
		if (php_safeshm_now_ns() >= deadline) {
			return true; /* alive and mid-mutation: never repair under it */
		}
		usleep(1000);
	}
}

/* Locked: repairs a store its previous holder left mid-mutation. Returns
 * false, changing nothing, when that holder may still be writing (see above). */
static bool php_safeshm_repair_if_needed(php_safeshm_attachment *a, safeshm_status *st)
{
	if (!safeshm_store_needs_recovery(&a->store)) {
		return true;
	}
	if (php_safeshm_owner_alive(a)) {
		return false;
	}
	*st = safeshm_store_recover(&a->store);
	return true;
}

static php_safeshm_lock_result php_safeshm_lock(php_safeshm_attachment *a, safeshm_status *store_st, int *err)
{
	php_safeshm_lock_result r;

	/* Outside the lock, to keep the critical section short: a write racing
	 * an external ipcrm is the same as one made just before it. */
	if (!php_safeshm_still_current(a)) {
		return PHP_SAFESHM_LOCK_REMOVED;
	}
	r = php_safeshm_lock_raw(a, err);
	if (r != PHP_SAFESHM_LOCKED) {
		return r;
	}
	*store_st = safeshm_store_check_header(&a->store);
	if (php_safeshm_owner_died) {
		/* repair now, whatever else is wrong, and never release the mutex
		 * before it is consistent: that would make it unusable for good */
		if (*store_st == SAFESHM_OK) {
			php_safeshm_repair_if_needed(a, store_st);
		}
		safeshm_lock_consistent(&a->lock);
		php_safeshm_owner_died = false;
	}
	if (*store_st == SAFESHM_OK && safeshm_store_is_removed(&a->store)) {
		php_safeshm_release(a);
		return PHP_SAFESHM_LOCK_REMOVED;
	}
	if (*store_st == SAFESHM_OK && !php_safeshm_repair_if_needed(a, store_st)) {
		php_safeshm_release(a);
		return PHP_SAFESHM_LOCK_TIMEOUT;
	}
	if (*store_st != SAFESHM_OK) {
		php_safeshm_release(a);
		return PHP_SAFESHM_LOCK_STORE;
	}
	return PHP_SAFESHM_LOCKED;
}

static void php_safeshm_unlock(php_safeshm_attachment *a)
{
	ZEND_ASSERT(SAFESHM_G(held) == a);
	php_safeshm_release(a);
}

static void php_safeshm_throw_lock(php_safeshm_attachment *a, php_safeshm_lock_result r, safeshm_status st, int err)
{
	switch (r) {
		case PHP_SAFESHM_LOCK_TIMEOUT:
			zend_throw_exception_ex(php_safeshm_timeout_exception_ce, 0,
				"SafeShm segment 0x%08x: lock not acquired within safeshm.lock_timeout (%.3F s)",
				(unsigned) a->key, SAFESHM_G(lock_timeout));
			break;
		case PHP_SAFESHM_LOCK_REMOVED:
			php_safeshm_attachment_forget(a);
			php_safeshm_throw_removed(a);
			break;
		case PHP_SAFESHM_LOCK_SYSERR:
			zend_throw_exception_ex(php_safeshm_exception_ce, 0, "SafeShm segment 0x%08x: %s: %s",
				(unsigned) a->key, a->lock.mutex ? "mutex" : "semaphore", strerror(err));
			break;
		case PHP_SAFESHM_LOCK_BROKEN:
			zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
				"SafeShm segment 0x%08x: its lock is damaged", (unsigned) a->key);
			break;
		case PHP_SAFESHM_LOCK_STORE:
			php_safeshm_throw_status(a, st);
			break;
		case PHP_SAFESHM_LOCKED:
			break;
	}
}

/* Lock or throw: the common form of the above. */
static bool php_safeshm_lock_or_throw(php_safeshm_attachment *a)
{
	safeshm_status st = SAFESHM_OK;
	int err = 0;
	php_safeshm_lock_result r = php_safeshm_lock(a, &st, &err);
	if (r != PHP_SAFESHM_LOCKED) {
		php_safeshm_throw_lock(a, r, st, err);
		return false;
	}
	return true;
}

/* Derives the IPC key for a segment name; named segments live in 0x40000000..0x7fffffff. */
static key_t php_safeshm_name_key(const char *name, size_t len)
{
	uint32_t h = (uint32_t) safeshm_hash(name, len);
	return (key_t) ((h & 0x3FFFFFFFu) | 0x40000000u);
}

/* ext/sysvshm's segment header (PHP 8.2, ext/sysvshm/php_sysvshm.h). */
typedef struct {
	char magic[8];
	zend_long start;
	zend_long end;
	zend_long free;
	zend_long total;
} php_safeshm_sysvshm_head;

typedef struct {
	zend_long key;
	zend_long length;
	zend_long next;
	/* serialized bytes follow */
} php_safeshm_sysvshm_chunk;

/* Walks a sysvshm segment: 1 when the header and every chunk are in bounds,
 * 0 when it is not sysvshm, -1 when it has sysvshm's magic but a bad header
 * or chunk. With offs, stores each chunk's offset (room for (end-start)/24
 * entries) and its count in *n. */
static int php_safeshm_sysvshm_walk(const void *base, size_t size, zend_long *offs, zend_long *n, zend_long *bad)
{
	php_safeshm_sysvshm_head h;
	zend_long pos, count = 0;

	if (bad) {
		*bad = -1;
	}

	if (size < sizeof(h)) {
		return 0;
	}
	memcpy(&h, base, sizeof(h));
	if (memcmp(h.magic, "PHP_SM", 7) != 0) {
		return 0;
	}
	if (h.start != (zend_long) sizeof(h) || h.end < h.start || h.total < h.end
			|| (zend_ulong) h.total > size || h.free != h.total - h.end) {
		return -1;
	}
	for (pos = h.start; pos < h.end; ) {
		php_safeshm_sysvshm_chunk c;
		if (h.end - pos < (zend_long) sizeof(c)) {
			if (bad) {
				*bad = pos;
			}
			return -1;
		}
		memcpy(&c, (const char *) base + pos, sizeof(c));
		if (c.next <= 0 || c.next > h.end - pos || c.length < 0
				|| c.length > c.next - (zend_long) sizeof(c)) {
			if (bad) {
				*bad = pos;
			}
			return -1;
		}
		if (offs) {
			offs[count] = pos;
		}
		count++;
		pos += c.next;
	}
	if (n) {
		*n = count;
	}
	return 1;
}

static int php_safeshm_sysvshm_kind(const void *base, size_t size)
{
	return php_safeshm_sysvshm_walk(base, size, NULL, NULL, NULL);
}

/* Reports an attach failure: a SafeShmException for the class, sysvshm's
 * "Failed for key" warning for the functions. No lock is held here. */
static void php_safeshm_attach_error(bool proc, zend_class_entry *ce, key_t key, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	zend_vspprintf(&msg, 0, fmt, ap);
	va_end(ap);
	if (proc) {
		php_error_docref(NULL, E_WARNING, "Failed for key 0x%x: %s", (unsigned) key, msg);
	} else {
		zend_throw_exception_ex(ce, 0, "SafeShm segment 0x%08x: %s", (unsigned) key, msg);
	}
	efree(msg);
}

static void php_safeshm_attach_status_error(bool proc, key_t key, int shmid, safeshm_status st, const void *base, size_t size)
{
	int kind;

	switch (st) {
		case SAFESHM_FOREIGN:
			kind = php_safeshm_sysvshm_kind(base, size);
			if (kind == 1) {
				php_safeshm_attach_error(proc, php_safeshm_exception_ce, key,
					"the key holds an ext/sysvshm segment (shm_attach); it was left untouched. "
					"Copy its variables with SafeShm::importSysvshm(0x%x) into a store under another key, "
					"or, once no process uses it, remove it (ipcrm -m %d) and attach again", (unsigned) key, shmid);
			} else if (proc) {
				php_safeshm_attach_error(proc, NULL, key, "segment header is corrupted");
			} else {
				php_safeshm_attach_error(proc, php_safeshm_exception_ce, key,
					"the segment was not created by SafeShm (%s); its bytes were left untouched",
					kind < 0 ? "an ext/sysvshm header with invalid fields" : "shmop, sysvshm or another program uses this key");
			}
			break;
		case SAFESHM_TOO_SMALL:
			php_safeshm_attach_error(proc, php_safeshm_exception_ce, key, "segment too small");
			break;
		case SAFESHM_NAME:
			php_safeshm_attach_error(proc, php_safeshm_exception_ce, key,
				"the segment belongs to another name (or was opened by integer key); refusing to share it");
			break;
		case SAFESHM_CORRUPT:
			php_safeshm_attach_error(proc, php_safeshm_corrupt_exception_ce, key,
				proc ? "segment header is corrupted" : "segment is corrupted");
			break;
		default:
			php_safeshm_attach_error(proc, php_safeshm_status_ce(st), key, "%s", safeshm_status_str(st));
			break;
	}
}

/* Opens (creating if needed) the segment for key. On failure returns NULL
 * after throwing (class) or warning (proc: the sysvshm-style functions). */
static php_safeshm_attachment *php_safeshm_attach(key_t key, const char *name, size_t name_len, zend_long size, zend_long perms, bool proc)
{
	php_safeshm_attachment *a, *cached;
	struct shmid_ds ds;
	safeshm_status st;
	void *base;
	int shmid, err = 0;
	php_safeshm_lock_result r;

	/* asking for read and write makes the kernel check permissions now,
	 * also for a mapping this process inherited across fork() */
	shmid = shmget(key, 0, SHM_R | SHM_W);
	cached = zend_hash_index_find_ptr(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) key);
	if (cached) {
		st = safeshm_store_check_header(&cached->store);
		if (shmid == cached->shmid && !cached->stale && st != SAFESHM_OK) {
			php_safeshm_attach_status_error(proc, key, shmid, st, cached->store.base, cached->store.size);
			return NULL;
		}
		if (shmid == cached->shmid && !cached->stale && !safeshm_store_is_removed(&cached->store)
				&& (cached->lock.mutex || semget(cached->lock.key, 0, 0) == cached->lock.semid)) {
			const safeshm_header *h = (const safeshm_header *) cached->store.base;
			if (h->name_len != name_len || (name_len && memcmp(h->name, name, name_len) != 0)) {
				php_safeshm_attach_status_error(proc, key, shmid, SAFESHM_NAME, NULL, 0);
				return NULL;
			}
			cached->refcount++;
			return cached;
		}
		php_safeshm_attachment_forget(cached);
	}

	if (shmid < 0 && errno == ENOENT) {
		shmid = shmget(key, (size_t) size, IPC_CREAT | IPC_EXCL | (int) perms);
		if (shmid < 0 && errno == EEXIST) {
			shmid = shmget(key, 0, SHM_R | SHM_W);
		}
	}
	if (shmid < 0 || shmctl(shmid, IPC_STAT, &ds) != 0) {
		err = errno;
		php_safeshm_attach_error(proc, php_safeshm_exception_ce, key, "%s%s",
			err == EACCES && !proc ? "permission denied: " : "", strerror(err));
		return NULL;
	}
	base = shmat(shmid, NULL, 0);
	if (base == (void *) -1) {
		err = errno;
		php_safeshm_attach_error(proc, php_safeshm_exception_ce, key, "%s%s",
			err == EACCES && !proc ? "permission denied: " : "", strerror(err));
		return NULL;
	}

	a = pecalloc(1, sizeof(*a), 1);
	a->key = key;
	a->shmid = shmid;
	a->checked_ns = php_safeshm_now_ns();
	safeshm_store_bind(&a->store, base, ds.shm_segsz);

	/* Refuse a foreign segment before creating any semaphore for it. */
	if (ds.shm_segsz < SAFESHM_MIN_SIZE) {
		st = php_safeshm_sysvshm_kind(base, ds.shm_segsz) != 0 ? SAFESHM_FOREIGN : SAFESHM_TOO_SMALL;
		goto fail;
	}
	if ((uint64_t) ds.shm_segsz > SAFESHM_MAX_SIZE) {
		st = SAFESHM_CORRUPT;
		goto fail;
	}
	/* A magic that is neither ours nor zero is foreign for sure: refuse it
	 * before creating a semaphore for it. A zero one may be a segment whose
	 * creator is formatting it right now: decide under the lock. */
	{
		uint32_t magic = __atomic_load_n(&((safeshm_header *) base)->magic, __ATOMIC_ACQUIRE);
		if (magic != SAFESHM_MAGIC && magic != 0) {
			st = SAFESHM_FOREIGN;
			goto fail;
		}
	}
	if (safeshm_lock_open(&a->lock, key, (int) (ds.shm_perm.mode & 0777)) != SAFESHM_LOCK_OK) {
		err = errno;
		php_safeshm_attach_error(proc, php_safeshm_exception_ce, key, "cannot open its semaphore: %s", strerror(err));
		php_safeshm_attachment_free(a);
		return NULL;
	}
	r = php_safeshm_lock_raw(a, &err);
	if (r != PHP_SAFESHM_LOCKED) {
		if (proc) {
			php_safeshm_attach_error(proc, NULL, key, "%s", r == PHP_SAFESHM_LOCK_TIMEOUT
				? "lock not acquired within safeshm.lock_timeout" : "cannot use its semaphore");
		} else {
			php_safeshm_throw_lock(a, r, SAFESHM_OK, err);
		}
		php_safeshm_attachment_free(a);
		return NULL;
	}
	/* formats a blank segment; two creators racing both end up here in turn */
	st = safeshm_store_open_as(&a->store, name, name_len, SAFESHM_G(lock_kind),
		SAFESHM_G(lock_kind) == SAFESHM_LOCK_KIND_MUTEX ? safeshm_lock_mutex_init : NULL);
	if (st == SAFESHM_OK && safeshm_store_lock_kind(&a->store) == SAFESHM_LOCK_KIND_MUTEX) {
		/* its writers hold the mutex, not this semaphore: a store left
		 * mid-mutation here may be a live writer's, and is repaired by
		 * whoever next takes the mutex (EOWNERDEAD says its holder died) */
		if (!safeshm_lock_mutex_supported()) {
			php_safeshm_unlock(a);
			php_safeshm_attach_error(proc, php_safeshm_exception_ce, key,
				"it is locked by a robust mutex, which this build cannot use");
			php_safeshm_attachment_free(a);
			return NULL;
		}
		if (!safeshm_lock_mutex_valid(safeshm_store_lock_area(&a->store))) {
			st = SAFESHM_CORRUPT;
		}
	} else if (st == SAFESHM_OK && !php_safeshm_repair_if_needed(a, &st)) {
		php_safeshm_unlock(a);
		php_safeshm_attach_error(proc, php_safeshm_timeout_exception_ce, key,
			"its last writer is alive and still mid-mutation under a semaphore that was removed; try again later");
		php_safeshm_attachment_free(a);
		return NULL;
	}
	if (st == SAFESHM_FOREIGN) {
		/* zero magic but not blank. If we just made the semaphore, no SafeShm
		 * store uses it: do not leave it behind. Otherwise it may be the lock
		 * of a store whose header was damaged: leave it alone. */
		if (a->lock.created) {
			safeshm_lock_remove(&a->lock);
			SAFESHM_G(held) = NULL;
		} else {
			php_safeshm_unlock(a);
		}
		goto fail;
	}
	php_safeshm_unlock(a);
	if (st != SAFESHM_OK) {
		goto fail;
	}
	if (safeshm_store_lock_kind(&a->store) == SAFESHM_LOCK_KIND_MUTEX) {
		safeshm_lock_use_mutex(&a->lock, safeshm_store_lock_area(&a->store));
	}

	a->refcount = 1;
	a->cached = true;
	zend_hash_index_update_ptr(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) key, a);
	return a;

fail:
	php_safeshm_attach_status_error(proc, key, shmid, st, base, ds.shm_segsz);
	php_safeshm_attachment_free(a);
	return NULL;
}

/* The attachment of an object, or NULL with an exception thrown. */
static php_safeshm_attachment *php_safeshm_get(zval *obj)
{
	php_safeshm_obj *o = Z_SAFESHM_P(obj);
	php_safeshm_attachment *a = o->att;
	if (!a) {
		zend_throw_error(NULL, o->detached ? "Shared memory block has already been destroyed"
			: "SafeShm object is not initialized");
		return NULL;
	}
	/* the removed flag means something only in a valid header */
	if (a->stale || (safeshm_store_check_header(&a->store) == SAFESHM_OK && safeshm_store_is_removed(&a->store))) {
		php_safeshm_attachment_forget(a);
		php_safeshm_throw_removed(a);
		return NULL;
	}
	return a;
}

#ifndef RETURN_OOM
# define RETURN_OOM() RETURN_THROWS()
#endif

#define PHP_SAFESHM_ATT(a) \
	php_safeshm_attachment *a = php_safeshm_get(ZEND_THIS); \
	if (!a) { RETURN_THROWS(); }

/* ---- keys and values ------------------------------------------------ */

typedef struct {
	const char *ptr;
	size_t len;
	uint64_t hash;
	char buf[MAX_LENGTH_OF_LONG + 1];
} php_safeshm_key;

/* int keys and canonical numeric strings are one key, as in PHP arrays:
 * both are stored as the decimal string. */
static bool php_safeshm_key_init(php_safeshm_key *k, zend_string *s, zend_long l, uint32_t arg)
{
	if (s) {
		if (ZSTR_LEN(s) == 0) {
			zend_argument_value_error(arg, "must not be empty");
			return false;
		}
		if (ZSTR_LEN(s) > SAFESHM_MAX_KEY_LEN) {
			zend_argument_value_error(arg, "must be at most %u bytes long", SAFESHM_MAX_KEY_LEN);
			return false;
		}
		k->ptr = ZSTR_VAL(s);
		k->len = ZSTR_LEN(s);
	} else {
		char *end = k->buf + sizeof(k->buf) - 1;
		char *p = zend_print_long_to_buf(end, l);
		k->ptr = p;
		k->len = (size_t) (end - p);
	}
	k->hash = safeshm_hash(k->ptr, k->len);
	return true;
}

#define PHP_SAFESHM_KEY_ARG(k, s, l, arg) \
	if (!php_safeshm_key_init(&k, s, l, arg)) { RETURN_THROWS(); }

typedef struct {
	safeshm_type type;
	const void *data;
	size_t len;
	union { zend_long l; double d; } num;
	smart_str buf;
} php_safeshm_value;

/* Encodes a PHP value before the lock is taken; false with an exception
 * when it cannot be serialized (nothing is stored then). */
static bool php_safeshm_encode(php_safeshm_value *v, zval *value)
{
	memset(v, 0, sizeof(*v));
	ZVAL_DEREF(value);
	switch (Z_TYPE_P(value)) {
		case IS_STRING:
			v->type = SAFESHM_T_STRING;
			v->data = Z_STRVAL_P(value);
			v->len = Z_STRLEN_P(value);
			return true;
		case IS_LONG:
			v->type = SAFESHM_T_LONG;
			v->num.l = Z_LVAL_P(value);
			v->data = &v->num.l;
			v->len = sizeof(zend_long);
			return true;
		case IS_DOUBLE:
			v->type = SAFESHM_T_DOUBLE;
			v->num.d = Z_DVAL_P(value);
			v->data = &v->num.d;
			v->len = sizeof(double);
			return true;
		case IS_TRUE:
			v->type = SAFESHM_T_TRUE;
			return true;
		case IS_FALSE:
			v->type = SAFESHM_T_FALSE;
			return true;
		case IS_NULL:
			v->type = SAFESHM_T_NULL;
			return true;
		default: {
			php_serialize_data_t var_hash;
			PHP_VAR_SERIALIZE_INIT(var_hash);
			BG(serialize_lock)++;
			php_var_serialize(&v->buf, value, &var_hash);
			BG(serialize_lock)--;
			PHP_VAR_SERIALIZE_DESTROY(var_hash);
			if (EG(exception)) {
				smart_str_free(&v->buf);
				return false;
			}
			if (!v->buf.s) {
				zend_throw_exception(php_safeshm_exception_ce, "Value could not be serialized", 0);
				return false;
			}
			v->type = SAFESHM_T_SERIALIZED;
			v->data = ZSTR_VAL(v->buf.s);
			v->len = ZSTR_LEN(v->buf.s);
			return true;
		}
	}
}

static void php_safeshm_value_free(php_safeshm_value *v)
{
	smart_str_free(&v->buf);
}

/* A value copied out of the segment: scalars inline, bytes in a zend_string. */
typedef struct {
	safeshm_type type;
	union { zend_long l; double d; } num;
	zend_string *bytes;
} php_safeshm_copy;

/* Copies the view. Returns false when the bytes do not fit in memory_limit:
 * where PHP has delayed out-of-memory errors (ZEND_HAS_OOM) the allocation is
 * fallible and PHP raises the error at its next safe point, as for core
 * functions; elsewhere the allocation may bail out, so under the lock this
 * runs inside zend_try. */
static bool php_safeshm_copy_view(php_safeshm_copy *c, const safeshm_view *v)
{
	c->type = v->type;
	c->bytes = NULL;
	switch (v->type) {
		case SAFESHM_T_LONG:
			memcpy(&c->num.l, v->data, sizeof(zend_long));
			break;
		case SAFESHM_T_DOUBLE:
			memcpy(&c->num.d, v->data, sizeof(double));
			break;
		case SAFESHM_T_STRING:
		case SAFESHM_T_SERIALIZED:
#ifdef ZEND_HAS_OOM
			c->bytes = zend_string_finit((const char *) v->data, v->len, /* persistent */ false, /* fallible */ true);
			if (!c->bytes) {
				return false;
			}
#else
			c->bytes = zend_string_init((const char *) v->data, v->len, 0);
#endif
			break;
		default:
			break;
	}
	return true;
}

/* Turns a copy into a PHP value, after the lock is released. Unserialize
 * may run user code (__unserialize, __wakeup) and may throw. */
static void php_safeshm_decode(php_safeshm_copy *c, zval *rv, const php_safeshm_attachment *a, bool proc)
{
	switch (c->type) {
		case SAFESHM_T_STRING:
			ZVAL_STR(rv, c->bytes);
			return;
		case SAFESHM_T_LONG:
			ZVAL_LONG(rv, c->num.l);
			return;
		case SAFESHM_T_DOUBLE:
			ZVAL_DOUBLE(rv, c->num.d);
			return;
		case SAFESHM_T_TRUE:
			ZVAL_TRUE(rv);
			return;
		case SAFESHM_T_FALSE:
			ZVAL_FALSE(rv);
			return;
		case SAFESHM_T_NULL:
			ZVAL_NULL(rv);
			return;
		case SAFESHM_T_SERIALIZED: {
			const unsigned char *p = (const unsigned char *) ZSTR_VAL(c->bytes);
			php_unserialize_data_t var_hash;
			bool ok;
			PHP_VAR_UNSERIALIZE_INIT(var_hash);
			BG(serialize_lock)++;
			ok = php_var_unserialize(rv, &p, p + ZSTR_LEN(c->bytes), &var_hash);
			BG(serialize_lock)--;
			PHP_VAR_UNSERIALIZE_DESTROY(var_hash);
			zend_string_release(c->bytes);
			if (!ok) {
				zval_ptr_dtor(rv);
				ZVAL_UNDEF(rv);
				if (EG(exception)) {
					/* thrown by user code (__unserialize, __wakeup): let it propagate */
				} else if (proc) {
					php_error_docref(NULL, E_WARNING, "Variable data in shared memory is corrupted");
					ZVAL_FALSE(rv);
				} else {
					zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
						"SafeShm segment 0x%08x: a stored value cannot be unserialized", (unsigned) a->key);
				}
			}
			return;
		}
	}
}

/*
 * Looks up k and copies its value. Lock-free first: read seq, find, copy,
 * confirm seq; every offset on the way is bounds-checked, so a torn read
 * is retried. After PHP_SAFESHM_READ_TRIES it takes the lock (which also
 * repairs a store left half-written by a dead holder).
 * Returns SAFESHM_OK, SAFESHM_NOT_FOUND, or another status with an
 * exception thrown.
 */
static safeshm_status php_safeshm_read(php_safeshm_attachment *a, const php_safeshm_key *k, php_safeshm_copy *c, bool want_value)
{
	safeshm_store *s = &a->store;
	safeshm_view v;
	safeshm_status st;
	volatile bool bailed = false;

	st = safeshm_store_check_header(s);
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		return st;
	}
	if (!php_safeshm_reader_current(a)) {
		php_safeshm_attachment_forget(a);
		php_safeshm_throw_removed(a);
		return SAFESHM_REMOVED;
	}
	for (int i = 0; i < PHP_SAFESHM_READ_TRIES; i++) {
		uint64_t seq = safeshm_store_read_begin(s);
		if (seq & 1u) {
			continue;
		}
		st = safeshm_store_find(s, k->ptr, k->len, k->hash, &v);
		if (!safeshm_store_read_valid(s, seq)) {
			continue;
		}
		if (st == SAFESHM_NOT_FOUND || (st == SAFESHM_OK && !want_value)) {
			return st;
		}
		if (st != SAFESHM_OK) {
			break; /* confirm under the lock */
		}
		if (!php_safeshm_copy_view(c, &v)) {
			return SAFESHM_NOMEM;
		}
		if (safeshm_store_read_valid(s, seq)) {
			return SAFESHM_OK;
		}
		if (c->bytes) {
			zend_string_release(c->bytes);
		}
	}

	if (!php_safeshm_lock_or_throw(a)) {
		return SAFESHM_RETRY;
	}
	st = safeshm_store_find(s, k->ptr, k->len, k->hash, &v);
	if (st == SAFESHM_OK && want_value) {
		zend_try {
			if (!php_safeshm_copy_view(c, &v)) {
				st = SAFESHM_NOMEM;
			}
		} zend_catch {
			bailed = true;
		} zend_end_try();
	}
	php_safeshm_unlock(a);
	if (bailed) {
		zend_bailout();
	}
	if (st != SAFESHM_OK && st != SAFESHM_NOT_FOUND && st != SAFESHM_NOMEM) {
		php_safeshm_throw_status(a, st);
	}
	return st;
}

/* ---- class SafeShm -------------------------------------------------- */

static zend_object *php_safeshm_create(zend_class_entry *ce)
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

PHP_METHOD(SafeShm, __construct)
{
	zend_string *name = NULL;
	zend_long ikey = 0, size = 0, perms = 0600;
	php_safeshm_obj *o = Z_SAFESHM_P(ZEND_THIS);
	key_t key;

	ZEND_PARSE_PARAMETERS_START(1, 3)
		Z_PARAM_STR_OR_LONG(name, ikey)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG(size)
		Z_PARAM_LONG(perms)
	ZEND_PARSE_PARAMETERS_END();

	if (o->att) {
		zend_throw_error(NULL, "SafeShm object is already constructed");
		RETURN_THROWS();
	}
	if (name) {
		if (ZSTR_LEN(name) == 0) {
			zend_argument_value_error(1, "must not be an empty string");
			RETURN_THROWS();
		}
		if (ZSTR_LEN(name) > SAFESHM_MAX_NAME_LEN) {
			zend_argument_value_error(1, "must be a name of at most %u bytes", SAFESHM_MAX_NAME_LEN);
			RETURN_THROWS();
		}
		key = php_safeshm_name_key(ZSTR_VAL(name), ZSTR_LEN(name));
	} else {
		if (ikey == 0 || ikey < INT32_MIN || ikey > INT32_MAX) {
			zend_argument_value_error(1, "must be a non-zero System V IPC key (a 32-bit integer)");
			RETURN_THROWS();
		}
		key = (key_t) ikey;
	}
	if (size == 0) {
		size = SAFESHM_G(default_size);
	} else if (size < (zend_long) SAFESHM_MIN_SIZE || (uint64_t) size > SAFESHM_MAX_SIZE) {
		zend_argument_value_error(2, "must be 0 (safeshm.default_size) or between %u bytes and 32 GiB", SAFESHM_MIN_SIZE);
		RETURN_THROWS();
	}
	if (perms < 0 || perms > 0777) {
		zend_argument_value_error(3, "must be between 0 and 0777");
		RETURN_THROWS();
	}
	o->att = php_safeshm_attach(key, name ? ZSTR_VAL(name) : NULL, name ? ZSTR_LEN(name) : 0, size, perms, false);
	if (!o->att) {
		RETURN_THROWS();
	}
}

/* Encodes value (before the lock), stores it under k, and sets *st. Returns
 * false with an exception thrown when encoding or locking failed. */
static bool php_safeshm_store_value(php_safeshm_attachment *a, const php_safeshm_key *k, zval *value,
	safeshm_put_mode mode, safeshm_status *st)
{
	php_safeshm_value v;

	if (!php_safeshm_encode(&v, value)) {
		return false;
	}
	if (!php_safeshm_lock_or_throw(a)) {
		php_safeshm_value_free(&v);
		return false;
	}
	*st = safeshm_store_put(&a->store, k->ptr, k->len, k->hash, v.type, v.data, v.len, mode);
	php_safeshm_unlock(a);
	php_safeshm_value_free(&v);
	return true;
}

/* Runs a store mutation under the lock and throws on failure. */
#define PHP_SAFESHM_LOCKED_CALL(a, st, call) do { \
		if (!php_safeshm_lock_or_throw(a)) { RETURN_THROWS(); } \
		st = (call); \
		php_safeshm_unlock(a); \
	} while (0)

PHP_METHOD(SafeShm, put)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	zval *value;
	php_safeshm_key k;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_ZVAL(value)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	PHP_SAFESHM_ATT(a);
	if (!php_safeshm_store_value(a, &k, value, SAFESHM_PUT_REPLACE, &st)) {
		RETURN_THROWS();
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
	}
}

PHP_METHOD(SafeShm, add)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	zval *value;
	php_safeshm_key k;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_ZVAL(value)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	PHP_SAFESHM_ATT(a);
	if (!php_safeshm_store_value(a, &k, value, SAFESHM_PUT_ADD, &st)) {
		RETURN_THROWS();
	}
	if (st == SAFESHM_EXISTS) {
		RETURN_FALSE;
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_TRUE;
}

PHP_METHOD(SafeShm, get)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	zval *def = NULL;
	php_safeshm_key k;
	php_safeshm_copy c;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_OPTIONAL
		Z_PARAM_ZVAL(def)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	PHP_SAFESHM_ATT(a);
	st = php_safeshm_read(a, &k, &c, true);
	if (st == SAFESHM_NOMEM) {
		RETURN_OOM(); /* PHP reports the memory_limit error */
	}
	if (st == SAFESHM_NOT_FOUND) {
		if (def) {
			RETURN_COPY(def);
		}
		RETURN_NULL();
	}
	if (st != SAFESHM_OK) {
		RETURN_THROWS();
	}
	php_safeshm_decode(&c, return_value, a, false);
}

PHP_METHOD(SafeShm, has)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	php_safeshm_key k;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR_OR_LONG(skey, lkey)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	PHP_SAFESHM_ATT(a);
	st = php_safeshm_read(a, &k, NULL, false);
	if (st != SAFESHM_OK && st != SAFESHM_NOT_FOUND) {
		RETURN_THROWS();
	}
	RETURN_BOOL(st == SAFESHM_OK);
}

PHP_METHOD(SafeShm, delete)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	php_safeshm_key k;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR_OR_LONG(skey, lkey)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_LOCKED_CALL(a, st, safeshm_store_delete(&a->store, k.ptr, k.len, k.hash));
	if (st == SAFESHM_NOT_FOUND) {
		RETURN_FALSE;
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_TRUE;
}

PHP_METHOD(SafeShm, increment)
{
	zend_string *skey = NULL;
	zend_long lkey = 0, by = 1;
	int64_t result = 0;
	php_safeshm_key k;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG(by)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_LOCKED_CALL(a, st, safeshm_store_increment(&a->store, k.ptr, k.len, k.hash, (int64_t) by, &result));
	switch (st) {
		case SAFESHM_OK:
			RETURN_LONG((zend_long) result);
		case SAFESHM_NOT_LONG:
			zend_throw_exception_ex(php_safeshm_exception_ce, 0,
				"SafeShm::increment(): the value stored under this key is not an int");
			RETURN_THROWS();
		case SAFESHM_OVERFLOW:
			zend_throw_exception_ex(php_safeshm_exception_ce, 0,
				"SafeShm::increment(): the result would overflow an int; the value is unchanged");
			RETURN_THROWS();
		default:
			php_safeshm_throw_status(a, st);
			RETURN_THROWS();
	}
}

PHP_METHOD(SafeShm, count)
{
	safeshm_stats stats;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_LOCKED_CALL(a, st, safeshm_store_stats(&a->store, &stats));
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_LONG((zend_long) stats.entries);
}

typedef struct {
	char *buf;      /* key bytes, each preceded by its uint32_t length */
	size_t len, cap;
	bool nomem;
} php_safeshm_keybuf;

/* Runs under the lock: plain malloc only, so nothing here can bail out. */
static int php_safeshm_collect_key(const safeshm_view *e, void *ctx)
{
	php_safeshm_keybuf *kb = ctx;
	uint32_t l = (uint32_t) e->key_len;
	if (kb->len + sizeof(l) + l > kb->cap) {
		size_t cap = (kb->cap ? kb->cap * 2 : 4096) + sizeof(l) + l;
		char *nb = realloc(kb->buf, cap);
		if (!nb) {
			kb->nomem = true;
			return 1;
		}
		kb->buf = nb;
		kb->cap = cap;
	}
	memcpy(kb->buf + kb->len, &l, sizeof(l));
	memcpy(kb->buf + kb->len + sizeof(l), e->key, l);
	kb->len += sizeof(l) + l;
	return 0;
}

/* Whether key bytes are a canonical integer, as a PHP array would see them. */
static bool php_safeshm_numeric_key(const char *key, uint32_t len, zend_ulong *idx)
{
	char buf[MAX_LENGTH_OF_LONG + 1];
	if (len == 0 || len > MAX_LENGTH_OF_LONG) {
		return false;
	}
	memcpy(buf, key, len);
	buf[len] = '\0';
	return ZEND_HANDLE_NUMERIC_STR(buf, len, *idx);
}

PHP_METHOD(SafeShm, keys)
{
	php_safeshm_keybuf kb = {0};
	safeshm_status st;
	size_t off = 0;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_LOCKED_CALL(a, st, safeshm_store_iterate(&a->store, php_safeshm_collect_key, &kb));
	if (st == SAFESHM_OK && kb.nomem) {
		st = SAFESHM_NOMEM;
	}
	if (st != SAFESHM_OK) {
		free(kb.buf);
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	array_init(return_value);
	while (off < kb.len) {
		uint32_t l;
		zend_ulong idx;
		memcpy(&l, kb.buf + off, sizeof(l));
		off += sizeof(l);
		if (php_safeshm_numeric_key(kb.buf + off, l, &idx)) {
			add_next_index_long(return_value, (zend_long) idx);
		} else {
			add_next_index_stringl(return_value, kb.buf + off, l);
		}
		off += l;
	}
	free(kb.buf);
}

PHP_METHOD(SafeShm, clear)
{
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_LOCKED_CALL(a, st, safeshm_store_clear(&a->store));
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
	}
}

PHP_METHOD(SafeShm, info)
{
	safeshm_stats s;
	safeshm_status st;
	const safeshm_header *h;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_LOCKED_CALL(a, st, safeshm_store_stats(&a->store, &s));
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	h = (const safeshm_header *) a->store.base;
	array_init(return_value);
	add_assoc_long(return_value, "size", (zend_long) s.size);
	add_assoc_long(return_value, "used", (zend_long) s.used);
	add_assoc_long(return_value, "free", (zend_long) s.free);
	add_assoc_long(return_value, "entries", (zend_long) s.entries);
	add_assoc_long(return_value, "dead", (zend_long) s.dead);
	add_assoc_long(return_value, "compactions", (zend_long) s.compactions);
	add_assoc_long(return_value, "lock_waits", (zend_long) s.lock_waits);
	add_assoc_long(return_value, "lock_timeouts", (zend_long) s.lock_timeouts);
	add_assoc_long(return_value, "recoveries", (zend_long) s.recoveries);
	add_assoc_long(return_value, "writes", (zend_long) s.writes);
	add_assoc_long(return_value, "max_entries", (zend_long) s.max_entries);
	add_assoc_long(return_value, "tombstones", (zend_long) s.tombs);
	add_assoc_long(return_value, "arena_size", (zend_long) s.arena_size);
	add_assoc_long(return_value, "index_bytes", (zend_long) s.index_bytes);
	add_assoc_long(return_value, "key", (zend_long) a->key);
	add_assoc_long(return_value, "shmid", (zend_long) a->shmid);
	add_assoc_long(return_value, "semid", (zend_long) a->lock.semid);
	add_assoc_long(return_value, "layout_version", (zend_long) h->version);
	add_assoc_string(return_value, "lock", a->lock.mutex ? "mutex" : "semaphore");
	if (h->name_len) {
		add_assoc_stringl(return_value, "name", (const char *) h->name, h->name_len);
	} else {
		add_assoc_null(return_value, "name");
	}
}

PHP_METHOD(SafeShm, verify)
{
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_LOCKED_CALL(a, st, safeshm_store_verify(&a->store));
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_TRUE;
}

PHP_METHOD(SafeShm, remove)
{
	int err = 0;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	/* flag it first, so every process still attached sees it as removed */
	if (!php_safeshm_lock_or_throw(a)) {
		RETURN_THROWS();
	}
	safeshm_store_mark_removed(&a->store);
	php_safeshm_unlock(a);
	if (shmctl(a->shmid, IPC_RMID, NULL) != 0 && errno != EINVAL && errno != EIDRM) {
		err = errno;
	}
	safeshm_lock_remove(&a->lock);
	php_safeshm_attachment_forget(a);
	if (err) {
		zend_throw_exception_ex(php_safeshm_exception_ce, 0, "SafeShm segment 0x%08x: cannot remove: %s",
			(unsigned) a->key, strerror(err));
	}
}


PHP_METHOD(SafeShm, importSysvshm)
{
	zend_long skey, n = 0, imported = 0, bad = -1;
	php_safeshm_sysvshm_head h;
	const char *base;
	struct shmid_ds ds;
	zend_long *offs;
	HashTable vals;
	zval *val;
	zend_ulong vkey;
	int shmid, kind;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG(skey)
	ZEND_PARSE_PARAMETERS_END();

	if (skey < INT32_MIN || skey > INT32_MAX || skey == 0) {
		zend_argument_value_error(1, "must be a non-zero System V IPC key (a 32-bit integer)");
		RETURN_THROWS();
	}
	PHP_SAFESHM_ATT(a);
	if ((key_t) skey == a->key) {
		zend_argument_value_error(1, "must not be the key of this store");
		RETURN_THROWS();
	}
	shmid = shmget((key_t) skey, 0, SHM_R);
	if (shmid < 0 || shmctl(shmid, IPC_STAT, &ds) != 0) {
		zend_throw_exception_ex(php_safeshm_exception_ce, 0, "SafeShm::importSysvshm(): key 0x%08x: %s",
			(unsigned) skey, strerror(errno));
		RETURN_THROWS();
	}
	base = shmat(shmid, NULL, SHM_RDONLY);
	if (base == (void *) -1) {
		zend_throw_exception_ex(php_safeshm_exception_ce, 0, "SafeShm::importSysvshm(): key 0x%08x: %s",
			(unsigned) skey, strerror(errno));
		RETURN_THROWS();
	}
	kind = php_safeshm_sysvshm_kind(base, ds.shm_segsz);
	if (kind == 0) {
		shmdt(base);
		zend_throw_exception_ex(php_safeshm_exception_ce, 0,
			"SafeShm::importSysvshm(): key 0x%08x does not hold an ext/sysvshm segment", (unsigned) skey);
		RETURN_THROWS();
	}
	memcpy(&h, base, sizeof(h));
	offs = kind > 0 ? safe_emalloc((size_t) ((h.end - h.start) / (zend_long) sizeof(php_safeshm_sysvshm_chunk)) + 1, sizeof(zend_long), 0) : NULL;
	/* walk again into offs: the segment may be written by old processes meanwhile */
	if (kind < 0 || php_safeshm_sysvshm_walk(base, ds.shm_segsz, offs, &n, &bad) != 1) {
		if (kind < 0) {
			php_safeshm_sysvshm_walk(base, ds.shm_segsz, NULL, NULL, &bad);
		}
		if (offs) {
			efree(offs);
		}
		shmdt(base);
		if (bad >= 0) {
			zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
				"SafeShm::importSysvshm(): chunk at offset " ZEND_LONG_FMT " of key 0x%08x is corrupted; nothing was imported",
				bad, (unsigned) skey);
		} else {
			zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
				"SafeShm::importSysvshm(): the ext/sysvshm segment of key 0x%08x is corrupted (header or chunk chain); nothing was imported",
				(unsigned) skey);
		}
		RETURN_THROWS();
	}

	/* unserialize everything first: all or nothing */
	zend_hash_init(&vals, (uint32_t) n, NULL, ZVAL_PTR_DTOR, 0);
	for (zend_long i = 0; i < n; i++) {
		php_safeshm_sysvshm_chunk c;
		const unsigned char *p, *start, *stop;
		php_unserialize_data_t var_hash;
		zval tmp;
		bool ok;

		zend_string *bytes;

		memcpy(&c, base + offs[i], sizeof(c));
		/* a private, NUL-terminated copy: the unserializer's scanner may look
		 * one byte past its end, and the mapping has no terminator */
		bytes = zend_string_init(base + offs[i] + sizeof(c), (size_t) c.length, 0);
		start = p = (const unsigned char *) ZSTR_VAL(bytes);
		stop = start + c.length;
		ZVAL_UNDEF(&tmp);
		PHP_VAR_UNSERIALIZE_INIT(var_hash);
		ok = php_var_unserialize(&tmp, &p, stop, &var_hash);
		PHP_VAR_UNSERIALIZE_DESTROY(var_hash);
		zend_string_release(bytes);
		if (!ok || p != stop) {
			zval_ptr_dtor(&tmp);
			if (!EG(exception)) {
				zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
					"SafeShm::importSysvshm(): variable " ZEND_LONG_FMT " of key 0x%08x cannot be unserialized; nothing was imported",
					c.key, (unsigned) skey);
			}
			break;
		}
		zend_hash_index_update(&vals, (zend_ulong) c.key, &tmp);
	}
	efree(offs);
	shmdt(base);
	if (EG(exception)) {
		zend_hash_destroy(&vals);
		RETURN_THROWS();
	}

	ZEND_HASH_FOREACH_NUM_KEY_VAL(&vals, vkey, val) {
		php_safeshm_key k;
		safeshm_status st;

		php_safeshm_key_init(&k, NULL, (zend_long) vkey, 1);
		if (!php_safeshm_store_value(a, &k, val, SAFESHM_PUT_REPLACE, &st)) {
			break;
		}
		if (st != SAFESHM_OK) {
			php_safeshm_throw_status(a, st);
			break;
		}
		imported++;
	} ZEND_HASH_FOREACH_END();
	zend_hash_destroy(&vals);
	if (EG(exception)) {
		RETURN_THROWS();
	}
	RETURN_LONG(imported);
}

/* ---- sysvshm-compatible functions ----------------------------------- */

/* The object argument of a procedural function; NULL with an error thrown. */
static php_safeshm_attachment *php_safeshm_fn_att(zval *zshm)
{
	return php_safeshm_get(zshm);
}

static void php_safeshm_fn_attach(INTERNAL_FUNCTION_PARAMETERS, zend_class_entry *ce)
{
	zend_long key, size = 0, perms = 0666;
	bool size_null = true;
	php_safeshm_attachment *a;

	ZEND_PARSE_PARAMETERS_START(1, 3)
		Z_PARAM_LONG(key)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG_OR_NULL(size, size_null)
		Z_PARAM_LONG(perms)
	ZEND_PARSE_PARAMETERS_END();

	if (key < INT32_MIN || key > INT32_MAX) {
		zend_argument_value_error(1, "is out of range");
		RETURN_THROWS();
	}
	if (size_null) {
		size = SAFESHM_G(init_mem);
	}
	if (size < 1) {
		zend_argument_value_error(2, "must be greater than 0");
		RETURN_THROWS();
	}
	if (key == 0) {
		php_error_docref(NULL, E_WARNING, "Failed for key 0x0: IPC_PRIVATE segments are not supported");
		RETURN_FALSE;
	}
	/* the store needs a header and an index: small sizes are rounded up */
	if (size < (zend_long) SAFESHM_MIN_SIZE) {
		size = SAFESHM_MIN_SIZE;
	}
	if ((uint64_t) size > SAFESHM_MAX_SIZE) {
		php_error_docref(NULL, E_WARNING, "Failed for key 0x%x: segment size too large", (unsigned) key);
		RETURN_FALSE;
	}
	a = php_safeshm_attach((key_t) key, NULL, 0, size, perms & 0777, true);
	if (!a) {
		if (EG(exception)) {
			RETURN_THROWS();
		}
		RETURN_FALSE;
	}
	object_init_ex(return_value, ce);
	Z_SAFESHM_P(return_value)->att = a;
}

static void php_safeshm_fn_detach(INTERNAL_FUNCTION_PARAMETERS, zend_class_entry *ce)
{
	zval *zshm;
	php_safeshm_obj *o;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJECT_OF_CLASS(zshm, ce)
	ZEND_PARSE_PARAMETERS_END();

	o = Z_SAFESHM_P(zshm);
	if (!o->att) {
		zend_throw_error(NULL, "Shared memory block has already been destroyed");
		RETURN_THROWS();
	}
	php_safeshm_attachment_release(o->att);
	o->att = NULL;
	o->detached = true;
	RETURN_TRUE;
}

static void php_safeshm_fn_remove(INTERNAL_FUNCTION_PARAMETERS, zend_class_entry *ce)
{
	zval *zshm;
	php_safeshm_attachment *a;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJECT_OF_CLASS(zshm, ce)
	ZEND_PARSE_PARAMETERS_END();

	if (!(a = php_safeshm_fn_att(zshm))) {
		RETURN_THROWS();
	}
	if (shmctl(a->shmid, IPC_RMID, NULL) < 0) {
		php_error_docref(NULL, E_WARNING, "Failed for key 0x%x, id %d: %s", (unsigned) a->key, a->shmid, strerror(errno));
		RETURN_FALSE;
	}
	/* as with sysvshm, objects of this process keep working until detached;
	 * other processes get "removed"; new attachments get a new segment */
	a->rmid_kept = true;
	if (a->cached) {
		a->cached = false;
		a->refcount++; /* the hash destructor must not free it */
		zend_hash_index_del(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) a->key);
		a->refcount--;
	}
	RETURN_TRUE;
}

static void php_safeshm_fn_put_var(INTERNAL_FUNCTION_PARAMETERS, zend_class_entry *ce)
{
	zval *zshm, *value;
	zend_long vkey;
	php_safeshm_attachment *a;
	php_safeshm_key k;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_START(3, 3)
		Z_PARAM_OBJECT_OF_CLASS(zshm, ce)
		Z_PARAM_LONG(vkey)
		Z_PARAM_ZVAL(value)
	ZEND_PARSE_PARAMETERS_END();

	if (!(a = php_safeshm_fn_att(zshm))) {
		RETURN_THROWS();
	}
	php_safeshm_key_init(&k, NULL, vkey, 2);
	if (!php_safeshm_store_value(a, &k, value, SAFESHM_PUT_REPLACE, &st)) {
		RETURN_THROWS();
	}
	if (st == SAFESHM_FULL) {
		php_error_docref(NULL, E_WARNING, "Not enough shared memory left");
		RETURN_FALSE;
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_TRUE;
}

static void php_safeshm_fn_get_var(INTERNAL_FUNCTION_PARAMETERS, zend_class_entry *ce, bool want_value)
{
	zval *zshm;
	zend_long vkey;
	php_safeshm_attachment *a;
	php_safeshm_key k;
	php_safeshm_copy c;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_OBJECT_OF_CLASS(zshm, ce)
		Z_PARAM_LONG(vkey)
	ZEND_PARSE_PARAMETERS_END();

	if (!(a = php_safeshm_fn_att(zshm))) {
		RETURN_THROWS();
	}
	php_safeshm_key_init(&k, NULL, vkey, 2);
	st = php_safeshm_read(a, &k, want_value ? &c : NULL, want_value);
	if (!want_value) {
		if (st != SAFESHM_OK && st != SAFESHM_NOT_FOUND) {
			RETURN_THROWS();
		}
		RETURN_BOOL(st == SAFESHM_OK);
	}
	if (st == SAFESHM_NOMEM) {
		RETURN_OOM();
	}
	if (st == SAFESHM_NOT_FOUND) {
		php_error_docref(NULL, E_WARNING, "Variable key " ZEND_LONG_FMT " doesn't exist", vkey);
		RETURN_FALSE;
	}
	if (st != SAFESHM_OK) {
		RETURN_THROWS();
	}
	php_safeshm_decode(&c, return_value, a, true);
}

static void php_safeshm_fn_remove_var(INTERNAL_FUNCTION_PARAMETERS, zend_class_entry *ce)
{
	zval *zshm;
	zend_long vkey;
	php_safeshm_attachment *a;
	php_safeshm_key k;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_OBJECT_OF_CLASS(zshm, ce)
		Z_PARAM_LONG(vkey)
	ZEND_PARSE_PARAMETERS_END();

	if (!(a = php_safeshm_fn_att(zshm))) {
		RETURN_THROWS();
	}
	php_safeshm_key_init(&k, NULL, vkey, 2);
	if (!php_safeshm_lock_or_throw(a)) {
		RETURN_THROWS();
	}
	st = safeshm_store_delete(&a->store, k.ptr, k.len, k.hash);
	php_safeshm_unlock(a);
	if (st == SAFESHM_NOT_FOUND) {
		php_error_docref(NULL, E_WARNING, "Variable key " ZEND_LONG_FMT " doesn't exist", vkey);
		RETURN_FALSE;
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_TRUE;
}

PHP_FUNCTION(safeshm_attach) { php_safeshm_fn_attach(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_ce); }
PHP_FUNCTION(safeshm_detach) { php_safeshm_fn_detach(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_ce); }
PHP_FUNCTION(safeshm_remove) { php_safeshm_fn_remove(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_ce); }
PHP_FUNCTION(safeshm_put_var) { php_safeshm_fn_put_var(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_ce); }
PHP_FUNCTION(safeshm_get_var) { php_safeshm_fn_get_var(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_ce, true); }
PHP_FUNCTION(safeshm_has_var) { php_safeshm_fn_get_var(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_ce, false); }
PHP_FUNCTION(safeshm_remove_var) { php_safeshm_fn_remove_var(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_ce); }

/* The same under ext/sysvshm's names (safeshm.sysvshm_compat). */
static ZEND_FUNCTION(shm_attach) { php_safeshm_fn_attach(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_sysv_ce); }
static ZEND_FUNCTION(shm_detach) { php_safeshm_fn_detach(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_sysv_ce); }
static ZEND_FUNCTION(shm_remove) { php_safeshm_fn_remove(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_sysv_ce); }
static ZEND_FUNCTION(shm_put_var) { php_safeshm_fn_put_var(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_sysv_ce); }
static ZEND_FUNCTION(shm_get_var) { php_safeshm_fn_get_var(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_sysv_ce, true); }
static ZEND_FUNCTION(shm_has_var) { php_safeshm_fn_get_var(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_sysv_ce, false); }
static ZEND_FUNCTION(shm_remove_var) { php_safeshm_fn_remove_var(INTERNAL_FUNCTION_PARAM_PASSTHRU, php_safeshm_sysv_ce); }

static zend_object_handlers php_safeshm_sysv_handlers;

static zend_function *php_safeshm_sysv_get_constructor(zend_object *object)
{
	(void) object;
	zend_throw_error(NULL, "Cannot directly construct SysvSharedMemory, use shm_attach() instead");
	return NULL;
}

static zend_object *php_safeshm_sysv_create(zend_class_entry *ce)
{
	zend_object *obj = php_safeshm_create(ce);
	obj->handlers = &php_safeshm_sysv_handlers;
	return obj;
}

/* Registers shm_* and SysvSharedMemory unless ext/sysvshm provides them. */
static void php_safeshm_register_compat(int module_number)
{
	if (zend_hash_str_exists(&module_registry, "sysvshm", sizeof("sysvshm") - 1)
			|| zend_hash_str_exists(CG(function_table), "shm_attach", sizeof("shm_attach") - 1)
			|| zend_hash_str_exists(CG(class_table), "sysvsharedmemory", sizeof("sysvsharedmemory") - 1)) {
		php_safeshm_compat_skipped = "ext/sysvshm is loaded: its shm_* functions are left alone";
		zend_error(E_CORE_WARNING, "safeshm.sysvshm_compat is On, but ext/sysvshm is loaded: "
			"SafeShm leaves its shm_* functions alone (disable extension=sysvshm to serve them from SafeShm)");
		return;
	}
	if (zend_register_functions(NULL, php_safeshm_compat_functions, NULL, MODULE_PERSISTENT) != SUCCESS) {
		php_safeshm_compat_skipped = "the shm_* functions could not be registered";
		return;
	}
	php_safeshm_sysv_ce = register_class_SysvSharedMemory();
	php_safeshm_sysv_ce->create_object = php_safeshm_sysv_create;
	memcpy(&php_safeshm_sysv_handlers, &php_safeshm_handlers, sizeof(zend_object_handlers));
	php_safeshm_sysv_handlers.get_constructor = php_safeshm_sysv_get_constructor;
	(void) module_number;
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
	php_safeshm_pid = (uint32_t) getpid();
	pthread_atfork(NULL, NULL, php_safeshm_atfork_child);

	php_safeshm_ce = register_class_SafeShm(zend_ce_countable);
	php_safeshm_ce->create_object = php_safeshm_create;
	memcpy(&php_safeshm_handlers, &std_object_handlers, sizeof(zend_object_handlers));
	php_safeshm_handlers.offset = XtOffsetOf(php_safeshm_obj, std);
	php_safeshm_handlers.free_obj = php_safeshm_free_obj;
	php_safeshm_handlers.clone_obj = NULL;
	php_safeshm_handlers.compare = zend_objects_not_comparable;

	php_safeshm_exception_ce = register_class_SafeShmException(spl_ce_RuntimeException);
	if (SAFESHM_G(sysvshm_compat)) {
		php_safeshm_register_compat(module_number);
	}
	php_safeshm_full_exception_ce = register_class_SafeShmFullException(php_safeshm_exception_ce);
	php_safeshm_timeout_exception_ce = register_class_SafeShmTimeoutException(php_safeshm_exception_ce);
	php_safeshm_corrupt_exception_ce = register_class_SafeShmCorruptException(php_safeshm_exception_ce);
	return SUCCESS;
}

PHP_MSHUTDOWN_FUNCTION(safeshm)
{
	UNREGISTER_INI_ENTRIES();
	return SUCCESS;
}

PHP_RINIT_FUNCTION(safeshm)
{
#if defined(ZTS) && defined(COMPILE_DL_SAFESHM)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	SAFESHM_G(request)++;
	return SUCCESS;
}

/* Last resort: a bailout we did not catch must not leave the lock held
 * for the next request this worker serves. */
PHP_RSHUTDOWN_FUNCTION(safeshm)
{
	if (SAFESHM_G(held)) {
		php_safeshm_release(SAFESHM_G(held));
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
