/*
 * C tests of the store (shm_store.c): formatting and reopening a segment, its
 * geometry at every size, the lock kind the header records, and hostile
 * headers (every field damaged, one by one and at random): refused or
 * recovered, never a crash or an access outside the segment.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 * SAFESHM_TEST_SEED=n replays the random header sweep with another seed.
 */
#include "store_helpers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- format and reopen ---------------------------------------------- */

static void test_format_and_reopen(void)
{
	seg g, u, f, v;
	safeshm_store s2;
	unsigned char *snap;
	safeshm_header *h;
	char name200[201], name201[202];

	test_name = "format_and_reopen";
	seg_new(&g, 8192);
	CHECK(safeshm_store_is_blank(&g.s));
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_FOREIGN);
	CHECK_ST(safeshm_store_open(&g.s, "app", 3), SAFESHM_OK);
	CHECK(!safeshm_store_is_blank(&g.s));
	h = hdr(&g);
	CHECK(h->magic == SAFESHM_MAGIC);
	CHECK(h->version == SAFESHM_LAYOUT_VERSION);
	CHECK(h->size == 8192);
	CHECK(h->nslots == g.s.nslots && (g.s.nslots & (g.s.nslots - 1)) == 0);
	CHECK(h->arena_top == g.s.arena_off && h->used == 0 && h->entries == 0);
	CHECK(h->name_len == 3 && memcmp(h->name, "app", 3) == 0);
	CHECK((h->seq & 1) == 0 && !safeshm_store_needs_recovery(&g.s));
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	CHECK_ST(put_str(&g.s, "k", "v"), SAFESHM_OK);

	/* another process attaching: a second view of the same bytes */
	safeshm_store_bind(&s2, g.buf, g.size);
	CHECK_ST(safeshm_store_open(&s2, "app", 3), SAFESHM_OK);
	CHECK(has_str(&s2, "k", "v"));
	snap = malloc(g.size);
	memcpy(snap, g.buf, g.size);
	CHECK_ST(safeshm_store_open(&s2, "other", 5), SAFESHM_NAME);
	CHECK_ST(safeshm_store_open(&s2, NULL, 0), SAFESHM_NAME);
	CHECK_ST(safeshm_store_open(&s2, "ap", 2), SAFESHM_NAME);
	CHECK_ST(safeshm_store_open(&s2, "app\0", 4), SAFESHM_NAME);
	CHECK_ST(safeshm_store_open(&s2, "apq", 3), SAFESHM_NAME);
	CHECK(memcmp(snap, g.buf, g.size) == 0);
	free(snap);

	/* the same bytes seen with another size are not this segment */
	safeshm_store_bind(&s2, g.buf, 4096);
	CHECK_ST(safeshm_store_open(&s2, "app", 3), SAFESHM_CORRUPT);
	CHECK_ST(safeshm_store_check_header(&s2), SAFESHM_CORRUPT);
	seg_free(&g);

	/* unnamed segments */
	seg_format(&u, 4096, NULL);
	CHECK_ST(safeshm_store_open(&u.s, NULL, 0), SAFESHM_OK);
	CHECK_ST(safeshm_store_open(&u.s, "app", 3), SAFESHM_NAME);
	seg_free(&u);

	/* name length limits; a refused name leaves a blank segment blank */
	memset(name200, 'n', 200);
	name200[200] = 0;
	memset(name201, 'n', 201);
	name201[201] = 0;
	seg_new(&u, 4096);
	CHECK_ST(safeshm_store_open(&u.s, name201, 201), SAFESHM_NAME);
	CHECK(safeshm_store_is_blank(&u.s));
	CHECK_ST(safeshm_store_open(&u.s, name200, 200), SAFESHM_OK);
	CHECK_ST(safeshm_store_open(&u.s, name200, 200), SAFESHM_OK);
	CHECK_ST(safeshm_store_open(&u.s, name200, 199), SAFESHM_NAME);
	seg_free(&u);

	/* foreign bytes: never formatted over, never written */
	seg_new(&f, 4096);
	fill_pattern(f.buf, f.size, 42);
	snap = malloc(f.size);
	memcpy(snap, f.buf, f.size);
	CHECK_ST(safeshm_store_open(&f.s, "app", 3), SAFESHM_FOREIGN);
	CHECK_ST(safeshm_store_open(&f.s, NULL, 0), SAFESHM_FOREIGN);
	CHECK_ST(safeshm_store_check_header(&f.s), SAFESHM_FOREIGN);
	CHECK_ST(safeshm_store_verify(&f.s), SAFESHM_FOREIGN);
	CHECK(memcmp(snap, f.buf, f.size) == 0);
	/* zero where our magic would be, one non-zero byte at the very end */
	memset(f.buf, 0, f.size);
	f.buf[f.size - 1] = 1;
	memcpy(snap, f.buf, f.size);
	CHECK(!safeshm_store_is_blank(&f.s));
	CHECK_ST(safeshm_store_open(&f.s, "app", 3), SAFESHM_FOREIGN);
	CHECK(memcmp(snap, f.buf, f.size) == 0);
	free(snap);
	seg_free(&f);

	/* another layout version */
	seg_format(&v, 4096, "app");
	CHECK_ST(put_str(&v.s, "k", "v"), SAFESHM_OK);
	hdr(&v)->version = SAFESHM_LAYOUT_VERSION + 1;
	snap = malloc(v.size);
	memcpy(snap, v.buf, v.size);
	CHECK_ST(safeshm_store_open(&v.s, "app", 3), SAFESHM_VERSION);
	CHECK_ST(safeshm_store_check_header(&v.s), SAFESHM_VERSION);
	CHECK_ST(safeshm_store_verify(&v.s), SAFESHM_VERSION);
	CHECK(memcmp(snap, v.buf, v.size) == 0);
	free(snap);
	seg_free(&v);

	/* too small: nothing read beyond the size, nothing written */
	seg_new(&u, SAFESHM_MIN_SIZE - 1);
	CHECK_ST(safeshm_store_open(&u.s, "app", 3), SAFESHM_TOO_SMALL);
	CHECK_ST(safeshm_store_check_header(&u.s), SAFESHM_TOO_SMALL);
	CHECK(safeshm_store_is_blank(&u.s));
	seg_free(&u);
	{
		unsigned char tiny[8] = { 0 };
		safeshm_store t;
		safeshm_store_bind(&t, tiny, 0);
		CHECK_ST(safeshm_store_open(&t, NULL, 0), SAFESHM_TOO_SMALL);
		/* a size beyond what 32-bit slots can address is refused before any byte is read */
		safeshm_store_bind(&t, tiny, (size_t) SAFESHM_MAX_SIZE + 8);
		CHECK_ST(safeshm_store_open(&t, NULL, 0), SAFESHM_CORRUPT);
	}
	seg_format(&u, SAFESHM_MIN_SIZE, "min");
	CHECK_ST(put_str(&u.s, "k", "v"), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&u.s), SAFESHM_OK);
	seg_free(&u);
}

