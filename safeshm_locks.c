/*
 * SafeShm glue: named locks. SafeShm::lock() and the SafeShmLock class, the
 * held-lock list of SafeShm::locks(), and the single-flight marker of
 * SafeShm::remember() (a lock in a namespace of its own). The state of a lock
 * and every decision on it are plain C (shm_locks.c); here are what PHP needs
 * around them: who is alive (kill() and /proc), sleeping until a release
 * (a futex word of the segment), and releasing what a request still holds
 * when it ends, however it ends.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

#include "safeshm_internal.h"
#include "shm_locks.h"

/* How often a waiter looks again without being woken (a holder that died). */
#define PHP_SAFESHM_LOCK_POLL_MS 20

zend_class_entry *php_safeshm_lock_ce;
static zend_object_handlers php_safeshm_lock_handlers;

/* ---- who is alive ---------------------------------------------------- */

static uint64_t php_safeshm_self_start;

/* Field 22 of /proc/PID/stat (start time in clock ticks since boot) and the
 * state letter; 0 when it cannot be read. */
static uint64_t php_safeshm_proc_start(uint32_t pid, char *state)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;
	unsigned long long start = 0;

	*state = '?';
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "r");
	if (!f) {
		return 0;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			state, &start) != 2) {
		return 0;
	}
	return (uint64_t) start;
}

void php_safeshm_locks_fork_child(void)
{
	char st;
	php_safeshm_self_start = php_safeshm_proc_start((uint32_t) getpid(), &st);
}

static bool php_safeshm_alive(uint32_t pid, uint64_t start)
{
	char state;
	uint64_t now_start;

	if (pid == php_safeshm_getpid()) {
		/* this process, unless the entry is from an earlier one with our pid */
		return start == 0 || start == php_safeshm_self_start;
	}
	if (pid == 0 || pid > INT32_MAX) {
		return false;
	}
	if (kill((pid_t) pid, 0) != 0 && errno == ESRCH) {
		return false;
	}
	now_start = php_safeshm_proc_start(pid, &state);
	if (now_start == 0) {
		return true; /* another PID namespace, or /proc hidden: trust kill() */
	}
	return state != 'Z' && state != 'X' && (start == 0 || start == now_start);
}

static int php_safeshm_alive_cb(uint32_t pid, uint64_t start, void *ctx)
{
	(void) ctx;
	return php_safeshm_alive(pid, start);
}

/* A request for (ns, k): every field set one by one, the outputs zeroed
 * (cheaper than zeroing the whole struct, which compilers do with a slow
 * rep stos on x86). A field added to safeshm_lock_req is set here too. */
static zend_always_inline void php_safeshm_lock_req_init(safeshm_lock_req *t, uint8_t ns, const php_safeshm_key *k,
	int shared, uint64_t ttl_us)
{
	t->ns = ns;
	t->key = k->ptr;
	t->klen = k->len;
	t->hash = k->hash;
	t->shared = shared;
	t->ttl_us = ttl_us;
	t->queue = 0;
	t->pid = 0;
	t->start = 0;
	t->ticket = 0;
	t->since_us = 0;
	t->granted = 0;
	t->died = 0;
	t->purged = 0;
	t->token = 0;
	t->acquired_us = 0;
}

/*
 * Acquires (ns, key) within wait_us (0: try once). Returns SAFESHM_OK with
 * t->granted set either way, or another status with an exception thrown
 * (the store is full, damaged, removed, or its own lock timed out).
 */
