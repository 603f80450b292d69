/*
 * fuzz_store's operations: each reads its parameters from the script,
 * runs one store call as the lock holder (or a lock-free find) and hands
 * the keys' values before and after to after_op(). See fuzz_store.c.
 */
#include "fuzz_store.h"

/* ---- the operations ----------------------------------------------------- */

void op_find(fz_t *z, bytes_t *b, unsigned dflt)
{
	fkey k;
	kv_t kv;
	pick_key(z, b, dflt, &k);
	kv_read(&z->s, &k, z->now, &kv);
	kv_free(&kv);
}

void op_put(fz_t *z, bytes_t *b, unsigned dflt, int mode_sel)
{
	fkey k;
	fval v;
	kv_t before, after;
	safeshm_put_req q;
	safeshm_status st;
	uint8_t m = b8(b), c;
	unsigned char cond[64];
	size_t clen = 0;

	pick_key(z, b, dflt, &k);
	pick_val(z, b, &v);
	memset(&q, 0, sizeof(q));
	q.ns = k.ns;
	q.key = k.key;
	q.klen = k.klen;
	q.hash = k.hash;
	q.type = v.type;
	q.val = v.val;
	q.vlen = v.vlen;
	q.expires = pick_ttl(z, b);
	q.mode = (safeshm_put_mode) (mode_sel >= 0 ? mode_sel : m % 4u);
	kv_read(&z->s, &k, z->now, &before);
	c = b8(b);
	if (q.mode == SAFESHM_PUT_IF_VERSION) {
		/* the current version (mostly), absent (0), or another one */
		q.cond_version = (c & 3u) == 0 ? 0 : (c & 3u) == 1 ? before.version + 1u : before.version;
	} else if (q.mode == SAFESHM_PUT_IF_VALUE) {
		/* the current value (mostly), or one byte off, or another type */
		q.cond_type = before.present ? before.type : SAFESHM_T_STRING;
		q.cond_val = before.data;
		q.cond_len = before.len;
		if ((c & 3u) == 1 && before.len) {
			clen = before.len < sizeof(cond) ? before.len : sizeof(cond);
			memcpy(cond, before.data, clen);
			cond[0] ^= 1u;
			q.cond_val = cond;
			q.cond_len = clen;
		} else if ((c & 3u) == 2) {
			q.cond_type = (safeshm_type) (1u + (c >> 2) % SAFESHM_T_MAX);
		}
	}
	st = safeshm_store_put(&z->s, &q, z->now);
	kv_read(&z->s, &k, z->now, &after);
	if (z->healthy) {
		if (st == SAFESHM_OK) {
			if (is_expired(q.expires, z->now) ? after.present : !kv_is(&after, q.type, q.val, q.vlen)) {
				broken("a successful put is not found with exactly its bytes", "put", st);
			}
			if (after.present && (after.version != q.version || after.expires != q.expires)) {
				broken("a successful put is found with another version or expiry", "put", st);
			}
			if ((q.mode == SAFESHM_PUT_ADD && before.present)
					|| (q.mode == SAFESHM_PUT_IF_VERSION && (q.cond_version == 0 ? before.present
						: !before.present || before.version != q.cond_version))
					|| (q.mode == SAFESHM_PUT_IF_VALUE && !kv_is(&before, q.cond_type, q.cond_val, q.cond_len))) {
				broken("a conditional put succeeded though its condition did not hold", "put", st);
			}
		} else if (!kv_eq(&before, &after, 1)) {
			broken("a failed put changed the old value", "put", st);
		} else if ((st == SAFESHM_EXISTS && !before.present)
				|| (st == SAFESHM_MISMATCH && q.mode == SAFESHM_PUT_IF_VALUE && kv_is(&before, q.cond_type, q.cond_val, q.cond_len))) {
			broken("a conditional put failed though its condition held", "put", st);
		}
	}
	after_op(z, "put", st, &k, 1, &before, &after, 0);
	kv_free(&before);
	kv_free(&after);
}

void op_delete(fz_t *z, bytes_t *b, unsigned dflt)
{
	fkey k;
	kv_t before, after;
	safeshm_status st;

	pick_key(z, b, dflt, &k);
	kv_read(&z->s, &k, z->now, &before);
	st = safeshm_store_delete(&z->s, k.ns, k.key, k.klen, k.hash, z->now);
	kv_read(&z->s, &k, z->now, &after);
	if (z->healthy && (after.present || (st == SAFESHM_OK) != before.present)) {
		broken("delete disagrees with what find saw", "delete", st);
	}
	after_op(z, "delete", st, &k, 1, &before, &after, 0);
	kv_free(&before);
	kv_free(&after);
}

