/*
 * C tests of the store's crash consistency (shm_store.c), deterministic
 * part: scenarios that each reach given hook points (a put that compacts, a
 * slide of a big record, a delete inside a probe chain, a clear...). The op
 * is killed at every one of its hook calls in turn, and recovery is killed
 * at every one of its own calls too; after each, the segment holds the whole
 * old state or the whole new one. Machinery: crash_model.c.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "crash_model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	check_begin();
	isolated("crash scenarios", run_crash_scenarios, NULL);
	return check_end();
}
