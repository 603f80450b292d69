/*
 * SafeShm glue: cache semantics. touch(), meta(), cas(), update(), remember(),
 * and the multi-key calls getMultiple(), putMultiple(), deleteMultiple().
 *
 * No user code runs under the store's lock: update() reads, calls the user's
 * function, then writes only if the key's version did not change meanwhile
 * (else it runs again); remember() holds only its in-flight marker (a named
 * lock of its own namespace, safeshm_locks.c) while $compute runs, so other
 * keys are never blocked and a process dying mid-compute frees the marker.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"

#include <sched.h>
#include <unistd.h>

#include "safeshm_internal.h"

#define PHP_SAFESHM_KEY_ARG(k, s, l, arg) \
	if (!php_safeshm_key_init(&k, s, l, arg)) { RETURN_THROWS(); }

static void php_safeshm_throw_timeout(const php_safeshm_attachment *a, const char *what)
{
	zend_throw_exception_ex(php_safeshm_timeout_exception_ce, 0,
		"SafeShm segment 0x%08x: %s within safeshm.lock_timeout (%.3F s)", (unsigned) a->key, what,
		SAFESHM_G(lock_timeout));
}

static uint64_t php_safeshm_deadline(void)
{
	return php_safeshm_now_us() + (uint64_t) (SAFESHM_G(lock_timeout) * 1e6);
}

/* A resource (or an array holding one) would be stored as 0 by serialize():
 * refused with a TypeError, as put() refuses it. what names the value. */
static bool php_safeshm_storable(zval *v, const char *what)
{
	if (php_safeshm_holds_resource(v)) {
		zend_type_error("%s cannot be a resource, nor hold one: it would be stored as 0", what);
		return false;
	}
	return true;
}

static bool php_safeshm_writable(php_safeshm_attachment *a)
{
	if (a->readonly) {
		zend_throw_exception_ex(php_safeshm_exception_ce, 0,
			"SafeShm segment 0x%08x is attached read-only (its permissions allow this user to read only)", (unsigned) a->key);
		return false;
	}
	return true;
}

PHP_METHOD(SafeShm, touch)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	zval *zttl;
	php_safeshm_key k;
	uint64_t expires = 0;
	safeshm_status st;

	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_NUMBER(zttl)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	if (!php_safeshm_ttl_arg(zttl, 2, php_safeshm_now_us(), &expires)) {
		RETURN_THROWS();
	}
	PHP_SAFESHM_ATT(a);
	if (!php_safeshm_lock_or_throw(a)) {
		RETURN_THROWS();
	}
	st = safeshm_store_touch(&a->store, SAFESHM_NS_DATA, k.ptr, k.len, k.hash, expires, php_safeshm_now_us());
	php_safeshm_unlock(a);
	if (st == SAFESHM_NOT_FOUND) {
		RETURN_FALSE;
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_TRUE;
}

PHP_METHOD(SafeShm, meta)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	php_safeshm_key k;
	php_safeshm_meta m;
	safeshm_status st;
	uint64_t now;
	double epoch;

	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR_OR_LONG(skey, lkey)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	PHP_SAFESHM_ATT(a);
	st = php_safeshm_read_ns(a, SAFESHM_NS_DATA, &k, NULL, &m);
	if (st == SAFESHM_NOT_FOUND) {
		RETURN_NULL();
	}
	if (st != SAFESHM_OK) {
		RETURN_THROWS();
	}
	now = php_safeshm_now_us();
	/* one conversion for both times: a first write shows created == updated */
	epoch = php_safeshm_unix_time(0);
	array_init(return_value);
	add_assoc_long(return_value, "size", (zend_long) m.size);
	if (m.expires) {
		add_assoc_double(return_value, "ttl", m.expires > now ? (double) (m.expires - now) / 1e6 : 0.0);
	} else {
		add_assoc_null(return_value, "ttl");
	}
	add_assoc_long(return_value, "version", (zend_long) m.version);
	add_assoc_double(return_value, "created", epoch + (double) m.created / 1e6);
	add_assoc_double(return_value, "updated", epoch + (double) m.updated / 1e6);
}

