/*
 * SafeShm glue: the methods of class SafeShm (declared in safeshm.stub.php).
 * Each parses its arguments, canonicalises the key, then reads through
 * php_safeshm_read(), writes through php_safeshm_store_value(), or runs one
 * store call under the lock; SafeShm::importSysvshm() is in safeshm_sysvshm.c.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "zend_exceptions.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "safeshm_internal.h"

#define PHP_SAFESHM_KEY_ARG(k, s, l, arg) \
	if (!php_safeshm_key_init(&k, s, l, arg)) { RETURN_THROWS(); }

/* Runs a store mutation under the lock and throws on failure. */
#define PHP_SAFESHM_LOCKED_CALL(a, st, call) do { \
		if (!php_safeshm_lock_or_throw(a)) { RETURN_THROWS(); } \
		st = (call); \
		php_safeshm_unlock(a); \
	} while (0)

/* The same for a call that needs the time (now: php_safeshm_now_us(), read
 * just before; it serves the lock's removal check too). */
#define PHP_SAFESHM_LOCKED_CALL_AT(a, now, st, call) do { \
		if (!php_safeshm_lock_or_throw_at(a, now)) { RETURN_THROWS(); } \
		st = (call); \
		php_safeshm_unlock(a); \
	} while (0)

/* Runs an inspection (stats, iterate, verify) under the lock; for a store
 * mapped read-only, which may not take it, lock-free instead, kept only when
 * the store's sequence counter did not move (reset undoes a torn try). */
#define PHP_SAFESHM_INSPECT_CALL(a, st, reset, call) do { \
		if (!(a)->readonly) { \
			PHP_SAFESHM_LOCKED_CALL(a, st, call); \
			break; \
		} \
		uint64_t deadline_ = 0; \
		for (int try_ = 0; ; try_++) { \
			uint64_t seq_; \
			if (try_ >= PHP_SAFESHM_READ_TRIES && !php_safeshm_unlocked_retry(a, try_, &deadline_)) { RETURN_THROWS(); } \
			seq_ = safeshm_store_read_begin(&(a)->store); \
			if (seq_ & 1u) { continue; } \
			reset; \
			st = (call); \
			if (safeshm_store_read_valid(&(a)->store, seq_)) { break; } \
		} \
	} while (0)

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
		zend_argument_value_error(2, "must be 0 (safeshm.default_size) or between %u and %" PRIu64 " bytes (32 GiB - 8)",
			SAFESHM_MIN_SIZE, (uint64_t) SAFESHM_MAX_SIZE);
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


/* put() and add(): the same arguments; add() says whether it stored. */
static void php_safeshm_put_method(INTERNAL_FUNCTION_PARAMETERS, safeshm_put_mode mode)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	zval *value, *zttl = NULL;
	php_safeshm_key k;
	safeshm_status st;
	safeshm_put_req q;
	uint64_t now = 0;

	php_safeshm_put_req_init(&q, mode);
	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
	ZEND_PARSE_PARAMETERS_START(2, 3)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_ZVAL(value)
		Z_PARAM_OPTIONAL
		Z_PARAM_NUMBER(zttl)
	ZEND_PARSE_PARAMETERS_END();

	if (php_safeshm_holds_resource(value)) {
		zend_argument_type_error(2, "cannot be a resource, nor hold one: it would be stored as 0");
		RETURN_THROWS();
	}
	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	if (zttl) {
		/* the TTL's clock reading also stamps the entry: one read, not two */
		now = php_safeshm_now_us();
		if (!php_safeshm_ttl_arg(zttl, 3, now, &q.expires)) {
			RETURN_THROWS();
		}
	}
	PHP_SAFESHM_ATT(a);
	if (!php_safeshm_store_req(ZEND_THIS, a, &k, value, &q, now, &st)) {
		RETURN_THROWS();
	}
	if (st == SAFESHM_EXISTS && mode == SAFESHM_PUT_ADD) {
		RETURN_FALSE;
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	if (mode == SAFESHM_PUT_ADD) {
		RETURN_TRUE;
	}
}

PHP_METHOD(SafeShm, put)
{
	php_safeshm_put_method(INTERNAL_FUNCTION_PARAM_PASSTHRU, SAFESHM_PUT_REPLACE);
}

PHP_METHOD(SafeShm, add)
{
	php_safeshm_put_method(INTERNAL_FUNCTION_PARAM_PASSTHRU, SAFESHM_PUT_ADD);
}

