/*
 * SafeShm glue: attachments. Each process keeps one mapping per key across
 * requests (the attachment cache), notices a segment removed or replaced
 * under its key, and turns every failure to attach into the exception or the
 * sysvshm-style warning its caller reports. The store's lock, as PHP takes
 * it, is safeshm_lock.c's.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "zend_exceptions.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "safeshm_internal.h"

/* ---- errors --------------------------------------------------------- */

static zend_class_entry *php_safeshm_status_ce(safeshm_status st)
{
	switch (st) {
		case SAFESHM_FULL: return php_safeshm_full_exception_ce;
		case SAFESHM_CORRUPT: return php_safeshm_corrupt_exception_ce;
		default: return php_safeshm_exception_ce;
	}
}

void php_safeshm_throw_status(const php_safeshm_attachment *a, safeshm_status st)
{
	/* a damaged store is never repaired in place: say what gets rid of it */
	zend_throw_exception_ex(php_safeshm_status_ce(st), 0, "SafeShm segment 0x%08x: %s%s",
		(unsigned) a->key, safeshm_status_str(st),
		st == SAFESHM_CORRUPT ? " (remove() discards it; a new SafeShm object then creates a fresh store)" : "");
}

void php_safeshm_throw_read_only(const php_safeshm_attachment *a)
{
	zend_throw_exception_ex(php_safeshm_exception_ce, 0,
		"SafeShm segment 0x%08x: read-only for this user: its mode lets it read the store, not write it", (unsigned) a->key);
}

void php_safeshm_throw_removed(const php_safeshm_attachment *a)
{
	zend_throw_exception_ex(php_safeshm_exception_ce, 0,
		"SafeShm segment 0x%08x has been removed; create a new SafeShm object", (unsigned) a->key);
}

/* ---- attachments ---------------------------------------------------- */

static void php_safeshm_attachment_free(php_safeshm_attachment *a)
{
	/* after safeshm_remove(): the semaphore goes too, unless a new segment
	 * under the same key already uses it. Only by the process that removed
	 * it: a forked child that merely exits must not take the semaphore from
	 * the parent, which may still be using the segment. */
	if (a->rmid_kept && a->rmid_pid == php_safeshm_getpid() && a->lock.semid > 0
			&& shmget(a->key, 0, 0) < 0 && errno == ENOENT) {
		safeshm_lock_remove(&a->lock);
	}
	if (a->store.base) {
		shmdt(a->store.base);
	}
	pefree(a, 1);
}

void php_safeshm_attachment_release(php_safeshm_attachment *a)
{
	if (--a->refcount == 0 && !a->cached) {
		php_safeshm_attachment_free(a);
	}
}

/* Drops a from the cache; objects still holding it see it as stale. */
void php_safeshm_attachment_forget(php_safeshm_attachment *a)
{
	a->stale = true;
	if (a->cached) {
		a->cached = false;
		zend_hash_index_del(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) a->key);
	}
}

void php_safeshm_attachment_dtor(zval *zv)
{
	php_safeshm_attachment *a = Z_PTR_P(zv);
	a->cached = false;
	if (a->refcount == 0) {
		php_safeshm_attachment_free(a);
	}
}

/* ---- the process and the removal check ----------------------------- */

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

/* php_safeshm_current() when its time is up (safeshm_internal.h). */
bool php_safeshm_current_ask(php_safeshm_attachment *a)
{
	/* a mutex store's semaphore only serialises formatting: its removal loses nothing */
	return php_safeshm_still_current(a) && (a->rmid_kept || a->lock.mutex || a->readonly || safeshm_lock_exists(&a->lock));
}

/* getpid() is a system call; the pid is cached and refreshed in forked children. */
uint32_t php_safeshm_pid;

static void php_safeshm_atfork_child(void)
{
	php_safeshm_attachment *a;

	php_safeshm_pid = (uint32_t) getpid();
	php_safeshm_locks_fork_child();
	/* the parent's tallies are the parent's to fold in, not counted twice */
	ZEND_HASH_FOREACH_PTR(&SAFESHM_G(attachments), a) {
		a->hits = a->misses = a->lock_waits = 0;
	} ZEND_HASH_FOREACH_END();
}

uint32_t php_safeshm_getpid(void)
{
	return php_safeshm_pid;
}

void php_safeshm_attach_minit(void)
{
	php_safeshm_pid = (uint32_t) getpid();
	pthread_atfork(NULL, NULL, php_safeshm_atfork_child);
}

/* ---- attaching ------------------------------------------------------ */