/* big: a step of INT64_MAX (or INT64_MIN), to overflow */
void op_incr(fz_t *z, bytes_t *b, unsigned dflt, int big)
{
	fkey k;
	kv_t before, after;
	safeshm_status st;
	int64_t by, r = 0, old = 0;
	uint64_t exp;

	pick_key(z, b, dflt, &k);
	by = (int16_t) b16(b);
	if (big) {
		by = by & 1 ? INT64_MIN : INT64_MAX;
	}
	exp = pick_ttl(z, b);
	kv_read(&z->s, &k, z->now, &before);
	st = safeshm_store_increment(&z->s, k.ns, k.key, k.klen, k.hash, by, exp, z->now, &r);
	kv_read(&z->s, &k, z->now, &after);
	if (z->healthy) {
		if (st == SAFESHM_OK) {
			int64_t want;
			if (before.present && before.type == SAFESHM_T_LONG) {
				memcpy(&old, before.data, 8);
				want = old + by; /* no overflow: it succeeded */
			} else {
				want = by;
			}
			if (r != want || (before.present && before.type != SAFESHM_T_LONG)) {
				broken("increment returned a wrong count", "increment", st);
			}
			/* a new count takes exp; an existing one keeps its expiry */
			if (!before.present && is_expired(exp, z->now) ? after.present
					: !kv_is(&after, SAFESHM_T_LONG, &r, 8) || (before.present && after.expires != before.expires)) {
				broken("an incremented count is not found as returned", "increment", st);
			}
		} else if (!kv_eq(&before, &after, 1)) {
			broken("a failed increment changed the value", "increment", st);
		}
	}
	after_op(z, "increment", st, &k, 1, &before, &after, 0);
	kv_free(&before);
	kv_free(&after);
}

void op_touch(fz_t *z, bytes_t *b, unsigned dflt)
{
	fkey k;
	kv_t before, after;
	safeshm_status st;
	uint64_t exp;

	pick_key(z, b, dflt, &k);
	exp = pick_ttl(z, b);
	kv_read(&z->s, &k, z->now, &before);
	st = safeshm_store_touch(&z->s, k.ns, k.key, k.klen, k.hash, exp, z->now);
	kv_read(&z->s, &k, z->now, &after);
	if (z->healthy) {
		if ((st == SAFESHM_OK) != before.present) {
			broken("touch disagrees with what find saw", "touch", st);
		}
		if (st == SAFESHM_OK && (is_expired(exp, z->now) ? after.present
				: !kv_eq(&before, &after, 0) || after.expires != exp)) {
			broken("a touched entry lost its value or did not take its expiry", "touch", st);
		}
		if (st != SAFESHM_OK && !kv_eq(&before, &after, 1)) {
			broken("a failed touch changed the entry", "touch", st);
		}
	}
	after_op(z, "touch", st, &k, 1, &before, &after, 0);
	kv_free(&before);
	kv_free(&after);
}

void op_many(fz_t *z, bytes_t *b, unsigned dflt)
{
	fkey k[6];
	safeshm_put_req q[6];
	kv_t before[6], after[6];
	size_t n = b8(b) % 7u;
	uint64_t exp;
	safeshm_status st;

	for (size_t i = 0; i < n; i++) {
		fval v;
		pick_key(z, b, dflt + (unsigned) i, &k[i]);
		pick_val(z, b, &v);
		memset(&q[i], 0, sizeof(q[i]));
		q[i].ns = k[i].ns;
		q[i].key = k[i].key;
		q[i].klen = k[i].klen;
		q[i].hash = k[i].hash;
		q[i].type = v.type;
		q[i].val = v.val;
		q[i].vlen = v.vlen;
	}
	exp = pick_ttl(z, b);
	for (size_t i = 0; i < n; i++) {
		q[i].expires = exp;
		kv_read(&z->s, &k[i], z->now, &before[i]);
	}
	st = safeshm_store_put_many(&z->s, q, n, z->now);
	for (size_t i = 0; i < n; i++) {
		kv_read(&z->s, &k[i], z->now, &after[i]);
		trace_op(" put_many req", &k[i], st, q[i].vlen, exp);
	}
	if (z->healthy) {
		for (size_t i = 0; i < n; i++) {
			if (st == SAFESHM_OK && (is_expired(exp, z->now) ? after[i].present
					: !kv_is(&after[i], q[i].type, q[i].val, q[i].vlen) || after[i].version != q[i].version)) {
				char what[160];
				snprintf(what, sizeof(what), "a successful put_many's key %zu of %zu (type %d, %zu bytes) is not found "
					"with exactly its bytes (found: %d, type %d, %zu bytes)", i, n, (int) q[i].type, q[i].vlen,
					after[i].present, (int) after[i].type, after[i].len);
				broken(what, "put_many", st);
			}
			if (st != SAFESHM_OK && !kv_eq(&before[i], &after[i], 1)) {
				broken("a failed put_many changed an old value", "put_many", st);
			}
		}
	}
	after_op(z, "put_many", st, k, n, before, after, 1);
	for (size_t i = 0; i < n; i++) {
		kv_free(&before[i]);
		kv_free(&after[i]);
	}
}