/* Every size: the geometry fits, and a record of exactly the arena size fits. */
static void test_geometry(void)
{
	static const size_t sizes[] = { 4096, 4097, 4100, 4104, 5000, 8192, 12345, 65536, 1u << 20, 3u << 20 };

	test_name = "geometry";
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		seg g;
		safeshm_stats st;
		size_t vlen;
		unsigned char *val;

		seg_format(&g, sizes[i], "geo");
		st = stats_of(&g.s);
		CHECKF(st.arena_size + st.index_bytes + SAFESHM_HEADER_SIZE <= sizes[i], "size %zu", sizes[i]);
		CHECKF(g.s.arena_end <= sizes[i] && (g.s.arena_end & 7) == 0 && (g.s.arena_off & 7) == 0, "size %zu", sizes[i]);
		CHECKF(g.s.nslots >= 16 && (g.s.nslots & (g.s.nslots - 1)) == 0, "size %zu", sizes[i]);
		CHECKF(st.max_entries > 0 && st.max_entries < g.s.nslots, "size %zu", sizes[i]);
		CHECKF(st.free == st.arena_size && st.used == 0, "size %zu", sizes[i]);

		vlen = (size_t) st.arena_size - SAFESHM_REC_HDR - 1;
		CHECK(safeshm_record_size(1, vlen) == st.arena_size);
		val = malloc(vlen + 1);
		fill_pattern(val, vlen + 1, sizes[i]);
		CHECKF(kput(&g.s, "x", SAFESHM_T_STRING, val, vlen + 1, SAFESHM_PUT_REPLACE) == SAFESHM_FULL,
			"size %zu: a record 8 bytes larger than the arena", sizes[i]);
		CHECKF(kput(&g.s, "x", SAFESHM_T_STRING, val, vlen, SAFESHM_PUT_REPLACE) == SAFESHM_OK,
			"size %zu: a record exactly the arena's size", sizes[i]);
		CHECK(has_bytes(&g.s, "x", SAFESHM_T_STRING, val, vlen));
		CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
		CHECK(stats_of(&g.s).free == 0);
		free(val);
		seg_free(&g);
	}
}

