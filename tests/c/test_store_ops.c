/*
 * C tests of the store (shm_store.c): the operations on a healthy segment
 * (put, add, find, delete, increment, every value type), space (a rewrite
 * never grows, a full store keeps the old value, fragmentation and
 * compaction, a full index), clear, iterate, and the 32-bit record total.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "store_helpers.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- basic operations ----------------------------------------------- */

#define OK_VERIFIED(call) do { CHECK_ST(call, SAFESHM_OK); CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK); } while (0)

static void test_basic_ops(void)
{
	seg g;
	safeshm_view v;
	int64_t r = 0;
	double d = 3.25;
	unsigned char *snap;
	uint64_t seq, writes;

	test_name = "basic_ops";
	seg_format(&g, 8192, "t");
	snap = malloc(g.size);

	CHECK_ST(kfind(&g.s, "alpha", &v), SAFESHM_NOT_FOUND);
	OK_VERIFIED(put_str(&g.s, "alpha", "one"));
	CHECK(has_str(&g.s, "alpha", "one"));
	OK_VERIFIED(put_str(&g.s, "alpha", "two"));
	CHECK(has_str(&g.s, "alpha", "two"));
	CHECK(stats_of(&g.s).entries == 1);

	/* add(): refused when present, nothing written */
	memcpy(snap, g.buf, g.size);
	CHECK_ST(kput(&g.s, "alpha", SAFESHM_T_STRING, "three", 5, SAFESHM_PUT_ADD), SAFESHM_EXISTS);
	CHECK(memcmp(snap, g.buf, g.size) == 0);
	CHECK(has_str(&g.s, "alpha", "two"));
	OK_VERIFIED(kput(&g.s, "beta", SAFESHM_T_STRING, "b", 1, SAFESHM_PUT_ADD));
	CHECK(has_str(&g.s, "beta", "b"));

	OK_VERIFIED(kdel(&g.s, "alpha"));
	CHECK_ST(kfind(&g.s, "alpha", &v), SAFESHM_NOT_FOUND);
	memcpy(snap, g.buf, g.size);
	CHECK_ST(kdel(&g.s, "alpha"), SAFESHM_NOT_FOUND);
	CHECK(memcmp(snap, g.buf, g.size) == 0);
	CHECK(stats_of(&g.s).entries == 1);
	CHECK(has_str(&g.s, "beta", "b"));
	OK_VERIFIED(kput(&g.s, "alpha", SAFESHM_T_STRING, "again", 5, SAFESHM_PUT_ADD));
	CHECK(has_str(&g.s, "alpha", "again"));

	/* every type round-trips with its tag */
	OK_VERIFIED(put_long(&g.s, "long", -5));
	CHECK(has_long(&g.s, "long", -5));
	OK_VERIFIED(kput(&g.s, "double", SAFESHM_T_DOUBLE, &d, sizeof(d), SAFESHM_PUT_REPLACE));
	CHECK(has_bytes(&g.s, "double", SAFESHM_T_DOUBLE, &d, sizeof(d)));
	OK_VERIFIED(kput(&g.s, "true", SAFESHM_T_TRUE, NULL, 0, SAFESHM_PUT_REPLACE));
	OK_VERIFIED(kput(&g.s, "false", SAFESHM_T_FALSE, NULL, 0, SAFESHM_PUT_REPLACE));
	OK_VERIFIED(kput(&g.s, "null", SAFESHM_T_NULL, NULL, 0, SAFESHM_PUT_REPLACE));
	CHECK(has_bytes(&g.s, "true", SAFESHM_T_TRUE, NULL, 0));
	CHECK(has_bytes(&g.s, "false", SAFESHM_T_FALSE, NULL, 0));
	CHECK(has_bytes(&g.s, "null", SAFESHM_T_NULL, NULL, 0));
	OK_VERIFIED(kput(&g.s, "ser", SAFESHM_T_SERIALIZED, "a:0:{}", 6, SAFESHM_PUT_REPLACE));
	CHECK(has_bytes(&g.s, "ser", SAFESHM_T_SERIALIZED, "a:0:{}", 6));
	OK_VERIFIED(put_str(&g.s, "empty", ""));
	CHECK(has_str(&g.s, "empty", ""));
	/* a type change on replace */
	OK_VERIFIED(put_str(&g.s, "long", "now a string"));
	CHECK(has_str(&g.s, "long", "now a string"));

	/* keys are binary-safe and length-limited */
	OK_VERIFIED(safeshm_store_put(&g.s, "a\0b", 3, safeshm_hash("a\0b", 3), SAFESHM_T_STRING, "1", 1, SAFESHM_PUT_REPLACE));
	OK_VERIFIED(safeshm_store_put(&g.s, "a\0c", 3, safeshm_hash("a\0c", 3), SAFESHM_T_STRING, "2", 1, SAFESHM_PUT_REPLACE));
	CHECK(safeshm_store_find(&g.s, "a\0b", 3, safeshm_hash("a\0b", 3), &v) == SAFESHM_OK && v.len == 1 && v.data[0] == '1');
	CHECK(safeshm_store_find(&g.s, "a\0c", 3, safeshm_hash("a\0c", 3), &v) == SAFESHM_OK && v.len == 1 && v.data[0] == '2');
	CHECK_ST(kfind(&g.s, "a", &v), SAFESHM_NOT_FOUND);
	{
		char big[SAFESHM_MAX_KEY_LEN + 1];
		uint64_t n0 = stats_of(&g.s).entries;
		memset(big, 'K', sizeof(big));
		OK_VERIFIED(safeshm_store_put(&g.s, big, SAFESHM_MAX_KEY_LEN, safeshm_hash(big, SAFESHM_MAX_KEY_LEN),
			SAFESHM_T_STRING, "v", 1, SAFESHM_PUT_REPLACE));
		CHECK(safeshm_store_find(&g.s, big, SAFESHM_MAX_KEY_LEN, safeshm_hash(big, SAFESHM_MAX_KEY_LEN), &v) == SAFESHM_OK);
		CHECK(safeshm_store_put(&g.s, big, SAFESHM_MAX_KEY_LEN + 1, safeshm_hash(big, SAFESHM_MAX_KEY_LEN + 1),
			SAFESHM_T_STRING, "v", 1, SAFESHM_PUT_REPLACE) != SAFESHM_OK);
		CHECK(safeshm_store_put(&g.s, "", 0, safeshm_hash("", 0), SAFESHM_T_STRING, "v", 1, SAFESHM_PUT_REPLACE) != SAFESHM_OK);
		CHECK(stats_of(&g.s).entries == n0 + 1);
		OK_VERIFIED(safeshm_store_delete(&g.s, big, SAFESHM_MAX_KEY_LEN, safeshm_hash(big, SAFESHM_MAX_KEY_LEN)));
	}

	/* increment: a missing key counts from 0 */
	OK_VERIFIED(kincr(&g.s, "ctr", 5, &r));
	CHECK(r == 5 && has_long(&g.s, "ctr", 5));
	OK_VERIFIED(kincr(&g.s, "ctr", -7, &r));
	CHECK(r == -2 && has_long(&g.s, "ctr", -2));
	OK_VERIFIED(kincr(&g.s, "ctr", 0, &r));
	CHECK(r == -2);
	OK_VERIFIED(kincr(&g.s, "neg", -3, &r));
	CHECK(r == -3 && has_long(&g.s, "neg", -3));

	/* ... refuses a string or a double, which stay as they were */
	OK_VERIFIED(put_str(&g.s, "str", "abc"));
	memcpy(snap, g.buf, g.size);
	CHECK_ST(kincr(&g.s, "str", 1, &r), SAFESHM_NOT_LONG);
	CHECK_ST(kincr(&g.s, "double", 1, &r), SAFESHM_NOT_LONG);
	CHECK_ST(kincr(&g.s, "null", 1, &r), SAFESHM_NOT_LONG);
	CHECK(memcmp(snap, g.buf, g.size) == 0);
	CHECK(has_str(&g.s, "str", "abc"));

	/* ... and overflow at both ends, leaving the value unchanged */
	OK_VERIFIED(put_long(&g.s, "max", INT64_MAX - 1));
	OK_VERIFIED(kincr(&g.s, "max", 1, &r));
	CHECK(r == INT64_MAX && has_long(&g.s, "max", INT64_MAX));
	memcpy(snap, g.buf, g.size);
	CHECK_ST(kincr(&g.s, "max", 1, &r), SAFESHM_OVERFLOW);
	CHECK_ST(kincr(&g.s, "max", INT64_MAX, &r), SAFESHM_OVERFLOW);
	CHECK(memcmp(snap, g.buf, g.size) == 0);
	CHECK(has_long(&g.s, "max", INT64_MAX));
	OK_VERIFIED(put_long(&g.s, "min", INT64_MIN));
	memcpy(snap, g.buf, g.size);
	CHECK_ST(kincr(&g.s, "min", -1, &r), SAFESHM_OVERFLOW);
	CHECK(memcmp(snap, g.buf, g.size) == 0);
	CHECK(has_long(&g.s, "min", INT64_MIN));
	OK_VERIFIED(kincr(&g.s, "min", INT64_MAX, &r));
	CHECK(r == -1 && has_long(&g.s, "min", -1));
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);

	/* writes and seq: every mutation is counted and bracketed */
	writes = stats_of(&g.s).writes;
	seq = safeshm_store_read_begin(&g.s);
	CHECK((seq & 1) == 0);
	CHECK(safeshm_store_read_valid(&g.s, seq));
	CHECK(!safeshm_store_read_valid(&g.s, seq | 1));
	OK_VERIFIED(put_str(&g.s, "w", "x"));
	CHECK(stats_of(&g.s).writes == writes + 1);
	CHECK(!safeshm_store_read_valid(&g.s, seq));
	CHECK((safeshm_store_read_begin(&g.s) & 1) == 0);

	/* removed flag */
	CHECK(!safeshm_store_is_removed(&g.s));
	safeshm_store_mark_removed(&g.s);
	CHECK(safeshm_store_is_removed(&g.s));

	/* lock counters: atomic, and only on a valid header */
	{
		safeshm_stats before = stats_of(&g.s), after;
		safeshm_store_count_lock_wait(&g.s);
		safeshm_store_count_lock_timeout(&g.s);
		after = stats_of(&g.s);
		CHECK(after.lock_waits == before.lock_waits + 1 && after.lock_timeouts == before.lock_timeouts + 1);
		hdr(&g)->magic ^= 1;
		memcpy(snap, g.buf, g.size);
		safeshm_store_count_lock_wait(&g.s);
		safeshm_store_count_lock_timeout(&g.s);
		CHECK(memcmp(snap, g.buf, g.size) == 0);
		hdr(&g)->magic ^= 1;
	}
	free(snap);
	seg_free(&g);
}

