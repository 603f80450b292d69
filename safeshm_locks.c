/*
 * SafeShm glue: named locks. SafeShm::lock() and the SafeShmLock class, the
 * held-lock list of SafeShm::locks(), and the single-flight marker of
 * SafeShm::remember() (a lock in a namespace of its own).
 *
 * A lock's state is one record of the store, in a namespace of its own (a
 * lock named "x" and a key "x" never meet): its holders and its waiters, each
 * with pid, the process's start time (a pid the kernel reuses is another
 * process), a token and times. Every change is one store write under the store
 * lock, so a lock survives a killed process like any entry, and its state is
 * repaired with the store. Nobody polls: a waiter sleeps on a futex word of
 * the segment, which every release (and every purge of a dead holder) bumps.
 *
 * A holder is gone when its process is (kill(pid, 0) fails, or /proc says it is
 * a zombie or another process with that pid), when its TTL passed, or when it
 * released; the next contender purges it, at once, and a waiter looks again at
 * least every PHP_SAFESHM_LOCK_POLL_MS. Exclusive requests are served first come
 * first served among waiters that are alive and awake; a shared request waits
 * while an exclusive one is waiting, so a stream of readers cannot starve a
 * writer. Fencing tokens come from one counter in the segment's header.
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

/* How often a waiter looks again without being woken (a holder that died). */
#define PHP_SAFESHM_LOCK_POLL_MS 20
/* A waiter whose heartbeat is older than this is asleep (stopped, swapped):
 * it keeps its place only while awake, so it cannot block the queue. */
#define PHP_SAFESHM_WAITER_STALE_US 250000u
/* Holders and waiters of one lock, at most: the record stays small. */
#define PHP_SAFESHM_LOCK_MAX_ENTRIES 4096u

#define LSTATE_MAGIC 0x314B4C53u /* "SLK1" */
#define LS_PREV_DIED 1u
#define LE_SHARED 1u
#define LE_WAITER 2u

typedef struct {
	uint32_t magic;
	uint32_t n;      /* entries that follow */
	uint32_t flags;  /* LS_PREV_DIED: an exclusive holder died holding it; told to the next one */
	uint32_t pad;
} lstate_hdr;

typedef struct {
	uint64_t token;      /* holders: the fencing token; waiters: their ticket */
	uint64_t since_us;   /* holders: acquired; waiters: waiting since */
	uint64_t expires_us; /* holders: when the TTL ends (0: never); waiters: last heartbeat */
	uint64_t start;      /* the process's start time, from /proc (0: unknown) */
	uint32_t pid;
	uint32_t flags;      /* LE_SHARED, LE_WAITER */
} lentry;

typedef struct {
	lstate_hdr h;
	lentry *e;
	uint32_t cap;
} lstate;

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

/* ---- the state record ------------------------------------------------ */

static void lstate_free(lstate *ls)
{
	free(ls->e);
	ls->e = NULL;
}

/* Decodes a state record; false when its bytes are not one (damage). */
static bool lstate_decode(lstate *ls, const unsigned char *p, size_t len)
{
	memset(ls, 0, sizeof(*ls));
	if (len < sizeof(lstate_hdr)) {
		return false;
	}
	memcpy(&ls->h, p, sizeof(lstate_hdr));
	if (ls->h.magic != LSTATE_MAGIC || ls->h.n > PHP_SAFESHM_LOCK_MAX_ENTRIES
			|| len != sizeof(lstate_hdr) + (size_t) ls->h.n * sizeof(lentry)) {
		return false;
	}
	ls->cap = ls->h.n + 1u;
	ls->e = malloc(sizeof(lentry) * ls->cap);
	if (!ls->e) {
		return false;
	}
	memcpy(ls->e, p + sizeof(lstate_hdr), (size_t) ls->h.n * sizeof(lentry));
	return true;
}