static safeshm_status php_safeshm_lock_acquire(php_safeshm_attachment *a, safeshm_lock_req *t, uint64_t wait_us)
{
	uint64_t now = php_safeshm_now_us(), deadline = now + wait_us;
	uint32_t *word = safeshm_store_wait_word(&a->store, t->hash);
	uint32_t seen = 0;
	safeshm_status st;

	t->queue = wait_us > 0;
	t->ticket = 0;
	t->since_us = 0;
	t->pid = php_safeshm_getpid();
	t->start = php_safeshm_self_start;
	for (int look = 0; ; look++) {
		if (look > 0) {
			/* from the second look on, we may sleep: say so before looking,
			 * so that a release after this look wakes us (sem_lock.h) */
			seen = safeshm_wait_prepare(word);
		}
		if (look > 0) {
			now = php_safeshm_now_us();
		}
		if (!php_safeshm_lock_or_throw_at(a, now)) {
			return SAFESHM_RETRY;
		}
		t->purged = 0;
		st = safeshm_named_attempt(&a->store, t, now, php_safeshm_alive_cb, NULL);
		php_safeshm_unlock(a);
		if (t->purged) {
			safeshm_wake(word);
		}
		if (st != SAFESHM_OK) {
			php_safeshm_throw_status(a, st);
			return st;
		}
		if (t->granted) {
			return SAFESHM_OK;
		}
		now = php_safeshm_now_us();
		if (look == 0 && now < deadline) {
			continue; /* look again, prepared to sleep */
		}
		if (now >= deadline) {
			if (t->ticket && php_safeshm_lock_or_throw(a)) {
				safeshm_named_unqueue(&a->store, t->ns, t->key, t->klen, t->hash, t->ticket, t->pid, php_safeshm_now_us());
				php_safeshm_unlock(a);
				safeshm_wake(word); /* a shared waiter behind us may go now */
			}
			return EG(exception) ? SAFESHM_RETRY : SAFESHM_OK;
		}
		{
			uint64_t left = deadline - now;
			long ms = left / 1000u < PHP_SAFESHM_LOCK_POLL_MS ? (long) (left / 1000u) + 1 : PHP_SAFESHM_LOCK_POLL_MS;
			safeshm_wait_on(word, seen, ms);
		}
	}
}

/* Releases the hold with this token. *held says whether it was still held
 * (false: it expired, and may belong to someone else now). A hold without a
 * TTL cannot have expired, so its release needs no exact time: the coarse
 * clock (a few ms behind at most, a quarter of the cost) times the purge of
 * other holders' ended TTLs, which the next attempt makes exactly anyway. */
static safeshm_status php_safeshm_lock_release(php_safeshm_attachment *a, uint8_t ns, const php_safeshm_key *k, uint64_t token,
	bool has_ttl, bool *held, bool quiet)
{
	safeshm_status st;
	int was = 0;
	uint64_t now, now_ns = 0;

	*held = false;
	if (has_ttl) {
		now = php_safeshm_now_us();
	} else {
		now_ns = php_safeshm_now_ns();
		now = now_ns / 1000u;
	}
	if (quiet ? !php_safeshm_lock_silent(a)
			: !(has_ttl ? php_safeshm_lock_or_throw_at(a, now) : php_safeshm_lock_or_throw_coarse(a, now_ns))) {
		return SAFESHM_RETRY;
	}
	st = safeshm_named_release(&a->store, ns, k->ptr, k->len, k->hash, token, php_safeshm_getpid(), now, &was);
	php_safeshm_unlock(a);
	safeshm_wake(safeshm_store_wait_word(&a->store, k->hash));
	*held = was && st == SAFESHM_OK;
	if (st != SAFESHM_OK && !quiet) {
		php_safeshm_throw_status(a, st);
	}
	return st;
}

/* ---- what a request holds -------------------------------------------- */

/* Every hold of this request, so that its end releases them: fatal errors,
 * exit() and timeouts included (RSHUTDOWN). A SafeShmLock object releases
 * its own when destroyed and leaves the list. (The struct is in
 * safeshm_internal.h.) */