PHP_METHOD(SafeShm, get)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	zval *def = NULL;
	php_safeshm_key k;
	php_safeshm_copy c;
	safeshm_status st;

	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
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
	php_safeshm_decode(&c, return_value, a->key, false);
}

PHP_METHOD(SafeShm, has)
{
	zend_string *skey = NULL;
	zend_long lkey = 0;
	php_safeshm_key k;
	safeshm_status st;

	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
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
	uint64_t now;

	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR_OR_LONG(skey, lkey)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	PHP_SAFESHM_ATT(a);
	now = php_safeshm_now_us();
	PHP_SAFESHM_LOCKED_CALL_AT(a, now, st, safeshm_store_delete(&a->store, SAFESHM_NS_DATA, k.ptr, k.len, k.hash, now));
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
	uint64_t now;
	php_safeshm_key k;
	safeshm_status st;

	PHP_SAFESHM_FLOAT_KEY_CHECK(1);
	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR_OR_LONG(skey, lkey)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG(by)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_KEY_ARG(k, skey, lkey, 1);
	PHP_SAFESHM_ATT(a);
	now = php_safeshm_now_us();
	PHP_SAFESHM_LOCKED_CALL_AT(a, now, st, safeshm_store_increment(&a->store, SAFESHM_NS_DATA, k.ptr, k.len, k.hash,
		(int64_t) by, 0, now, &result));
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
	uint64_t n = 0;
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_INSPECT_CALL(a, st, (void) 0, safeshm_store_count(&a->store, SAFESHM_NS_DATA, php_safeshm_now_us(), &n));
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_LONG((zend_long) n);
}

typedef struct {
	char *buf;      /* key bytes, each preceded by its uint32_t length */
	size_t len, cap;
	const char *prefix;
	size_t plen;
	bool nomem;
} php_safeshm_keybuf;

/* Runs under the lock: plain malloc only, so nothing here can bail out. */
static int php_safeshm_collect_key(const safeshm_view *e, void *ctx)
{
	php_safeshm_keybuf *kb = ctx;
	uint32_t l = (uint32_t) e->key_len;
	if (kb->plen && (e->key_len < kb->plen || memcmp(e->key, kb->prefix, kb->plen) != 0)) {
		return 0;
	}
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

PHP_METHOD(SafeShm, keys)
{
	php_safeshm_keybuf kb = {0};
	safeshm_status st;
	size_t off = 0;
	zend_string *prefix = NULL;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR(prefix)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_ATT(a);
	if (prefix) {
		kb.prefix = ZSTR_VAL(prefix);
		kb.plen = ZSTR_LEN(prefix);
	}
	PHP_SAFESHM_INSPECT_CALL(a, st, (kb.len = 0, kb.nomem = false), safeshm_store_iterate(&a->store, SAFESHM_NS_DATA,
		php_safeshm_now_us(), php_safeshm_collect_key, &kb));
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
	uint64_t n;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	/* the user's keys only: held named locks stay held */
	PHP_SAFESHM_LOCKED_CALL(a, st, safeshm_store_delete_prefix(&a->store, SAFESHM_NS_DATA, "", 0, php_safeshm_now_us(), &n));
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
	}
}

PHP_METHOD(SafeShm, deletePrefix)
{
	safeshm_status st;
	uint64_t n = 0;
	zend_string *prefix;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(prefix)
	ZEND_PARSE_PARAMETERS_END();

	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_LOCKED_CALL(a, st, safeshm_store_delete_prefix(&a->store, SAFESHM_NS_DATA, ZSTR_VAL(prefix), ZSTR_LEN(prefix),
		php_safeshm_now_us(), &n));
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_LONG((zend_long) n);
}

