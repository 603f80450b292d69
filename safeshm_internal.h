/*
 * SafeShm: what the Zend glue's files share, and nothing else includes.
 *
 *   safeshm.c          module: ini, globals, MINIT..RSHUTDOWN, phpinfo, class
 *                      registration and the object's handlers
 *   safeshm_attach.c   the attachment cache, stale/removed checks, the lock
 *                      (acquire, repair, release), attach errors, exceptions
 *   safeshm_value.c    keys, and PHP values to and from stored bytes
 *   safeshm_ops.c      a read (lock-free, then locked) and a write
 *                      (encode, lock, put, unlock) of one key
 *   safeshm_class.c    the SafeShm methods
 *   safeshm_sysvshm.c  safeshm_* and shm_* functions, ext/sysvshm's segment
 *                      walker, SafeShm::importSysvshm()
 *
 * Glue calls the store (shm_store.h) and the lock (sem_lock.h), never the
 * other way round. docs/ARCHITECTURE.md draws the rooms.
 *
 * Rules kept in every room: no user code and no PHP warning while the lock is
 * held (serialize before locking, copy bytes out under it, unserialize after);
 * every path that could bail out under the lock releases it (zend_try), and
 * request shutdown releases it as a last resort, because php-fpm workers
 * outlive requests and SEM_UNDO only acts when a process exits.
 */
#ifndef SAFESHM_INTERNAL_H
#define SAFESHM_INTERNAL_H

#include "php_safeshm.h"
#include "shm_store.h"
#include "sem_lock.h"

#include "zend_smart_str.h"

#include <sys/ipc.h>
#include <time.h>

/* One mapping of one segment, shared by every SafeShm object of this
 * process that opened the same key, and kept across requests so that
 * constructing a SafeShm on every php-fpm request costs one shmget(). */
typedef struct _php_safeshm_hold php_safeshm_hold;

struct _php_safeshm_attachment {
	key_t key;
	int shmid;
	safeshm_lock lock;
	safeshm_store store;
	uint64_t checked_ns; /* when the key was last seen to name this segment */
	uint64_t checked_request; /* SAFESHM_G(request) of that check */
	uint32_t refcount;  /* objects using it */
	uint64_t hits, misses; /* this process's lock-free reads, folded into the header at request end */
	uint64_t lock_waits;   /* the times it waited for the store's lock, the same */
	uint32_t rmid_pid;  /* the process that called safeshm_remove()/shm_remove(): it alone removes the semaphore */
	uint32_t owner_uid; /* the segment's owner, to tell a squatted semaphore in errors */
	bool stale;         /* removed, or replaced by a new segment under the key */
	bool rmid_kept;     /* safeshm_remove()/shm_remove(): marked for removal, still usable here */
	bool readonly;      /* mapped SHM_RDONLY: reads only, never a write into the segment */
	bool cached;        /* still in SAFESHM_G(attachments) */
	bool damaged;       /* its header failed validation at attach: usable only to remove() it; never cached */
};

#ifndef RETURN_OOM
# define RETURN_OOM() RETURN_THROWS()
#endif

/* ---- safeshm.c ------------------------------------------------------ */

/* SafeShm's object handlers and constructor, which SysvSharedMemory copies. */
extern zend_object_handlers php_safeshm_handlers;
zend_object *php_safeshm_create(zend_class_entry *ce);

#ifdef SAFESHM_TEST_HOOKS
/* Test builds: calls the function safeshm.test_call names when where is
 * the point safeshm.test_call_at names (see safeshm.c). */
void php_safeshm_test_point(const char *where);
# define PHP_SAFESHM_TEST_POINT(where) php_safeshm_test_point(where)
#else
# define PHP_SAFESHM_TEST_POINT(where) ((void) 0)
#endif

/* ---- safeshm_attach.c ----------------------------------------------- */

/* Caches the pid, refreshed in forked children. From MINIT. */
void php_safeshm_attach_minit(void);
/* This process's pid (cached: getpid() is a system call). */
uint32_t php_safeshm_getpid(void);
/* Takes the lock without throwing (request end, destructors); false: not taken. */
bool php_safeshm_lock_silent(php_safeshm_attachment *a);

