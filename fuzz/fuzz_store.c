/*
 * libFuzzer target for the SafeShm store (layout 3): the input bytes are the
 * segment.
 *
 * The input is copied into an exact-size heap buffer (so ASan guards its
 * end) of at least SAFESHM_MIN_SIZE bytes, zero-padded, capped at 64 KiB,
 * and driven the way the extension drives an attached segment: check the
 * header, open (validate, or format a blank one), lock-free finds validated
 * with safeshm_store_view_valid(), then as the lock holder: recover when
 * needs_recovery() says so, every mutation (put in each mode, put_many,
 * delete, increment, touch, delete_prefix, sweep), iterate, count, stats,
 * verify. Any status is fine; a crash, a sanitizer report, a hang
 * (-timeout) or a broken property below is a finding.
 *
 * The header's reserved bytes (which the store never writes after
 * formatting) steer the run: the time, keys, value types and lengths, TTLs,
 * modes and conditions of a fixed program of every operation, then a script
 * of further operations (fuzz_script.h).
 *
 * Most mutated inputs fail the header check at once, so each input also runs
 * a second time with the header's geometry patched to match its size: the
 * index, records and allocator state stay as the fuzzer made them.
 *
 * A simulated crash: at a fault-hook call the preamble chooses (counted
 * from the first open, so formatting too), the segment is copied as a
 * process killed there would leave it (the operation itself goes on); the
 * copy is then recovered (and that recovery may be "killed" too, and
 * recovered again), or opened again when it was killed formatting.
 *
 * Properties (abort on violation), while the segment verifies (a segment
 * verify() accepts is "healthy"):
 *  - after any operation, and after recover(), it still verifies;
 *  - a successful put (or put_many) is then found with exactly its bytes,
 *    type and version; a failed one (FULL, EXISTS, MISMATCH, ...) leaves the
 *    old value, version and expiry; delete, increment, touch, delete_prefix
 *    and count agree with what was found before;
 *  - a copy crashed inside an operation recovers to a segment that
 *    verifies, in which the operation's keys hold their old or their new
 *    values (put_many: all old or all new); so does a recovery that was
 *    itself crashed;
 *  - a recovery that ends in a segment that verifies ends in one too when
 *    it is crashed at any point and recovered again.
 * Always:
 *  - a segment whose creator died formatting is formatted by the next open,
 *    and verifies;
 *  - a lock-free find with no writer running never says RETRY, and its view
 *    is valid.
 *
 * This file is the driver; the operations are in fuzz_ops.c, what both use
 * in fuzz_store.h.
 */
#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* ---- simulated crashes -------------------------------------------------- */

crash_rec *recorder;

static void hook(const char *where)
{
	crash_rec *r = recorder;
	if (r && ++r->calls == r->target) {
		memcpy(r->dst, r->src, r->size);
		r->hit = 1;
		r->where = where;
	}
}

static void arm(crash_rec *r, const unsigned char *src, unsigned char *dst, size_t size, long target)
{
	memset(r, 0, sizeof(*r));
	r->src = src;
	r->dst = dst;
	r->size = size;
	r->target = target;
	recorder = target > 0 ? r : NULL;
	safeshm_store_fault_hook = target > 0 ? hook : NULL;
}

static void disarm(void)
{
	recorder = NULL;
	safeshm_store_fault_hook = NULL;
}

/* ---- the run's state ---------------------------------------------------- */

fz_t Z;
unsigned char valbuf[VALCAP];
int valseed; /* the pattern in valbuf, + 1 (0: none yet) */
unsigned touch_sum;

const char *const fixed_keys[NFIXED] = { "a", "counter", "key-1", "seed-str", "seed-long", "big", "ttl-1", "p:1" };

/* FUZZ_STORE_TRACE=1 prints every operation of a replayed input. */
static int tracing = -1;

void trace_op(const char *op, const fkey *k, safeshm_status st, size_t vlen, uint64_t expires)
{
	if (tracing < 0) {
		tracing = getenv("FUZZ_STORE_TRACE") != NULL;
	}
	if (!tracing) {
		return;
	}
	fprintf(stderr, "fuzz_store: trace: %-13s", op);
	if (k) {
		fprintf(stderr, " ns %u key \"%.*s\"%s (%zu bytes)", k->ns, (int) (k->klen < 24 ? k->klen : 24), k->key,
			k->klen > 24 ? "..." : "", k->klen);
	}
	fprintf(stderr, " vlen %zu expires %llu now %llu: %s (healthy %d)\n", vlen, (unsigned long long) expires,
		(unsigned long long) Z.now, safeshm_status_str(st), Z.healthy);
}

