/*
 * The segment is hostile input: the store is handed damaged headers, index
 * slots, records and allocator state, and every operation must answer with
 * a status (CORRUPT, or a result that still makes sense), never read or
 * write outside the segment (AddressSanitizer watches the exact-size
 * buffer), never loop forever (an alarm fails the case), never crash.
 * Each case runs in a child process so a crash is one failure.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "store_common.h"

#include <signal.h>
#include <stddef.h>

#define SEG_SIZE (64u * 1024u)

static void populate(seg *g, uint64_t seed)
{
	unsigned char val[3000];
	char k[32];
	rng_state = seed;
	for (int i = 0; i < 160; i++) {
		size_t len = (size_t) rnd_below(i % 10 == 0 ? 3000 : 120);
		uint64_t exp = rnd_below(4) == 0 ? now_us_fake + 1 + rnd_below(100) : 0;
		snprintf(k, sizeof(k), "key-%d", (int) rnd_below(90));
		fill_pattern(val, len, rnd());
		if (rnd_below(5) == 0) {
			kdel(&g->s, k);
		} else {
			kput_ex(&g->s, k, rnd_below(3) ? SAFESHM_T_STRING : SAFESHM_T_SERIALIZED, val, len, SAFESHM_PUT_REPLACE, exp);
		}
	}
}

/* Every operation, on whatever the segment holds now. */
static void battery(seg *g)
{
	char k[32];
	static unsigned char val[26000];
	safeshm_view v;
	uint64_t n;
	int64_t r;
	safeshm_stats st;

	fill_pattern(val, sizeof(val), 99);
	for (int i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "key-%d", i);
		if (kfind(&g->s, k, &v) == SAFESHM_OK) {
			/* a found value lies inside the segment */
			CHECK(v.data >= g->buf && v.data + v.len <= g->buf + g->size);
			CHECK(v.key >= g->buf && v.key + v.key_len <= g->buf + g->size);
			safeshm_store_view_valid(&g->s, &v);
		}
	}
	for (int i = 0; i < 30; i++) {
		snprintf(k, sizeof(k), "key-%d", (int) rnd_below(100));
		switch (rnd_below(6)) {
			case 0: kput(&g->s, k, SAFESHM_T_STRING, val, (size_t) rnd_below(600)); break;
			case 1: kdel(&g->s, k); break;
			case 2: kincr(&g->s, k, 1, &r); break;
			case 3: safeshm_store_touch(&g->s, 0, k, strlen(k), safeshm_key_hash(0, k, strlen(k)), 0, now_us_fake); break;
			case 4: {
				safeshm_put_req q[2] = {
					{ .key = "m1", .klen = 2, .hash = safeshm_key_hash(0, "m1", 2), .type = SAFESHM_T_STRING, .val = val, .vlen = 300 },
					{ .key = "m2", .klen = 2, .hash = safeshm_key_hash(0, "m2", 2), .type = SAFESHM_T_STRING, .val = val, .vlen = 300 },
				};
				safeshm_store_put_many(&g->s, q, 2, now_us_fake);
				break;
			}
			default: kput(&g->s, k, SAFESHM_T_STRING, val, 5000 + (size_t) rnd_below(20000)); break;
		}
	}
	safeshm_store_count(&g->s, 0, now_us_fake, &n);
	safeshm_store_stats(&g->s, &st);
	safeshm_store_sweep(&g->s, now_us_fake + 50, 0);
	safeshm_store_delete_prefix(&g->s, 0, "key-1", 5, now_us_fake, &n);
	safeshm_store_verify(&g->s);
	if (safeshm_store_recover(&g->s) == SAFESHM_OK) {
		/* a salvaged store keeps working */
		kput(&g->s, "after", SAFESHM_T_STRING, "x", 1);
		safeshm_store_verify(&g->s);
	}
}

static void on_alarm(int sig)
{
	(void) sig;
	printf("FAIL [%s] an operation did not finish within 20 s (a loop over damaged links?)\n", test_name);
	fflush(stdout);
	_exit(3);
}

typedef struct {
	const char *what;
	size_t off;       /* byte offset in the header, or SIZE_MAX for the arena cases */
	int width;
	uint64_t value;
	int arena_kind;
} hcase;

#define H(field) offsetof(safeshm_header, field)
#define W(field) ((int) sizeof(((safeshm_header *) 0)->field))

