/*
 * C tests of the store's operations (layout 3), without PHP: format and
 * open, every mutation, TTL and expiry, conditional puts, multi-key puts,
 * capacity by bytes, index growth, making room (relocation and eviction).
 * After every group the full structural check (verify) must pass.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "store_common.h"
#include "../../shm_store_int.h"

static void test_format(void)
{
	seg g;
	safeshm_view v;
	int formatted;

	test_name = "format";
	seg_format(&g, 1 << 20, "alpha");
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	CHECK(safeshm_store_layout_version(&g.s) == SAFESHM_LAYOUT_VERSION);
	CHECK_ST(put_str(&g.s, "k", "v"), SAFESHM_OK);
	/* reopen: validates, keeps the data */
	CHECK_ST(safeshm_store_open(&g.s, "alpha", 5, 0, NULL, 0, now_us_fake, &formatted), SAFESHM_OK);
	CHECK(formatted == 0);
	CHECK(has_str(&g.s, "k", "v"));
	CHECK_ST(safeshm_store_open(&g.s, "beta", 4, 0, NULL, 0, now_us_fake, &formatted), SAFESHM_NAME);
	CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 0, now_us_fake, &formatted), SAFESHM_NAME);
	/* a creator that died formatting leaves its own magic: formatted again */
	hdr(&g)->magic = SAFESHM_MAGIC_FORMATTING;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_FORMATTING);
	CHECK_ST(safeshm_store_open(&g.s, "alpha", 5, 0, NULL, 0, now_us_fake, &formatted), SAFESHM_OK);
	CHECK(formatted == 1);
	CHECK_ST(kfind(&g.s, "k", &v), SAFESHM_NOT_FOUND);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);

	/* magic 0: a blank segment is formatted, one with any byte set is foreign */
	seg_new(&g, 8192);
	CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 0, now_us_fake, &formatted), SAFESHM_OK);
	CHECK(formatted == 1);
	seg_free(&g);
	seg_new(&g, 8192);
	g.buf[8191] = 1;
	CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 0, now_us_fake, &formatted), SAFESHM_FOREIGN);
	CHECK(g.buf[0] == 0 && g.buf[8191] == 1);
	/* unless the caller created it (the kernel zeroed it): no scan then */
	CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 1, now_us_fake, &formatted), SAFESHM_OK);
	seg_free(&g);
	seg_new(&g, 8192);
	memcpy(g.buf, "PHP_SM", 6);
	CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 1, now_us_fake, &formatted), SAFESHM_FOREIGN);
	CHECK(memcmp(g.buf, "PHP_SM", 6) == 0);
	seg_free(&g);
	seg_new(&g, 4095);
	CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 1, now_us_fake, &formatted), SAFESHM_TOO_SMALL);
	seg_free(&g);
	/* another layout version is refused, bytes untouched */
	seg_format(&g, 8192, NULL);
	hdr(&g)->version = 2;
	CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 0, now_us_fake, &formatted), SAFESHM_VERSION);
	CHECK(hdr(&g)->version == 2);
	seg_free(&g);
	/* the smallest store works */
	seg_format(&g, SAFESHM_MIN_SIZE, NULL);
	CHECK_ST(put_str(&g.s, "a", "b"), SAFESHM_OK);
	CHECK(has_str(&g.s, "a", "b"));
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

/* Formatting a huge segment touches a few pages, not the whole segment. */
static void test_format_cost(void)
{
	size_t size = (size_t) 1 << 30, pages, resident = 0;
	unsigned char *vec;
	void *base;
	safeshm_store s;
	int formatted;
	long psz = sysconf(_SC_PAGESIZE);

	test_name = "format_cost";
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		CHECKF(0, "mmap 1 GiB: %s", strerror(errno));
		return;
	}
	safeshm_store_bind(&s, base, size);
	CHECK_ST(safeshm_store_open(&s, "big", 3, 0, NULL, 1, now_us_fake, &formatted), SAFESHM_OK);
	pages = size / (size_t) psz;
	vec = malloc(pages);
	if (mincore(base, size, vec) == 0) {
		for (size_t i = 0; i < pages; i++) {
			resident += vec[i] & 1u;
		}
		CHECKF(resident * (size_t) psz <= (size_t) 1 << 20, "formatting 1 GiB made %zu bytes resident", resident * (size_t) psz);
		printf("format 1 GiB: %zu KiB resident\n", resident * (size_t) psz / 1024);
	}
	CHECK_ST(put_str(&s, "k", "v"), SAFESHM_OK);
	CHECK(has_str(&s, "k", "v"));
	free(vec);
	munmap(base, size);
}