void broken(const char *what, const char *op, safeshm_status st)
{
	fprintf(stderr, "fuzz_store: %s, after %s (status: %s; verify: %s)\n", what, op, safeshm_status_str(st),
		safeshm_verify_reason);
	abort();
}

int is_expired(uint64_t expires, uint64_t now)
{
	return expires != 0 && expires <= now;
}

void set_key(fkey *k, uint8_t ns, const void *key, size_t klen)
{
	k->ns = ns;
	k->klen = klen;
	if (klen) {
		memcpy(k->key, key, klen);
	}
	k->hash = safeshm_key_hash(ns, k->key, klen);
}

/*
 * A key: one of the fixed keys or of those found in the segment, a short
 * key spelled by the script, a long one (up to one byte too long), or an
 * empty one. The namespace is mostly the user's.
 */
void pick_key(fz_t *z, bytes_t *b, unsigned dflt, fkey *k)
{
	uint8_t c = b8(b), nb = b8(b), ns = nb < 0xF0 ? SAFESHM_NS_DATA : (uint8_t) (nb & 3u);

	if (c < 0xA0) {
		unsigned i = (c + dflt) % (unsigned) (NFIXED + (size_t) z->nfound);
		if (i < NFIXED) {
			set_key(k, ns, fixed_keys[i], strlen(fixed_keys[i]));
		} else {
			*k = z->found[i - NFIXED];
		}
	} else if (c < 0xF0) {
		unsigned char t[16];
		size_t l = 1u + (c & 15u);
		for (size_t i = 0; i < l; i++) {
			t[i] = b8(b);
		}
		set_key(k, ns, t, l);
	} else if (c < 0xFE) {
		size_t l = 1u + b16(b) % (SAFESHM_MAX_KEY_LEN + 1u);
		for (size_t i = 0; i < l; i++) {
			k->key[i] = (unsigned char) ('a' + (i * 7u + c) % 26u);
		}
		set_key(k, ns, k->key, l);
	} else {
		set_key(k, ns, "", 0);
	}
}

/* A value: a type (rarely an invalid one), a length that fits the type
 * (rarely one that does not), from small to larger than the arena. */
void pick_val(fz_t *z, bytes_t *b, fval *v)
{
	uint8_t t = b8(b), l = b8(b), off = b8(b);
	uint64_t arena = z->s.arena_end - z->s.arena_off;
	size_t len;

	v->type = t >= 0xFC ? (safeshm_type) (t == 0xFC ? 0 : SAFESHM_T_MAX + 1) : (safeshm_type) (1 + t % SAFESHM_T_MAX);
	switch (l >> 6) {
		case 0: len = l & 63u; break;
		case 1: len = (size_t) (l & 63u) * 37u + b8(b); break;
		case 2: len = (size_t) (arena * ((l & 63u) + 1u) / 64u); break;
		default:
			if ((l & 63u) == 63u) {
				/* larger than the arena: the store must refuse without reading it */
				len = (b8(b) & 1u) ? (size_t) SAFESHM_MAX_VALUE_LEN + 1u : (size_t) arena + 1u + b16(b);
				v->val = valbuf;
				v->vlen = len;
				return;
			}
			len = b16(b) % (2u * z->size);
			break;
	}
	if (t < 0xF0 || t >= 0xFC) {
		/* a length that fits the type, as the extension always gives */
		if (v->type == SAFESHM_T_LONG || v->type == SAFESHM_T_DOUBLE) {
			len = 8;
		} else if (v->type == SAFESHM_T_FALSE || v->type == SAFESHM_T_TRUE || v->type == SAFESHM_T_NULL) {
			len = 0;
		}
	}
	v->val = valbuf + off;
	v->vlen = len;
}

uint64_t pick_ttl(fz_t *z, bytes_t *b)
{
	uint8_t e = b8(b);
	switch (e & 3u) {
		case 0: return 0;
		case 1: return z->now + 1u + (uint64_t) b16(b) * 8u;
		case 2: return z->now - (e >> 2); /* expired already (or just now) */
		default: return z->now + 1u + b32(b);
	}
}

