/*
 * C tests of the SafeShm store (shm_store.c), without PHP.
 *
 * The segment is a private calloc'd buffer of the exact size, so that under
 * AddressSanitizer any read or write past the segment is reported. Tests that
 * hand the store hostile bytes or a torn segment run in a forked child: a
 * crash there is counted as one failure and the run goes on. The counters live
 * in a shared page so that children's CHECKs count too.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 * SAFESHM_TEST_SEED=n replays the random workloads with another seed.
 */
#include "../../shm_store.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static const char *stname(safeshm_status st)
{
	static const char *names[] = {
		"OK", "NOT_FOUND", "EXISTS", "FULL", "CORRUPT", "FOREIGN", "VERSION", "NAME",
		"TOO_SMALL", "NOT_LONG", "OVERFLOW", "NOMEM", "RETRY", "REMOVED",
	};
	return (unsigned) st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

#define CHECK_ST(call, want) do { \
		safeshm_status st_ = (call); \
		CHECKF(st_ == (want), "got %s, want %s", stname(st_), stname(want)); \
	} while (0)

/* Runs fn(arg) in a child: a crash or sanitizer report there is one failure. */
static void isolated(const char *name, void (*fn)(void *), void *arg)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		CHECKF(0, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		test_name = name;
		fn(arg);
		fflush(stdout);
		/* _exit: no leak check here; a simulated crash leaks what the dead writer held */
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	test_name = name;
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"the child running it %s %d (a crash or a sanitizer report is above)",
		WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* ---- segments and values -------------------------------------------- */

typedef struct {
	unsigned char *buf;
	size_t size;
	safeshm_store s;
} seg;

static void seg_new(seg *g, size_t size)
{
	g->buf = calloc(1, size);
	if (!g->buf) {
		perror("calloc");
		exit(2);
	}
	g->size = size;
	safeshm_store_bind(&g->s, g->buf, size);
}

static void seg_format(seg *g, size_t size, const char *name)
{
	seg_new(g, size);
	CHECK_ST(safeshm_store_open(&g->s, name, name ? strlen(name) : 0), SAFESHM_OK);
}

/* A fresh exact-size copy of another segment (so that ASan guards its end). */
static void seg_copy(seg *dst, const seg *src)
{
	seg_new(dst, src->size);
	memcpy(dst->buf, src->buf, src->size);
}

static void seg_free(seg *g)
{
	free(g->buf);
	g->buf = NULL;
}

static safeshm_header *hdr(const seg *g)
{
	return (safeshm_header *) g->buf;
}

static safeshm_status kput(safeshm_store *s, const char *key, safeshm_type t, const void *v, size_t vlen, safeshm_put_mode mode)
{
	return safeshm_store_put(s, key, strlen(key), safeshm_hash(key, strlen(key)), t, v, vlen, mode);
}

static safeshm_status put_str(safeshm_store *s, const char *key, const char *val)
{
	return kput(s, key, SAFESHM_T_STRING, val, strlen(val), SAFESHM_PUT_REPLACE);
}

static safeshm_status put_long(safeshm_store *s, const char *key, int64_t v)
{
	return kput(s, key, SAFESHM_T_LONG, &v, sizeof(v), SAFESHM_PUT_REPLACE);
}

static safeshm_status kfind(const safeshm_store *s, const char *key, safeshm_view *v)
{
	return safeshm_store_find(s, key, strlen(key), safeshm_hash(key, strlen(key)), v);
}

static safeshm_status kdel(safeshm_store *s, const char *key)
{
	return safeshm_store_delete(s, key, strlen(key), safeshm_hash(key, strlen(key)));
}

static safeshm_status kincr(safeshm_store *s, const char *key, int64_t by, int64_t *res)
{
	return safeshm_store_increment(s, key, strlen(key), safeshm_hash(key, strlen(key)), by, res);
}

static int has_bytes(const safeshm_store *s, const char *key, safeshm_type t, const void *val, size_t len)
{
	safeshm_view v;
	return kfind(s, key, &v) == SAFESHM_OK && v.type == t && v.len == len
		&& (len == 0 || memcmp(v.data, val, len) == 0)
		&& v.key_len == strlen(key) && memcmp(v.key, key, v.key_len) == 0;
}

static int has_str(const safeshm_store *s, const char *key, const char *val)
{
	return has_bytes(s, key, SAFESHM_T_STRING, val, strlen(val));
}

static int has_long(const safeshm_store *s, const char *key, int64_t want)
{
	return has_bytes(s, key, SAFESHM_T_LONG, &want, sizeof(want));
}

static safeshm_stats stats_of(const safeshm_store *s)
{
	safeshm_stats st;
	safeshm_store_stats(s, &st);
	return st;
}

static void fill_pattern(unsigned char *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (unsigned char) (seed >> 56);
	}
}

/* xorshift64*: reproducible from the printed seed */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}
static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t base_seed(void)
{
	const char *e = getenv("SAFESHM_TEST_SEED");
	return e && *e ? strtoull(e, NULL, 0) : 0x5AFE5EEDull;
}

/* ---- format and reopen ---------------------------------------------- */

static void test_format_and_reopen(void)
{
	seg g, u, f, v;
	safeshm_store s2;
	unsigned char *snap;
	safeshm_header *h;
	char name200[201], name201[202];

	test_name = "format_and_reopen";
	seg_new(&g, 8192);
	CHECK(safeshm_store_is_blank(&g.s));
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_FOREIGN);
	CHECK_ST(safeshm_store_open(&g.s, "app", 3), SAFESHM_OK);
	CHECK(!safeshm_store_is_blank(&g.s));
	h = hdr(&g);
	CHECK(h->magic == SAFESHM_MAGIC);
	CHECK(h->version == SAFESHM_LAYOUT_VERSION);
	CHECK(h->size == 8192);
	CHECK(h->nslots == g.s.nslots && (g.s.nslots & (g.s.nslots - 1)) == 0);
	CHECK(h->arena_top == g.s.arena_off && h->used == 0 && h->entries == 0);
	CHECK(h->name_len == 3 && memcmp(h->name, "app", 3) == 0);
	CHECK((h->seq & 1) == 0 && !safeshm_store_needs_recovery(&g.s));
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	CHECK_ST(put_str(&g.s, "k", "v"), SAFESHM_OK);

	/* another process attaching: a second view of the same bytes */
	safeshm_store_bind(&s2, g.buf, g.size);
	CHECK_ST(safeshm_store_open(&s2, "app", 3), SAFESHM_OK);
	CHECK(has_str(&s2, "k", "v"));
	snap = malloc(g.size);
	memcpy(snap, g.buf, g.size);
	CHECK_ST(safeshm_store_open(&s2, "other", 5), SAFESHM_NAME);
	CHECK_ST(safeshm_store_open(&s2, NULL, 0), SAFESHM_NAME);
	CHECK_ST(safeshm_store_open(&s2, "ap", 2), SAFESHM_NAME);
	CHECK_ST(safeshm_store_open(&s2, "app\0", 4), SAFESHM_NAME);
	CHECK_ST(safeshm_store_open(&s2, "apq", 3), SAFESHM_NAME);
	CHECK(memcmp(snap, g.buf, g.size) == 0);
	free(snap);

	/* the same bytes seen with another size are not this segment */
	safeshm_store_bind(&s2, g.buf, 4096);
	CHECK_ST(safeshm_store_open(&s2, "app", 3), SAFESHM_CORRUPT);
	CHECK_ST(safeshm_store_check_header(&s2), SAFESHM_CORRUPT);
	seg_free(&g);

	/* unnamed segments */
	seg_format(&u, 4096, NULL);
	CHECK_ST(safeshm_store_open(&u.s, NULL, 0), SAFESHM_OK);
	CHECK_ST(safeshm_store_open(&u.s, "app", 3), SAFESHM_NAME);
	seg_free(&u);

	/* name length limits; a refused name leaves a blank segment blank */
	memset(name200, 'n', 200);
	name200[200] = 0;
	memset(name201, 'n', 201);
	name201[201] = 0;
	seg_new(&u, 4096);
	CHECK_ST(safeshm_store_open(&u.s, name201, 201), SAFESHM_NAME);
	CHECK(safeshm_store_is_blank(&u.s));
	CHECK_ST(safeshm_store_open(&u.s, name200, 200), SAFESHM_OK);
	CHECK_ST(safeshm_store_open(&u.s, name200, 200), SAFESHM_OK);
	CHECK_ST(safeshm_store_open(&u.s, name200, 199), SAFESHM_NAME);
	seg_free(&u);

	/* foreign bytes: never formatted over, never written */
	seg_new(&f, 4096);
	fill_pattern(f.buf, f.size, 42);
	snap = malloc(f.size);
	memcpy(snap, f.buf, f.size);
	CHECK_ST(safeshm_store_open(&f.s, "app", 3), SAFESHM_FOREIGN);
	CHECK_ST(safeshm_store_open(&f.s, NULL, 0), SAFESHM_FOREIGN);
	CHECK_ST(safeshm_store_check_header(&f.s), SAFESHM_FOREIGN);
	CHECK_ST(safeshm_store_verify(&f.s), SAFESHM_FOREIGN);
	CHECK(memcmp(snap, f.buf, f.size) == 0);
	/* zero where our magic would be, one non-zero byte at the very end */
	memset(f.buf, 0, f.size);
	f.buf[f.size - 1] = 1;
	memcpy(snap, f.buf, f.size);
	CHECK(!safeshm_store_is_blank(&f.s));
	CHECK_ST(safeshm_store_open(&f.s, "app", 3), SAFESHM_FOREIGN);
	CHECK(memcmp(snap, f.buf, f.size) == 0);
	free(snap);
	seg_free(&f);

	/* another layout version */
	seg_format(&v, 4096, "app");
	CHECK_ST(put_str(&v.s, "k", "v"), SAFESHM_OK);
	hdr(&v)->version = SAFESHM_LAYOUT_VERSION + 1;
	snap = malloc(v.size);
	memcpy(snap, v.buf, v.size);
	CHECK_ST(safeshm_store_open(&v.s, "app", 3), SAFESHM_VERSION);
	CHECK_ST(safeshm_store_check_header(&v.s), SAFESHM_VERSION);
	CHECK_ST(safeshm_store_verify(&v.s), SAFESHM_VERSION);
	CHECK(memcmp(snap, v.buf, v.size) == 0);
	free(snap);
	seg_free(&v);

	/* too small: nothing read beyond the size, nothing written */
	seg_new(&u, SAFESHM_MIN_SIZE - 1);
	CHECK_ST(safeshm_store_open(&u.s, "app", 3), SAFESHM_TOO_SMALL);
	CHECK_ST(safeshm_store_check_header(&u.s), SAFESHM_TOO_SMALL);
	CHECK(safeshm_store_is_blank(&u.s));
	seg_free(&u);
	{
		unsigned char tiny[8] = { 0 };
		safeshm_store t;
		safeshm_store_bind(&t, tiny, 0);
		CHECK_ST(safeshm_store_open(&t, NULL, 0), SAFESHM_TOO_SMALL);
		/* a size beyond what 32-bit slots can address is refused before any byte is read */
		safeshm_store_bind(&t, tiny, (size_t) SAFESHM_MAX_SIZE + 8);
		CHECK_ST(safeshm_store_open(&t, NULL, 0), SAFESHM_CORRUPT);
	}
	seg_format(&u, SAFESHM_MIN_SIZE, "min");
	CHECK_ST(put_str(&u.s, "k", "v"), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&u.s), SAFESHM_OK);
	seg_free(&u);
}

