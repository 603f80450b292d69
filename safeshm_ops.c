/*
 * SafeShm glue: the two paths into the store, shared by the SafeShm methods
 * and the safeshm_* and shm_* functions. A read never takes the lock: it
 * finds the entry, copies it out and checks that the index still names that
 * very record (safeshm_store_view_valid); a racing write makes it read again,
 * a stopped one cannot delay it. A write encodes the value first, then locks,
 * puts and unlocks, so that no user code runs under the lock.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "zend_exceptions.h"

#include <math.h>
#include <time.h>
#include <unistd.h>

#include "safeshm_internal.h"

/* A lock-free read that keeps meeting a damaged record (not a racing writer,
 * which clears at the next try) reports corruption after this many tries. */
#define PHP_SAFESHM_CORRUPT_TRIES 64

/* Monotonic microseconds to unix time, for display (meta(), locks()). */
double php_safeshm_unix_time(uint64_t mono_us)
{
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	return (double) rt.tv_sec + (double) rt.tv_nsec / 1e9 - ((double) php_safeshm_now_us() - (double) mono_us) / 1e6;
}

bool php_safeshm_ttl_arg(zval *ttl, uint32_t arg, uint64_t now_us, uint64_t *expires)
{
	double secs = Z_TYPE_P(ttl) == IS_LONG ? (double) Z_LVAL_P(ttl) : Z_DVAL_P(ttl);

	if (!zend_finite(secs) || secs < 0) {
		zend_argument_value_error(arg, "must be a finite number of seconds >= 0 (0: never expires)");
		return false;
	}
	if (secs > 3153600000.0) {
		zend_argument_value_error(arg, "must be at most 3153600000 seconds (100 years); use 0 for never");
		return false;
	}
	if (secs == 0) {
		*expires = 0;
		return true;
	}
	*expires = now_us + (uint64_t) ceil(secs * 1e6);
	if (*expires == now_us) {
		(*expires)++;
	}
	return true;
}

/*
 * A caller that may not take the lock (a store mapped read-only: taking it
 * would write into the segment) inspects the store lock-free instead, and
 * keeps a result only when no mutation ran meanwhile; between tries it backs
 * off, for up to safeshm.lock_timeout: a writer holds the lock for
 * microseconds, so only a stuck or dead holder makes it give up. Returns
 * false with SafeShmTimeoutException thrown then. i counts the tries so far;
 * *deadline_us is set at try PHP_SAFESHM_READ_TRIES.
 */
bool php_safeshm_unlocked_retry(php_safeshm_attachment *a, int i, uint64_t *deadline_us)
{
	uint64_t now = php_safeshm_now_us();

	if (i == PHP_SAFESHM_READ_TRIES) {
		*deadline_us = now + (uint64_t) (SAFESHM_G(lock_timeout) * 1e6);
	} else if (now >= *deadline_us) {
		zend_throw_exception_ex(php_safeshm_timeout_exception_ce, 0,
			"SafeShm segment 0x%08x: no consistent view within safeshm.lock_timeout (%.3F s); "
			"this user may only read the store, so it cannot take the lock instead",
			(unsigned) a->key, SAFESHM_G(lock_timeout));
		return false;
	}
	usleep(i < 64 ? 10 : 1000);
	return true;
}

/*
 * Looks up k in namespace ns without the lock and copies its value (when c
 * is not NULL) and its metadata (when meta is not NULL). Returns SAFESHM_OK,
 * SAFESHM_NOT_FOUND (absent or expired), SAFESHM_NOMEM (memory_limit: PHP
 * reports it), or another status with an exception thrown.
 */
