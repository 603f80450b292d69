/*
 * C tests of the store (shm_store.c): corrupted records. Each case damages
 * one record of a populated segment (its slot, total, lengths, type, magic):
 * every operation on that key and verify() report it as corrupt, nothing
 * reads outside the segment, and recovery drops that record and keeps every
 * other. Damage that leaves every record loadable (a wrong hash, a record
 * published twice or forged inside a value, one above arena_top) is for
 * verify() to find.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "store_helpers.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- corrupted records ---------------------------------------------- */

typedef enum {
	R_SLOT_BEYOND_END, R_SLOT_HEADER, R_SLOT_INDEX, R_SLOT_LAST8, R_SLOT_LAST_HDR, R_SLOT_MAX,
	R_TOTAL_MISALIGNED, R_TOTAL_BEYOND_END, R_TOTAL_HUGE, R_TOTAL_SHORT,
	R_KEY_LEN_0, R_KEY_LEN_MAX1, R_KEY_LEN_HUGE, R_VAL_LEN_HUGE, R_VAL_LEN_TOTAL,
	R_TYPE_99, R_TYPE_0, R_TYPE_8, R_MAGIC, R_LONG_LEN_4, R_TRUE_LEN_1,
	R_NCASES
} rec_case;

static const char *rec_case_name[R_NCASES] = {
	"slot beyond the arena end", "slot into the header", "slot into the index", "slot at the last 8 bytes",
	"slot at arena_end - 40 (zero bytes)", "slot UINT32_MAX",
	"total not a multiple of 8", "total beyond the arena end", "total 0xFFFFFFF8", "total shorter than key+value",
	"key_len 0", "key_len 4097", "key_len 0xFFFFFFFF", "val_len 0xFFFFFFFF", "val_len = total",
	"type 99", "type 0", "type 8", "magic 0", "int with val_len 4", "true with val_len 1",
};

/* Offset of key's record, and the index slot that publishes it. */
static uint64_t record_of(const seg *g, const char *key, uint32_t *slot_out)
{
	safeshm_view v;
	uint64_t off;
	const uint32_t *idx;

	if (kfind(&g->s, key, &v) != SAFESHM_OK) {
		return 0;
	}
	off = (uint64_t) (v.data - g->buf) - SAFESHM_REC_HDR;
	idx = (const uint32_t *) (g->buf + g->s.index_off[hdr(g)->active & 1]);
	for (uint32_t i = 0; i < g->s.nslots; i++) {
		if ((uint64_t) idx[i] << 3 == off) {
			*slot_out = i;
			return off;
		}
	}
	return 0;
}