PHP_METHOD(SafeShm, info)
{
	safeshm_stats s;
	safeshm_status st;
	const safeshm_header *h;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	if (!a->readonly) {
		php_safeshm_fold_tallies(a);
	}
	PHP_SAFESHM_INSPECT_CALL(a, st, (void) 0, safeshm_store_stats(&a->store, &s));
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	h = (const safeshm_header *) a->store.base;
	array_init(return_value);
	add_assoc_long(return_value, "size", (zend_long) s.size);
	add_assoc_long(return_value, "used", (zend_long) s.used);
	add_assoc_long(return_value, "free", (zend_long) s.free);
	add_assoc_long(return_value, "entries", (zend_long) s.data_entries);
	add_assoc_long(return_value, "dead", 0); /* layout 3 frees a replaced record at once */
	add_assoc_long(return_value, "compactions", (zend_long) s.compactions);
	add_assoc_long(return_value, "lock_waits", (zend_long) s.lock_waits);
	add_assoc_long(return_value, "lock_timeouts", (zend_long) s.lock_timeouts);
	add_assoc_long(return_value, "recoveries", (zend_long) s.recoveries);
	add_assoc_long(return_value, "writes", (zend_long) s.writes);
	add_assoc_long(return_value, "max_entries", (zend_long) s.max_entries);
	add_assoc_long(return_value, "tombstones", (zend_long) s.tombs);
	add_assoc_long(return_value, "arena_size", (zend_long) s.arena_size);
	add_assoc_long(return_value, "capacity", (zend_long) s.capacity);
	add_assoc_long(return_value, "largest_free", (zend_long) s.largest_free);
	add_assoc_long(return_value, "index_bytes", (zend_long) s.index_bytes);
	add_assoc_long(return_value, "index_slots", (zend_long) s.index_slots);
	/* the records of other namespaces that have an expiry are idle named
	 * locks' (shm_locks.h), reclaimed like expired entries: not the user's */
	add_assoc_long(return_value, "ttl_entries", (zend_long) (s.ttl_entries - safeshm_stats_idle(&s)));
	add_assoc_long(return_value, "expired", (zend_long) s.expired);
	add_assoc_long(return_value, "evicted", (zend_long) s.evicted);
	add_assoc_long(return_value, "hits", (zend_long) s.hits);
	add_assoc_long(return_value, "misses", (zend_long) s.misses);
	add_assoc_long(return_value, "locks", (zend_long) s.lock_states);
	add_assoc_long(return_value, "key", (zend_long) a->key);
	add_assoc_long(return_value, "shmid", (zend_long) a->shmid);
	add_assoc_long(return_value, "semid", (zend_long) a->lock.semid);
	add_assoc_long(return_value, "layout_version", (zend_long) h->version);
	add_assoc_string(return_value, "lock", a->lock.mutex ? "mutex" : "semaphore");
	{
		/* read once and checked here: the header is only validated in full at attach */
		uint32_t name_len = __atomic_load_n(&h->name_len, __ATOMIC_RELAXED);
		if (name_len > SAFESHM_MAX_NAME_LEN) {
			zval_ptr_dtor(return_value);
			ZVAL_UNDEF(return_value);
			php_safeshm_throw_status(a, SAFESHM_CORRUPT);
			RETURN_THROWS();
		}
		if (name_len) {
			add_assoc_stringl(return_value, "name", (const char *) h->name, name_len);
		} else {
			add_assoc_null(return_value, "name");
		}
	}
}

PHP_METHOD(SafeShm, verify)
{
	safeshm_status st;

	ZEND_PARSE_PARAMETERS_NONE();
	PHP_SAFESHM_ATT(a);
	PHP_SAFESHM_INSPECT_CALL(a, st, (void) 0, safeshm_store_verify(&a->store));
	if (st == SAFESHM_CORRUPT) {
		zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0, "SafeShm segment 0x%08x: %s (%s)",
			(unsigned) a->key, safeshm_status_str(st), safeshm_verify_reason);
		RETURN_THROWS();
	}
	if (st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
		RETURN_THROWS();
	}
	RETURN_TRUE;
}

PHP_METHOD(SafeShm, remove)
{
	php_safeshm_attachment *a;

	ZEND_PARSE_PARAMETERS_NONE();
	/* also a store whose header is damaged: removal needs no valid header */
	if (!(a = php_safeshm_get_removable(ZEND_THIS))) {
		RETURN_THROWS();
	}
	if (!php_safeshm_remove_segment(a)) {
		int err = errno;
		zend_throw_exception_ex(php_safeshm_exception_ce, 0, "SafeShm segment 0x%08x: cannot remove: %s%s; the store is unchanged",
			(unsigned) a->key, strerror(err),
			err == EPERM ? " (only its owner, its creator or root may remove it)" : "");
	}
}

