/*
 * SafeShm glue: the two paths through the lock, shared by the SafeShm
 * methods and the safeshm_* and shm_* functions. A read tries lock-free first
 * (the store's sequence counter validates it) and takes the lock only when
 * that keeps failing; a write encodes the value, then locks, puts and
 * unlocks, so that no user code runs under the lock.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "zend_exceptions.h"

#include <time.h>
#include <unistd.h>

#include "safeshm_internal.h"


/*
 * A reader that may not take the lock (a store mapped read-only: taking it
 * would write the holder into the header) keeps retrying lock-free instead,
 * backing off, for up to safeshm.lock_timeout: a writer holds the lock for
 * microseconds, so only a stuck or dead holder makes it give up. Returns
 * false with SafeShmTimeoutException thrown then. i counts the tries so far;
 * *deadline_us is set at the first retry.
 */
bool php_safeshm_unlocked_retry(php_safeshm_attachment *a, int i, uint64_t *deadline_us)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
	if (i == PHP_SAFESHM_READ_TRIES) {
		*deadline_us = now + (uint64_t) (SAFESHM_G(lock_timeout) * 1e6);
	} else if (now >= *deadline_us) {
		zend_throw_exception_ex(php_safeshm_timeout_exception_ce, 0,
			"SafeShm segment 0x%08x: no consistent read within safeshm.lock_timeout (%.3F s); "
			"this user may only read the store, so it cannot take the lock instead",
			(unsigned) a->key, SAFESHM_G(lock_timeout));
		return false;
	}
	usleep(i < 64 ? 10 : 1000);
	return true;
}

/*
 * Looks up k and copies its value. Lock-free first: read seq, find, copy,
 * confirm seq; every offset on the way is bounds-checked, so a torn read
 * is retried. After PHP_SAFESHM_READ_TRIES it takes the lock (which also
 * repairs a store left half-written by a dead holder).
 * Returns SAFESHM_OK, SAFESHM_NOT_FOUND, or another status with an
 * exception thrown.
 */
safeshm_status php_safeshm_read(php_safeshm_attachment *a, const php_safeshm_key *k, php_safeshm_copy *c, bool want_value)
{
	safeshm_store *s = &a->store;
	safeshm_view v;
	safeshm_status st;
	volatile bool bailed = false;
	uint64_t deadline = 0;

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
	for (int i = 0; i < PHP_SAFESHM_READ_TRIES || a->rdonly; i++) {
		uint64_t seq;
		if (a->rdonly && i >= PHP_SAFESHM_READ_TRIES && !php_safeshm_unlocked_retry(a, i, &deadline)) {
			return SAFESHM_RETRY; /* thrown: it cannot take the lock instead */
		}
		seq = safeshm_store_read_begin(s);
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
			if (a->rdonly) {
				php_safeshm_throw_status(a, st); /* confirmed twice: the sequence did not move */
				return st;
			}
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

/*
 * The serializer runs user code (__serialize, __sleep, a destructor it
 * triggers, an error handler for one of its warnings), which may detach the
 * very handle being written through, or remove its store. The attachment is
 * pinned meanwhile, so it is never freed under us, and the object must still
 * hold it afterwards, else the write is refused with ext/sysvshm's Error
 * (php-src GH-16591). A store removed meanwhile is refused by the lock.
 */
void php_safeshm_pin(php_safeshm_attachment *a)
{
	a->refcount++;
}

bool php_safeshm_unpin(zval *obj, php_safeshm_attachment *a)
{
	bool held = Z_SAFESHM_P(obj)->att == a;

	php_safeshm_attachment_release(a); /* frees a when obj let go of it */
	if (!held && !EG(exception)) {
		zend_throw_error(NULL, "Shared memory block has been destroyed by the serialization function");
	}
	return held;
}

/* Encodes value (before the lock), stores it under k, and sets *st. Returns
 * false with an exception thrown when encoding or locking failed. */
bool php_safeshm_store_value(zval *obj, php_safeshm_attachment *a, const php_safeshm_key *k, zval *value,
	safeshm_put_mode mode, safeshm_status *st)
{
	php_safeshm_value v;
	bool encoded;

	php_safeshm_pin(a);
	encoded = php_safeshm_encode(&v, value);
	if (!php_safeshm_unpin(obj, a)) {
		if (encoded) {
			php_safeshm_value_free(&v);
		}
		return false;
	}
	if (!encoded) {
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

/*
 * Whether every put of a batch fits, checked under the lock before any is
 * made: the puts run in order, each needing room for its new record beside
 * the key's old one (publish, then retire) and, for a new key, an index slot.
 * Mirrors the store's own rule for a put (shm_store.c); a status other than
 * SAFESHM_OK means nothing may be written.
 */
static safeshm_status php_safeshm_batch_fits(php_safeshm_attachment *a, uint32_t n,
	const php_safeshm_key *keys, const php_safeshm_value *values)
{
	safeshm_stats stats;
	uint64_t used, entries;
	safeshm_status st = safeshm_store_stats(&a->store, &stats);

	if (st != SAFESHM_OK) {
		return st;
	}
	used = stats.used;
	entries = stats.entries;
	for (uint32_t i = 0; i < n; i++) {
		safeshm_view old;
		size_t rsz = safeshm_record_size(keys[i].len, values[i].len);
		uint64_t old_size = 0;

		st = safeshm_store_find(&a->store, keys[i].ptr, keys[i].len, keys[i].hash, &old);
		if (st == SAFESHM_OK) {
			old_size = safeshm_record_size(old.key_len, old.len);
		} else if (st != SAFESHM_NOT_FOUND) {
			return st;
		}
		if (rsz > stats.arena_size || rsz > UINT32_MAX || used + rsz > stats.arena_size
				|| (st == SAFESHM_NOT_FOUND && entries + 1 > stats.max_entries)) {
			return SAFESHM_FULL;
		}
		used = used + rsz - old_size;
		entries += st == SAFESHM_NOT_FOUND;
	}
	return SAFESHM_OK;
}

/*
 * Stores n encoded values under n distinct keys, all or nothing, under one
 * lock hold: SAFESHM_FULL in *st, with nothing changed, unless every one
 * fits. The store has no multi-put yet, so this checks the batch first and
 * then puts one by one; when the store gets an atomic batch put (crash-safe
 * too), this is the one place to change. Returns false with an exception
 * thrown when the lock could not be taken.
 */
bool php_safeshm_store_many(php_safeshm_attachment *a, uint32_t n, const php_safeshm_key *keys,
	const php_safeshm_value *values, safeshm_status *st)
{
	if (!php_safeshm_lock_or_throw(a)) {
		return false;
	}
	*st = php_safeshm_batch_fits(a, n, keys, values);
	for (uint32_t i = 0; *st == SAFESHM_OK && i < n; i++) {
		/* cannot be FULL after the check above; a store error stops the batch */
		*st = safeshm_store_put(&a->store, keys[i].ptr, keys[i].len, keys[i].hash,
			values[i].type, values[i].data, values[i].len, SAFESHM_PUT_REPLACE);
	}
	php_safeshm_unlock(a);
	return true;
}
