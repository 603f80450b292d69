/*
 * Lock-free readers beside a writer, in separate processes sharing one
 * segment, without PHP. The writer rewrites, deletes, increments and
 * multi-puts keys with values that carry their own key, generation and
 * checksum, grows the index and forces relocations with big values; the
 * readers check every value they accept (a torn read would fail its
 * checksum) and that counters never go backwards. Then the writer is
 * stopped (SIGSTOP) in the middle of a put, and a reader must still read
 * every key at once, the one being written with its old value.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "store_common.h"

#include <signal.h>

#define SEG_SIZE (1u << 20)
#define NKEYS 400
#define NCOUNTERS 8
#define MAXV 70000

typedef struct {
	uint32_t key, gen, len, sum;
} vhead;

static uint32_t checksum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h = (h ^ p[i]) * 16777619u;
	}
	return h;
}

static size_t make_value(unsigned char *buf, uint32_t key, uint32_t gen, size_t len)
{
	vhead vh = { key, gen, (uint32_t) len, 0 };
	fill_pattern(buf + sizeof(vh), len, (uint64_t) key << 32 | gen);
	vh.sum = checksum(buf + sizeof(vh), len);
	memcpy(buf, &vh, sizeof(vh));
	return sizeof(vh) + len;
}

/* 0 when the bytes are a whole value of key; its generation in *gen. */
static int check_value(const unsigned char *buf, size_t n, uint32_t key, uint32_t *gen)
{
	vhead vh;
	if (n < sizeof(vh)) {
		return -1;
	}
	memcpy(&vh, buf, sizeof(vh));
	if (vh.key != key || vh.len != n - sizeof(vh) || checksum(buf + sizeof(vh), vh.len) != vh.sum) {
		return -1;
	}
	*gen = vh.gen;
	return 0;
}

typedef struct {
	long reads, found, retries, torn, backwards, corrupt, max_tries;
} rstats;

/* One lock-free read, as the glue does it: find, copy, validate; retry. */
static int read_key(const safeshm_store *s, const char *k, unsigned char *out, size_t *len, safeshm_type *type,
	rstats *rs)
{
	for (long tries = 1; ; tries++) {
		safeshm_view v;
		safeshm_status st = safeshm_store_find(s, 0, k, strlen(k), safeshm_key_hash(0, k, strlen(k)), now_us_fake, &v);
		if (tries > rs->max_tries) {
			rs->max_tries = tries;
		}
		if (st == SAFESHM_NOT_FOUND) {
			return 0;
		}
		if (st == SAFESHM_RETRY || st == SAFESHM_CORRUPT) {
			rs->retries++;
			if (st == SAFESHM_CORRUPT && tries > 1000) {
				rs->corrupt++;
				return 0;
			}
			continue;
		}
		*type = v.type;
		if (v.type == SAFESHM_T_LONG) {
			int64_t x = safeshm_store_view_long(&v);
			memcpy(out, &x, 8);
			*len = 8;
		} else {
			*len = v.len > MAXV + 64 ? MAXV + 64 : v.len;
			memcpy(out, v.data, *len);
		}
		if (safeshm_store_view_valid(s, &v)) {
			return 1;
		}
		rs->retries++;
	}
}

static void reader(seg *g, volatile int *stop, rstats *out)
{
	static unsigned char buf[MAXV + 64];
	int64_t last[NCOUNTERS] = { 0 };
	rstats rs = { 0 };
	char k[32];

	while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
		uint32_t i = (uint32_t) rnd_below(NKEYS + NCOUNTERS), gen;
		size_t len;
		safeshm_type t;
		if (i < NKEYS) {
			snprintf(k, sizeof(k), "key-%u", i);
		} else {
			snprintf(k, sizeof(k), "ctr-%u", i - NKEYS);
		}
		rs.reads++;
		if (!read_key(&g->s, k, buf, &len, &t, &rs)) {
			continue;
		}
		rs.found++;
		if (i < NKEYS) {
			if (t != SAFESHM_T_STRING || check_value(buf, len, i, &gen) != 0) {
				rs.torn++;
			}
		} else {
			int64_t x;
			memcpy(&x, buf, 8);
			if (t != SAFESHM_T_LONG || x < last[i - NKEYS]) {
				rs.backwards++;
			}
			last[i - NKEYS] = x;
		}
	}
	*out = rs;
}

