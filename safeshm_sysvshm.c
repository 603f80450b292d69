/*
 * SafeShm glue: everything about ext/sysvshm. The safeshm_* functions (its
 * API under our names), the same functions under its own names, shm_* and
 * SysvSharedMemory, when safeshm.sysvshm_compat is On and ext/sysvshm is not
 * loaded; a bounds-checked walker over its segment format; and
 * SafeShm::importSysvshm(), which copies a sysvshm segment's variables into a
 * store.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "ext/standard/php_var.h"
#include "zend_exceptions.h"

#include <errno.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "safeshm_internal.h"

/* The compat stub's generated table is also called ext_functions. */
#define ext_functions php_safeshm_compat_functions
#include "safeshm_compat_arginfo.h"
#undef ext_functions

/* ---- ext/sysvshm's segment ------------------------------------------ */

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

int php_safeshm_sysvshm_kind(const void *base, size_t size)
{
	return php_safeshm_sysvshm_walk(base, size, NULL, NULL, NULL);
}

/* ---- SafeShm::importSysvshm() -------------------------------------- */

/* Copies of a foreign segment taken before one is seen unchanged right after. */
#define PHP_SAFESHM_IMPORT_TRIES 8

/*
 * Copies a foreign segment into private memory (copy, size bytes); false
 * when it changed during every try. Old processes may still be writing it,
 * unlocked: every byte is read once, by the copy, and only the copy is
 * validated and used, so a length checked is the length used. A copy is
 * kept only when the segment still holds the same bytes right after it, so
 * it is a state the segment was in (not a mix of two) save for a writer that
 * changed a byte and changed it back meanwhile.
 */
static bool php_safeshm_sysvshm_snapshot(char *copy, const char *base, size_t size)
{
	for (int i = 0; i < PHP_SAFESHM_IMPORT_TRIES; i++) {
		memcpy(copy, base, size);
		if (memcmp(copy, base, size) == 0) {
			return true;
		}
	}
	return false;
}

/* Unserializes every chunk of a validated private copy into vals (chunk key
 * => value). False with an exception thrown when one does not unserialize. */
static bool php_safeshm_sysvshm_values(const char *copy, const zend_long *offs, zend_long n, key_t skey, HashTable *vals)
{
	for (zend_long i = 0; i < n; i++) {
		php_safeshm_sysvshm_chunk c;
		const unsigned char *p, *stop;
		php_unserialize_data_t var_hash;
		zend_string *bytes;
		zval tmp;
		bool ok;

		memcpy(&c, copy + offs[i], sizeof(c));
		/* NUL-terminated on its own: the unserializer's scanner may look one
		 * byte past the end, where the next chunk begins */
		bytes = zend_string_init(copy + offs[i] + sizeof(c), (size_t) c.length, 0);
		p = (const unsigned char *) ZSTR_VAL(bytes);
		stop = p + c.length;
		ZVAL_UNDEF(&tmp);
		PHP_VAR_UNSERIALIZE_INIT(var_hash);
		ok = php_var_unserialize(&tmp, &p, stop, &var_hash);
		PHP_VAR_UNSERIALIZE_DESTROY(var_hash);
		zend_string_release(bytes);
		if (!ok || p != stop || EG(exception)) {
			zval_ptr_dtor(&tmp);
			if (!EG(exception)) {
				zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
					"SafeShm::importSysvshm(): variable " ZEND_LONG_FMT " of key 0x%08x cannot be unserialized; nothing was imported",
					c.key, (unsigned) skey);
			}
			return false;
		}
		zend_hash_index_update(vals, (zend_ulong) c.key, &tmp);
	}
	return true;
}