/* ---- space: replace, full, fragmentation, index load ---------------- */

static void test_replace_never_grows(void)
{
	seg g;
	unsigned char val[100];
	uint64_t used0;
	long bad = 0, first_bad = -1;
	safeshm_stats st;

	test_name = "replace_never_grows";
	seg_format(&g, 4096, "r");
	CHECK_ST(put_str(&g.s, "other", "untouched"), SAFESHM_OK);
	fill_pattern(val, sizeof(val), 0);
	CHECK_ST(kput(&g.s, "k", SAFESHM_T_STRING, val, sizeof(val), SAFESHM_PUT_REPLACE), SAFESHM_OK);
	used0 = stats_of(&g.s).used;
	for (long i = 1; i <= 100000; i++) {
		fill_pattern(val, sizeof(val), (uint64_t) i);
		if (kput(&g.s, "k", SAFESHM_T_STRING, val, sizeof(val), SAFESHM_PUT_REPLACE) != SAFESHM_OK
				|| stats_of(&g.s).used != used0) {
			if (bad++ == 0) {
				first_bad = i;
			}
		}
	}
	st = stats_of(&g.s);
	CHECKF(bad == 0, "%ld of 100000 rewrites failed or changed used (first at %ld)", bad, first_bad);
	CHECKF(st.used == used0, "used %" PRIu64 " after 100000 rewrites, %" PRIu64 " after the first", st.used, used0);
	CHECK(st.entries == 2);
	CHECK(st.compactions > 0);
	CHECK(has_bytes(&g.s, "k", SAFESHM_T_STRING, val, sizeof(val)));
	CHECK(has_str(&g.s, "other", "untouched"));
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	printf("replace: 100000 rewrites of a %zu-byte value, used stays %" PRIu64 ", %" PRIu64 " compactions\n",
		sizeof(val), st.used, st.compactions);

	/* rewrites of other sizes change used by exactly the record-size difference */
	for (size_t len = 0; len < 700; len += 37) {
		unsigned char big[700];
		fill_pattern(big, len, len);
		CHECK_ST(kput(&g.s, "k", SAFESHM_T_STRING, big, len, SAFESHM_PUT_REPLACE), SAFESHM_OK);
		CHECKF(stats_of(&g.s).used == safeshm_record_size(1, len) + safeshm_record_size(5, 9),
			"len %zu", len);
	}
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

static void test_full_keeps_old(void)
{
	seg g;
	unsigned char old[200], *big;
	safeshm_view v;
	uint64_t arena, ra, used;
	size_t fit;

	test_name = "full_keeps_old";
	seg_format(&g, 4096, "f");
	arena = stats_of(&g.s).arena_size;
	big = malloc(arena);
	fill_pattern(old, sizeof(old), 1);
	fill_pattern(big, arena, 2);
	CHECK_ST(kput(&g.s, "a", SAFESHM_T_STRING, old, sizeof(old), SAFESHM_PUT_REPLACE), SAFESHM_OK);
	ra = safeshm_record_size(1, sizeof(old));
	used = stats_of(&g.s).used;

	/* a replace needs room beside the old record: arena - ra is the most that fits */
	fit = (size_t) (arena - ra) - SAFESHM_REC_HDR - 1;
	CHECK(safeshm_record_size(1, fit) == arena - ra);
	CHECK_ST(kput(&g.s, "a", SAFESHM_T_STRING, big, fit + 1, SAFESHM_PUT_REPLACE), SAFESHM_FULL);
	CHECK(has_bytes(&g.s, "a", SAFESHM_T_STRING, old, sizeof(old)));
	CHECK(stats_of(&g.s).used == used);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	CHECK_ST(kput(&g.s, "b", SAFESHM_T_STRING, big, fit + 1, SAFESHM_PUT_REPLACE), SAFESHM_FULL);
	CHECK_ST(kfind(&g.s, "b", &v), SAFESHM_NOT_FOUND);
	CHECK_ST(kput(&g.s, "a", SAFESHM_T_STRING, big, arena, SAFESHM_PUT_REPLACE), SAFESHM_FULL);
	CHECK(has_bytes(&g.s, "a", SAFESHM_T_STRING, old, sizeof(old)));
	/* a value far beyond any segment: refused without reading it (ASan would see) */
	CHECK_ST(kput(&g.s, "a", SAFESHM_T_STRING, old, (size_t) UINT32_MAX + 10, SAFESHM_PUT_REPLACE), SAFESHM_FULL);
	CHECK_ST(kput(&g.s, "a", SAFESHM_T_STRING, old, SIZE_MAX, SAFESHM_PUT_REPLACE), SAFESHM_FULL);
	CHECK(has_bytes(&g.s, "a", SAFESHM_T_STRING, old, sizeof(old)));
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);

	/* exactly what fits does fit */
	CHECK_ST(kput(&g.s, "a", SAFESHM_T_STRING, big, fit, SAFESHM_PUT_REPLACE), SAFESHM_OK);
	CHECK(has_bytes(&g.s, "a", SAFESHM_T_STRING, big, fit));
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	free(big);
	seg_free(&g);
}