/* The key of a name or an int key argument; false with a ValueError thrown. */
static bool php_safeshm_store_key(zend_string *name, zend_long ikey, uint32_t arg, key_t *key)
{
	if (name) {
		if (ZSTR_LEN(name) == 0 || ZSTR_LEN(name) > SAFESHM_MAX_NAME_LEN) {
			zend_argument_value_error(arg, "must be a name of 1 to %u bytes", SAFESHM_MAX_NAME_LEN);
			return false;
		}
		*key = php_safeshm_name_key(ZSTR_VAL(name), ZSTR_LEN(name));
		return true;
	}
	if (ikey == 0 || ikey < INT32_MIN || ikey > INT32_MAX) {
		zend_argument_value_error(arg, "must be a non-zero System V IPC key (a 32-bit integer)");
		return false;
	}
	*key = (key_t) ikey;
	return true;
}

PHP_METHOD(SafeShm, open)
{
	zend_string *name = NULL;
	zend_long ikey = 0;
	key_t key;
	php_safeshm_attachment *a;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR_OR_LONG(name, ikey)
	ZEND_PARSE_PARAMETERS_END();

	if (!php_safeshm_store_key(name, ikey, 1, &key)) {
		RETURN_THROWS();
	}
	/* size -1: attach only what exists */
	a = php_safeshm_attach(key, name ? ZSTR_VAL(name) : NULL, name ? ZSTR_LEN(name) : 0, -1, 0, false);
	if (!a) {
		if (EG(exception)) {
			RETURN_THROWS();
		}
		RETURN_NULL();
	}
	object_init_ex(return_value, php_safeshm_ce);
	Z_SAFESHM_P(return_value)->att = a;
}

/* One line of /proc/sysvipc/shm: the fields list() needs. */
typedef struct {
	long long key, shmid, size, nattch;
	unsigned long long uid, mode;
} php_safeshm_ipc_line;

static bool php_safeshm_parse_ipc_line(const char *line, php_safeshm_ipc_line *l)
{
	long long cpid, lpid, gid, cuid, cgid;
	/* key shmid perms size cpid lpid nattch uid gid cuid cgid ... */
	return sscanf(line, "%lld %lld %llo %lld %lld %lld %lld %llu %lld %lld %lld",
		&l->key, &l->shmid, &l->mode, &l->size, &cpid, &lpid, &l->nattch, &l->uid, &gid, &cuid, &cgid) == 11;
}

PHP_METHOD(SafeShm, list)
{
	FILE *f;
	char line[512];

	ZEND_PARSE_PARAMETERS_NONE();
	array_init(return_value);
	f = fopen("/proc/sysvipc/shm", "r");
	if (!f) {
		return; /* not Linux, or /proc hidden: nothing to list */
	}
	while (fgets(line, sizeof(line), f)) {
		php_safeshm_ipc_line l;
		const safeshm_header *h;
		void *base;
		zval entry;
		uint32_t magic, version, name_len;
		char name[SAFESHM_MAX_NAME_LEN];

		if (!php_safeshm_parse_ipc_line(line, &l) || l.key == 0 || l.size < (long long) SAFESHM_MIN_SIZE) {
			continue;
		}
		/* a read-only look at the header; nothing is created or written */
		base = shmat((int) l.shmid, NULL, SHM_RDONLY);
		if (base == (void *) -1) {
			continue; /* no read permission, or gone meanwhile */
		}
		h = base;
		magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);
		version = h->version;
		name_len = h->name_len;
		if (name_len <= SAFESHM_MAX_NAME_LEN) {
			memcpy(name, h->name, name_len);
		}
		shmdt(base);
		if (magic != SAFESHM_MAGIC) {
			continue;
		}
		array_init(&entry);
		add_assoc_long(&entry, "key", (zend_long) (int32_t) l.key);
		add_assoc_long(&entry, "shmid", (zend_long) l.shmid);
		add_assoc_long(&entry, "size", (zend_long) l.size);
		if (version == SAFESHM_LAYOUT_VERSION && name_len > 0 && name_len <= SAFESHM_MAX_NAME_LEN) {
			add_assoc_stringl(&entry, "name", name, name_len);
		} else {
			add_assoc_null(&entry, "name");
		}
		add_assoc_long(&entry, "layout_version", (zend_long) version);
		add_assoc_long(&entry, "attached", (zend_long) l.nattch);
		add_assoc_long(&entry, "uid", (zend_long) l.uid);
		add_assoc_long(&entry, "mode", (zend_long) (l.mode & 0777));
		add_assoc_bool(&entry, "writable", shmget((key_t) l.key, 0, SHM_R | SHM_W) == (int) l.shmid);
		add_next_index_zval(return_value, &entry);
	}
	fclose(f);
}