static lentry *lstate_add(lstate *ls)
{
	if (ls->h.n == ls->cap) {
		lentry *ne = realloc(ls->e, sizeof(lentry) * (ls->cap + 4u));
		if (!ne) {
			return NULL;
		}
		ls->e = ne;
		ls->cap += 4u;
	}
	return &ls->e[ls->h.n++];
}

static void lstate_drop(lstate *ls, uint32_t i)
{
	ls->e[i] = ls->e[--ls->h.n];
}

/* Locked: reads the state of a lock (empty when there is none). */
static safeshm_status lstate_load(php_safeshm_attachment *a, uint8_t ns, const php_safeshm_key *k, lstate *ls)
{
	safeshm_view v;
	safeshm_status st = safeshm_store_find(&a->store, ns, k->ptr, k->len, k->hash, 0, &v);

	if (st == SAFESHM_NOT_FOUND) {
		memset(ls, 0, sizeof(*ls));
		ls->h.magic = LSTATE_MAGIC;
		return SAFESHM_OK;
	}
	if (st != SAFESHM_OK) {
		return st;
	}
	if (v.type != SAFESHM_T_BINARY || !lstate_decode(ls, v.data, v.len)) {
		/* a damaged lock state: start it afresh rather than refuse the lock forever */
		memset(ls, 0, sizeof(*ls));
		ls->h.magic = LSTATE_MAGIC;
	}
	return SAFESHM_OK;
}

/* Locked: writes the state back (deletes the record when nothing is left). */
static safeshm_status lstate_store(php_safeshm_attachment *a, uint8_t ns, const php_safeshm_key *k, lstate *ls)
{
	size_t len = sizeof(lstate_hdr) + (size_t) ls->h.n * sizeof(lentry);
	unsigned char *buf;
	safeshm_put_req q = { .ns = ns, .key = k->ptr, .klen = k->len, .hash = k->hash, .type = SAFESHM_T_BINARY,
		.mode = SAFESHM_PUT_REPLACE };
	safeshm_status st;

	if (ls->h.n == 0 && ls->h.flags == 0) {
		st = safeshm_store_delete(&a->store, ns, k->ptr, k->len, k->hash, php_safeshm_now_us());
		return st == SAFESHM_NOT_FOUND ? SAFESHM_OK : st;
	}
	buf = malloc(len);
	if (!buf) {
		return SAFESHM_NOMEM;
	}
	memcpy(buf, &ls->h, sizeof(lstate_hdr));
	if (ls->h.n) {
		memcpy(buf + sizeof(lstate_hdr), ls->e, (size_t) ls->h.n * sizeof(lentry));
	}
	q.val = buf;
	q.vlen = len;
	st = safeshm_store_put(&a->store, &q, php_safeshm_now_us());
	free(buf);
	return st;
}

/* ---- one attempt ----------------------------------------------------- */

typedef struct {
	uint8_t ns;
	const php_safeshm_key *key;
	bool shared;
	uint64_t ttl_us;      /* 0: no expiry */
	bool queue;           /* register (or refresh) a waiter entry when not granted */
	uint64_t ticket;      /* in/out: this caller's waiter ticket, 0 before it queued */
	uint64_t since_us;    /* in/out: when this caller started waiting */
	/* out */
	bool granted;
	bool died;            /* the previous exclusive holder died holding it */
	bool purged;          /* entries went: others may proceed */
	uint64_t token;
	uint64_t acquired_us;
} lattempt;