/* Every size: the geometry fits, and a record of exactly the arena size fits. */
static void test_geometry(void)
{
	static const size_t sizes[] = { 4096, 4097, 4100, 4104, 5000, 8192, 12345, 65536, 1u << 20, 3u << 20 };

	test_name = "geometry";
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		seg g;
		safeshm_stats st;
		size_t vlen;
		unsigned char *val;

		seg_format(&g, sizes[i], "geo");
		st = stats_of(&g.s);
		CHECKF(st.arena_size + st.index_bytes + SAFESHM_HEADER_SIZE <= sizes[i], "size %zu", sizes[i]);
		CHECKF(g.s.arena_end <= sizes[i] && (g.s.arena_end & 7) == 0 && (g.s.arena_off & 7) == 0, "size %zu", sizes[i]);
		CHECKF(g.s.nslots >= 16 && (g.s.nslots & (g.s.nslots - 1)) == 0, "size %zu", sizes[i]);
		CHECKF(st.max_entries > 0 && st.max_entries < g.s.nslots, "size %zu", sizes[i]);
		CHECKF(st.free == st.arena_size && st.used == 0, "size %zu", sizes[i]);

		vlen = (size_t) st.arena_size - SAFESHM_REC_HDR - 1;
		CHECK(safeshm_record_size(1, vlen) == st.arena_size);
		val = malloc(vlen + 1);
		fill_pattern(val, vlen + 1, sizes[i]);
		CHECKF(kput(&g.s, "x", SAFESHM_T_STRING, val, vlen + 1, SAFESHM_PUT_REPLACE) == SAFESHM_FULL,
			"size %zu: a record 8 bytes larger than the arena", sizes[i]);
		CHECKF(kput(&g.s, "x", SAFESHM_T_STRING, val, vlen, SAFESHM_PUT_REPLACE) == SAFESHM_OK,
			"size %zu: a record exactly the arena's size", sizes[i]);
		CHECK(has_bytes(&g.s, "x", SAFESHM_T_STRING, val, vlen));
		CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
		CHECK(stats_of(&g.s).free == 0);
		free(val);
		seg_free(&g);
	}
}

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

/* ---- hostile segments ----------------------------------------------- */

static int count_cb(const safeshm_view *e, void *p)
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

/*
 * Calls everything a caller may call on a segment of unknown health.
 * Statuses are free; crashes and out-of-bounds accesses are not. One
 * property is asserted: a segment verify() accepts stays acceptable.
 */
static void exercise(safeshm_store *s)
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

/* A segment with a bit of everything: types, a deletion, a compaction. */
static void make_populated(seg *g, size_t size)
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

static int populated_intact(const safeshm_store *s, const char *except)
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

typedef enum { BAD_HEADER, BAD_STATE, NEEDS_RECOVERY } header_expect;

typedef struct {
	const char *what;
	size_t off;
	int width;
	uint64_t (*value)(const seg *g);
	header_expect expect;
} header_case;

static uint64_t v_magic(const seg *g) { return hdr(g)->magic ^ 0x100u; }
static uint64_t v_version(const seg *g) { (void) g; return SAFESHM_LAYOUT_VERSION + 1; }
static uint64_t v_zero(const seg *g) { (void) g; return 0; }
static uint64_t v_plus8_64(const seg *g) { return hdr(g)->size + 8; }
static uint64_t v_nslots2(const seg *g) { return (uint64_t) g->s.nslots * 2; }
static uint64_t v_idx1(const seg *g) { return g->s.index_off[1] + 8; }
static uint64_t v_arena_off(const seg *g) { return g->s.arena_off - 8; }
static uint64_t v_arena_end(const seg *g) { return g->s.arena_end + 8; }
static uint64_t v_name_len(const seg *g) { (void) g; return SAFESHM_MAX_NAME_LEN + 1; }
static uint64_t v_beyond_end(const seg *g) { return g->s.arena_end + 8; }
static uint64_t v_huge(const seg *g) { (void) g; return UINT64_MAX - 7; }
static uint64_t v_below_arena(const seg *g) { return g->s.arena_off - 8; }
static uint64_t v_misaligned(const seg *g) { return hdr(g)->arena_top + 4; }
static uint64_t v_seven(const seg *g) { (void) g; return 7; }
static uint64_t v_over_top(const seg *g) { return hdr(g)->arena_top - g->s.arena_off + 8; }
static uint64_t v_over_slots(const seg *g) { return (uint64_t) g->s.nslots + 1; }
static uint64_t v_odd_seq(const seg *g) { return hdr(g)->seq | 1; }

#define HF(f) offsetof(safeshm_header, f), (int) sizeof(((safeshm_header *) 0)->f)

static const header_case header_cases[] = {
	{ "magic flipped", HF(magic), v_magic, BAD_HEADER },
	{ "magic zero", HF(magic), v_zero, BAD_HEADER },
	{ "version + 1", HF(version), v_version, BAD_HEADER },
	{ "size + 8", HF(size), v_plus8_64, BAD_HEADER },
	{ "size 0", HF(size), v_zero, BAD_HEADER },
	{ "header_size 0", HF(header_size), v_zero, BAD_HEADER },
	{ "nslots doubled", HF(nslots), v_nslots2, BAD_HEADER },
	{ "nslots 0", HF(nslots), v_zero, BAD_HEADER },
	{ "index_off[1] + 8", offsetof(safeshm_header, index_off) + 8, 8, v_idx1, BAD_HEADER },
	{ "arena_off - 8", HF(arena_off), v_arena_off, BAD_HEADER },
	{ "arena_end + 8", HF(arena_end), v_arena_end, BAD_HEADER },
	{ "name_len 201", HF(name_len), v_name_len, BAD_HEADER },
	{ "arena_top beyond the end", HF(arena_top), v_beyond_end, BAD_STATE },
	{ "arena_top huge", HF(arena_top), v_huge, BAD_STATE },
	{ "arena_top below the arena", HF(arena_top), v_below_arena, BAD_STATE },
	{ "arena_top misaligned", HF(arena_top), v_misaligned, BAD_STATE },
	{ "active = 7", HF(active), v_seven, BAD_STATE },
	{ "used beyond arena_top", HF(used), v_over_top, BAD_STATE },
	{ "used huge", HF(used), v_huge, BAD_STATE },
	{ "dead beyond arena_top", HF(dead), v_over_top, BAD_STATE },
	{ "entries > nslots", HF(entries), v_over_slots, BAD_STATE },
	{ "tombs > nslots", HF(tombs), v_over_slots, BAD_STATE },
	{ "seq odd", HF(seq), v_odd_seq, NEEDS_RECOVERY },
	{ "journal with a wild source", HF(mv_src), v_huge, NEEDS_RECOVERY },
};