static void run_record_case(void *arg)
{
	rec_case c = (rec_case) (intptr_t) arg;
	const char *what = rec_case_name[c];
	const char *key = (c == R_LONG_LEN_4) ? "r4" : (c == R_TRUE_LEN_1) ? "r6" : "r3";
	seg g;
	safeshm_record *r;
	uint32_t slot = 0, *idx;
	uint64_t off;
	safeshm_view v;
	int64_t res;
	unsigned sum;

	make_populated(&g, 8192);
	off = record_of(&g, key, &slot);
	CHECK(off != 0);
	if (!off) {
		return;
	}
	r = (safeshm_record *) (g.buf + off);
	idx = (uint32_t *) (g.buf + g.s.index_off[hdr(&g)->active & 1]);
	switch (c) {
		case R_SLOT_BEYOND_END: idx[slot] = (uint32_t) (g.size / 8 + 100); break;
		case R_SLOT_HEADER: idx[slot] = 2; break;
		case R_SLOT_INDEX: idx[slot] = (uint32_t) (g.s.index_off[0] / 8 + 1); break;
		case R_SLOT_LAST8: idx[slot] = (uint32_t) ((g.s.arena_end - 8) / 8); break;
		case R_SLOT_LAST_HDR: idx[slot] = (uint32_t) ((g.s.arena_end - SAFESHM_REC_HDR) / 8); break;
		case R_SLOT_MAX: idx[slot] = UINT32_MAX; break;
		case R_TOTAL_MISALIGNED: r->total += 4; break;
		case R_TOTAL_BEYOND_END: r->total = (uint32_t) (g.s.arena_end - off + 8); break;
		case R_TOTAL_HUGE: r->total = 0xFFFFFFF8u; break;
		case R_TOTAL_SHORT: r->total = SAFESHM_REC_HDR; break;
		case R_KEY_LEN_0: r->key_len = 0; break;
		case R_KEY_LEN_MAX1: r->key_len = SAFESHM_MAX_KEY_LEN + 1; break;
		case R_KEY_LEN_HUGE: r->key_len = UINT32_MAX; break;
		case R_VAL_LEN_HUGE: r->val_len = UINT32_MAX; break;
		case R_VAL_LEN_TOTAL: r->val_len = r->total; break;
		case R_TYPE_99: r->type = 99; break;
		case R_TYPE_0: r->type = 0; break;
		case R_TYPE_8: r->type = SAFESHM_T_MAX + 1; break;
		case R_MAGIC: r->magic = 0; break;
		case R_LONG_LEN_4: r->val_len = 4; break;
		case R_TRUE_LEN_1: r->val_len = 1; break;
		case R_NCASES: break;
	}
	CHECKF(kfind(&g.s, key, &v) == SAFESHM_CORRUPT, "%s: find %s", what, stname(kfind(&g.s, key, &v)));
	CHECKF(safeshm_store_verify(&g.s) == SAFESHM_CORRUPT, "%s: verify", what);
	sum = 0;
	CHECKF(safeshm_store_iterate(&g.s, count_cb, &sum) == SAFESHM_CORRUPT, "%s: iterate", what);
	CHECKF(kput(&g.s, key, SAFESHM_T_STRING, "v", 1, SAFESHM_PUT_REPLACE) == SAFESHM_CORRUPT, "%s: put", what);
	CHECKF(kdel(&g.s, key) == SAFESHM_CORRUPT, "%s: delete", what);
	CHECKF(kincr(&g.s, key, 1, &res) == SAFESHM_CORRUPT, "%s: increment", what);
	CHECKF(safeshm_store_compact(&g.s) == SAFESHM_CORRUPT, "%s: compact", what);
	CHECKF(safeshm_store_verify(&g.s) == SAFESHM_CORRUPT, "%s: verify after refused ops", what);
	/* recovery drops the bad record and keeps every other */
	CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
	CHECKF(safeshm_store_verify(&g.s) == SAFESHM_OK, "%s: verify after recovery", what);
	CHECKF(kfind(&g.s, key, &v) == SAFESHM_NOT_FOUND, "%s: the bad record survived recovery", what);
	CHECKF(populated_intact(&g.s, key), "%s: recovery lost intact entries", what);
	CHECK_ST(put_str(&g.s, key, "rewritten"), SAFESHM_OK);
	CHECK(has_str(&g.s, key, "rewritten"));
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	seg_free(&g);
}

