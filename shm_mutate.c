/*
 * SafeShm store: the mutations (all locked). Each runs inside one mutation
 * bracket (seq odd), so a holder killed anywhere in it is repaired by the
 * next one (shm_recover.c). Publish, then retire: a record is written into
 * a free block and made visible by one store into its index slot; the block
 * of the record it replaces is freed only after that.
 */
#include "shm_store_int.h"

/* Keys a room-making pass must not evict: the ones being written. */
typedef struct {
	const safeshm_put_req *reqs;
	size_t n;
} keep_t;

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

static void account(safeshm_store *s, const safeshm_record *r, int sign)
{
	safeshm_header *h = HDR(s);
	uint64_t size = (uint64_t) r->b.size8 * 8u;
	if (sign > 0) {
		h->used += size;
		h->entries++;
		h->data_entries += r->ns == SAFESHM_NS_DATA;
		h->ttl_entries += r->expires != 0;
	} else {
		h->used = h->used >= size ? h->used - size : 0;
		h->entries -= h->entries > 0;
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
static void retire(safeshm_store *s, uint64_t off, const safeshm_record *r)
{
	account(s, r, -1);
	if (safeshm_heap_free(s, off) != 0) {
		safeshm_rebuild(s);
	}
}

/* Removes the entry in slot i (record r at off). */
static void remove_entry(safeshm_store *s, uint32_t *slots, uint32_t n, uint32_t i, uint64_t off, const safeshm_record *r)
{
	unlink_slot(s, slots, n, i);
	FAULT("delete:published");
	retire(s, off, r);
}

/* ---- the index ------------------------------------------------------ */

static uint64_t alloc_room(safeshm_store *s, uint64_t size, uint64_t now, const keep_t *keep, safeshm_status *st);

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
	off = alloc_room(s, safeshm_index_bytes(new_n), now, keep, &st);
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
static safeshm_status index_reserve(safeshm_store *s, uint64_t more, uint64_t now, const keep_t *keep)
{
	safeshm_header *h = HDR(s);
	uint32_t n;
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
	memcpy(s->base + noff, s->base + off, (size_t) need);
	block_at(s, noff)->size8 = (uint32_t) size8;
	block_at(s, noff)->bflags = bflags;
	__atomic_store_n(&p.slots[p.slot], (uint32_t) (noff / 8u), __ATOMIC_RELEASE);
	HDR(s)->used += size8 * 8u;
	HDR(s)->used -= (uint64_t) r.b.size8 * 8u;
	FAULT("evacuate:moved");
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
	/* the cheapest window: two pointers over the blocks; index and journal stay put */
	for (size_t j = 0; j < n; j++) {
		if (b[j].magic != SAFESHM_BLK_RECORD && b[j].magic != SAFESHM_BLK_FREE) {
			i = j + 1u;
			sum = live = 0;
			continue;
		}
		sum += b[j].size;
		live += b[j].magic == SAFESHM_BLK_RECORD ? b[j].size : 0;
		while (i < j && sum - b[i].size >= size) {
			sum -= b[i].size;
			live -= b[i].magic == SAFESHM_BLK_RECORD ? b[i].size : 0;
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
		if (b[k].magic == SAFESHM_BLK_RECORD) {
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
static void sweep(safeshm_store *s, uint64_t now, uint32_t max_slots)
{
	safeshm_header *h = HDR(s);
	uint32_t n, *slots = safeshm_index_slots(s, h->index_desc, &n);
	uint64_t i;

	if (!slots || h->ttl_entries == 0) {
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
			remove_entry(s, slots, n, (uint32_t) i, (uint64_t) v * 8u, &r);
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

/* Evicts live TTL entries, soonest to expire first, until a block of size
 * bytes is free, or enough bytes are free for relocation to make one;
 * evicts nothing when even all of them would not make room. */
static safeshm_status evict(safeshm_store *s, uint64_t size, uint64_t now, const keep_t *keep)
{
	safeshm_header *h = HDR(s);
	uint32_t n, *slots = safeshm_index_slots(s, h->index_desc, &n);
	ttl_t *t;
	size_t cnt = 0;
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
	if (avail < size) {
		safeshm_free(t);
		return SAFESHM_FULL;
	}
	qsort(t, cnt, sizeof(*t), cmp_ttl);
	for (size_t k = 0; k < cnt && !safeshm_heap_fits(s, size) && h->free < 2u * size + 4096u; k++) {
		safeshm_record r;
		probe_t p;
		if (safeshm_load_record(s, t[k].off, &r) != SAFESHM_OK) {
			continue;
		}
		if (safeshm_probe(s, r.ns, rec_key(s, t[k].off, &r), r.b.key_len,
				safeshm_key_hash(r.ns, rec_key(s, t[k].off, &r), r.b.key_len), &p) != SAFESHM_OK || p.off != t[k].off) {
			continue;
		}
		remove_entry(s, p.slots, p.n, p.slot, p.off, &p.rec);
		if (expired(r.expires, now)) {
			h->expired++;
		} else {
			h->evicted++;
		}
	}
	safeshm_free(t);
	return h->free >= size ? SAFESHM_OK : SAFESHM_FULL;
}

/*
 * A used block of at least size bytes. When none is free: relocate a
 * window if enough bytes are free but scattered; else reclaim expired
 * entries, then evict TTL entries soonest first (never one in keep).
 */
static uint64_t alloc_room(safeshm_store *s, uint64_t size, uint64_t now, const keep_t *keep, safeshm_status *st)
{
	safeshm_header *h = HDR(s);
	int corrupt = 0;
	uint64_t off;

	size = safeshm_heap_block_size(size);
	for (int round = 0; round < 4; round++) {
		off = safeshm_heap_alloc(s, size, &corrupt);
		if (off) {
			return off;
		}
		if (corrupt) {
			corrupt = 0;
			if (safeshm_rebuild(s) != SAFESHM_OK) {
				*st = SAFESHM_CORRUPT;
				return 0;
			}
			continue;
		}
		if (h->free >= size) {
			*st = evacuate(s, size);
			if (*st == SAFESHM_OK) {
				continue;
			}
			if (*st != SAFESHM_FULL) {
				return 0;
			}
		}
		if (round == 0 && h->ttl_entries) {
			sweep(s, now, 0);
			continue;
		}
		if (round <= 1 && h->ttl_entries) {
			*st = evict(s, size, now, keep);
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

/* ---- puts ----------------------------------------------------------- */

static int value_equals(const safeshm_store *s, uint64_t off, const safeshm_record *r, safeshm_type type,
	const void *val, size_t len)
{
	if (r->type != type || r->val_len != len) {
		return 0;
	}
	if (type == SAFESHM_T_LONG) {
		int64_t cur = __atomic_load_n((const int64_t *) (s->base + off + SAFESHM_REC_HDR), __ATOMIC_RELAXED), want;
		memcpy(&want, val, 8);
		return cur == want;
	}
	return len == 0 || memcmp(s->base + off + SAFESHM_REC_HDR, val, len) == 0;
}

static safeshm_status check_req(const safeshm_store *s, const safeshm_put_req *q)
{
	/* never write a record load_record() would refuse */
	if (q->klen == 0 || q->klen > SAFESHM_MAX_KEY_LEN || q->ns > SAFESHM_NS_MAX
			|| q->type < SAFESHM_T_STRING || q->type > SAFESHM_T_MAX || !type_len_ok((uint8_t) q->type, q->vlen)) {
		return SAFESHM_CORRUPT;
	}
	if (safeshm_record_size(q->klen, q->vlen) > s->arena_end - s->arena_off) {
		return SAFESHM_FULL;
	}
	return SAFESHM_OK;
}

/* Writes the record of q into the used block at off. */
static void write_record(safeshm_store *s, uint64_t off, const safeshm_put_req *q, uint64_t created, uint64_t now)
{
	safeshm_record *nr = rec_at(s, off);
	unsigned char *p = s->base + off + SAFESHM_REC_HDR;
	uint64_t size = (uint64_t) nr->b.size8 * 8u, body = (uint64_t) SAFESHM_REC_HDR + q->vlen + q->klen;

	nr->b.magic = SAFESHM_BLK_RECORD;
	nr->b.key_len = (uint16_t) q->klen;
	nr->type = (uint8_t) q->type;
	nr->ns = q->ns;
	nr->tag = hash_tag(q->hash);
	nr->val_len = (uint32_t) q->vlen;
	nr->version = next_version(s);
	nr->expires = q->expires;
	nr->created = created;
	nr->updated = now;
	if (q->vlen) {
		memcpy(p, q->val, q->vlen);
	}
	memcpy(p + q->vlen, q->key, q->klen);
	if (ALIGN8(body) > body) {
		memset(s->base + off + body, 0, (size_t) (ALIGN8(body) - body));
	}
	(void) size;
}

static safeshm_status put_locked(safeshm_store *s, safeshm_put_req *q, uint64_t now)
{
	safeshm_header *h = HDR(s);
	keep_t keep = { q, 1 };
	probe_t p;
	safeshm_status st;
	uint64_t off, created;
	int live;

	st = safeshm_probe(s, q->ns, q->key, q->klen, q->hash, &p);
	if (st == SAFESHM_CORRUPT) {
		return st;
	}
	live = st == SAFESHM_OK && !expired(p.rec.expires, now);
	switch (q->mode) {
		case SAFESHM_PUT_ADD:
			if (live) {
				return SAFESHM_EXISTS;
			}
			break;
		case SAFESHM_PUT_IF_VERSION:
			if (q->cond_version == 0 ? live : (!live || p.rec.version != q->cond_version)) {
				return SAFESHM_MISMATCH;
			}
			break;
		case SAFESHM_PUT_IF_VALUE:
			if (!live || !value_equals(s, p.off, &p.rec, q->cond_type, q->cond_val, q->cond_len)) {
				return SAFESHM_MISMATCH;
			}
			break;
		default:
			break;
	}
	if (st == SAFESHM_NOT_FOUND) {
		st = index_reserve(s, 1, now, &keep);
		if (st != SAFESHM_OK) {
			return st;
		}
	}
	off = alloc_room(s, (uint64_t) SAFESHM_REC_HDR + q->vlen + q->klen, now, &keep, &st);
	if (!off) {
		return st;
	}
	/* making room may have moved, reclaimed or re-indexed: look again */
	st = safeshm_probe(s, q->ns, q->key, q->klen, q->hash, &p);
	if (st == SAFESHM_CORRUPT || (st == SAFESHM_NOT_FOUND && p.insert == UINT32_MAX)) {
		safeshm_heap_free(s, off);
		return st == SAFESHM_CORRUPT ? st : SAFESHM_FULL;
	}
	live = st == SAFESHM_OK && !expired(p.rec.expires, now);
	created = live ? p.rec.created : now;
	write_record(s, off, q, created, now);
	q->version = rec_at(s, off)->version;
	FAULT("put:written");
	if (st == SAFESHM_OK) {
		__atomic_store_n(&p.slots[p.slot], (uint32_t) (off / 8u), __ATOMIC_RELEASE);
	} else {
		if (p.slots[p.insert] == SAFESHM_SLOT_TOMB) {
			h->tombs -= h->tombs > 0;
		}
		__atomic_store_n(&p.slots[p.insert], (uint32_t) (off / 8u), __ATOMIC_RELEASE);
	}
	account(s, rec_at(s, off), +1);
	FAULT("put:published");
	if (st == SAFESHM_OK) {
		retire(s, p.off, &p.rec);
		if (!live) {
			h->expired++;
		}
	}
	h->writes++;
	return SAFESHM_OK;
}

safeshm_status safeshm_store_put(safeshm_store *s, safeshm_put_req *q, uint64_t now_us)
{
	safeshm_status st;

	if ((st = check_req(s, q)) != SAFESHM_OK) {
		return st;
	}
	if ((st = safeshm_check_state(s)) != SAFESHM_OK) {
		return st;
	}
	begin_mutation(s);
	st = put_locked(s, q, now_us);
	if (st == SAFESHM_OK) {
		sweep(s, now_us, SWEEP_PER_WRITE);
	}
	end_mutation(s);
	return st;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return x < y ? -1 : x > y;
}

/* Publishes the new records a journal names; idempotent, so recovery can
 * roll an interrupted publication forward. */
void safeshm_journal_apply(safeshm_store *s, uint64_t joff, int retire_old)
{
	safeshm_journal_block *j = (safeshm_journal_block *) (s->base + joff);
	const uint32_t *ent = (const uint32_t *) (s->base + joff + sizeof(*j));
	safeshm_header *h = HDR(s);

	for (uint32_t k = 0; k < j->count; k++) {
		uint64_t off = (uint64_t) ent[k] * 8u;
		safeshm_record r;
		probe_t p;
		safeshm_status st;
		if (safeshm_load_record(s, off, &r) != SAFESHM_OK) {
			continue;
		}
		st = safeshm_probe(s, r.ns, rec_key(s, off, &r), r.b.key_len,
			safeshm_key_hash(r.ns, rec_key(s, off, &r), r.b.key_len), &p);
		if (st == SAFESHM_OK) {
			if (p.off != off) {
				__atomic_store_n(&p.slots[p.slot], ent[k], __ATOMIC_RELEASE);
				if (retire_old) {
					account(s, &r, +1);
					retire(s, p.off, &p.rec);
				}
			}
		} else if (st == SAFESHM_NOT_FOUND && p.insert != UINT32_MAX) {
			if (p.slots[p.insert] == SAFESHM_SLOT_TOMB) {
				h->tombs -= h->tombs > 0;
			}
			__atomic_store_n(&p.slots[p.insert], ent[k], __ATOMIC_RELEASE);
			if (retire_old) {
				account(s, &r, +1);
			}
		}
		FAULT("putmany:published");
	}
}

safeshm_status safeshm_store_put_many(safeshm_store *s, safeshm_put_req *reqs, size_t n, uint64_t now_us)
{
	safeshm_header *h = HDR(s);
	keep_t keep = { reqs, n };
	uint64_t *offs, joff, more = 0;
	unsigned long rebuilds;
	safeshm_status st = SAFESHM_OK;
	size_t got = 0;

	if (n == 0) {
		return SAFESHM_OK;
	}
	if (n > UINT32_MAX / 8u) {
		return SAFESHM_FULL;
	}
	for (size_t i = 0; i < n; i++) {
		if ((st = check_req(s, &reqs[i])) != SAFESHM_OK) {
			return st;
		}
	}
	{
		/* the keys must be distinct: the journal publishes each once */
		uint64_t *hs = safeshm_malloc(sizeof(uint64_t) * n);
		if (!hs) {
			return SAFESHM_NOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			hs[i] = reqs[i].hash;
		}
		qsort(hs, n, sizeof(uint64_t), cmp_u64);
		for (size_t i = 1; i < n; i++) {
			if (hs[i] == hs[i - 1]) {
				for (size_t a = 0; a < n; a++) {
					for (size_t b = a + 1; b < n; b++) {
						if (reqs[a].hash == reqs[b].hash && reqs[a].ns == reqs[b].ns && reqs[a].klen == reqs[b].klen
								&& memcmp(reqs[a].key, reqs[b].key, reqs[a].klen) == 0) {
							safeshm_free(hs);
							return SAFESHM_EXISTS;
						}
					}
				}
				break;
			}
		}
		safeshm_free(hs);
	}
	if ((st = safeshm_check_state(s)) != SAFESHM_OK) {
		return st;
	}
	offs = safeshm_malloc(sizeof(uint64_t) * n);
	if (!offs) {
		return SAFESHM_NOMEM;
	}
	begin_mutation(s);
	for (size_t i = 0; i < n; i++) {
		probe_t p;
		st = safeshm_probe(s, reqs[i].ns, reqs[i].key, reqs[i].klen, reqs[i].hash, &p);
		if (st == SAFESHM_CORRUPT) {
			goto fail;
		}
		more += st == SAFESHM_NOT_FOUND;
	}
	if ((st = index_reserve(s, more, now_us, &keep)) != SAFESHM_OK) {
		goto fail;
	}
	rebuilds = safeshm_rebuilds;
	joff = alloc_room(s, sizeof(safeshm_journal_block) + 4u * n, now_us, &keep, &st);
	if (!joff) {
		goto fail;
	}
	for (got = 0; got < n; got++) {
		offs[got] = alloc_room(s, (uint64_t) SAFESHM_REC_HDR + reqs[got].vlen + reqs[got].klen, now_us, &keep, &st);
		if (!offs[got]) {
			break;
		}
	}
	if (rebuilds != safeshm_rebuilds) {
		/* the allocator was rebuilt from the index under us (it found damage):
		 * the blocks we held before that are gone, those after are not; as
		 * nothing is published, one more rebuild takes back all of them */
		safeshm_rebuild(s);
		if (got == n) {
			st = SAFESHM_CORRUPT;
		}
		goto fail;
	}
	if (got < n) {
		for (size_t i = 0; i < got; i++) {
			safeshm_heap_free(s, offs[i]);
		}
		safeshm_heap_free(s, joff);
		goto fail;
	}
	{
		safeshm_journal_block *j = (safeshm_journal_block *) (s->base + joff);
		uint32_t *ent = (uint32_t *) (s->base + joff + sizeof(*j));
		j->b.magic = SAFESHM_BLK_JOURNAL;
		j->b.key_len = 0;
		j->count = (uint32_t) n;
		j->pad = 0;
		for (size_t i = 0; i < n; i++) {
			probe_t p;
			uint64_t created = now_us;
			if (safeshm_probe(s, reqs[i].ns, reqs[i].key, reqs[i].klen, reqs[i].hash, &p) == SAFESHM_OK
					&& !expired(p.rec.expires, now_us)) {
				created = p.rec.created;
			}
			write_record(s, offs[i], &reqs[i], created, now_us);
			reqs[i].version = rec_at(s, offs[i])->version;
			ent[i] = (uint32_t) (offs[i] / 8u);
		}
	}
	FAULT("putmany:written");
	/* the commit point: from here a crash is rolled forward */
	store64(&h->journal_off, joff);
	FAULT("putmany:journal");
	safeshm_journal_apply(s, joff, 1);
	store64(&h->journal_off, 0);
	safeshm_heap_free(s, joff);
	h->writes += n;
	sweep(s, now_us, SWEEP_PER_WRITE);
	end_mutation(s);
	safeshm_free(offs);
	return SAFESHM_OK;
fail:
	end_mutation(s);
	safeshm_free(offs);
	return st;
}

/* ---- the other mutations --------------------------------------------- */

safeshm_status safeshm_store_delete(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t now_us)
{
	probe_t p;
	safeshm_status st;
	int was_live;

	if ((st = safeshm_check_state(s)) != SAFESHM_OK) {
		return st;
	}
	st = safeshm_probe(s, ns, key, klen, hash, &p);
	if (st != SAFESHM_OK) {
		return st;
	}
	was_live = !expired(p.rec.expires, now_us);
	begin_mutation(s);
	remove_entry(s, p.slots, p.n, p.slot, p.off, &p.rec);
	if (was_live) {
		HDR(s)->writes++;
	} else {
		HDR(s)->expired++;
	}
	end_mutation(s);
	return was_live ? SAFESHM_OK : SAFESHM_NOT_FOUND;
}

safeshm_status safeshm_store_increment(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	int64_t by, uint64_t expires, uint64_t now_us, int64_t *result)
{
	safeshm_header *h = HDR(s);
	probe_t p;
	safeshm_status st;
	int64_t cur, next;
	safeshm_record *r;

	if ((st = safeshm_check_state(s)) != SAFESHM_OK) {
		return st;
	}
	st = safeshm_probe(s, ns, key, klen, hash, &p);
	if (st == SAFESHM_NOT_FOUND || (st == SAFESHM_OK && expired(p.rec.expires, now_us))) {
		safeshm_put_req q = { .ns = ns, .key = key, .klen = klen, .hash = hash, .type = SAFESHM_T_LONG,
			.val = &by, .vlen = sizeof(by), .expires = expires, .mode = SAFESHM_PUT_REPLACE };
		*result = by;
		return safeshm_store_put(s, &q, now_us);
	}
	if (st != SAFESHM_OK) {
		return st;
	}
	if (p.rec.type != SAFESHM_T_LONG) {
		return SAFESHM_NOT_LONG;
	}
	r = rec_at(s, p.off);
	cur = __atomic_load_n((int64_t *) (s->base + p.off + SAFESHM_REC_HDR), __ATOMIC_RELAXED);
	if (__builtin_add_overflow(cur, by, &next)) {
		return SAFESHM_OVERFLOW;
	}
	begin_mutation(s);
	/* one aligned 8-byte store: a crash leaves the old or the new count */
	__atomic_store_n((int64_t *) (s->base + p.off + SAFESHM_REC_HDR), next, __ATOMIC_RELEASE);
	__atomic_store_n(&r->version, next_version(s), __ATOMIC_RELEASE);
	__atomic_store_n(&r->updated, now_us, __ATOMIC_RELAXED);
	h->writes++;
	end_mutation(s);
	*result = next;
	return SAFESHM_OK;
}

safeshm_status safeshm_store_touch(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t expires, uint64_t now_us)
{
	safeshm_header *h = HDR(s);
	probe_t p;
	safeshm_status st;

	if ((st = safeshm_check_state(s)) != SAFESHM_OK) {
		return st;
	}
	st = safeshm_probe(s, ns, key, klen, hash, &p);
	if (st != SAFESHM_OK) {
		return st;
	}
	if (expired(p.rec.expires, now_us)) {
		return SAFESHM_NOT_FOUND;
	}
	begin_mutation(s);
	__atomic_store_n(&rec_at(s, p.off)->expires, expires, __ATOMIC_RELEASE);
	if (p.rec.expires == 0 && expires != 0) {
		h->ttl_entries++;
	} else if (p.rec.expires != 0 && expires == 0) {
		h->ttl_entries -= h->ttl_entries > 0;
	}
	end_mutation(s);
	return SAFESHM_OK;
}

safeshm_status safeshm_store_delete_prefix(safeshm_store *s, uint8_t ns, const void *prefix, size_t plen,
	uint64_t now_us, uint64_t *count)
{
	safeshm_header *h = HDR(s);
	uint32_t n, *slots;
	safeshm_status st;

	*count = 0;
	if ((st = safeshm_check_state(s)) != SAFESHM_OK) {
		return st;
	}
	slots = safeshm_index_slots(s, h->index_desc, &n);
	begin_mutation(s);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = slots[i];
		safeshm_record r;
		uint64_t off = (uint64_t) v * 8u;
		if (v <= SAFESHM_SLOT_TOMB) {
			continue;
		}
		if (safeshm_load_record(s, off, &r) != SAFESHM_OK) {
			end_mutation(s);
			return SAFESHM_CORRUPT;
		}
		if (r.ns != ns || r.b.key_len < plen || (plen && memcmp(rec_key(s, off, &r), prefix, plen) != 0)) {
			continue;
		}
		if (expired(r.expires, now_us)) {
			h->expired++;
		} else {
			(*count)++;
		}
		remove_entry(s, slots, n, i, off, &r);
		/* an emptied run may have turned slots before i empty: nothing after i moved */
	}
	h->writes++;
	end_mutation(s);
	return SAFESHM_OK;
}

safeshm_status safeshm_store_sweep(safeshm_store *s, uint64_t now_us, uint32_t max_slots)
{
	safeshm_status st;

	if ((st = safeshm_check_state(s)) != SAFESHM_OK) {
		return st;
	}
	if (HDR(s)->ttl_entries == 0) {
		return SAFESHM_OK;
	}
	begin_mutation(s);
	sweep(s, now_us, max_slots);
	end_mutation(s);
	return SAFESHM_OK;
}