void op_prefix(fz_t *z, bytes_t *b, unsigned dflt)
{
	fkey k;
	size_t plen;
	uint64_t count = 0;
	scan_t sc = { 0 };
	safeshm_status st, ist;

	pick_key(z, b, dflt, &k);
	plen = k.klen ? b8(b) % (k.klen + 1u) : 0;
	sc.s = &z->s;
	sc.prefix = &k;
	sc.plen = plen;
	ist = safeshm_store_iterate(&z->s, k.ns, z->now, scan_cb, &sc);
	st = safeshm_store_delete_prefix(&z->s, k.ns, k.key, plen, z->now, &count);
	if (z->healthy && ist == SAFESHM_OK) {
		uint64_t had = sc.matched;
		if (st == SAFESHM_OK && count != had) {
			broken("delete_prefix counted another number than iterate saw", "delete_prefix", st);
		}
		memset(&sc, 0, sizeof(sc));
		sc.s = &z->s;
		sc.prefix = &k;
		sc.plen = plen;
		safeshm_store_iterate(&z->s, k.ns, z->now, scan_cb, &sc);
		if (st == SAFESHM_OK && sc.matched != 0) {
			broken("delete_prefix left a live entry with the prefix", "delete_prefix", st);
		}
	}
	after_op(z, "delete_prefix", st, NULL, 0, NULL, NULL, 0);
}

void op_sweep(fz_t *z, bytes_t *b)
{
	safeshm_status st = safeshm_store_sweep(&z->s, z->now, b8(b));
	after_op(z, "sweep", st, NULL, 0, NULL, NULL, 0);
}

/* New keys until one does not fit: relocation, expiry, eviction and index
 * growth at work, up to more entries than relocation's bounded search reads
 * blocks (ROOM_SCAN_BLOCKS), so that it looks at part of the arena only. */
void op_fill(fz_t *z, bytes_t *b)
{
	uint8_t l = b8(b);
	uint64_t exp_sel = b8(b);
	safeshm_status st = SAFESHM_OK;

	for (int i = 0; i < FILL_MAX && st != SAFESHM_FULL && st != SAFESHM_CORRUPT; i++) {
		char kb[32];
		fkey k;
		kv_t before, after;
		safeshm_put_req q;
		size_t len = (size_t) (l & 126u) * ((l & 128u) ? 61u : 3u) + ((l & 1u) ? (size_t) i * 13u % 97u : 0u);

		set_key(&k, SAFESHM_NS_DATA, kb, (size_t) snprintf(kb, sizeof(kb), "fill-%u-%d", (unsigned) l, i));
		memset(&q, 0, sizeof(q));
		q.key = k.key;
		q.klen = k.klen;
		q.hash = k.hash;
		q.type = SAFESHM_T_STRING;
		q.val = valbuf + i;
		q.vlen = len;
		/* every other entry with a TTL, some expired already */
		q.expires = (exp_sel >> (i & 7)) & 1u ? z->now + (uint64_t) ((i * 37) % 11) - 3u : 0;
		kv_read(&z->s, &k, z->now, &before);
		st = safeshm_store_put(&z->s, &q, z->now);
		kv_read(&z->s, &k, z->now, &after);
		if (z->healthy && st == SAFESHM_OK && !is_expired(q.expires, z->now) && !kv_is(&after, q.type, q.val, q.vlen)) {
			broken("a successful put is not found with exactly its bytes", "fill", st);
		}
		if (z->healthy && st != SAFESHM_OK && !kv_eq(&before, &after, 1)) {
			broken("a failed put changed the old value", "fill", st);
		}
		/* a full verify now and then: a thousand of them would cost O(n^2) */
		after_op_ex(z, "fill", st, &k, 1, &before, &after, 0, i % FILL_VERIFY_EVERY == FILL_VERIFY_EVERY - 1
			|| i == FILL_MAX - 1 || st == SAFESHM_FULL || st == SAFESHM_CORRUPT);
		kv_free(&before);
		kv_free(&after);
	}
}