static php_safeshm_hold *php_safeshm_hold_new(php_safeshm_attachment *a, uint8_t ns, zend_string *name, const safeshm_lock_req *t)
{
	php_safeshm_hold *h = emalloc(sizeof(*h));
	h->att = a;
	a->refcount++;
	h->ns = ns;
	h->name = zend_string_copy(name);
	h->key.ptr = ZSTR_VAL(h->name);
	h->key.len = ZSTR_LEN(h->name);
	h->key.hash = t->hash;
	h->obj = NULL;
	h->prev = NULL;
	h->token = t->token;
	h->acquired_us = t->acquired_us;
	h->ttl_us = t->ttl_us;
	h->shared = t->shared;
	h->died = t->died;
	h->held = true;
	h->next = SAFESHM_G(holds);
	if (h->next) {
		h->next->prev = h;
	}
	SAFESHM_G(holds) = h;
	return h;
}

/* Releases (when still held) and frees a hold. Quiet: no exception, ever
 * (object destruction, request end: there, a throw would be fatal). */
static bool php_safeshm_hold_end(php_safeshm_hold *h, bool quiet)
{
	bool was = false;
	if (h->held && !h->att->stale) {
		php_safeshm_lock_release(h->att, h->ns, &h->key, h->token, h->ttl_us != 0, &was, quiet);
	}
	h->held = false;
	if (h->prev) {
		h->prev->next = h->next;
	} else if (SAFESHM_G(holds) == h) {
		SAFESHM_G(holds) = h->next;
	}
	if (h->next) {
		h->next->prev = h->prev;
	}
	h->prev = h->next = NULL;
	php_safeshm_attachment_release(h->att);
	zend_string_release(h->name);
	efree(h);
	return was;
}

void php_safeshm_holds_release_all(void)
{
	while (SAFESHM_G(holds)) {
		php_safeshm_hold *h = SAFESHM_G(holds);
		if (h->obj) {
			h->obj->hold = NULL; /* the object outlives the request's end only as a husk */
		}
		php_safeshm_hold_end(h, true);
	}
}

/* ---- class SafeShmLock ----------------------------------------------- */

static inline php_safeshm_lock_obj *php_safeshm_lock_from_obj(zend_object *obj)
{
	return (php_safeshm_lock_obj *) ((char *) obj - offsetof(php_safeshm_lock_obj, std));
}

#define Z_SAFESHM_LOCK_P(zv) php_safeshm_lock_from_obj(Z_OBJ_P(zv))

static zend_object *php_safeshm_lock_create(zend_class_entry *ce)
{
	php_safeshm_lock_obj *o = zend_object_alloc(sizeof(php_safeshm_lock_obj), ce);
	zend_object_std_init(&o->std, ce);
	object_properties_init(&o->std, ce);
	o->std.handlers = &php_safeshm_lock_handlers;
	return &o->std;
}

static void php_safeshm_lock_free_obj(zend_object *obj)
{
	php_safeshm_lock_obj *o = php_safeshm_lock_from_obj(obj);
	if (o->hold) {
		o->hold->obj = NULL;
		php_safeshm_hold_end(o->hold, true);
		o->hold = NULL;
	}
	if (o->name) {
		zend_string_release(o->name);
	}
	zend_object_std_dtor(obj);
}

static zend_function *php_safeshm_lock_get_constructor(zend_object *object)
{
	(void) object;
	zend_throw_error(NULL, "Cannot directly construct SafeShmLock, use SafeShm::lock() instead");
	return NULL;
}

void php_safeshm_locks_minit(void)
{
	char st;
	php_safeshm_self_start = php_safeshm_proc_start((uint32_t) getpid(), &st);
	php_safeshm_lock_ce->create_object = php_safeshm_lock_create;
	memcpy(&php_safeshm_lock_handlers, &std_object_handlers, sizeof(zend_object_handlers));
	php_safeshm_lock_handlers.offset = offsetof(php_safeshm_lock_obj, std);
	php_safeshm_lock_handlers.free_obj = php_safeshm_lock_free_obj;
	php_safeshm_lock_handlers.clone_obj = NULL;
	php_safeshm_lock_handlers.get_constructor = php_safeshm_lock_get_constructor;
	php_safeshm_lock_handlers.compare = zend_objects_not_comparable;
}