PHP_METHOD(SafeShm, cas)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	zval *expected, *nv, *zttl = NULL;
	php_safeshm_key k;
	php_safeshm_value ev;
	safeshm_put_req q = { .mode = SAFESHM_PUT_IF_VALUE };
	safeshm_status st;
	bool ok;

	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
	ZEND_PARSE_PARAMETERS_START(3, 4)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_ZVAL(expected)
		Z_PARAM_ZVAL(nv)
		Z_PARAM_OPTIONAL
		Z_PARAM_NUMBER(zttl)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	if (zttl && !php_safeshm_ttl_arg(zttl, 4, php_safeshm_now_us(), &q.expires)) {
		RETURN_THROWS();
	}
	PHP_SAFESHM_ATT(a);
	/* both encoded before the lock: comparing is then a byte compare */
	php_safeshm_pin(a);
	ok = php_safeshm_encode(&ev, expected);
	if (!php_safeshm_unpin(ZEND_THIS, a)) {
		if (ok) {
			php_safeshm_value_free(&ev);
		}
		RETURN_THROWS();
	}
	if (!ok) {
		RETURN_THROWS();
	}
	q.cond_type = ev.type;
	q.cond_val = ev.data;
	q.cond_len = ev.len;
	ok = php_safeshm_storable(nv, "SafeShm::cas(): Argument #3 ($new)")
		&& php_safeshm_store_req(ZEND_THIS, a, &k, nv, &q, 0, &st);
	php_safeshm_value_free(&ev);
	if (!ok) {
		RETURN_THROWS();
	}
	if (st == SAFESHM_MISMATCH) {
		RETURN_FALSE;
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_TRUE;
}

/* A short pause between optimistic retries, growing with the attempt. */
static void php_safeshm_backoff(unsigned attempt)
{
	if (attempt < 4) {
		sched_yield();
	} else {
		usleep(attempt < 20 ? 20u * attempt : 500u);
	}
}

static void php_safeshm_update_impl(INTERNAL_FUNCTION_PARAMETERS)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	zend_fcall_info fci;
	zend_fcall_info_cache fcc;
	zval *def = NULL, *zttl = NULL;
	php_safeshm_key k;
	uint64_t expires = 0, deadline;

	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
	ZEND_PARSE_PARAMETERS_START(2, 4)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_FUNC(fci, fcc)
		Z_PARAM_OPTIONAL
		Z_PARAM_ZVAL(def)
		Z_PARAM_NUMBER(zttl)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	/* a bad $ttl is refused before $fn runs (the expiry itself counts from each store) */
	if (zttl && !php_safeshm_ttl_arg(zttl, 4, php_safeshm_now_us(), &expires)) {
		RETURN_THROWS();
	}
	PHP_SAFESHM_ATT(a);
	if (!php_safeshm_writable(a)) {
		RETURN_THROWS();
	}
	deadline = php_safeshm_deadline();
	for (unsigned attempt = 0; ; attempt++) {
		php_safeshm_copy c;
		php_safeshm_meta m;
		zval current, result;
		safeshm_put_req q = { .mode = SAFESHM_PUT_IF_VERSION };
		safeshm_status st = php_safeshm_read_ns(a, SAFESHM_NS_DATA, &k, &c, &m);
		bool ok;

		if (st == SAFESHM_NOMEM) {
			RETURN_OOM();
		}
		if (st == SAFESHM_NOT_FOUND) {
			q.cond_version = 0; /* still absent */
			if (def) {
				ZVAL_COPY(&current, def);
			} else {
				ZVAL_NULL(&current);
			}
		} else if (st == SAFESHM_OK) {
			q.cond_version = m.version;
			php_safeshm_decode(&c, &current, a->key, false);
			if (EG(exception)) {
				RETURN_THROWS();
			}
		} else {
			RETURN_THROWS();
		}
		/* the user's function: no lock held */
		fci.retval = &result;
		fci.params = &current;
		fci.param_count = 1;
		ok = zend_call_function(&fci, &fcc) == SUCCESS && !EG(exception);
		zval_ptr_dtor(&current);
		if (!ok) {
			if (!EG(exception)) {
				zend_throw_error(NULL, "SafeShm::update(): the callable could not be called");
			}
			RETURN_THROWS();
		}
		if (zttl && !php_safeshm_ttl_arg(zttl, 4, php_safeshm_now_us(), &expires)) {
			zval_ptr_dtor(&result);
			RETURN_THROWS();
		}
		q.expires = expires;
		if (!php_safeshm_storable(&result, "SafeShm::update(): the callable's result")
				|| !php_safeshm_store_req(ZEND_THIS, a, &k, &result, &q, 0, &st)) {
			zval_ptr_dtor(&result);
			RETURN_THROWS();
		}
		if (st == SAFESHM_OK) {
			RETURN_COPY_VALUE(&result);
		}
		zval_ptr_dtor(&result);
		if (st != SAFESHM_MISMATCH) {
			php_safeshm_throw_status(a, st);
			RETURN_THROWS();
		}
		/* another process wrote the key meanwhile: read it again */
		if (php_safeshm_now_us() >= deadline) {
			php_safeshm_throw_timeout(a, "update() kept racing other writers of the key and did not store");
			RETURN_THROWS();
		}
		php_safeshm_backoff(attempt);
	}
}