void php_safeshm_throw_status(const php_safeshm_attachment *a, safeshm_status st);
void php_safeshm_throw_removed(const php_safeshm_attachment *a);
/* The refusal of a write to a store this user may only read. */
void php_safeshm_throw_read_only(const php_safeshm_attachment *a);

/* Opens (creating if needed) the segment for key. On failure returns NULL
 * after throwing (class) or warning (proc: the sysvshm-style functions). */
php_safeshm_attachment *php_safeshm_attach(key_t key, const char *name, size_t name_len, zend_long size, zend_long perms, bool proc);
/* Derives the IPC key for a segment name; named segments live in 0x40000000..0x7fffffff. */
key_t php_safeshm_name_key(const char *name, size_t len);
/* The attachment of an object, or NULL with an exception thrown: inline for
 * the usable one, which every method call asks for. */
php_safeshm_attachment *php_safeshm_get_checked(zval *obj);
static zend_always_inline php_safeshm_attachment *php_safeshm_get(zval *obj)
{
	php_safeshm_attachment *a = Z_SAFESHM_P(obj)->att;
	if (EXPECTED(a && !a->stale && !a->damaged && (a->rmid_kept || !safeshm_store_is_removed(&a->store)))) {
		return a;
	}
	return php_safeshm_get_checked(obj);
}
/* The same for a removal, which also takes a store whose header is damaged. */
php_safeshm_attachment *php_safeshm_get_removable(zval *obj);
/* Removes the segment (IPC_RMID first: crash-safe, no lock, no valid header
 * needed), then flags it and removes its semaphore. A refused IPC_RMID
 * changes nothing: false with errno set. */
bool php_safeshm_remove_segment(php_safeshm_attachment *a);
/* This process's pid, refreshed in forked children. */
uint32_t php_safeshm_getpid(void);
void php_safeshm_attachment_release(php_safeshm_attachment *a);
/* Drops a from the cache; objects still holding it see it as stale. */
void php_safeshm_attachment_forget(php_safeshm_attachment *a);
/* The destructor of SAFESHM_G(attachments). */
void php_safeshm_attachment_dtor(zval *zv);

/* CLOCK_MONOTONIC_COARSE in nanoseconds (the removal checks' clock): inline,
 * as every call of a method reads it. */
static zend_always_inline uint64_t php_safeshm_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}
/* Asks the system (see below). */
bool php_safeshm_current_ask(php_safeshm_attachment *a);

/* Whether the segment (and a semaphore-locked store's semaphore) is still
 * the one under the key. Asked of the system at the first call of each
 * request, then at most every safeshm.removal_check_ms (0: every call), by
 * reads and writes alike: a system call costs more than a whole put, and a
 * write racing an external ipcrm is no different from one made just before
 * it. SafeShm::remove() needs no system call to be seen: it sets a flag in
 * the segment that every call reads. */
static zend_always_inline bool php_safeshm_current_at(php_safeshm_attachment *a, uint64_t now_ns)
{
	zend_long ms = SAFESHM_G(removal_check_ms);
	if (EXPECTED(a->checked_request == SAFESHM_G(request) && ms > 0
			&& now_ns - a->checked_ns < (uint64_t) ms * 1000000u)) {
		return true;
	}
	return php_safeshm_current_ask(a);
}
/* now_ns: the coarse clock, or CLOCK_MONOTONIC (never behind it) that the
 * caller read anyway; the last check's time comes from the coarse one. */
static zend_always_inline bool php_safeshm_current(php_safeshm_attachment *a)
{
	return php_safeshm_current_at(a, php_safeshm_now_ns());
}
/* Folds this process's hit/miss tallies into the header (request end, info()). */
void php_safeshm_fold_tallies(php_safeshm_attachment *a);
/* This process's pid (php_safeshm_getpid() for the other rooms). */
extern uint32_t php_safeshm_pid;

/* ---- safeshm_lock.c ------------------------------------------------- */

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
/* Takes the lock and makes the store usable, or throws and returns false. */
bool php_safeshm_lock_or_throw(php_safeshm_attachment *a);
/* The same for a caller that read php_safeshm_now_us() just before (now_us),
 * which then serves the removal check too: one clock read, not two. */
