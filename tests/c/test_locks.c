/*
 * C tests of the named-lock table (shm_locks.c), without PHP: the state
 * record of a lock in the store and every decision on it. The caller's
 * clock and its idea of who is alive are the test's: a fake process table
 * says which pids run (and since when), so deaths, pid reuse, TTL expiry and
 * asleep waiters are produced exactly, without timing.
 *
 * Covered: exclusive and shared grants; FIFO among awake waiters; a waiter
 * that stops renewing its heartbeat losing its place (and getting it back);
 * writer preference; TTL expiry; a dead holder purged and the next holder
 * told once; pid reuse; fencing tokens strictly increasing across locks and
 * across a crash at every fault point of a lock operation followed by
 * recovery; release of an expired hold; refresh; unqueue. The limits, a
 * full store and damaged state records: test_locks_limits.c.
 * After every group the store's full structural check (verify) must pass.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "locks_common.h"

/* ---- groups --------------------------------------------------------- */

static void test_exclusive_shared(void)
{
	seg g;
	who a = proc(11, 0), b = proc(12, 0), c = proc(13, 1), d = proc(14, 1);
	safeshm_lock_entry *e;
	uint32_t n, flags;

	test_name = "exclusive-shared";
	seg_format(&g, 1 << 20, NULL);
	CHECK(TRY(&g, "job", &a, T0, 0));
	CHECK(a.token > 0 && !a.died);
	CHECK(!TRY(&g, "job", &b, T0 + 1, 0));     /* exclusive excludes exclusive */
	CHECK(!TRY(&g, "job", &c, T0 + 2, 0));     /* and shared */
	CHECK(TRY(&g, "other", &b, T0 + 3, 0));    /* another name is another lock */
	CHECK(holders(&g, "job", 11) == 1 && holders(&g, "job", 0) == 1 && waiters(&g, "job", 0) == 0);
	CHECK(state(&g, "job", &e, &n, &flags) == 1);
	CHECK(n == 1 && e[0].pid == 11 && e[0].token == a.token && e[0].flags == 0 && e[0].expires_us == 0
		&& e[0].since_us == T0 && e[0].start == proc_start[11]);
	free(e);
	/* a key of the data namespace with the same bytes is not the lock */
	CHECK_ST(put_str(&g.s, "job", "data"), SAFESHM_OK);
	CHECK(has_str(&g.s, "job", "data") && holders(&g, "job", 11) == 1);
	CHECK(REL(&g, "job", &a, T0 + 4) == 1);
	CHECK(REL(&g, "job", &a, T0 + 5) == 0);    /* twice: no longer held */
	CHECK(has_str(&g.s, "job", "data"));
	CHECK(TRY(&g, "job", &c, T0 + 6, 0));      /* shared with shared */
	CHECK(TRY(&g, "job", &d, T0 + 7, 0));
	CHECK(c.token != d.token && holders(&g, "job", 0) == 2);
	CHECK(!TRY(&g, "job", &a, T0 + 8, 0));     /* exclusive waits for every shared holder */
	CHECK(REL(&g, "job", &c, T0 + 9) == 1);
	CHECK(!TRY(&g, "job", &a, T0 + 10, 0));
	CHECK(REL(&g, "job", &d, T0 + 11) == 1);
	CHECK(TRY(&g, "job", &a, T0 + 12, 0));
	CHECK(REL(&g, "job", &a, T0 + 13) == 1);
	CHECK(REL(&g, "other", &b, T0 + 14) == 1);
	/* nothing held, nobody waiting: no record left */
	CHECK(state(&g, "job", &e, &n, &flags) == 0 && lock_records(&g) == 0);
	verify(&g);
	seg_free(&g);
}