/* A $wait or $ttl argument in seconds (int|float, >= 0, finite) as microseconds. */
static bool php_safeshm_secs_arg(zval *z, uint32_t arg, uint64_t *us)
{
	double secs;
	if (!z) {
		*us = 0;
		return true;
	}
	secs = Z_TYPE_P(z) == IS_LONG ? (double) Z_LVAL_P(z) : Z_DVAL_P(z);
	if (!zend_finite(secs) || secs < 0 || secs > 3153600000.0) {
		zend_argument_value_error(arg, "must be a finite number of seconds between 0 and 3153600000");
		return false;
	}
	*us = (uint64_t) (secs * 1e6 + 0.5);
	if (secs > 0 && *us == 0) {
		*us = 1;
	}
	return true;
}

PHP_METHOD(SafeShm, lock)
{
	zend_string *name;
	zval *zwait = NULL, *zttl = NULL;
	bool shared = false;
	uint64_t wait_us, ttl_us;
	php_safeshm_key k;
	safeshm_lock_req t;
	php_safeshm_lock_obj *o;

	ZEND_PARSE_PARAMETERS_START(1, 4)
		Z_PARAM_STR(name)
		Z_PARAM_OPTIONAL
		Z_PARAM_NUMBER(zwait)
		Z_PARAM_NUMBER(zttl)
		Z_PARAM_BOOL(shared)
	ZEND_PARSE_PARAMETERS_END();

	if (ZSTR_LEN(name) == 0 || ZSTR_LEN(name) > SAFESHM_MAX_KEY_LEN) {
		zend_argument_value_error(1, "must be between 1 and %u bytes long", SAFESHM_MAX_KEY_LEN);
		RETURN_THROWS();
	}
	if (!php_safeshm_secs_arg(zwait, 2, &wait_us) || !php_safeshm_secs_arg(zttl, 3, &ttl_us)) {
		RETURN_THROWS();
	}
	PHP_SAFESHM_ATT(a);
	if (a->readonly) {
		zend_throw_exception_ex(php_safeshm_exception_ce, 0,
			"SafeShm segment 0x%08x is attached read-only: a lock needs write access", (unsigned) a->key);
		RETURN_THROWS();
	}
	php_safeshm_key_ns_str(&k, SAFESHM_NS_LOCK, name);
	php_safeshm_lock_req_init(&t, SAFESHM_NS_LOCK, &k, shared, ttl_us);
	if (php_safeshm_lock_acquire(a, &t, wait_us) != SAFESHM_OK) {
		RETURN_THROWS();
	}
	if (!t.granted) {
		RETURN_NULL();
	}
	object_init_ex(return_value, php_safeshm_lock_ce);
	o = Z_SAFESHM_LOCK_P(return_value);
	o->name = zend_string_copy(name);
	o->hold = php_safeshm_hold_new(a, SAFESHM_NS_LOCK, name, &t);
	o->hold->obj = o;
	o->token = t.token;
	o->shared = shared;
	o->died = t.died;
}

#define PHP_SAFESHM_LOCK_THIS(o) php_safeshm_lock_obj *o = Z_SAFESHM_LOCK_P(ZEND_THIS)

PHP_METHOD(SafeShmLock, release)
{
	bool was;
	PHP_SAFESHM_LOCK_THIS(o);

	ZEND_PARSE_PARAMETERS_NONE();
	if (!o->hold) {
		RETURN_FALSE;
	}
	o->hold->obj = NULL;
	was = php_safeshm_hold_end(o->hold, false);
	o->hold = NULL;
	if (EG(exception)) {
		RETURN_THROWS();
	}
	RETURN_BOOL(was);
}