static void test_fragmentation(void)
{
	seg g;
	unsigned char val[150], big[3000];
	char key[16];
	int n = 0;
	safeshm_status st = SAFESHM_OK;
	safeshm_stats s0, s1;
	uint64_t hole = safeshm_record_size(4, sizeof(val));

	test_name = "fragmentation";
	seg_format(&g, 16384, "frag");
	while (n < 1000) {
		snprintf(key, sizeof(key), "f%03d", n);
		fill_pattern(val, sizeof(val), (uint64_t) n);
		st = kput(&g.s, key, SAFESHM_T_STRING, val, sizeof(val), SAFESHM_PUT_REPLACE);
		if (st != SAFESHM_OK) {
			break;
		}
		n++;
	}
	s0 = stats_of(&g.s);
	CHECKF(st == SAFESHM_FULL && (uint64_t) n < s0.max_entries, "filled %d entries, stopped with %s", n, stname(st));
	CHECK(s0.compactions == 0);
	for (int i = 0; i < n; i += 2) {
		snprintf(key, sizeof(key), "f%03d", i);
		CHECK_ST(kdel(&g.s, key), SAFESHM_OK);
	}
	s0 = stats_of(&g.s);
	CHECK(g.s.arena_end - hdr(&g)->arena_top < hole);
	CHECKF(safeshm_record_size(3, sizeof(big)) > hole && safeshm_record_size(3, sizeof(big)) < s0.free,
		"free %" PRIu64 ", largest hole %" PRIu64, s0.free, hole);
	fill_pattern(big, sizeof(big), 99);
	CHECK_ST(kput(&g.s, "big", SAFESHM_T_STRING, big, sizeof(big), SAFESHM_PUT_REPLACE), SAFESHM_OK);
	s1 = stats_of(&g.s);
	CHECKF(s1.compactions > s0.compactions, "compactions %" PRIu64, s1.compactions);
	CHECK(has_bytes(&g.s, "big", SAFESHM_T_STRING, big, sizeof(big)));
	for (int i = 1; i < n; i += 2) {
		snprintf(key, sizeof(key), "f%03d", i);
		fill_pattern(val, sizeof(val), (uint64_t) i);
		CHECKF(has_bytes(&g.s, key, SAFESHM_T_STRING, val, sizeof(val)), "%s after compaction", key);
	}
	CHECK(s1.dead == 0 && s1.tombs == 0);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	printf("fragmentation: %d entries, %d deleted, a %zu-byte value placed after %" PRIu64 " compaction(s)\n",
		n, (n + 1) / 2, sizeof(big), s1.compactions);
	seg_free(&g);
}

