/*
 * What the C tests of the store (test_store_*.c) share: segments, short
 * forms of the store calls, value checks, a reproducible random generator,
 * and the populated segment the hostile-input tests start from.
 *
 * The segment is a private calloc'd buffer of the exact size, so that under
 * AddressSanitizer any read or write past the segment is reported. Tests that
 * hand the store hostile bytes or a torn segment run in a forked child
 * (isolated(), check.h): a crash there is counted as one failure and the run
 * goes on.
 *
 * SAFESHM_TEST_SEED=n replays the random parts with another seed.
 */
#ifndef SAFESHM_TEST_STORE_HELPERS_H
#define SAFESHM_TEST_STORE_HELPERS_H

#include "../../shm_store.h"

#include <stddef.h>
#include <stdint.h>

#include "check.h"

const char *stname(safeshm_status st);

#define CHECK_ST(call, want) do { \
		safeshm_status st_ = (call); \
		CHECKF(st_ == (want), "got %s, want %s", stname(st_), stname(want)); \
	} while (0)

/* ---- segments and values -------------------------------------------- */

typedef struct {
	unsigned char *buf;
	size_t size;
	safeshm_store s;
} seg;

void seg_new(seg *g, size_t size);
void seg_format(seg *g, size_t size, const char *name);
/* A fresh exact-size copy of another segment (so that ASan guards its end). */
void seg_copy(seg *dst, const seg *src);
void seg_free(seg *g);
safeshm_header *hdr(const seg *g);

safeshm_status kput(safeshm_store *s, const char *key, safeshm_type t, const void *v, size_t vlen, safeshm_put_mode mode);
safeshm_status put_str(safeshm_store *s, const char *key, const char *val);
safeshm_status put_long(safeshm_store *s, const char *key, int64_t v);
safeshm_status kfind(const safeshm_store *s, const char *key, safeshm_view *v);
safeshm_status kdel(safeshm_store *s, const char *key);
safeshm_status kincr(safeshm_store *s, const char *key, int64_t by, int64_t *res);
int has_bytes(const safeshm_store *s, const char *key, safeshm_type t, const void *val, size_t len);
int has_str(const safeshm_store *s, const char *key, const char *val);
int has_long(const safeshm_store *s, const char *key, int64_t want);
safeshm_stats stats_of(const safeshm_store *s);
void fill_pattern(unsigned char *p, size_t n, uint64_t seed);

/* xorshift64*: reproducible from the printed seed; 0 until a test seeds it */
extern uint64_t rng_state;
uint64_t rnd(void);
uint64_t rnd_below(uint64_t n);
uint64_t base_seed(void);

/* ---- hostile segments ----------------------------------------------- */

/* An iterate() callback that touches every byte a view exposes. */
int count_cb(const safeshm_view *e, void *p);
/* A segment with a bit of everything: types, a deletion, a compaction. */
void make_populated(seg *g, size_t size);
/* Whether make_populated()'s entries are all there, except the key `except`. */
int populated_intact(const safeshm_store *s, const char *except);
/*
 * Calls everything a caller may call on a segment of unknown health.
 * Statuses are free; crashes and out-of-bounds accesses are not. One
 * property is asserted: a segment verify() accepts stays acceptable.
 */
void exercise(safeshm_store *s);

#endif