static void test_basic(void)
{
	seg g;
	safeshm_view v;
	int64_t r;
	double d = 2.5;

	test_name = "basic";
	seg_format(&g, 1 << 16, NULL);
	CHECK_ST(put_str(&g.s, "s", "hello"), SAFESHM_OK);
	CHECK_ST(put_long(&g.s, "l", -7), SAFESHM_OK);
	CHECK_ST(kput(&g.s, "d", SAFESHM_T_DOUBLE, &d, 8), SAFESHM_OK);
	CHECK_ST(kput(&g.s, "t", SAFESHM_T_TRUE, NULL, 0), SAFESHM_OK);
	CHECK_ST(kput(&g.s, "n", SAFESHM_T_NULL, NULL, 0), SAFESHM_OK);
	CHECK(has_str(&g.s, "s", "hello"));
	CHECK(has_long(&g.s, "l", -7));
	CHECK(has_bytes(&g.s, "d", SAFESHM_T_DOUBLE, &d, 8));
	CHECK(has_bytes(&g.s, "t", SAFESHM_T_TRUE, NULL, 0));
	CHECK(has_bytes(&g.s, "n", SAFESHM_T_NULL, NULL, 0));
	CHECK_ST(kfind(&g.s, "missing", &v), SAFESHM_NOT_FOUND);
	/* replace */
	CHECK_ST(put_str(&g.s, "s", "a longer value than before"), SAFESHM_OK);
	CHECK(has_str(&g.s, "s", "a longer value than before"));
	/* add */
	CHECK_ST(kput_ex(&g.s, "s", SAFESHM_T_STRING, "x", 1, SAFESHM_PUT_ADD, 0), SAFESHM_EXISTS);
	CHECK(has_str(&g.s, "s", "a longer value than before"));
	CHECK_ST(kput_ex(&g.s, "new", SAFESHM_T_STRING, "x", 1, SAFESHM_PUT_ADD, 0), SAFESHM_OK);
	/* increment */
	CHECK_ST(kincr(&g.s, "l", 10, &r), SAFESHM_OK);
	CHECK(r == 3 && has_long(&g.s, "l", 3));
	CHECK_ST(kincr(&g.s, "c", 5, &r), SAFESHM_OK);
	CHECK(r == 5 && has_long(&g.s, "c", 5));
	CHECK_ST(kincr(&g.s, "s", 1, &r), SAFESHM_NOT_LONG);
	CHECK_ST(put_long(&g.s, "big", INT64_MAX), SAFESHM_OK);
	CHECK_ST(kincr(&g.s, "big", 1, &r), SAFESHM_OVERFLOW);
	CHECK(has_long(&g.s, "big", INT64_MAX));
	/* delete */
	CHECK_ST(kdel(&g.s, "s"), SAFESHM_OK);
	CHECK_ST(kdel(&g.s, "s"), SAFESHM_NOT_FOUND);
	CHECK_ST(kfind(&g.s, "s", &v), SAFESHM_NOT_FOUND);
	/* binary keys and namespaces: the same bytes in another namespace are another key */
	{
		const char bkey[] = { 'a', 0, 'b' };
		safeshm_put_req q = { .ns = SAFESHM_NS_LOCK, .key = "l", .klen = 1, .hash = safeshm_key_hash(SAFESHM_NS_LOCK, "l", 1),
			.type = SAFESHM_T_STRING, .val = "lock", .vlen = 4 };
		uint64_t n = 0;
		CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_OK);
		CHECK(has_long(&g.s, "l", 3));
		CHECK_ST(safeshm_store_find(&g.s, SAFESHM_NS_LOCK, "l", 1, q.hash, now_us_fake, &v), SAFESHM_OK);
		CHECK(v.len == 4 && memcmp(v.data, "lock", 4) == 0);
		CHECK_ST(safeshm_store_count(&g.s, SAFESHM_NS_DATA, now_us_fake, &n), SAFESHM_OK);
		CHECK_ST(safeshm_store_count(&g.s, SAFESHM_NS_LOCK, now_us_fake, &n), SAFESHM_OK);
		CHECK(n == 1);
		q.ns = SAFESHM_NS_DATA;
		q.key = bkey;
		q.klen = 3;
		q.hash = safeshm_key_hash(SAFESHM_NS_DATA, bkey, 3);
		CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_OK);
		CHECK_ST(safeshm_store_find(&g.s, SAFESHM_NS_DATA, bkey, 2, safeshm_key_hash(SAFESHM_NS_DATA, bkey, 2), now_us_fake, &v),
			SAFESHM_NOT_FOUND);
	}
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	/* versions increase on every write of a key, increments included */
	{
		uint64_t v1, v2, v3;
		CHECK_ST(put_long(&g.s, "ver", 1), SAFESHM_OK);
		kfind(&g.s, "ver", &v);
		v1 = v.version;
		CHECK_ST(kincr(&g.s, "ver", 1, &r), SAFESHM_OK);
		kfind(&g.s, "ver", &v);
		v2 = v.version;
		CHECK_ST(put_long(&g.s, "ver", 5), SAFESHM_OK);
		kfind(&g.s, "ver", &v);
		v3 = v.version;
		CHECK(v1 < v2 && v2 < v3);
	}
	seg_free(&g);
}