static void test_max_entries(void)
{
	seg g;
	char key[32];
	uint64_t max;
	int n = 0;
	int64_t r;
	safeshm_view v;
	long bad = 0;

	test_name = "max_entries";
	seg_format(&g, 4096, "m");
	max = stats_of(&g.s).max_entries;
	for (;;) {
		snprintf(key, sizeof(key), "e%02d", n);
		if (put_long(&g.s, key, n) != SAFESHM_OK || n > 1000) {
			break;
		}
		n++;
	}
	CHECKF((uint64_t) n == max, "%d entries fit, max_entries says %" PRIu64, n, max);
	CHECK(stats_of(&g.s).used + safeshm_record_size(4, 8) < stats_of(&g.s).arena_size);
	CHECK_ST(put_long(&g.s, "new", 1), SAFESHM_FULL);
	CHECK_ST(kfind(&g.s, "new", &v), SAFESHM_NOT_FOUND);
	CHECK_ST(kincr(&g.s, "new2", 1, &r), SAFESHM_FULL);
	CHECK_ST(kput(&g.s, "new3", SAFESHM_T_TRUE, NULL, 0, SAFESHM_PUT_ADD), SAFESHM_FULL);
	/* existing keys still take new values, even larger ones */
	CHECK_ST(put_str(&g.s, "e00", "a longer value than the int it replaces"), SAFESHM_OK);
	CHECK(has_str(&g.s, "e00", "a longer value than the int it replaces"));
	CHECK_ST(kincr(&g.s, "e01", 10, &r), SAFESHM_OK);
	CHECK(r == 11);
	CHECK_ST(kput(&g.s, "e02", SAFESHM_T_NULL, NULL, 0, SAFESHM_PUT_ADD), SAFESHM_EXISTS);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	/* a freed entry makes room for one new key */
	CHECK_ST(kdel(&g.s, "e03"), SAFESHM_OK);
	CHECK_ST(put_long(&g.s, "new", 1), SAFESHM_OK);
	CHECK_ST(put_long(&g.s, "new2", 1), SAFESHM_FULL);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);

	/* churn of short-lived keys: tombstones never exhaust the index */
	seg_format(&g, 4096, "churn");
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "keep%d", i);
		CHECK_ST(put_long(&g.s, key, i), SAFESHM_OK);
	}
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "tmp%d", i);
		if (put_long(&g.s, key, i) != SAFESHM_OK || kdel(&g.s, key) != SAFESHM_OK) {
			bad++;
		}
		if (i % 1000 == 0 && safeshm_store_verify(&g.s) != SAFESHM_OK) {
			bad++;
		}
	}
	CHECKF(bad == 0, "%ld failures in 20000 insert/delete pairs", bad);
	CHECK(stats_of(&g.s).entries == 10);
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "keep%d", i);
		CHECK(has_long(&g.s, key, i));
	}
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

