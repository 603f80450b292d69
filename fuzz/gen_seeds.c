/*
 * Writes the fuzzer's seed corpus: valid SafeShm segments of a few sizes,
 * with entries of every type, tombstones, dead bytes, and segments left torn
 * by a writer that died at a hook point (so recovery has work to do).
 * Deterministic: the same files every time.
 *
 * Usage: gen_seeds DIR
 */
#include "../shm_store.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf die;
static const char *die_at;
static int die_nth, calls;

static void hook(const char *where)
{
	if (die_at && strcmp(where, die_at) == 0 && ++calls == die_nth) {
		longjmp(die, 1);
	}
}

static const char *outdir;

static void save(const char *name, const unsigned char *buf, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void put(safeshm_store *s, const char *k, safeshm_type t, const void *v, size_t vl)
{
	if (safeshm_store_put(s, k, strlen(k), safeshm_hash(k, strlen(k)), t, v, vl, SAFESHM_PUT_REPLACE) != SAFESHM_OK) {
		fprintf(stderr, "gen_seeds: put %s failed\n", k);
		exit(1);
	}
}

static void del(safeshm_store *s, const char *k)
{
	safeshm_store_delete(s, k, strlen(k), safeshm_hash(k, strlen(k)));
}

static unsigned char *fresh(safeshm_store *s, size_t size, const char *name)
{
	unsigned char *buf = calloc(1, size);
	safeshm_store_bind(s, buf, size);
	if (safeshm_store_open(s, name, name ? strlen(name) : 0) != SAFESHM_OK) {
		fprintf(stderr, "gen_seeds: format failed\n");
		exit(1);
	}
	return buf;
}

/* A mix of every value type under short keys. */
static void populate(safeshm_store *s, int n, size_t vmax)
{
	unsigned char v[2048];
	char k[32];
	int64_t l = 42;
	double d = 1.5;

	for (size_t i = 0; i < sizeof(v); i++) {
		v[i] = (unsigned char) (i * 31 + 7);
	}
	put(s, "seed-str", SAFESHM_T_STRING, "hello", 5);
	put(s, "seed-long", SAFESHM_T_LONG, &l, 8);
	put(s, "counter", SAFESHM_T_LONG, &l, 8);
	put(s, "seed-double", SAFESHM_T_DOUBLE, &d, 8);
	put(s, "t", SAFESHM_T_TRUE, NULL, 0);
	put(s, "f", SAFESHM_T_FALSE, NULL, 0);
	put(s, "n", SAFESHM_T_NULL, NULL, 0);
	put(s, "ser", SAFESHM_T_SERIALIZED, "a:1:{i:0;s:1:\"x\";}", 18);
	for (int i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "key-%d", i);
		put(s, k, SAFESHM_T_STRING, v, (size_t) (i * 53) % (vmax + 1));
	}
}

/* Runs the op until the hook's nth call at `at`, leaving the segment torn. */
#define TORN(at, nth, op) do { \
		die_at = (at); die_nth = (nth); calls = 0; \
		safeshm_store_fault_hook = hook; \
		if (setjmp(die) == 0) { op; } \
		safeshm_store_fault_hook = NULL; die_at = NULL; \
	} while (0)

int main(int argc, char **argv)
{
	safeshm_store s;
	unsigned char *b, big[3000];
	int64_t r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	memset(big, 'B', sizeof(big));

	b = calloc(1, SAFESHM_MIN_SIZE);
	save("blank-4096", b, SAFESHM_MIN_SIZE);
	free(b);

	b = fresh(&s, 4096, NULL);
	save("empty-4096", b, 4096);
	free(b);

	b = fresh(&s, 4096, "seed");
	populate(&s, 8, 120);
	save("types-4096", b, 4096);
	free(b);

	b = fresh(&s, 8192, "seed");
	populate(&s, 30, 200);
	for (int i = 0; i < 30; i += 3) {
		char k[32];
		snprintf(k, sizeof(k), "key-%d", i);
		del(&s, k);
	}
	put(&s, "key-1", SAFESHM_T_STRING, "rewritten", 9);
	save("tombs-8192", b, 8192);
	safeshm_store_compact(&s);
	save("compacted-8192", b, 8192);
	free(b);

	b = fresh(&s, 5000, "odd");
	populate(&s, 10, 100);
	save("odd-5000", b, 5000);
	free(b);

	b = fresh(&s, 16384, NULL);
	populate(&s, 80, 40);
	save("dense-16384", b, 16384);
	free(b);

	b = fresh(&s, 32768, "big");
	populate(&s, 6, 50);
	put(&s, "big", SAFESHM_T_STRING, big, sizeof(big));
	put(&s, "big2", SAFESHM_T_SERIALIZED, big, 2000);
	save("bigvalues-32768", b, 32768);
	free(b);

	/* torn segments: a writer died at a hook point */
	b = fresh(&s, 4096, "seed");
	populate(&s, 4, 60);
	TORN("put:written", 1, put(&s, "key-1", SAFESHM_T_STRING, big, 300));
	save("torn-put-written-4096", b, 4096);
	free(b);

	b = fresh(&s, 4096, "seed");
	populate(&s, 4, 60);
	TORN("put:published", 1, put(&s, "new", SAFESHM_T_STRING, big, 100));
	save("torn-put-published-4096", b, 4096);
	free(b);

	b = fresh(&s, 8192, "seed");
	put(&s, "small", SAFESHM_T_STRING, "x", 1);
	put(&s, "large", SAFESHM_T_STRING, big, 1500);
	populate(&s, 5, 80);
	del(&s, "small");
	TORN("compact:chunk", 7, safeshm_store_compact(&s));
	save("torn-compact-chunk-8192", b, 8192);
	free(b);

	b = fresh(&s, 8192, "seed");
	populate(&s, 12, 150);
	del(&s, "key-2");
	del(&s, "seed-str");
	TORN("compact:moved", 2, safeshm_store_compact(&s));
	save("torn-compact-moved-8192", b, 8192);
	free(b);

	b = fresh(&s, 8192, "seed");
	populate(&s, 12, 150);
	del(&s, "key-3");
	TORN("compact:rebuilt", 1, safeshm_store_compact(&s));
	save("torn-compact-rebuilt-8192", b, 8192);
	free(b);

	b = fresh(&s, 4096, "seed");
	populate(&s, 6, 60);
	TORN("delete:published", 1, del(&s, "key-2"));
	save("torn-delete-4096", b, 4096);
	free(b);

	b = fresh(&s, 4096, "seed");
	populate(&s, 6, 60);
	TORN("clear:published", 1, safeshm_store_clear(&s));
	save("torn-clear-4096", b, 4096);
	free(b);

	b = fresh(&s, 4096, NULL);
	safeshm_store_increment(&s, "counter", 7, safeshm_hash("counter", 7), INT64_MAX - 1, &r);
	save("counter-near-max-4096", b, 4096);
	free(b);
	return 0;
}