static void set_field(seg *g, size_t off, int width, uint64_t v)
{
	if (width == 4) {
		uint32_t x = (uint32_t) v;
		memcpy(g->buf + off, &x, 4);
	} else {
		memcpy(g->buf + off, &v, 8);
	}
}

static void run_header_case(void *arg)
{
	const header_case *c = arg;
	seg base, g;
	int64_t r;
	safeshm_stats st;
	safeshm_status hs;

	make_populated(&base, 8192);
	seg_copy(&g, &base);
	set_field(&g, c->off, c->width, c->value(&g));
	if (c->off == offsetof(safeshm_header, mv_src)) {
		/* a journal entry: mv_len makes it live */
		hdr(&g)->mv_len = 16;
		hdr(&g)->mv_dst = g.s.arena_off;
	}
	hs = safeshm_store_check_header(&g.s);
	switch (c->expect) {
		case BAD_HEADER:
			CHECKF(hs == SAFESHM_CORRUPT || hs == SAFESHM_FOREIGN || hs == SAFESHM_VERSION, "%s: check_header %s", c->what, stname(hs));
			CHECKF(safeshm_store_verify(&g.s) == hs, "%s: verify %s", c->what, stname(safeshm_store_verify(&g.s)));
			{
				unsigned char *snap = malloc(g.size);
				memcpy(snap, g.buf, g.size);
				CHECKF(safeshm_store_open(&g.s, "pop", 3) == hs, "%s: open", c->what);
				CHECKF(memcmp(snap, g.buf, g.size) == 0, "%s: open wrote to a segment it refused", c->what);
				free(snap);
			}
			break;
		case BAD_STATE:
			/* check_header is the cheap geometry check; the counters are check_state's */
			CHECKF(safeshm_store_verify(&g.s) == SAFESHM_CORRUPT, "%s: verify %s", c->what, stname(safeshm_store_verify(&g.s)));
			CHECKF(kput(&g.s, "new", SAFESHM_T_STRING, "v", 1, SAFESHM_PUT_REPLACE) == SAFESHM_CORRUPT, "%s: put", c->what);
			CHECKF(kput(&g.s, "r1", SAFESHM_T_STRING, "v", 1, SAFESHM_PUT_REPLACE) == SAFESHM_CORRUPT, "%s: replace", c->what);
			CHECKF(kdel(&g.s, "r1") == SAFESHM_CORRUPT, "%s: delete", c->what);
			CHECKF(kincr(&g.s, "r4", 1, &r) == SAFESHM_CORRUPT, "%s: increment", c->what);
			CHECKF(safeshm_store_compact(&g.s) == SAFESHM_CORRUPT, "%s: compact", c->what);
			CHECKF(safeshm_store_stats(&g.s, &st) == SAFESHM_CORRUPT, "%s: stats", c->what);
			break;
		case NEEDS_RECOVERY:
			CHECKF(hs == SAFESHM_OK, "%s: check_header %s", c->what, stname(hs));
			CHECKF(safeshm_store_needs_recovery(&g.s), "%s", c->what);
			CHECKF(safeshm_store_verify(&g.s) == SAFESHM_CORRUPT, "%s: verify before recovery", c->what);
			CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
			CHECKF(!safeshm_store_needs_recovery(&g.s), "%s", c->what);
			CHECKF(safeshm_store_verify(&g.s) == SAFESHM_OK, "%s: verify after recovery", c->what);
			CHECKF(populated_intact(&g.s, NULL), "%s: entries lost by recovery", c->what);
			break;
	}
	/* whatever the damage, nothing may crash; the populated keys are looked up too */
	exercise(&g.s);
	seg_free(&g);
	seg_free(&base);
}

typedef struct {
	const char *name;
	size_t off;
	int width;
} field;

#define FIELD(f) { #f, HF(f) }

static const field header_fields[] = {
	FIELD(magic), FIELD(version), FIELD(size), FIELD(header_size), FIELD(nslots),
	{ "index_off[0]", offsetof(safeshm_header, index_off), 8 },
	{ "index_off[1]", offsetof(safeshm_header, index_off) + 8, 8 },
	FIELD(arena_off), FIELD(arena_end), FIELD(seq), FIELD(arena_top), FIELD(used), FIELD(dead),
	FIELD(entries), FIELD(tombs), FIELD(active), FIELD(removed), FIELD(compactions), FIELD(writes),
	FIELD(mv_src), FIELD(mv_dst), FIELD(mv_len), FIELD(mv_done), FIELD(mv_slot), FIELD(mv_active),
	FIELD(name_len), FIELD(lock_owner), FIELD(lock_semid),
};

/* Every header field set to boundary and random values, mv_len made live
 * for the journal fields: never a crash. */
static void run_header_sweep(void *arg)
{
	const field *f = arg;
	seg base;

	rng_state = base_seed() ^ (f->off * 0x9E3779B97F4A7C15ull) ^ 1;
	make_populated(&base, 8192);
	for (int k = 0; k < 48; k++) {
		seg g;
		uint64_t v;
		const safeshm_header *h = hdr(&base);
		uint64_t fixed[] = { 0, 1, 2, 3, 7, 8, 16, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu, 1ull << 32, UINT64_MAX,
			base.size, base.size - 8, base.size + 8, base.size / 8, base.s.arena_off, base.s.arena_off - 8,
			base.s.arena_off + 8, base.s.arena_end, base.s.arena_end - 8, base.s.arena_end - SAFESHM_REC_HDR,
			h->arena_top, h->arena_top + 8, h->arena_top - 8, h->used + 8, base.s.nslots, base.s.nslots - 1,
			base.s.index_off[1] };
		size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);

		v = (size_t) k < nfixed ? fixed[k] : (rnd_below(2) ? rnd() : rnd_below(base.size + 64));
		seg_copy(&g, &base);
		set_field(&g, f->off, f->width, v);
		if (f->off >= offsetof(safeshm_header, mv_src) && f->off <= offsetof(safeshm_header, mv_active)
				&& f->off != offsetof(safeshm_header, mv_len)) {
			safeshm_header *gh = hdr(&g);
			gh->mv_len = 8 * (1 + rnd_below(8));
			if (f->off != offsetof(safeshm_header, mv_src)) {
				gh->mv_src = g.s.arena_off + 8 * rnd_below(64);
			}
		}
		exercise(&g.s);
		seg_free(&g);
	}
	seg_free(&base);
}

/*
 * put() decides whether a record fits from header->used before compacting,
 * and writes at the post-compaction arena_top without checking again. A
 * used counter that understates the live bytes (foreign writes, a bit flip)
 * then makes it write past the end of the segment.
 */
static void run_stale_used(void *arg)
{
	const size_t size = 4096, guard = 4096;
	unsigned char *buf = malloc(size + guard), val[2000];
	safeshm_store s;
	safeshm_status st;
	size_t i;

	(void) arg;
	memset(buf, 0, size);
	memset(buf + size, 0xA5, guard);
	safeshm_store_bind(&s, buf, size);
	CHECK_ST(safeshm_store_open(&s, NULL, 0), SAFESHM_OK);
	fill_pattern(val, sizeof(val), 3);
	CHECK_ST(kput(&s, "a", SAFESHM_T_STRING, val, sizeof(val), SAFESHM_PUT_REPLACE), SAFESHM_OK);
	((safeshm_header *) buf)->used = 0;    /* understated: passes check_state */
	st = kput(&s, "b", SAFESHM_T_STRING, val, sizeof(val), SAFESHM_PUT_REPLACE);
	for (i = guard; i > 0 && buf[size + i - 1] == 0xA5; i--) {
	}
	CHECKF(i == 0, "put() wrote up to %zu bytes past the end of a %zu-byte segment whose used counter was 0 "
		"(returned %s); shm_store.c put(): no arena_top + rsz check after compact()", i, size, stname(st));
	CHECKF(st != SAFESHM_OK, "put() returned OK for a 2048-byte record into %" PRIu64 " free bytes",
		(uint64_t) (s.arena_end - s.arena_off) - safeshm_record_size(1, sizeof(val)));
	free(buf);
}

/*
 * Readers take the live index as active & 1; recover() resets an active > 1
 * to 0 instead, so a stray bit in active makes recovery rebuild from the
 * stale copy: entries added or replaced since the last compaction silently
 * vanish or revert, and verify() then passes.
 */