static void writer(seg *g, long ops, uint32_t *gens)
{
	static unsigned char buf[MAXV + 64];
	char k[32];
	int64_t r;

	for (long n = 0; n < ops; n++) {
		uint32_t i = (uint32_t) rnd_below(NKEYS);
		uint64_t x = rnd_below(100);
		size_t len = x < 80 ? rnd_below(300) : x < 97 ? 300 + rnd_below(4000) : 20000 + rnd_below(MAXV - 20000);
		snprintf(k, sizeof(k), "key-%u", i);
		if (x < 70) {
			size_t vl = make_value(buf, i, ++gens[i], len);
			kput(&g->s, k, SAFESHM_T_STRING, buf, vl);
		} else if (x < 80) {
			kdel(&g->s, k);
		} else if (x < 90) {
			snprintf(k, sizeof(k), "ctr-%u", (unsigned) rnd_below(NCOUNTERS));
			kincr(&g->s, k, 1 + (int64_t) rnd_below(3), &r);
		} else if (x < 95) {
			/* three keys at once */
			static unsigned char mb[3][600];
			char mk[3][32];
			safeshm_put_req q[3];
			uint32_t ks[3] = { i, (i + 1) % NKEYS, (i + 2) % NKEYS };
			for (int j = 0; j < 3; j++) {
				size_t vl = make_value(mb[j], ks[j], ++gens[ks[j]], rnd_below(500));
				snprintf(mk[j], sizeof(mk[j]), "key-%u", ks[j]);
				q[j] = (safeshm_put_req) { .key = mk[j], .klen = strlen(mk[j]), .hash = safeshm_key_hash(0, mk[j], strlen(mk[j])),
					.type = SAFESHM_T_STRING, .val = mb[j], .vlen = vl };
			}
			safeshm_store_put_many(&g->s, q, 3, now_us_fake);
		} else {
			size_t vl = make_value(buf, i, ++gens[i], len);
			kput(&g->s, k, SAFESHM_T_STRING, buf, vl);
		}
	}
}

static void test_concurrent(void)
{
	seg g;
	volatile int *stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	rstats *rs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t readers[2];
	uint32_t *gens = calloc(NKEYS, sizeof(uint32_t));
	long total_reads = 0, found = 0, retries = 0, max_tries = 0;

	test_name = "concurrent";
	seg_new_shared(&g, SEG_SIZE);
	{
		int formatted;
		CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 1, now_us_fake, &formatted), SAFESHM_OK);
	}
	*stop = 0;
	for (int r = 0; r < 2; r++) {
		readers[r] = fork();
		if (readers[r] == 0) {
			rng_state = base_seed() + 1000u * (uint64_t) (r + 1);
			reader(&g, stop, &rs[r]);
			_exit(0);
		}
	}
	rng_state = base_seed();
	writer(&g, 60000, gens);
	__atomic_store_n(stop, 1, __ATOMIC_RELEASE);
	for (int r = 0; r < 2; r++) {
		int status;
		waitpid(readers[r], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECKF(rs[r].torn == 0, "reader %d accepted %ld torn values", r, rs[r].torn);
		CHECKF(rs[r].backwards == 0, "reader %d saw a counter go backwards %ld times", r, rs[r].backwards);
		CHECKF(rs[r].corrupt == 0, "reader %d saw a damaged record %ld times", r, rs[r].corrupt);
		total_reads += rs[r].reads;
		found += rs[r].found;
		retries += rs[r].retries;
		max_tries = rs[r].max_tries > max_tries ? rs[r].max_tries : max_tries;
	}
	CHECK(total_reads > 1000 && found > 0);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	printf("concurrent: 60000 writes (compactions %" PRIu64 ", index slots %" PRIu64 "), %ld reads by 2 readers, %ld found, "
		"%ld retried, most tries for one read %ld, 0 torn\n", stats_of(&g.s).compactions, stats_of(&g.s).index_slots,
		total_reads, found, retries, max_tries);
	seg_free(&g);
	free(gens);
}

/* ---- hot keys: the same few keys rewritten with same-size values ------
 * The allocator hands the block a key just left back to its next write, so
 * a reader meets its key at an offset that was retired and reused for the
 * same key meanwhile (the ABA case), and its slot changing under a lookup.
 * Every read must find the key (it is never deleted) with a whole value. */

#define HOT 3

