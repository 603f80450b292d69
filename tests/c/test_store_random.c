/*
 * C tests of the store's crash consistency (shm_store.c), random part: long
 * random workloads (put, add, delete, increment, compact, clear) checked op
 * by op against a model, with the op killed at random hook calls and
 * recovery sometimes killed too. Machinery: crash_model.c.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 * SAFESHM_TEST_SEED=n replays the workloads with another seed.
 */
#include "crash_model.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	static const size_t small_cfg[] = { 4096, 24, 1100, 150000 };
	static const size_t wide_cfg[] = { 16384, 120, 1400, 60000 };

	check_begin();
	printf("test_store_random: seed %#" PRIx64 " (SAFESHM_TEST_SEED to change)\n", base_seed());
	isolated("crash workload, small segment", run_crash_random, (void *) small_cfg);
	isolated("crash workload, index pressure", run_crash_random, (void *) wide_cfg);
	return check_end();
}