static void test_fifo(void)
{
	seg g;
	who h = proc(21, 0), w1 = proc(22, 0), w2 = proc(23, 0), w3 = proc(24, 0), late = proc(25, 0);

	test_name = "fifo";
	seg_format(&g, 1 << 20, NULL);
	CHECK(TRY(&g, "q", &h, T0, 0));
	CHECK(!TRY(&g, "q", &w1, T0 + 10, 1));
	CHECK(!TRY(&g, "q", &w2, T0 + 20, 1));
	CHECK(!TRY(&g, "q", &w3, T0 + 30, 1));
	CHECK(w1.ticket && w1.ticket < w2.ticket && w2.ticket < w3.ticket);
	CHECK(waiters(&g, "q", 0) == 3 && holders(&g, "q", 0) == 1);
	CHECK(REL(&g, "q", &h, T0 + 40) == 1);
	/* the lock is free, but only the first awake waiter gets it, whoever asks first */
	CHECK(!TRY(&g, "q", &w3, T0 + 50, 1));
	CHECK(!TRY(&g, "q", &late, T0 + 51, 0));   /* a newcomer comes after every awake waiter */
	CHECK(!TRY(&g, "q", &w2, T0 + 52, 1));
	CHECK(TRY(&g, "q", &w1, T0 + 53, 1));
	CHECK(waiters(&g, "q", 22) == 0 && holders(&g, "q", 22) == 1); /* its waiter entry became its hold */
	CHECK(REL(&g, "q", &w1, T0 + 60) == 1);
	CHECK(!TRY(&g, "q", &w3, T0 + 61, 1));
	CHECK(TRY(&g, "q", &w2, T0 + 62, 1));
	CHECK(REL(&g, "q", &w2, T0 + 63) == 1);
	CHECK(!TRY(&g, "q", &late, T0 + 64, 1));   /* queues behind w3 */
	CHECK(TRY(&g, "q", &w3, T0 + 65, 1));
	CHECK(REL(&g, "q", &w3, T0 + 66) == 1);
	CHECK(TRY(&g, "q", &late, T0 + 67, 1));
	CHECK(REL(&g, "q", &late, T0 + 68) == 1);
	CHECK(lock_records(&g) == 0);

	/* two waiters that started waiting in the same microsecond: the earlier ticket first */
	CHECK(TRY(&g, "q", &h, T0 + 100, 0));
	CHECK(!TRY(&g, "q", &w1, T0 + 110, 1));
	CHECK(!TRY(&g, "q", &w2, T0 + 110, 1));
	CHECK(w1.since_us == w2.since_us && w1.ticket < w2.ticket);
	CHECK(REL(&g, "q", &h, T0 + 120) == 1);
	CHECK(!TRY(&g, "q", &w2, T0 + 121, 1));
	CHECK(TRY(&g, "q", &w1, T0 + 122, 1));
	CHECK(REL(&g, "q", &w1, T0 + 123) == 1);
	CHECK(TRY(&g, "q", &w2, T0 + 124, 1));
	CHECK(REL(&g, "q", &w2, T0 + 125) == 1);
	verify(&g);
	seg_free(&g);
}

/* A waiter that stops renewing its heartbeat (stopped, swapped out) keeps
 * its entry but not its place; back awake, it has its place again. */
static void test_stale_waiter(void)
{
	seg g;
	who h = proc(31, 0), w1 = proc(32, 0), w2 = proc(33, 0), late = proc(34, 0);
	uint64_t t;

	test_name = "stale-waiter";
	seg_format(&g, 1 << 20, NULL);
	CHECK(TRY(&g, "s", &h, T0, 0));
	CHECK(!TRY(&g, "s", &w1, T0 + 1, 1));
	CHECK(!TRY(&g, "s", &w2, T0 + 2, 1));
	t = T0 + 1 + SAFESHM_WAITER_STALE_US; /* w1's heartbeat is now exactly stale; w2 renews */
	CHECK(!TRY(&g, "s", &w2, t - 10, 1));
	CHECK(REL(&g, "s", &h, t - 5) == 1);
	CHECK(!TRY(&g, "s", &w2, t - 1, 1));       /* w1 is still awake one µs before */
	CHECK(TRY(&g, "s", &w2, t, 1));
	CHECK(waiters(&g, "s", 32) == 1);           /* the sleeper's entry stays */
	/* back awake: renews, and is ahead of a newcomer again */
	CHECK(!TRY(&g, "s", &w1, t + 10, 1));
	CHECK(!TRY(&g, "s", &late, t + 11, 1));
	CHECK(REL(&g, "s", &w2, t + 12) == 1);
	CHECK(!TRY(&g, "s", &late, t + 13, 1));
	CHECK(TRY(&g, "s", &w1, t + 14, 1));
	CHECK(REL(&g, "s", &w1, t + 15) == 1);
	CHECK(TRY(&g, "s", &late, t + 16, 1));
	CHECK(REL(&g, "s", &late, t + 17) == 1);
	CHECK(lock_records(&g) == 0);

	/* the only waiter asleep: a newcomer that tries once gets the free lock */
	CHECK(TRY(&g, "s", &h, t + 100, 0));
	CHECK(!TRY(&g, "s", &w1, t + 101, 1));
	CHECK(REL(&g, "s", &h, t + 102) == 1);
	CHECK(!TRY(&g, "s", &late, t + 103, 0));
	CHECK(TRY(&g, "s", &late, t + 101 + SAFESHM_WAITER_STALE_US, 0));
	CHECK(REL(&g, "s", &late, t + 102 + SAFESHM_WAITER_STALE_US) == 1);
	unqueue(&g, "s", &w1, t + 103 + SAFESHM_WAITER_STALE_US);
	CHECK(lock_records(&g) == 0);

	/* a caller reads its clock before it takes the lock: a heartbeat renewed
	 * in between is later than its time, and that waiter is awake */
	t += 2 * SAFESHM_WAITER_STALE_US;
	CHECK(TRY(&g, "s", &h, t, 0));
	CHECK(!TRY(&g, "s", &w1, t + 10, 1));
	CHECK(REL(&g, "s", &h, t + 11) == 1);
	CHECK(!TRY(&g, "s", &late, t + 5, 0));
	CHECK(TRY(&g, "s", &w1, t + 12, 1));
	CHECK(REL(&g, "s", &w1, t + 13) == 1);
	CHECK(lock_records(&g) == 0);
	verify(&g);
	seg_free(&g);
}