static void test_ttl(void)
{
	seg g;
	safeshm_view v;
	uint64_t n, t0 = now_us_fake;

	test_name = "ttl";
	seg_format(&g, 1 << 16, NULL);
	CHECK_ST(kput_ex(&g.s, "a", SAFESHM_T_STRING, "1", 1, SAFESHM_PUT_REPLACE, t0 + 1000), SAFESHM_OK);
	CHECK_ST(kput_ex(&g.s, "b", SAFESHM_T_STRING, "2", 1, SAFESHM_PUT_REPLACE, 0), SAFESHM_OK);
	CHECK(has_str(&g.s, "a", "1"));
	CHECK_ST(safeshm_store_count(&g.s, SAFESHM_NS_DATA, now_us_fake, &n), SAFESHM_OK);
	CHECK(n == 2);
	now_us_fake = t0 + 999;
	CHECK(has_str(&g.s, "a", "1"));
	now_us_fake = t0 + 1000; /* expired from the instant it expires */
	CHECK_ST(kfind(&g.s, "a", &v), SAFESHM_NOT_FOUND);
	CHECK_ST(safeshm_store_count(&g.s, SAFESHM_NS_DATA, now_us_fake, &n), SAFESHM_OK);
	CHECK(n == 1);
	/* add over an expired entry succeeds; delete of one reports absent */
	CHECK_ST(kput_ex(&g.s, "a", SAFESHM_T_STRING, "3", 1, SAFESHM_PUT_ADD, 0), SAFESHM_OK);
	CHECK(has_str(&g.s, "a", "3"));
	CHECK_ST(kput_ex(&g.s, "c", SAFESHM_T_STRING, "4", 1, SAFESHM_PUT_REPLACE, now_us_fake + 10), SAFESHM_OK);
	now_us_fake += 10;
	CHECK_ST(kdel(&g.s, "c"), SAFESHM_NOT_FOUND);
	CHECK(stats_of(&g.s).expired == 2);
	/* touch: a new expiry for a live entry; absent or expired: NOT_FOUND */
	CHECK_ST(safeshm_store_touch(&g.s, 0, "b", 1, safeshm_key_hash(0, "b", 1), now_us_fake + 5, now_us_fake), SAFESHM_OK);
	CHECK(stats_of(&g.s).ttl_entries == 1);
	now_us_fake += 4;
	CHECK(has_str(&g.s, "b", "2"));
	CHECK_ST(safeshm_store_touch(&g.s, 0, "b", 1, safeshm_key_hash(0, "b", 1), 0, now_us_fake), SAFESHM_OK);
	now_us_fake += 100;
	CHECK(has_str(&g.s, "b", "2"));
	CHECK_ST(safeshm_store_touch(&g.s, 0, "zz", 2, safeshm_key_hash(0, "zz", 2), 0, now_us_fake), SAFESHM_NOT_FOUND);
	/* reclaimed by later writes without a sweeper */
	for (int i = 0; i < 40; i++) {
		char k[32];
		snprintf(k, sizeof(k), "e%d", i);
		CHECK_ST(kput_ex(&g.s, k, SAFESHM_T_STRING, "x", 1, SAFESHM_PUT_REPLACE, now_us_fake + 1), SAFESHM_OK);
	}
	now_us_fake += 2;
	CHECK_ST(safeshm_store_sweep(&g.s, now_us_fake, 0), SAFESHM_OK);
	CHECK(stats_of(&g.s).ttl_entries == 0);
	CHECK(stats_of(&g.s).entries == 2);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

static void test_conditional(void)
{
	seg g;
	safeshm_view v;
	safeshm_put_req q = { .ns = 0, .key = "k", .klen = 1, .hash = safeshm_key_hash(0, "k", 1), .type = SAFESHM_T_STRING,
		.val = "new", .vlen = 3 };
	int64_t five = 5;

	test_name = "conditional";
	seg_format(&g, 1 << 16, NULL);
	/* IF_VERSION 0: only when absent */
	q.mode = SAFESHM_PUT_IF_VERSION;
	q.cond_version = 0;
	CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_OK);
	CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_MISMATCH);
	kfind(&g.s, "k", &v);
	q.cond_version = v.version + 1;
	q.val = "newer";
	q.vlen = 5;
	CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_MISMATCH);
	q.cond_version = v.version;
	CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_OK);
	CHECK(has_str(&g.s, "k", "newer"));
	/* IF_VALUE: type and bytes */
	q.mode = SAFESHM_PUT_IF_VALUE;
	q.cond_type = SAFESHM_T_STRING;
	q.cond_val = "newe";
	q.cond_len = 4;
	CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_MISMATCH);
	q.cond_val = "newer";
	q.cond_len = 5;
	q.val = "third";
	CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_OK);
	CHECK(has_str(&g.s, "k", "third"));
	CHECK_ST(put_long(&g.s, "n", 5), SAFESHM_OK);
	q.key = "n";
	q.hash = safeshm_key_hash(0, "n", 1);
	q.cond_type = SAFESHM_T_STRING;
	q.cond_val = &five;
	q.cond_len = 8;
	CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_MISMATCH); /* same bytes, another type */
	q.cond_type = SAFESHM_T_LONG;
	CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_OK);
	q.key = "absent";
	q.hash = safeshm_key_hash(0, "absent", 6);
	CHECK_ST(safeshm_store_put(&g.s, &q, now_us_fake), SAFESHM_MISMATCH); /* a missing key never matches */
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

