/*
 * SafeShm glue: keys and values. A key is canonicalised as PHP arrays do
 * (an int and its decimal string are one key); a value is encoded before the
 * lock is taken (scalars as themselves, everything else serialized), its
 * bytes are copied out under the lock, and decoded after it is released,
 * because unserialize may run user code. Nothing here takes the lock.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "ext/standard/php_var.h"
#include "ext/standard/basic_functions.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"

#include "safeshm_internal.h"

/* int keys and canonical numeric strings are one key, as in PHP arrays:
 * both are stored as the decimal string. */
bool php_safeshm_key_init(php_safeshm_key *k, zend_string *s, zend_long l, uint32_t arg)
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
		/* PHP's hash of the string, cached in it (a literal key: computed at compile time) */
		k->hash = safeshm_key_hash_mix(SAFESHM_NS_DATA, zend_string_hash_val(s));
		return true;
	} else {
		char *end = k->buf + sizeof(k->buf) - 1;
		char *p = zend_print_long_to_buf(end, l);
		k->ptr = p;
		k->len = (size_t) (end - p);
	}
	k->hash = safeshm_key_hash(SAFESHM_NS_DATA, k->ptr, k->len);
	return true;
}

void php_safeshm_key_ns(php_safeshm_key *k, uint8_t ns, const char *ptr, size_t len)
{
	k->ptr = ptr;
	k->len = len;
	k->hash = safeshm_key_hash(ns, ptr, len);
}

void php_safeshm_key_ns_str(php_safeshm_key *k, uint8_t ns, zend_string *s)
{
	k->ptr = ZSTR_VAL(s);
	k->len = ZSTR_LEN(s);
	/* PHP's hash of the string, cached in it: the same as safeshm_hash() */
	k->hash = safeshm_key_hash_mix(ns, zend_string_hash_val(s));
}

bool php_safeshm_key_zval(php_safeshm_key *k, zval *zk, uint32_t arg)
{
	ZVAL_DEREF(zk);
	switch (Z_TYPE_P(zk)) {
		case IS_LONG:
			return php_safeshm_key_init(k, NULL, Z_LVAL_P(zk), arg);
		case IS_STRING:
			/* "7" is stored as 7 is: as the decimal string */
			return php_safeshm_key_init(k, Z_STR_P(zk), 0, arg);
		default:
			zend_argument_type_error(arg, "must contain only int or string keys, %s given", zend_zval_type_name(zk));
			return false;
	}
}

/*
 * A float key, before the arguments are parsed: PHP would truncate 1.5 to 1
 * (with E_DEPRECATED) for an int|string parameter, so 1.2 and 1.7 would be
 * the same entry, silently. A float with a fractional part, or one no int
 * can hold (INF, NAN, 1e20), is refused with a TypeError, as strict_types
 * refuses every float; an integral one (2.0) is the int key (2), as an
 * array offset. Returns false with the error thrown.
 */
bool php_safeshm_float_key_ok(zend_execute_data *execute_data, uint32_t arg)
{
	zval *z;
	double d;

	if (ZEND_CALL_NUM_ARGS(execute_data) < arg) {
		return true;
	}
	z = ZEND_CALL_ARG(execute_data, arg);
	ZVAL_DEREF(z);
	if (Z_TYPE_P(z) != IS_DOUBLE || ZEND_ARG_USES_STRICT_TYPES()) {
		return true; /* strict mode: the parser refuses every float */
	}
	d = Z_DVAL_P(z);
	if (zend_finite(d) && ZEND_DOUBLE_FITS_LONG(d) && (double) zend_dval_to_lval(d) == d) {
		return true;
	}
	zend_argument_type_error(arg, "must be of type string|int, float %.*H given: it has no exact int value "
		"(cast it, or pass a string, to choose the key)", -1, d);
	return false;
}

/* Whether a value is a resource, or an array holding one at any depth:
 * serialize() stores a resource as the int 0, so get() could not return it. */