/* ---- lock kind ------------------------------------------------------ */

static const seg *lock_init_seg;
static int lock_init_calls, lock_init_saw_magic, lock_init_fail;

static int fake_lock_init(void *area)
{
	lock_init_calls++;
	lock_init_saw_magic = ((const safeshm_header *) lock_init_seg->buf)->magic != 0;
	if (lock_init_fail) {
		return -1;
	}
	memset(area, 0x6D, 16);
	return 0;
}

static void test_lock_kind(void)
{
	seg g;
	safeshm_store s2;
	safeshm_header *h;

	test_name = "lock_kind";
	/* a mutex store: lock area prepared before the magic publishes it */
	seg_new(&g, 8192);
	lock_init_seg = &g;
	lock_init_calls = 0;
	lock_init_fail = 0;
	CHECK_ST(safeshm_store_open_as(&g.s, "app", 3, 1, fake_lock_init), SAFESHM_OK);
	h = hdr(&g);
	CHECK(lock_init_calls == 1 && !lock_init_saw_magic);
	CHECK(h->lock_kind == 1 && safeshm_store_lock_kind(&g.s) == 1);
	CHECK(h->version == SAFESHM_LAYOUT_VERSION);
	CHECK(safeshm_store_lock_area(&g.s) == (void *) h->lock_area && ((uintptr_t) h->lock_area & 7u) == 0);
	CHECK(h->lock_area[0] == 0x6D && h->lock_area[15] == 0x6D && h->lock_area[16] == 0);
	/* attaching never formats again, whatever kind the attacher would use */
	safeshm_store_bind(&s2, g.buf, g.size);
	CHECK_ST(safeshm_store_open_as(&s2, "app", 3, 0, fake_lock_init), SAFESHM_OK);
	CHECK_ST(safeshm_store_open(&s2, "app", 3), SAFESHM_OK);
	CHECK(lock_init_calls == 1 && safeshm_store_lock_kind(&s2) == 1);
	CHECK_ST(put_str(&g.s, "k", "v"), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	/* a kind no build knows, or layout 1 claiming a mutex: damaged */
	h->lock_kind = 2;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_CORRUPT);
	h->lock_kind = 1;
	h->version = 1;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_CORRUPT);
	/* layout 1 (before the mutex lock, semaphore only) is still opened */
	h->lock_kind = 0;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_OK);
	CHECK(has_str(&g.s, "k", "v"));
	h->version = 0;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_VERSION);
	h->version = SAFESHM_LAYOUT_VERSION + 1;
	CHECK_ST(safeshm_store_check_header(&g.s), SAFESHM_VERSION);
	seg_free(&g);

	/* a failed lock init leaves the segment blank, for the next creator */
	seg_new(&g, 8192);
	lock_init_seg = &g;
	lock_init_fail = 1;
	CHECK_ST(safeshm_store_open_as(&g.s, NULL, 0, 1, fake_lock_init), SAFESHM_NOMEM);
	CHECK(safeshm_store_is_blank(&g.s));
	lock_init_fail = 0;
	CHECK_ST(safeshm_store_open_as(&g.s, NULL, 0, 5, fake_lock_init), SAFESHM_CORRUPT);
	CHECK(safeshm_store_is_blank(&g.s));
	/* the semaphore kind: no init, lock area untouched */
	CHECK_ST(safeshm_store_open(&g.s, NULL, 0), SAFESHM_OK);
	CHECK(safeshm_store_lock_kind(&g.s) == 0 && hdr(&g)->lock_area[0] == 0);
	seg_free(&g);
}

