/*
 * SafeShm store: the block allocator of the arena, a two-level segregated
 * fit (TLSF). Free blocks are kept in lists by size class: the first level
 * is the power of two, the second splits it in eight; two bitmaps in the
 * header find the smallest non-empty class that fits in O(1). Freed blocks
 * merge with free neighbours at once (a free block's footer and the
 * PREV_FREE flag of the block after it make the left neighbour reachable),
 * so no two free blocks are ever adjacent.
 *
 * Every function here runs under the store lock. The segment is hostile
 * input: every link and size is checked before it is followed; damage is
 * reported, never followed out of the arena. The allocator's state is
 * derived data: after a crash (or damage) safeshm_heap_rebuild() makes it
 * again from the used blocks the index references.
 */
#include "shm_store_int.h"

#define SMALL_BLOCK (1u << (SAFESHM_SL_LOG2 + 3u)) /* 64: below it, classes are 8 bytes apart */

static inline unsigned msb64(uint64_t v)
{
	return 63u - (unsigned) __builtin_clzll(v);
}

static void mapping(uint64_t size, unsigned *fl, unsigned *sl)
{
	if (size < SMALL_BLOCK) {
		*fl = 0;
		*sl = (unsigned) (size / (SMALL_BLOCK / SAFESHM_SL_COUNT));
	} else {
		unsigned m = msb64(size);
		*fl = m - (SAFESHM_SL_LOG2 + 3u - 1u);
		*sl = (unsigned) ((size >> (m - SAFESHM_SL_LOG2)) ^ SAFESHM_SL_COUNT);
	}
	if (*fl >= SAFESHM_FL_COUNT) {
		*fl = SAFESHM_FL_COUNT - 1u;
		*sl = SAFESHM_SL_COUNT - 1u;
	}
}

/* The class from which every block is at least size bytes. */
static void mapping_search(uint64_t size, unsigned *fl, unsigned *sl)
{
	if (size >= SMALL_BLOCK) {
		size += ((uint64_t) 1 << (msb64(size) - SAFESHM_SL_LOG2)) - 1u;
	}
	mapping(size, fl, sl);
}

uint64_t safeshm_heap_block_size(uint64_t want)
{
	uint64_t sz = ALIGN8(want);
	return sz < SAFESHM_MIN_BLOCK ? SAFESHM_MIN_BLOCK : sz;
}

/*
 * A record's block is rounded up to a sixteenth of its power of two, at most
 * SAFESHM_REC_STEP_MAX bytes: at most 6.25 % more than it needs (3 % on
 * average), nothing below 256 bytes. Why: a rewrite frees the old record's
 * block and allocates one for the new record, of another size. With every
 * 8-byte size its own, a freed block almost never fits a later record
 * exactly, so allocations split blocks and leave the rest behind, and near
 * full the rests are all there is: on bench/compare.php's 256 MiB store at
 * 97 % full (rewrites of 512-1536-byte values), after some 150 000 rewrites
 * the 8 MiB free were 40 000 blocks, every one under 512 bytes, too small
 * for any record; every write needed the whole-arena search for a window to
 * empty (24 ms), writes fell from 600 000 a second to 6 000-9 000, and one
 * or two in a thousand were refused as full with 8 MiB free. Rounded, sizes
 * come in steps, a freed block fits the next record of its step exactly, and
 * the same workload ran 2 000 000 rewrites with no write over 0.3 ms and none
 * refused.
 */
uint64_t safeshm_heap_record_size(uint64_t want)
{
	uint64_t sz = safeshm_heap_block_size(want), step;

	if (sz < 256u) {
		return sz;
	}
	step = (uint64_t) 1 << (msb64(sz) - 4u);
	step = step > SAFESHM_REC_STEP_MAX ? SAFESHM_REC_STEP_MAX : step;
	return (sz + step - 1u) & ~(step - 1u);
}

static inline safeshm_free_block *fb(const safeshm_store *s, uint64_t off)
{
	return (safeshm_free_block *) (s->base + off);
}

static inline uint32_t *bin(const safeshm_store *s, unsigned fl, unsigned sl)
{
	return &HDR(s)->bins[fl * SAFESHM_SL_COUNT + sl];
}

