/*
 * SafeShm store: recovery after a crashed lock holder, the full structural
 * check, iteration and statistics (all locked). The index is the truth:
 * it always holds either the old or the new offset of every key, so the
 * allocator and every counter can be derived from it again.
 */
#include "shm_store_int.h"

unsigned long safeshm_rebuilds;
const char *safeshm_verify_reason = "";

safeshm_status fail_reason(const char *why)
{
	safeshm_verify_reason = why;
	return SAFESHM_CORRUPT;
}

typedef struct {
	uint64_t off;
	uint32_t slot; /* UINT32_MAX: the index or the journal */
} used_t;

static int cmp_used(const void *a, const void *b)
{
	uint64_t x = ((const used_t *) a)->off, y = ((const used_t *) b)->off;
	return x < y ? -1 : x > y;
}

static int journal_sane(const safeshm_store *s, uint64_t joff)
{
	uint64_t size;
	const safeshm_journal_block *j;

	/* joff is read from the segment: no pointer is formed before it is checked */
	if (!block_sane(s, joff, &size)) {
		return 0;
	}
	j = (const safeshm_journal_block *) (s->base + joff);
	return j->b.magic == SAFESHM_BLK_JOURNAL && sizeof(*j) + (uint64_t) j->count * 4u <= size;
}