/* ---- hostile headers ------------------------------------------------ */

typedef enum { BAD_HEADER, BAD_STATE, NEEDS_RECOVERY } header_expect;

typedef struct {
	const char *what;
	size_t off;
	int width;
	uint64_t (*value)(const seg *g);
	header_expect expect;
} header_case;

static uint64_t v_magic(const seg *g) { return hdr(g)->magic ^ 0x100u; }
static uint64_t v_version(const seg *g) { (void) g; return SAFESHM_LAYOUT_VERSION + 1; }
static uint64_t v_zero(const seg *g) { (void) g; return 0; }
static uint64_t v_plus8_64(const seg *g) { return hdr(g)->size + 8; }
static uint64_t v_nslots2(const seg *g) { return (uint64_t) g->s.nslots * 2; }
static uint64_t v_idx1(const seg *g) { return g->s.index_off[1] + 8; }
static uint64_t v_arena_off(const seg *g) { return g->s.arena_off - 8; }
static uint64_t v_arena_end(const seg *g) { return g->s.arena_end + 8; }
static uint64_t v_name_len(const seg *g) { (void) g; return SAFESHM_MAX_NAME_LEN + 1; }
static uint64_t v_beyond_end(const seg *g) { return g->s.arena_end + 8; }
static uint64_t v_huge(const seg *g) { (void) g; return UINT64_MAX - 7; }
static uint64_t v_below_arena(const seg *g) { return g->s.arena_off - 8; }
static uint64_t v_misaligned(const seg *g) { return hdr(g)->arena_top + 4; }
static uint64_t v_seven(const seg *g) { (void) g; return 7; }
static uint64_t v_over_top(const seg *g) { return hdr(g)->arena_top - g->s.arena_off + 8; }
static uint64_t v_over_slots(const seg *g) { return (uint64_t) g->s.nslots + 1; }
static uint64_t v_odd_seq(const seg *g) { return hdr(g)->seq | 1; }

#define HF(f) offsetof(safeshm_header, f), (int) sizeof(((safeshm_header *) 0)->f)

static const header_case header_cases[] = {
	{ "magic flipped", HF(magic), v_magic, BAD_HEADER },
	{ "magic zero", HF(magic), v_zero, BAD_HEADER },
	{ "version + 1", HF(version), v_version, BAD_HEADER },
	{ "size + 8", HF(size), v_plus8_64, BAD_HEADER },
	{ "size 0", HF(size), v_zero, BAD_HEADER },
	{ "header_size 0", HF(header_size), v_zero, BAD_HEADER },
	{ "nslots doubled", HF(nslots), v_nslots2, BAD_HEADER },
	{ "nslots 0", HF(nslots), v_zero, BAD_HEADER },
	{ "index_off[1] + 8", offsetof(safeshm_header, index_off) + 8, 8, v_idx1, BAD_HEADER },
	{ "arena_off - 8", HF(arena_off), v_arena_off, BAD_HEADER },
	{ "arena_end + 8", HF(arena_end), v_arena_end, BAD_HEADER },
	{ "name_len 201", HF(name_len), v_name_len, BAD_HEADER },
	{ "arena_top beyond the end", HF(arena_top), v_beyond_end, BAD_STATE },
	{ "arena_top huge", HF(arena_top), v_huge, BAD_STATE },
	{ "arena_top below the arena", HF(arena_top), v_below_arena, BAD_STATE },
	{ "arena_top misaligned", HF(arena_top), v_misaligned, BAD_STATE },
	{ "active = 7", HF(active), v_seven, BAD_STATE },
	{ "used beyond arena_top", HF(used), v_over_top, BAD_STATE },
	{ "used huge", HF(used), v_huge, BAD_STATE },
	{ "dead beyond arena_top", HF(dead), v_over_top, BAD_STATE },
	{ "entries > nslots", HF(entries), v_over_slots, BAD_STATE },
	{ "tombs > nslots", HF(tombs), v_over_slots, BAD_STATE },
	{ "seq odd", HF(seq), v_odd_seq, NEEDS_RECOVERY },
	{ "journal with a wild source", HF(mv_src), v_huge, NEEDS_RECOVERY },
};