/* A free block at off (from a link or a bin): sane, and marked free. */
static int free_sane(const safeshm_store *s, uint64_t off, uint64_t *size)
{
	return block_sane(s, off, size) && block_at(s, off)->magic == SAFESHM_BLK_FREE;
}

static void write_free(safeshm_store *s, uint64_t off, uint64_t size)
{
	safeshm_free_block *f = fb(s, off);
	f->b.size8 = (uint32_t) (size / 8u);
	f->b.magic = SAFESHM_BLK_FREE;
	f->b.bflags = 0; /* no two free blocks are adjacent: the one before is used */
	f->b.key_len = 0;
	f->next8 = 0;
	f->prev8 = 0;
	memcpy(s->base + off + size - 8u, &size, 8u);
}

static void insert_free(safeshm_store *s, uint64_t off, uint64_t size)
{
	safeshm_header *h = HDR(s);
	unsigned fl, sl;
	uint32_t *head;
	uint64_t first;

	mapping(size, &fl, &sl);
	head = bin(s, fl, sl);
	first = (uint64_t) *head * 8u;
	fb(s, off)->next8 = *head;
	fb(s, off)->prev8 = 0;
	if (first) {
		uint64_t fsz;
		if (free_sane(s, first, &fsz)) {
			fb(s, first)->prev8 = (uint32_t) (off / 8u);
		} else {
			fb(s, off)->next8 = 0; /* a damaged list loses its tail, never its bounds */
		}
	}
	*head = (uint32_t) (off / 8u);
	h->fl_bitmap |= 1u << fl;
	h->sl_bitmap[fl] |= (uint8_t) (1u << sl);
	h->free += size;
}

int safeshm_heap_unlink(safeshm_store *s, uint64_t off)
{
	safeshm_header *h = HDR(s);
	uint64_t size, next, prev, nsz, psz;
	unsigned fl, sl;
	uint32_t *head;

	if (!free_sane(s, off, &size)) {
		return -1;
	}
	mapping(size, &fl, &sl);
	head = bin(s, fl, sl);
	next = (uint64_t) fb(s, off)->next8 * 8u;
	prev = (uint64_t) fb(s, off)->prev8 * 8u;
	if ((next && !free_sane(s, next, &nsz)) || (prev && !free_sane(s, prev, &psz))) {
		return -1;
	}
	if (prev) {
		fb(s, prev)->next8 = (uint32_t) (next / 8u);
	} else {
		if ((uint64_t) *head * 8u != off) {
			return -1;
		}
		*head = (uint32_t) (next / 8u);
		if (!*head) {
			h->sl_bitmap[fl] &= (uint8_t) ~(1u << sl);
			if (!h->sl_bitmap[fl]) {
				h->fl_bitmap &= ~(1u << fl);
			}
		}
	}
	if (next) {
		fb(s, next)->prev8 = (uint32_t) (prev / 8u);
	}
	h->free = h->free >= size ? h->free - size : 0;
	return 0;
}

void safeshm_heap_init(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	memset(h->bins, 0, sizeof(h->bins));
	memset(h->sl_bitmap, 0, sizeof(h->sl_bitmap));
	h->fl_bitmap = 0;
	h->free = 0;
	h->spare8 = 0;
	h->room8 = 0;
	write_free(s, s->arena_off, s->arena_end - s->arena_off);
	insert_free(s, s->arena_off, s->arena_end - s->arena_off);
}

/* The first block of the smallest non-empty class at or above (fl, sl). */
static uint64_t find_class(const safeshm_store *s, unsigned fl, unsigned sl)
{
	const safeshm_header *h = HDR(s);
	uint32_t slmap = fl < SAFESHM_FL_COUNT ? (uint32_t) h->sl_bitmap[fl] & (~0u << sl) : 0;

	if (!slmap) {
		uint32_t flmap = fl + 1u < 32u ? h->fl_bitmap & (~0u << (fl + 1u)) : 0;
		if (!flmap) {
			return 0;
		}
		fl = (unsigned) __builtin_ctz(flmap);
		if (fl >= SAFESHM_FL_COUNT) {
			return 0;
		}
		slmap = h->sl_bitmap[fl];
		if (!slmap) {
			return 0;
		}
	}
	sl = (unsigned) __builtin_ctz(slmap);
	return (uint64_t) *bin(s, fl, sl) * 8u;
}