safeshm_status php_safeshm_read_ns(php_safeshm_attachment *a, uint8_t ns, const php_safeshm_key *k,
	php_safeshm_copy *c, php_safeshm_meta *meta)
{
	safeshm_store *s = &a->store;
	safeshm_view v;
	safeshm_status st;
	uint64_t now = 0;
	unsigned bad = 0;

	st = safeshm_store_check_quick(s);
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		return st;
	}
	if (!php_safeshm_current(a)) {
		php_safeshm_attachment_forget(a);
		php_safeshm_throw_removed(a);
		return SAFESHM_REMOVED;
	}
	for (;;) {
		st = safeshm_store_find(s, ns, k->ptr, k->len, k->hash, 0, &v);
		if (st == SAFESHM_RETRY) {
			continue;
		}
		if (st == SAFESHM_NOT_FOUND) {
			a->misses++;
			return st;
		}
		if (st != SAFESHM_OK) {
			if (++bad < PHP_SAFESHM_CORRUPT_TRIES) {
				continue;
			}
			php_safeshm_throw_status(a, st);
			return st;
		}
		if (v.expires) {
			if (!now) {
				now = php_safeshm_now_us();
			}
			if (v.expires <= now) {
				if (safeshm_store_view_valid(s, &v)) {
					a->misses++;
					return SAFESHM_NOT_FOUND;
				}
				continue;
			}
		}
		PHP_SAFESHM_TEST_POINT("read:found");
		if (c && !php_safeshm_copy_view(c, &v)) {
			return SAFESHM_NOMEM;
		}
		if (safeshm_store_view_valid(s, &v)) {
			break;
		}
		if (c && c->bytes) {
			zend_string_release(c->bytes);
			c->bytes = NULL;
		}
	}
	if (meta) {
		meta->size = v.len;
		meta->version = v.version;
		meta->expires = v.expires;
		meta->created = v.created;
		meta->updated = v.updated;
		meta->type = v.type;
	}
	a->hits++;
	return SAFESHM_OK;
}

safeshm_status php_safeshm_read(php_safeshm_attachment *a, const php_safeshm_key *k, php_safeshm_copy *c, bool want_value)
{
	return php_safeshm_read_ns(a, SAFESHM_NS_DATA, k, want_value ? c : NULL, NULL);
}

/* Locked: the store call itself, with the key's fields filled in. */
static safeshm_status php_safeshm_put_locked(php_safeshm_attachment *a, const php_safeshm_key *k, uint8_t ns,
	const php_safeshm_value *v, safeshm_put_req *q, uint64_t now)
{
	q->ns = ns;
	q->key = k->ptr;
	q->klen = k->len;
	q->hash = k->hash;
	q->type = v->type;
	q->val = v->data;
	q->vlen = v->len;
	return safeshm_store_put(&a->store, q, now);
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

bool php_safeshm_store_req(zval *obj, php_safeshm_attachment *a, const php_safeshm_key *k, zval *value,
	safeshm_put_req *q, uint64_t now, safeshm_status *st)
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
	if (!now) {
		now = php_safeshm_now_us();
	}
	if (!php_safeshm_lock_or_throw_at(a, now)) {
		php_safeshm_value_free(&v);
		return false;
	}
	*st = php_safeshm_put_locked(a, k, SAFESHM_NS_DATA, &v, q, now);
	php_safeshm_unlock(a);
	php_safeshm_value_free(&v);
	return true;
}

bool php_safeshm_store_value(zval *obj, php_safeshm_attachment *a, const php_safeshm_key *k, zval *value,
	safeshm_put_mode mode, safeshm_status *st)
{
	safeshm_put_req q;
	php_safeshm_put_req_init(&q, mode);
	return php_safeshm_store_req(obj, a, k, value, &q, 0, st);
}

bool php_safeshm_store_many(php_safeshm_attachment *a, size_t n, const php_safeshm_key *keys,
	const php_safeshm_value *values, uint64_t expires, safeshm_status *st)
{
	safeshm_put_req *q = safe_emalloc(n, sizeof(*q), 0);

	for (size_t i = 0; i < n; i++) {
		q[i] = (safeshm_put_req) { .ns = SAFESHM_NS_DATA, .key = keys[i].ptr, .klen = keys[i].len,
			.hash = keys[i].hash, .type = values[i].type, .val = values[i].data, .vlen = values[i].len,
			.expires = expires, .mode = SAFESHM_PUT_REPLACE };
	}
	if (!php_safeshm_lock_or_throw(a)) {
		efree(q);
		return false;
	}
	*st = safeshm_store_put_many(&a->store, q, n, php_safeshm_now_us());
	php_safeshm_unlock(a);
	efree(q);
	return true;
}