/* Derives the IPC key for a segment name; named segments live in 0x40000000..0x7fffffff. */
key_t php_safeshm_name_key(const char *name, size_t len)
{
	/* FNV-1a with a final mix, fixed since the first release: a name must
	 * keep naming the same key across versions */
	const unsigned char *p = (const unsigned char *) name;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (key_t) (((uint32_t) h & 0x3FFFFFFFu) | 0x40000000u);
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

/* Drops a from the cache without marking it stale: its objects keep using it. */
static void php_safeshm_attachment_uncache(php_safeshm_attachment *a)
{
	if (a->cached) {
		a->cached = false;
		a->refcount++; /* the hash destructor must not free it */
		zend_hash_index_del(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) a->key);
		a->refcount--;
	}
}

/*
 * A store this user may read but not write (e.g. created 0644 by another
 * user), mapped SHM_RDONLY: lock-free reads work, and everything that needs
 * the lock (every write, and the holder's bookkeeping in the header) is
 * refused with a permission error, so nothing ever writes into the mapping.
 * No semaphore is opened or created for it. a is bound, not yet validated.
 */
static php_safeshm_attachment *php_safeshm_attach_readonly(php_safeshm_attachment *a, const char *name, size_t name_len, bool proc)
{
	const safeshm_header *h = (const safeshm_header *) a->store.base;
	safeshm_status st;

	a->readonly = true;
	a->lock.semid = -1;
	if (a->store.size < SAFESHM_MIN_SIZE) {
		st = php_safeshm_sysvshm_kind(a->store.base, a->store.size) != 0 ? SAFESHM_FOREIGN : SAFESHM_TOO_SMALL;
	} else if ((uint64_t) a->store.size > SAFESHM_MAX_SIZE) {
		st = SAFESHM_CORRUPT;
	} else if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) == 0
			|| __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) == SAFESHM_MAGIC_FORMATTING) {
		php_safeshm_attach_error(proc, php_safeshm_exception_ce, a->key,
			"read-only for this user, and not formatted yet (its creator may be formatting it): try again");
		php_safeshm_attachment_free(a);
		return NULL;
	} else if ((st = safeshm_store_check_header(&a->store)) == SAFESHM_OK
			&& (h->name_len != name_len || (name_len && memcmp(h->name, name, name_len) != 0))) {
		st = SAFESHM_NAME;
	}
	if (st != SAFESHM_OK) {
		php_safeshm_attach_status_error(proc, a->key, a->shmid, st, a->store.base, a->store.size);
		php_safeshm_attachment_free(a);
		return NULL;
	}
	a->refcount = 1;
	a->cached = true;
	zend_hash_index_update_ptr(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) a->key, a);
	return a;
}

/* Opens (creating if needed) the segment for key. On failure returns NULL
 * after throwing (class) or warning (proc: the sysvshm-style functions). */
