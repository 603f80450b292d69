/*
 * C tests of the named-lock table (shm_locks.c), continued: the per-lock
 * entry limit and a full store (SAFESHM_FULL, nothing granted), the state
 * record's size (the README's capacity rule), an idle record used again in
 * place and reclaimed by the store, and damaged state records (started
 * afresh). After every group the store's full structural check must pass.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "locks_common.h"

/* ---- capacity ------------------------------------------------------- */

static void test_limits(void)
{
	seg g;
	who x = proc(91, 0), y = proc(92, 0), last;
	uint32_t base = 1000, n, flags;
	safeshm_lock_entry *e;
	safeshm_stats before, after;
	int granted = -1;

	test_name = "record-size";
	seg_format(&g, 4 << 20, NULL);
	/* the README's rule: 48 + 16 + name + 40 per slot, rounded up to 8; slots for 1, 2, 4 ... holders and waiters */
	before = stats_of(&g.s);
	CHECK(TRY(&g, "size-rule", &x, T0, 0));
	after = stats_of(&g.s);
	CHECKF(after.used - before.used == ((48u + 16u + 9u + 40u + 7u) & ~7u), "one holder: %" PRIu64 " bytes",
		after.used - before.used);
	CHECK(after.lock_states == 1 && after.ttl_entries == 0);
	CHECK(!TRY(&g, "size-rule", &y, T0 + 1, 1));
	after = stats_of(&g.s);
	CHECKF(after.used - before.used == ((48u + 16u + 9u + 80u + 7u) & ~7u), "holder and waiter: %" PRIu64 " bytes",
		after.used - before.used);
	unqueue(&g, "size-rule", &y, T0 + 2);
	CHECK(REL(&g, "size-rule", &x, T0 + 3) == 1);
	/* released: the record stays idle (counted as expired, no lock state), and is used again in place */
	after = stats_of(&g.s);
	CHECK(after.used == before.used + ((48u + 16u + 9u + 80u + 7u) & ~7u) && after.lock_states == 0
		&& after.ttl_entries == 1 && safeshm_stats_idle(&after) == 1 && lock_records(&g) == 0);
	verify(&g);
	CHECK(TRY(&g, "size-rule", &x, T0 + 4, 0));
	after = stats_of(&g.s);
	CHECK(after.used == before.used + ((48u + 16u + 9u + 80u + 7u) & ~7u) && after.lock_states == 1
		&& after.ttl_entries == 0 && holders(&g, "size-rule", x.pid) == 1);
	CHECK(REL(&g, "size-rule", &x, T0 + 5) == 1);
	/* the store's sweep reclaims it as an expired entry */
	CHECK_ST(safeshm_store_sweep(&g.s, T0 + 6, 0), SAFESHM_OK);
	after = stats_of(&g.s);
	CHECK(after.used == before.used && after.entries == before.entries && after.ttl_entries == 0);
	verify(&g);

	test_name = "entry-limit";
	for (uint32_t i = 0; i < SAFESHM_LOCK_MAX_ENTRIES; i++) {
		who s = proc(base + i, 1);
		if (!TRY(&g, "many", &s, T0 + i, 0)) {
			CHECKF(0, "shared holder %u was not granted", i);
			break;
		}
	}
	CHECK(holders(&g, "many", 0) == (int) SAFESHM_LOCK_MAX_ENTRIES);
	last = proc(base + SAFESHM_LOCK_MAX_ENTRIES, 1);
	CHECK_ST(attempt_st(&g, "many", &last, T0 + 5000, 0, &granted), SAFESHM_FULL);
	CHECK(granted == 0);
	CHECK(holders(&g, "many", 0) == (int) SAFESHM_LOCK_MAX_ENTRIES && holders(&g, "many", last.pid) == 0);
	/* an exclusive try-once changes nothing, so it is a plain "not granted" */
	CHECK(!TRY(&g, "many", &x, T0 + 5001, 0));
	/* queueing needs an entry: FULL */
	CHECK_ST(attempt_st(&g, "many", &x, T0 + 5002, 1, &granted), SAFESHM_FULL);
	CHECK(granted == 0 && waiters(&g, "many", 0) == 0);
	/* one holder dies: its entry is reused by the next */
	proc_kill(base);
	CHECK(TRY(&g, "many", &last, T0 + 5003, 0));
	CHECK(holders(&g, "many", 0) == (int) SAFESHM_LOCK_MAX_ENTRIES);
	/* a waiter counts as an entry too */
	proc_kill(base + 1);
	CHECK(!TRY(&g, "many", &x, T0 + 5004, 1));
	CHECK(waiters(&g, "many", 0) == 1 && holders(&g, "many", 0) == (int) SAFESHM_LOCK_MAX_ENTRIES - 1);
	CHECK_ST(attempt_st(&g, "many", &y, T0 + 5005, 1, &granted), SAFESHM_FULL);
	CHECK(state(&g, "many", &e, &n, &flags) == 1 && n == SAFESHM_LOCK_MAX_ENTRIES);
	free(e);
	verify(&g);
	seg_free(&g);
	for (uint32_t i = 0; i <= SAFESHM_LOCK_MAX_ENTRIES; i++) {
		proc_kill(base + i);
	}

	/* a store with no room for the lock's state: FULL, nothing granted, then room made: granted */
	test_name = "store-full";
	seg_format(&g, 8192, NULL);
	{
		char val[256];
		int k = 0;
		memset(val, 'v', sizeof(val));
		for (;; k++) {
			char key[16];
			snprintf(key, sizeof(key), "f%d", k);
			if (kput(&g.s, key, SAFESHM_T_STRING, val, sizeof(val)) != SAFESHM_OK) {
				break;
			}
		}
		for (int small = 200; small > 0; small -= 8) {
			char key[16];
			snprintf(key, sizeof(key), "g%d", small);
			while (kput(&g.s, key, SAFESHM_T_STRING, val, (size_t) small) == SAFESHM_OK) {
				snprintf(key, sizeof(key), "g%d-%d", small, k++);
			}
		}
		CHECK_ST(attempt_st(&g, "full", &x, T0, 0, &granted), SAFESHM_FULL);
		CHECK(granted == 0 && lock_records(&g) == 0);
		CHECK_ST(kdel(&g.s, "f0"), SAFESHM_OK);
		CHECK(TRY(&g, "full", &x, T0 + 1, 0));
		CHECK(REL(&g, "full", &x, T0 + 2) == 1);
		/* released, its record idle: a write that needs the room reclaims it */
		CHECK(stats_of(&g.s).entries - stats_of(&g.s).data_entries == 1);
		CHECK_ST(kput(&g.s, "f0", SAFESHM_T_STRING, val, sizeof(val)), SAFESHM_OK);
		CHECK(stats_of(&g.s).entries == stats_of(&g.s).data_entries && stats_of(&g.s).ttl_entries == 0);
	}
	verify(&g);
	seg_free(&g);
}