static void run_active_stray_bit(void *arg)
{
	seg g;
	char key[16];
	safeshm_view v;
	int seen_before = 0, seen_after = 0;
	(void) arg;

	seg_format(&g, 8192, NULL);
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		CHECK_ST(put_str(&g.s, key, "0123456789"), SAFESHM_OK);
	}
	CHECK_ST(kdel(&g.s, "k0"), SAFESHM_OK);
	CHECK_ST(safeshm_store_compact(&g.s), SAFESHM_OK);
	CHECK(hdr(&g)->active == 1);
	CHECK_ST(put_str(&g.s, "k5", "NEW"), SAFESHM_OK);
	CHECK_ST(put_str(&g.s, "k0", "back"), SAFESHM_OK);
	hdr(&g)->active = 3;
	hdr(&g)->seq |= 1;          /* and a holder died: recovery runs */
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		seen_before += kfind(&g.s, key, &v) == SAFESHM_OK;
	}
	CHECK(has_str(&g.s, "k5", "NEW") && has_str(&g.s, "k0", "back"));
	CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		seen_after += kfind(&g.s, key, &v) == SAFESHM_OK;
	}
	CHECKF(seen_after == seen_before, "readers saw %d keys before recovery, %d after", seen_before, seen_after);
	CHECKF(has_str(&g.s, "k5", "NEW"), "k5 reverted to its value before the last compaction "
		"(shm_store.c recover(): active > 1 reset to 0, readers use active & 1)");
	CHECKF(has_str(&g.s, "k0", "back"), "k0, added after the last compaction, lost by recovery");
	seg_free(&g);
}

/* ---- corrupted records ---------------------------------------------- */

typedef enum {
	R_SLOT_BEYOND_END, R_SLOT_HEADER, R_SLOT_INDEX, R_SLOT_LAST8, R_SLOT_LAST_HDR, R_SLOT_MAX,
	R_TOTAL_MISALIGNED, R_TOTAL_BEYOND_END, R_TOTAL_HUGE, R_TOTAL_SHORT,
	R_KEY_LEN_0, R_KEY_LEN_MAX1, R_KEY_LEN_HUGE, R_VAL_LEN_HUGE, R_VAL_LEN_TOTAL,
	R_TYPE_99, R_TYPE_0, R_TYPE_8, R_MAGIC, R_LONG_LEN_4, R_TRUE_LEN_1,
	R_NCASES
} rec_case;

static const char *rec_case_name[R_NCASES] = {
	"slot beyond the arena end", "slot into the header", "slot into the index", "slot at the last 8 bytes",
	"slot at arena_end - 40 (zero bytes)", "slot UINT32_MAX",
	"total not a multiple of 8", "total beyond the arena end", "total 0xFFFFFFF8", "total shorter than key+value",
	"key_len 0", "key_len 4097", "key_len 0xFFFFFFFF", "val_len 0xFFFFFFFF", "val_len = total",
	"type 99", "type 0", "type 8", "magic 0", "int with val_len 4", "true with val_len 1",
};

/* Offset of key's record, and the index slot that publishes it. */
static uint64_t record_of(const seg *g, const char *key, uint32_t *slot_out)
{
	safeshm_view v;
	uint64_t off;
	const uint32_t *idx;

	if (kfind(&g->s, key, &v) != SAFESHM_OK) {
		return 0;
	}
	off = (uint64_t) (v.data - g->buf) - SAFESHM_REC_HDR;
	idx = (const uint32_t *) (g->buf + g->s.index_off[hdr(g)->active & 1]);
	for (uint32_t i = 0; i < g->s.nslots; i++) {
		if ((uint64_t) idx[i] << 3 == off) {
			*slot_out = i;
			return off;
		}
	}
	return 0;
}

static void run_record_case(void *arg)
{
	rec_case c = (rec_case) (intptr_t) arg;
	const char *what = rec_case_name[c];
	const char *key = (c == R_LONG_LEN_4) ? "r4" : (c == R_TRUE_LEN_1) ? "r6" : "r3";
	seg g;
	safeshm_record *r;
	uint32_t slot = 0, *idx;
	uint64_t off;
	safeshm_view v;
	int64_t res;
	iter_ctx ic;

	make_populated(&g, 8192);
	off = record_of(&g, key, &slot);
	CHECK(off != 0);
	if (!off) {
		return;
	}
	r = (safeshm_record *) (g.buf + off);
	idx = (uint32_t *) (g.buf + g.s.index_off[hdr(&g)->active & 1]);
	switch (c) {
		case R_SLOT_BEYOND_END: idx[slot] = (uint32_t) (g.size / 8 + 100); break;
		case R_SLOT_HEADER: idx[slot] = 2; break;
		case R_SLOT_INDEX: idx[slot] = (uint32_t) (g.s.index_off[0] / 8 + 1); break;
		case R_SLOT_LAST8: idx[slot] = (uint32_t) ((g.s.arena_end - 8) / 8); break;
		case R_SLOT_LAST_HDR: idx[slot] = (uint32_t) ((g.s.arena_end - SAFESHM_REC_HDR) / 8); break;
		case R_SLOT_MAX: idx[slot] = UINT32_MAX; break;
		case R_TOTAL_MISALIGNED: r->total += 4; break;
		case R_TOTAL_BEYOND_END: r->total = (uint32_t) (g.s.arena_end - off + 8); break;
		case R_TOTAL_HUGE: r->total = 0xFFFFFFF8u; break;
		case R_TOTAL_SHORT: r->total = SAFESHM_REC_HDR; break;
		case R_KEY_LEN_0: r->key_len = 0; break;
		case R_KEY_LEN_MAX1: r->key_len = SAFESHM_MAX_KEY_LEN + 1; break;
		case R_KEY_LEN_HUGE: r->key_len = UINT32_MAX; break;
		case R_VAL_LEN_HUGE: r->val_len = UINT32_MAX; break;
		case R_VAL_LEN_TOTAL: r->val_len = r->total; break;
		case R_TYPE_99: r->type = 99; break;
		case R_TYPE_0: r->type = 0; break;
		case R_TYPE_8: r->type = SAFESHM_T_MAX + 1; break;
		case R_MAGIC: r->magic = 0; break;
		case R_LONG_LEN_4: r->val_len = 4; break;
		case R_TRUE_LEN_1: r->val_len = 1; break;
		case R_NCASES: break;
	}
	CHECKF(kfind(&g.s, key, &v) == SAFESHM_CORRUPT, "%s: find %s", what, stname(kfind(&g.s, key, &v)));
	CHECKF(safeshm_store_verify(&g.s) == SAFESHM_CORRUPT, "%s: verify", what);
	memset(&ic, 0, sizeof(ic));
	CHECKF(safeshm_store_iterate(&g.s, count_cb, &ic) == SAFESHM_CORRUPT, "%s: iterate", what);
	CHECKF(kput(&g.s, key, SAFESHM_T_STRING, "v", 1, SAFESHM_PUT_REPLACE) == SAFESHM_CORRUPT, "%s: put", what);
	CHECKF(kdel(&g.s, key) == SAFESHM_CORRUPT, "%s: delete", what);
	CHECKF(kincr(&g.s, key, 1, &res) == SAFESHM_CORRUPT, "%s: increment", what);
	CHECKF(safeshm_store_compact(&g.s) == SAFESHM_CORRUPT, "%s: compact", what);
	CHECKF(safeshm_store_verify(&g.s) == SAFESHM_CORRUPT, "%s: verify after refused ops", what);
	/* recovery drops the bad record and keeps every other */
	CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
	CHECKF(safeshm_store_verify(&g.s) == SAFESHM_OK, "%s: verify after recovery", what);
	CHECKF(kfind(&g.s, key, &v) == SAFESHM_NOT_FOUND, "%s: the bad record survived recovery", what);
	CHECKF(populated_intact(&g.s, key), "%s: recovery lost intact entries", what);
	CHECK_ST(put_str(&g.s, key, "rewritten"), SAFESHM_OK);
	CHECK(has_str(&g.s, key, "rewritten"));
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

/* Damage that leaves every record loadable: only verify can see it. */
static void run_record_subtle(void *arg)
{
	seg g;
	uint32_t slot = 0, *idx, mask;
	uint64_t off;
	safeshm_view v;
	(void) arg;

	/* the stored hash does not match the key */
	make_populated(&g, 8192);
	off = record_of(&g, "r3", &slot);
	((safeshm_record *) (g.buf + off))->hash ^= 1;
	CHECK(kfind(&g.s, "r3", &v) != SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_CORRUPT);
	exercise(&g.s);
	seg_free(&g);

	/* two slots publish the same record */
	make_populated(&g, 8192);
	off = record_of(&g, "r3", &slot);
	idx = (uint32_t *) (g.buf + g.s.index_off[hdr(&g)->active & 1]);
	mask = g.s.nslots - 1;
	for (uint32_t i = (slot + 1) & mask; i != slot; i = (i + 1) & mask) {
		if (idx[i] == 0) {
			idx[i] = (uint32_t) (off >> 3);
			break;
		}
	}
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_CORRUPT);
	CHECK_ST(safeshm_store_compact(&g.s), SAFESHM_CORRUPT);
	CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	CHECK(populated_intact(&g.s, NULL));
	seg_free(&g);

	/* a record header forged inside another record's value, and published */
	{
		unsigned char val[200];
		safeshm_record fake;
		const char *gk = "ghost";
		uint64_t h = safeshm_hash(gk, 5), voff;

		make_populated(&g, 8192);
		memset(val, 'v', sizeof(val));
		memset(&fake, 0, sizeof(fake));
		fake.magic = SAFESHM_REC_MAGIC;
		fake.type = SAFESHM_T_STRING;
		fake.total = (uint32_t) safeshm_record_size(5, 3);
		fake.key_len = 5;
		fake.val_len = 3;
		fake.hash = h;
		memcpy(val + 8, &fake, sizeof(fake));
		memcpy(val + 8 + sizeof(fake), "BOOghost", 8);
		CHECK_ST(kput(&g.s, "host", SAFESHM_T_STRING, val, sizeof(val), SAFESHM_PUT_REPLACE), SAFESHM_OK);
		off = record_of(&g, "host", &slot);
		voff = off + SAFESHM_REC_HDR + 8;
		CHECK((voff & 7) == 0);
		idx = (uint32_t *) (g.buf + g.s.index_off[hdr(&g)->active & 1]);
		mask = g.s.nslots - 1;
		for (uint32_t i = (uint32_t) h & mask;; i = (i + 1) & mask) {
			if (idx[i] == 0) {
				idx[i] = (uint32_t) (voff >> 3);
				hdr(&g)->entries++;
				break;
			}
		}
		/* counters made consistent, so that only the overlap gives it away */
		CHECK(hdr(&g)->dead >= fake.total);
		hdr(&g)->used += fake.total;
		hdr(&g)->dead -= fake.total;
		CHECK(kfind(&g.s, "ghost", &v) == SAFESHM_OK);   /* looks valid on its own */
		CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_CORRUPT);
		CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
		CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
		CHECK_ST(kfind(&g.s, "ghost", &v), SAFESHM_NOT_FOUND);
		CHECK(has_bytes(&g.s, "host", SAFESHM_T_STRING, val, sizeof(val)));
		CHECK(populated_intact(&g.s, NULL));
		seg_free(&g);
	}

	/* a published record lying above arena_top */
	make_populated(&g, 8192);
	hdr(&g)->arena_top -= 8;
	hdr(&g)->dead -= hdr(&g)->dead >= 8 ? 8 : 0;
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_CORRUPT);
	exercise(&g.s);
	seg_free(&g);

	/* a valid record ending exactly at the arena end is fine */
	{
		seg e;
		size_t vlen;
		safeshm_stats st;
		seg_format(&e, 4096, NULL);
		CHECK_ST(put_str(&e.s, "a", "x"), SAFESHM_OK);
		st = stats_of(&e.s);
		vlen = (size_t) (st.arena_size - st.used) - SAFESHM_REC_HDR - 1;
		{
			unsigned char *b = calloc(1, vlen);
			CHECK_ST(kput(&e.s, "z", SAFESHM_T_STRING, b, vlen, SAFESHM_PUT_REPLACE), SAFESHM_OK);
			free(b);
		}
		CHECK(hdr(&e)->arena_top == e.s.arena_end);
		CHECK_ST(safeshm_store_verify(&e.s), SAFESHM_OK);
		CHECK(kfind(&e.s, "z", &v) == SAFESHM_OK && v.len == vlen);
		seg_free(&e);
	}
}

