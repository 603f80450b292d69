/*
 * Crash consistency of the store, without PHP. Each operation of a random
 * workload is first run on a copy of the segment to learn its outcome and
 * how many fault points it passes; then, for each of those points, it is
 * run again on a fresh copy that "crashes" there (the fault hook longjmps
 * out of the store, leaving the segment as a killed writer would), and the
 * next lock holder's recovery must give a segment that verifies, in which
 * every key holds either its value before the operation or after it (a
 * multi-key put: all before or all after). A third of the crashes also
 * crash the recovery itself once, at one of its own fault points.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "store_common.h"

#include <signal.h>

/* A simulated crash longjmps out of the store and leaks what the "killed"
 * writer had allocated (as a killed process would): no leak report here. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

#define NKEYS 120
#define SEG_SIZE (96u * 1024u)
#define MAXV 24000

static jmp_buf crash_jmp;
static long hook_calls, hook_target;
static char hook_last[64];
static long crash_points[32];
static const char *point_names[32];
static int npoints;

static void crash_hook(const char *where)
{
	int k;
	hook_calls++;
	snprintf(hook_last, sizeof(hook_last), "%s", where);
	for (k = 0; k < npoints && strcmp(point_names[k], where) != 0; k++) {
	}
	if (k == npoints && npoints < 32) {
		point_names[npoints++] = where;
	}
	if (hook_target && hook_calls == hook_target) {
		crash_points[k]++;
		longjmp(crash_jmp, 1);
	}
}

static void arm(long target)
{
	hook_calls = 0;
	hook_target = target;
	safeshm_store_fault_hook = crash_hook;
}

static void disarm(void)
{
	safeshm_store_fault_hook = NULL;
	hook_target = 0;
}

/* ---- snapshots ------------------------------------------------------ */

typedef struct {
	int present;
	safeshm_type type;
	size_t len;
	unsigned char *data;
} sval;

typedef struct {
	sval v[NKEYS];
} snap_t;

static size_t key_of(int i, char *out)
{
	return (size_t) sprintf(out, "key-%02d", i);
}

static void snap_take(const safeshm_store *s, snap_t *sn)
{
	char k[16];
	for (int i = 0; i < NKEYS; i++) {
		safeshm_view v;
		sval *x = &sn->v[i];
		key_of(i, k);
		x->present = kfind(s, k, &v) == SAFESHM_OK;
		x->data = NULL;
		if (x->present) {
			x->type = v.type;
			x->len = v.len;
			x->data = malloc(v.len + 1);
			memcpy(x->data, v.data, v.len);
		}
	}
}

static void snap_free(snap_t *sn)
{
	for (int i = 0; i < NKEYS; i++) {
		free(sn->v[i].data);
	}
}

static int sval_eq(const sval *a, const sval *b)
{
	if (a->present != b->present) {
		return 0;
	}
	return !a->present || (a->type == b->type && a->len == b->len && memcmp(a->data, b->data, a->len) == 0);
}

/* ---- operations ----------------------------------------------------- */

typedef enum { OP_PUT, OP_ADD, OP_DELETE, OP_INCR, OP_TOUCH, OP_MANY, OP_PREFIX, OP_SWEEP, OP_NKINDS } op_kind;
static const char *op_names[] = { "put", "add", "delete", "increment", "touch", "put_many", "delete_prefix", "sweep" };

typedef struct {
	op_kind kind;
	int key, nkeys, keys[6];
	size_t len;
	uint64_t seed, ttl;
	int64_t by;
} op_t;

static unsigned char valbuf[MAXV];

