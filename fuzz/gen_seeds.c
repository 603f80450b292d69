/*
 * Writes the fuzzer's seed corpus: layout-3 segments made by the store
 * itself. Healthy ones (empty, every type and namespace, dense with a grown
 * index, big values, tombstones, TTL entries some of which have expired, a
 * fragmented heap, a full store after relocation and eviction), segments
 * left torn by a writer that "died" at each fault point (the fault hook
 * longjmps out of the store), including mid put_many with its journal
 * published and a recovery that died too, and a few with a script in the
 * header's reserved bytes (fuzz_script.h). Each seed is checked to be what
 * its name says, so a change in the store cannot silently empty the corpus.
 * Deterministic: the same files every time.
 *
 * Usage: gen_seeds DIR
 */
#include "../shm_store.h"
#include "fuzz_script.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seeds are written a little before the time the fuzzer reads them at, so
 * that some TTL entries have expired by then. */
#define GEN_NOW (FZ_NOW_BASE - 100000u)

static const char *outdir;
static uint64_t now = GEN_NOW;

static void die(const char *what)
{
	fprintf(stderr, "gen_seeds: %s\n", what);
	exit(1);
}

static void save(const char *name, const unsigned char *buf, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s-%zu", outdir, name, size);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- the store, driven as the extension does ------------------------ */

typedef struct {
	unsigned char *buf;
	size_t size;
	safeshm_store s;
} seg;

static void fresh(seg *g, size_t size, const char *name, uint32_t lock_kind)
{
	int formatted;
	g->buf = calloc(1, size);
	g->size = size;
	if (!g->buf) {
		die("out of memory");
	}
	safeshm_store_bind(&g->s, g->buf, size);
	if (safeshm_store_open(&g->s, name, name ? strlen(name) : 0, lock_kind, NULL, 1, now, &formatted) != SAFESHM_OK
			|| !formatted) {
		die("format failed");
	}
}

static void done(seg *g, const char *name)
{
	save(name, g->buf, g->size);
	free(g->buf);
	g->buf = NULL;
}

static void healthy(seg *g, const char *name)
{
	if (safeshm_store_verify(&g->s) != SAFESHM_OK) {
		fprintf(stderr, "gen_seeds: seed %s does not verify: %s\n", name, safeshm_verify_reason);
		exit(1);
	}
	done(g, name);
}

static safeshm_put_req req(uint8_t ns, const char *k, safeshm_type t, const void *v, size_t vl, uint64_t expires)
{
	safeshm_put_req q = { .ns = ns, .key = k, .klen = strlen(k), .hash = safeshm_key_hash(ns, k, strlen(k)),
		.type = t, .val = v, .vlen = vl, .expires = expires, .mode = SAFESHM_PUT_REPLACE };
	return q;
}

static safeshm_status try_put(seg *g, uint8_t ns, const char *k, safeshm_type t, const void *v, size_t vl,
	uint64_t expires)
{
	safeshm_put_req q = req(ns, k, t, v, vl, expires);
	return safeshm_store_put(&g->s, &q, now);
}

static void put(seg *g, const char *k, safeshm_type t, const void *v, size_t vl)
{
	if (try_put(g, SAFESHM_NS_DATA, k, t, v, vl, 0) != SAFESHM_OK) {
		fprintf(stderr, "gen_seeds: put %s failed\n", k);
		exit(1);
	}
}

static void del(seg *g, const char *k)
{
	safeshm_store_delete(&g->s, SAFESHM_NS_DATA, k, strlen(k), safeshm_key_hash(SAFESHM_NS_DATA, k, strlen(k)), now);
}

static unsigned char pattern[16384];

/* n string entries key-0 .. key-(n-1), lengths spread up to vmax. */
static void populate(seg *g, int n, size_t vmax)
{
	char k[32];
	for (int i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "key-%d", i);
		put(g, k, SAFESHM_T_STRING, pattern + i, (size_t) (i * 53) % (vmax + 1));
	}
}

static safeshm_stats stats(const seg *g)
{
	safeshm_stats st;
	if (safeshm_store_stats(&g->s, &st) != SAFESHM_OK) {
		die("stats failed");
	}
	return st;
}

static void expect(int cond, const char *what)
{
	if (!cond) {
		die(what);
	}
}

/* ---- torn segments -------------------------------------------------- */