/* ---- damaged state ------------------------------------------------- */

static void put_state(seg *g, const char *name, safeshm_type type, const void *bytes, size_t len)
{
	safeshm_put_req q = { .ns = SAFESHM_NS_LOCK, .key = name, .klen = strlen(name), .hash = lhash(name), .type = type,
		.val = bytes, .vlen = len, .mode = SAFESHM_PUT_REPLACE };
	CHECK_ST(safeshm_store_put(&g->s, &q, now_us_fake), SAFESHM_OK);
}

static void test_damaged(void)
{
	seg g;
	who a = proc(95, 0), b = proc(96, 0);
	unsigned char good[16 + 40], bad[16 + 40 * 5];
	safeshm_lock_entry *e;
	uint32_t n, flags;
	safeshm_view v;

	test_name = "damaged";
	seg_format(&g, 1 << 20, NULL);
	CHECK(TRY(&g, "dmg", &a, T0, 0));
	CHECK_ST(safeshm_store_find(&g.s, SAFESHM_NS_LOCK, "dmg", 3, lhash("dmg"), now_us_fake, &v), SAFESHM_OK);
	CHECK(v.type == SAFESHM_T_BINARY && v.len == sizeof(good));
	memcpy(good, v.data, sizeof(good));
	CHECK(safeshm_named_decode(good, sizeof(good), &e, &n, &flags) == 1 && n == 1 && e[0].pid == 95);
	free(e);

	struct { const char *what; safeshm_type type; size_t len; } cases[] = {
		{ "wrong magic", SAFESHM_T_BINARY, sizeof(good) },
		{ "stored as a string", SAFESHM_T_STRING, sizeof(good) },
		{ "shorter than its header", SAFESHM_T_BINARY, 15 },
		{ "count says 5, bytes hold 1", SAFESHM_T_BINARY, sizeof(good) },
		{ "count says 2, bytes hold 5", SAFESHM_T_BINARY, sizeof(bad) },
		{ "count above the limit", SAFESHM_T_BINARY, sizeof(good) },
		{ "empty", SAFESHM_T_BINARY, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t u;
		unsigned char *p = cases[i].len > sizeof(good) ? bad : good;
		memset(bad, 0, sizeof(bad));
		memcpy(bad, good, sizeof(good));
		CHECK_ST(safeshm_store_find(&g.s, SAFESHM_NS_LOCK, "dmg", 3, lhash("dmg"), now_us_fake, &v), SAFESHM_OK);
		if (v.len == sizeof(good)) {
			memcpy(good, v.data, sizeof(good)); /* the current good state (a holds) */
			memcpy(bad, good, sizeof(good));
		}
		switch (i) {
			case 0: p[0] ^= 0xFF; break;
			case 3: u = 5; memcpy(p + 4, &u, 4); break;
			case 4: u = 2; memcpy(p + 4, &u, 4); break;
			case 5: u = SAFESHM_LOCK_MAX_ENTRIES + 1; memcpy(p + 4, &u, 4); break;
			default: break;
		}
		CHECKF(!(cases[i].type == SAFESHM_T_BINARY && safeshm_named_decode(p, cases[i].len, &e, &n, &flags)),
			"%s: decoded", cases[i].what);
		put_state(&g, "dmg", cases[i].type, p, cases[i].len);
		/* release and refresh find nothing in it and leave it alone */
		CHECKF(REL(&g, "dmg", &a, T0 + 1) == 0, "%s: release", cases[i].what);
		CHECKF(refresh(&g, "dmg", &a, 0, T0 + 1) == 0, "%s: refresh", cases[i].what);
		unqueue(&g, "dmg", &b, T0 + 1);
		/* an attempt starts it afresh: the damaged holders lose their hold */
		CHECKF(TRY(&g, "dmg", &b, T0 + 2, 0), "%s: not granted", cases[i].what);
		CHECKF(state(&g, "dmg", &e, &n, &flags) == 1 && n == 1 && e[0].pid == 96 && flags == 0,
			"%s: state after the attempt", cases[i].what);
		free(e);
		CHECK(REL(&g, "dmg", &b, T0 + 3) == 1);
		CHECK(lock_records(&g) == 0);
		/* and the next round starts from a held lock again */
		CHECK(TRY(&g, "dmg", &a, T0 + 4, 0));
		verify(&g);
	}
	CHECK(REL(&g, "dmg", &a, T0 + 5) == 1);
	CHECK(lock_records(&g) == 0);
	verify(&g);
	seg_free(&g);
}

int main(void)
{
	check_begin();
	rng_state = base_seed();
	test_limits();
	test_damaged();
	return check_end();
}