static safeshm_status run_op(safeshm_store *s, const op_t *o)
{
	char k[16];
	size_t kl = key_of(o->key, k);
	uint64_t h = safeshm_key_hash(0, k, kl), exp = o->ttl ? now_us_fake + o->ttl : 0;
	int64_t r;

	fill_pattern(valbuf, o->len, o->seed);
	switch (o->kind) {
		case OP_PUT:
			return kput_ex(s, k, SAFESHM_T_STRING, valbuf, o->len, SAFESHM_PUT_REPLACE, exp);
		case OP_ADD:
			return kput_ex(s, k, SAFESHM_T_STRING, valbuf, o->len, SAFESHM_PUT_ADD, exp);
		case OP_DELETE:
			return kdel(s, k);
		case OP_INCR:
			return safeshm_store_increment(s, 0, k, kl, h, o->by, 0, now_us_fake, &r);
		case OP_TOUCH:
			return safeshm_store_touch(s, 0, k, kl, h, exp, now_us_fake);
		case OP_MANY: {
			char keys[6][16];
			safeshm_put_req q[6];
			for (int i = 0; i < o->nkeys; i++) {
				size_t l = key_of(o->keys[i], keys[i]);
				q[i] = (safeshm_put_req) { .ns = 0, .key = keys[i], .klen = l, .hash = safeshm_key_hash(0, keys[i], l),
					.type = SAFESHM_T_STRING, .val = valbuf + i, .vlen = o->len / (size_t) o->nkeys, .expires = exp };
			}
			return safeshm_store_put_many(s, q, (size_t) o->nkeys, now_us_fake);
		}
		case OP_PREFIX: {
			uint64_t n;
			sprintf(k, "key-%d", o->key % 5);
			return safeshm_store_delete_prefix(s, 0, k, strlen(k), now_us_fake, &n);
		}
		case OP_SWEEP:
			return safeshm_store_sweep(s, now_us_fake, 0);
		default:
			return SAFESHM_CORRUPT;
	}
}

static void gen_op(op_t *o)
{
	uint64_t r = rnd_below(100);
	memset(o, 0, sizeof(*o));
	o->key = (int) rnd_below(NKEYS);
	o->seed = rnd();
	o->kind = r < 45 ? OP_PUT : r < 52 ? OP_ADD : r < 64 ? OP_DELETE : r < 74 ? OP_INCR : r < 80 ? OP_TOUCH
		: r < 90 ? OP_MANY : r < 93 ? OP_PREFIX : OP_SWEEP;
	/* mostly small values, some big ones to force relocation and eviction */
	r = rnd_below(100);
	o->len = r < 70 ? rnd_below(200) : r < 95 ? 200 + rnd_below(3000) : 8000 + rnd_below(MAXV - 8000);
	o->ttl = rnd_below(3) == 0 ? 1 + rnd_below(400) : 0;
	o->by = (int64_t) rnd_below(1000) - 500;
	if (o->kind == OP_MANY) {
		o->nkeys = 2 + (int) rnd_below(4);
		for (int i = 0; i < o->nkeys; i++) {
			int dup;
			do {
				o->keys[i] = (int) rnd_below(NKEYS);
				dup = 0;
				for (int j = 0; j < i; j++) {
					dup |= o->keys[j] == o->keys[i];
				}
			} while (dup);
		}
	}
}

/* ---- the check ------------------------------------------------------ */

static long crashed_total, recovery_crashes, points_tried, outcomes[16];

static void check_after_crash(const snap_t *before, const snap_t *after, const snap_t *got, const op_t *o, long point)
{
	for (int i = 0; i < NKEYS; i++) {
		CHECKF(sval_eq(&got->v[i], &before->v[i]) || sval_eq(&got->v[i], &after->v[i]),
			"%s of key %d crashed at point %ld (%s): key %d is neither its old nor its new value",
			op_names[o->kind], o->key, point, hook_last, i);
	}
	if (o->kind == OP_MANY) {
		int olds = 0, news = 0;
		for (int i = 0; i < o->nkeys; i++) {
			const sval *g = &got->v[o->keys[i]];
			int eq_before = sval_eq(g, &before->v[o->keys[i]]), eq_after = sval_eq(g, &after->v[o->keys[i]]);
			olds += eq_before && !eq_after;
			news += eq_after && !eq_before;
		}
		CHECKF(olds == 0 || news == 0, "put_many crashed at point %ld (%s): %d keys old and %d new", point, hook_last, olds, news);
	}
}

