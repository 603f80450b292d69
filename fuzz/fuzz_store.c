/*
 * libFuzzer target for the SafeShm store: the input bytes are the segment.
 *
 * The input is copied into an exact-size heap buffer (so ASan guards its end)
 * of at least SAFESHM_MIN_SIZE bytes, zero-padded, capped at 64 KiB, and
 * driven the way the extension drives an attached segment: open, check the
 * header, read, recover when told to, mutate, verify. Any status is fine;
 * a crash, a sanitizer report or a broken property below is a finding.
 *
 * The first put takes its key and length from the header's reserved bytes,
 * so that the fuzzer steers an operation's parameters too.
 *
 * Most mutated inputs fail the header check at once, so each input also runs
 * a second time with the geometry fields patched to match its size: the
 * records, the index and the mutable counters stay as the fuzzer made them.
 *
 * Properties checked (abort on violation):
 *  - a segment that verify() accepts is still accepted after any operation;
 *  - clear() on a segment with a valid header leaves one that verify() accepts.
 */
#include "../shm_store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP 65536u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static unsigned touch_sum;

/* Reads every byte a view exposes: ASan sees any outside the segment. */
static int touch(const safeshm_view *v, void *ctx)
{
	unsigned s = 0;
	for (size_t i = 0; i < v->len; i++) {
		s += v->data[i];
	}
	for (size_t i = 0; i < v->key_len; i++) {
		s += v->key[i];
	}
	touch_sum += s + (unsigned) v->type;
	(void) ctx;
	return 0;
}

typedef struct {
	int n;
	size_t len[4];
	unsigned char key[4][64];
} found_keys;

/* Collects up to four short keys of the segment, to hit existing records. */
static int collect(const safeshm_view *v, void *ctx)
{
	found_keys *f = ctx;
	if (v->key_len <= sizeof(f->key[0]) && f->n < 4) {
		memcpy(f->key[f->n], v->key, v->key_len);
		f->len[f->n] = v->key_len;
		f->n++;
	}
	return f->n == 4;
}

static void broken(const char *what, const char *op, safeshm_status st)
{
	fprintf(stderr, "fuzz_store: %s after %s (%s)\n", what, op, safeshm_status_str(st));
	abort();
}

/* While healthy, every operation must leave a segment verify() accepts. */
static void still_healthy(const safeshm_store *s, int *healthy, const char *op)
{
	safeshm_status st;
	if (!*healthy) {
		return;
	}
	st = safeshm_store_verify(s);
	if (st != SAFESHM_OK) {
		broken("a segment verify() accepted was broken", op, st);
	}
}