static void set_field(seg *g, size_t off, int width, uint64_t v)
{
	if (width == 4) {
		uint32_t x = (uint32_t) v;
		memcpy(g->buf + off, &x, 4);
	} else {
		memcpy(g->buf + off, &v, 8);
	}
}

static void run_header_case(void *arg)
{
	const header_case *c = arg;
	seg base, g;
	int64_t r;
	safeshm_stats st;
	safeshm_status hs;

	make_populated(&base, 8192);
	seg_copy(&g, &base);
	set_field(&g, c->off, c->width, c->value(&g));
	if (c->off == offsetof(safeshm_header, mv_src)) {
		/* a journal entry: mv_len makes it live */
		hdr(&g)->mv_len = 16;
		hdr(&g)->mv_dst = g.s.arena_off;
	}
	hs = safeshm_store_check_header(&g.s);
	switch (c->expect) {
		case BAD_HEADER:
			CHECKF(hs == SAFESHM_CORRUPT || hs == SAFESHM_FOREIGN || hs == SAFESHM_VERSION, "%s: check_header %s", c->what, stname(hs));
			CHECKF(safeshm_store_verify(&g.s) == hs, "%s: verify %s", c->what, stname(safeshm_store_verify(&g.s)));
			{
				unsigned char *snap = malloc(g.size);
				memcpy(snap, g.buf, g.size);
				CHECKF(safeshm_store_open(&g.s, "pop", 3) == hs, "%s: open", c->what);
				CHECKF(memcmp(snap, g.buf, g.size) == 0, "%s: open wrote to a segment it refused", c->what);
				free(snap);
			}
			break;
		case BAD_STATE:
			/* check_header is the cheap geometry check; the counters are check_state's */
			CHECKF(safeshm_store_verify(&g.s) == SAFESHM_CORRUPT, "%s: verify %s", c->what, stname(safeshm_store_verify(&g.s)));
			CHECKF(kput(&g.s, "new", SAFESHM_T_STRING, "v", 1, SAFESHM_PUT_REPLACE) == SAFESHM_CORRUPT, "%s: put", c->what);
			CHECKF(kput(&g.s, "r1", SAFESHM_T_STRING, "v", 1, SAFESHM_PUT_REPLACE) == SAFESHM_CORRUPT, "%s: replace", c->what);
			CHECKF(kdel(&g.s, "r1") == SAFESHM_CORRUPT, "%s: delete", c->what);
			CHECKF(kincr(&g.s, "r4", 1, &r) == SAFESHM_CORRUPT, "%s: increment", c->what);
			CHECKF(safeshm_store_compact(&g.s) == SAFESHM_CORRUPT, "%s: compact", c->what);
			CHECKF(safeshm_store_stats(&g.s, &st) == SAFESHM_CORRUPT, "%s: stats", c->what);
			break;
		case NEEDS_RECOVERY:
			CHECKF(hs == SAFESHM_OK, "%s: check_header %s", c->what, stname(hs));
			CHECKF(safeshm_store_needs_recovery(&g.s), "%s", c->what);
			CHECKF(safeshm_store_verify(&g.s) == SAFESHM_CORRUPT, "%s: verify before recovery", c->what);
			CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
			CHECKF(!safeshm_store_needs_recovery(&g.s), "%s", c->what);
			CHECKF(safeshm_store_verify(&g.s) == SAFESHM_OK, "%s: verify after recovery", c->what);
			CHECKF(populated_intact(&g.s, NULL), "%s: entries lost by recovery", c->what);
			break;
	}
	/* whatever the damage, nothing may crash; the populated keys are looked up too */
	exercise(&g.s);
	seg_free(&g);
	seg_free(&base);
}