PHP_METHOD(SafeShm, importSysvshm)
{
	zend_long skey, n = 0, bad = -1;
	const char *base;
	char *copy;
	struct shmid_ds ds;
	zend_long *offs;
	HashTable vals;
	php_safeshm_key *keys = NULL;
	php_safeshm_value *values = NULL;
	uint32_t count = 0;
	safeshm_status st = SAFESHM_OK;
	bool ok;
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
	/* allocated before mapping: memory_limit may bail out here, never with the segment mapped */
	copy = emalloc(ds.shm_segsz);
	base = shmat(shmid, NULL, SHM_RDONLY);
	if (base == (void *) -1) {
		efree(copy);
		zend_throw_exception_ex(php_safeshm_exception_ce, 0, "SafeShm::importSysvshm(): key 0x%08x: %s",
			(unsigned) skey, strerror(errno));
		RETURN_THROWS();
	}
	ok = php_safeshm_sysvshm_snapshot(copy, base, ds.shm_segsz);
	shmdt(base);
	if (!ok) {
		efree(copy);
		zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
			"SafeShm::importSysvshm(): the ext/sysvshm segment of key 0x%08x changed during each of %d reads; "
			"nothing was imported (retry, or stop its writers first)", (unsigned) skey, PHP_SAFESHM_IMPORT_TRIES);
		RETURN_THROWS();
	}

	/* from here on only the private copy is read */
	kind = php_safeshm_sysvshm_walk(copy, ds.shm_segsz, NULL, &n, &bad);
	if (kind <= 0) {
		efree(copy);
		if (kind == 0) {
			zend_throw_exception_ex(php_safeshm_exception_ce, 0,
				"SafeShm::importSysvshm(): key 0x%08x does not hold an ext/sysvshm segment", (unsigned) skey);
		} else if (bad >= 0) {
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
	offs = safe_emalloc((size_t) n + 1, sizeof(zend_long), 0);
	php_safeshm_sysvshm_walk(copy, ds.shm_segsz, offs, &n, NULL); /* the same walk over the same bytes */

	/* User code runs from here (__unserialize, __wakeup, __serialize, and
	 * their warnings' handlers) until every value is encoded. */
	php_safeshm_pin(a);
	zend_hash_init(&vals, (uint32_t) n, NULL, ZVAL_PTR_DTOR, 0);
	ok = php_safeshm_sysvshm_values(copy, offs, n, (key_t) skey, &vals);
	efree(offs);
	efree(copy);
	if (ok) {
		zend_ulong vkey;
		zval *val;

		keys = safe_emalloc(zend_hash_num_elements(&vals), sizeof(*keys), 0);
		values = safe_emalloc(zend_hash_num_elements(&vals), sizeof(*values), 0);
		ZEND_HASH_FOREACH_NUM_KEY_VAL(&vals, vkey, val) {
			php_safeshm_key_init(&keys[count], NULL, (zend_long) vkey, 1);
			if (!php_safeshm_encode(&values[count], val)) {
				ok = false;
				break;
			}
			count++;
		} ZEND_HASH_FOREACH_END();
	}
	if (!php_safeshm_unpin(ZEND_THIS, a)) {
		ok = false;
	}
	/* all or nothing, under one lock hold */
	if (ok && php_safeshm_store_many(a, count, keys, values, 0, &st) && st != SAFESHM_OK) {
		php_safeshm_throw_status(a, st);
	}
	for (uint32_t i = 0; i < count; i++) {
		php_safeshm_value_free(&values[i]);
	}
	if (keys) {
		efree(keys);
		efree(values);
	}
	zend_hash_destroy(&vals); /* may run destructors: a is not used after this */
	if (EG(exception)) {
		RETURN_THROWS();
	}
	RETURN_LONG((zend_long) count);
}

/* ---- sysvshm-compatible functions ----------------------------------- */

/* The object argument of a procedural function; NULL with an error thrown. */
static php_safeshm_attachment *php_safeshm_fn_att(zval *zshm)
{
	return php_safeshm_get(zshm);
}

/*
 * Sizing a segment for shm_attach($key, $size) / safeshm_attach(): code
 * written for ext/sysvshm sizes segments for its data, so the segment is
 * made big enough to hold whatever ext/sysvshm holds in $size bytes. Retune
 * these with the store's layout (shm_store.h); the rest follows.
 *
 * ext/sysvshm (php_sysvshm.h): a 40-byte header; a variable serialized to L
 * bytes takes floor((L + 31) / 8) * 8 + 8 bytes, so at least L + 32 and at
 * least 40: $size - 40 bytes hold at most ($size - 40) / 40 variables, and a
 * replace frees the old value before it writes the new one.
 */
#define PHP_SAFESHM_SYSV_HEAD      40u /* sizeof(sysvshm_chunk_head) */
#define PHP_SAFESHM_SYSV_MIN_CHUNK 40u /* the smallest chunk: a variable's least cost */

/* ext/sysvshm's chunk for a variable serialized to len bytes. */
static uint64_t php_safeshm_sysv_chunk(uint64_t len)
{
	return (len + 31u) / 8u * 8u + 8u;
}

/*
 * At most how many more bytes a variable takes here than its sysvshm chunk:
 * our record's bytes (safeshm_record_bytes(): header, the decimal key of at
 * most 20 bytes, the value) against the chunk of the same value serialized,
 * which is at least 4 bytes ("i:0;") where we store 8 for an int or a float.
 * Both grow with the value's length by steps of 8: one period of lengths
 * tells. (The block a record gets is rounded up from those bytes, by at
 * most a sixteenth: php_safeshm_sysvshm_size() adds that.)
 */
static uint64_t php_safeshm_sysv_var_extra(void)
{
	uint64_t e = 0;

	for (uint64_t len = 4; len < 4 + 64; len++) {
		uint64_t ours = safeshm_record_bytes(20, len < 8 ? 8 : len), theirs = php_safeshm_sysv_chunk(len);
		if (ours > theirs && ours - theirs > e) {
			e = ours - theirs;
		}
	}
	return e;
}

/*
 * The segment size that holds what ext/sysvshm holds in req bytes. With U =
 * req - 40 and E = the extra per variable: a record needs up to E more than
 * its chunk, and a replace needs the new record beside the old one for an
 * instant. Of every set of variables sysvshm holds, the worst replace then
 * needs at most 2U + 2E bytes of records when E <= 40 (each variable's E is
 * paid from the 40 bytes sysvshm spends on it at least, the old copy from the
 * room the others leave), and 2U + 2E + (U - 40)(E - 40) / 40 when E > 40;
 * a sixteenth more, as each record's block is at most 17/16 of its bytes;
 * and an index for the U / 40 variables sysvshm can hold at most. The store
 * says what size that takes (safeshm_store_size_for()).
 */
static size_t php_safeshm_sysvshm_size(uint64_t req)
{
	uint64_t u = req > PHP_SAFESHM_SYSV_HEAD ? req - PHP_SAFESHM_SYSV_HEAD : 0;
	uint64_t e = php_safeshm_sysv_var_extra(), vars = u / PHP_SAFESHM_SYSV_MIN_CHUNK;
	uint64_t records = 2u * u + 2u * e;
	size_t size;

	if (e > PHP_SAFESHM_SYSV_MIN_CHUNK && u > PHP_SAFESHM_SYSV_MIN_CHUNK) {
		records += (u - PHP_SAFESHM_SYSV_MIN_CHUNK) * (e - PHP_SAFESHM_SYSV_MIN_CHUNK) / PHP_SAFESHM_SYSV_MIN_CHUNK;
	}
	records += (records + 15u) / 16u;
	size = safeshm_store_size_for(records, vars + 1u);
	return size < req ? (size_t) req : size;
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
	if ((uint64_t) size > SAFESHM_MAX_SIZE) {
		php_error_docref(NULL, E_WARNING, "Failed for key 0x%x: segment size too large", (unsigned) key);
		RETURN_FALSE;
	}
	/* what fits in ext/sysvshm with this $size fits here (when the segment is created) */
	size = (zend_long) php_safeshm_sysvshm_size((uint64_t) size);
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

	if (!(a = php_safeshm_get_removable(zshm))) {
		RETURN_THROWS();
	}
	if (shmctl(a->shmid, IPC_RMID, NULL) < 0) {
		php_error_docref(NULL, E_WARNING, "Failed for key 0x%x, id %d: %s", (unsigned) a->key, a->shmid, strerror(errno));
		RETURN_FALSE;
	}
	/* as with sysvshm, objects of this process keep working until detached;
	 * other processes get "removed" at their next call (the flag, which this
	 * process's objects skip), new attachments get a new segment */
	a->rmid_kept = true;
	a->rmid_pid = php_safeshm_getpid();
	if (!a->readonly && safeshm_store_check_header(&a->store) == SAFESHM_OK) {
		safeshm_store_mark_removed(&a->store);
	}
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
	if (!php_safeshm_store_value(zshm, a, &k, value, SAFESHM_PUT_REPLACE, &st)) {
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
	php_safeshm_decode(&c, return_value, a->key, true);
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
	st = safeshm_store_delete(&a->store, SAFESHM_NS_DATA, k.ptr, k.len, k.hash, php_safeshm_now_us());
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
const char *php_safeshm_register_compat(void)
{
	if (zend_hash_str_exists(&module_registry, "sysvshm", sizeof("sysvshm") - 1)
			|| zend_hash_str_exists(CG(function_table), "shm_attach", sizeof("shm_attach") - 1)
			|| zend_hash_str_exists(CG(class_table), "sysvsharedmemory", sizeof("sysvsharedmemory") - 1)) {
		zend_error(E_CORE_WARNING, "safeshm.sysvshm_compat is On, but ext/sysvshm is loaded: "
			"SafeShm leaves its shm_* functions alone (disable extension=sysvshm to serve them from SafeShm)");
		return "ext/sysvshm is loaded: its shm_* functions are left alone";
	}
	if (zend_register_functions(NULL, php_safeshm_compat_functions, NULL, MODULE_PERSISTENT) != SUCCESS) {
		return "the shm_* functions could not be registered";
	}
	php_safeshm_sysv_ce = register_class_SysvSharedMemory();
	php_safeshm_sysv_ce->create_object = php_safeshm_sysv_create;
	memcpy(&php_safeshm_sysv_handlers, &php_safeshm_handlers, sizeof(zend_object_handlers));
	php_safeshm_sysv_handlers.get_constructor = php_safeshm_sysv_get_constructor;
	return NULL;
}