/* ---- crash recovery ------------------------------------------------- */

static const char *hook_names[] = {
	"put:written", "put:published", "compact:journal", "compact:chunk",
	"compact:moved", "compact:rebuilt", "delete:published", "clear:published",
};
#define NHOOKS ((int) (sizeof(hook_names) / sizeof(hook_names[0])))

static jmp_buf crash_jmp;
static long hook_calls, hook_target;
static int hook_last;          /* index in hook_names of the last call */
static int hook_unknown;       /* calls with a name not in hook_names */
static char hook_trace[4096];  /* names of the calls, for dry runs */

static void crash_hook(const char *where)
{
	int k = -1;
	for (int i = 0; i < NHOOKS; i++) {
		if (strcmp(where, hook_names[i]) == 0) {
			k = i;
		}
	}
	if (k < 0) {
		hook_unknown++;
	}
	hook_last = k;
	hook_calls++;
	if (strlen(hook_trace) + strlen(where) + 2 < sizeof(hook_trace)) {
		strcat(hook_trace, where);
		strcat(hook_trace, " ");
	}
	if (hook_target && hook_calls == hook_target) {
		longjmp(crash_jmp, 1);
	}
}

static void arm(long target)
{
	hook_calls = 0;
	hook_target = target;
	hook_last = -1;
	hook_trace[0] = 0;
	safeshm_store_fault_hook = crash_hook;
}

static void disarm(void)
{
	safeshm_store_fault_hook = NULL;
	hook_target = 0;
}

/* A model of the store: the value each key should have. */
#define MAXV 1400

typedef struct {
	int present;
	safeshm_type type;
	size_t len;
	unsigned char data[MAXV];
} mval;

typedef struct {
	seg g;
	int nkeys;
	mval *m;
	uint64_t arena, max_entries;
} world;

typedef enum { OP_PUT, OP_ADD, OP_DELETE, OP_INCR, OP_CLEAR, OP_COMPACT } op_kind;

typedef struct {
	op_kind kind;
	int key;
	safeshm_type type;
	size_t len;
	unsigned char data[MAXV];
	int64_t by;
} op;

static const char *op_name[] = { "put", "add", "delete", "increment", "clear", "compact" };

static size_t key_of(int i, char *out)
{
	return (size_t) sprintf(out, "key-%d", i);
}

static void world_new(world *w, size_t size, int nkeys)
{
	seg_format(&w->g, size, "world");
	w->nkeys = nkeys;
	w->m = calloc((size_t) nkeys, sizeof(mval));
	w->arena = stats_of(&w->g.s).arena_size;
	w->max_entries = stats_of(&w->g.s).max_entries;
}

static void world_free(world *w)
{
	seg_free(&w->g);
	free(w->m);
}

static uint64_t model_used(const world *w, const mval *m, uint64_t *entries)
{
	uint64_t used = 0, n = 0;
	char k[32];
	for (int i = 0; i < w->nkeys; i++) {
		if (m[i].present) {
			used += safeshm_record_size(key_of(i, k), m[i].len);
			n++;
		}
	}
	*entries = n;
	return used;
}

/* Applies o to model m; returns the status the store must give. */
static safeshm_status model_apply(const world *w, mval *m, const op *o)
{
	char k[32];
	size_t klen = key_of(o->key, k);
	mval *v = &m[o->key];
	uint64_t entries, used = model_used(w, m, &entries);
	int64_t cur, next;

	switch (o->kind) {
		case OP_PUT:
		case OP_ADD:
			if (o->kind == OP_ADD && v->present) {
				return SAFESHM_EXISTS;
			}
			if ((!v->present && entries + 1 > w->max_entries) || used + safeshm_record_size(klen, o->len) > w->arena) {
				return SAFESHM_FULL;
			}
			v->present = 1;
			v->type = o->type;
			v->len = o->len;
			memcpy(v->data, o->data, o->len);
			return SAFESHM_OK;
		case OP_DELETE:
			if (!v->present) {
				return SAFESHM_NOT_FOUND;
			}
			v->present = 0;
			return SAFESHM_OK;
		case OP_INCR:
			if (!v->present) {
				if (entries + 1 > w->max_entries || used + safeshm_record_size(klen, 8) > w->arena) {
					return SAFESHM_FULL;
				}
				next = o->by;
			} else {
				if (v->type != SAFESHM_T_LONG) {
					return SAFESHM_NOT_LONG;
				}
				memcpy(&cur, v->data, 8);
				if (__builtin_add_overflow(cur, o->by, &next)) {
					return SAFESHM_OVERFLOW;
				}
			}
			v->present = 1;
			v->type = SAFESHM_T_LONG;
			v->len = 8;
			memcpy(v->data, &next, 8);
			return SAFESHM_OK;
		case OP_CLEAR:
			for (int i = 0; i < w->nkeys; i++) {
				m[i].present = 0;
			}
			return SAFESHM_OK;
		case OP_COMPACT:
			return SAFESHM_OK;
	}
	return SAFESHM_OK;
}

static safeshm_status store_apply(world *w, const op *o)
{
	char k[32];
	size_t klen = key_of(o->key, k);
	uint64_t h = safeshm_hash(k, klen);
	int64_t r;

	switch (o->kind) {
		case OP_PUT:
		case OP_ADD:
			return safeshm_store_put(&w->g.s, k, klen, h, o->type, o->data, o->len,
				o->kind == OP_ADD ? SAFESHM_PUT_ADD : SAFESHM_PUT_REPLACE);
		case OP_DELETE:
			return safeshm_store_delete(&w->g.s, k, klen, h);
		case OP_INCR:
			return safeshm_store_increment(&w->g.s, k, klen, h, o->by, &r);
		case OP_CLEAR:
			return safeshm_store_clear(&w->g.s);
		case OP_COMPACT:
			return safeshm_store_compact(&w->g.s);
	}
	return SAFESHM_OK;
}

/* Runs o with the hook armed at call `target` (0: never); 1 if it "died". */
static int run_op(world *w, const op *o, long target, safeshm_status *st)
{
	arm(target);
	if (setjmp(crash_jmp) != 0) {
		disarm();
		return 1;
	}
	*st = store_apply(w, o);
	disarm();
	return 0;
}

/* Recovery, itself killed at call `target` when non-zero, then finished. */
static int run_recover(world *w, long target, safeshm_status *st)
{
	arm(target);
	if (setjmp(crash_jmp) != 0) {
		disarm();
		return 1;
	}
	*st = safeshm_store_recover(&w->g.s);
	disarm();
	return 0;
}