/* The first block big enough in size's own class, looked for in a bounded
 * walk: the class above may be empty while this one holds a block that fits. */
static uint64_t find_in_class(const safeshm_store *s, uint64_t size)
{
	unsigned fl, sl;
	uint64_t off, sz;

	mapping(size, &fl, &sl);
	off = (uint64_t) *bin(s, fl, sl) * 8u;
	for (int i = 0; off && i < 32; i++) {
		if (!free_sane(s, off, &sz)) {
			return 0;
		}
		if (sz >= size) {
			return off;
		}
		off = (uint64_t) fb(s, off)->next8 * 8u;
	}
	return 0;
}

int safeshm_heap_fits(const safeshm_store *s, uint64_t size)
{
	unsigned fl, sl;
	size = safeshm_heap_block_size(size);
	mapping_search(size, &fl, &sl);
	return find_class(s, fl, sl) != 0 || find_in_class(s, size) != 0;
}

/*
 * The spare: a replace frees the block of the record it replaced, and the
 * next replace of that key (the usual pattern: one key rewritten again and
 * again) wants a block of the same size. Kept aside instead of merged into the
 * class lists, that block is handed back at once: no list work on either side.
 * It counts as free bytes; anything that needs the lists (relocation, a block
 * it does not fit) puts it back first.
 */
static int spare_take(safeshm_store *s, uint64_t size, uint64_t *out)
{
	safeshm_header *h = HDR(s);
	uint64_t off = (uint64_t) h->spare8 * 8u, bsz;
	uint8_t prev_free;

	if (!off || !block_sane(s, off, &bsz) || block_at(s, off)->magic != SAFESHM_BLK_SPARE || bsz < size
			|| bsz > size + size / 2u + SAFESHM_MIN_BLOCK) {
		return 0;
	}
	h->spare8 = 0;
	h->free = h->free >= bsz ? h->free - bsz : 0;
	prev_free = block_at(s, off)->bflags & SAFESHM_BF_PREV_FREE;
	block_at(s, off)->magic = SAFESHM_BLK_PENDING;
	block_at(s, off)->bflags = prev_free;
	block_at(s, off)->key_len = 0;
	if (bsz - size >= SAFESHM_MIN_BLOCK) {
		/* the rest goes back as a used block freed at once: merged with a free neighbour after it */
		safeshm_block *rest = block_at(s, off + size);
		block_at(s, off)->size8 = (uint32_t) (size / 8u);
		rest->size8 = (uint32_t) ((bsz - size) / 8u);
		rest->magic = SAFESHM_BLK_PENDING;
		rest->bflags = 0;
		rest->key_len = 0;
		if (safeshm_heap_free(s, off + size) != 0) {
			return 0;
		}
	}
	*out = off;
	return 1;
}

int safeshm_heap_flush_spare(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	uint64_t off = (uint64_t) h->spare8 * 8u, size;

	if (!off) {
		return 0;
	}
	h->spare8 = 0;
	if (!block_sane(s, off, &size) || block_at(s, off)->magic != SAFESHM_BLK_SPARE) {
		return -1;
	}
	h->free = h->free >= size ? h->free - size : 0;
	block_at(s, off)->magic = SAFESHM_BLK_PENDING;
	return safeshm_heap_free(s, off);
}

int safeshm_heap_retire(safeshm_store *s, uint64_t off)
{
	uint64_t size;

	if (!block_sane(s, off, &size) || block_at(s, off)->magic == SAFESHM_BLK_FREE
			|| block_at(s, off)->magic == SAFESHM_BLK_SPARE || safeshm_heap_flush_spare(s) != 0) {
		return -1;
	}
	block_at(s, off)->magic = SAFESHM_BLK_SPARE;
	HDR(s)->spare8 = (uint32_t) (off / 8u);
	HDR(s)->free += size;
	return 0;
}

/* Takes size bytes from the start of the listed free block at off; the rest
 * stays free when it can be a block. */