/* A waiting exclusive locker is not starved by a stream of shared ones; a
 * shared waiter queued before it is not held back by it. */
static void test_writer_preference(void)
{
	seg g;
	who s1 = proc(41, 1), s2 = proc(42, 1), x = proc(43, 0), y = proc(44, 0), r = proc(45, 1);

	test_name = "writer-preference";
	seg_format(&g, 1 << 20, NULL);
	CHECK(TRY(&g, "w", &s1, T0, 0));
	CHECK(!TRY(&g, "w", &x, T0 + 1, 1));       /* a writer waits for the reader */
	CHECK(!TRY(&g, "w", &s2, T0 + 2, 0));      /* a new reader waits behind the writer */
	CHECK(!TRY(&g, "w", &s2, T0 + 3, 1));
	CHECK(REL(&g, "w", &s1, T0 + 4) == 1);
	CHECK(!TRY(&g, "w", &s2, T0 + 5, 1));
	CHECK(TRY(&g, "w", &x, T0 + 6, 1));
	CHECK(!TRY(&g, "w", &s2, T0 + 7, 1));
	CHECK(REL(&g, "w", &x, T0 + 8) == 1);
	CHECK(TRY(&g, "w", &s2, T0 + 9, 1));
	CHECK(REL(&g, "w", &s2, T0 + 10) == 1);
	CHECK(lock_records(&g) == 0);

	/* X holds; reader S1 queues, then writer Y, then reader R */
	CHECK(TRY(&g, "w", &x, T0 + 100, 0));
	CHECK(!TRY(&g, "w", &s1, T0 + 101, 1));
	CHECK(!TRY(&g, "w", &y, T0 + 102, 1));
	CHECK(!TRY(&g, "w", &r, T0 + 103, 1));
	CHECK(REL(&g, "w", &x, T0 + 110) == 1);
	CHECK(!TRY(&g, "w", &r, T0 + 111, 1));     /* behind writer Y */
	CHECK(!TRY(&g, "w", &y, T0 + 112, 1));     /* behind reader S1 */
	CHECK(TRY(&g, "w", &s1, T0 + 113, 1));
	CHECK(!TRY(&g, "w", &r, T0 + 114, 1));     /* S1 holds shared, but Y waits before R */
	CHECK(!TRY(&g, "w", &y, T0 + 115, 1));
	CHECK(REL(&g, "w", &s1, T0 + 116) == 1);
	CHECK(TRY(&g, "w", &y, T0 + 117, 1));
	CHECK(!TRY(&g, "w", &r, T0 + 118, 1));
	CHECK(REL(&g, "w", &y, T0 + 119) == 1);
	CHECK(TRY(&g, "w", &r, T0 + 120, 1));
	CHECK(REL(&g, "w", &r, T0 + 121) == 1);

	/* the waiting writer gives up (unqueue): the reader behind it goes */
	CHECK(TRY(&g, "w", &s1, T0 + 200, 0));
	CHECK(!TRY(&g, "w", &x, T0 + 201, 1));
	CHECK(!TRY(&g, "w", &s2, T0 + 202, 1));
	unqueue(&g, "w", &x, T0 + 203);
	CHECK(TRY(&g, "w", &s2, T0 + 204, 1));
	CHECK(holders(&g, "w", 0) == 2);
	/* a writer asleep in the queue does not hold readers back */
	CHECK(!TRY(&g, "w", &y, T0 + 205, 1));
	CHECK(!TRY(&g, "w", &r, T0 + 206, 0));
	CHECK(TRY(&g, "w", &r, T0 + 205 + SAFESHM_WAITER_STALE_US, 0));
	CHECK(REL(&g, "w", &s1, T0 + 300) == 1 && REL(&g, "w", &s2, T0 + 301) == 1 && REL(&g, "w", &r, T0 + 302) == 1);
	unqueue(&g, "w", &y, T0 + 303);
	CHECK(lock_records(&g) == 0);
	verify(&g);
	seg_free(&g);
}