PHP_METHOD(SafeShmLock, isHeld)
{
	php_safeshm_hold *h;
	safeshm_status st;
	int held = 0;
	PHP_SAFESHM_LOCK_THIS(o);

	ZEND_PARSE_PARAMETERS_NONE();
	if (!o->hold || o->hold->att->stale) {
		RETURN_FALSE;
	}
	/* under the store's lock: a state record is changed in place, so it is
	 * never read lock-free */
	h = o->hold;
	if (!php_safeshm_lock_or_throw(h->att)) {
		RETURN_THROWS();
	}
	st = safeshm_named_held(&h->att->store, h->ns, h->key.ptr, h->key.len, h->key.hash, o->token, php_safeshm_getpid(),
		php_safeshm_now_us(), &held);
	php_safeshm_unlock(h->att);
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(h->att, st);
		RETURN_THROWS();
	}
	RETURN_BOOL(held);
}

PHP_METHOD(SafeShmLock, name)
{
	PHP_SAFESHM_LOCK_THIS(o);
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_STR_COPY(o->name);
}

PHP_METHOD(SafeShmLock, shared)
{
	PHP_SAFESHM_LOCK_THIS(o);
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_BOOL(o->shared);
}

PHP_METHOD(SafeShmLock, token)
{
	PHP_SAFESHM_LOCK_THIS(o);
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_LONG((zend_long) o->token);
}

PHP_METHOD(SafeShmLock, previousHolderDied)
{
	PHP_SAFESHM_LOCK_THIS(o);
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_BOOL(o->died);
}

PHP_METHOD(SafeShmLock, refresh)
{
	zval *zttl;
	uint64_t ttl_us;
	int ok = 0;
	safeshm_status st;
	PHP_SAFESHM_LOCK_THIS(o);

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_NUMBER(zttl)
	ZEND_PARSE_PARAMETERS_END();

	if (!php_safeshm_secs_arg(zttl, 1, &ttl_us)) {
		RETURN_THROWS();
	}
	if (!o->hold || o->hold->att->stale) {
		RETURN_FALSE;
	}
	if (!php_safeshm_lock_or_throw(o->hold->att)) {
		RETURN_THROWS();
	}
	st = safeshm_named_refresh(&o->hold->att->store, o->hold->ns, o->hold->key.ptr, o->hold->key.len, o->hold->key.hash,
		o->token, php_safeshm_getpid(), ttl_us, php_safeshm_now_us(), &ok);
	php_safeshm_unlock(o->hold->att);
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(o->hold->att, st);
		RETURN_THROWS();
	}
	if (ok) {
		o->hold->ttl_us = ttl_us;
	}
	RETURN_BOOL(ok);
}

/* ---- SafeShm::locks() ------------------------------------------------ */

typedef struct {
	zval *list;
	uint64_t now;
} php_safeshm_locks_ctx;

/* Locked: copies each lock's name and state out (no PHP allocation that
 * could bail out here: plain malloc, converted after the lock is released). */
typedef struct {
	char *buf;
	size_t len, cap;
	bool nomem;
} php_safeshm_bytes;

static int php_safeshm_collect_lock(const safeshm_view *v, void *ctx)
{
	php_safeshm_bytes *b = ctx;
	uint32_t kl = (uint32_t) v->key_len, vl = (uint32_t) v->len;
	size_t need = 8u + kl + vl;
	if (v->type != SAFESHM_T_BINARY) {
		return 0;
	}
	if (b->len + need > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + need;
		char *nb = realloc(b->buf, cap);
		if (!nb) {
			b->nomem = true;
			return 1;
		}
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, &kl, 4);
	memcpy(b->buf + b->len + 4, &vl, 4);
	memcpy(b->buf + b->len + 8, v->key, kl);
	memcpy(b->buf + b->len + 8 + kl, v->data, vl);
	b->len += need;
	return 0;
}