/* iterate, count and stats in every namespace; on a healthy segment the
 * counts agree. */
void op_scan(fz_t *z)
{
	safeshm_stats stats;
	for (uint8_t ns = 0; ns <= SAFESHM_NS_MAX + 1u; ns++) {
		scan_t sc = { 0 };
		uint64_t count = 0;
		safeshm_status ist, cst;
		sc.s = &z->s;
		ist = safeshm_store_iterate(&z->s, ns, z->now, scan_cb, &sc);
		cst = safeshm_store_count(&z->s, ns, z->now, &count);
		if (z->healthy && (ist != SAFESHM_OK || cst != SAFESHM_OK || count != sc.n)) {
			broken("count() disagrees with iterate()", "count", cst);
		}
	}
	if (safeshm_store_stats(&z->s, &stats) == SAFESHM_OK) {
		touch_sum += (unsigned) (stats.used + stats.free + stats.largest_free + stats.entries);
		if (z->healthy && stats.largest_free > stats.free) {
			broken("stats: the largest free block is larger than the free bytes", "stats", SAFESHM_OK);
		}
	}
}

/* The lock holder's repair; needed or not, it must keep a segment that
 * verifies verifying. A crash copy taken inside it must recover too when
 * this recovery ends in a segment that verifies. */
void op_recover(fz_t *z)
{
	safeshm_status st = safeshm_store_recover(&z->s);
	crash_rec *r = recorder;
	int ok;

	recorder = NULL;
	ok = st == SAFESHM_OK && safeshm_store_verify(&z->s) == SAFESHM_OK;
	if (z->healthy && !ok) {
		broken("recover() broke a segment that verified", "recover", st);
	}
	if (st == SAFESHM_OK && !ok) {
		/* whatever the bytes were: what recovery keeps, verify accepts */
		broken("recover() said OK on a segment verify refuses", "recover", st);
	}
	recorder = r;
	if (ok) {
		z->healthy = 1; /* the crash copy must recover as this did */
	}
	after_op(z, "recover", st, NULL, 0, NULL, NULL, 0);
}

void op_reopen(fz_t *z)
{
	const safeshm_header *h = (const safeshm_header *) z->buf;
	unsigned char name[SAFESHM_MAX_NAME_LEN];
	size_t nl = h->name_len <= SAFESHM_MAX_NAME_LEN ? h->name_len : 0;
	int formatted;
	safeshm_status st;

	memcpy(name, h->name, nl);
	st = safeshm_store_open(&z->s, (const char *) name, nl, z->lock_kind, NULL, 0, z->now, &formatted);
	if (z->healthy && (st != SAFESHM_OK || formatted)) {
		broken("a segment that verifies was not reopened as it is", "open", st);
	}
}

void run_op(fz_t *z, uint8_t op, bytes_t *b, unsigned dflt)
{
	switch (op) {
		case FZ_PUT: op_put(z, b, dflt, -1); break;
		case FZ_FIND: op_find(z, b, dflt); break;
		case FZ_DELETE: op_delete(z, b, dflt); break;
		case FZ_INCR: op_incr(z, b, dflt, (dflt & 0x80u) != 0); break;
		case FZ_TOUCH: op_touch(z, b, dflt); break;
		case FZ_MANY: op_many(z, b, dflt); break;
		case FZ_PREFIX: op_prefix(z, b, dflt); break;
		case FZ_SWEEP: op_sweep(z, b); break;
		case FZ_TIME: z->now += (uint64_t) b16(b) * 64u; break;
		case FZ_FILL: op_fill(z, b); break;
		case FZ_SCAN: op_scan(z); break;
		case FZ_RECOVER: op_recover(z); break;
		case FZ_REOPEN: op_reopen(z); break;
		default: break;
	}
}