/* ---- lock-free reads ---------------------------------------------------- */

void kv_free(kv_t *kv)
{
	free(kv->data);
	kv->data = NULL;
	kv->present = 0;
}

/* A find as a lock-free reader does it: find, copy out, validate. */
void kv_read(const safeshm_store *s, const fkey *k, uint64_t now, kv_t *kv)
{
	safeshm_view v;
	safeshm_status st = safeshm_store_find(s, k->ns, k->key, k->klen, k->hash, now, &v);

	memset(kv, 0, sizeof(*kv));
	if (st == SAFESHM_RETRY) {
		broken("a lock-free find with no writer running said RETRY", "find", st);
	}
	if (st != SAFESHM_OK) {
		return;
	}
	kv->present = 1;
	kv->type = v.type;
	kv->len = v.len;
	kv->version = v.version;
	kv->expires = v.expires;
	kv->data = malloc(v.len ? v.len : 1u);
	if (v.len) {
		memcpy(kv->data, v.data, v.len);
	}
	for (size_t i = 0; i < v.key_len; i++) {
		touch_sum += v.key[i];
	}
	if (!safeshm_store_view_valid(s, &v)) {
		broken("a view is invalid with no writer running", "find", st);
	}
	if (v.type == SAFESHM_T_LONG && v.len == 8) {
		int64_t x = safeshm_store_view_long(&v), y;
		memcpy(&y, kv->data, 8);
		if (x != y) {
			broken("view_long() disagrees with the value's bytes", "find", st);
		}
	}
}

/* Same value (and, when strict, the same version and expiry). */
int kv_eq(const kv_t *a, const kv_t *b, int strict)
{
	if (a->present != b->present) {
		return 0;
	}
	if (!a->present) {
		return 1;
	}
	return a->type == b->type && a->len == b->len && memcmp(a->data, b->data, a->len) == 0
		&& (!strict || (a->version == b->version && a->expires == b->expires));
}

int kv_is(const kv_t *a, safeshm_type type, const void *val, size_t len)
{
	return a->present && a->type == type && a->len == len && (len == 0 || memcmp(a->data, val, len) == 0);
}

/* ---- iteration ---------------------------------------------------------- */

/* Reads every byte a view exposes (ASan sees any outside the segment). */
int scan_cb(const safeshm_view *v, void *ctx)
{
	scan_t *sc = ctx;
	unsigned sum = 0;
	for (size_t i = 0; i < v->len; i++) {
		sum += v->data[i];
	}
	for (size_t i = 0; i < v->key_len; i++) {
		sum += v->key[i];
	}
	touch_sum += sum + (unsigned) v->type;
	if (!safeshm_store_view_valid(sc->s, v)) {
		broken("an iterated view is invalid with no writer running", "iterate", SAFESHM_OK);
	}
	sc->n++;
	if (sc->prefix && v->key_len >= sc->plen && memcmp(v->key, sc->prefix->key, sc->plen) == 0) {
		sc->matched++;
	}
	return 0;
}

int collect_cb(const safeshm_view *v, void *ctx)
{
	fz_t *z = ctx;
	if (v->key_len <= FOUND_MAXK && z->nfound < NFOUND) {
		set_key(&z->found[z->nfound++], v->ns, v->key, v->key_len);
	}
	return z->nfound == NFOUND;
}

/* ---- after every operation ---------------------------------------------- */

static void check_recovered(fz_t *z, safeshm_store *cs, safeshm_status rst, const char *op, const char *where,
	const fkey *keys, size_t nk, const kv_t *before, const kv_t *after, int expect_ok, int all_or_none)
{
	char what[160];
	safeshm_status vst = safeshm_store_verify(cs);
	int olds = 0, news = 0;

	if (expect_ok && (rst != SAFESHM_OK || vst != SAFESHM_OK)) {
		snprintf(what, sizeof(what), "a copy crashed at %s did not recover to a segment that verifies", where);
		broken(what, op, rst != SAFESHM_OK ? rst : vst);
	}
	if (expect_ok && safeshm_store_needs_recovery(cs)) {
		snprintf(what, sizeof(what), "a copy crashed at %s still needs recovery after recover()", where);
		broken(what, op, rst);
	}
	for (size_t i = 0; i < nk; i++) {
		kv_t got;
		kv_read(cs, &keys[i], z->now, &got);
		if (expect_ok) {
			int is_old = kv_eq(&got, &before[i], 0), is_new = kv_eq(&got, &after[i], 0);
			if (!is_old && !is_new) {
				snprintf(what, sizeof(what), "a copy crashed at %s holds neither the old nor the new value of key %zu",
					where, i);
				broken(what, op, rst);
			}
			olds += is_old && !is_new;
			news += is_new && !is_old;
		}
		kv_free(&got);
	}
	if (all_or_none && olds && news) {
		snprintf(what, sizeof(what), "a copy crashed at %s holds %d old and %d new values of one put_many",
			where, olds, news);
		broken(what, op, rst);
	}
}

