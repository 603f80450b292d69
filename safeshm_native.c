/*
 * SafeShm glue: the native encoding of arrays. An array of scalars, strings
 * and arrays (no objects, no PHP references) is stored as a compact binary
 * form that decodes straight into a HashTable: no text to parse, no
 * back-reference table, several times faster than unserialize(). Anything
 * else (objects, references, recursion, very deep nesting) is left to
 * serialize(). The bytes come from shared memory, so the decoder checks
 * every tag, length and count against the end of the buffer and bounds the
 * nesting: damaged bytes are a clean failure, never a read past the end.
 *
 * Format (little-endian): 'N', version 1, then one value:
 *   0x00 null   0x01 false   0x02 true
 *   0x03 int      8 bytes
 *   0x04 float    8 bytes (IEEE 754, bit for bit)
 *   0x05 string   u32 length, bytes
 *   0x08 string   u8 length, bytes (shorter than 256)
 *   0x06 list     u32 count, then count values (keys 0 .. count-1)
 *   0x07 map      u32 count, then count (key, value); a key is
 *                 0x10 int key (8 bytes) or 0x11 string key (u32 length, bytes)
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "zend_smart_str.h"

#include "safeshm_internal.h"

#define NAT_MAGIC   'N'
#define NAT_VERSION 1
#define NAT_NULL    0x00
#define NAT_FALSE   0x01
#define NAT_TRUE    0x02
#define NAT_LONG    0x03
#define NAT_DOUBLE  0x04
#define NAT_STRING  0x05
#define NAT_LIST    0x06
#define NAT_MAP     0x07
#define NAT_SSTRING 0x08
#define NAT_KEY_INT 0x10
#define NAT_KEY_STR 0x11

/* Deeper arrays go to serialize(), whose own limit (unserialize_max_depth) applies. */
#define NAT_MAX_DEPTH 64

static zend_always_inline void nat_u8(smart_str *b, unsigned char c)
{
	smart_str_appendc(b, (char) c);
}

static zend_always_inline void nat_u32(smart_str *b, uint32_t v)
{
	smart_str_appendl(b, (const char *) &v, 4);
}

static zend_always_inline void nat_str(smart_str *b, const zend_string *s)
{
	if (ZSTR_LEN(s) < 256) {
		nat_u8(b, NAT_SSTRING);
		nat_u8(b, (unsigned char) ZSTR_LEN(s));
	} else {
		nat_u8(b, NAT_STRING);
		nat_u32(b, (uint32_t) ZSTR_LEN(s));
	}
	smart_str_appendl(b, ZSTR_VAL(s), ZSTR_LEN(s));
}

/* 1: encoded; 0: not for this encoding (serialize it); -1: a resource (refused). */
static int nat_encode(smart_str *b, zval *v, int depth)
{
	switch (Z_TYPE_P(v)) {
		case IS_NULL: nat_u8(b, NAT_NULL); return 1;
		case IS_FALSE: nat_u8(b, NAT_FALSE); return 1;
		case IS_TRUE: nat_u8(b, NAT_TRUE); return 1;
		case IS_LONG: {
			int64_t l = (int64_t) Z_LVAL_P(v);
			nat_u8(b, NAT_LONG);
			smart_str_appendl(b, (const char *) &l, 8);
			return 1;
		}
		case IS_DOUBLE: {
			double d = Z_DVAL_P(v);
			nat_u8(b, NAT_DOUBLE);
			smart_str_appendl(b, (const char *) &d, 8);
			return 1;
		}
		case IS_STRING:
			nat_str(b, Z_STR_P(v));
			return 1;
		case IS_RESOURCE:
			return -1;
		case IS_ARRAY: {
			HashTable *ht = Z_ARRVAL_P(v);
			zend_string *sk;
			zend_ulong ik;
			zval *e;
			bool list = zend_array_is_list(ht);
			if (depth >= NAT_MAX_DEPTH) {
				return 0;
			}
			nat_u8(b, list ? NAT_LIST : NAT_MAP);
			nat_u32(b, zend_hash_num_elements(ht));
			ZEND_HASH_FOREACH_KEY_VAL(ht, ik, sk, e) {
				int r;
				if (Z_TYPE_P(e) == IS_REFERENCE) {
					/* a reference set would be lost: serialize() keeps it */
					if (Z_REFCOUNT_P(e) > 1) {
						return 0;
					}
					e = Z_REFVAL_P(e);
				}
				if (!list) {
					if (sk) {
						nat_u8(b, NAT_KEY_STR);
						nat_u32(b, (uint32_t) ZSTR_LEN(sk));
						smart_str_appendl(b, ZSTR_VAL(sk), ZSTR_LEN(sk));
					} else {
						int64_t l = (int64_t) ik;
						nat_u8(b, NAT_KEY_INT);
						smart_str_appendl(b, (const char *) &l, 8);
					}
				}
				r = nat_encode(b, e, depth + 1);
				if (r <= 0) {
					return r;
				}
			} ZEND_HASH_FOREACH_END();
			return 1;
		}
		default:
			return 0; /* objects (and anything else): serialize() */
	}
}