/* 1 when the store holds exactly model m, key by key and in count. */
static int store_matches(const world *w, const mval *m)
{
	char k[32];
	uint64_t entries;
	safeshm_stats st;

	for (int i = 0; i < w->nkeys; i++) {
		size_t klen = key_of(i, k);
		safeshm_view v;
		safeshm_status fs = safeshm_store_find(&w->g.s, k, klen, safeshm_hash(k, klen), &v);
		if (m[i].present) {
			if (fs != SAFESHM_OK || v.type != m[i].type || v.len != m[i].len
					|| (v.len && memcmp(v.data, m[i].data, v.len) != 0)) {
				return 0;
			}
		} else if (fs != SAFESHM_NOT_FOUND) {
			return 0;
		}
	}
	model_used(w, m, &entries);
	return safeshm_store_stats(&w->g.s, &st) == SAFESHM_OK && st.entries == entries;
}

static void describe_mismatch(const world *w, const mval *old, const mval *new_)
{
	char k[32];
	for (int i = 0; i < w->nkeys; i++) {
		size_t klen = key_of(i, k);
		safeshm_view v;
		safeshm_status fs = safeshm_store_find(&w->g.s, k, klen, safeshm_hash(k, klen), &v);
		printf("    %s: store %s type %d len %zu | old %s len %zu | new %s len %zu\n", k, stname(fs),
			fs == SAFESHM_OK ? (int) v.type : 0, fs == SAFESHM_OK ? v.len : 0,
			old[i].present ? "present" : "absent", old[i].len, new_[i].present ? "present" : "absent", new_[i].len);
	}
}

/* Reloads model m from the store, so that one divergence is reported once. */
static void resync(const world *w, mval *m)
{
	char k[32];
	for (int i = 0; i < w->nkeys; i++) {
		size_t klen = key_of(i, k);
		safeshm_view v;
		m[i].present = safeshm_store_find(&w->g.s, k, klen, safeshm_hash(k, klen), &v) == SAFESHM_OK && v.len <= MAXV;
		if (m[i].present) {
			m[i].type = v.type;
			m[i].len = v.len;
			memcpy(m[i].data, v.data, v.len);
		}
	}
}

typedef struct {
	long ops, crashes, double_faults, status_mismatch, state_mismatch, not_flagged, recover_fail,
		verify_fail, torn_verified, stats_mismatch, printed;
	long crashes_at[NHOOKS];
} crash_tally;

/*
 * After a crash: the segment must say so, recover, verify, and hold either
 * the whole old state or the whole new one. The model becomes whichever it is.
 */
static void after_crash(world *w, mval *old, mval *new_, const op *o, long recover_target, crash_tally *t, const char *ctx)
{
	safeshm_status st = SAFESHM_OK;
	int ok = 1;

	t->crashes++;
	if (hook_last >= 0) {
		t->crashes_at[hook_last]++;
	}
	if (!safeshm_store_needs_recovery(&w->g.s)) {
		t->not_flagged++;
		ok = 0;
	}
	if (safeshm_store_verify(&w->g.s) == SAFESHM_OK) {
		t->torn_verified++;
		ok = 0;
	}
	if (recover_target && run_recover(w, recover_target, &st)) {
		t->double_faults++;
		if (!safeshm_store_needs_recovery(&w->g.s)) {
			t->not_flagged++;
			ok = 0;
		}
	}
	if (run_recover(w, 0, &st) || st != SAFESHM_OK) {
		t->recover_fail++;
		ok = 0;
	}
	if (safeshm_store_needs_recovery(&w->g.s) || safeshm_store_verify(&w->g.s) != SAFESHM_OK) {
		t->verify_fail++;
		ok = 0;
	}
	if (store_matches(w, old)) {
		memcpy(new_, old, sizeof(mval) * (size_t) w->nkeys);
	} else if (store_matches(w, new_)) {
		memcpy(old, new_, sizeof(mval) * (size_t) w->nkeys);
	} else {
		t->state_mismatch++;
		ok = 0;
	}
	if (!ok && t->printed++ < 5) {
		printf("  crash during %s of key-%d (len %zu) at hook call %ld (%s), recovery crashed at %ld: %s\n",
			op_name[o->kind], o->key, o->len, hook_calls, hook_last >= 0 ? hook_names[hook_last] : "?",
			recover_target, ctx);
		describe_mismatch(w, old, new_);
	}
	if (!ok) {
		resync(w, old);
		memcpy(new_, old, sizeof(mval) * (size_t) w->nkeys);
	}
}

/* After an op that ran to completion: its status and effect are the model's. */
static void after_op(world *w, mval *old, mval *new_, const op *o, safeshm_status got, safeshm_status want, crash_tally *t)
{
	safeshm_stats st;
	uint64_t entries;
	int ok = 1;

	if (got != want) {
		t->status_mismatch++;
		ok = 0;
	}
	if (safeshm_store_verify(&w->g.s) != SAFESHM_OK) {
		t->verify_fail++;
		ok = 0;
	}
	if (!store_matches(w, new_)) {
		t->state_mismatch++;
		ok = 0;
	}
	safeshm_store_stats(&w->g.s, &st);
	if (st.used != model_used(w, new_, &entries) || st.entries != entries) {
		t->stats_mismatch++;
		ok = 0;
	}
	if (!ok && t->printed++ < 5) {
		printf("  %s of key-%d (type %d, len %zu, by %" PRId64 "): got %s, model says %s\n", op_name[o->kind], o->key,
			(int) o->type, o->len, o->by, stname(got), stname(want));
		describe_mismatch(w, old, new_);
	}
	if (ok) {
		memcpy(old, new_, sizeof(mval) * (size_t) w->nkeys);
	} else {
		resync(w, old);
	}
}

static void random_value(op *o, size_t maxlen)
{
	uint64_t t = rnd_below(100);
	double d;

	o->len = 0;
	if (t < 50 || t >= 95) {
		uint64_t r = rnd_below(100);
		o->type = t < 50 ? SAFESHM_T_STRING : SAFESHM_T_SERIALIZED;
		o->len = r < 60 ? rnd_below(41) : r < 90 ? 40 + rnd_below(260) : 300 + rnd_below(maxlen - 300);
		fill_pattern(o->data, o->len, rnd());
	} else if (t < 65) {
		int64_t x = (int64_t) rnd_below(2000) - 1000;
		o->type = SAFESHM_T_LONG;
		o->len = 8;
		if (rnd_below(10) == 0) {
			x = rnd_below(2) ? INT64_MAX - (int64_t) rnd_below(3) : INT64_MIN + (int64_t) rnd_below(3);
		}
		memcpy(o->data, &x, 8);
	} else if (t < 80) {
		o->type = SAFESHM_T_DOUBLE;
		o->len = 8;
		d = (double) rnd() / 7.0;
		memcpy(o->data, &d, 8);
	} else {
		o->type = t < 85 ? SAFESHM_T_TRUE : t < 90 ? SAFESHM_T_FALSE : SAFESHM_T_NULL;
	}
}

static void random_op(const world *w, op *o, size_t maxlen)
{
	uint64_t r = rnd_below(1000);

	memset(o, 0, offsetof(op, data));
	o->key = (int) rnd_below((uint64_t) w->nkeys);
	if (r < 450) {
		o->kind = OP_PUT;
	} else if (r < 550) {
		o->kind = OP_ADD;
	} else if (r < 750) {
		o->kind = OP_DELETE;
	} else if (r < 960) {
		o->kind = OP_INCR;
		o->by = rnd_below(20) == 0 ? (rnd_below(2) ? INT64_MAX : INT64_MIN) : (int64_t) rnd_below(201) - 100;
	} else if (r < 995) {
		o->kind = OP_COMPACT;
	} else {
		o->kind = OP_CLEAR;
	}
	if (o->kind == OP_PUT || o->kind == OP_ADD) {
		random_value(o, maxlen);
	}
}

static void report_tally(const crash_tally *t, const char *what)
{
	CHECKF(t->status_mismatch == 0, "%s: %ld ops returned another status than the model", what, t->status_mismatch);
	CHECKF(t->state_mismatch == 0, "%s: %ld times the store differed from the model (both old and new)", what, t->state_mismatch);
	CHECKF(t->not_flagged == 0, "%s: %ld crashes left needs_recovery() == 0", what, t->not_flagged);
	CHECKF(t->torn_verified == 0, "%s: %ld torn segments passed verify()", what, t->torn_verified);
	CHECKF(t->recover_fail == 0, "%s: %ld recoveries failed", what, t->recover_fail);
	CHECKF(t->verify_fail == 0, "%s: %ld times verify() failed after an op or a recovery", what, t->verify_fail);
	CHECKF(t->stats_mismatch == 0, "%s: %ld times stats used/entries differed from the model", what, t->stats_mismatch);
}