/* User code runs inside (the callable, unserializers): the attachment is
 * pinned meanwhile (php_safeshm_pin()). */
PHP_METHOD(SafeShm, update)
{
	php_safeshm_attachment *a = Z_SAFESHM_P(ZEND_THIS)->att;

	if (a) {
		php_safeshm_pin(a);
	}
	php_safeshm_update_impl(INTERNAL_FUNCTION_PARAM_PASSTHRU);
	if (a && !php_safeshm_unpin(ZEND_THIS, a)) {
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
	}
}

/* Calls $compute(); false with its exception propagating. */
static bool php_safeshm_call(zend_fcall_info *fci, zend_fcall_info_cache *fcc, zval *result)
{
	fci->retval = result;
	fci->params = NULL;
	fci->param_count = 0;
	if (zend_call_function(fci, fcc) != SUCCESS || EG(exception)) {
		if (!EG(exception)) {
			zend_throw_error(NULL, "SafeShm::remember(): the callable could not be called");
		}
		return false;
	}
	return true;
}

static void php_safeshm_remember_impl(INTERNAL_FUNCTION_PARAMETERS)
{
	zend_string *skey = NULL, *kstr;
	zend_long lkey = 0;
	zend_fcall_info fci;
	zend_fcall_info_cache fcc;
	zval *zttl = NULL, *zstale = NULL;
	php_safeshm_key k;
	uint64_t ttl_us = 0, stale_us = 0, deadline, expires;
	php_safeshm_hold *marker = NULL;
	bool prepared = false;

	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
	ZEND_PARSE_PARAMETERS_START(2, 4)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_FUNC(fci, fcc)
		Z_PARAM_OPTIONAL
		Z_PARAM_NUMBER(zttl)
		Z_PARAM_NUMBER(zstale)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	/* the durations, as offsets from now */
	if (zttl && !php_safeshm_ttl_arg(zttl, 3, 0, &ttl_us)) {
		RETURN_THROWS();
	}
	if (zstale && !php_safeshm_ttl_arg(zstale, 4, 0, &stale_us)) {
		RETURN_THROWS();
	}
	PHP_SAFESHM_ATT(a);
	if (!php_safeshm_writable(a)) {
		RETURN_THROWS();
	}
	kstr = zend_string_init(k.ptr, k.len, 0);
	deadline = php_safeshm_deadline();
	for (;;) {
		php_safeshm_copy c;
		php_safeshm_meta m;
		/* once it has to wait, each look is made prepared to sleep (sem_lock.h) */
		uint32_t *word = php_safeshm_flight_word(a, kstr), seen = prepared ? safeshm_wait_prepare(word) : 0;
		safeshm_status st = php_safeshm_read_ns(a, SAFESHM_NS_DATA, &k, &c, &m);
		bool failed;

		if (st == SAFESHM_NOMEM) {
			zend_string_release(kstr);
			RETURN_OOM();
		}
		if (st != SAFESHM_OK && st != SAFESHM_NOT_FOUND) {
			zend_string_release(kstr);
			RETURN_THROWS();
		}
		if (st == SAFESHM_OK) {
			/* with $stale the entry is kept $ttl + $stale: fresh for the first $ttl */
			bool fresh = stale_us == 0 || ttl_us == 0 || m.updated + ttl_us > php_safeshm_now_us();
			if (fresh) {
				if (marker) {
					/* someone stored it while we took over: no compute */
					php_safeshm_flight_release(marker);
				}
				zend_string_release(kstr);
				php_safeshm_decode(&c, return_value, a->key, false);
				return;
			}
			if (marker) {
				if (c.bytes) {
					zend_string_release(c.bytes);
				}
				break; /* stale, and ours to recompute */
			}
			/* stale: one caller recomputes, the others take the stale value now */
			marker = php_safeshm_flight_acquire(a, kstr, 0, &failed);
			if (failed) {
				if (c.bytes) {
					zend_string_release(c.bytes);
				}
				zend_string_release(kstr);
				RETURN_THROWS();
			}
			if (!marker) {
				zend_string_release(kstr);
				php_safeshm_decode(&c, return_value, a->key, false);
				return;
			}
			if (c.bytes) {
				zend_string_release(c.bytes);
			}
			continue; /* read once more under the marker: another may have just refreshed it */
		}
		if (marker) {
			break; /* we hold the marker and the key is still absent: compute */
		}
		marker = php_safeshm_flight_acquire(a, kstr, 0, &failed);
		if (failed) {
			zend_string_release(kstr);
			RETURN_THROWS();
		}
		if (marker) {
			continue; /* read once more under the marker: another may have just stored it */
		}
		if (php_safeshm_flight_held_here(a, kstr)) {
			/* remember() of this key inside its own $compute: it would wait for itself */
			zend_string_release(kstr);
			zend_throw_exception_ex(php_safeshm_exception_ce, 0,
				"SafeShm::remember(): the key is being computed by this very process (remember() of the same key inside its $compute)");
			RETURN_THROWS();
		}
		/* another process computes: sleep until it releases its marker (or
		 * for a short while, to notice a computer that died) */
		{
			uint64_t now = php_safeshm_now_us();
			if (now >= deadline) {
				zend_string_release(kstr);
				php_safeshm_throw_timeout(a, "remember(): no value was computed");
				RETURN_THROWS();
			}
			if (!prepared) {
				prepared = true;
				continue; /* look again, prepared to sleep */
			}
			safeshm_wait_on(word, seen, (long) ((deadline - now) / 1000u < 20u ? (deadline - now) / 1000u + 1u : 20u));
		}
	}
	zend_string_release(kstr);

	/* we hold the marker: compute, without any store lock */
	if (!php_safeshm_call(&fci, &fcc, return_value)) {
		php_safeshm_flight_release(marker); /* a waiter takes over */
		RETURN_THROWS();
	}
	{
		safeshm_put_req q = { .mode = SAFESHM_PUT_REPLACE };
		safeshm_status st;
		expires = ttl_us ? php_safeshm_now_us() + ttl_us + stale_us : 0;
		q.expires = expires;
		if (!php_safeshm_storable(return_value, "SafeShm::remember(): the result of $compute")
				|| !php_safeshm_store_req(ZEND_THIS, a, &k, return_value, &q, 0, &st)) {
			php_safeshm_flight_release(marker);
			zval_ptr_dtor(return_value);
			ZVAL_UNDEF(return_value);
			RETURN_THROWS();
		}
		php_safeshm_flight_release(marker);
		if (st != SAFESHM_OK) {
			zval_ptr_dtor(return_value);
			ZVAL_UNDEF(return_value);
			php_safeshm_throw_status(a, st);
			RETURN_THROWS();
		}
	}
}