safeshm_status safeshm_rebuild(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	uint64_t desc = h->index_desc, ioff = (desc >> 32) * 8u, isize, maxver = 0;
	uint32_t n = (uint32_t) desc, *slots;
	used_t *u;
	uint64_t *offs;
	size_t k = 0, m = 0;

	/* the descriptor alone (the index block's own header is rewritten below) */
	isize = safeshm_index_bytes(n);
	if (n == 0 || (ioff & 7u) || ioff < s->arena_off || ioff > s->arena_end || isize > s->arena_end - ioff) {
		return SAFESHM_CORRUPT;
	}
	slots = (uint32_t *) (s->base + ioff + SAFESHM_INDEX_HDR);
	u = safeshm_malloc(sizeof(*u) * ((size_t) n + 2u));
	offs = safeshm_malloc(sizeof(*offs) * ((size_t) n + 2u));
	if (!u || !offs) {
		safeshm_free(u);
		safeshm_free(offs);
		return SAFESHM_NOMEM;
	}
	/* the index block's own header is derived data too */
	{
		safeshm_index_block *ib = (safeshm_index_block *) (s->base + ioff);
		ib->b.size8 = (uint32_t) (isize / 8u);
		ib->b.magic = SAFESHM_BLK_INDEX;
		ib->b.key_len = 0;
		ib->nslots = n;
	}
	u[k].off = ioff;
	u[k++].slot = UINT32_MAX;
	if (h->journal_off && journal_sane(s, h->journal_off)) {
		u[k].off = h->journal_off;
		u[k++].slot = UINT32_MAX;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = slots[i];
		safeshm_record r;
		if (v <= SAFESHM_SLOT_TOMB) {
			continue;
		}
		/* salvage: drop what is damaged. A live record has a version (0 is
		 * "retired"; a put publishes only after writing it) below the clock's
		 * limit and the tag of its key's hash. */
		if (safeshm_load_record(s, (uint64_t) v * 8u, &r) != SAFESHM_OK || r.version == 0
				|| r.version >= SAFESHM_CLOCK_MAX
				|| r.tag != hash_tag(safeshm_key_hash(r.ns, rec_key(s, (uint64_t) v * 8u, &r), r.b.key_len))) {
			__atomic_store_n(&slots[i], SAFESHM_SLOT_TOMB, __ATOMIC_RELEASE);
			continue;
		}
		if (r.version > maxver) {
			maxver = r.version;
		}
		u[k].off = (uint64_t) v * 8u;
		u[k++].slot = i;
	}
	qsort(u, k, sizeof(*u), cmp_used);
	/* blocks that overlap the one before (or start too close to the arena's
	 * start to leave room for a free block) are dropped (off 0 below) */
	{
		uint64_t end = s->arena_off;
		size_t kept = 0;
		for (size_t i = 0; i < k; i++) {
			uint64_t size = i == 0 && u[i].off == ioff ? isize : (uint64_t) block_at(s, u[i].off)->size8 * 8u;
			int bad = u[i].off < end || (u[i].off > end && u[i].off - end < SAFESHM_MIN_BLOCK && kept == 0);
			if (u[i].slot == UINT32_MAX && u[i].off == ioff) {
				size = isize;
			}
			if (bad) {
				if (u[i].slot != UINT32_MAX) {
					__atomic_store_n(&slots[u[i].slot], SAFESHM_SLOT_TOMB, __ATOMIC_RELEASE);
					u[i].off = 0;
					continue;
				}
				safeshm_free(u);
				safeshm_free(offs);
				return SAFESHM_CORRUPT; /* the index itself overlaps something kept */
			}
			kept++;
			end = u[i].off + size;
		}
	}
	/* a record its key's probe does not reach in its own slot (an empty
	 * slot before it, or the same key earlier in the chain) could never be
	 * found nor deleted: only hostile bytes make one; dropped */
	for (size_t i = 0; i < k; i++) {
		safeshm_record r;
		probe_t p;
		if (!u[i].off || u[i].slot == UINT32_MAX || safeshm_load_record(s, u[i].off, &r) != SAFESHM_OK) {
			continue;
		}
		if (safeshm_probe(s, r.ns, rec_key(s, u[i].off, &r), r.b.key_len,
				safeshm_key_hash(r.ns, rec_key(s, u[i].off, &r), r.b.key_len), &p) != SAFESHM_OK || p.slot != u[i].slot) {
			__atomic_store_n(&slots[u[i].slot], SAFESHM_SLOT_TOMB, __ATOMIC_RELEASE);
			u[i].off = 0;
		}
	}
	for (size_t i = 0; i < k; i++) {
		if (u[i].off) {
			offs[m++] = u[i].off;
		}
	}
	safeshm_heap_rebuild(s, offs, m);
	FAULT("recover:heap");
	/* the counters, from what is kept */
	h->used = h->entries = h->data_entries = h->ttl_entries = h->tombs = h->lock_states = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = slots[i];
		safeshm_record r;
		if (v == SAFESHM_SLOT_TOMB) {
			h->tombs++;
		}
		if (v <= SAFESHM_SLOT_TOMB || safeshm_load_record(s, (uint64_t) v * 8u, &r) != SAFESHM_OK) {
			continue;
		}
		h->used += (uint64_t) r.b.size8 * 8u;
		h->entries++;
		h->data_entries += r.ns == SAFESHM_NS_DATA;
		h->ttl_entries += r.expires != 0;
		h->lock_states += r.ns != SAFESHM_NS_DATA && r.expires == 0;
	}
	if (h->clock < maxver || h->clock >= SAFESHM_CLOCK_MAX) {
		h->clock = maxver; /* a clock at its limit is damage: versions go on from the highest kept */
	}
	h->index_retry = 0; /* a hint: the next insert past 13/16 tries to rebuild the index again */
	safeshm_free(u);
	safeshm_free(offs);
	safeshm_rebuilds++;
	return SAFESHM_OK;
}

safeshm_status safeshm_store_recover(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	safeshm_status st;

	begin_mutation(s);
	if (h->journal_off) {
		/* a multi-key put passed its commit point: finish publishing it */
		if (journal_sane(s, h->journal_off)) {
			safeshm_journal_apply(s, h->journal_off, 0);
		}
		FAULT("recover:journal");
		store64(&h->journal_off, 0);
	}
	FAULT("recover:begin");
	st = safeshm_rebuild(s);
	if (st == SAFESHM_OK) {
		h->recoveries++;
	}
	end_mutation(s);
	return st;
}

/* ---- inspection ----------------------------------------------------- */