bool php_safeshm_lock_or_throw_at(php_safeshm_attachment *a, uint64_t now_us);
/* The same with php_safeshm_now_ns() (coarse), read just before. */
bool php_safeshm_lock_or_throw_coarse(php_safeshm_attachment *a, uint64_t now_ns);
void php_safeshm_unlock(php_safeshm_attachment *a);
/* Releases the lock this process holds on a (also from RSHUTDOWN). */
void php_safeshm_release(php_safeshm_attachment *a);
/* Takes the lock as it is, no repair (attach: formatting, migrating). */
php_safeshm_lock_result php_safeshm_lock_raw(php_safeshm_attachment *a, int *err);
/* Repairs a store its last holder left mid-mutation (the lock held). */
void php_safeshm_repair_if_needed(php_safeshm_attachment *a, safeshm_status *st);
/* A note naming the semaphore's key and owner when someone else's semaphore is why the lock failed; "" else. */
const char *php_safeshm_squat_note(const php_safeshm_attachment *a, char *buf, size_t len);
/* Throws what a failed lock means. */
void php_safeshm_throw_lock(php_safeshm_attachment *a, php_safeshm_lock_result r, safeshm_status st, int err);

#define PHP_SAFESHM_ATT(a) \
	php_safeshm_attachment *a = php_safeshm_get(ZEND_THIS); \
	if (!a) { RETURN_THROWS(); }

/* ---- safeshm_value.c ------------------------------------------------ */

typedef struct {
	const char *ptr;
	size_t len;
	uint64_t hash;
	char buf[MAX_LENGTH_OF_LONG + 1];
} php_safeshm_key;

/* int keys and canonical numeric strings are one key, as in PHP arrays:
 * both are stored as the decimal string. */
bool php_safeshm_key_init(php_safeshm_key *k, zend_string *s, zend_long l, uint32_t arg);
/* A key of another namespace (lock names, in-flight markers): any bytes. */
void php_safeshm_key_ns(php_safeshm_key *k, uint8_t ns, const char *ptr, size_t len);
/* The same for the bytes of a zend_string, with its cached hash. */
void php_safeshm_key_ns_str(php_safeshm_key *k, uint8_t ns, zend_string *s);
/* A key argument as a zval (int|string, from a multi-key call); false with an error thrown. */
bool php_safeshm_key_zval(php_safeshm_key *k, zval *zk, uint32_t arg);
/* Before a method parses its key argument arg: false with a TypeError
 * thrown for a float key that has no exact int value (1.5, INF, NAN). */
bool php_safeshm_float_key_ok(zend_execute_data *execute_data, uint32_t arg);
/* Before parsing: a float key must be integral (php_safeshm_float_key_ok(),
 * called only for a float or a reference). */
#define PHP_SAFESHM_FLOAT_KEY_CHECK(arg) \
	if (UNEXPECTED(ZEND_CALL_NUM_ARGS(execute_data) >= (arg) \
			&& (Z_TYPE_P(ZEND_CALL_ARG(execute_data, arg)) == IS_DOUBLE \
				|| Z_TYPE_P(ZEND_CALL_ARG(execute_data, arg)) == IS_REFERENCE)) \
			&& !php_safeshm_float_key_ok(execute_data, arg)) { RETURN_THROWS(); }
/* Whether value is a resource or an array holding one (stored as 0 by serialize()). */
bool php_safeshm_holds_resource(zval *value);
/* Whether key bytes are a canonical integer, as a PHP array would see them. */
bool php_safeshm_numeric_key(const char *key, uint32_t len, zend_ulong *idx);

/* A PHP value encoded for the store, before the lock is taken. */
typedef struct {
	safeshm_type type;
	const void *data;
	size_t len;
	union { zend_long l; double d; } num;
	smart_str buf;
} php_safeshm_value;

/* False with an exception when the value cannot be serialized. */
bool php_safeshm_encode(php_safeshm_value *v, zval *value);
void php_safeshm_value_free(php_safeshm_value *v);

