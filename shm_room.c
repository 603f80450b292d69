/*
 * SafeShm store: making room (locked). The index grows by building a bigger
 * copy beside the live one and publishing it with one store. When no free
 * block fits but enough bytes are free, the records of the cheapest window
 * are relocated (each like a put: publish, then retire) until the window is
 * one free block, so the work is bounded by the size being written and no
 * reader ever waits. When the bytes are exhausted, expired entries are
 * reclaimed, then entries with a TTL, soonest to expire first; entries
 * without a TTL are never evicted.
 */
#include "shm_store_int.h"

unsigned long safeshm_room_events;

static int kept(const safeshm_store *s, const keep_t *k, uint64_t off, const safeshm_record *r)
{
	for (size_t i = 0; k && i < k->n; i++) {
		const safeshm_put_req *q = &k->reqs[i];
		if (q->ns == r->ns && q->klen == r->b.key_len && hash_tag(q->hash) == r->tag
				&& memcmp(q->key, rec_key(s, off, r), q->klen) == 0) {
			return 1;
		}
	}
	return 0;
}

void safeshm_account(safeshm_store *s, const safeshm_record *r, int sign)
{
	safeshm_header *h = HDR(s);
	uint64_t size = (uint64_t) r->b.size8 * 8u;
	/* counters are derived data (recovery recomputes them): no underflow
	 * guards needed beyond what keeps them from wrapping on damage */
	if (sign > 0) {
		h->used += size;
		h->entries++;
		h->data_entries += r->ns == SAFESHM_NS_DATA;
		h->ttl_entries += r->expires != 0;
	} else if (h->used >= size && h->entries > 0) {
		h->used -= size;
		h->entries--;
		h->data_entries -= r->ns == SAFESHM_NS_DATA && h->data_entries > 0;
		h->ttl_entries -= r->expires != 0 && h->ttl_entries > 0;
	}
}

/* Empties slot i: a tombstone, unless nothing follows it in its run, when it
 * and the tombstones right before it can become empty (no key lies beyond). */
static void unlink_slot(safeshm_store *s, uint32_t *slots, uint32_t n, uint32_t i)
{
	safeshm_header *h = HDR(s);
	uint32_t next = i + 1u == n ? 0 : i + 1u;

	if (__atomic_load_n(&slots[next], __ATOMIC_RELAXED) != SAFESHM_SLOT_EMPTY) {
		__atomic_store_n(&slots[i], SAFESHM_SLOT_TOMB, __ATOMIC_RELEASE);
		h->tombs++;
		return;
	}
	__atomic_store_n(&slots[i], SAFESHM_SLOT_EMPTY, __ATOMIC_RELEASE);
	for (uint32_t j = i, k = 0; k + 1u < n; k++) {
		j = j == 0 ? n - 1u : j - 1u;
		if (__atomic_load_n(&slots[j], __ATOMIC_RELAXED) != SAFESHM_SLOT_TOMB) {
			break;
		}
		__atomic_store_n(&slots[j], SAFESHM_SLOT_EMPTY, __ATOMIC_RELEASE);
		h->tombs -= h->tombs > 0;
	}
}

/* Frees a record no slot references any more. A damaged neighbourhood makes
 * the allocator rebuild itself from the index. */
