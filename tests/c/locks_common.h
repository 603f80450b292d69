/*
 * What the named-lock table's C tests share: a fake process table, the
 * contenders, and calls of shm_locks.c with a line number in every failure.
 */
#ifndef SAFESHM_TEST_LOCKS_COMMON_H
#define SAFESHM_TEST_LOCKS_COMMON_H

#include "store_common.h"
#include "../../shm_locks.h"

/* ---- a fake process table ------------------------------------------- */

#define NPROC 8192u
static uint64_t proc_start[NPROC]; /* 0: not running; else its start time */

static inline int fake_alive(uint32_t pid, uint64_t start, void *ctx)
{
	(void) ctx;
	if (pid == 0 || pid >= NPROC || proc_start[pid] == 0) {
		return 0;
	}
	return start == 0 || start == proc_start[pid];
}

static inline void proc_spawn(uint32_t pid)
{
	proc_start[pid] = 1000u + pid;
}

static inline void proc_kill(uint32_t pid)
{
	proc_start[pid] = 0;
}

/* The pid is given to a new process (another start time). */
static inline void proc_reuse(uint32_t pid)
{
	proc_start[pid] += 7919u;
}

/* ---- contenders ----------------------------------------------------- */

typedef struct {
	uint32_t pid;
	int shared;
	uint64_t ttl_us;
	uint64_t ticket, since_us; /* its place in the queue (0: not queued) */
	uint64_t token;            /* of its last grant */
	int died, purged;
} who;

static inline who proc(uint32_t pid, int shared)
{
	who w = { .pid = pid, .shared = shared };
	proc_spawn(pid);
	return w;
}

static inline uint64_t lhash(const char *name)
{
	return safeshm_key_hash(SAFESHM_NS_LOCK, name, strlen(name));
}

static uint64_t max_token_seen;
static int tokens_monotonic = 1;

/* One attempt, as the glue makes it; the status is returned, *granted set. */
static inline safeshm_status attempt_st(seg *g, const char *name, who *w, uint64_t now, int queue, int *granted)
{
	safeshm_lock_req r = { .ns = SAFESHM_NS_LOCK, .key = name, .klen = strlen(name), .hash = lhash(name),
		.shared = w->shared, .ttl_us = w->ttl_us, .queue = queue, .pid = w->pid, .start = proc_start[w->pid < NPROC ? w->pid : 0],
		.ticket = w->ticket, .since_us = w->since_us };
	uint64_t ticket_before = w->ticket;
	safeshm_status st = safeshm_named_attempt(&g->s, &r, now, fake_alive, NULL);

	*granted = r.granted;
	w->died = r.died;
	w->purged = r.purged;
	if (r.ticket != ticket_before) {
		tokens_monotonic &= r.ticket > max_token_seen;
		max_token_seen = r.ticket > max_token_seen ? r.ticket : max_token_seen;
	}
	w->ticket = r.ticket;
	w->since_us = r.since_us;
	if (r.granted) {
		tokens_monotonic &= r.token > max_token_seen;
		max_token_seen = r.token > max_token_seen ? r.token : max_token_seen;
		w->token = r.token;
		w->ticket = 0; /* the next lock() call starts a new wait */
		w->since_us = 0;
	}
	return st;
}

/* An attempt that must succeed as a call; returns whether it was granted. */
#define TRY(g, name, w, now, queue) try_at(__LINE__, g, name, w, now, queue)
static inline int try_at(int line, seg *g, const char *name, who *w, uint64_t now, int queue)
{
	int granted = 0;
	safeshm_status st = attempt_st(g, name, w, now, queue, &granted);
	CHECKF(st == SAFESHM_OK, "line %d: attempt by pid %u: %s", line, w->pid, stname(st));
	return granted;
}

#define REL(g, name, w, now) rel_at(__LINE__, g, name, w, now)
static inline int rel_at(int line, seg *g, const char *name, who *w, uint64_t now)
{
	int held = -1;
	safeshm_status st = safeshm_named_release(&g->s, SAFESHM_NS_LOCK, name, strlen(name), lhash(name), w->token, w->pid, now, &held);
	CHECKF(st == SAFESHM_OK, "line %d: release by pid %u: %s", line, w->pid, stname(st));
	return held;
}

static inline int refresh(seg *g, const char *name, who *w, uint64_t ttl_us, uint64_t now)
{
	int ok = -1;
	CHECK_ST(safeshm_named_refresh(&g->s, SAFESHM_NS_LOCK, name, strlen(name), lhash(name), w->token, w->pid, ttl_us, now, &ok),
		SAFESHM_OK);
	return ok;
}

static inline void unqueue(seg *g, const char *name, who *w, uint64_t now)
{
	CHECK_ST(safeshm_named_unqueue(&g->s, SAFESHM_NS_LOCK, name, strlen(name), lhash(name), w->ticket, w->pid, now), SAFESHM_OK);
	w->ticket = 0;
	w->since_us = 0;
}

/* The lock's decoded state: 1 and *n entries (free *e), 0 when there is no record, -1 when it does not decode. */
static inline int state(seg *g, const char *name, safeshm_lock_entry **e, uint32_t *n, uint32_t *flags)
{
	safeshm_view v;
	safeshm_status st = safeshm_store_find(&g->s, SAFESHM_NS_LOCK, name, strlen(name), lhash(name), now_us_fake, &v);
	*e = NULL;
	*n = 0;
	*flags = 0;
	if (st == SAFESHM_NOT_FOUND) {
		return 0;
	}
	if (st != SAFESHM_OK || v.type != SAFESHM_T_BINARY) {
		return -1;
	}
	return safeshm_named_decode(v.data, v.len, e, n, flags) ? 1 : -1;
}

/* Entries of the lock: holders (waiter 0) or waiters (waiter 1) of pid (0: any pid). */
static inline int entries(seg *g, const char *name, uint32_t pid, int waiter)
{
	safeshm_lock_entry *e;
	uint32_t n, flags;
	int c = 0;
	if (state(g, name, &e, &n, &flags) != 1) {
		return 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		if ((pid == 0 || e[i].pid == pid) && ((e[i].flags & SAFESHM_LE_WAITER) != 0) == waiter) {
			c++;
		}
	}
	free(e);
	return c;
}

/* Whether the lock's state carries "the previous holder died" for the next holder. */
static inline int died_flag(seg *g, const char *name)
{
	safeshm_lock_entry *e;
	uint32_t n, flags;
	if (state(g, name, &e, &n, &flags) != 1) {
		return 0;
	}
	free(e);
	return (flags & 1u) != 0;
}

#define holders(g, name, pid) entries(g, name, pid, 0)
#define waiters(g, name, pid) entries(g, name, pid, 1)

static inline uint64_t lock_records(seg *g)
{
	uint64_t c = 0;
	CHECK_ST(safeshm_store_count(&g->s, SAFESHM_NS_LOCK, now_us_fake, &c), SAFESHM_OK);
	return c;
}

static inline void verify(seg *g)
{
	CHECKF(safeshm_store_verify(&g->s) == SAFESHM_OK, "verify: %s", safeshm_verify_reason);
}

#define T0 10000000u /* the tests' time origin, µs */

#endif