static void test_put_many(void)
{
	seg g;
	safeshm_put_req q[3];
	char big[3000];
	const char *keys[3] = { "m1", "m2", "m3" };

	test_name = "put_many";
	seg_format(&g, 8192, NULL);
	memset(big, 'x', sizeof(big));
	CHECK_ST(put_str(&g.s, "m1", "old"), SAFESHM_OK);
	for (int i = 0; i < 3; i++) {
		q[i] = (safeshm_put_req) { .ns = 0, .key = keys[i], .klen = 2, .hash = safeshm_key_hash(0, keys[i], 2),
			.type = SAFESHM_T_STRING, .val = big, .vlen = 100, .mode = SAFESHM_PUT_REPLACE };
	}
	CHECK_ST(safeshm_store_put_many(&g.s, q, 3, now_us_fake), SAFESHM_OK);
	CHECK(has_bytes(&g.s, "m1", SAFESHM_T_STRING, big, 100) && has_bytes(&g.s, "m3", SAFESHM_T_STRING, big, 100));
	/* too big together: none is stored, the old values stay */
	for (int i = 0; i < 3; i++) {
		q[i].vlen = 2500;
	}
	CHECK_ST(safeshm_store_put_many(&g.s, q, 3, now_us_fake), SAFESHM_FULL);
	CHECK(has_bytes(&g.s, "m1", SAFESHM_T_STRING, big, 100) && has_bytes(&g.s, "m2", SAFESHM_T_STRING, big, 100));
	/* the same key twice is refused */
	q[0].vlen = q[1].vlen = q[2].vlen = 1;
	q[2].key = "m1";
	q[2].hash = q[0].hash;
	CHECK_ST(safeshm_store_put_many(&g.s, q, 3, now_us_fake), SAFESHM_EXISTS);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

static int collect_cb(const safeshm_view *v, void *ctx)
{
	(*(int *) ctx)++;
	(void) v;
	return 0;
}

static void test_prefix_iterate(void)
{
	seg g;
	uint64_t n = 0;
	int seen = 0;
	const char *keys[] = { "user:1", "user:2", "user:10", "session:1", "use" };

	test_name = "prefix";
	seg_format(&g, 1 << 16, NULL);
	for (int i = 0; i < 5; i++) {
		CHECK_ST(put_str(&g.s, keys[i], "v"), SAFESHM_OK);
	}
	CHECK_ST(safeshm_store_iterate(&g.s, 0, now_us_fake, collect_cb, &seen), SAFESHM_OK);
	CHECK(seen == 5);
	CHECK_ST(safeshm_store_delete_prefix(&g.s, 0, "user:", 5, now_us_fake, &n), SAFESHM_OK);
	CHECK(n == 3);
	CHECK(has_str(&g.s, "use", "v") && has_str(&g.s, "session:1", "v"));
	CHECK_ST(safeshm_store_delete_prefix(&g.s, 0, "", 0, now_us_fake, &n), SAFESHM_OK);
	CHECK(n == 2);
	CHECK(stats_of(&g.s).entries == 0);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

/* Capacity follows the bytes: many tiny counters fit. */
static void capacity_case(size_t size, uint64_t want)
{
	seg g;
	uint64_t i;
	char k[32];
	safeshm_status st = SAFESHM_OK;

	seg_format(&g, size, NULL);
	for (i = 0; i < 10 * want && st == SAFESHM_OK; i++) {
		int64_t one = 1;
		snprintf(k, sizeof(k), "c%09" PRIu64, i); /* 10-byte keys */
		st = kput(&g.s, k, SAFESHM_T_LONG, &one, 8);
	}
	CHECK_ST(st, SAFESHM_FULL);
	i--;
	CHECKF(i >= want, "a %zu-byte store held %" PRIu64 " counters, want >= %" PRIu64, size, i, want);
	printf("capacity: %zu bytes hold %" PRIu64 " int counters with 10-byte keys (free when full: %" PRIu64 " bytes)\n",
		size, i, stats_of(&g.s).free);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	snprintf(k, sizeof(k), "c%09" PRIu64, i / 2);
	CHECK(has_long(&g.s, k, 1));
	seg_free(&g);
}

static void test_capacity(void)
{
	test_name = "capacity";
	capacity_case(1 << 20, 12000);
	capacity_case(64u << 20, 800000);
}

/* Free bytes scattered in small holes still take a big value. */
static void test_fragmentation(void)
{
	seg g;
	char k[32];
	unsigned char *val = malloc(100000);
	int n = 0;
	safeshm_status st;

	test_name = "fragmentation";
	seg_format(&g, 1 << 20, NULL);
	fill_pattern(val, 100000, 7);
	for (n = 0; ; n++) {
		snprintf(k, sizeof(k), "f%d", n);
		if (kput(&g.s, k, SAFESHM_T_STRING, val, 200) != SAFESHM_OK) {
			break;
		}
	}
	/* every other key goes: the free half is in 250-byte holes */
	for (int i = 0; i < n; i += 2) {
		snprintf(k, sizeof(k), "f%d", i);
		CHECK_ST(kdel(&g.s, k), SAFESHM_OK);
	}
	CHECK(stats_of(&g.s).largest_free < 100000);
	st = kput(&g.s, "big", SAFESHM_T_STRING, val, 100000);
	CHECK_ST(st, SAFESHM_OK);
	CHECK(stats_of(&g.s).compactions >= 1);
	CHECK(has_bytes(&g.s, "big", SAFESHM_T_STRING, val, 100000));
	for (int i = 1; i < n; i += 2) {
		snprintf(k, sizeof(k), "f%d", i);
		CHECKF(has_bytes(&g.s, k, SAFESHM_T_STRING, val, 200), "key %s lost", k);
	}
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	free(val);
	seg_free(&g);
}

/* A write that does not fit evicts expired entries, then TTL entries
 * soonest first; entries without a TTL never go. */
static void test_eviction(void)
{
	seg g;
	char k[32];
	unsigned char val[1000];
	safeshm_view v;
	int n;

	test_name = "eviction";
	seg_format(&g, 1 << 16, NULL);
	memset(val, 'v', sizeof(val));
	for (int i = 0; i < 20; i++) {
		snprintf(k, sizeof(k), "data%d", i);
		CHECK_ST(kput(&g.s, k, SAFESHM_T_STRING, val, 1000), SAFESHM_OK);
	}
	/* fill with TTL entries until no free block holds another: later keys expire sooner (free bytes
	 * may be left in pieces, each too small) */
	for (n = 0; snprintf(k, sizeof(k), "ttl%d", n), stats_of(&g.s).largest_free >= safeshm_record_size(strlen(k), 1000); n++) {
		CHECK_ST(kput_ex(&g.s, k, SAFESHM_T_STRING, val, 1000, SAFESHM_PUT_REPLACE, now_us_fake + 1000000 - (uint64_t) n), SAFESHM_OK);
	}
	CHECK(n > 10 && stats_of(&g.s).evicted == 0);
	CHECK_ST(put_str(&g.s, "fresh", "x"), SAFESHM_OK);
	CHECK_ST(kput(&g.s, "fresh2", SAFESHM_T_STRING, val, 1000), SAFESHM_OK);
	CHECK(stats_of(&g.s).evicted >= 1);
	/* the soonest to expire went first: the last ones written */
	snprintf(k, sizeof(k), "ttl%d", n - 1);
	CHECK_ST(kfind(&g.s, k, &v), SAFESHM_NOT_FOUND);
	CHECK(has_bytes(&g.s, "ttl0", SAFESHM_T_STRING, val, 1000));
	for (int i = 0; i < 20; i++) {
		snprintf(k, sizeof(k), "data%d", i);
		CHECK(has_bytes(&g.s, k, SAFESHM_T_STRING, val, 1000));
	}
	/* more than all TTL entries could free: FULL, and nothing is evicted */
	{
		uint64_t before = stats_of(&g.s).evicted, entries = stats_of(&g.s).entries;
		unsigned char *huge = calloc(1, 60000);
		CHECK_ST(kput(&g.s, "data0", SAFESHM_T_STRING, huge, 60000), SAFESHM_FULL);
		CHECK(stats_of(&g.s).evicted == before && stats_of(&g.s).entries == entries);
		CHECK(has_bytes(&g.s, "data0", SAFESHM_T_STRING, val, 1000));
		free(huge);
	}
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

/* A version clock one short of its limit (only damage puts it there: a
 * header, or a record recovery kept): every write that would hand out a
 * version is refused (CORRUPT) and changes nothing, so the segment still
 * verifies; found by the fuzzer (a put took the clock to the limit, and the
 * store rejected its own header after it). */
static void test_clock_at_limit(void)
{
	seg g;
	int64_t res;

	test_name = "clock_at_limit";
	seg_format(&g, 1 << 16, NULL);
	CHECK_ST(put_str(&g.s, "a", "old"), SAFESHM_OK);
	CHECK_ST(put_long(&g.s, "n", 5), SAFESHM_OK);
	hdr(&g)->clock = SAFESHM_CLOCK_MAX - 1u;
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	CHECK_ST(put_str(&g.s, "a", "new"), SAFESHM_CORRUPT);
	CHECK_ST(put_str(&g.s, "b", "new"), SAFESHM_CORRUPT);
	CHECK_ST(kincr(&g.s, "n", 1, &res), SAFESHM_CORRUPT);
	CHECK(has_bytes(&g.s, "a", SAFESHM_T_STRING, "old", 3) && has_long(&g.s, "n", 5));
	CHECK(hdr(&g)->clock == SAFESHM_CLOCK_MAX - 1u);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	/* one more version fits: the last one */
	hdr(&g)->clock = SAFESHM_CLOCK_MAX - 2u;
	CHECK_ST(kincr(&g.s, "n", 1, &res), SAFESHM_OK);
	CHECK(res == 6 && hdr(&g)->clock == SAFESHM_CLOCK_MAX - 1u);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

/* A value too big for the store: FULL and the old value stays. */
static void test_full_keeps_old(void)
{
	seg g;
	unsigned char *val = calloc(1, 10000);

	test_name = "full_keeps_old";
	seg_format(&g, 8192, NULL);
	CHECK_ST(put_str(&g.s, "k", "old"), SAFESHM_OK);
	CHECK_ST(kput(&g.s, "k", SAFESHM_T_STRING, val, 10000), SAFESHM_FULL);
	CHECK(has_str(&g.s, "k", "old"));
	CHECK_ST(kput(&g.s, "k", SAFESHM_T_STRING, val, 5000), SAFESHM_OK);
	CHECK_ST(kput(&g.s, "k", SAFESHM_T_STRING, val, 5000), SAFESHM_FULL); /* both copies at once do not fit */
	CHECK(has_bytes(&g.s, "k", SAFESHM_T_STRING, val, 5000));
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	free(val);
	seg_free(&g);
}

/*
 * The glue reads the time before it takes the lock, so a write can come
 * with a time behind one another writer stamped meanwhile: a live entry's
 * update time never goes back (put, increment, put_many), and created stays
 * at most updated. A new entry takes the time it is given.
 */
static void test_stamps_never_go_back(void)
{
	seg g;
	safeshm_view v;
	int64_t r = 0;
	uint64_t saved = now_us_fake;
	safeshm_put_req q = { .ns = SAFESHM_NS_DATA, .key = "m", .klen = 1, .hash = safeshm_key_hash(SAFESHM_NS_DATA, "m", 1),
		.type = SAFESHM_T_STRING, .val = "x", .vlen = 1, .mode = SAFESHM_PUT_REPLACE };

	test_name = "stamps_never_go_back";
	seg_format(&g, 1 << 16, NULL);
	now_us_fake = 5000000;
	CHECK_ST(put_str(&g.s, "k", "a"), SAFESHM_OK);
	CHECK_ST(put_long(&g.s, "n", 1), SAFESHM_OK);
	CHECK_ST(safeshm_store_put_many(&g.s, &q, 1, now_us_fake), SAFESHM_OK);
	now_us_fake = 4000000; /* read before the lock, which the writers above took first */
	CHECK_ST(put_str(&g.s, "k", "b"), SAFESHM_OK);
	CHECK_ST(kincr(&g.s, "n", 1, &r), SAFESHM_OK);
	CHECK_ST(safeshm_store_put_many(&g.s, &q, 1, now_us_fake), SAFESHM_OK);
	CHECK_ST(put_str(&g.s, "new", "c"), SAFESHM_OK);
	CHECK(has_str(&g.s, "k", "b") && has_long(&g.s, "n", 2) && r == 2);
	CHECK_ST(kfind(&g.s, "k", &v), SAFESHM_OK);
	CHECK(v.created == 5000000 && v.updated == 5000000);
	CHECK_ST(kfind(&g.s, "n", &v), SAFESHM_OK);
	CHECK(v.created == 5000000 && v.updated == 5000000);
	CHECK_ST(kfind(&g.s, "m", &v), SAFESHM_OK);
	CHECK(v.created == 5000000 && v.updated == 5000000);
	CHECK_ST(kfind(&g.s, "new", &v), SAFESHM_OK);
	CHECK(v.created == 4000000 && v.updated == 4000000);
	/* later times move it on, as always */
	now_us_fake = 6000000;
	CHECK_ST(put_str(&g.s, "k", "d"), SAFESHM_OK);
	CHECK_ST(kincr(&g.s, "n", 1, &r), SAFESHM_OK);
	CHECK_ST(kfind(&g.s, "k", &v), SAFESHM_OK);
	CHECK(v.created == 5000000 && v.updated == 6000000);
	CHECK_ST(kfind(&g.s, "n", &v), SAFESHM_OK);
	CHECK(v.created == 5000000 && v.updated == 6000000);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	now_us_fake = saved;
	seg_free(&g);
}

int main(void)
{
	check_begin();
	rng_state = base_seed();
	test_format();
	test_format_cost();
	test_basic();
	test_ttl();
	test_conditional();
	test_put_many();
	test_prefix_iterate();
	test_capacity();
	test_fragmentation();
	test_eviction();
	test_clock_at_limit();
	test_full_keeps_old();
	test_stamps_never_go_back();
	return check_end();
}