static void workload(uint64_t seed, int nops)
{
	seg g, c;
	op_t o;
	uint8_t *copy = malloc(SEG_SIZE);

	rng_state = seed;
	seg_format(&g, SEG_SIZE, "crash");
	seg_new(&c, SEG_SIZE);
	for (int n = 0; n < nops; n++) {
		snap_t before, after, got;
		long calls;
		safeshm_status ref;

		gen_op(&o);
		if (rnd_below(10) == 0) {
			now_us_fake += rnd_below(300);
		}
		snap_take(&g.s, &before);
		/* the reference run: outcome and fault points */
		memcpy(c.buf, g.buf, SEG_SIZE);
		arm(0);
		ref = run_op(&c.s, &o);
		calls = hook_calls;
		disarm();
		CHECKF(ref != SAFESHM_CORRUPT && ref != SAFESHM_NOMEM, "%s: %s", op_names[o.kind], stname(ref));
		outcomes[ref < 16 ? ref : 15]++;
		snap_take(&c.s, &after);
		memcpy(copy, c.buf, SEG_SIZE);
		/* crash at every point (up to 12 of them, spread out) */
		for (volatile long p = 1; p <= calls; p += calls > 12 ? calls / 12 : 1) {
			memcpy(c.buf, g.buf, SEG_SIZE);
			arm(p);
			if (setjmp(crash_jmp) == 0) {
				run_op(&c.s, &o);
				disarm();
				continue;
			}
			disarm();
			crashed_total++;
			points_tried++;
			CHECK(safeshm_store_needs_recovery(&c.s));
			if (crashed_total % 3 == 0) {
				/* the repairing process dies too, once */
				arm(1 + (long) rnd_below(4));
				if (setjmp(crash_jmp) == 0) {
					safeshm_store_recover(&c.s);
				} else {
					recovery_crashes++;
				}
				disarm();
			}
			CHECK_ST(safeshm_store_recover(&c.s), SAFESHM_OK);
			CHECK(!safeshm_store_needs_recovery(&c.s));
			CHECKF(safeshm_store_verify(&c.s) == SAFESHM_OK, "after recovery: %s", safeshm_verify_reason);
			snap_take(&c.s, &got);
			check_after_crash(&before, &after, &got, &o, p);
			snap_free(&got);
			/* the repaired store takes the operation again */
			{
				safeshm_status again = run_op(&c.s, &o);
				CHECKF(safeshm_store_verify(&c.s) == SAFESHM_OK, "after %s of key %d (crashed at %ld, %s) again: %s; verify: %s",
					op_names[o.kind], o.key, (long) p, hook_last, stname(again), safeshm_verify_reason);
			}
		}
		/* go on from the uncrashed result */
		memcpy(g.buf, copy, SEG_SIZE);
		CHECKF(safeshm_store_verify(&g.s) == SAFESHM_OK, "after %s of key %d (%s): verify: %s", op_names[o.kind], o.key,
			stname(ref), safeshm_verify_reason);
		snap_free(&before);
		snap_free(&after);
	}
	printf("%s: %d operations; compactions %" PRIu64 ", evicted %" PRIu64 ", expired %" PRIu64 ", index slots %" PRIu64 "; outcomes:",
		test_name, nops, stats_of(&g.s).compactions, stats_of(&g.s).evicted, stats_of(&g.s).expired, stats_of(&g.s).index_slots);
	for (int i = 0; i < 16; i++) {
		if (outcomes[i]) {
			printf(" %s=%ld", stname((safeshm_status) i), outcomes[i]);
		}
		outcomes[i] = 0;
	}
	printf("\n");
	free(copy);
	seg_free(&g);
	seg_free(&c);
}

int main(int argc, char **argv)
{
	int nops = argc > 1 ? atoi(argv[1]) : 1500;
	check_begin();
	test_name = "crash";
	workload(base_seed(), nops);
	test_name = "crash-2";
	workload(base_seed() ^ 0x1234567ULL, nops / 2);
	printf("crash points hit: %ld (%ld recoveries crashed too); by point:", crashed_total, recovery_crashes);
	for (int k = 0; k < npoints; k++) {
		printf(" %s=%ld", point_names[k], crash_points[k]);
	}
	printf("\n");
	CHECKF(npoints >= 11, "only %d fault points were reached", npoints);
	return check_end();
}