static void run(unsigned char *buf, size_t size)
{
	static const char *fixed[] = { "a", "counter", "key-1", "seed-str", "seed-long" };
	safeshm_store s;
	safeshm_header *h = (safeshm_header *) buf;
	safeshm_stats st;
	safeshm_view v;
	found_keys f;
	static unsigned char val[CAP];   /* every value length below is at most the segment size */
	int64_t r;
	int healthy;
	size_t big = size / 3;

	safeshm_store_bind(&s, buf, size);
	safeshm_store_is_blank(&s);
	/* with and without a name; then with the name the header claims */
	safeshm_store_open(&s, NULL, 0);
	safeshm_store_open(&s, "fuzz", 4);
	if (h->name_len <= SAFESHM_MAX_NAME_LEN) {
		unsigned char name[SAFESHM_MAX_NAME_LEN];
		size_t nl = h->name_len;
		memcpy(name, h->name, nl);
		safeshm_store_open(&s, (const char *) name, nl);
	}
	if (safeshm_store_check_header(&s) != SAFESHM_OK) {
		return;
	}

	/* reading, as a lock-free reader would, before any repair */
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (safeshm_store_find(&s, fixed[i], strlen(fixed[i]), safeshm_hash(fixed[i], strlen(fixed[i])), &v) == SAFESHM_OK) {
			touch(&v, NULL);
		}
	}
	memset(&f, 0, sizeof(f));
	safeshm_store_iterate(&s, collect, &f);
	for (int i = 0; i < f.n; i++) {
		if (safeshm_store_find(&s, f.key[i], f.len[i], safeshm_hash(f.key[i], f.len[i]), &v) == SAFESHM_OK) {
			touch(&v, NULL);
		}
	}
	safeshm_store_iterate(&s, touch, NULL);
	safeshm_store_verify(&s);
	safeshm_store_stats(&s, &st);
	safeshm_store_read_valid(&s, safeshm_store_read_begin(&s));

	/* the lock holder's path: repair a torn segment first */
	if (safeshm_store_needs_recovery(&s)) {
		safeshm_store_recover(&s);
	}
	healthy = safeshm_store_verify(&s) == SAFESHM_OK;

	memset(val, 0x5A, sizeof(val));
	/* one put whose key and length the segment's reserved header bytes choose */
	{
		const unsigned char *rb = h->reserved;
		size_t vl = ((size_t) rb[0] | (size_t) rb[1] << 8) % (size + 1);
		unsigned pick = rb[2] % (unsigned) (f.n + 5);
		const void *k = pick < (unsigned) f.n ? (const void *) f.key[pick] : (const void *) fixed[pick - f.n];
		size_t kl = pick < (unsigned) f.n ? f.len[pick] : strlen(fixed[pick - f.n]);
		safeshm_store_put(&s, k, kl, safeshm_hash(k, kl), (rb[3] & 1) ? SAFESHM_T_SERIALIZED : SAFESHM_T_STRING,
			val, vl, (rb[3] & 2) ? SAFESHM_PUT_ADD : SAFESHM_PUT_REPLACE);
		still_healthy(&s, &healthy, "a put of a length the segment chose");
	}
	for (int i = 0; i < f.n; i++) {
		safeshm_store_put(&s, f.key[i], f.len[i], safeshm_hash(f.key[i], f.len[i]), SAFESHM_T_STRING, val,
			(size_t) (i * 37), SAFESHM_PUT_REPLACE);
		still_healthy(&s, &healthy, "a replace of a key found in the segment");
	}
	safeshm_store_put(&s, "a", 1, safeshm_hash("a", 1), SAFESHM_T_STRING, val, 100, SAFESHM_PUT_REPLACE);
	still_healthy(&s, &healthy, "put");
	safeshm_store_put(&s, "key-1", 5, safeshm_hash("key-1", 5), SAFESHM_T_SERIALIZED, val, big, SAFESHM_PUT_REPLACE);
	still_healthy(&s, &healthy, "a large put");
	safeshm_store_put(&s, "a", 1, safeshm_hash("a", 1), SAFESHM_T_NULL, NULL, 0, SAFESHM_PUT_ADD);
	still_healthy(&s, &healthy, "add");
	safeshm_store_increment(&s, "counter", 7, safeshm_hash("counter", 7), 3, &r);
	still_healthy(&s, &healthy, "increment");
	safeshm_store_increment(&s, "counter", 7, safeshm_hash("counter", 7), INT64_MAX, &r);
	still_healthy(&s, &healthy, "increment to overflow");
	if (f.n > 0) {
		safeshm_store_increment(&s, f.key[0], f.len[0], safeshm_hash(f.key[0], f.len[0]), 1, &r);
		still_healthy(&s, &healthy, "increment of a key found in the segment");
		safeshm_store_delete(&s, f.key[0], f.len[0], safeshm_hash(f.key[0], f.len[0]));
		still_healthy(&s, &healthy, "delete of a key found in the segment");
	}
	safeshm_store_delete(&s, "a", 1, safeshm_hash("a", 1));
	still_healthy(&s, &healthy, "delete");
	safeshm_store_compact(&s);
	still_healthy(&s, &healthy, "compact");
	safeshm_store_put(&s, "key-1", 5, safeshm_hash("key-1", 5), SAFESHM_T_STRING, val, big * 2, SAFESHM_PUT_REPLACE);
	still_healthy(&s, &healthy, "a larger put");
	safeshm_store_put(&s, "seed-long", 9, safeshm_hash("seed-long", 9), SAFESHM_T_STRING, val, size, SAFESHM_PUT_REPLACE);
	still_healthy(&s, &healthy, "a put larger than the segment");
	safeshm_store_iterate(&s, touch, NULL);
	safeshm_store_stats(&s, &st);
	safeshm_store_count_lock_wait(&s);
	safeshm_store_verify(&s);

	if (safeshm_store_needs_recovery(&s)) {
		safeshm_store_recover(&s);
	}
	safeshm_store_clear(&s);
	if (safeshm_store_verify(&s) != SAFESHM_OK) {
		broken("clear() left a segment verify() refuses", "clear", safeshm_store_verify(&s));
	}
	safeshm_store_put(&s, "a", 1, safeshm_hash("a", 1), SAFESHM_T_STRING, val, 10, SAFESHM_PUT_REPLACE);
	if (safeshm_store_verify(&s) != SAFESHM_OK) {
		broken("a put into a cleared segment broke it", "put", safeshm_store_verify(&s));
	}
}

/* Makes the fixed geometry match the buffer, keeping everything else. */
static void patch_geometry(unsigned char *buf, size_t size)
{
	safeshm_store s;
	safeshm_header *h = (safeshm_header *) buf;

	safeshm_store_bind(&s, buf, size);
	h->magic = SAFESHM_MAGIC;
	h->version = SAFESHM_LAYOUT_VERSION;
	h->size = size;
	h->header_size = SAFESHM_HEADER_SIZE;
	h->nslots = s.nslots;
	h->index_off[0] = s.index_off[0];
	h->index_off[1] = s.index_off[1];
	h->arena_off = s.arena_off;
	h->arena_end = s.arena_end;
	h->name_len %= SAFESHM_MAX_NAME_LEN + 1;
	h->lock_kind &= 1u; /* the store only records it; the lock's bytes are sem_lock.c's */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	size_t size = len < SAFESHM_MIN_SIZE ? SAFESHM_MIN_SIZE : len > CAP ? CAP : len;
	size_t n = len < size ? len : size;
	unsigned char *buf = malloc(size);
	safeshm_store s;
	int valid_as_is;

	if (!buf) {
		return 0;
	}
	memset(buf, 0, size);
	memcpy(buf, data, n);
	safeshm_store_bind(&s, buf, size);
	valid_as_is = safeshm_store_check_header(&s) == SAFESHM_OK;
	run(buf, size);

	if (!valid_as_is) {
		memset(buf, 0, size);
		memcpy(buf, data, n);
		patch_geometry(buf, size);
		run(buf, size);
	}
	free(buf);
	return 0;
}