/* A value copied out of the segment: scalars inline, bytes in a zend_string. */
typedef struct {
	safeshm_type type;
	union { zend_long l; double d; } num;
	zend_string *bytes;
} php_safeshm_copy;

/* Copies the view; false when the bytes do not fit in memory_limit. */
bool php_safeshm_copy_view(php_safeshm_copy *c, const safeshm_view *v);
/* Turns a copy into a PHP value, after the lock is released. */
void php_safeshm_decode(php_safeshm_copy *c, zval *rv, key_t key, bool proc);

/* ---- safeshm_native.c ----------------------------------------------- */

/* Encodes an array of scalars, strings and arrays into buf: 1; 0 when it
 * holds what only serialize() keeps (objects, references); -1 when it holds
 * a resource. buf is empty unless 1. */
int php_safeshm_native_encode(smart_str *buf, zval *value);
/* Decodes what native_encode wrote; false (rv undefined) on damaged bytes. */
bool php_safeshm_native_decode(const unsigned char *p, size_t len, zval *rv);

/* ---- safeshm_ops.c -------------------------------------------------- */

/* What meta() shows of an entry. */
typedef struct {
	size_t size;
	uint64_t version, expires, created, updated;
	safeshm_type type;
} php_safeshm_meta;

/* CLOCK_MONOTONIC in microseconds: the store's clock for TTLs (shared by
 * every process of the host, never going backwards). */
static zend_always_inline uint64_t php_safeshm_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}
/* A monotonic time as unix time, for display. */
double php_safeshm_unix_time(uint64_t mono_us);
/* A $ttl argument (int|float seconds; 0 = never) as an absolute expiry;
 * false with a ValueError thrown when negative, not finite or too large. */
bool php_safeshm_ttl_arg(zval *ttl, uint32_t arg, uint64_t now_us, uint64_t *expires);

/* Lock-free inspection by a caller that may not lock (read-only mapping):
 * before try i (>= PHP_SAFESHM_READ_TRIES) waits a little, or throws
 * SafeShmTimeoutException past safeshm.lock_timeout (*deadline_us). */
#define PHP_SAFESHM_READ_TRIES 16
bool php_safeshm_unlocked_retry(php_safeshm_attachment *a, int i, uint64_t *deadline_us);
/* Looks up k in namespace ns without the lock, copying its value (c) and
 * metadata (meta) when asked; SAFESHM_OK, SAFESHM_NOT_FOUND (absent or
 * expired), SAFESHM_NOMEM, or another status with an exception thrown. */
safeshm_status php_safeshm_read_ns(php_safeshm_attachment *a, uint8_t ns, const php_safeshm_key *k,
	php_safeshm_copy *c, php_safeshm_meta *meta);
/* The same for a user key (namespace SAFESHM_NS_DATA). */
safeshm_status php_safeshm_read(php_safeshm_attachment *a, const php_safeshm_key *k, php_safeshm_copy *c, bool want_value);
/* User code (a serializer, an unserializer, a destructor, an error handler)
 * may detach obj or free its attachment: pin a before running it, and unpin
 * after. Unpin returns false, a no longer usable, when obj let go of a
 * meanwhile: then an Error is thrown unless an exception already is. */
void php_safeshm_pin(php_safeshm_attachment *a);
bool php_safeshm_unpin(zval *obj, php_safeshm_attachment *a);
/* A put request in mode with no TTL and no condition, set field by field
 * (zeroing the whole struct costs a slow rep stos on x86, on every put);
 * a field added to safeshm_put_req is set here too. */
static zend_always_inline void php_safeshm_put_req_init(safeshm_put_req *q, safeshm_put_mode mode)
{
	q->ns = SAFESHM_NS_DATA;
	q->key = NULL;
	q->klen = 0;
	q->hash = 0;
	q->type = SAFESHM_T_NULL;
	q->val = NULL;
	q->vlen = 0;
	q->expires = 0;
	q->mode = mode;
	q->cond_version = 0;
	q->cond_type = SAFESHM_T_NULL;
	q->cond_val = NULL;
	q->cond_len = 0;
	q->version = 0;
}