/* The run's simulated crash, once its copy was taken. */
static void crash_check(fz_t *z, const char *op, const fkey *keys, size_t nk, const kv_t *before, const kv_t *after,
	int expect_ok, int all_or_none)
{
	safeshm_store cs;
	crash_rec r2;
	safeshm_status rst;
	const char *where = z->crash.where;
	int formatted;

	if (!z->crash.hit || z->crash_checked) {
		return;
	}
	z->crash_checked = 1;
	safeshm_store_bind(&cs, z->snap, z->size);
	if (strncmp(where, "format:", 7) == 0) {
		/* a creator killed while formatting: the next opener formats again */
		rst = safeshm_store_open(&cs, NULL, 0, z->lock_kind, NULL, 0, z->now, &formatted);
		if (rst == SAFESHM_OK && !formatted) {
			rst = SAFESHM_CORRUPT;
		}
		check_recovered(z, &cs, rst, op, where, NULL, 0, NULL, NULL, 1, 0);
		return;
	}
	if (expect_ok && !safeshm_store_needs_recovery(&cs)) {
		char what[128];
		snprintf(what, sizeof(what), "a copy crashed at %s does not ask for recovery", where);
		broken(what, op, SAFESHM_OK);
	}
	/* the repairing process may be killed too */
	arm(&r2, z->snap, z->snap2, z->size, z->rcrash_at);
	rst = safeshm_store_recover(&cs);
	disarm();
	check_recovered(z, &cs, rst, op, where, keys, nk, before, after, expect_ok, all_or_none);
	if (r2.hit) {
		char w2[96];
		safeshm_store cs2;
		snprintf(w2, sizeof(w2), "%s, then its recovery at %s", where, r2.where);
		safeshm_store_bind(&cs2, z->snap2, z->size);
		rst = safeshm_store_recover(&cs2);
		check_recovered(z, &cs2, rst, op, w2, keys, nk, before, after, expect_ok, all_or_none);
	}
}

/* Ends an operation: the segment must still verify if it did, and the
 * run's crash copy (if taken during it) must recover. */
void after_op_ex(fz_t *z, const char *op, safeshm_status st, const fkey *keys, size_t nk, const kv_t *before,
	const kv_t *after, int all_or_none, int verify)
{
	safeshm_status vst = SAFESHM_OK;
	crash_rec *r = recorder;

	recorder = NULL; /* checking runs the store: no copy of that */
	trace_op(op, nk ? &keys[0] : NULL, st, nk && after[0].present ? after[0].len : 0, nk ? after[0].expires : 0);
	if (verify) {
		vst = safeshm_store_verify(&z->s);
		if (z->healthy && vst != SAFESHM_OK) {
			broken("a segment verify() accepted no longer verifies", op, st);
		}
	}
	crash_check(z, op, keys, nk, before, after, z->healthy, all_or_none);
	if (verify) {
		z->healthy = vst == SAFESHM_OK;
	}
	recorder = r;
}

void after_op(fz_t *z, const char *op, safeshm_status st, const fkey *keys, size_t nk, const kv_t *before,
	const kv_t *after, int all_or_none)
{
	after_op_ex(z, op, st, keys, nk, before, after, all_or_none, 1);
}

/* ---- one run over one segment ------------------------------------------- */

int fz_init_lock(void *area)
{
	memset(area, 0xA5, 64);
	return Z.lock_fail;
}

