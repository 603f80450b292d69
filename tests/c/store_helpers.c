/*
 * What the C tests of the store share (store_helpers.h).
 */
#include "store_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *stname(safeshm_status st)
{
	static const char *names[] = {
		"OK", "NOT_FOUND", "EXISTS", "FULL", "CORRUPT", "FOREIGN", "VERSION", "NAME",
		"TOO_SMALL", "NOT_LONG", "OVERFLOW", "NOMEM", "RETRY", "REMOVED",
	};
	return (unsigned) st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

void seg_new(seg *g, size_t size)
{
	g->buf = calloc(1, size);
	if (!g->buf) {
		perror("calloc");
		exit(2);
	}
	g->size = size;
	safeshm_store_bind(&g->s, g->buf, size);
}

void seg_format(seg *g, size_t size, const char *name)
{
	seg_new(g, size);
	CHECK_ST(safeshm_store_open(&g->s, name, name ? strlen(name) : 0), SAFESHM_OK);
}

void seg_copy(seg *dst, const seg *src)
{
	seg_new(dst, src->size);
	memcpy(dst->buf, src->buf, src->size);
}

void seg_free(seg *g)
{
	free(g->buf);
	g->buf = NULL;
}

safeshm_header *hdr(const seg *g)
{
	return (safeshm_header *) g->buf;
}

safeshm_status kput(safeshm_store *s, const char *key, safeshm_type t, const void *v, size_t vlen, safeshm_put_mode mode)
{
	return safeshm_store_put(s, key, strlen(key), safeshm_hash(key, strlen(key)), t, v, vlen, mode);
}

safeshm_status put_str(safeshm_store *s, const char *key, const char *val)
{
	return kput(s, key, SAFESHM_T_STRING, val, strlen(val), SAFESHM_PUT_REPLACE);
}

safeshm_status put_long(safeshm_store *s, const char *key, int64_t v)
{
	return kput(s, key, SAFESHM_T_LONG, &v, sizeof(v), SAFESHM_PUT_REPLACE);
}

safeshm_status kfind(const safeshm_store *s, const char *key, safeshm_view *v)
{
	return safeshm_store_find(s, key, strlen(key), safeshm_hash(key, strlen(key)), v);
}

safeshm_status kdel(safeshm_store *s, const char *key)
{
	return safeshm_store_delete(s, key, strlen(key), safeshm_hash(key, strlen(key)));
}

safeshm_status kincr(safeshm_store *s, const char *key, int64_t by, int64_t *res)
{
	return safeshm_store_increment(s, key, strlen(key), safeshm_hash(key, strlen(key)), by, res);
}

int has_bytes(const safeshm_store *s, const char *key, safeshm_type t, const void *val, size_t len)
{
	safeshm_view v;
	return kfind(s, key, &v) == SAFESHM_OK && v.type == t && v.len == len
		&& (len == 0 || memcmp(v.data, val, len) == 0)
		&& v.key_len == strlen(key) && memcmp(v.key, key, v.key_len) == 0;
}

int has_str(const safeshm_store *s, const char *key, const char *val)
{
	return has_bytes(s, key, SAFESHM_T_STRING, val, strlen(val));
}

int has_long(const safeshm_store *s, const char *key, int64_t want)
{
	return has_bytes(s, key, SAFESHM_T_LONG, &want, sizeof(want));
}

safeshm_stats stats_of(const safeshm_store *s)
{
	safeshm_stats st;
	safeshm_store_stats(s, &st);
	return st;
}

void fill_pattern(unsigned char *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (unsigned char) (seed >> 56);
	}
}

uint64_t rng_state;
uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

uint64_t base_seed(void)
{
	const char *e = getenv("SAFESHM_TEST_SEED");
	return e && *e ? strtoull(e, NULL, 0) : 0x5AFE5EEDull;
}

int count_cb(const safeshm_view *e, void *p)
{
	unsigned sum = 0;
	/* touch every byte the view exposes: ASan sees any that lie outside */
	for (size_t i = 0; i < e->len; i++) {
		sum += e->data[i];
	}
	for (size_t i = 0; i < e->key_len; i++) {
		sum += e->key[i];
	}
	*(unsigned *) p += sum | 1;
	return 0;
}