static void test_clear(void)
{
	seg g;
	char key[16];
	safeshm_view v;
	safeshm_stats st;

	test_name = "clear";
	seg_format(&g, 8192, "c");
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "c%d", i);
		CHECK_ST(put_str(&g.s, key, "some value"), SAFESHM_OK);
	}
	CHECK_ST(kdel(&g.s, "c3"), SAFESHM_OK);
	CHECK_ST(safeshm_store_clear(&g.s), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	st = stats_of(&g.s);
	CHECK(st.entries == 0 && st.used == 0 && st.dead == 0 && st.tombs == 0 && st.free == st.arena_size);
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "c%d", i);
		CHECK_ST(kfind(&g.s, key, &v), SAFESHM_NOT_FOUND);
	}
	CHECK_ST(put_str(&g.s, "c1", "after"), SAFESHM_OK);
	CHECK(has_str(&g.s, "c1", "after"));
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	CHECK_ST(safeshm_store_clear(&g.s), SAFESHM_OK);
	CHECK_ST(safeshm_store_clear(&g.s), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	CHECK(stats_of(&g.s).entries == 0);
	seg_free(&g);
}

typedef struct {
	int calls, stop_after, bad;
	unsigned char seen[64];
} iter_ctx;

static int iter_cb(const safeshm_view *e, void *p)
{
	iter_ctx *c = p;
	int i;
	char want[32], kbuf[8];

	c->calls++;
	if (e->key_len < 2 || e->key_len > 3 || e->key[0] != 'i') {
		c->bad++;
		return 0;
	}
	memcpy(kbuf, e->key + 1, e->key_len - 1);   /* keys are "i0".."i63", values "value-<i>" */
	kbuf[e->key_len - 1] = 0;
	i = atoi(kbuf);
	snprintf(want, sizeof(want), "value-%d", i);
	if (i < 0 || i >= 64 || c->seen[i]++ || e->type != SAFESHM_T_STRING || e->len != strlen(want)
			|| memcmp(e->data, want, e->len) != 0) {
		c->bad++;
	}
	return c->stop_after && c->calls >= c->stop_after;
}