static void run(unsigned char *buf, size_t size)
{
	fz_t *z = &Z;
	const safeshm_header *h = (const safeshm_header *) buf;
	uint8_t params[sizeof(h->reserved)];
	unsigned char name[SAFESHM_MAX_NAME_LEN];
	size_t nl;
	bytes_t pre, script, none = { NULL, 0, 0 };
	safeshm_stats stats;
	uint64_t seq;
	safeshm_status st;
	int formatted, was_formatting;
	long crash_at;

	/* the script first: formatting zeroes the reserved bytes */
	memcpy(params, h->reserved, sizeof(params));
	pre = (bytes_t) { params, FZ_PRE_LEN, 0 };
	script = (bytes_t) { params, sizeof(params), FZ_PRE_LEN };

	z->buf = buf;
	z->size = size;
	z->now = FZ_NOW_BASE + 16u * ((uint64_t) params[FZ_PRE_TIME] | (uint64_t) params[FZ_PRE_TIME + 1] << 8);
	z->lock_fail = params[FZ_PRE_FLAGS] & 1u;
	z->lock_kind = (params[FZ_PRE_FLAGS] >> 1) & 1u;
	crash_at = (long) params[FZ_PRE_CRASH] | (long) params[FZ_PRE_CRASH + 1] << 8;
	z->rcrash_at = params[FZ_PRE_RCRASH];
	z->crash_checked = 0;
	z->nfound = 0;
	z->healthy = 0;
	pre.i = FZ_PRE_PARAMS;
	if (valseed != params[FZ_PRE_VALSEED] + 1) {
		valseed = params[FZ_PRE_VALSEED] + 1;
		for (size_t i = 0; i < sizeof(valbuf); i++) {
			valbuf[i] = (unsigned char) (i * 31u + params[FZ_PRE_VALSEED]);
		}
	}

	/* attaching: the cheap check, then open under the formatting lock,
	 * with the name the header claims, with none and with another; the
	 * crash copy may be taken while one of them formats */
	safeshm_store_bind(&z->s, buf, size);
	safeshm_store_is_blank(&z->s);
	safeshm_store_header_blank(&z->s);
	was_formatting = safeshm_store_check_header(&z->s) == SAFESHM_FORMATTING;
	nl = h->name_len <= SAFESHM_MAX_NAME_LEN ? h->name_len : 0;
	memcpy(name, h->name, nl);
	arm(&z->crash, buf, z->snap, size, crash_at);
	st = safeshm_store_open(&z->s, (const char *) name, nl, z->lock_kind, fz_init_lock, 0, z->now, &formatted);
	if (was_formatting && !z->lock_fail && (st != SAFESHM_OK || !formatted)) {
		broken("a segment a creator died formatting was not formatted again", "open", st);
	}
	safeshm_store_open(&z->s, NULL, 0, z->lock_kind, fz_init_lock, 0, z->now, &formatted);
	safeshm_store_open(&z->s, "fuzz", 4, 2, NULL, 0, z->now, &formatted);
	safeshm_store_open(&z->s, (const char *) valbuf, SAFESHM_MAX_NAME_LEN + 1u, 0, NULL, 0, z->now, &formatted);
	crash_check(z, "open", NULL, 0, NULL, NULL, 1, 0);
	if (safeshm_store_check_header(&z->s) != SAFESHM_OK) {
		disarm();
		return;
	}
	touch_sum += safeshm_store_lock_kind(&z->s) + safeshm_store_layout_version(&z->s)
		+ *(unsigned char *) safeshm_store_lock_area(&z->s) + (unsigned) safeshm_store_is_removed(&z->s);

	/* lock-free reads, before any repair */
	seq = safeshm_store_read_begin(&z->s);
	for (uint8_t ns = 0; ns <= SAFESHM_NS_MAX; ns++) {
		safeshm_store_iterate(&z->s, ns, z->now, collect_cb, z);
	}
	for (unsigned i = 0; i < NFIXED + (unsigned) z->nfound; i++) {
		fkey k;
		kv_t kv;
		if (i < NFIXED) {
			set_key(&k, SAFESHM_NS_DATA, fixed_keys[i], strlen(fixed_keys[i]));
		} else {
			k = z->found[i - NFIXED];
		}
		kv_read(&z->s, &k, z->now, &kv);
		kv_free(&kv);
	}
	if (!safeshm_store_read_valid(&z->s, seq) && !(seq & 1u)) {
		broken("a snapshot read with no writer running is invalid", "read_valid", SAFESHM_OK);
	}
	safeshm_store_stats(&z->s, &stats);
	safeshm_store_add_tallies(&z->s, 3, 1, 1);

	/* the lock holder */
	safeshm_store_set_owner(&z->s, (uint32_t) getpid());
	safeshm_store_set_lock_semid(&z->s, 7);
	touch_sum += safeshm_store_owner(&z->s) + (unsigned) safeshm_store_lock_semid(&z->s);
	if (safeshm_store_needs_recovery(&z->s)) {
		op_recover(z);
	} else {
		z->healthy = safeshm_store_verify(&z->s) == SAFESHM_OK;
	}

	/* the fixed program: every operation once, its parameters from the preamble */
	op_find(z, &pre, 0);
	op_put(z, &pre, 0, SAFESHM_PUT_REPLACE);
	op_put(z, &pre, 0, SAFESHM_PUT_ADD);
	op_put(z, &pre, 0, SAFESHM_PUT_IF_VERSION);
	op_put(z, &pre, 0, SAFESHM_PUT_IF_VALUE);
	op_put(z, &pre, 3, SAFESHM_PUT_REPLACE);
	op_incr(z, &pre, 1, 0);
	op_incr(z, &pre, 1, 1);
	op_incr(z, &pre, 1, 1); /* the same key, mostly: the second step of INT64_MAX overflows */
	op_touch(z, &pre, 0);
	op_many(z, &pre, 4);
	op_put(z, &pre, 5, SAFESHM_PUT_REPLACE);
	for (int i = 0; i < z->nfound && i < 3; i++) {
		op_put(z, &pre, NFIXED + (unsigned) i, SAFESHM_PUT_REPLACE);
	}
	op_delete(z, &pre, 0);
	op_prefix(z, &pre, 7);
	op_sweep(z, &pre);
	op_scan(z);

	/* the script */
	for (int n = 0; n < 64; n++) {
		uint8_t op = b8(&script);
		if (op == FZ_END) {
			break;
		}
		run_op(z, (uint8_t) (op % FZ_OPS), &script, op);
	}

	/* the end of a request: the lock holder's last look, an operator's repair */
	op_scan(z);
	if (!z->healthy) {
		op_recover(z);
		op_put(z, &none, 2, SAFESHM_PUT_REPLACE);
	}
	disarm();
	safeshm_store_count_lock_timeout(&z->s);
	safeshm_store_next_token(&z->s);
	touch_sum += *safeshm_store_wait_word(&z->s, z->now);
	safeshm_store_set_owner(&z->s, 0);
	safeshm_store_mark_removed(&z->s);
	if (!safeshm_store_is_removed(&z->s)) {
		broken("mark_removed() did not stick", "mark_removed", SAFESHM_OK);
	}
}