/* Locked: purges the dead and expired, then grants the lock or queues. */
static safeshm_status php_safeshm_lock_attempt(php_safeshm_attachment *a, lattempt *t)
{
	lstate ls;
	uint64_t now = php_safeshm_now_us();
	uint32_t me = php_safeshm_getpid();
	bool excl_holder = false, holders = false, excl_waiter_before = false, waiter_before = false;
	int mine = -1;
	safeshm_status st = lstate_load(a, t->ns, t->key, &ls);

	if (st != SAFESHM_OK) {
		return st;
	}
	t->granted = false;
	for (uint32_t i = 0; i < ls.h.n; ) {
		lentry *e = &ls.e[i];
		bool waiter = (e->flags & LE_WAITER) != 0;
		if (!waiter && e->expires_us && e->expires_us <= now) {
			lstate_drop(&ls, i); /* its TTL ran out: gone, but it did not die */
			t->purged = true;
			continue;
		}
		if (!(waiter && e->token == t->ticket && e->pid == me) && !php_safeshm_alive(e->pid, e->start)) {
			if (!waiter && !(e->flags & LE_SHARED)) {
				ls.h.flags |= LS_PREV_DIED;
			}
			lstate_drop(&ls, i);
			t->purged = true;
			continue;
		}
		i++;
	}
	for (uint32_t i = 0; i < ls.h.n; i++) {
		lentry *e = &ls.e[i];
		if (!(e->flags & LE_WAITER)) {
			holders = true;
			excl_holder |= !(e->flags & LE_SHARED);
			continue;
		}
		if (e->token == t->ticket && e->pid == me) {
			mine = (int) i;
			continue;
		}
		/* only a waiter that is awake and came first keeps its place (a new
		 * caller, without a ticket, comes after every waiter) */
		if (now - e->expires_us < PHP_SAFESHM_WAITER_STALE_US
				&& (t->ticket == 0 || e->since_us < t->since_us || (e->since_us == t->since_us && e->token < t->ticket))) {
			waiter_before = true;
			excl_waiter_before |= !(e->flags & LE_SHARED);
		}
	}
	if (t->shared) {
		t->granted = !excl_holder && !excl_waiter_before;
	} else {
		t->granted = !holders && !waiter_before;
	}
	if (t->granted) {
		lentry *e;
		if (mine >= 0) {
			lstate_drop(&ls, (uint32_t) mine);
		}
		if (ls.h.n >= PHP_SAFESHM_LOCK_MAX_ENTRIES || !(e = lstate_add(&ls))) {
			lstate_free(&ls);
			return SAFESHM_FULL;
		}
		t->token = safeshm_store_next_token(&a->store);
		t->died = (ls.h.flags & LS_PREV_DIED) != 0;
		ls.h.flags &= ~LS_PREV_DIED;
		t->acquired_us = now;
		*e = (lentry) { .token = t->token, .since_us = now, .expires_us = t->ttl_us ? now + t->ttl_us : 0,
			.start = php_safeshm_self_start, .pid = me, .flags = t->shared ? LE_SHARED : 0 };
	} else if (t->queue) {
		lentry *e = mine >= 0 ? &ls.e[mine] : NULL;
		if (!e) {
			if (ls.h.n >= PHP_SAFESHM_LOCK_MAX_ENTRIES || !(e = lstate_add(&ls))) {
				lstate_free(&ls);
				return SAFESHM_FULL;
			}
			if (!t->ticket) {
				t->ticket = safeshm_store_next_token(&a->store);
				t->since_us = now;
			}
			*e = (lentry) { .token = t->ticket, .since_us = t->since_us, .start = php_safeshm_self_start, .pid = me,
				.flags = LE_WAITER | (t->shared ? LE_SHARED : 0) };
		}
		e->expires_us = now; /* heartbeat */
	} else if (!t->purged) {
		lstate_free(&ls);
		return SAFESHM_OK; /* nothing changed: no write */
	}
	st = lstate_store(a, t->ns, t->key, &ls);
	lstate_free(&ls);
	if (st != SAFESHM_OK) {
		t->granted = false;
	}
	return st;
}

/* Locked: takes this caller's waiter entry out (it gave up). */
static void php_safeshm_lock_unqueue(php_safeshm_attachment *a, uint8_t ns, const php_safeshm_key *k, uint64_t ticket)
{
	lstate ls;
	if (lstate_load(a, ns, k, &ls) != SAFESHM_OK) {
		return;
	}
	for (uint32_t i = 0; i < ls.h.n; i++) {
		if ((ls.e[i].flags & LE_WAITER) && ls.e[i].token == ticket && ls.e[i].pid == php_safeshm_getpid()) {
			lstate_drop(&ls, i);
			lstate_store(a, ns, k, &ls);
			break;
		}
	}
	lstate_free(&ls);
}