safeshm_status safeshm_store_iterate(const safeshm_store *s, uint8_t ns, uint64_t now_us, safeshm_iter_cb cb, void *ctx)
{
	const safeshm_header *h = HDR(s);
	uint32_t n = 0, *slots = safeshm_index_slots(s, h->index_desc, &n);

	if (!slots) {
		return SAFESHM_CORRUPT;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = slots[i];
		safeshm_record r;
		safeshm_view view;
		if (v <= SAFESHM_SLOT_TOMB) {
			continue;
		}
		if (safeshm_load_record(s, (uint64_t) v * 8u, &r) != SAFESHM_OK || r.version == 0
				|| r.tag != hash_tag(safeshm_key_hash(r.ns, rec_key(s, (uint64_t) v * 8u, &r), r.b.key_len))) {
			return SAFESHM_CORRUPT;
		}
		if (r.ns != ns || expired(r.expires, now_us)) {
			continue;
		}
		safeshm_fill_view(s, (uint64_t) v * 8u, &r, &view);
		view.gen = h->index_gen;
		view.slot = &slots[i];
		view.slot_val = v;
		if (cb(&view, ctx) != 0) {
			break;
		}
	}
	return SAFESHM_OK;
}

static int count_cb(const safeshm_view *v, void *ctx)
{
	(void) v;
	(*(uint64_t *) ctx)++;
	return 0;
}

safeshm_status safeshm_store_count(const safeshm_store *s, uint8_t ns, uint64_t now_us, uint64_t *count)
{
	const safeshm_header *h = HDR(s);
	*count = 0;
	/* no entry of the data namespace has an expiry (the others that have
	 * one are idle named locks): the counter is the answer */
	if (ns == SAFESHM_NS_DATA && safeshm_check_state(s) == SAFESHM_OK
			&& h->entries - h->data_entries >= h->lock_states
			&& h->ttl_entries == h->entries - h->data_entries - h->lock_states) {
		*count = h->data_entries;
		return SAFESHM_OK;
	}
	return safeshm_store_iterate(s, ns, now_us, count_cb, count);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return x < y ? -1 : x > y;
}