/* Makes the header's geometry match the buffer, keeping everything else. */
static void patch_geometry(unsigned char *buf, size_t size)
{
	safeshm_store s;
	safeshm_header *h = (safeshm_header *) buf;

	safeshm_store_bind(&s, buf, size);
	h->magic = SAFESHM_MAGIC;
	h->version = SAFESHM_LAYOUT_VERSION;
	h->size = size;
	h->header_size = SAFESHM_HEADER_SIZE;
	h->arena_off = s.arena_off;
	h->arena_end = s.arena_end;
	h->name_len %= SAFESHM_MAX_NAME_LEN + 1u;
	h->lock_kind &= 1u; /* the store only records it; the lock's bytes are sem_lock.c's */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	size_t size = len < SAFESHM_MIN_SIZE ? SAFESHM_MIN_SIZE : len > CAP ? CAP : len;
	size_t n = len < size ? len : size;
	unsigned char *buf = malloc(size);
	safeshm_store s;
	int valid_as_is;

	Z.snap = malloc(size);
	Z.snap2 = malloc(size);
	if (!buf || !Z.snap || !Z.snap2) {
		free(buf);
		free(Z.snap);
		free(Z.snap2);
		return 0;
	}
	memset(buf, 0, size);
	memcpy(buf, data, n);
	safeshm_store_bind(&s, buf, size);
	valid_as_is = safeshm_store_check_header(&s) == SAFESHM_OK;
	run(buf, size);

	if (!valid_as_is) {
		memset(buf, 0, size);
		memcpy(buf, data, n);
		patch_geometry(buf, size);
		run(buf, size);
	}
	disarm();
	free(buf);
	free(Z.snap);
	free(Z.snap2);
	Z.snap = Z.snap2 = NULL;
	return 0;
}