static uint64_t take(safeshm_store *s, uint64_t off, uint64_t size, int *corrupt)
{
	uint64_t bsz, end;

	if (!free_sane(s, off, &bsz) || bsz < size || safeshm_heap_unlink(s, off) != 0) {
		*corrupt = 1;
		return 0;
	}
	end = off + bsz;
	if (bsz - size >= SAFESHM_MIN_BLOCK) {
		write_free(s, off + size, bsz - size);
		insert_free(s, off + size, bsz - size);
		bsz = size;
	} else if (end < s->arena_end) {
		block_at(s, end)->bflags &= (uint8_t) ~SAFESHM_BF_PREV_FREE;
	}
	block_at(s, off)->size8 = (uint32_t) (bsz / 8u);
	block_at(s, off)->magic = SAFESHM_BLK_PENDING;
	block_at(s, off)->bflags = 0;
	block_at(s, off)->key_len = 0;
	return off;
}

uint64_t safeshm_heap_alloc(safeshm_store *s, uint64_t size, int *corrupt)
{
	unsigned fl, sl;
	uint64_t off;

	size = safeshm_heap_block_size(size);
	if (size > s->arena_end - s->arena_off) {
		return 0;
	}
	if (HDR(s)->spare8 && spare_take(s, size, &off)) {
		return off;
	}
	mapping_search(size, &fl, &sl);
	off = find_class(s, fl, sl);
	if (!off) {
		off = find_in_class(s, size);
		if (!off) {
			return 0;
		}
	}
	return take(s, off, size, corrupt);
}

uint64_t safeshm_heap_alloc_from(safeshm_store *s, uint64_t off, uint64_t size)
{
	uint64_t bsz;
	int corrupt = 0;

	size = safeshm_heap_block_size(size);
	if (!safeshm_heap_listed(s, off) || !free_sane(s, off, &bsz) || bsz < size) {
		return 0;
	}
	return take(s, off, size, &corrupt);
}

int safeshm_heap_free(safeshm_store *s, uint64_t off)
{
	uint64_t size, next, nsz;

	if (!block_sane(s, off, &size) || block_at(s, off)->magic == SAFESHM_BLK_FREE
			|| block_at(s, off)->magic == SAFESHM_BLK_SPARE) {
		return -1;
	}
	next = off + size;
	if (next < s->arena_end && block_at(s, next)->magic == SAFESHM_BLK_FREE) {
		if (!free_sane(s, next, &nsz) || safeshm_heap_unlink(s, next) != 0) {
			return -1;
		}
		size += nsz;
	}
	if (block_at(s, off)->bflags & SAFESHM_BF_PREV_FREE) {
		uint64_t psz, prev;
		if (off < s->arena_off + SAFESHM_MIN_BLOCK) {
			return -1;
		}
		memcpy(&psz, s->base + off - 8u, 8u);
		if (psz < SAFESHM_MIN_BLOCK || (psz & 7u) || psz > off - s->arena_off) {
			return -1;
		}
		prev = off - psz;
		if (!free_sane(s, prev, &nsz) || nsz != psz || safeshm_heap_unlink(s, prev) != 0) {
			return -1;
		}
		off = prev;
		size += psz;
	}
	write_free(s, off, size);
	insert_free(s, off, size);
	if (off + size < s->arena_end) {
		block_at(s, off + size)->bflags |= SAFESHM_BF_PREV_FREE;
	}
	/* the relocation cursor stays on a block boundary: a block it named may have joined this one */
	if ((uint64_t) HDR(s)->room8 * 8u > off && (uint64_t) HDR(s)->room8 * 8u < off + size) {
		HDR(s)->room8 = (uint32_t) (off / 8u);
	}
	return 0;
}

size_t safeshm_heap_sample(const safeshm_store *s, uint64_t size, uint64_t *out, size_t max)
{
	const safeshm_header *h = HDR(s);
	unsigned fl, sl;
	size_t n = 0;
	uint64_t off, bsz;

	mapping(size, &fl, &sl);
	for (int c = (int) (fl * SAFESHM_SL_COUNT + sl); c >= 0 && n < max; c--) {
		unsigned f = (unsigned) c / SAFESHM_SL_COUNT, l = (unsigned) c % SAFESHM_SL_COUNT;
		if (!(h->fl_bitmap >> f & 1u)) {
			c = (int) (f * SAFESHM_SL_COUNT); /* the whole first level is empty */
			continue;
		}
		if (!(h->sl_bitmap[f] >> l & 1u)) {
			continue;
		}
		/* n < max bounds a damaged (cyclic) list too */
		for (off = (uint64_t) *bin(s, f, l) * 8u; off && n < max && free_sane(s, off, &bsz);
				off = (uint64_t) fb(s, off)->next8 * 8u) {
			out[n++] = off;
		}
	}
	return n;
}