static void run_case(void *arg)
{
	const hcase *c = arg;
	seg g;

	signal(SIGALRM, on_alarm);
	alarm(20);
	seg_format(&g, SEG_SIZE, "hostile");
	populate(&g, 0xC0FFEE ^ c->value ^ (uint64_t) c->off);
	if (c->off != SIZE_MAX) {
		uint64_t v = c->value;
		memcpy(g.buf + c->off, &v, (size_t) c->width);
	} else {
		safeshm_header *h = hdr(&g);
		uint32_t n = (uint32_t) h->index_desc;
		uint32_t *slots = (uint32_t *) (g.buf + (h->index_desc >> 32) * 8u + 16u);
		rng_state = c->value;
		switch (c->arena_kind) {
			case 0: /* random bytes anywhere in the arena */
				for (int i = 0; i < 40; i++) {
					g.buf[SAFESHM_HEADER_SIZE + rnd_below(SEG_SIZE - SAFESHM_HEADER_SIZE)] = (unsigned char) rnd();
				}
				break;
			case 1: /* slots pointing anywhere */
				for (int i = 0; i < 8; i++) {
					slots[rnd_below(n)] = (uint32_t) rnd_below(SEG_SIZE / 4u);
				}
				break;
			case 2: /* record headers with hostile sizes and lengths */
				for (uint32_t i = 0; i < n; i++) {
					if (slots[i] > 1u && (uint64_t) slots[i] * 8u + 48u <= SEG_SIZE && rnd_below(3) == 0) {
						safeshm_record *r = (safeshm_record *) (g.buf + (uint64_t) slots[i] * 8u);
						switch (rnd_below(5)) {
							case 0: r->val_len = (uint32_t) rnd(); break;
							case 1: r->b.key_len = (uint16_t) rnd(); break;
							case 2: r->b.size8 = (uint32_t) rnd_below(4) == 0 ? 0 : (uint32_t) rnd(); break;
							case 3: r->type = (uint8_t) rnd(); break;
							default: r->b.magic = SAFESHM_BLK_FREE; break;
						}
					}
				}
				break;
			case 3: /* free-list links and bins pointing anywhere, even in circles */
				for (int i = 0; i < 12; i++) {
					h->bins[rnd_below(SAFESHM_FL_COUNT * SAFESHM_SL_COUNT)] = (uint32_t) rnd_below(SEG_SIZE / 8u);
				}
				h->fl_bitmap = (uint32_t) rnd();
				for (unsigned i = 0; i < SAFESHM_FL_COUNT; i++) {
					h->sl_bitmap[i] = (uint8_t) rnd();
				}
				break;
			default: /* a block's size and flags, and footers */
				for (int i = 0; i < 30; i++) {
					uint64_t off = SAFESHM_HEADER_SIZE + 8u * rnd_below((SEG_SIZE - SAFESHM_HEADER_SIZE) / 8u);
					safeshm_block *b = (safeshm_block *) (g.buf + off);
					if (rnd_below(2)) {
						b->bflags ^= SAFESHM_BF_PREV_FREE;
					} else {
						b->size8 = (uint32_t) rnd_below(SEG_SIZE / 8u);
					}
				}
				break;
		}
	}
	battery(&g);
	CHECK(1); /* reached the end */
	seg_free(&g);
}

int main(void)
{
	static hcase cases[400];
	int n = 0;
	char names[400][64];

	check_begin();
	/* header fields: zero, all ones, one block over, misaligned, huge */
	struct { const char *name; size_t off; int width; } fields[] = {
		{ "index_desc", H(index_desc), W(index_desc) }, { "index_gen", H(index_gen), W(index_gen) },
		{ "used", H(used), W(used) }, { "free", H(free), W(free) }, { "entries", H(entries), W(entries) },
		{ "data_entries", H(data_entries), W(data_entries) }, { "tombs", H(tombs), W(tombs) },
		{ "ttl_entries", H(ttl_entries), W(ttl_entries) }, { "journal_off", H(journal_off), W(journal_off) },
		{ "sweep", H(sweep), W(sweep) }, { "seq", H(seq), W(seq) }, { "clock", H(clock), W(clock) },
		{ "fl_bitmap", H(fl_bitmap), W(fl_bitmap) }, { "arena_end", H(arena_end), W(arena_end) },
		{ "size", H(size), W(size) }, { "lock_kind", H(lock_kind), W(lock_kind) }, { "name_len", H(name_len), W(name_len) },
	};
	uint64_t values[] = { 0, ~(uint64_t) 0, 1, 7, SEG_SIZE, SEG_SIZE / 8u, (uint64_t) (SEG_SIZE / 8u) << 32 | 5u,
		((uint64_t) 300 << 32) | 100000u, ((uint64_t) 260 << 32) | 4u };
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			snprintf(names[n], sizeof(names[n]), "header %s=%#" PRIx64, fields[f].name, values[v]);
			cases[n] = (hcase) { names[n], fields[f].off, fields[f].width, values[v], 0 };
			n++;
		}
	}
	for (int kind = 0; kind < 5; kind++) {
		for (int rep = 0; rep < 30 && n < 400; rep++) {
			snprintf(names[n], sizeof(names[n]), "arena kind %d seed %d", kind, rep);
			cases[n] = (hcase) { names[n], SIZE_MAX, 0, 0x9E3779B97F4A7C15ULL * (uint64_t) (rep + 1) + (uint64_t) kind, kind };
			n++;
		}
	}
	for (int i = 0; i < n; i++) {
		isolated(cases[i].what, run_case, &cases[i]);
	}
	printf("hostile cases: %d\n", n);
	return check_end();
}