/* User code runs inside (the callable, unserializers): the attachment is
 * pinned meanwhile (php_safeshm_pin()). */
PHP_METHOD(SafeShm, remember)
{
	php_safeshm_attachment *a = Z_SAFESHM_P(ZEND_THIS)->att;

	if (a) {
		php_safeshm_pin(a);
	}
	php_safeshm_remember_impl(INTERNAL_FUNCTION_PARAM_PASSTHRU);
	if (a && !php_safeshm_unpin(ZEND_THIS, a)) {
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
	}
}

/* ---- multi-key calls ------------------------------------------------- */

/* Collects an iterable's keys and values into out (values as given), or
 * with values_only its values as a list: a list of keys may come from a
 * generator whose keys repeat (yield from), and each value counts. False
 * with an exception thrown by the iterator. */
static bool php_safeshm_iterable(zval *it, HashTable *out, bool values_only)
{
	if (Z_TYPE_P(it) == IS_ARRAY) {
		zend_string *sk;
		zend_ulong ik;
		zval *v;
		ZEND_HASH_FOREACH_KEY_VAL(Z_ARRVAL_P(it), ik, sk, v) {
			Z_TRY_ADDREF_P(v);
			if (values_only) {
				zend_hash_next_index_insert(out, v);
			} else if (sk) {
				zend_hash_update(out, sk, v);
			} else {
				zend_hash_index_update(out, ik, v);
			}
		} ZEND_HASH_FOREACH_END();
		return true;
	}
	{
		zend_object_iterator *iter = Z_OBJCE_P(it)->get_iterator(Z_OBJCE_P(it), it, 0);
		bool ok = true;
		if (!iter) {
			return false;
		}
		if (iter->funcs->rewind) {
			iter->funcs->rewind(iter);
		}
		while (!EG(exception) && iter->funcs->valid(iter) == SUCCESS && !EG(exception)) {
			zval *v = iter->funcs->get_current_data(iter), key;
			if (EG(exception) || !v) {
				break;
			}
			if (values_only) {
				ZVAL_NULL(&key);
			} else if (iter->funcs->get_current_key) {
				iter->funcs->get_current_key(iter, &key);
			} else {
				ZVAL_LONG(&key, (zend_long) zend_hash_num_elements(out));
			}
			if (EG(exception)) {
				zval_ptr_dtor(&key);
				break;
			}
			ZVAL_DEREF(v);
			Z_TRY_ADDREF_P(v);
			if (values_only) {
				zend_hash_next_index_insert(out, v);
			} else {
				if (array_set_zval_key(out, &key, v) == FAILURE) {
					ok = false;
				}
				zval_ptr_dtor(v);
			}
			zval_ptr_dtor(&key);
			if (!ok) {
				break;
			}
			iter->funcs->move_forward(iter);
		}
		zend_iterator_dtor(iter);
		return ok && !EG(exception);
	}
}