int php_safeshm_native_encode(smart_str *buf, zval *value)
{
	int r;
	nat_u8(buf, NAT_MAGIC);
	nat_u8(buf, NAT_VERSION);
	r = nat_encode(buf, value, 0);
	if (r <= 0) {
		smart_str_free(buf);
		memset(buf, 0, sizeof(*buf));
	} else {
		smart_str_0(buf);
	}
	return r;
}

/* ---- decoding --------------------------------------------------------- */

typedef struct {
	const unsigned char *p, *end;
} nat_in;

static zend_always_inline bool nat_take(nat_in *in, size_t n, const unsigned char **at)
{
	if ((size_t) (in->end - in->p) < n) {
		return false;
	}
	*at = in->p;
	in->p += n;
	return true;
}

static bool nat_get_u32(nat_in *in, uint32_t *v)
{
	const unsigned char *at;
	if (!nat_take(in, 4, &at)) {
		return false;
	}
	memcpy(v, at, 4);
	return true;
}

static bool nat_decode(nat_in *in, zval *rv, int depth)
{
	const unsigned char *at;
	uint32_t n;

	if (!nat_take(in, 1, &at)) {
		return false;
	}
	switch (*at) {
		case NAT_NULL: ZVAL_NULL(rv); return true;
		case NAT_FALSE: ZVAL_FALSE(rv); return true;
		case NAT_TRUE: ZVAL_TRUE(rv); return true;
		case NAT_LONG: {
			int64_t l;
			if (!nat_take(in, 8, &at)) {
				return false;
			}
			memcpy(&l, at, 8);
			ZVAL_LONG(rv, (zend_long) l);
			return true;
		}
		case NAT_DOUBLE: {
			double d;
			if (!nat_take(in, 8, &at)) {
				return false;
			}
			memcpy(&d, at, 8);
			ZVAL_DOUBLE(rv, d);
			return true;
		}
		case NAT_SSTRING:
			if (!nat_take(in, 1, &at)) {
				return false;
			}
			n = *at;
			goto string;
		case NAT_STRING:
			if (!nat_get_u32(in, &n)) {
				return false;
			}
		string:
			if (!nat_take(in, n, &at)) {
				return false;
			}
			if (n == 0) {
				ZVAL_EMPTY_STRING(rv);
			} else if (n == 1) {
				ZVAL_CHAR(rv, *at);
			} else {
				ZVAL_STRINGL_FAST(rv, (const char *) at, n);
			}
			return true;
		case NAT_LIST:
		case NAT_MAP: {
			bool list = *at == NAT_LIST;
			HashTable *ht;
			if (depth >= NAT_MAX_DEPTH || !nat_get_u32(in, &n)) {
				return false;
			}
			/* every element takes at least one byte (two in a map): a count
			 * the bytes cannot hold is damage, not an allocation to make */
			if (n > (size_t) (in->end - in->p) / (list ? 1u : 2u)) {
				return false;
			}
			array_init_size(rv, n);
			ht = Z_ARRVAL_P(rv);
			if (list) {
				zend_hash_real_init_packed(ht);
			}
			for (uint32_t i = 0; i < n; i++) {
				zval v;
				if (list) {
					if (!nat_decode(in, &v, depth + 1)) {
						goto bad;
					}
					zend_hash_next_index_insert_new(ht, &v);
					continue;
				}
				if (!nat_take(in, 1, &at)) {
					goto bad;
				}
				if (*at == NAT_KEY_INT) {
					int64_t l;
					if (!nat_take(in, 8, &at)) {
						goto bad;
					}
					memcpy(&l, at, 8);
					if (!nat_decode(in, &v, depth + 1)) {
						goto bad;
					}
					zend_hash_index_update(ht, (zend_ulong) l, &v);
				} else if (*at == NAT_KEY_STR) {
					uint32_t kl;
					const unsigned char *k;
					if (!nat_get_u32(in, &kl) || !nat_take(in, kl, &k) || !nat_decode(in, &v, depth + 1)) {
						goto bad;
					}
					/* a numeric string key is the int key, as PHP arrays have it */
					zend_symtable_str_update(ht, (const char *) k, kl, &v);
				} else {
					goto bad;
				}
			}
			return true;
		bad:
			zval_ptr_dtor(rv);
			ZVAL_UNDEF(rv);
			return false;
		}
		default:
			return false;
	}
}

bool php_safeshm_native_decode(const unsigned char *p, size_t len, zval *rv)
{
	nat_in in = { p, p + len };

	if (len < 3 || p[0] != NAT_MAGIC || p[1] != NAT_VERSION) {
		return false;
	}
	in.p += 2;
	if (!nat_decode(&in, rv, 0)) {
		return false;
	}
	if (in.p != in.end) {
		zval_ptr_dtor(rv);
		ZVAL_UNDEF(rv);
		return false; /* trailing bytes: not what was written */
	}
	return true;
}