/* A long random workload in a small segment, killed at random hook calls. */
static void run_crash_random(void *arg)
{
	const size_t *cfg = arg;     /* { segment size, keys, max value length, ops } */
	world w;
	op *o = malloc(sizeof(op));
	mval *old, *new_;
	crash_tally t;
	uint64_t seed = base_seed() ^ cfg[0];
	long hooks_seen = 0;

	memset(&t, 0, sizeof(t));
	rng_state = seed | 1;
	world_new(&w, cfg[0], (int) cfg[1]);
	old = w.m;
	new_ = calloc((size_t) w.nkeys, sizeof(mval));
	for (long i = 0; i < (long) cfg[3]; i++) {
		safeshm_status want, got = SAFESHM_OK;
		long target = 0, rtarget = 0;

		random_op(&w, o, cfg[2]);
		memcpy(new_, old, sizeof(mval) * (size_t) w.nkeys);
		want = model_apply(&w, new_, o);
		if (rnd_below(4) == 0) {
			target = rnd_below(10) < 7 ? 1 + (long) rnd_below(4) : 1 + (long) rnd_below(80);
			rtarget = rnd_below(4) == 0 ? 1 + (long) rnd_below(30) : 0;
		}
		t.ops++;
		if (run_op(&w, o, target, &got)) {
			after_crash(&w, old, new_, o, rtarget, &t, "random workload");
		} else {
			after_op(&w, old, new_, o, got, want, &t);
		}
	}
	report_tally(&t, "random workload");
	for (int k = 0; k < NHOOKS; k++) {
		hooks_seen += t.crashes_at[k] > 0;
	}
	CHECKF(hooks_seen == NHOOKS, "the workload crashed at %ld of the %d hook points", hooks_seen, NHOOKS);
	CHECKF(hook_unknown == 0, "%d hook calls with an unknown name", hook_unknown);
	printf("crash workload (%zu-byte segment, %zu keys, seed %#" PRIx64 "): %ld ops, %ld crashes (%ld also during recovery), "
		"%" PRIu64 " compactions, %" PRIu64 " recoveries; crashes per point:",
		cfg[0], cfg[1], seed, t.ops, t.crashes, t.double_faults, stats_of(&w.g.s).compactions, stats_of(&w.g.s).recoveries);
	for (int k = 0; k < NHOOKS; k++) {
		printf(" %s=%ld", hook_names[k], t.crashes_at[k]);
	}
	printf("\n");
	free(new_);
	free(o);
	world_free(&w);
}

/* Deterministic scenarios: each reaches given hook points; the op is killed
 * at every one of its hook calls in turn, and recovery is killed at every
 * one of its own calls too. */

static op *mk(op_kind kind, int key, safeshm_type type, size_t len, uint64_t seed)
{
	static op o;
	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.key = key;
	o.type = type;
	o.len = len;
	if (type == SAFESHM_T_STRING) {
		fill_pattern(o.data, len, seed);
	} else if (type == SAFESHM_T_LONG) {
		int64_t x = (int64_t) seed;
		memcpy(o.data, &x, 8);
		o.len = 8;
	}
	return &o;
}

static void apply_ok(world *w, const op *o)
{
	safeshm_status want = model_apply(w, w->m, o), got = store_apply(w, o);
	CHECKF(got == want && want == SAFESHM_OK, "setup %s key-%d: got %s", op_name[o->kind], o->key, stname(got));
}

typedef struct {
	const char *name;
	void (*setup)(world *w, op *target);
	const char *must_hit;   /* space-separated hook names the op must reach */
	int want_tombs;         /* the op must leave a tombstone (delete inside a chain) */
} scenario;

static void sc_put_new(world *w, op *t)
{
	apply_ok(w, mk(OP_PUT, 0, SAFESHM_T_STRING, 100, 1));
	apply_ok(w, mk(OP_PUT, 1, SAFESHM_T_LONG, 8, 2));
	*t = *mk(OP_PUT, 2, SAFESHM_T_STRING, 200, 3);
}

static void sc_replace(world *w, op *t)
{
	sc_put_new(w, t);
	*t = *mk(OP_PUT, 0, SAFESHM_T_STRING, 300, 4);
}

static void sc_put_compacts(world *w, op *t)
{
	for (int i = 0; i < 10; i++) {
		apply_ok(w, mk(OP_PUT, i, SAFESHM_T_STRING, 250, (uint64_t) i));
	}
	apply_ok(w, mk(OP_DELETE, 1, 0, 0, 0));
	apply_ok(w, mk(OP_DELETE, 3, 0, 0, 0));
	apply_ok(w, mk(OP_DELETE, 5, 0, 0, 0));
	*t = *mk(OP_PUT, 10, SAFESHM_T_STRING, 800, 11);
}

static void sc_replace_compacts(world *w, op *t)
{
	apply_ok(w, mk(OP_PUT, 2, SAFESHM_T_STRING, 700, 1));
	apply_ok(w, mk(OP_PUT, 0, SAFESHM_T_STRING, 800, 2));
	apply_ok(w, mk(OP_PUT, 1, SAFESHM_T_STRING, 1000, 3));
	apply_ok(w, mk(OP_DELETE, 2, 0, 0, 0));
	*t = *mk(OP_PUT, 0, SAFESHM_T_STRING, 800, 4);
}

static void sc_slide_big(world *w, op *t)
{
	apply_ok(w, mk(OP_PUT, 0, SAFESHM_T_STRING, 10, 1));
	apply_ok(w, mk(OP_PUT, 1, SAFESHM_T_STRING, 1300, 2));
	apply_ok(w, mk(OP_PUT, 2, SAFESHM_T_LONG, 8, 3));
	apply_ok(w, mk(OP_DELETE, 0, 0, 0, 0));
	*t = *mk(OP_COMPACT, 0, 0, 0, 0);
}

static void sc_delete_chain_end(world *w, op *t)
{
	apply_ok(w, mk(OP_PUT, 0, SAFESHM_T_STRING, 30, 1));
	*t = *mk(OP_DELETE, 0, 0, 0, 0);
}

/* two keys with the same home slot: deleting the first leaves a tombstone */
static void sc_delete_mid_chain(world *w, op *t)
{
	char a[32], b[32];
	uint32_t mask = w->g.s.nslots - 1;
	int x = -1, y = -1;

	for (int i = 0; i < w->nkeys && x < 0; i++) {
		for (int j = i + 1; j < w->nkeys; j++) {
			size_t la = key_of(i, a), lb = key_of(j, b);
			if ((safeshm_hash(a, la) & mask) == (safeshm_hash(b, lb) & mask)) {
				x = i;
				y = j;
				break;
			}
		}
	}
	CHECKF(x >= 0, "no two of the %d keys share a home slot", w->nkeys);
	if (x < 0) {
		x = 0;
		y = 1;
	}
	apply_ok(w, mk(OP_PUT, x, SAFESHM_T_STRING, 30, 1));
	apply_ok(w, mk(OP_PUT, y, SAFESHM_T_STRING, 30, 2));
	*t = *mk(OP_DELETE, x, 0, 0, 0);
}

static void sc_clear(world *w, op *t)
{
	for (int i = 0; i < 6; i++) {
		apply_ok(w, mk(OP_PUT, i, SAFESHM_T_STRING, 40 * (size_t) i, (uint64_t) i));
	}
	apply_ok(w, mk(OP_DELETE, 2, 0, 0, 0));
	*t = *mk(OP_CLEAR, 0, 0, 0, 0);
}

static void sc_incr_missing(world *w, op *t)
{
	apply_ok(w, mk(OP_PUT, 0, SAFESHM_T_STRING, 30, 1));
	*t = *mk(OP_INCR, 5, 0, 0, 0);
	t->by = 7;
}

static const scenario scenarios[] = {
	{ "put of a new key", sc_put_new, "put:written put:published", 0 },
	{ "replace", sc_replace, "put:written put:published", 0 },
	{ "put that compacts first", sc_put_compacts,
		"compact:journal compact:chunk compact:moved compact:rebuilt put:written put:published", 0 },
	{ "replace that compacts first", sc_replace_compacts, "compact:journal compact:chunk compact:moved compact:rebuilt put:written put:published", 0 },
	{ "compaction sliding a large record over a small gap", sc_slide_big,
		"compact:journal compact:chunk compact:moved compact:rebuilt", 0 },
	{ "delete at the end of a probe chain", sc_delete_chain_end, "delete:published", 0 },
	{ "delete inside a probe chain", sc_delete_mid_chain, "delete:published", 1 },
	{ "clear", sc_clear, "clear:published", 0 },
	{ "increment of a missing key", sc_incr_missing, "put:written put:published", 0 },
};