static void php_safeshm_getmultiple_impl(INTERNAL_FUNCTION_PARAMETERS)
{
	zval *keys, *def = NULL, *kz;
	HashTable given;
	php_safeshm_key *ks;
	php_safeshm_copy *cs;
	safeshm_status *sts;
	uint32_t n, i;
	bool locked = false;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_ITERABLE(keys)
		Z_PARAM_OPTIONAL
		Z_PARAM_ZVAL(def)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_ATT(a);
	zend_hash_init(&given, 8, NULL, ZVAL_PTR_DTOR, 0);
	if (!php_safeshm_iterable(keys, &given, true)) {
		zend_hash_destroy(&given);
		RETURN_THROWS();
	}
	n = zend_hash_num_elements(&given);
	ks = safe_emalloc(n + 1u, sizeof(*ks), 0);
	cs = safe_emalloc(n + 1u, sizeof(*cs), 0);
	sts = safe_emalloc(n + 1u, sizeof(*sts), 0);
	i = 0;
	ZEND_HASH_FOREACH_VAL(&given, kz) {
		if (!php_safeshm_key_zval(&ks[i], kz, 1)) {
			goto fail;
		}
		i++;
	} ZEND_HASH_FOREACH_END();
	/* one snapshot: no mutation between the first read and the last, else
	 * again; after a few tries under the lock (writers wait, readers of
	 * single keys never do) */
	for (unsigned attempt = 0; ; attempt++) {
		uint64_t seq = 0;
		bool bad = false;
		if (attempt == 16) {
			if (!php_safeshm_lock_or_throw(a)) {
				goto fail;
			}
			locked = true;
		} else {
			seq = safeshm_store_read_begin(&a->store);
			if (seq & 1u) {
				php_safeshm_backoff(attempt);
				continue;
			}
		}
		for (i = 0; i < n; i++) {
			cs[i].bytes = NULL;
			sts[i] = php_safeshm_read_ns(a, SAFESHM_NS_DATA, &ks[i], &cs[i], NULL);
			if (sts[i] != SAFESHM_OK && sts[i] != SAFESHM_NOT_FOUND) {
				bad = true;
				break;
			}
			PHP_SAFESHM_TEST_POINT("multi:read");
		}
		if (locked) {
			php_safeshm_unlock(a);
		}
		if (bad) {
			for (uint32_t j = 0; j < i; j++) {
				if (sts[j] == SAFESHM_OK && cs[j].bytes) {
					zend_string_release(cs[j].bytes);
				}
			}
			if (sts[i] == SAFESHM_NOMEM) {
				zend_hash_destroy(&given);
				efree(ks);
				efree(cs);
				efree(sts);
				RETURN_OOM();
			}
			goto fail;
		}
		if (locked || safeshm_store_read_valid(&a->store, seq)) {
			break;
		}
		for (i = 0; i < n; i++) {
			if (sts[i] == SAFESHM_OK && cs[i].bytes) {
				zend_string_release(cs[i].bytes);
			}
		}
		php_safeshm_backoff(attempt);
	}
	/* decoding may run user code (__unserialize): after every read */
	array_init_size(return_value, n);
	i = 0;
	ZEND_HASH_FOREACH_VAL(&given, kz) {
		zval v;
		if (sts[i] == SAFESHM_OK && !EG(exception)) {
			php_safeshm_decode(&cs[i], &v, a->key, false);
		} else if (sts[i] == SAFESHM_OK) {
			if (cs[i].bytes) {
				zend_string_release(cs[i].bytes);
			}
			ZVAL_UNDEF(&v);
		} else if (def) {
			ZVAL_COPY(&v, def);
		} else {
			ZVAL_NULL(&v);
		}
		if (!Z_ISUNDEF(v)) {
			array_set_zval_key(Z_ARRVAL_P(return_value), kz, &v);
			zval_ptr_dtor(&v);
		}
		i++;
	} ZEND_HASH_FOREACH_END();
	zend_hash_destroy(&given);
	efree(ks);
	efree(cs);
	efree(sts);
	if (EG(exception)) {
		zval_ptr_dtor(return_value);
		RETURN_THROWS();
	}
	return;
fail:
	zend_hash_destroy(&given);
	efree(ks);
	efree(cs);
	efree(sts);
	RETURN_THROWS();
}

