/*
 * The crash tests' machinery (test_store_crash.c, test_store_random.c): a
 * model of what the store should hold, ops applied to both, and the store's
 * fault hook turned into a simulated crash (a longjmp out of the op) at a
 * chosen hook call, after which the segment must recover to either the whole
 * old state or the whole new one.
 */
#ifndef SAFESHM_TEST_CRASH_MODEL_H
#define SAFESHM_TEST_CRASH_MODEL_H

#include "store_helpers.h"

/* The hook points of shm_store.c, in hook_names[] order. */
#define NHOOKS 8
extern const char *const hook_names[NHOOKS];

extern long hook_calls;
extern int hook_last;          /* index in hook_names of the last call */
extern int hook_unknown;       /* calls with a name not in hook_names */
extern char hook_trace[4096];  /* names of the calls, for dry runs */

/* Counts hook calls from now on, crashing at call `target` (0: never). */
void arm(long target);
void disarm(void);

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

extern const char *const op_name[];

size_t key_of(int i, char *out);
void world_new(world *w, size_t size, int nkeys);
void world_free(world *w);
/* Applies o to model m; returns the status the store must give. */
safeshm_status model_apply(const world *w, mval *m, const op *o);
safeshm_status store_apply(world *w, const op *o);
/* Runs o with the hook armed at call `target` (0: never); 1 if it "died". */
int run_op(world *w, const op *o, long target, safeshm_status *st);
/* 1 when the store holds exactly model m, key by key and in count. */
int store_matches(const world *w, const mval *m);

typedef struct {
	long ops, crashes, double_faults, status_mismatch, state_mismatch, not_flagged, recover_fail,
		verify_fail, torn_verified, stats_mismatch, printed;
	long crashes_at[NHOOKS];
} crash_tally;

/*
 * After a crash: the segment must say so, recover, verify, and hold either
 * the whole old state or the whole new one. The model becomes whichever it is.
 */
void after_crash(world *w, mval *old, mval *new_, const op *o, long recover_target, crash_tally *t, const char *ctx);
/* After an op that ran to completion: its status and effect are the model's. */
void after_op(world *w, mval *old, mval *new_, const op *o, safeshm_status got, safeshm_status want, crash_tally *t);
/* One CHECK per kind of divergence the tally counted. */
void report_tally(const crash_tally *t, const char *what);

#endif