typedef struct {
	const char *name;
	size_t off;
	int width;
} field;

#define FIELD(f) { #f, HF(f) }

static const field header_fields[] = {
	FIELD(magic), FIELD(version), FIELD(size), FIELD(header_size), FIELD(nslots),
	{ "index_off[0]", offsetof(safeshm_header, index_off), 8 },
	{ "index_off[1]", offsetof(safeshm_header, index_off) + 8, 8 },
	FIELD(arena_off), FIELD(arena_end), FIELD(seq), FIELD(arena_top), FIELD(used), FIELD(dead),
	FIELD(entries), FIELD(tombs), FIELD(active), FIELD(removed), FIELD(compactions), FIELD(writes),
	FIELD(mv_src), FIELD(mv_dst), FIELD(mv_len), FIELD(mv_done), FIELD(mv_slot), FIELD(mv_active),
	FIELD(name_len), FIELD(lock_owner), FIELD(lock_semid),
};

/* Every header field set to boundary and random values, mv_len made live
 * for the journal fields: never a crash. */
static void run_header_sweep(void *arg)
{
	const field *f = arg;
	seg base;

	rng_state = base_seed() ^ (f->off * 0x9E3779B97F4A7C15ull) ^ 1;
	make_populated(&base, 8192);
	for (int k = 0; k < 48; k++) {
		seg g;
		uint64_t v;
		const safeshm_header *h = hdr(&base);
		uint64_t fixed[] = { 0, 1, 2, 3, 7, 8, 16, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu, 1ull << 32, UINT64_MAX,
			base.size, base.size - 8, base.size + 8, base.size / 8, base.s.arena_off, base.s.arena_off - 8,
			base.s.arena_off + 8, base.s.arena_end, base.s.arena_end - 8, base.s.arena_end - SAFESHM_REC_HDR,
			h->arena_top, h->arena_top + 8, h->arena_top - 8, h->used + 8, base.s.nslots, base.s.nslots - 1,
			base.s.index_off[1] };
		size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);

		v = (size_t) k < nfixed ? fixed[k] : (rnd_below(2) ? rnd() : rnd_below(base.size + 64));
		seg_copy(&g, &base);
		set_field(&g, f->off, f->width, v);
		if (f->off >= offsetof(safeshm_header, mv_src) && f->off <= offsetof(safeshm_header, mv_active)
				&& f->off != offsetof(safeshm_header, mv_len)) {
			safeshm_header *gh = hdr(&g);
			gh->mv_len = 8 * (1 + rnd_below(8));
			if (f->off != offsetof(safeshm_header, mv_src)) {
				gh->mv_src = g.s.arena_off + 8 * rnd_below(64);
			}
		}
		exercise(&g.s);
		seg_free(&g);
	}
	seg_free(&base);
}

/*
 * put() decides whether a record fits from header->used before compacting,
 * and writes at the post-compaction arena_top without checking again. A
 * used counter that understates the live bytes (foreign writes, a bit flip)
 * then makes it write past the end of the segment.
 */