static void test_ttl(void)
{
	seg g;
	who a = proc(51, 0), b = proc(52, 0), c = proc(53, 1), d = proc(54, 1);

	test_name = "ttl";
	seg_format(&g, 1 << 20, NULL);
	a.ttl_us = 1000000;
	CHECK(TRY(&g, "t", &a, T0, 0));
	CHECK(!TRY(&g, "t", &b, T0 + 999999, 0));
	CHECK(TRY(&g, "t", &b, T0 + 1000000, 0));  /* expired at acquisition + ttl */
	CHECK(!b.died && b.purged);                  /* an expiry is not a death */
	CHECK(b.token > a.token);
	CHECK(holders(&g, "t", 51) == 0 && holders(&g, "t", 52) == 1);
	/* the expired holder's release: false, and the new holder's hold untouched */
	CHECK(REL(&g, "t", &a, T0 + 1000001) == 0);
	CHECK(holders(&g, "t", 52) == 1);
	CHECK(refresh(&g, "t", &a, 5000000, T0 + 1000002) == 0);
	CHECK(holders(&g, "t", 51) == 0);
	CHECK(REL(&g, "t", &b, T0 + 1000003) == 1);
	/* expired, nobody looked yet: release still says it was lost, and removes it */
	CHECK(TRY(&g, "t", &a, T0 + 2000000, 0));
	CHECK(REL(&g, "t", &a, T0 + 3000000) == 0);
	CHECK(lock_records(&g) == 0);
	/* one of two shared holders expires; the other keeps its hold */
	c.ttl_us = 500000;
	CHECK(TRY(&g, "t", &c, T0 + 4000000, 0));
	CHECK(TRY(&g, "t", &d, T0 + 4000001, 0));
	CHECK(!TRY(&g, "t", &b, T0 + 4500000, 0));
	CHECK(holders(&g, "t", 53) == 0 && holders(&g, "t", 54) == 1); /* the attempt purged c */
	CHECK(REL(&g, "t", &c, T0 + 4500001) == 0);
	CHECK(REL(&g, "t", &d, T0 + 4500002) == 1);
	CHECK(TRY(&g, "t", &b, T0 + 4500003, 0));
	CHECK(REL(&g, "t", &b, T0 + 4500004) == 1);
	verify(&g);
	seg_free(&g);
}