php_safeshm_attachment *php_safeshm_attach(key_t key, const char *name, size_t name_len, zend_long size, zend_long perms, bool proc)
{
	php_safeshm_attachment *a, *cached;
	struct shmid_ds ds;
	safeshm_status st;
	void *base = NULL;
	int shmid, err = 0, fresh = 0, formatted = 0;
	char *upgrade_note = NULL;
	bool readonly = false, created = false;
	php_safeshm_lock_result r;
	char note[320];

	/* asking for read and write makes the kernel check permissions now,
	 * also for a mapping this process inherited across fork() */
	shmid = shmget(key, 0, SHM_R | SHM_W);
	if (shmid < 0 && errno == EACCES && !proc) {
		/* a store this user may only read (e.g. 0644 of another user) */
		int ro = shmget(key, 0, SHM_R);
		if (ro >= 0) {
			shmid = ro;
			readonly = true;
		} else {
			errno = EACCES;
		}
	}
	cached = zend_hash_index_find_ptr(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) key);
	if (cached && shmid == cached->shmid && !cached->stale && cached->readonly != readonly) {
		/* the same segment, mapped for another access (a child that changed
		 * its user, or a changed mode): its objects keep it, new ones map anew */
		php_safeshm_attachment_uncache(cached);
		cached = NULL;
	}
	if (cached) {
		st = safeshm_store_check_header(&cached->store);
		if (shmid == cached->shmid && !cached->stale && st != SAFESHM_OK) {
			if (proc || st != SAFESHM_CORRUPT) {
				php_safeshm_attach_status_error(proc, key, shmid, st, cached->store.base, cached->store.size);
				return NULL;
			}
			/* damaged: the object gets an uncached attachment of its own below,
			 * good for remove(); the cached one stays with its objects */
		} else if (shmid == cached->shmid && !cached->stale && !safeshm_store_is_removed(&cached->store)
				&& (cached->lock.mutex || cached->readonly || semget(cached->lock.key, 0, 0) == cached->lock.semid)) {
			const safeshm_header *h = (const safeshm_header *) cached->store.base;
			if (h->name_len != name_len || (name_len && memcmp(h->name, name, name_len) != 0)) {
				php_safeshm_attach_status_error(proc, key, shmid, SAFESHM_NAME, NULL, 0);
				return NULL;
			}
			cached->refcount++;
			return cached;
		} else {
			php_safeshm_attachment_forget(cached);
		}
	}

	if (shmid < 0 && errno == ENOENT && size < 0) {
		return NULL; /* SafeShm::open(): no store, and none is made */
	}
	if (shmid < 0 && errno == ENOENT) {
		shmid = shmget(key, (size_t) size, IPC_CREAT | IPC_EXCL | (int) perms);
		/* made here: the kernel zeroed it, so it is formatted without reading it */
		created = shmid >= 0;
		fresh = created;
		if (shmid < 0 && errno == EEXIST) {
			shmid = shmget(key, 0, SHM_R | SHM_W);
		}
	}
	if (shmid < 0 || shmctl(shmid, IPC_STAT, &ds) != 0
			|| (base = shmat(shmid, NULL, readonly ? SHM_RDONLY : 0)) == (void *) -1) {
		err = errno;
		if (created) {
			/* e.g. a mode (0400, 0444, 0) that does not let even its creator
			 * read and write it: leave nothing behind, as newer ext/sysvshm */
			shmctl(shmid, IPC_RMID, NULL);
		}
		if (created && err == EACCES && !proc) {
			php_safeshm_attach_error(proc, php_safeshm_exception_ce, key,
				"permission denied: mode %04o does not let its creator read and write it (a store needs at least 0600 "
				"for its owner); nothing was left behind", (unsigned) perms);
		} else {
			php_safeshm_attach_error(proc, php_safeshm_exception_ce, key, "%s%s",
				err == EACCES && !proc ? "permission denied: " : "", strerror(err));
		}
		return NULL;
	}

	a = pecalloc(1, sizeof(*a), 1);
	a->key = key;
	a->shmid = shmid;
	a->owner_uid = (uint32_t) ds.shm_perm.uid;
	a->checked_ns = php_safeshm_now_ns();
	safeshm_store_bind(&a->store, base, ds.shm_segsz);
	if (readonly) {
		return php_safeshm_attach_readonly(a, name, name_len, proc);
	}

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
	 * creator is about to format it, and a "formatting" one a segment whose
	 * creator died formatting it: decide under the lock. */
	{
		uint32_t magic = __atomic_load_n(&((safeshm_header *) base)->magic, __ATOMIC_ACQUIRE);
		if (magic != SAFESHM_MAGIC && magic != SAFESHM_MAGIC_FORMATTING && magic != 0) {
			st = SAFESHM_FOREIGN;
			goto fail;
		}
	}
	if (safeshm_lock_open(&a->lock, key, (int) (ds.shm_perm.mode & 0777)) != SAFESHM_LOCK_OK) {
		err = errno;
		php_safeshm_attach_error(proc, php_safeshm_exception_ce, key, "cannot open its semaphore (key 0x%08x): %s",
			(unsigned) a->lock.key, strerror(err));
		if (created) {
			shmctl(shmid, IPC_RMID, NULL);
		}
		php_safeshm_attachment_free(a);
		return NULL;
	}
	r = php_safeshm_lock_raw(a, &err);
	if (r != PHP_SAFESHM_LOCKED) {
		if (proc) {
			php_safeshm_attach_error(proc, NULL, key, "%s%s", r == PHP_SAFESHM_LOCK_TIMEOUT
				? "lock not acquired within safeshm.lock_timeout" : "cannot use its semaphore",
				php_safeshm_squat_note(a, note, sizeof(note)));
		} else {
			php_safeshm_throw_lock(a, r, SAFESHM_OK, err);
		}
		if (created) {
			shmctl(shmid, IPC_RMID, NULL); /* a store nobody could lock: leave nothing behind */
		}
		php_safeshm_attachment_free(a);
		return NULL;
	}
	/* a store of an older layout is migrated first (safeshm_upgrade.c) */
	{
		int up = php_safeshm_upgrade(a, (int) (ds.shm_perm.mode & 0777), &upgrade_note);
		if (up < 0) {
			php_safeshm_unlock(a);
			php_safeshm_attach_error(proc, php_safeshm_exception_ce, key, "cannot migrate it from an older layout: %s",
				upgrade_note);
			efree(upgrade_note);
			php_safeshm_attachment_free(a);
			return NULL;
		}
	}
	/* formats a blank segment; two creators racing both end up here in turn */
	st = safeshm_store_open(&a->store, name, name_len, SAFESHM_G(lock_kind),
		SAFESHM_G(lock_kind) == SAFESHM_LOCK_KIND_MUTEX ? safeshm_lock_mutex_init : NULL,
		fresh, php_safeshm_now_us(), &formatted);
	(void) formatted;
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
	} else if (st == SAFESHM_OK) {
		php_safeshm_repair_if_needed(a, &st);
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
	if (st == SAFESHM_CORRUPT && !proc && safeshm_store_check_header(&a->store) != SAFESHM_FOREIGN) {
		/* Ours, but its header (or its mutex) is damaged: the object is
		 * made, and every call but remove() throws, so that the store can
		 * be removed through the API. Never cached, never locked: a new
		 * object validates the header again. */
		a->damaged = true;
		a->refcount = 1;
		return a;
	}
	if (st != SAFESHM_OK) {
		goto fail;
	}
	if (safeshm_store_lock_kind(&a->store) == SAFESHM_LOCK_KIND_MUTEX) {
		safeshm_lock_use_mutex(&a->lock, safeshm_store_lock_area(&a->store));
	}

	a->refcount = 1;
	a->cached = true;
	zend_hash_index_update_ptr(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) key, a);
	if (upgrade_note) {
		php_error_docref(NULL, E_NOTICE, "SafeShm segment 0x%08x: %s", (unsigned) key, upgrade_note);
		efree(upgrade_note);
	}
	return a;