static void test_iterate(void)
{
	seg g;
	char key[16], val[32];
	iter_ctx c;

	test_name = "iterate";
	seg_format(&g, 8192, "i");
	memset(&c, 0, sizeof(c));
	CHECK_ST(safeshm_store_iterate(&g.s, iter_cb, &c), SAFESHM_OK);
	CHECK(c.calls == 0);
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "i%d", i);
		snprintf(val, sizeof(val), "value-%d", i);
		CHECK_ST(put_str(&g.s, key, val), SAFESHM_OK);
	}
	for (int i = 0; i < 40; i += 3) {
		snprintf(key, sizeof(key), "i%d", i);
		CHECK_ST(kdel(&g.s, key), SAFESHM_OK);
	}
	memset(&c, 0, sizeof(c));
	CHECK_ST(safeshm_store_iterate(&g.s, iter_cb, &c), SAFESHM_OK);
	CHECKF(c.calls == 40 - 14 && c.bad == 0, "calls %d bad %d", c.calls, c.bad);
	for (int i = 0; i < 40; i++) {
		CHECKF(c.seen[i] == (i % 3 != 0), "i%d seen %d times", i, c.seen[i]);
	}
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	CHECK_ST(safeshm_store_iterate(&g.s, iter_cb, &c), SAFESHM_OK);
	CHECK(c.calls == 1);
	CHECK_ST(safeshm_store_compact(&g.s), SAFESHM_OK);
	memset(&c, 0, sizeof(c));
	CHECK_ST(safeshm_store_iterate(&g.s, iter_cb, &c), SAFESHM_OK);
	CHECK(c.calls == 26 && c.bad == 0);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