static void test_refresh(void)
{
	seg g;
	who a = proc(61, 0), b = proc(62, 0), other = proc(63, 0);

	test_name = "refresh";
	seg_format(&g, 1 << 20, NULL);
	a.ttl_us = 1000000;
	CHECK(TRY(&g, "r", &a, T0, 0));
	CHECK(refresh(&g, "r", &a, 1000000, T0 + 500000) == 1);
	CHECK(!TRY(&g, "r", &b, T0 + 1400000, 0));
	CHECK(!TRY(&g, "r", &b, T0 + 1499999, 0));
	CHECK(TRY(&g, "r", &b, T0 + 1500000, 0));
	CHECK(refresh(&g, "r", &a, 1000000, T0 + 1500001) == 0);
	CHECK(holders(&g, "r", 61) == 0);
	/* only the holder's own token and pid refresh it */
	other.token = b.token;
	CHECK(refresh(&g, "r", &other, 0, T0 + 1500002) == 0);
	/* ttl 0: no expiry any more */
	b.ttl_us = 0;
	CHECK(refresh(&g, "r", &b, 300000, T0 + 1500003) == 1);
	CHECK(refresh(&g, "r", &b, 0, T0 + 1500004) == 1);
	CHECK(!TRY(&g, "r", &a, T0 + 100000000, 0));
	CHECK(REL(&g, "r", &b, T0 + 100000001) == 1);
	CHECK(refresh(&g, "r", &b, 1000, T0 + 100000002) == 0);
	CHECK(lock_records(&g) == 0);
	/* expired while nobody looked: too late to refresh, and the next contender gets it */
	a.ttl_us = 1000;
	CHECK(TRY(&g, "r", &a, T0 + 200000000, 0));
	CHECK(refresh(&g, "r", &a, 1000, T0 + 200000999) == 1);
	CHECK(refresh(&g, "r", &a, 1000, T0 + 200001999) == 0);
	CHECK(TRY(&g, "r", &b, T0 + 200002000, 0));
	CHECK(REL(&g, "r", &a, T0 + 200002001) == 0 && REL(&g, "r", &b, T0 + 200002002) == 1);
	CHECK(lock_records(&g) == 0);
	verify(&g);
	seg_free(&g);
}

static void test_dead_holder(void)
{
	seg g;
	who a = proc(71, 0), b = proc(72, 0), c = proc(73, 0), d = proc(74, 0), w = proc(75, 0), late = proc(76, 0);
	who s = proc(77, 1), zw = proc(78, 0), reused = proc(79, 0);
	uint32_t n, flags;
	safeshm_lock_entry *e;

	test_name = "dead-holder";
	seg_format(&g, 1 << 20, NULL);
	CHECK(TRY(&g, "d", &a, T0, 0));
	CHECK(!TRY(&g, "d", &b, T0 + 1, 0));
	proc_kill(71);
	CHECK(TRY(&g, "d", &b, T0 + 2, 0));        /* at once: no TTL needed */
	CHECK(b.died && b.purged);
	CHECK(REL(&g, "d", &b, T0 + 3) == 1);
	CHECK(TRY(&g, "d", &c, T0 + 4, 0));
	CHECK(!c.died);                              /* told once */
	CHECK(REL(&g, "d", &c, T0 + 5) == 1);
	CHECK(lock_records(&g) == 0);

	/* the contender that purges the dead holder is not the one granted:
	 * the flag waits in the record for the next holder */
	CHECK(TRY(&g, "d", &d, T0 + 10, 0));
	CHECK(!TRY(&g, "d", &w, T0 + 11, 1));
	proc_kill(74);
	CHECK(!TRY(&g, "d", &late, T0 + 12, 0));   /* w is awake and first */
	CHECK(late.purged && !late.died);
	CHECK(state(&g, "d", &e, &n, &flags) == 1);
	CHECK(n == 1 && (e[0].flags & SAFESHM_LE_WAITER) && e[0].pid == 75 && flags != 0);
	free(e);
	CHECK(TRY(&g, "d", &w, T0 + 13, 1));
	CHECK(w.died);
	CHECK(REL(&g, "d", &w, T0 + 14) == 1);
	CHECK(lock_records(&g) == 0);

	/* a dead holder that expired first: an expiry, not a death */
	a = proc(71, 0);
	a.ttl_us = 100;
	CHECK(TRY(&g, "d", &a, T0 + 20, 0));
	proc_kill(71);
	CHECK(TRY(&g, "d", &late, T0 + 200, 0));
	CHECK(!late.died);
	CHECK(REL(&g, "d", &late, T0 + 201) == 1);

	/* a dead shared holder is no "previous exclusive holder died" */
	CHECK(TRY(&g, "d", &s, T0 + 300, 0));
	proc_kill(77);
	CHECK(TRY(&g, "d", &c, T0 + 310, 0));
	CHECK(c.purged && !c.died);
	CHECK(REL(&g, "d", &c, T0 + 320) == 1);

	/* a dead waiter keeps nobody waiting */
	CHECK(TRY(&g, "d", &c, T0 + 400, 0));
	CHECK(!TRY(&g, "d", &zw, T0 + 410, 1));
	proc_kill(78);
	CHECK(REL(&g, "d", &c, T0 + 420) == 1);
	CHECK(TRY(&g, "d", &late, T0 + 430, 0));
	CHECK(!late.died && waiters(&g, "d", 0) == 0);
	CHECK(REL(&g, "d", &late, T0 + 440) == 1);

	/* a holder whose pid now belongs to another process is dead */
	CHECK(TRY(&g, "d", &reused, T0 + 500, 0));
	proc_reuse(79);
	CHECK(TRY(&g, "d", &c, T0 + 510, 0));
	CHECK(c.died);
	CHECK(REL(&g, "d", &c, T0 + 520) == 1);
	/* the holder's own process asking again is not taken for dead */
	CHECK(TRY(&g, "d", &c, T0 + 530, 0));
	CHECK(!TRY(&g, "d", &c, T0 + 540, 0));       /* not re-entrant: its own hold excludes it */
	CHECK(holders(&g, "d", 73) == 1);
	CHECK(REL(&g, "d", &c, T0 + 550) == 1);
	CHECK(lock_records(&g) == 0);
	verify(&g);
	seg_free(&g);
}