PHP_METHOD(SafeShm, locks)
{
	php_safeshm_bytes b = {0};
	safeshm_status st;
	size_t off = 0;
	uint64_t now;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	if (!php_safeshm_lock_or_throw(a)) {
		RETURN_THROWS();
	}
	st = safeshm_store_iterate(&a->store, SAFESHM_NS_LOCK, php_safeshm_now_us(), php_safeshm_collect_lock, &b);
	php_safeshm_unlock(a);
	if (st == SAFESHM_OK && b.nomem) {
		st = SAFESHM_NOMEM;
	}
	if (st != SAFESHM_OK) {
		free(b.buf);
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	now = php_safeshm_now_us();
	array_init(return_value);
	while (off < b.len) {
		uint32_t kl, vl, n, flags;
		safeshm_lock_entry *le;
		memcpy(&kl, b.buf + off, 4);
		memcpy(&vl, b.buf + off + 4, 4);
		if (safeshm_named_decode(b.buf + off + 8 + kl, vl, &le, &n, &flags)) {
			zval entry, pids;
			uint64_t since = UINT64_MAX, expires = 0;
			uint32_t waiters = 0, holders = 0;
			bool shared = false, ttl_all = true;
			array_init(&pids);
			for (uint32_t i = 0; i < n; i++) {
				safeshm_lock_entry *e = &le[i];
				if (!php_safeshm_alive(e->pid, e->start)) {
					continue; /* died: the next contender purges it, no longer held */
				}
				if (e->flags & SAFESHM_LE_WAITER) {
					waiters++;
					continue;
				}
				if (e->expires_us && e->expires_us <= now) {
					continue; /* expired: no longer held */
				}
				holders++;
				shared |= (e->flags & SAFESHM_LE_SHARED) != 0;
				add_next_index_long(&pids, (zend_long) e->pid);
				since = e->since_us < since ? e->since_us : since;
				if (!e->expires_us) {
					ttl_all = false;
				} else if (!expires || e->expires_us > expires) {
					expires = e->expires_us;
				}
			}
			if (holders) {
				array_init(&entry);
				add_assoc_stringl(&entry, "name", b.buf + off + 8, kl);
				add_assoc_bool(&entry, "shared", shared);
				add_assoc_zval(&entry, "pids", &pids);
				add_assoc_double(&entry, "held_for", (double) (now - since) / 1e6);
				if (ttl_all && expires) {
					add_assoc_double(&entry, "ttl", (double) (expires - now) / 1e6);
				} else {
					add_assoc_null(&entry, "ttl");
				}
				add_assoc_long(&entry, "waiters", (zend_long) waiters);
				add_next_index_zval(return_value, &entry);
			} else {
				zval_ptr_dtor(&pids);
			}
			free(le);
		}
		off += 8u + kl + vl;
	}
	free(b.buf);
}

/* ---- remember()'s in-flight marker ----------------------------------- */

php_safeshm_hold *php_safeshm_flight_acquire(php_safeshm_attachment *a, zend_string *key, uint64_t wait_us, bool *failed)
{
	php_safeshm_key k;
	safeshm_lock_req t;

	*failed = false;
	php_safeshm_key_ns_str(&k, SAFESHM_NS_FLIGHT, key);
	php_safeshm_lock_req_init(&t, SAFESHM_NS_FLIGHT, &k, 0, 0);
	if (php_safeshm_lock_acquire(a, &t, wait_us) != SAFESHM_OK) {
		*failed = true;
		return NULL;
	}
	return t.granted ? php_safeshm_hold_new(a, SAFESHM_NS_FLIGHT, key, &t) : NULL;
}

bool php_safeshm_flight_held_here(php_safeshm_attachment *a, zend_string *key)
{
	for (php_safeshm_hold *h = SAFESHM_G(holds); h; h = h->next) {
		if (h->att == a && h->ns == SAFESHM_NS_FLIGHT && h->held && zend_string_equals(h->name, key)) {
			return true;
		}
	}
	return false;
}

void php_safeshm_flight_release(php_safeshm_hold *h)
{
	php_safeshm_hold_end(h, true);
}

/* The futex word remember()'s waiters for key sleep on, and its current value. */
uint32_t *php_safeshm_flight_word(php_safeshm_attachment *a, zend_string *key)
{
	php_safeshm_key k;
	php_safeshm_key_ns_str(&k, SAFESHM_NS_FLIGHT, key);
	return safeshm_store_wait_word(&a->store, k.hash);
}