bool php_safeshm_holds_resource(zval *value)
{
	zval *v;
	bool found = false;

	ZVAL_DEREF(value);
	if (Z_TYPE_P(value) == IS_RESOURCE) {
		return true;
	}
	if (Z_TYPE_P(value) != IS_ARRAY) {
		return false;
	}
	if (!(GC_FLAGS(Z_ARRVAL_P(value)) & GC_IMMUTABLE)) {
		if (GC_IS_RECURSIVE(Z_ARRVAL_P(value))) {
			return false; /* met on this path already */
		}
		GC_PROTECT_RECURSION(Z_ARRVAL_P(value));
	}
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(value), v) {
		if (php_safeshm_holds_resource(v)) {
			found = true;
			break;
		}
	} ZEND_HASH_FOREACH_END();
	if (!(GC_FLAGS(Z_ARRVAL_P(value)) & GC_IMMUTABLE)) {
		GC_UNPROTECT_RECURSION(Z_ARRVAL_P(value));
	}
	return found;
}

/* Encodes a PHP value before the lock is taken; false with an exception
 * when it cannot be serialized (nothing is stored then). */
bool php_safeshm_encode(php_safeshm_value *v, zval *value)
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
		case IS_ARRAY: {
			int r = php_safeshm_native_encode(&v->buf, value);
			if (r > 0) {
				v->type = SAFESHM_T_NATIVE;
				v->data = ZSTR_VAL(v->buf.s);
				v->len = ZSTR_LEN(v->buf.s);
				return true;
			}
			if (r < 0) {
				zend_type_error("SafeShm cannot store a resource (found inside the array): a resource is valid in one process only");
				return false;
			}
		}
		ZEND_FALLTHROUGH;
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

void php_safeshm_value_free(php_safeshm_value *v)
{
	smart_str_free(&v->buf);
}

/* Copies the view. Returns false when the bytes do not fit in memory_limit:
 * where PHP has delayed out-of-memory errors (ZEND_HAS_OOM) the allocation is
 * fallible and PHP raises the error at its next safe point, as for core
 * functions; elsewhere the allocation may bail out, so under the lock this
 * runs inside zend_try. */
bool php_safeshm_copy_view(php_safeshm_copy *c, const safeshm_view *v)
{
	c->type = v->type;
	c->bytes = NULL;
	switch (v->type) {
		case SAFESHM_T_LONG:
			/* one atomic load: increment() updates it in place */
			c->num.l = (zend_long) safeshm_store_view_long(v);
			break;
		case SAFESHM_T_DOUBLE:
			memcpy(&c->num.d, v->data, sizeof(double));
			break;
		case SAFESHM_T_STRING:
		case SAFESHM_T_SERIALIZED:
		case SAFESHM_T_NATIVE:
		case SAFESHM_T_BINARY:
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
void php_safeshm_decode(php_safeshm_copy *c, zval *rv, key_t key, bool proc)
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
						"SafeShm segment 0x%08x: a stored value cannot be unserialized", (unsigned) key);
				}
			}
			return;
		}
		case SAFESHM_T_NATIVE: {
			bool ok = php_safeshm_native_decode((const unsigned char *) ZSTR_VAL(c->bytes), ZSTR_LEN(c->bytes), rv);
			zend_string_release(c->bytes);
			if (!ok) {
				ZVAL_UNDEF(rv);
				if (proc) {
					php_error_docref(NULL, E_WARNING, "Variable data in shared memory is corrupted");
					ZVAL_FALSE(rv);
				} else {
					zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
						"SafeShm segment 0x%08x: a stored value cannot be decoded", (unsigned) key);
				}
			}
			return;
		}
		default:
			/* not a value type of the data namespace */
			if (c->bytes) {
				zend_string_release(c->bytes);
			}
			ZVAL_UNDEF(rv);
			zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
				"SafeShm segment 0x%08x: a stored value has an unknown type", (unsigned) key);
			return;
	}
}

/* Whether key bytes are a canonical integer, as a PHP array would see them. */
bool php_safeshm_numeric_key(const char *key, uint32_t len, zend_ulong *idx)
{
	char buf[MAX_LENGTH_OF_LONG + 1];
	if (len == 0 || len > MAX_LENGTH_OF_LONG) {
		return false;
	}
	memcpy(buf, key, len);
	buf[len] = '\0';
	return ZEND_HANDLE_NUMERIC_STR(buf, len, *idx);
}