safeshm_status safeshm_store_verify(const safeshm_store *s)
{
	const safeshm_header *h = HDR(s);
	uint32_t n = 0, *slots;
	uint64_t free_bytes, free_blocks, used = 0, entries = 0, data = 0, ttl = 0, tombs = 0, lockst = 0;
	uint64_t nrec = 0, off, size, ioff, isize = 0;
	uint64_t *refs, *recs;
	safeshm_status st = safeshm_store_check_header(s);

	if (st != SAFESHM_OK) {
		return st;
	}
	if ((st = safeshm_check_state(s)) != SAFESHM_OK) {
		return st;
	}
	if ((h->seq & 1u) || h->journal_off != 0) {
		return fail_reason("verify check 1");
	}
	if ((st = safeshm_heap_verify(s, &free_bytes, &free_blocks)) != SAFESHM_OK) {
		return st;
	}
	slots = safeshm_index_slots(s, h->index_desc, &n);
	ioff = (h->index_desc >> 32) * 8u;
	if (!block_sane(s, ioff, &isize) || block_at(s, ioff)->magic != SAFESHM_BLK_INDEX
			|| isize < SAFESHM_INDEX_HDR + (uint64_t) n * 4u
			|| ((const safeshm_index_block *) (s->base + ioff))->nslots != n) {
		return fail_reason("verify check 2");
	}
	if (h->index_retry > n) {
		return fail_reason("verify check 10"); /* a load no index of this size reaches */
	}
	refs = safeshm_malloc(sizeof(*refs) * ((size_t) n + 1u));
	recs = safeshm_malloc(sizeof(*recs) * ((size_t) n + 1u));
	if (!refs || !recs) {
		safeshm_free(refs);
		safeshm_free(recs);
		return SAFESHM_NOMEM;
	}
	/* the used blocks of the arena: the index, and records (walked in order) */
	for (off = s->arena_off; off < s->arena_end && st == SAFESHM_OK; off += size) {
		uint8_t magic;
		if (!block_sane(s, off, &size)) {
			st = fail_reason("verify check 3");
			break;
		}
		magic = block_at(s, off)->magic;
		if (magic == SAFESHM_BLK_RECORD) {
			if (nrec == n) {
				st = fail_reason("verify check 4"); /* more records than slots: some are referenced by none */
				break;
			}
			recs[nrec++] = off;
		} else if (magic != SAFESHM_BLK_FREE && off != ioff
				&& !(magic == SAFESHM_BLK_SPARE && off == (uint64_t) h->spare8 * 8u)) {
			st = fail_reason("verify check 5");
		}
	}
	for (uint32_t i = 0; i < n && st == SAFESHM_OK; i++) {
		uint32_t v = slots[i];
		safeshm_record r;
		probe_t p;
		uint64_t kh;
		if (v == SAFESHM_SLOT_EMPTY) {
			continue;
		}
		if (v == SAFESHM_SLOT_TOMB) {
			tombs++;
			continue;
		}
		off = (uint64_t) v * 8u;
		if (safeshm_load_record(s, off, &r) != SAFESHM_OK) {
			st = fail_reason("verify check 6");
			break;
		}
		kh = safeshm_key_hash(r.ns, rec_key(s, off, &r), r.b.key_len);
		/* reachable from its home slot, and there only */
		if (safeshm_probe(s, r.ns, rec_key(s, off, &r), r.b.key_len, kh, &p) != SAFESHM_OK
				|| p.slot != i || r.tag != hash_tag(kh) || r.version == 0 || r.version > h->clock) {
			st = fail_reason("verify check 7");
			break;
		}
		refs[entries++] = off;
		used += (uint64_t) r.b.size8 * 8u;
		data += r.ns == SAFESHM_NS_DATA;
		ttl += r.expires != 0;
		lockst += r.ns != SAFESHM_NS_DATA && r.expires == 0;
	}
	if (st == SAFESHM_OK) {
		/* every record block referenced exactly once, every reference a block */
		qsort(refs, entries, sizeof(*refs), cmp_u64);
		if (entries != nrec || memcmp(refs, recs, sizeof(*refs) * entries) != 0) {
			st = fail_reason("verify check 8");
		}
	}
	safeshm_free(refs);
	safeshm_free(recs);
	if (st == SAFESHM_OK && (used != h->used || entries != h->entries || data != h->data_entries
			|| ttl != h->ttl_entries || tombs != h->tombs || lockst != h->lock_states
			|| used + free_bytes + isize != s->arena_end - s->arena_off)) {
		st = fail_reason("verify check 9");
	}
	return st;
}

safeshm_status safeshm_store_stats(const safeshm_store *s, safeshm_stats *st)
{
	const safeshm_header *h = HDR(s);
	uint32_t n = 0;
	uint64_t ioff, isize = 0;

	memset(st, 0, sizeof(*st));
	st->size = s->size;
	st->arena_size = s->arena_end - s->arena_off;
	if (safeshm_check_state(s) != SAFESHM_OK) {
		return SAFESHM_CORRUPT;
	}
	safeshm_index_slots(s, h->index_desc, &n);
	ioff = (h->index_desc >> 32) * 8u;
	if (!block_sane(s, ioff, &isize)) {
		return SAFESHM_CORRUPT;
	}
	st->index_bytes = isize;
	st->index_slots = n;
	st->max_entries = LOAD_GROW(n);
	st->capacity = st->arena_size - isize;
	st->used = h->used;
	st->free = h->free;
	st->largest_free = safeshm_heap_largest(s);
	st->entries = h->entries;
	st->data_entries = h->data_entries;
	st->ttl_entries = h->ttl_entries;
	st->tombs = h->tombs;
	st->lock_states = h->lock_states;
	st->compactions = h->compactions;
	st->lock_waits = h->lock_waits;
	st->lock_timeouts = h->lock_timeouts;
	st->recoveries = h->recoveries;
	st->writes = h->writes;
	st->expired = h->expired;
	st->evicted = h->evicted;
	st->hits = h->hits;
	st->misses = h->misses;
	return SAFESHM_OK;
}