void safeshm_retire(safeshm_store *s, uint64_t off, const safeshm_record *r)
{
	/* readers holding this record see it change before any byte is reused */
	__atomic_store_n(&rec_at(s, off)->version, 0, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	safeshm_account(s, r, -1);
	if (safeshm_heap_retire(s, off) != 0) {
		safeshm_rebuild(s);
	}
}

/* Removes the entry in slot i (record r at off). */
void safeshm_remove_entry(safeshm_store *s, uint32_t *slots, uint32_t n, uint32_t i, uint64_t off, const safeshm_record *r)
{
	unlink_slot(s, slots, n, i);
	FAULT("delete:published");
	/* a key that goes is not coming back at once: its block (and the spare)
	 * go to the lists, merged with their neighbours */
	__atomic_store_n(&rec_at(s, off)->version, 0, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	safeshm_account(s, r, -1);
	if (safeshm_heap_free(s, off) != 0 || safeshm_heap_flush_spare(s) != 0) {
		safeshm_rebuild(s);
	}
}

/* ---- the index ------------------------------------------------------ */


/* Publishes a new index of new_n slots holding every live entry. */
static safeshm_status index_rebuild(safeshm_store *s, uint32_t new_n, uint64_t now, const keep_t *keep)
{
	safeshm_header *h = HDR(s);
	uint64_t old_desc = h->index_desc, off;
	uint32_t n, *old = safeshm_index_slots(s, old_desc, &n), *nu;
	safeshm_status st = SAFESHM_OK;

	if (!old) {
		return SAFESHM_CORRUPT;
	}
	off = safeshm_alloc_room(s, safeshm_index_bytes(new_n), now, keep, &st);
	if (!off) {
		return st;
	}
	/* room making may have published another index meanwhile */
	old_desc = h->index_desc;
	old = safeshm_index_slots(s, old_desc, &n);
	if (!old || h->entries >= new_n) {
		safeshm_heap_free(s, off);
		return old ? SAFESHM_FULL : SAFESHM_CORRUPT;
	}
	safeshm_index_init(s, off, new_n);
	nu = (uint32_t *) (s->base + off + SAFESHM_INDEX_HDR);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = old[i], j;
		safeshm_record r;
		if (v <= SAFESHM_SLOT_TOMB) {
			continue;
		}
		if (safeshm_load_record(s, (uint64_t) v * 8u, &r) != SAFESHM_OK) {
			safeshm_heap_free(s, off);
			return SAFESHM_CORRUPT;
		}
		j = home_slot(safeshm_key_hash(r.ns, rec_key(s, (uint64_t) v * 8u, &r), r.b.key_len), new_n);
		while (nu[j] != SAFESHM_SLOT_EMPTY) {
			j = j + 1u == new_n ? 0 : j + 1u;
		}
		nu[j] = v;
	}
	FAULT("index:built");
	safeshm_room_events++;
	store64(&h->index_desc, (off / 8u) << 32 | new_n);
	store64(&h->index_gen, h->index_gen + 1u);
	h->tombs = 0;
	FAULT("index:published");
	if (safeshm_heap_free(s, (old_desc >> 32) * 8u) != 0) {
		safeshm_rebuild(s);
	}
	return SAFESHM_OK;
}

/* Makes the index ready for `more` new keys: grows it (or purges its
 * tombstones) when the load would pass 13/16; an insert may still go up to
 * 15/16 when no bigger index can be allocated. */
safeshm_status safeshm_index_reserve(safeshm_store *s, uint64_t more, uint64_t now, const keep_t *keep)
{
	safeshm_header *h = HDR(s);
	uint32_t n = 0;
	uint64_t want;
	safeshm_status st;

	if (!safeshm_index_slots(s, h->index_desc, &n)) {
		return SAFESHM_CORRUPT;
	}
	if (h->entries + h->tombs + more <= LOAD_GROW(n)) {
		return SAFESHM_OK;
	}
	want = (h->entries + more) * 8u / 5u + 1u;
	if (want < INDEX_MIN_SLOTS) {
		want = INDEX_MIN_SLOTS;
	}
	if (want < n && h->entries + more <= LOAD_GROW(n) / 2u) {
		want = n; /* mostly tombstones: purge them at the same size */
	}
	if (want > UINT32_MAX / 2u) {
		return SAFESHM_FULL;
	}
	st = index_rebuild(s, (uint32_t) want, now, keep);
	if (st == SAFESHM_FULL && h->entries + h->tombs + more <= LOAD_MAX(n)) {
		return SAFESHM_OK;
	}
	return st;
}

/* ---- making room ---------------------------------------------------- */

typedef struct {
	uint64_t off, size;
	uint8_t magic;
} blk_t;

/* Relocates one record out of the reserved window: allocate outside, copy,
 * publish the new offset in its slot. */
static int relocate(safeshm_store *s, uint64_t off)
{
	safeshm_record r;
	probe_t p;
	uint64_t need, noff, size8;
	uint8_t bflags;
	int corrupt = 0;

	if (safeshm_load_record(s, off, &r) != SAFESHM_OK) {
		return -1;
	}
	if (safeshm_probe(s, r.ns, rec_key(s, off, &r), r.b.key_len,
			safeshm_key_hash(r.ns, rec_key(s, off, &r), r.b.key_len), &p) != SAFESHM_OK || p.off != off) {
		return 0; /* no slot references it: nothing to keep */
	}
	need = safeshm_heap_block_size((uint64_t) SAFESHM_REC_HDR + r.val_len + r.b.key_len);
	noff = safeshm_heap_alloc(s, need, &corrupt);
	if (!noff) {
		return -1;
	}
	size8 = block_at(s, noff)->size8;
	bflags = block_at(s, noff)->bflags;
	__atomic_store_n(&rec_at(s, noff)->version, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* all but the block header and the version, which goes last */
	memcpy(s->base + noff + 8u, s->base + off + 8u, 8u);
	memcpy(s->base + noff + 24u, s->base + off + 24u, (size_t) need - 24u);
	block_at(s, noff)->key_len = block_at(s, off)->key_len;
	block_at(s, noff)->magic = SAFESHM_BLK_RECORD;
	block_at(s, noff)->size8 = (uint32_t) size8;
	block_at(s, noff)->bflags = bflags;
	FAULT("evacuate:copied");
	__atomic_store_n(&rec_at(s, noff)->version, r.version, __ATOMIC_RELEASE);
	__atomic_store_n(&p.slots[p.slot], (uint32_t) (noff / 8u), __ATOMIC_RELEASE);
	/* the old copy's readers see it change before its bytes are reused */
	__atomic_store_n(&rec_at(s, off)->version, 0, __ATOMIC_RELEASE);
	HDR(s)->used += size8 * 8u;
	HDR(s)->used -= (uint64_t) r.b.size8 * 8u;
	FAULT("evacuate:moved");
	return 0;
}

/* Moves the index block out of a reserved window: the same slots in a block
 * allocated elsewhere, published like a grown index (readers of the old one
 * see the generation change and read again). */
static int index_move(safeshm_store *s, uint64_t off)
{
	safeshm_header *h = HDR(s);
	uint64_t desc = h->index_desc, noff, size8;
	uint32_t n = 0;
	uint8_t bflags;
	int corrupt = 0;

	if ((desc >> 32) * 8u != off || !safeshm_index_slots(s, desc, &n)) {
		return -1;
	}
	noff = safeshm_heap_alloc(s, safeshm_index_bytes(n), &corrupt);
	if (!noff) {
		return -1;
	}
	size8 = block_at(s, noff)->size8;
	bflags = block_at(s, noff)->bflags;
	memcpy(s->base + noff, s->base + off, (size_t) (SAFESHM_INDEX_HDR + (uint64_t) n * 4u));
	block_at(s, noff)->size8 = (uint32_t) size8;
	block_at(s, noff)->bflags = bflags;
	safeshm_room_events++;
	store64(&h->index_desc, (noff / 8u) << 32 | n);
	store64(&h->index_gen, h->index_gen + 1u);
	FAULT("index:moved");
	return 0;
}

/* Frees every run of adjacent blocks marked free in b (reserved free blocks,
 * and records whose copies moved out) as one block each; live records stay. */
static safeshm_status release_runs(safeshm_store *s, const blk_t *b, size_t n)
{
	for (size_t k = 0; k < n; ) {
		size_t e = k;
		uint64_t start, total;
		safeshm_block *first;
		uint8_t prev_free;
		if (b[k].magic != SAFESHM_BLK_FREE) {
			k++;
			continue;
		}
		while (e + 1u < n && b[e + 1u].magic == SAFESHM_BLK_FREE) {
			e++;
		}
		start = b[k].off;
		total = b[e].off + b[e].size - start;
		first = block_at(s, start);
		prev_free = first->bflags & SAFESHM_BF_PREV_FREE;
		first->size8 = (uint32_t) (total / 8u);
		first->magic = SAFESHM_BLK_RECORD; /* a used block the size of the run, freed at once */
		first->bflags = prev_free;
		first->key_len = 0;
		if (safeshm_heap_free(s, start) != 0) {
			safeshm_rebuild(s);
			return SAFESHM_CORRUPT;
		}
		k = e + 1u;
	}
	return SAFESHM_OK;
}

/*
 * Makes one free block of at least size bytes when that many are free but
 * scattered: picks the run of adjacent blocks of that size holding the
 * fewest record bytes, relocates those records elsewhere (each like a put:
 * publish, then retire) and frees the run as one block. The bytes moved are
 * bounded by size. Readers are never blocked: a record is in its old place
 * until its slot names the new one.
 */
static safeshm_status evacuate(safeshm_store *s, uint64_t size)
{
	safeshm_header *h = HDR(s);
	blk_t *b;
	size_t cap = 1024, n = 0, best_i = 0, best_j = 0, i = 0;
	uint64_t off = s->arena_off, bsz, sum = 0, live = 0, best_live = UINT64_MAX, free_in = 0;
	int found = 0, moved_all = 1;
	safeshm_status st;

	if (safeshm_heap_flush_spare(s) != 0) {
		safeshm_rebuild(s);
		return SAFESHM_CORRUPT;
	}
	b = safeshm_malloc(cap * sizeof(*b));
	if (!b) {
		return SAFESHM_NOMEM;
	}
	while (off < s->arena_end) {
		if (!block_sane(s, off, &bsz)) {
			safeshm_free(b);
			return SAFESHM_CORRUPT;
		}
		if (n == cap) {
			blk_t *nb = realloc(b, cap * 2u * sizeof(*b));
			if (!nb) {
				safeshm_free(b);
				return SAFESHM_NOMEM;
			}
			b = nb;
			cap *= 2u;
		}
		b[n].off = off;
		b[n].size = bsz;
		b[n].magic = block_at(s, off)->magic;
		n++;
		off += bsz;
	}
	/* the cheapest window: two pointers over the blocks; records and the index
	 * can move, a journal (never there outside a multi-key put) cannot */
	for (size_t j = 0; j < n; j++) {
		if (b[j].magic != SAFESHM_BLK_RECORD && b[j].magic != SAFESHM_BLK_FREE && b[j].magic != SAFESHM_BLK_INDEX) {
			i = j + 1u;
			sum = live = 0;
			continue;
		}
		sum += b[j].size;
		live += b[j].magic != SAFESHM_BLK_FREE ? b[j].size : 0;
		while (i < j && sum - b[i].size >= size) {
			sum -= b[i].size;
			live -= b[i].magic != SAFESHM_BLK_FREE ? b[i].size : 0;
			i++;
		}
		if (sum >= size && live < best_live) {
			best_live = live;
			best_i = i;
			best_j = j;
			found = 1;
		}
	}
	if (!found) {
		safeshm_free(b);
		return SAFESHM_FULL;
	}
	for (size_t k = best_i; k <= best_j; k++) {
		free_in += b[k].magic == SAFESHM_BLK_FREE ? b[k].size : 0;
	}
	if (best_live > h->free - free_in) {
		safeshm_free(b);
		return SAFESHM_FULL;
	}
	/* reserve the window: its free blocks leave the class lists */
	for (size_t k = best_i; k <= best_j; k++) {
		if (b[k].magic == SAFESHM_BLK_FREE && safeshm_heap_unlink(s, b[k].off) != 0) {
			safeshm_free(b);
			safeshm_rebuild(s);
			return SAFESHM_CORRUPT;
		}
	}
	for (size_t k = best_i; k <= best_j; k++) {
		if (b[k].magic == SAFESHM_BLK_INDEX) {
			if (index_move(s, b[k].off) != 0) {
				moved_all = 0;
				break;
			}
			b[k].magic = SAFESHM_BLK_FREE;
		} else if (b[k].magic == SAFESHM_BLK_RECORD) {
			if (relocate(s, b[k].off) != 0) {
				moved_all = 0; /* outside has no room after all: give back what is free so far */
				break;
			}
			b[k].magic = SAFESHM_BLK_FREE; /* its old copy is free now */
		}
	}
	st = release_runs(s, b + best_i, best_j - best_i + 1u);
	safeshm_free(b);
	if (st != SAFESHM_OK) {
		return st;
	}
	if (!moved_all) {
		return SAFESHM_FULL;
	}
	h->compactions++;
	return SAFESHM_OK;
}

/* Deletes expired entries among max_slots slots from the sweep cursor (0: all). */
void safeshm_sweep(safeshm_store *s, uint64_t now, uint32_t max_slots)
{
	safeshm_header *h = HDR(s);
	uint32_t n = 0, *slots;
	uint64_t i;

	if (h->ttl_entries == 0 || !(slots = safeshm_index_slots(s, h->index_desc, &n))) {
		return;
	}
	if (max_slots == 0 || max_slots > n) {
		max_slots = n;
	}
	i = h->sweep % n;
	for (uint32_t k = 0; k < max_slots; k++, i = i + 1u == n ? 0 : i + 1u) {
		uint32_t v = slots[i];
		safeshm_record r;
		if (v <= SAFESHM_SLOT_TOMB || safeshm_load_record(s, (uint64_t) v * 8u, &r) != SAFESHM_OK) {
			continue;
		}
		if (expired(r.expires, now)) {
			safeshm_remove_entry(s, slots, n, (uint32_t) i, (uint64_t) v * 8u, &r);
			h->expired++;
		}
	}
	h->sweep = i;
}

typedef struct {
	uint64_t expires, off;
} ttl_t;

static int cmp_ttl(const void *a, const void *b)
{
	uint64_t x = ((const ttl_t *) a)->expires, y = ((const ttl_t *) b)->expires;
	return x < y ? -1 : x > y;
}

/* The bytes the TTL entries of the data namespace hold (keep's left out):
 * what eviction could give back at most. */
static uint64_t evictable(const safeshm_store *s, const keep_t *keep)
{
	const safeshm_header *h = HDR(s);
	uint32_t n = 0, *slots = safeshm_index_slots(s, h->index_desc, &n);
	uint64_t sum = 0;

	for (uint32_t i = 0; slots && i < n; i++) {
		uint32_t v = slots[i];
		safeshm_record r;
		if (v > SAFESHM_SLOT_TOMB && safeshm_load_record(s, (uint64_t) v * 8u, &r) == SAFESHM_OK && r.expires != 0
				&& r.ns == SAFESHM_NS_DATA && !kept(s, keep, (uint64_t) v * 8u, &r)) {
			sum += (uint64_t) r.b.size8 * 8u;
		}
	}
	return sum;
}

int safeshm_room_could_fit(const safeshm_store *s, uint64_t need, const keep_t *keep)
{
	const safeshm_header *h = HDR(s);
	return h->free >= need || (h->ttl_entries && h->free + evictable(s, keep) >= need);
}

/*
 * Evicts live TTL entries, soonest to expire first, until a free block of
 * size bytes exists or (unless more is set: relocation could not make one)
 * enough bytes are free for relocation to make one. Evicts nothing when
 * even all of them would not make room.
 */
static safeshm_status evict(safeshm_store *s, uint64_t size, uint64_t now, const keep_t *keep, int more)
{
	safeshm_header *h = HDR(s);
	uint32_t n = 0, *slots = safeshm_index_slots(s, h->index_desc, &n);
	ttl_t *t;
	size_t cnt = 0, gone = 0;
	uint64_t avail = h->free;

	if (!slots) {
		return SAFESHM_CORRUPT;
	}
	t = safeshm_malloc(sizeof(*t) * (h->ttl_entries + 1u));
	if (!t) {
		return SAFESHM_NOMEM;
	}
	for (uint32_t i = 0; i < n && cnt <= h->ttl_entries; i++) {
		uint32_t v = slots[i];
		safeshm_record r;
		if (v <= SAFESHM_SLOT_TOMB || safeshm_load_record(s, (uint64_t) v * 8u, &r) != SAFESHM_OK
				|| r.expires == 0 || r.ns != SAFESHM_NS_DATA || kept(s, keep, (uint64_t) v * 8u, &r)) {
			continue;
		}
		t[cnt].expires = r.expires;
		t[cnt].off = (uint64_t) v * 8u;
		avail += (uint64_t) r.b.size8 * 8u;
		cnt++;
	}
	if (avail < size || cnt == 0) {
		safeshm_free(t);
		return SAFESHM_FULL;
	}
	qsort(t, cnt, sizeof(*t), cmp_ttl);
	for (size_t k = 0; k < cnt && !safeshm_heap_fits(s, size) && (more || h->free < size); k++) {
		safeshm_record r;
		probe_t p;
		if (safeshm_load_record(s, t[k].off, &r) != SAFESHM_OK) {
			continue;
		}
		if (safeshm_probe(s, r.ns, rec_key(s, t[k].off, &r), r.b.key_len,
				safeshm_key_hash(r.ns, rec_key(s, t[k].off, &r), r.b.key_len), &p) != SAFESHM_OK || p.off != t[k].off) {
			continue;
		}
		safeshm_remove_entry(s, p.slots, p.n, p.slot, p.off, &p.rec);
		gone++;
		if (expired(r.expires, now)) {
			h->expired++;
		} else {
			h->evicted++;
		}
	}
	safeshm_free(t);
	return gone || safeshm_heap_fits(s, size) ? SAFESHM_OK : SAFESHM_FULL;
}

/*
 * A used block of at least size bytes. When none is free: relocate a
 * window if enough bytes are free but scattered; else reclaim expired
 * entries, then evict TTL entries soonest first (never one in keep), only as
 * many as it takes.
 */
uint64_t safeshm_alloc_room(safeshm_store *s, uint64_t size, uint64_t now, const keep_t *keep, safeshm_status *st)
{
	safeshm_header *h = HDR(s);
	int corrupt = 0, swept = 0, more = 0;
	uint64_t off;

	size = safeshm_heap_block_size(size);
	for (int round = 0; round < 64; round++) {
		off = safeshm_heap_alloc(s, size, &corrupt);
		if (off) {
			return off;
		}
		safeshm_room_events++; /* whatever follows may move or drop records */
		if (corrupt) {
			corrupt = 0;
			if (safeshm_rebuild(s) != SAFESHM_OK) {
				*st = SAFESHM_CORRUPT;
				return 0;
			}
			continue;
		}
		more = 0;
		if (h->free >= size) {
			*st = evacuate(s, size);
			if (*st == SAFESHM_OK) {
				continue;
			}
			if (*st != SAFESHM_FULL) {
				return 0;
			}
			more = 1; /* the bytes are there but cannot be gathered: evict until a block fits */
		}
		if (!swept && h->ttl_entries) {
			safeshm_sweep(s, now, 0);
			swept = 1;
			continue;
		}
		if (h->ttl_entries) {
			*st = evict(s, size, now, keep, more);
			if (*st == SAFESHM_OK) {
				continue;
			}
			return 0;
		}
		break;
	}
	*st = SAFESHM_FULL;
	return 0;
}