/* ---- tokens, and a crash at every fault point ----------------------- */

static unsigned char *snap_src, *snap_buf;
static size_t snap_size;
static long snap_calls, snap_at;
static char snap_where[64];

static void snap_hook(const char *where)
{
	if (++snap_calls == snap_at) {
		/* what a process killed here leaves in the segment */
		memcpy(snap_buf, snap_src, snap_size);
		snprintf(snap_where, sizeof(snap_where), "%s", where);
	}
}

typedef enum { OP_GRANT, OP_QUEUE, OP_RELEASE_LAST, OP_UNQUEUE } crash_op;

static const char *op_name(crash_op op)
{
	return op == OP_GRANT ? "grant" : op == OP_QUEUE ? "queue" : op == OP_RELEASE_LAST ? "release" : "unqueue";
}

static void test_tokens_and_crash(void)
{
	seg g, c;
	who a = proc(81, 0), b = proc(82, 1), x = proc(83, 0);
	const char *names[] = { "a", "b", "c", "a-much-longer-lock-name" };
	long crashes = 0, recovered = 0;

	test_name = "tokens";
	seg_format(&g, 1 << 20, NULL);
	max_token_seen = 0;
	tokens_monotonic = 1;
	/* tokens and tickets come from one counter: strictly increasing over every lock and kind */
	for (int i = 0; i < 200; i++) {
		const char *nm = names[i % 4];
		who *w = i % 3 == 0 ? &b : &a;
		uint64_t t = T0 + (uint64_t) i * 10;
		CHECK(TRY(&g, nm, w, t, 0));
		CHECK(!TRY(&g, nm, &x, t + 1, 1));
		CHECK(REL(&g, nm, w, t + 2) == 1);
		CHECK(TRY(&g, nm, &x, t + 3, 1));
		CHECK(REL(&g, nm, &x, t + 4) == 1);
	}
	CHECK(tokens_monotonic);
	CHECK(hdr(&g)->lock_token == max_token_seen);
	CHECK(lock_records(&g) == 0);
	verify(&g);
	seg_free(&g);

	/* A crash at every fault point of each lock operation: the copy taken at
	 * that point (what a killed process leaves) is recovered, and then its
	 * lock state is either the old or the new one, and the next token is
	 * above every token handed out before, the crashed operation's included. */
	test_name = "tokens-crash";
	for (int op = OP_GRANT; op <= OP_UNQUEUE; op++) {
		for (snap_at = 1; ; snap_at++) {
			who h = proc(84, 0), w = proc(85, 0), n = proc(86, 0);
			uint64_t before;
			int granted = 0, old_state, new_state, reached;

			seg_format(&g, 64 << 10, NULL);
			/* some data, so that a put may relocate and the index grow */
			for (int k = 0; k < 40; k++) {
				char key[16];
				snprintf(key, sizeof(key), "d%d", k);
				CHECK_ST(put_long(&g.s, key, k), SAFESHM_OK);
			}
			CHECK(TRY(&g, "c", &h, T0, 0));
			if (op == OP_GRANT) {
				proc_kill(84); /* the grant also purges a dead holder and tells n */
			} else if (op == OP_UNQUEUE) {
				CHECK(!TRY(&g, "c", &w, T0 + 1, 1));
			} else if (op == OP_RELEASE_LAST) {
				/* h holds alone */
			}
			before = hdr(&g)->lock_token;
			snap_src = g.buf;
			snap_size = g.size;
			snap_buf = calloc(1, g.size);
			snap_calls = 0;
			snap_where[0] = '\0';
			safeshm_store_fault_hook = snap_hook;
			switch ((crash_op) op) {
				case OP_GRANT: granted = TRY(&g, "c", &n, T0 + 2, 0); CHECK(granted && n.died); break;
				case OP_QUEUE: CHECK(!TRY(&g, "c", &w, T0 + 2, 1)); break;
				case OP_RELEASE_LAST: CHECK(REL(&g, "c", &h, T0 + 2) == 1); break;
				case OP_UNQUEUE: unqueue(&g, "c", &w, T0 + 2); break;
			}
			safeshm_store_fault_hook = NULL;
			reached = snap_calls >= snap_at;
			if (!reached) {
				free(snap_buf);
				seg_free(&g);
				CHECKF(snap_at > 1, "%s: no fault point reached", op_name(op));
				break;
			}
			crashes++;
			/* the survivor's view: the snapshot, recovered by the next lock holder */
			c.buf = snap_buf;
			c.size = g.size;
			c.shared = 0;
			safeshm_store_bind(&c.s, c.buf, c.size);
			if (safeshm_store_needs_recovery(&c.s)) {
				CHECK_ST(safeshm_store_recover(&c.s), SAFESHM_OK);
				recovered++;
			}
			CHECKF(safeshm_store_verify(&c.s) == SAFESHM_OK, "%s crashed at %s: verify: %s", op_name(op), snap_where,
				safeshm_verify_reason);
			CHECKF(hdr(&c)->lock_token >= before + (op <= OP_QUEUE ? 1 : 0), "%s crashed at %s: token counter went back",
				op_name(op), snap_where);
			switch ((crash_op) op) {
				case OP_GRANT:
					/* the dead holder purged (and the flag set for the next
					 * one) before the new hold is in: the old state, as the
					 * next contender sees it */
					old_state = holders(&c, "c", 86) == 0 && (holders(&c, "c", 84) == 1 || died_flag(&c, "c"));
					new_state = holders(&c, "c", 84) == 0 && holders(&c, "c", 86) == 1;
					break;
				case OP_QUEUE:
					old_state = waiters(&c, "c", 85) == 0;
					new_state = waiters(&c, "c", 85) == 1;
					break;
				case OP_UNQUEUE:
					old_state = waiters(&c, "c", 85) == 1;
					new_state = waiters(&c, "c", 85) == 0;
					break;
				default:
					old_state = holders(&c, "c", 84) == 1;
					new_state = lock_records(&c) == 0;
					break;
			}
			CHECKF(old_state != new_state, "%s crashed at %s: the lock state is neither the old nor the new one",
				op_name(op), snap_where);
			/* everyone so far dies; the next contender gets the lock and a token above all */
			proc_kill(84);
			proc_kill(85);
			proc_kill(86);
			{
				who next = proc(87, 0);
				uint64_t top = n.token > before ? n.token : before;
				CHECK(TRY(&c, "c", &next, T0 + 3, 0));
				CHECKF(next.token > top, "%s crashed at %s: token %" PRIu64 " after recovery, %" PRIu64 " handed out before",
					op_name(op), snap_where, next.token, top);
				CHECK(REL(&c, "c", &next, T0 + 4) == 1);
				CHECKF(safeshm_store_verify(&c.s) == SAFESHM_OK, "%s crashed at %s, then used: verify: %s",
					op_name(op), snap_where, safeshm_verify_reason);
			}
			free(snap_buf);
			seg_free(&g);
		}
	}
	printf("lock operations crashed at every fault point: %ld crashes, %ld needed recovery\n", crashes, recovered);
	CHECK(crashes >= 4 && recovered >= 4);
}

int main(void)
{
	check_begin();
	rng_state = base_seed();
	test_exclusive_shared();
	test_fifo();
	test_stale_waiter();
	test_writer_preference();
	test_ttl();
	test_refresh();
	test_dead_holder();
	test_tokens_and_crash();
	return check_end();
}