int safeshm_heap_listed(const safeshm_store *s, uint64_t off)
{
	uint64_t size, foot, prev, next, psz;
	unsigned fl, sl;

	if (!free_sane(s, off, &size)) {
		return 0;
	}
	memcpy(&foot, s->base + off + size - 8u, 8u);
	mapping(size, &fl, &sl);
	prev = (uint64_t) fb(s, off)->prev8 * 8u;
	next = (uint64_t) fb(s, off)->next8 * 8u;
	/* linked both ways: a stale header left inside a bigger block is not */
	return foot == size
		&& (prev ? free_sane(s, prev, &psz) && fb(s, prev)->next8 == off / 8u : *bin(s, fl, sl) == off / 8u)
		&& (!next || (free_sane(s, next, &psz) && fb(s, next)->prev8 == off / 8u));
}

void safeshm_heap_rebuild(safeshm_store *s, const uint64_t *used, size_t n)
{
	safeshm_header *h = HDR(s);
	uint64_t cursor = s->arena_off;
	int prev_free = 0;

	memset(h->bins, 0, sizeof(h->bins));
	memset(h->sl_bitmap, 0, sizeof(h->sl_bitmap));
	h->fl_bitmap = 0;
	h->free = 0;
	h->spare8 = 0;
	h->room8 = 0; /* small gaps may join the block before them: start the searches over */
	for (size_t i = 0; i <= n; i++) {
		uint64_t start = i < n ? used[i] : s->arena_end;
		if (start > cursor) {
			uint64_t gap = start - cursor;
			if (gap >= SAFESHM_MIN_BLOCK) {
				write_free(s, cursor, gap);
				insert_free(s, cursor, gap);
				prev_free = 1;
			} else if (i > 0) {
				/* too small for a free block: the used block before absorbs it */
				safeshm_block *b = block_at(s, used[i - 1]);
				b->size8 += (uint32_t) (gap / 8u);
				prev_free = 0;
			} else {
				prev_free = 0; /* cannot happen: the arena starts 8-aligned and blocks are >= 32 */
			}
		}
		if (i < n) {
			uint64_t size = (uint64_t) block_at(s, used[i])->size8 * 8u;
			block_at(s, used[i])->bflags = prev_free ? SAFESHM_BF_PREV_FREE : 0;
			prev_free = 0;
			cursor = used[i] + size;
		}
	}
}

uint64_t safeshm_heap_largest(const safeshm_store *s)
{
	const safeshm_header *h = HDR(s);
	uint64_t off, best = 0, sz;
	unsigned fl, sl;

	if (!h->fl_bitmap) {
		return 0;
	}
	fl = msb64(h->fl_bitmap);
	if (fl >= SAFESHM_FL_COUNT || !h->sl_bitmap[fl]) {
		return 0;
	}
	sl = msb64(h->sl_bitmap[fl]);
	off = (uint64_t) *bin(s, fl, sl) * 8u;
	for (int i = 0; off && i < 64; i++) {
		if (!free_sane(s, off, &sz)) {
			break;
		}
		if (sz > best) {
			best = sz;
		}
		off = (uint64_t) fb(s, off)->next8 * 8u;
	}
	return best;
}

