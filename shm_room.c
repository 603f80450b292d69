/*
 * SafeShm store: making room (locked). The index grows by building a bigger
 * copy beside the live one and publishing it with one store. When no free
 * block fits but enough bytes are free, the records of a window of adjacent
 * blocks are relocated (each like a put: publish, then retire) until the
 * window is one free block; no reader ever waits. The window is looked for
 * among a number of blocks bounded by the size being written, not by the
 * arena (around the biggest free blocks, and from a cursor that moves on);
 * only when that finds none is the whole arena searched, the last resort
 * before reclaiming or refusing. When the bytes are exhausted, expired
 * entries are reclaimed, then entries with a TTL, soonest to expire first;
 * entries without a TTL are never evicted.
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

static uint64_t alloc_room(safeshm_store *s, uint64_t size, uint64_t now, const keep_t *keep, safeshm_status *st,
	int whole);


/* How many slots ahead index_rebuild() asks for a record's key (and twice as
 * many for its header). */
#define REBUILD_AHEAD 8u

/* Publishes a new index of new_n slots holding every live entry; whole: its
 * block may be looked for in the whole arena (see alloc_room()). */
static safeshm_status index_rebuild(safeshm_store *s, uint32_t new_n, uint64_t now, const keep_t *keep, int whole)
{
	safeshm_header *h = HDR(s);
	uint64_t old_desc = h->index_desc, off;
	uint32_t n, *old = safeshm_index_slots(s, old_desc, &n), *nu;
	safeshm_status st = SAFESHM_OK;

	if (!old) {
		return SAFESHM_CORRUPT;
	}
	off = alloc_room(s, safeshm_index_bytes(new_n), now, keep, &st, whole);
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
		/* the records are spread over the arena: every one is a cache miss,
		 * so ask for them ahead, the header first and, once it is there, the
		 * key (hints: an address outside the arena is never asked for) */
		if (i + 2u * REBUILD_AHEAD < n) {
			uint64_t a = (uint64_t) old[i + 2u * REBUILD_AHEAD] * 8u;
			if (a >= s->arena_off && a + SAFESHM_REC_HDR <= s->arena_end) {
				__builtin_prefetch(s->base + a);
			}
		}
		if (i + REBUILD_AHEAD < n) {
			uint64_t a = (uint64_t) old[i + REBUILD_AHEAD] * 8u;
			if (a >= s->arena_off && a + SAFESHM_REC_HDR <= s->arena_end) {
				uint64_t k = a + SAFESHM_REC_HDR + __atomic_load_n(&rec_at(s, a)->val_len, __ATOMIC_RELAXED);
				if (k < s->arena_end) {
					__builtin_prefetch(s->base + k);
				}
			}
		}
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
 * 15/16 when no bigger index can be allocated. A rebuild that found no room
 * is not tried again before the load grew by 1/64 of the slots (the index is
 * big, and near full the room for it is looked for in bounded searches only:
 * trying on every insert would move records for nothing each time), unless
 * the insert needs it. extra: the bytes of the record the caller writes
 * next (0: none, or checked already). */
safeshm_status safeshm_index_reserve(safeshm_store *s, uint64_t more, uint64_t extra, uint64_t now, const keep_t *keep)
{
	safeshm_header *h = HDR(s);
	uint32_t n = 0;
	uint64_t want, load;
	safeshm_status st;
	int needed;

	if (!safeshm_index_slots(s, h->index_desc, &n)) {
		return SAFESHM_CORRUPT;
	}
	load = h->entries + h->tombs + more;
	if (load <= LOAD_GROW(n)) {
		return SAFESHM_OK;
	}
	needed = load > LOAD_MAX(n);
	/* a hint read from the segment: it can only put off a rebuild the insert does not need */
	if (!needed && load < h->index_retry) {
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
	if (extra) {
		/* the caller's record comes after: an index that would leave no
		 * bytes for it is not grown, so that a write refused as full changes
		 * nothing (the new index is allocated beside the old, which is then
		 * freed) */
		uint64_t ib = safeshm_index_bytes((uint32_t) want), old = safeshm_index_bytes(n);
		if (!safeshm_room_could_fit(s, ib + (extra > old ? extra - old : 0), now, keep)) {
			if (needed) {
				return SAFESHM_FULL;
			}
			h->index_retry = (uint32_t) (load + n / 64u + 1u);
			return SAFESHM_OK;
		}
	}
	st = index_rebuild(s, (uint32_t) want, now, keep, needed);
	if (st == SAFESHM_FULL && !needed) {
		h->index_retry = (uint32_t) (load + n / 64u + 1u);
		return SAFESHM_OK;
	}
	if (st == SAFESHM_OK) {
		h->index_retry = 0;
	}
	return st;
}

/* ---- making room ---------------------------------------------------- */

unsigned long safeshm_room_visited, safeshm_room_moved, safeshm_room_scans;

typedef struct {
	uint64_t start, end, live;
} window_t;

/* What a search for a window knows: the size wanted, the most a window may
 * hold (the free bytes: its records must fit outside it), the two largest
 * free blocks, which bound the records that can move, and free blocks seen
 * on the way, where they can move to. */
typedef struct {
	uint64_t size, max_sum, l1, o1, l2, o2;
	unsigned long visited;
	window_t best;
	size_t ncands;
	uint64_t cands[ROOM_ANCHORS + 2u];
} room_t;

/* A block for something moving out of the window: the allocator's choice,
 * else a free block the search saw (the allocator rounds a size up to its
 * class, and may miss a block that fits). */
static uint64_t room_alloc(safeshm_store *s, const room_t *r, uint64_t size)
{
	int corrupt = 0;
	uint64_t off = safeshm_heap_alloc(s, size, &corrupt);

	for (size_t i = 0; !off && !corrupt && i < r->ncands; i++) {
		off = safeshm_heap_alloc_from(s, r->cands[i], size);
	}
	return off;
}

/* The block size the record or the index at off needs where it moves; 0
 * when it is damaged. */
static uint64_t moving_size(const safeshm_store *s, uint64_t off)
{
	safeshm_record r;
	uint32_t n = 0;

	if (block_at(s, off)->magic == SAFESHM_BLK_INDEX) {
		return (HDR(s)->index_desc >> 32) * 8u == off && safeshm_index_slots(s, HDR(s)->index_desc, &n)
			? safeshm_index_bytes(n) : 0;
	}
	return safeshm_load_record(s, off, &r) == SAFESHM_OK
		? safeshm_heap_record_size((uint64_t) SAFESHM_REC_HDR + r.val_len + r.b.key_len) : 0;
}

/* Relocates one record out of the reserved window into the block noff
 * (allocated for it): copy, publish the new offset in its slot. 1 when it
 * moved; 0 when no slot references it (nothing to keep: noff stays unused). */
static int relocate(safeshm_store *s, uint64_t off, uint64_t noff)
{
	safeshm_record r;
	probe_t p;
	uint64_t bytes, size8;
	uint8_t bflags;

	if (safeshm_load_record(s, off, &r) != SAFESHM_OK
			|| safeshm_probe(s, r.ns, rec_key(s, off, &r), r.b.key_len,
				safeshm_key_hash(r.ns, rec_key(s, off, &r), r.b.key_len), &p) != SAFESHM_OK || p.off != off) {
		return 0;
	}
	/* the record's own bytes: its block (made by another build, or before
	 * records were rounded) may be smaller than the rounded size noff has */
	bytes = ALIGN8((uint64_t) SAFESHM_REC_HDR + r.val_len + r.b.key_len);
	size8 = block_at(s, noff)->size8;
	bflags = block_at(s, noff)->bflags;
	__atomic_store_n(&rec_at(s, noff)->version, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* all but the block header and the version, which goes last */
	memcpy(s->base + noff + 8u, s->base + off + 8u, 8u);
	memcpy(s->base + noff + 24u, s->base + off + 24u, (size_t) bytes - 24u);
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
	safeshm_room_moved += size8 * 8u;
	FAULT("evacuate:moved");
	return 1;
}

/* Moves the index block out of a reserved window into the block noff: the
 * same slots, published like a grown index (readers of the old one see the
 * generation change and read again). */
static void index_move(safeshm_store *s, uint64_t off, uint64_t noff)
{
	safeshm_header *h = HDR(s);
	uint64_t size8 = block_at(s, noff)->size8;
	uint32_t n = (uint32_t) h->index_desc;
	uint8_t bflags = block_at(s, noff)->bflags;

	memcpy(s->base + noff, s->base + off, (size_t) (SAFESHM_INDEX_HDR + (uint64_t) n * 4u));
	block_at(s, noff)->size8 = (uint32_t) size8;
	block_at(s, noff)->bflags = bflags;
	safeshm_room_events++;
	safeshm_room_moved += size8 * 8u;
	store64(&h->index_desc, (noff / 8u) << 32 | n);
	store64(&h->index_gen, h->index_gen + 1u);
	FAULT("index:moved");
}

/* Frees the blocks from start to end (reserved free blocks, and records
 * whose copies moved out) as one block, merged with free neighbours. */
static safeshm_status release_run(safeshm_store *s, uint64_t start, uint64_t end)
{
	safeshm_block *first = block_at(s, start);
	uint8_t prev_free = first->bflags & SAFESHM_BF_PREV_FREE;

	first->size8 = (uint32_t) ((end - start) / 8u);
	first->magic = SAFESHM_BLK_RECORD; /* a used block the size of the run, freed at once */
	first->bflags = prev_free;
	first->key_len = 0;
	if (safeshm_heap_free(s, start) != 0) {
		safeshm_rebuild(s);
		return SAFESHM_CORRUPT;
	}
	return SAFESHM_OK;
}

/* Puts the reserved free blocks between start and end back into the lists,
 * one by one (records part them). */
static safeshm_status release_free(safeshm_store *s, uint64_t start, uint64_t end)
{
	uint64_t k, bsz;
	safeshm_status st;

	for (k = start; k < end; k += bsz) {
		if (!block_sane(s, k, &bsz)) {
			safeshm_rebuild(s);
			return SAFESHM_CORRUPT;
		}
		if (block_at(s, k)->magic == SAFESHM_BLK_FREE && (st = release_run(s, k, k + bsz)) != SAFESHM_OK) {
			return st;
		}
	}
	return SAFESHM_OK;
}

/* The block a bounded search starts from: the cursor header->room8 when the
 * allocator or the index vouches for the block it names (it is read from the
 * segment: a hint, never trusted), else the arena's start, and the cursor is
 * reset. */
static uint64_t room_start(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	uint64_t off = (uint64_t) h->room8 * 8u, size;
	safeshm_record r;
	probe_t p;
	int ok = 0;

	if (off > s->arena_off && block_sane(s, off, &size)) {
		switch (block_at(s, off)->magic) {
			case SAFESHM_BLK_FREE:
				ok = safeshm_heap_listed(s, off);
				break;
			case SAFESHM_BLK_INDEX:
				ok = off == (h->index_desc >> 32) * 8u;
				break;
			case SAFESHM_BLK_RECORD:
				ok = safeshm_load_record(s, off, &r) == SAFESHM_OK
					&& safeshm_probe(s, r.ns, rec_key(s, off, &r), r.b.key_len,
						safeshm_key_hash(r.ns, rec_key(s, off, &r), r.b.key_len), &p) == SAFESHM_OK
					&& p.off == off;
				break;
			default:
				break;
		}
	}
	if (!ok) {
		h->room8 = 0;
		return s->arena_off;
	}
	return off;
}

/* Where evacuate() looks: around free blocks and from the cursor, bounded;
 * or the whole arena. */
typedef enum {
	ROOM_BOUNDED,
	ROOM_WHOLE
} room_mode;

/* 1 when a block can be part of a window: a free block, or a record or the
 * index that some free block could take. Anything else (a journal, a block
 * being written) bounds windows. */
static inline int windowable(const room_t *r, uint8_t magic, uint64_t size)
{
	return magic == SAFESHM_BLK_FREE || ((magic == SAFESHM_BLK_RECORD || magic == SAFESHM_BLK_INDEX) && size <= r->l1);
}

/* Keeps the window from start to end as the best one when it is big
 * enough, fits the free bytes and holds fewer bytes to move. A window that
 * holds the largest free block must do with the second largest for its
 * records: big counts its blocks bigger than that, has_l1 whether it holds it. */
static void consider(room_t *r, uint64_t start, uint64_t end, uint64_t sum, uint64_t live, int has_l1, unsigned big)
{
	if (sum >= r->size && sum <= r->max_sum && live < r->best.live && !(has_l1 && big)) {
		r->best.start = start;
		r->best.end = end;
		r->best.live = live;
	}
}

/* A block entering (sign 1) or leaving (-1) a window: its sums. */
static inline void window_add(const room_t *r, uint64_t off, uint8_t magic, uint64_t bsz, int sign, uint64_t *sum,
	uint64_t *live, int *has_l1, unsigned *big)
{
	int used = magic != SAFESHM_BLK_FREE;
	*sum += sign > 0 ? bsz : -bsz;
	*live += used ? (sign > 0 ? bsz : -bsz) : 0;
	if (off == r->o1) {
		*has_l1 = sign > 0;
	}
	if (used && bsz > r->l2) {
		*big += sign > 0 ? 1u : -1u;
	}
}

/*
 * The cheapest window among the blocks from off on: a sliding window over
 * the block headers, the shortest one ending at each block. Bounded (a
 * number of blocks), it stops at the first block after that many blocks and
 * ROOM_SPAN times the size; else at the arena's end. *stop: where it stopped.
 */
static safeshm_status find_window(const safeshm_store *s, room_t *r, uint64_t off, unsigned long bounded, uint64_t *stop)
{
	uint64_t from = off, left = off, sum = 0, live = 0, bsz, lsz;
	unsigned long blocks = 0;
	unsigned big = 0;
	int has_l1 = 0;

	while (off < s->arena_end && !(bounded && blocks >= bounded && off - from >= ROOM_SPAN * r->size)) {
		uint8_t magic;
		if (!block_sane(s, off, &bsz)) {
			return SAFESHM_CORRUPT;
		}
		blocks++;
		r->visited++;
		magic = block_at(s, off)->magic;
		if (!windowable(r, magic, bsz)) {
			off += bsz;
			left = off;
			sum = live = 0;
			has_l1 = 0;
			big = 0;
			continue;
		}
		window_add(r, off, magic, bsz, 1, &sum, &live, &has_l1, &big);
		off += bsz;
		/* drop blocks on the left while the rest is big enough */
		while (left < off && block_sane(s, left, &lsz) && sum - lsz >= r->size) {
			r->visited++;
			window_add(r, left, block_at(s, left)->magic, lsz, -1, &sum, &live, &has_l1, &big);
			left += lsz;
		}
		consider(r, left, off, sum, live, has_l1, big);
	}
	*stop = off;
	return SAFESHM_OK;
}

/* The shortest window that starts at the free block off. */
static void window_from(const safeshm_store *s, room_t *r, uint64_t off)
{
	uint64_t start = off, sum = 0, live = 0, bsz;
	unsigned big = 0;
	int has_l1 = 0;

	while (sum < r->size && off < s->arena_end && live < r->best.live) {
		uint8_t magic;
		if (!block_sane(s, off, &bsz)) {
			return;
		}
		r->visited++;
		magic = block_at(s, off)->magic;
		if (!windowable(r, magic, bsz)) {
			return;
		}
		window_add(r, off, magic, bsz, 1, &sum, &live, &has_l1, &big);
		off += bsz;
	}
	consider(r, start, off, sum, live, has_l1, big);
}

/*
 * Empties the window r->best: takes a block outside it for each of its
 * records (and the index), all of them before anything moves, then
 * relocates each (like a put: publish, then retire) and frees the window as
 * one block. FULL when the blocks could not all be had: the window and the
 * free blocks are left as they were (records moved for nothing would only
 * use up free blocks). Readers are never blocked: a record is in its old
 * place until its slot names the new one.
 */
static safeshm_status empty_window(safeshm_store *s, const room_t *r)
{
	window_t w = r->best;
	uint64_t k, bsz, *dst;
	size_t nmove = 0, i;
	safeshm_status st;

	for (k = w.start; k < w.end; k += bsz) {
		if (!block_sane(s, k, &bsz)) {
			return SAFESHM_CORRUPT;
		}
		nmove += block_at(s, k)->magic != SAFESHM_BLK_FREE;
	}
	dst = safeshm_malloc(sizeof(*dst) * (nmove + 1u));
	if (!dst) {
		return SAFESHM_NOMEM;
	}
	/* reserve the window: its free blocks leave the class lists */
	for (k = w.start; k < w.end; k += bsz) {
		bsz = (uint64_t) block_at(s, k)->size8 * 8u;
		if (block_at(s, k)->magic == SAFESHM_BLK_FREE && safeshm_heap_unlink(s, k) != 0) {
			safeshm_free(dst);
			safeshm_rebuild(s);
			return SAFESHM_CORRUPT;
		}
	}
	for (k = w.start, i = 0; k < w.end && (i == 0 || dst[i - 1]); k += bsz) {
		bsz = (uint64_t) block_at(s, k)->size8 * 8u;
		if (block_at(s, k)->magic != SAFESHM_BLK_FREE) {
			uint64_t need = moving_size(s, k);
			dst[i++] = need ? room_alloc(s, r, need) : 0;
		}
	}
	if (i < nmove || (nmove && !dst[nmove - 1])) {
		/* the window's free blocks go back first (records part them), then the blocks taken */
		st = release_free(s, w.start, w.end);
		for (size_t j = 0; st == SAFESHM_OK && j < i && dst[j]; j++) {
			if (safeshm_heap_free(s, dst[j]) != 0) {
				safeshm_rebuild(s);
				st = SAFESHM_CORRUPT;
			}
		}
		safeshm_free(dst);
		return st == SAFESHM_OK ? SAFESHM_FULL : st;
	}
	/* move: the blocks keep their headers, so the walk can go on */
	for (k = w.start, i = 0; k < w.end; k += bsz) {
		uint8_t magic = block_at(s, k)->magic;
		bsz = (uint64_t) block_at(s, k)->size8 * 8u;
		if (magic == SAFESHM_BLK_INDEX) {
			index_move(s, k, dst[i]);
			dst[i] = 0;
		} else if (magic == SAFESHM_BLK_RECORD && relocate(s, k, dst[i])) {
			dst[i] = 0;
		}
		i += magic != SAFESHM_BLK_FREE;
	}
	st = release_run(s, w.start, w.end);
	/* blocks taken for records nobody referenced, freed once the window is back in the lists */
	for (size_t j = 0; st == SAFESHM_OK && j < nmove; j++) {
		if (dst[j] && safeshm_heap_free(s, dst[j]) != 0) {
			safeshm_rebuild(s);
			st = SAFESHM_CORRUPT;
		}
	}
	safeshm_free(dst);
	if (st == SAFESHM_OK) {
		HDR(s)->compactions++;
	}
	return st;
}

/* Empties the best window found so far, if any: FULL when there was none or
 * it could not be emptied (then the search may go on). */
static safeshm_status empty_best(safeshm_store *s, room_t *r)
{
	safeshm_status st = SAFESHM_FULL;

	if (r->best.live != UINT64_MAX) {
		st = empty_window(s, r);
		r->best.live = UINT64_MAX;
	}
	return st;
}

/*
 * Makes one free block of at least size bytes when that many are free but
 * scattered: finds a window of adjacent blocks of that size holding few
 * record bytes and empties it. The bytes moved are bounded by size (and one
 * block).
 *
 * Bounded, the search reads a number of block headers bounded by size, not
 * by the arena: first the windows that start at the biggest free blocks
 * (where the free bytes are), then stretches of blocks from the cursor
 * header->room8 (left where the stretch stopped, so that the next search
 * looks further) and from some of those free blocks (a sliding window there
 * finds the windows that end at a free block too); the best window of each
 * step is emptied, or the next step looks for another. A store with fewer
 * blocks than a stretch reads is searched whole. Else (mode ROOM_WHOLE,
 * the last resort before eviction or refusal) it looks at the whole arena
 * for the cheapest window: on bench/compare.php's 256 MiB store at 97 %
 * full (some 140 000 blocks) that takes about 24 ms. Bounding it too (the
 * cheapest window among the next 1024 blocks from the cursor, the next
 * search going on from there) kept every write under 0.4 ms but refused
 * 24 % of that case's rewrites as full, against 0.3 %: near full, the
 * windows that can be emptied are rare, and only the whole search finds
 * them. A refused write is worse than a pause of that size.
 */
static safeshm_status evacuate(safeshm_store *s, uint64_t size, room_mode mode)
{
	safeshm_header *h = HDR(s);
	room_t r = { .size = size, .best = { 0, 0, UINT64_MAX } };
	uint64_t stop, from;
	size_t n;
	safeshm_status st = SAFESHM_FULL;

	if (safeshm_heap_flush_spare(s) != 0) {
		safeshm_rebuild(s);
		return SAFESHM_CORRUPT;
	}
	r.max_sum = h->free;
	safeshm_heap_largest2(s, &r.l1, &r.o1, &r.l2, &r.o2);
	n = r.ncands = safeshm_heap_sample(s, size, r.cands, ROOM_ANCHORS);
	/* and the largest blocks, where the records are expected to go, whatever the classes say */
	r.cands[r.ncands++] = r.o1;
	r.cands[r.ncands++] = r.o2;
	if (mode == ROOM_WHOLE) {
		safeshm_room_scans++;
		if ((st = find_window(s, &r, s->arena_off, 0, &stop)) == SAFESHM_OK) {
			st = empty_best(s, &r);
		}
		safeshm_room_visited += r.visited;
		return st;
	}
	if (2u * (h->entries + 3u) + 1u <= ROOM_SCAN_BLOCKS) {
		/* fewer blocks than one stretch reads (used ones, free ones between them): the cheapest window of all */
		if ((st = find_window(s, &r, s->arena_off, 0, &stop)) == SAFESHM_OK) {
			st = empty_best(s, &r);
		}
		safeshm_room_visited += r.visited;
		return st;
	}
	from = room_start(s);
	for (size_t i = 0; i < n; i++) {
		window_from(s, &r, r.cands[i]);
	}
	st = empty_best(s, &r);
	for (size_t t = 0; st == SAFESHM_FULL && t < ROOM_STRETCHES; t++) {
		if (t > 0) {
			/* a free block sampled above, still one (an emptying that failed puts every block back) */
			from = n ? r.cands[(t - 1) * n / (ROOM_STRETCHES - 1)] : 0;
			if (!from || !safeshm_heap_listed(s, from)) {
				continue;
			}
		}
		if ((st = find_window(s, &r, from, ROOM_SCAN_BLOCKS, &stop)) != SAFESHM_OK) {
			break;
		}
		if (t == 0) {
			/* set before the window is freed: a merge there keeps it on a block boundary */
			h->room8 = stop < s->arena_end ? (uint32_t) (stop / 8u) : 0;
		}
		st = empty_best(s, &r);
	}
	safeshm_room_visited += r.visited;
	return st;
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
static uint64_t evictable(const safeshm_store *s, const keep_t *keep, uint64_t now)
{
	const safeshm_header *h = HDR(s);
	uint32_t n = 0, *slots = safeshm_index_slots(s, h->index_desc, &n);
	uint64_t sum = 0;

	/* what a sweep (anything expired: an idle lock state too) and an eviction (live TTL data) could free */
	for (uint32_t i = 0; slots && i < n; i++) {
		uint32_t v = slots[i];
		safeshm_record r;
		if (v > SAFESHM_SLOT_TOMB && safeshm_load_record(s, (uint64_t) v * 8u, &r) == SAFESHM_OK && r.expires != 0
				&& (r.ns == SAFESHM_NS_DATA || expired(r.expires, now)) && !kept(s, keep, (uint64_t) v * 8u, &r)) {
			sum += (uint64_t) r.b.size8 * 8u;
		}
	}
	return sum;
}

int safeshm_room_could_fit(const safeshm_store *s, uint64_t need, uint64_t now, const keep_t *keep)
{
	const safeshm_header *h = HDR(s);
	return h->free >= need || (h->ttl_entries && h->free + evictable(s, keep, now) >= need);
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
static uint64_t alloc_room(safeshm_store *s, uint64_t size, uint64_t now, const keep_t *keep, safeshm_status *st,
	int whole)
{
	safeshm_header *h = HDR(s);
	int corrupt = 0, swept = 0, more = 0, tries = 0, scanned = 0;
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
		if (h->free >= size && !scanned) {
			/* bounded searches first; the whole arena only when they found nothing, and the caller allows it */
			scanned = tries == ROOM_TRIES;
			if (!scanned || whole) {
				*st = evacuate(s, size, scanned ? ROOM_WHOLE : ROOM_BOUNDED);
				tries += tries < ROOM_TRIES;
				if (*st == SAFESHM_OK || (*st == SAFESHM_FULL && !scanned)) {
					continue;
				}
				if (*st != SAFESHM_FULL) {
					return 0;
				}
			}
		}
		if (h->free >= size) {
			more = 1; /* the bytes are there but cannot be gathered: evict until a block fits */
		}
		if (!swept && h->ttl_entries) {
			safeshm_sweep(s, now, 0);
			swept = 1;
			tries = scanned = 0;
			continue;
		}
		if (h->ttl_entries) {
			*st = evict(s, size, now, keep, more);
			if (*st == SAFESHM_OK) {
				tries = scanned = 0;
				continue;
			}
			return 0;
		}
		break;
	}
	*st = SAFESHM_FULL;
	return 0;
}

uint64_t safeshm_alloc_room(safeshm_store *s, uint64_t size, uint64_t now, const keep_t *keep, safeshm_status *st)
{
	return alloc_room(s, size, now, keep, st, 1);
}