static jmp_buf crash_jmp;
static const char *die_at;
static int die_nth, calls, died;

static void hook(const char *where)
{
	if (die_at && strcmp(where, die_at) == 0 && ++calls == die_nth) {
		died = 1;
		longjmp(crash_jmp, 1);
	}
}

/* Runs op until the nth call of the fault hook at `at`, leaving the segment
 * as a writer killed there would. */
#define TORN(at, nth, op) do { \
		die_at = (at); die_nth = (nth); calls = 0; died = 0; \
		safeshm_store_fault_hook = hook; \
		if (setjmp(crash_jmp) == 0) { op; } \
		safeshm_store_fault_hook = NULL; die_at = NULL; \
		if (!died) { die("fault point " at " not reached"); } \
	} while (0)

static void torn(seg *g, const char *name)
{
	int formatting = safeshm_store_check_header(&g->s) == SAFESHM_FORMATTING;
	expect(formatting || safeshm_store_needs_recovery(&g->s), "a torn seed needs no recovery");
	done(g, name);
}

/* A store whose next new key makes the index grow. */
static void before_growth(seg *g)
{
	char k[32];
	fresh(g, 8192, "grow", 0);
	for (int i = 0; stats(g).entries + 1u <= stats(g).max_entries; i++) {
		snprintf(k, sizeof(k), "g%d", i);
		put(g, k, SAFESHM_T_LONG, &i, 8);
	}
}

/* A store with enough free bytes for a 2000-byte value, but scattered. */
static void fragmented(seg *g, size_t size)
{
	char k[32];
	fresh(g, size, "frag", 1);
	for (int i = 0; ; i++) {
		snprintf(k, sizeof(k), "f%d", i);
		if (try_put(g, SAFESHM_NS_DATA, k, SAFESHM_T_STRING, pattern, 150u + (size_t) (i % 5) * 40u, 0) != SAFESHM_OK) {
			break;
		}
	}
	for (int i = 0; i < 200; i += 2) {
		snprintf(k, sizeof(k), "f%d", i);
		del(g, k);
	}
}

static void put_many3(seg *g)
{
	safeshm_put_req q[3] = {
		req(SAFESHM_NS_DATA, "key-1", SAFESHM_T_STRING, pattern, 300, 0),
		req(SAFESHM_NS_DATA, "many-new", SAFESHM_T_STRING, pattern + 1, 40, 0),
		req(SAFESHM_NS_DATA, "key-3", SAFESHM_T_SERIALIZED, pattern + 2, 90, now + 500000u),
	};
	safeshm_store_put_many(&g->s, q, 3, now);
}

/* ---- scripts -------------------------------------------------------- */

static void script(seg *g, const unsigned char *pre, size_t npre, const unsigned char *ops, size_t nops)
{
	safeshm_header *h = (safeshm_header *) g->buf;
	expect(npre <= FZ_PRE_LEN && FZ_PRE_LEN + nops <= sizeof(h->reserved), "script too long");
	memcpy(h->reserved, pre, npre);
	memcpy(h->reserved + FZ_PRE_LEN, ops, nops);
}