/* ---- the 32-bit record total ---------------------------------------- */

/*
 * put() accepts vlen up to UINT32_MAX - 64 but stores the record size in a
 * uint32_t: with the header and key added it can exceed 4 GiB and wrap. Needs
 * a segment over 4 GiB; the pages are only touched where written.
 */
static void run_huge_total(void *arg)
{
	const size_t size = (size_t) 4608 << 20;
	const size_t vlen = (size_t) UINT32_MAX - 64;
	char key[101];
	unsigned char *buf, *val;
	safeshm_store s;
	safeshm_status st;
	safeshm_view v;

	(void) arg;
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	val = mmap(NULL, vlen, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf == MAP_FAILED || val == MAP_FAILED) {
		printf("huge value: skipped (mmap: %s)\n", strerror(errno));
		return;
	}
	memset(key, 'k', 100);
	key[100] = 0;
	safeshm_store_bind(&s, buf, size);
	CHECK_ST(safeshm_store_open(&s, NULL, 0), SAFESHM_OK);
	CHECK(safeshm_record_size(100, vlen) > UINT32_MAX);
	CHECK(safeshm_record_size(100, vlen) <= s.arena_end - s.arena_off);
	st = kput(&s, key, SAFESHM_T_STRING, val, vlen, SAFESHM_PUT_REPLACE);
	if (st == SAFESHM_OK) {
		safeshm_status fs = kfind(&s, key, &v);
		CHECKF(fs == SAFESHM_OK && v.len == vlen, "put() of a %zu-byte value with a 100-byte key returned OK, "
			"then find() returns %s: the record size %zu was stored in the 32-bit total as %" PRIu32,
			vlen, stname(fs), safeshm_record_size(100, vlen), (uint32_t) safeshm_record_size(100, vlen));
		CHECK_ST(safeshm_store_verify(&s), SAFESHM_OK);
	} else {
		CHECKF(st == SAFESHM_FULL, "put: %s", stname(st));
	}
	munmap(val, vlen);
	munmap(buf, size);
}

static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	uint64_t kb = 0;

	if (!f) {
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &kb) == 1) {
			break;
		}
	}
	fclose(f);
	return kb * 1024;
}

int main(void)
{
	check_begin();

	test_basic_ops();
	test_replace_never_grows();
	test_full_keeps_old();
	test_fragmentation();
	test_max_entries();
	test_clear();
	test_iterate();

	if (getenv("SAFESHM_SKIP_HUGE")) {
		printf("huge value: skipped (SAFESHM_SKIP_HUGE)\n");
	} else if (mem_available() < ((uint64_t) 10 << 30)) {
		printf("huge value: skipped (needs 10 GiB available, have %" PRIu64 " MiB)\n", mem_available() >> 20);
	} else {
		isolated("a value whose record exceeds 4 GiB", run_huge_total, NULL);
	}

	return check_end();
}
