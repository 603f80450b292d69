/*
 * Shared helpers of the C tests of the store: private segments of an exact
 * size (so ASan reports any access past them), a child-process wrapper for
 * tests that hand the store hostile bytes, key/value helpers and a seeded RNG.
 */
#ifndef SAFESHM_TEST_COMMON_H
#define SAFESHM_TEST_COMMON_H

#include "../../shm_store.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static inline const char *stname(safeshm_status st)
{
	static const char *names[] = {
		"OK", "NOT_FOUND", "EXISTS", "FULL", "CORRUPT", "FOREIGN", "VERSION", "NAME",
		"TOO_SMALL", "NOT_LONG", "OVERFLOW", "NOMEM", "RETRY", "REMOVED", "MISMATCH", "FORMATTING",
	};
	return (unsigned) st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

#define CHECK_ST(call, want) do { \
		safeshm_status st_ = (call); \
		CHECKF(st_ == (want), "got %s, want %s", stname(st_), stname(want)); \
	} while (0)

/* ---- segments ------------------------------------------------------- */

typedef struct {
	unsigned char *buf;
	size_t size;
	int shared;
	safeshm_store s;
} seg;

static uint64_t now_us_fake = 1000000; /* the store's clock is the caller's: tests drive it */

static inline void seg_new(seg *g, size_t size)
{
	g->buf = calloc(1, size);
	g->size = size;
	g->shared = 0;
	safeshm_store_bind(&g->s, g->buf, size);
}

/* A segment in memory shared with forked children. */
static inline void seg_new_shared(seg *g, size_t size)
{
	g->buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	g->size = size;
	g->shared = 1;
	safeshm_store_bind(&g->s, g->buf, size);
}

static inline void seg_format(seg *g, size_t size, const char *name)
{
	int formatted;
	seg_new(g, size);
	CHECK_ST(safeshm_store_open(&g->s, name, name ? strlen(name) : 0, 0, NULL, 1, now_us_fake, &formatted), SAFESHM_OK);
	CHECK(formatted == 1);
}

static inline void seg_free(seg *g)
{
	if (g->shared) {
		munmap(g->buf, g->size);
	} else {
		free(g->buf);
	}
	g->buf = NULL;
}

static inline safeshm_header *hdr(const seg *g)
{
	return (safeshm_header *) g->buf;
}

/* ---- keys and values ------------------------------------------------ */

static inline safeshm_status kput_ex(safeshm_store *s, const char *key, safeshm_type t, const void *v, size_t vlen,
	safeshm_put_mode mode, uint64_t expires)
{
	safeshm_put_req q = { .ns = SAFESHM_NS_DATA, .key = key, .klen = strlen(key),
		.hash = safeshm_key_hash(SAFESHM_NS_DATA, key, strlen(key)), .type = t, .val = v, .vlen = vlen,
		.expires = expires, .mode = mode };
	return safeshm_store_put(s, &q, now_us_fake);
}

static inline safeshm_status kput(safeshm_store *s, const char *key, safeshm_type t, const void *v, size_t vlen)
{
	return kput_ex(s, key, t, v, vlen, SAFESHM_PUT_REPLACE, 0);
}

static inline safeshm_status put_str(safeshm_store *s, const char *key, const char *val)
{
	return kput(s, key, SAFESHM_T_STRING, val, strlen(val));
}

static inline safeshm_status put_long(safeshm_store *s, const char *key, int64_t v)
{
	return kput(s, key, SAFESHM_T_LONG, &v, sizeof(v));
}

static inline safeshm_status kfind(const safeshm_store *s, const char *key, safeshm_view *v)
{
	return safeshm_store_find(s, SAFESHM_NS_DATA, key, strlen(key), safeshm_key_hash(SAFESHM_NS_DATA, key, strlen(key)),
		now_us_fake, v);
}

static inline safeshm_status kdel(safeshm_store *s, const char *key)
{
	return safeshm_store_delete(s, SAFESHM_NS_DATA, key, strlen(key), safeshm_key_hash(SAFESHM_NS_DATA, key, strlen(key)),
		now_us_fake);
}

static inline safeshm_status kincr(safeshm_store *s, const char *key, int64_t by, int64_t *res)
{
	return safeshm_store_increment(s, SAFESHM_NS_DATA, key, strlen(key), safeshm_key_hash(SAFESHM_NS_DATA, key, strlen(key)),
		by, 0, now_us_fake, res);
}

static inline int has_bytes(const safeshm_store *s, const char *key, safeshm_type t, const void *val, size_t len)
{
	safeshm_view v;
	if (kfind(s, key, &v) != SAFESHM_OK) {
		return 0;
	}
	return v.type == t && v.len == len && (len == 0 || memcmp(v.data, val, len) == 0) && safeshm_store_view_valid(s, &v);
}

static inline int has_str(const safeshm_store *s, const char *key, const char *val)
{
	return has_bytes(s, key, SAFESHM_T_STRING, val, strlen(val));
}

static inline int has_long(const safeshm_store *s, const char *key, int64_t want)
{
	return has_bytes(s, key, SAFESHM_T_LONG, &want, sizeof(want));
}

static inline safeshm_stats stats_of(const safeshm_store *s)
{
	safeshm_stats st;
	safeshm_store_stats(s, &st);
	return st;
}

static inline void fill_pattern(unsigned char *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (unsigned char) (seed >> 56);
	}
}

static uint64_t rng_state;
static inline uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static inline uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static inline uint64_t base_seed(void)
{
	const char *e = getenv("SAFESHM_TEST_SEED");
	return e ? strtoull(e, NULL, 0) : 0x5AFE5EEDULL;
}

#endif