static void run_crash_scenarios(void *arg)
{
	int seen[NHOOKS] = { 0 };
	crash_tally t;
	long combos = 0;

	(void) arg;
	memset(&t, 0, sizeof(t));
	for (size_t sc = 0; sc < sizeof(scenarios) / sizeof(scenarios[0]); sc++) {
		const scenario *S = &scenarios[sc];
		world w;
		op *o = malloc(sizeof(op));
		unsigned char *snap;
		mval *m0, *old, *new_;
		safeshm_status want, got = SAFESHM_OK;
		long ncalls;
		char trace[sizeof(hook_trace)];
		char names[256], *tok, *save = NULL;

		test_name = S->name;
		world_new(&w, 4096, 24);
		S->setup(&w, o);
		snap = malloc(w.g.size);
		memcpy(snap, w.g.buf, w.g.size);
		m0 = malloc(sizeof(mval) * 24);
		old = malloc(sizeof(mval) * 24);
		new_ = malloc(sizeof(mval) * 24);
		memcpy(m0, w.m, sizeof(mval) * 24);

		/* dry run: which hook calls does the op make? */
		memcpy(new_, m0, sizeof(mval) * 24);
		want = model_apply(&w, new_, o);
		CHECKF(!run_op(&w, o, 0, &got) && got == want && want == SAFESHM_OK, "dry run: %s", stname(got));
		ncalls = hook_calls;
		memcpy(trace, hook_trace, sizeof(trace));
		CHECKF(store_matches(&w, new_) && safeshm_store_verify(&w.g.s) == SAFESHM_OK, "dry run result");
		if (S->want_tombs) {
			CHECKF(stats_of(&w.g.s).tombs > 0, "the delete did not leave a tombstone");
		}
		snprintf(names, sizeof(names), "%s", S->must_hit);
		for (tok = strtok_r(names, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			CHECKF(strstr(trace, tok) != NULL, "the op never reached %s (trace: %.300s)", tok, trace);
		}

		for (long i = 1; i <= ncalls; i++) {
			long rcalls;

			/* killed at call i, then recovered */
			memcpy(w.g.buf, snap, w.g.size);
			memcpy(old, m0, sizeof(mval) * 24);
			memcpy(new_, m0, sizeof(mval) * 24);
			model_apply(&w, new_, o);
			if (!run_op(&w, o, i, &got)) {
				CHECKF(0, "hook call %ld of %ld did not fire", i, ncalls);
				continue;
			}
			seen[hook_last >= 0 ? hook_last : 0]++;
			after_crash(&w, old, new_, o, 0, &t, S->name);
			combos++;
			/* and the store goes on working */
			{
				safeshm_status st2 = put_str(&w.g.s, "after", "crash");
				CHECKF(st2 == SAFESHM_OK && has_str(&w.g.s, "after", "crash")
					&& safeshm_store_verify(&w.g.s) == SAFESHM_OK, "store unusable after recovery (crash at call %ld)", i);
			}

			/* killed at call i, recovery killed at each of its calls, recovered again */
			memcpy(w.g.buf, snap, w.g.size);
			run_op(&w, o, i, &got);
			arm(0);
			safeshm_store_recover(&w.g.s);
			rcalls = hook_calls;
			disarm();
			for (long j = 1; j <= rcalls; j++) {
				memcpy(w.g.buf, snap, w.g.size);
				memcpy(old, m0, sizeof(mval) * 24);
				memcpy(new_, m0, sizeof(mval) * 24);
				model_apply(&w, new_, o);
				run_op(&w, o, i, &got);
				after_crash(&w, old, new_, o, j, &t, S->name);
				combos++;
			}
		}
		free(snap);
		free(m0);
		free(old);
		free(new_);
		free(o);
		world_free(&w);
	}
	test_name = "crash_scenarios";
	report_tally(&t, "crash scenarios");
	for (int k = 0; k < NHOOKS; k++) {
		CHECKF(seen[k] > 0, "no scenario crashed at %s", hook_names[k]);
	}
	printf("crash scenarios: %zu scenarios, %ld crash points recovered (%ld with recovery also killed)\n",
		sizeof(scenarios) / sizeof(scenarios[0]), combos, t.double_faults);
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

/* ---- lock kind ------------------------------------------------------ */

static const seg *lock_init_seg;
static int lock_init_calls, lock_init_saw_magic, lock_init_fail;

static int fake_lock_init(void *area)
{
	lock_init_calls++;
	lock_init_saw_magic = ((const safeshm_header *) lock_init_seg->buf)->magic != 0;
	if (lock_init_fail) {
		return -1;
	}
	memset(area, 0x6D, 16);
	return 0;
}

static void test_lock_kind(void)
{
	seg g;
	safeshm_store s2;
	safeshm_header *h;

	test_name = "lock_kind";
	/* a mutex store: lock area prepared before the magic publishes it */
	seg_new(&g, 8192);
	lock_init_seg = &g;
	lock_init_calls = 0;
	lock_init_fail = 0;
	CHECK_ST(safeshm_store_open_as(&g.s, "app", 3, 1, fake_lock_init), SAFESHM_OK);
	h = hdr(&g);
	CHECK(lock_init_calls == 1 && !lock_init_saw_magic);
	CHECK(h->lock_kind == 1 && safeshm_store_lock_kind(&g.s) == 1);
	CHECK(h->version == SAFESHM_LAYOUT_VERSION);
	CHECK(safeshm_store_lock_area(&g.s) == (void *) h->lock_area && ((uintptr_t) h->lock_area & 7u) == 0);
	CHECK(h->lock_area[0] == 0x6D && h->lock_area[15] == 0x6D && h->lock_area[16] == 0);
	/* attaching never formats again, whatever kind the attacher would use */
	safeshm_store_bind(&s2, g.buf, g.size);
	CHECK_ST(safeshm_store_open_as(&s2, "app", 3, 0, fake_lock_init), SAFESHM_OK);
	CHECK_ST(safeshm_store_open(&s2, "app", 3), SAFESHM_OK);
	CHECK(lock_init_calls == 1 && safeshm_store_lock_kind(&s2) == 1);
	CHECK_ST(put_str(&g.s, "k", "v"), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	/* a kind no build knows, or layout 1 claiming a mutex: damaged */
	h->lock_kind = 2;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_CORRUPT);
	h->lock_kind = 1;
	h->version = 1;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_CORRUPT);
	/* layout 1 (before the mutex lock, semaphore only) is still opened */
	h->lock_kind = 0;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_OK);
	CHECK(has_str(&g.s, "k", "v"));
	h->version = 0;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_VERSION);
	h->version = SAFESHM_LAYOUT_VERSION + 1;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_VERSION);
	seg_free(&g);

	/* a failed lock init leaves the segment blank, for the next creator */
	seg_new(&g, 8192);
	lock_init_seg = &g;
	lock_init_fail = 1;
	CHECK_ST(safeshm_store_open_as(&g.s, NULL, 0, 1, fake_lock_init), SAFESHM_NOMEM);
	CHECK(safeshm_store_is_blank(&g.s));
	lock_init_fail = 0;
	CHECK_ST(safeshm_store_open_as(&g.s, NULL, 0, 5, fake_lock_init), SAFESHM_CORRUPT);
	CHECK(safeshm_store_is_blank(&g.s));
	/* the semaphore kind: no init, lock area untouched */
	CHECK_ST(safeshm_store_open(&g.s, NULL, 0), SAFESHM_OK);
	CHECK(safeshm_store_lock_kind(&g.s) == 0 && hdr(&g)->lock_area[0] == 0);
	seg_free(&g);
}

int main(void)
{
	static const size_t small_cfg[] = { 4096, 24, 1100, 150000 };
	static const size_t wide_cfg[] = { 16384, 120, 1400, 60000 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	printf("test_store: seed %#" PRIx64 " (SAFESHM_TEST_SEED to change)\n", base_seed());

	test_format_and_reopen();
	test_lock_kind();
	test_geometry();
	test_basic_ops();
	test_replace_never_grows();
	test_full_keeps_old();
	test_fragmentation();
	test_max_entries();
	test_clear();
	test_iterate();

	for (size_t i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		isolated(header_cases[i].what, run_header_case, (void *) &header_cases[i]);
	}
	for (size_t i = 0; i < sizeof(header_fields) / sizeof(header_fields[0]); i++) {
		static char names[sizeof(header_fields) / sizeof(header_fields[0])][64];
		snprintf(names[i], sizeof(names[i]), "header sweep: %s", header_fields[i].name);
		isolated(names[i], run_header_sweep, (void *) &header_fields[i]);
	}
	isolated("put with an understated used counter", run_stale_used, NULL);
	isolated("recovery with a stray bit in active", run_active_stray_bit, NULL);
	for (int c = 0; c < R_NCASES; c++) {
		isolated(rec_case_name[c], run_record_case, (void *) (intptr_t) c);
	}
	isolated("records that only verify can fault", run_record_subtle, NULL);

	isolated("crash scenarios", run_crash_scenarios, NULL);
	isolated("crash workload, small segment", run_crash_random, (void *) small_cfg);
	isolated("crash workload, index pressure", run_crash_random, (void *) wide_cfg);

	if (getenv("SAFESHM_SKIP_HUGE")) {
		printf("huge value: skipped (SAFESHM_SKIP_HUGE)\n");
	} else if (mem_available() < ((uint64_t) 10 << 30)) {
		printf("huge value: skipped (needs 10 GiB available, have %" PRIu64 " MiB)\n", mem_available() >> 20);
	} else {
		isolated("a value whose record exceeds 4 GiB", run_huge_total, NULL);
	}

	printf("%ld passed, %ld failed\n", tally->passed, tally->failed);
	fflush(stdout);
	return tally->failed ? 1 : 0;
}