/* User code runs inside (the callable, unserializers): the attachment is
 * pinned meanwhile (php_safeshm_pin()). */
PHP_METHOD(SafeShm, getMultiple)
{
	php_safeshm_attachment *a = Z_SAFESHM_P(ZEND_THIS)->att;

	if (a) {
		php_safeshm_pin(a);
	}
	php_safeshm_getmultiple_impl(INTERNAL_FUNCTION_PARAM_PASSTHRU);
	if (a && !php_safeshm_unpin(ZEND_THIS, a)) {
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
	}
}

PHP_METHOD(SafeShm, putMultiple)
{
	zval *values, *zttl = NULL, *v;
	HashTable given;
	php_safeshm_key *ks;
	php_safeshm_value *vs;
	zend_string *sk;
	zend_ulong ik;
	uint64_t expires = 0;
	uint32_t n, i = 0, encoded = 0;
	safeshm_status st = SAFESHM_OK;
	bool ok;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_ITERABLE(values)
		Z_PARAM_OPTIONAL
		Z_PARAM_NUMBER(zttl)
	ZEND_PARSE_PARAMETERS_END();

	if (zttl && !php_safeshm_ttl_arg(zttl, 2, php_safeshm_now_us(), &expires)) {
		RETURN_THROWS();
	}
	zend_hash_init(&given, 8, NULL, ZVAL_PTR_DTOR, 0);
	/* a PHP array's keys: a key given twice counts once (the last value);
	 * a generator runs user code here, before the attachment is taken */
	if (!php_safeshm_iterable(values, &given, false)) {
		zend_hash_destroy(&given);
		RETURN_THROWS();
	}
	n = zend_hash_num_elements(&given);
	if (n == 0) {
		zend_hash_destroy(&given);
		return;
	}
	php_safeshm_attachment *a = php_safeshm_get(ZEND_THIS);
	if (!a) {
		zend_hash_destroy(&given);
		RETURN_THROWS();
	}
	ks = safe_emalloc(n, sizeof(*ks), 0);
	vs = safe_emalloc(n, sizeof(*vs), 0);
	ok = true;
	/* every value encoded before the lock; serializers run user code: pinned */
	php_safeshm_pin(a);
	ZEND_HASH_FOREACH_KEY_VAL(&given, ik, sk, v) {
		if (!php_safeshm_key_init(&ks[i], sk, (zend_long) ik, 1)) {
			ok = false;
			break;
		}
		if (php_safeshm_holds_resource(v)) {
			zend_argument_type_error(1, "cannot hold a resource: it would be stored as 0");
			ok = false;
			break;
		}
		if (!php_safeshm_encode(&vs[i], v)) {
			ok = false;
			break;
		}
		encoded = ++i;
	} ZEND_HASH_FOREACH_END();
	if (!php_safeshm_unpin(ZEND_THIS, a)) {
		ok = false;
	}
	if (ok) {
		ok = php_safeshm_store_many(a, n, ks, vs, expires, &st);
	}
	for (uint32_t j = 0; j < encoded; j++) {
		php_safeshm_value_free(&vs[j]);
	}
	efree(ks);
	efree(vs);
	if (ok && st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
	}
	zend_hash_destroy(&given); /* may run destructors: a is not used after this */
	if (EG(exception)) {
		RETURN_THROWS();
	}
}