/* Encodes value (before the lock), stores it under k as q says (mode,
 * expiry, condition), and sets *st. Returns false with an exception thrown
 * when encoding or locking failed, or when the serializer detached
 * obj (pinned meanwhile). now: php_safeshm_now_us() the caller read already
 * (for a TTL), or 0 to read it after encoding. */
bool php_safeshm_store_req(zval *obj, php_safeshm_attachment *a, const php_safeshm_key *k, zval *value,
	safeshm_put_req *q, uint64_t now, safeshm_status *st);
/* The same with only a mode. */
bool php_safeshm_store_value(zval *obj, php_safeshm_attachment *a, const php_safeshm_key *k, zval *value,
	safeshm_put_mode mode, safeshm_status *st);
/* Stores n encoded values under n keys at once, all or nothing (one lock
 * hold, one journal: readers see none or all, a crash keeps none or all).
 * False with an exception thrown when the lock could not be taken. */
bool php_safeshm_store_many(php_safeshm_attachment *a, size_t n, const php_safeshm_key *keys,
	const php_safeshm_value *values, uint64_t expires, safeshm_status *st);

/* ---- safeshm_locks.c ------------------------------------------------ */

/* A lock (or a remember() marker) this request holds; released at the
 * latest when the request ends (RSHUTDOWN), fatal errors included. */
typedef struct _php_safeshm_lock_obj php_safeshm_lock_obj;
struct _php_safeshm_hold {
	php_safeshm_attachment *att;
	uint8_t ns;
	zend_string *name;
	php_safeshm_key key;
	uint64_t token;
	uint64_t acquired_us;
	uint64_t ttl_us;
	bool shared;
	bool died;
	bool held;
	php_safeshm_lock_obj *obj;  /* the SafeShmLock it belongs to, if any */
	struct _php_safeshm_hold *prev, *next;
};

/* A SafeShmLock object. */
struct _php_safeshm_lock_obj {
	php_safeshm_hold *hold;     /* NULL once released (or at request end) */
	zend_string *name;
	uint64_t token;
	bool shared;
	bool died;
	zend_object std;
};

extern zend_class_entry *php_safeshm_lock_ce;

/* Sets up class SafeShmLock (registered by the module) and this process's start time. */
void php_safeshm_locks_minit(void);
/* In a forked child: its own process start time. */
void php_safeshm_locks_fork_child(void);
/* Releases every hold of the request (RSHUTDOWN); never throws. */
void php_safeshm_holds_release_all(void);
/* remember(): the in-flight marker of key, acquired within wait_us (0: try
 * once). NULL when another process holds it (or *failed: an exception was
 * thrown). Released by php_safeshm_flight_release(), or at request end. */
php_safeshm_hold *php_safeshm_flight_acquire(php_safeshm_attachment *a, zend_string *key, uint64_t wait_us, bool *failed);
void php_safeshm_flight_release(php_safeshm_hold *h);
/* Whether this request holds key's marker already (remember() inside its own $compute). */
bool php_safeshm_flight_held_here(php_safeshm_attachment *a, zend_string *key);
/* The futex word waiters for key's marker sleep on. */
uint32_t *php_safeshm_flight_word(php_safeshm_attachment *a, zend_string *key);

/* ---- safeshm_upgrade.c ---------------------------------------------- */

/* Under the formatting lock at attach: migrates a store of layout 1 or 2 (or
 * finishes a migration killed halfway) to layout 3. 0: nothing to do; 1:
 * migrated (*why may hold a note to say once the lock is released); -1:
 * refused, *why says why (efree it). */
int php_safeshm_upgrade(php_safeshm_attachment *a, int perms, char **why);


/* ---- safeshm_sysvshm.c ---------------------------------------------- */

/* 1: an ext/sysvshm segment; 0: not one; -1: sysvshm's magic with a bad
 * header or chunk. Attach asks, to name a foreign segment in its error. */
int php_safeshm_sysvshm_kind(const void *base, size_t size);
/* Registers shm_* and SysvSharedMemory unless ext/sysvshm provides them.
 * Returns NULL, or why they were not registered (for phpinfo). */
const char *php_safeshm_register_compat(void);

#endif