fail:
	if (upgrade_note) {
		efree(upgrade_note);
	}
	php_safeshm_attach_status_error(proc, key, shmid, st, base, ds.shm_segsz);
	php_safeshm_attachment_free(a);
	return NULL;
}

void php_safeshm_fold_tallies(php_safeshm_attachment *a)
{
	if ((a->hits || a->misses || a->lock_waits) && !a->stale) {
		safeshm_store_add_tallies(&a->store, a->hits, a->misses, a->lock_waits);
	}
	a->hits = a->misses = a->lock_waits = 0;
}

/* The attachment of an object for remove(): also one whose header is
 * damaged. NULL with an exception thrown when detached or removed. */
php_safeshm_attachment *php_safeshm_get_removable(zval *obj)
{
	php_safeshm_obj *o = Z_SAFESHM_P(obj);
	php_safeshm_attachment *a = o->att;
	if (!a) {
		zend_throw_error(NULL, o->detached ? "Shared memory block has already been destroyed"
			: "SafeShm object is not initialized");
		return NULL;
	}
	/* the removed flag means something only in a valid header */
	if (a->stale || (!a->rmid_kept && safeshm_store_is_removed(&a->store)
			&& safeshm_store_check_header(&a->store) == SAFESHM_OK)) {
		php_safeshm_attachment_forget(a);
		php_safeshm_throw_removed(a);
		return NULL;
	}
	return a;
}

/* php_safeshm_get() when the attachment is missing, stale, removed or damaged:
 * NULL with the exception that says which (or the attachment, when it is usable
 * after all: a removed flag in a header that no longer validates). */
php_safeshm_attachment *php_safeshm_get_checked(zval *obj)
{
	php_safeshm_attachment *a = php_safeshm_get_removable(obj);
	if (a && a->damaged) {
		zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
			"SafeShm segment 0x%08x: its header is damaged, so the store cannot be used; "
			"remove() discards it (a new SafeShm object then creates a fresh store)", (unsigned) a->key);
		return NULL;
	}
	return a;
}

/*
 * Removal, crash-safe and without the lock or a valid header: IPC_RMID
 * first. From then on the key names no segment, so new objects create a
 * fresh store, and every attached process sees the removal at its next
 * write (shmget) and read (within safeshm.removal_check_ms). The flag set
 * after it only makes objects already attached see it at once, and the
 * semaphore removed last is one a new store under the key would reuse. So a
 * remover killed at any point leaves either nothing done or a removed
 * segment, never a flagged store still under its key; and a refused
 * IPC_RMID (a store of another user) changes nothing at all.
 */
bool php_safeshm_remove_segment(php_safeshm_attachment *a)
{
	if (shmctl(a->shmid, IPC_RMID, NULL) != 0 && errno != EINVAL && errno != EIDRM) {
		return false; /* EINVAL/EIDRM: removed already, by ipcrm or another remover */
	}
	if (!a->readonly && safeshm_store_check_header(&a->store) == SAFESHM_OK) {
		safeshm_store_mark_removed(&a->store);
	}
	if (a->lock.semid > 0) {
		safeshm_lock_remove(&a->lock);
	}
	/* a damaged store's remover has an attachment of its own: the cached one
	 * of the same segment goes stale too, whatever its header says */
	{
		php_safeshm_attachment *cached = zend_hash_index_find_ptr(&SAFESHM_G(attachments), (zend_ulong) (uint32_t) a->key);
		if (cached && cached != a && cached->shmid == a->shmid) {
			php_safeshm_attachment_forget(cached);
		}
	}
	php_safeshm_attachment_forget(a);
	return true;
}