static void test_hot_keys(void)
{
	seg g;
	volatile int *stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long *res = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	static unsigned char buf[512];
	pid_t rd[2];
	char k[32];
	uint32_t gen = 0;

	test_name = "hot_keys";
	seg_new_shared(&g, 1u << 16);
	{
		int formatted;
		CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 1, now_us_fake, &formatted), SAFESHM_OK);
	}
	for (uint32_t i = 0; i < HOT; i++) {
		snprintf(k, sizeof(k), "hot-%u", i);
		CHECK_ST(kput(&g.s, k, SAFESHM_T_STRING, buf, make_value(buf, i, ++gen, 200)), SAFESHM_OK);
	}
	*stop = 0;
	for (int r = 0; r < 2; r++) {
		rd[r] = fork();
		if (rd[r] == 0) {
			static unsigned char out[512];
			long reads = 0, missing = 0, torn = 0, retries = 0;
			rstats rs = { 0 };
			rng_state = base_seed() + 77u * (uint64_t) (r + 1);
			while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
				uint32_t i = (uint32_t) rnd_below(HOT), g2;
				size_t len;
				safeshm_type t;
				char kk[32];
				snprintf(kk, sizeof(kk), "hot-%u", i);
				reads++;
				if (!read_key(&g.s, kk, out, &len, &t, &rs)) {
					missing++;
				} else if (check_value(out, len, i, &g2) != 0) {
					torn++;
				}
			}
			retries = rs.retries;
			res[r * 4] = reads;
			res[r * 4 + 1] = missing;
			res[r * 4 + 2] = torn;
			res[r * 4 + 3] = retries;
			_exit(0);
		}
	}
	for (long n = 0; n < 400000; n++) {
		uint32_t i = (uint32_t) (n % HOT);
		snprintf(k, sizeof(k), "hot-%u", i);
		kput(&g.s, k, SAFESHM_T_STRING, buf, make_value(buf, i, ++gen, 200));
	}
	__atomic_store_n(stop, 1, __ATOMIC_RELEASE);
	for (int r = 0; r < 2; r++) {
		int status;
		waitpid(rd[r], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECKF(res[r * 4 + 1] == 0, "reader %d found a key missing %ld times", r, res[r * 4 + 1]);
		CHECKF(res[r * 4 + 2] == 0, "reader %d accepted %ld torn values", r, res[r * 4 + 2]);
		printf("hot keys: reader %d: %ld reads, %ld retried, 0 missing, 0 torn\n", r, res[r * 4], res[r * 4 + 3]);
	}
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

/* ---- a writer stopped mid-mutation ---------------------------------- */

static const char *stop_at;
static long stop_after;

static void stop_hook(const char *where)
{
	if (strcmp(where, stop_at) == 0 && --stop_after == 0) {
		raise(SIGSTOP);
	}
}

static void stopped_case(const char *point)
{
	seg g;
	pid_t w;
	int status;
	static unsigned char buf[MAXV + 64];
	uint32_t gens[NKEYS] = { 0 };
	char k[32];

	seg_new_shared(&g, SEG_SIZE);
	{
		int formatted;
		CHECK_ST(safeshm_store_open(&g.s, NULL, 0, 0, NULL, 1, now_us_fake, &formatted), SAFESHM_OK);
	}
	for (uint32_t i = 0; i < NKEYS; i++) {
		size_t vl = make_value(buf, i, ++gens[i], 100);
		snprintf(k, sizeof(k), "key-%u", i);
		CHECK_ST(kput(&g.s, k, SAFESHM_T_STRING, buf, vl), SAFESHM_OK);
	}
	w = fork();
	if (w == 0) {
		/* rewrite key-7 with a big value; stop inside the put */
		stop_at = point;
		stop_after = 1;
		safeshm_store_fault_hook = stop_hook;
		make_value(buf, 7, 1000, 60000);
		kput(&g.s, "key-7", SAFESHM_T_STRING, buf, sizeof(vhead) + 60000);
		_exit(0);
	}
	waitpid(w, &status, WUNTRACED);
	CHECKF(WIFSTOPPED(status), "the writer did not stop at %s", point);
	CHECK(safeshm_store_needs_recovery(&g.s)); /* mid-mutation */
	{
		rstats rs = { 0 };
		int bad = 0;
		for (uint32_t i = 0; i < NKEYS; i++) {
			size_t len;
			safeshm_type t;
			uint32_t gen;
			snprintf(k, sizeof(k), "key-%u", i);
			/* the key being written: its old value until the put published the new one */
			uint32_t want_new = i == 7 && strcmp(point, "put:published") == 0 ? 1000 : 1;
			if (!read_key(&g.s, k, buf, &len, &t, &rs) || check_value(buf, len, i, &gen) != 0 || gen != want_new) {
				bad++;
			}
		}
		CHECKF(bad == 0, "with the writer stopped at %s, %d keys did not answer with their old value", point, bad);
		CHECKF(rs.max_tries <= 2, "a read took %ld tries beside a stopped writer", rs.max_tries);
		printf("writer stopped at %s: %d keys read, each in at most %ld tries\n", point, NKEYS, rs.max_tries);
	}
	kill(w, SIGCONT);
	waitpid(w, &status, 0);
	CHECK(WIFEXITED(status));
	{
		size_t len;
		safeshm_type t;
		uint32_t gen = 0;
		rstats rs = { 0 };
		CHECK(read_key(&g.s, "key-7", buf, &len, &t, &rs) && check_value(buf, len, 7, &gen) == 0 && gen == 1000);
	}
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

int main(void)
{
	check_begin();
	test_concurrent();
	test_hot_keys();
	test_name = "stopped";
	stopped_case("put:written");
	stopped_case("put:published");
	return check_end();
}