/*
 * Acquires (ns, key) within wait_us (0: try once). Returns SAFESHM_OK with
 * t->granted set either way, or another status with an exception thrown
 * (the store is full, damaged, removed, or its own lock timed out).
 */
static safeshm_status php_safeshm_lock_acquire(php_safeshm_attachment *a, lattempt *t, uint64_t wait_us)
{
	uint64_t deadline = php_safeshm_now_us() + wait_us;
	uint32_t *word = safeshm_store_wait_word(&a->store, t->key->hash);
	safeshm_status st;

	t->queue = wait_us > 0;
	t->ticket = 0;
	t->since_us = 0;
	for (;;) {
		uint32_t seen = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		uint64_t now;
		if (!php_safeshm_lock_or_throw(a)) {
			return SAFESHM_RETRY;
		}
		t->purged = false;
		st = php_safeshm_lock_attempt(a, t);
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
		if (now >= deadline) {
			if (t->ticket && php_safeshm_lock_or_throw(a)) {
				php_safeshm_lock_unqueue(a, t->ns, t->key, t->ticket);
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
 * (false: it expired, and may belong to someone else now). */
static safeshm_status php_safeshm_lock_release(php_safeshm_attachment *a, uint8_t ns, const php_safeshm_key *k, uint64_t token,
	bool *held, bool quiet)
{
	lstate ls;
	safeshm_status st;

	*held = false;
	if (quiet ? !php_safeshm_lock_silent(a) : !php_safeshm_lock_or_throw(a)) {
		return SAFESHM_RETRY;
	}
	st = lstate_load(a, ns, k, &ls);
	if (st == SAFESHM_OK) {
		for (uint32_t i = 0; i < ls.h.n; i++) {
			lentry *e = &ls.e[i];
			if (!(e->flags & LE_WAITER) && e->token == token && e->pid == php_safeshm_getpid()) {
				*held = !e->expires_us || e->expires_us > php_safeshm_now_us();
				lstate_drop(&ls, i);
				st = lstate_store(a, ns, k, &ls);
				break;
			}
		}
		lstate_free(&ls);
	}
	php_safeshm_unlock(a);
	safeshm_wake(safeshm_store_wait_word(&a->store, k->hash));
	return st;
}

/* ---- what a request holds -------------------------------------------- */

/* Every hold of this request, so that its end releases them: fatal errors,
 * exit() and timeouts included (RSHUTDOWN). A SafeShmLock object releases
 * its own when destroyed and leaves the list. (The struct is in
 * safeshm_internal.h.) */

static php_safeshm_hold *php_safeshm_hold_new(php_safeshm_attachment *a, uint8_t ns, zend_string *name, const lattempt *t)
{
	php_safeshm_hold *h = ecalloc(1, sizeof(*h));
	h->att = a;
	a->refcount++;
	h->ns = ns;
	h->name = zend_string_copy(name);
	php_safeshm_key_ns(&h->key, ns, ZSTR_VAL(h->name), ZSTR_LEN(h->name));
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
		php_safeshm_lock_release(h->att, h->ns, &h->key, h->token, &was, quiet);
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
	lattempt t = {0};
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
	php_safeshm_key_ns(&k, SAFESHM_NS_LOCK, ZSTR_VAL(name), ZSTR_LEN(name));
	t.ns = SAFESHM_NS_LOCK;
	t.key = &k;
	t.shared = shared;
	t.ttl_us = ttl_us;
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

/* Whether this object's hold is still in the lock's state, unexpired. */
static bool php_safeshm_lock_still_held(php_safeshm_lock_obj *o)
{
	php_safeshm_copy c;
	lstate ls;
	bool held = false;
	uint64_t now;

	if (!o->hold || o->hold->att->stale) {
		return false;
	}
	if (php_safeshm_read_ns(o->hold->att, o->hold->ns, &o->hold->key, &c, NULL) != SAFESHM_OK) {
		return false;
	}
	now = php_safeshm_now_us();
	if (c.bytes && lstate_decode(&ls, (const unsigned char *) ZSTR_VAL(c.bytes), ZSTR_LEN(c.bytes))) {
		for (uint32_t i = 0; i < ls.h.n; i++) {
			lentry *e = &ls.e[i];
			if (!(e->flags & LE_WAITER) && e->token == o->token && e->pid == php_safeshm_getpid()) {
				held = !e->expires_us || e->expires_us > now;
			}
		}
		lstate_free(&ls);
	}
	if (c.bytes) {
		zend_string_release(c.bytes);
	}
	return held;
}

PHP_METHOD(SafeShmLock, isHeld)
{
	PHP_SAFESHM_LOCK_THIS(o);
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_BOOL(php_safeshm_lock_still_held(o));
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
	lstate ls;
	bool ok = false;
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
	st = lstate_load(o->hold->att, o->hold->ns, &o->hold->key, &ls);
	if (st == SAFESHM_OK) {
		uint64_t now = php_safeshm_now_us();
		for (uint32_t i = 0; i < ls.h.n; i++) {
			lentry *e = &ls.e[i];
			if (!(e->flags & LE_WAITER) && e->token == o->token && e->pid == php_safeshm_getpid()
					&& (!e->expires_us || e->expires_us > now)) {
				e->expires_us = ttl_us ? now + ttl_us : 0;
				st = lstate_store(o->hold->att, o->hold->ns, &o->hold->key, &ls);
				ok = st == SAFESHM_OK;
				break;
			}
		}
		lstate_free(&ls);
	}
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
		uint32_t kl, vl;
		lstate ls;
		memcpy(&kl, b.buf + off, 4);
		memcpy(&vl, b.buf + off + 4, 4);
		if (lstate_decode(&ls, (const unsigned char *) b.buf + off + 8 + kl, vl)) {
			zval entry, pids;
			uint64_t since = UINT64_MAX, expires = 0;
			uint32_t waiters = 0, holders = 0;
			bool shared = false, ttl_all = true;
			array_init(&pids);
			for (uint32_t i = 0; i < ls.h.n; i++) {
				lentry *e = &ls.e[i];
				if (e->flags & LE_WAITER) {
					waiters++;
					continue;
				}
				if (e->expires_us && e->expires_us <= now) {
					continue; /* expired: no longer held */
				}
				holders++;
				shared |= (e->flags & LE_SHARED) != 0;
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
			lstate_free(&ls);
		}
		off += 8u + kl + vl;
	}
	free(b.buf);
}

/* ---- remember()'s in-flight marker ----------------------------------- */

php_safeshm_hold *php_safeshm_flight_acquire(php_safeshm_attachment *a, zend_string *key, uint64_t wait_us, bool *failed)
{
	php_safeshm_key k;
	lattempt t = {0};

	*failed = false;
	php_safeshm_key_ns(&k, SAFESHM_NS_FLIGHT, ZSTR_VAL(key), ZSTR_LEN(key));
	t.ns = SAFESHM_NS_FLIGHT;
	t.key = &k;
	if (php_safeshm_lock_acquire(a, &t, wait_us) != SAFESHM_OK) {
		*failed = true;
		return NULL;
	}
	return t.granted ? php_safeshm_hold_new(a, SAFESHM_NS_FLIGHT, key, &t) : NULL;
}

void php_safeshm_flight_release(php_safeshm_hold *h)
{
	php_safeshm_hold_end(h, true);
}

/* The futex word remember()'s waiters for key sleep on, and its current value. */
uint32_t *php_safeshm_flight_word(php_safeshm_attachment *a, zend_string *key)
{
	return safeshm_store_wait_word(&a->store, safeshm_key_hash(SAFESHM_NS_FLIGHT, ZSTR_VAL(key), ZSTR_LEN(key)));
}