PHP_METHOD(SafeShm, deleteMultiple)
{
	zval *keys, *kz;
	HashTable given;
	php_safeshm_key *ks;
	uint32_t n, i = 0;
	zend_long deleted = 0;
	safeshm_status st = SAFESHM_OK;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ITERABLE(keys)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_ATT(a);
	zend_hash_init(&given, 8, NULL, ZVAL_PTR_DTOR, 0);
	if (!php_safeshm_iterable(keys, &given, true)) {
		zend_hash_destroy(&given);
		RETURN_THROWS();
	}
	n = zend_hash_num_elements(&given);
	ks = safe_emalloc(n + 1u, sizeof(*ks), 0);
	ZEND_HASH_FOREACH_VAL(&given, kz) {
		if (!php_safeshm_key_zval(&ks[i], kz, 1)) {
			efree(ks);
			zend_hash_destroy(&given);
			RETURN_THROWS();
		}
		i++;
	} ZEND_HASH_FOREACH_END();
	if (n && php_safeshm_lock_or_throw(a)) {
		uint64_t now = php_safeshm_now_us();
		for (i = 0; i < n; i++) {
			safeshm_status one = safeshm_store_delete(&a->store, SAFESHM_NS_DATA, ks[i].ptr, ks[i].len, ks[i].hash, now);
			if (one == SAFESHM_OK) {
				deleted++;
			} else if (one != SAFESHM_NOT_FOUND) {
				st = one;
				break;
			}
		}
		php_safeshm_unlock(a);
	}
	efree(ks);
	zend_hash_destroy(&given);
	if (EG(exception)) {
		RETURN_THROWS();
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_LONG(deleted);
}