static void run_stale_used(void *arg)
{
	const size_t size = 4096, guard = 4096;
	unsigned char *buf = malloc(size + guard), val[2000];
	safeshm_store s;
	safeshm_status st;
	size_t i;

	(void) arg;
	memset(buf, 0, size);
	memset(buf + size, 0xA5, guard);
	safeshm_store_bind(&s, buf, size);
	CHECK_ST(safeshm_store_open(&s, NULL, 0), SAFESHM_OK);
	fill_pattern(val, sizeof(val), 3);
	CHECK_ST(kput(&s, "a", SAFESHM_T_STRING, val, sizeof(val), SAFESHM_PUT_REPLACE), SAFESHM_OK);
	((safeshm_header *) buf)->used = 0;    /* understated: passes check_state */
	st = kput(&s, "b", SAFESHM_T_STRING, val, sizeof(val), SAFESHM_PUT_REPLACE);
	for (i = guard; i > 0 && buf[size + i - 1] == 0xA5; i--) {
	}
	CHECKF(i == 0, "put() wrote up to %zu bytes past the end of a %zu-byte segment whose used counter was 0 "
		"(returned %s); shm_store.c put(): no arena_top + rsz check after compact()", i, size, stname(st));
	CHECKF(st != SAFESHM_OK, "put() returned OK for a 2048-byte record into %" PRIu64 " free bytes",
		(uint64_t) (s.arena_end - s.arena_off) - safeshm_record_size(1, sizeof(val)));
	free(buf);
}

/*
 * Readers take the live index as active & 1; recover() resets an active > 1
 * to 0 instead, so a stray bit in active makes recovery rebuild from the
 * stale copy: entries added or replaced since the last compaction silently
 * vanish or revert, and verify() then passes.
 */
static void run_active_stray_bit(void *arg)
{
	seg g;
	char key[16];
	safeshm_view v;
	int seen_before = 0, seen_after = 0;
	(void) arg;

	seg_format(&g, 8192, NULL);
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		CHECK_ST(put_str(&g.s, key, "0123456789"), SAFESHM_OK);
	}
	CHECK_ST(kdel(&g.s, "k0"), SAFESHM_OK);
	CHECK_ST(safeshm_store_compact(&g.s), SAFESHM_OK);
	CHECK(hdr(&g)->active == 1);
	CHECK_ST(put_str(&g.s, "k5", "NEW"), SAFESHM_OK);
	CHECK_ST(put_str(&g.s, "k0", "back"), SAFESHM_OK);
	hdr(&g)->active = 3;
	hdr(&g)->seq |= 1;          /* and a holder died: recovery runs */
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		seen_before += kfind(&g.s, key, &v) == SAFESHM_OK;
	}
	CHECK(has_str(&g.s, "k5", "NEW") && has_str(&g.s, "k0", "back"));
	CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		seen_after += kfind(&g.s, key, &v) == SAFESHM_OK;
	}
	CHECKF(seen_after == seen_before, "readers saw %d keys before recovery, %d after", seen_before, seen_after);
	CHECKF(has_str(&g.s, "k5", "NEW"), "k5 reverted to its value before the last compaction "
		"(shm_store.c recover(): active > 1 reset to 0, readers use active & 1)");
	CHECKF(has_str(&g.s, "k0", "back"), "k0, added after the last compaction, lost by recovery");
	seg_free(&g);
}

int main(void)
{
	check_begin();
	printf("test_store_layout: seed %#" PRIx64 " (SAFESHM_TEST_SEED to change)\n", base_seed());

	test_format_and_reopen();
	test_lock_kind();
	test_geometry();

	for (size_t i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		isolated(header_cases[i].what, run_header_case, (void *) &header_cases[i]);
	}
	for (size_t i = 0; i < sizeof(header_fields) / sizeof(header_fields[0]); i++) {
		static char names[sizeof(header_fields) / sizeof(header_fields[0])][64];
		snprintf(names[i], sizeof(names[i]), "header sweep: %s", header_fields[i].name);
		isolated(names[i], run_header_sweep, (void *) &header_fields[i]);
	}
	isolated("put with an understated used counter", run_stale_used, NULL);
	isolated("recovery with a stray bit in active", run_active_stray_bit, NULL);

	return check_end();
}