void safeshm_heap_largest2(const safeshm_store *s, uint64_t *l1, uint64_t *o1, uint64_t *l2, uint64_t *o2)
{
	const safeshm_header *h = HDR(s);
	uint64_t off, sz;
	int c = SAFESHM_FL_COUNT * SAFESHM_SL_COUNT - 1, classes = 0;

	*l1 = *o1 = *l2 = *o2 = 0;
	/* blocks of a lower class are all smaller: the top two non-empty classes hold both */
	for (; c >= 0 && classes < 2 && !*l2; c--) {
		unsigned f = (unsigned) c / SAFESHM_SL_COUNT, l = (unsigned) c % SAFESHM_SL_COUNT;
		if (!(h->fl_bitmap >> f & 1u) || !(h->sl_bitmap[f] >> l & 1u)) {
			continue;
		}
		classes++;
		off = (uint64_t) *bin(s, f, l) * 8u;
		for (int i = 0; off && i < 64 && free_sane(s, off, &sz); i++, off = (uint64_t) fb(s, off)->next8 * 8u) {
			if (sz > *l1) {
				*l2 = *l1;
				*o2 = *o1;
				*l1 = sz;
				*o1 = off;
			} else if (sz > *l2) {
				*l2 = sz;
				*o2 = off;
			}
		}
	}
}

safeshm_status safeshm_heap_verify(const safeshm_store *s, uint64_t *free_bytes, uint64_t *free_blocks)
{
	const safeshm_header *h = HDR(s);
	uint64_t off = s->arena_off, size, total = 0, nfree = 0, listed = 0, listed_bytes = 0, spare = 0;
	uint64_t room = (uint64_t) h->room8 * 8u;
	int prev_free = 0, room_seen = room == 0;

	/* every block, end to end */
	while (off < s->arena_end) {
		const safeshm_block *b;
		if (!block_sane(s, off, &size)) {
			return fail_reason("heap check 101");
		}
		b = block_at(s, off);
		room_seen |= off == room;
		if (((b->bflags & SAFESHM_BF_PREV_FREE) != 0) != prev_free) {
			return fail_reason("heap check 102");
		}
		if (b->magic == SAFESHM_BLK_FREE) {
			uint64_t foot;
			if (prev_free) {
				return fail_reason("heap check 103"); /* two free blocks side by side */
			}
			memcpy(&foot, s->base + off + size - 8u, 8u);
			if (foot != size) {
				return fail_reason("heap check 104");
			}
			total += size;
			nfree++;
			prev_free = 1;
		} else if (b->magic == SAFESHM_BLK_RECORD || b->magic == SAFESHM_BLK_INDEX || b->magic == SAFESHM_BLK_JOURNAL) {
			prev_free = 0;
		} else if (b->magic == SAFESHM_BLK_SPARE && off == (uint64_t) h->spare8 * 8u && !spare) {
			spare = size;
			prev_free = 0;
		} else {
			return fail_reason("heap check 105");
		}
		off += size;
	}
	if (off != s->arena_end || total + spare != h->free || (h->spare8 && !spare)) {
		return fail_reason("heap check 106");
	}
	if (!room_seen) {
		return fail_reason("heap check 112"); /* the relocation cursor names no block */
	}
	/* every class list: well linked, in the right class, bitmaps agree */
	for (unsigned fl = 0; fl < SAFESHM_FL_COUNT; fl++) {
		for (unsigned sl = 0; sl < SAFESHM_SL_COUNT; sl++) {
			uint64_t cur = (uint64_t) *bin(s, fl, sl) * 8u, prev = 0;
			int bit = (h->fl_bitmap >> fl & 1u) && (h->sl_bitmap[fl] >> sl & 1u);
			if (!!cur != !!(h->sl_bitmap[fl] >> sl & 1u) || (cur && !bit)) {
				return fail_reason("heap check 107");
			}
			while (cur) {
				unsigned cfl, csl;
				if (!free_sane(s, cur, &size) || (uint64_t) fb(s, cur)->prev8 * 8u != prev || ++listed > nfree) {
					return fail_reason("heap check 108");
				}
				mapping(size, &cfl, &csl);
				if (cfl != fl || csl != sl) {
					return fail_reason("heap check 109");
				}
				listed_bytes += size;
				prev = cur;
				cur = (uint64_t) fb(s, cur)->next8 * 8u;
			}
		}
		if (!!(h->fl_bitmap >> fl & 1u) != !!h->sl_bitmap[fl]) {
			return fail_reason("heap check 110");
		}
	}
	if (listed != nfree || listed_bytes != total) {
		return fail_reason("heap check 111");
	}
	*free_bytes = total + spare;
	*free_blocks = nfree;
	return SAFESHM_OK;
}
