/*
 * The crash tests' machinery (crash_model.h).
 */
#include "crash_model.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const hook_names[NHOOKS] = {
	"put:written", "put:published", "compact:journal", "compact:chunk",
	"compact:moved", "compact:rebuilt", "delete:published", "clear:published",
};
_Static_assert(sizeof(hook_names) / sizeof(hook_names[0]) == NHOOKS, "NHOOKS");

static jmp_buf crash_jmp;
static long hook_target;
long hook_calls;
int hook_last;
int hook_unknown;
char hook_trace[4096];

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

void arm(long target)
{
	hook_calls = 0;
	hook_target = target;
	hook_last = -1;
	hook_trace[0] = 0;
	safeshm_store_fault_hook = crash_hook;
}

void disarm(void)
{
	safeshm_store_fault_hook = NULL;
	hook_target = 0;
}

const char *const op_name[] = { "put", "add", "delete", "increment", "clear", "compact" };

size_t key_of(int i, char *out)
{
	return (size_t) sprintf(out, "key-%d", i);
}

void world_new(world *w, size_t size, int nkeys)
{
	seg_format(&w->g, size, "world");
	w->nkeys = nkeys;
	w->m = calloc((size_t) nkeys, sizeof(mval));
	w->arena = stats_of(&w->g.s).arena_size;
	w->max_entries = stats_of(&w->g.s).max_entries;
}

void world_free(world *w)
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

safeshm_status model_apply(const world *w, mval *m, const op *o)
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

safeshm_status store_apply(world *w, const op *o)
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

int run_op(world *w, const op *o, long target, safeshm_status *st)
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

int store_matches(const world *w, const mval *m)
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

void after_crash(world *w, mval *old, mval *new_, const op *o, long recover_target, crash_tally *t, const char *ctx)
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

void after_op(world *w, mval *old, mval *new_, const op *o, safeshm_status got, safeshm_status want, crash_tally *t)
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

void report_tally(const crash_tally *t, const char *what)
{
	CHECKF(t->status_mismatch == 0, "%s: %ld ops returned another status than the model", what, t->status_mismatch);
	CHECKF(t->state_mismatch == 0, "%s: %ld times the store differed from the model (both old and new)", what, t->state_mismatch);
	CHECKF(t->not_flagged == 0, "%s: %ld crashes left needs_recovery() == 0", what, t->not_flagged);
	CHECKF(t->torn_verified == 0, "%s: %ld torn segments passed verify()", what, t->torn_verified);
	CHECKF(t->recover_fail == 0, "%s: %ld recoveries failed", what, t->recover_fail);
	CHECKF(t->verify_fail == 0, "%s: %ld times verify() failed after an op or a recovery", what, t->verify_fail);
	CHECKF(t->stats_mismatch == 0, "%s: %ld times stats used/entries differed from the model", what, t->stats_mismatch);
}