/* Damage that leaves every record loadable: only verify can see it. */
static void run_record_subtle(void *arg)
{
	seg g;
	uint32_t slot = 0, *idx, mask;
	uint64_t off;
	safeshm_view v;
	(void) arg;

	/* the stored hash does not match the key */
	make_populated(&g, 8192);
	off = record_of(&g, "r3", &slot);
	((safeshm_record *) (g.buf + off))->hash ^= 1;
	CHECK(kfind(&g.s, "r3", &v) != SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_CORRUPT);
	exercise(&g.s);
	seg_free(&g);

	/* two slots publish the same record */
	make_populated(&g, 8192);
	off = record_of(&g, "r3", &slot);
	idx = (uint32_t *) (g.buf + g.s.index_off[hdr(&g)->active & 1]);
	mask = g.s.nslots - 1;
	for (uint32_t i = (slot + 1) & mask; i != slot; i = (i + 1) & mask) {
		if (idx[i] == 0) {
			idx[i] = (uint32_t) (off >> 3);
			break;
		}
	}
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_CORRUPT);
	CHECK_ST(safeshm_store_compact(&g.s), SAFESHM_CORRUPT);
	CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
	CHECK(populated_intact(&g.s, NULL));
	seg_free(&g);

	/* a record header forged inside another record's value, and published */
	{
		unsigned char val[200];
		safeshm_record fake;
		const char *gk = "ghost";
		uint64_t h = safeshm_hash(gk, 5), voff;

		make_populated(&g, 8192);
		memset(val, 'v', sizeof(val));
		memset(&fake, 0, sizeof(fake));
		fake.magic = SAFESHM_REC_MAGIC;
		fake.type = SAFESHM_T_STRING;
		fake.total = (uint32_t) safeshm_record_size(5, 3);
		fake.key_len = 5;
		fake.val_len = 3;
		fake.hash = h;
		memcpy(val + 8, &fake, sizeof(fake));
		memcpy(val + 8 + sizeof(fake), "BOOghost", 8);
		CHECK_ST(kput(&g.s, "host", SAFESHM_T_STRING, val, sizeof(val), SAFESHM_PUT_REPLACE), SAFESHM_OK);
		off = record_of(&g, "host", &slot);
		voff = off + SAFESHM_REC_HDR + 8;
		CHECK((voff & 7) == 0);
		idx = (uint32_t *) (g.buf + g.s.index_off[hdr(&g)->active & 1]);
		mask = g.s.nslots - 1;
		for (uint32_t i = (uint32_t) h & mask;; i = (i + 1) & mask) {
			if (idx[i] == 0) {
				idx[i] = (uint32_t) (voff >> 3);
				hdr(&g)->entries++;
				break;
			}
		}
		/* counters made consistent, so that only the overlap gives it away */
		CHECK(hdr(&g)->dead >= fake.total);
		hdr(&g)->used += fake.total;
		hdr(&g)->dead -= fake.total;
		CHECK(kfind(&g.s, "ghost", &v) == SAFESHM_OK);   /* looks valid on its own */
		CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_CORRUPT);
		CHECK_ST(safeshm_store_recover(&g.s), SAFESHM_OK);
		CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_OK);
		CHECK_ST(kfind(&g.s, "ghost", &v), SAFESHM_NOT_FOUND);
		CHECK(has_bytes(&g.s, "host", SAFESHM_T_STRING, val, sizeof(val)));
		CHECK(populated_intact(&g.s, NULL));
		seg_free(&g);
	}

	/* a published record lying above arena_top */
	make_populated(&g, 8192);
	hdr(&g)->arena_top -= 8;
	hdr(&g)->dead -= hdr(&g)->dead >= 8 ? 8 : 0;
	CHECK_ST(safeshm_store_verify(&g.s), SAFESHM_CORRUPT);
	exercise(&g.s);
	seg_free(&g);

	/* a valid record ending exactly at the arena end is fine */
	{
		seg e;
		size_t vlen;
		safeshm_stats st;
		seg_format(&e, 4096, NULL);
		CHECK_ST(put_str(&e.s, "a", "x"), SAFESHM_OK);
		st = stats_of(&e.s);
		vlen = (size_t) (st.arena_size - st.used) - SAFESHM_REC_HDR - 1;
		{
			unsigned char *b = calloc(1, vlen);
			CHECK_ST(kput(&e.s, "z", SAFESHM_T_STRING, b, vlen, SAFESHM_PUT_REPLACE), SAFESHM_OK);
			free(b);
		}
		CHECK(hdr(&e)->arena_top == e.s.arena_end);
		CHECK_ST(safeshm_store_verify(&e.s), SAFESHM_OK);
		CHECK(kfind(&e.s, "z", &v) == SAFESHM_OK && v.len == vlen);
		seg_free(&e);
	}
}

int main(void)
{
	check_begin();

	for (int c = 0; c < R_NCASES; c++) {
		isolated(rec_case_name[c], run_record_case, (void *) (intptr_t) c);
	}
	isolated("records that only verify can fault", run_record_subtle, NULL);

	return check_end();
}