void make_populated(seg *g, size_t size)
{
	char key[16], val[64];
	double d = 2.5;

	seg_format(g, size, "pop");
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "r%d", i);
		snprintf(val, sizeof(val), "value number %d with some padding", i);
		CHECK_ST(put_str(&g->s, key, val), SAFESHM_OK);
	}
	CHECK_ST(put_long(&g->s, "r4", 44), SAFESHM_OK);
	CHECK_ST(kput(&g->s, "r5", SAFESHM_T_DOUBLE, &d, sizeof(d), SAFESHM_PUT_REPLACE), SAFESHM_OK);
	CHECK_ST(kput(&g->s, "r6", SAFESHM_T_TRUE, NULL, 0, SAFESHM_PUT_REPLACE), SAFESHM_OK);
	CHECK_ST(put_str(&g->s, "gone", "x"), SAFESHM_OK);
	CHECK_ST(safeshm_store_compact(&g->s), SAFESHM_OK);
	CHECK_ST(put_str(&g->s, "r9", "replaced after the compaction"), SAFESHM_OK);
	CHECK_ST(kdel(&g->s, "gone"), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g->s), SAFESHM_OK);
}

int populated_intact(const safeshm_store *s, const char *except)
{
	char key[16], val[64];
	double d = 2.5;
	int ok = 1;

	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "r%d", i);
		if (except && strcmp(key, except) == 0) {
			continue;
		}
		snprintf(val, sizeof(val), "value number %d with some padding", i);
		if (i == 4) {
			ok &= has_long(s, key, 44);
		} else if (i == 5) {
			ok &= has_bytes(s, key, SAFESHM_T_DOUBLE, &d, sizeof(d));
		} else if (i == 6) {
			ok &= has_bytes(s, key, SAFESHM_T_TRUE, NULL, 0);
		} else if (i == 9) {
			ok &= has_str(s, key, "replaced after the compaction");
		} else {
			ok &= has_str(s, key, val);
		}
	}
	return ok;
}

void exercise(safeshm_store *s)
{
	static const char *keys[] = { "a", "b", "counter", "k0", "k1", "k2", "k3", "key-1", "r3", "big" };
	unsigned char val[2048];
	safeshm_stats st;
	safeshm_view v;
	unsigned sum = 0;
	int64_t r;
	int healthy;

	safeshm_store_check_header(s);
	safeshm_store_verify(s);
	safeshm_store_stats(s, &st);
	safeshm_store_needs_recovery(s);
	if (safeshm_store_check_header(s) != SAFESHM_OK) {
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (safeshm_store_find(s, keys[i], strlen(keys[i]), safeshm_hash(keys[i], strlen(keys[i])), &v) == SAFESHM_OK) {
			count_cb(&v, &sum);
		}
	}
	safeshm_store_iterate(s, count_cb, &sum);
	if (safeshm_store_needs_recovery(s)) {
		safeshm_store_recover(s);
	}
	healthy = safeshm_store_verify(s) == SAFESHM_OK;
	fill_pattern(val, sizeof(val), 7);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *k = keys[i];
		size_t kl = strlen(k), vl = (size_t) (rnd_below(4) == 0 ? rnd_below(sizeof(val)) : rnd_below(64));
		uint64_t h = safeshm_hash(k, kl);
		safeshm_store_put(s, k, kl, h, SAFESHM_T_STRING, val, vl, SAFESHM_PUT_REPLACE);
		safeshm_store_increment(s, "counter", 7, safeshm_hash("counter", 7), 1, &r);
		if (i % 3 == 0) {
			safeshm_store_delete(s, k, kl, h);
		}
		if (i == 5) {
			safeshm_store_compact(s);
		}
		if (healthy) {
			CHECKF(safeshm_store_verify(s) == SAFESHM_OK, "a segment verify() accepted was broken by ops on \"%s\"", k);
			healthy = safeshm_store_verify(s) == SAFESHM_OK;
		}
	}
	safeshm_store_iterate(s, count_cb, &sum);
	safeshm_store_stats(s, &st);
	safeshm_store_verify(s);
}