int main(int argc, char **argv)
{
	seg g;
	int64_t r, l = 42;
	double d = 1.5;
	char k[32];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	for (size_t i = 0; i < sizeof(pattern); i++) {
		pattern[i] = (unsigned char) (i * 31u + 7u);
	}

	/* healthy segments */
	g.buf = calloc(1, SAFESHM_MIN_SIZE);
	g.size = SAFESHM_MIN_SIZE;
	done(&g, "blank");

	fresh(&g, 4096, NULL, 1);
	healthy(&g, "empty");

	fresh(&g, 5000, "odd", 0);
	populate(&g, 6, 100);
	healthy(&g, "odd");

	fresh(&g, 4096, "types", 0);
	put(&g, "seed-str", SAFESHM_T_STRING, "hello", 5);
	put(&g, "seed-long", SAFESHM_T_LONG, &l, 8);
	put(&g, "seed-double", SAFESHM_T_DOUBLE, &d, 8);
	put(&g, "t", SAFESHM_T_TRUE, NULL, 0);
	put(&g, "f", SAFESHM_T_FALSE, NULL, 0);
	put(&g, "n", SAFESHM_T_NULL, NULL, 0);
	put(&g, "ser", SAFESHM_T_SERIALIZED, "a:1:{i:0;s:1:\"x\";}", 18);
	put(&g, "nat", SAFESHM_T_NATIVE, pattern, 24);
	put(&g, "bin", SAFESHM_T_BINARY, pattern, 16);
	expect(try_put(&g, SAFESHM_NS_LOCK, "lock:job", SAFESHM_T_BINARY, pattern, 16, 0) == SAFESHM_OK, "lock entry");
	expect(try_put(&g, SAFESHM_NS_FLIGHT, "seed-str", SAFESHM_T_LONG, &l, 8, now + 30000000u) == SAFESHM_OK,
		"flight entry");
	healthy(&g, "types");

	fresh(&g, 16384, NULL, 0);
	populate(&g, 150, 24);
	expect(stats(&g).index_slots > 64, "the index did not grow");
	healthy(&g, "index-grown");

	fresh(&g, 32768, "big", 0);
	populate(&g, 4, 50);
	put(&g, "big", SAFESHM_T_STRING, pattern, 12000);
	put(&g, "big2", SAFESHM_T_SERIALIZED, pattern + 3, 8000);
	put(&g, "big3", SAFESHM_T_NATIVE, pattern + 5, 3000);
	healthy(&g, "bigvalues");

	fresh(&g, 8192, "tombs", 0);
	populate(&g, 40, 40);
	for (int i = 0; i < 40; i += 3) {
		snprintf(k, sizeof(k), "key-%d", i);
		del(&g, k);
	}
	put(&g, "key-1", SAFESHM_T_STRING, "rewritten", 9);
	expect(stats(&g).tombs > 0, "no tombstones");
	healthy(&g, "tombs");

	fresh(&g, 8192, "ttl", 0);
	populate(&g, 6, 60);
	for (int i = 0; i < 24; i++) {
		/* expiring from 40 ms before the fuzzer's time to 80 ms after it */
		snprintf(k, sizeof(k), "ttl-%d", i);
		expect(try_put(&g, SAFESHM_NS_DATA, k, SAFESHM_T_STRING, pattern + i, (size_t) i * 11u,
			FZ_NOW_BASE - 40000u + (uint64_t) i * 5000u) == SAFESHM_OK, "ttl put");
	}
	{
		safeshm_status st = safeshm_store_increment(&g.s, SAFESHM_NS_DATA, "ttl-count", 9,
			safeshm_key_hash(SAFESHM_NS_DATA, "ttl-count", 9), 5, FZ_NOW_BASE + 1000u, now, &r);
		expect(st == SAFESHM_OK, "ttl increment");
	}
	healthy(&g, "ttl");

	fragmented(&g, 16384);
	expect(stats(&g).largest_free < 2000 && stats(&g).free > 2000, "the heap is not fragmented");
	healthy(&g, "frag");

	/* full: relocation made room, then TTL entries were evicted */
	fresh(&g, 8192, "full", 0);
	for (int i = 0; i < 400; i++) {
		snprintf(k, sizeof(k), "full-%d", i);
		if (try_put(&g, SAFESHM_NS_DATA, k, SAFESHM_T_STRING, pattern + i, 20u + (size_t) (i * 37) % 300u,
				i % 3 ? now + 1000u * (uint64_t) i : 0) != SAFESHM_OK) {
			break;
		}
		if (i % 4 == 1) {
			snprintf(k, sizeof(k), "full-%d", i - 1);
			del(&g, k);
		}
	}
	expect(stats(&g).evicted > 0 && stats(&g).compactions > 0, "neither relocation nor eviction happened");
	healthy(&g, "full");

	fresh(&g, 4096, NULL, 0);
	safeshm_store_increment(&g.s, SAFESHM_NS_DATA, "counter", 7, safeshm_key_hash(SAFESHM_NS_DATA, "counter", 7),
		INT64_MAX - 1, 0, now, &r);
	healthy(&g, "counter-near-max");

	/* torn: a writer died at each fault point */
	fresh(&g, 4096, "torn", 0);
	populate(&g, 4, 60);
	TORN("put:written", 1, put(&g, "key-1", SAFESHM_T_STRING, pattern, 300));
	torn(&g, "torn-put-written");

	fresh(&g, 4096, "torn", 0);
	populate(&g, 4, 60);
	TORN("put:published", 1, put(&g, "key-2", SAFESHM_T_STRING, pattern, 100));
	torn(&g, "torn-put-published");

	fresh(&g, 4096, "torn", 0);
	populate(&g, 6, 60);
	TORN("delete:published", 1, del(&g, "key-2"));
	torn(&g, "torn-delete-published");

	before_growth(&g);
	TORN("index:built", 1, put(&g, "grows", SAFESHM_T_STRING, "x", 1));
	torn(&g, "torn-index-built");

	before_growth(&g);
	TORN("index:published", 1, put(&g, "grows", SAFESHM_T_STRING, "x", 1));
	torn(&g, "torn-index-published");

	fragmented(&g, 16384);
	TORN("evacuate:moved", 2, put(&g, "needs-room", SAFESHM_T_STRING, pattern, 2000));
	torn(&g, "torn-evacuate-moved");

	fresh(&g, 8192, "torn", 0);
	populate(&g, 8, 80);
	TORN("putmany:written", 1, put_many3(&g));
	torn(&g, "torn-putmany-written");

	fresh(&g, 8192, "torn", 0);
	populate(&g, 8, 80);
	TORN("putmany:journal", 1, put_many3(&g));
	torn(&g, "torn-putmany-journal");

	fresh(&g, 8192, "torn", 0);
	populate(&g, 8, 80);
	TORN("putmany:published", 2, put_many3(&g));
	torn(&g, "torn-putmany-published");

	/* the repairing process died too */
	fresh(&g, 8192, "torn", 0);
	populate(&g, 8, 80);
	TORN("putmany:journal", 1, put_many3(&g));
	TORN("recover:journal", 1, safeshm_store_recover(&g.s));
	torn(&g, "torn-recover-journal");

	fresh(&g, 4096, "torn", 0);
	populate(&g, 4, 60);
	TORN("put:written", 1, put(&g, "key-1", SAFESHM_T_STRING, pattern, 300));
	TORN("recover:heap", 1, safeshm_store_recover(&g.s));
	torn(&g, "torn-recover-heap");

	/* a creator died formatting */
	{
		int formatted;
		g.buf = calloc(1, 4096);
		g.size = 4096;
		safeshm_store_bind(&g.s, g.buf, g.size);
		TORN("format:written", 1, safeshm_store_open(&g.s, "torn", 4, 0, NULL, 1, now, &formatted));
		torn(&g, "torn-format-written");
	}

	/* scripts (fuzz_script.h) */
	{
		/* the first put dies at its first fault point in a copy; the copy's
		 * recovery dies at its second */
		static const unsigned char pre[] = { 0, 0, 0, 1, 0, 2, 9 };
		static const unsigned char ops[] = {
			FZ_FILL, 0x90, 0x55,
			FZ_MANY, 3, 0x01, 0, 0, 0x10, 0, 0x02, 0, 1, 0, 0, 0x03, 0, 0, 0x20, 0, 0,
			FZ_PREFIX, 0x08, 0, 3,
			FZ_SCAN,
			FZ_RECOVER,
			FZ_END,
		};
		fragmented(&g, 16384);
		script(&g, pre, sizeof(pre), ops, sizeof(ops));
		healthy(&g, "script-frag");
	}
	{
		/* time passes: entries expire, a sweep, new entries with TTLs, an
		 * increment and a touch; a copy dies at the fifth fault point */
		static const unsigned char pre[] = { 0, 0, 0, 5, 0, 0, 3 };
		static const unsigned char ops[] = {
			FZ_TIME, 0x00, 0x08,
			FZ_SWEEP, 0,
			FZ_FILL, 0x20, 0xAA,
			FZ_INCR, 0x01, 0, 0x05, 0x00, 0x01, 0x10, 0x00,
			FZ_TOUCH, 0x06, 0, 0x00,
			FZ_PUT, 0x01, 0x06, 0, 2, 0x30, 0, 0, 0,
			FZ_SCAN,
			FZ_END,
		};
		fresh(&g, 8192, "ttl", 0);
		populate(&g, 6, 60);
		for (int i = 0; i < 12; i++) {
			snprintf(k, sizeof(k), "ttl-%d", i);
			try_put(&g, SAFESHM_NS_DATA, k, SAFESHM_T_STRING, pattern + i, (size_t) i * 17u,
				FZ_NOW_BASE + (uint64_t) i * 20000u);
		}
		script(&g, pre, sizeof(pre), ops, sizeof(ops));
		healthy(&g, "script-ttl");
	}
	return 0;
}
