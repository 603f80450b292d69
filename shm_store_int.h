/*
 * SafeShm store internals shared by shm_store.c (records and the index) and
 * shm_heap.c (the block allocator). Not for the glue.
 */
#ifndef SAFESHM_STORE_INT_H
#define SAFESHM_STORE_INT_H

#include "shm_store.h"

#include <string.h>

#define HDR(s) ((safeshm_header *) (s)->base)
#define ALIGN8(n) (((uint64_t) (n) + 7u) & ~(uint64_t) 7u)

/* The smallest block: a free block's links and its footer. */
#define SAFESHM_MIN_BLOCK 32u
/* A free block: the common header, then its links in its class's list; its
 * last 8 bytes (the footer) repeat its size, so the block after it can find
 * it when it is freed. */
typedef struct {
	safeshm_block b;
	uint32_t next8;   /* next free block of the same class, offset / 8 (0: none) */
	uint32_t prev8;
} safeshm_free_block;

/* The index block: the common header, the slot count, then the slots. */
typedef struct {
	safeshm_block b;
	uint32_t nslots;
	uint32_t pad;
} safeshm_index_block;
#define SAFESHM_INDEX_HDR ((uint64_t) sizeof(safeshm_index_block))

/* A multi-key put being published: the offsets / 8 of its new records. */
typedef struct {
	safeshm_block b;
	uint32_t count;
	uint32_t pad;
} safeshm_journal_block;

extern void (*safeshm_store_fault_hook)(const char *where);
#define FAULT(where) do { if (safeshm_store_fault_hook) safeshm_store_fault_hook(where); } while (0)

/* Whether the len bytes at a and b are equal: a plain loop for the short
 * keys a lookup compares most often (cheaper than a call to memcmp). */
static inline int bytes_equal(const void *a, const void *b, size_t len)
{
	const unsigned char *x = a, *y = b;
	if (len > 16) {
		return memcmp(x, y, len) == 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (x[i] != y[i]) {
			return 0;
		}
	}
	return 1;
}

static inline uint64_t load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline safeshm_block *block_at(const safeshm_store *s, uint64_t off)
{
	return (safeshm_block *) (s->base + off);
}

/* A block header at off whose extent lies inside the arena; 0 when not. */
static inline int block_sane(const safeshm_store *s, uint64_t off, uint64_t *size)
{
	uint64_t sz;
	if ((off & 7u) || off < s->arena_off || off > s->arena_end - sizeof(safeshm_block)) {
		return 0;
	}
	sz = (uint64_t) __atomic_load_n(&block_at(s, off)->size8, __ATOMIC_RELAXED) * 8u;
	if (sz < SAFESHM_MIN_BLOCK || sz > s->arena_end - off) {
		return 0;
	}
	*size = sz;
	return 1;
}

/* ---- shm_heap.c: the block allocator (locked) ---------------------- */

/* One free block covering the whole arena. */
void safeshm_heap_init(safeshm_store *s);
/* The block size for a request: 8-aligned, at least SAFESHM_MIN_BLOCK. */
uint64_t safeshm_heap_block_size(uint64_t want);
/* The block size for a record of want bytes (header, value, key): the
 * above, rounded up to a step of its size class (shm_heap.c says why). */
#define SAFESHM_REC_STEP_MAX 128u
uint64_t safeshm_heap_record_size(uint64_t want);
/* A used block of at least size bytes (block_size()d), its header's size8
 * set and its magic SAFESHM_BLK_PENDING until the caller writes it; 0 when none fits (or the free lists are
 * damaged: *corrupt is set then). */
uint64_t safeshm_heap_alloc(safeshm_store *s, uint64_t size, int *corrupt);
/* The same, taken from the listed free block at off (0 when it is not one,
 * or too small): for a caller that knows a block fits better than the
 * classes' rounding can tell. */
uint64_t safeshm_heap_alloc_from(safeshm_store *s, uint64_t off, uint64_t size);
/* 1 when a free block of at least size bytes exists. */
int safeshm_heap_fits(const safeshm_store *s, uint64_t size);
/* Frees the used block at off, merging it with free neighbours. 0 on
 * success, -1 when the blocks around it are damaged. */
int safeshm_heap_free(safeshm_store *s, uint64_t off);
/* Frees a record's block as the spare (see shm_heap.c), putting the previous
 * spare into the lists. 0, or -1 when the blocks are damaged. */
int safeshm_heap_retire(safeshm_store *s, uint64_t off);
/* Puts the spare into the lists (relocation wants every free block there). */
int safeshm_heap_flush_spare(safeshm_store *s);
/* Removes a free block from its class list (evacuation reserves a window). */
int safeshm_heap_unlink(safeshm_store *s, uint64_t off);
/* 1 when off is a free block linked into its class list (so surely a block
 * boundary, not bytes left inside a bigger block). */
int safeshm_heap_listed(const safeshm_store *s, uint64_t off);
/* Up to max free blocks, from the lists of size's own class down (the
 * biggest first): where a window to empty for size may start. */
size_t safeshm_heap_sample(const safeshm_store *s, uint64_t size, uint64_t *out, size_t max);
/* Rebuilds the allocator from the sorted, non-overlapping used blocks
 * (offsets; sizes read from their headers): every gap becomes a free block. */
void safeshm_heap_rebuild(safeshm_store *s, const uint64_t *used, size_t n);
/* Checks every block, the class lists and the bitmaps; fills the totals. */
safeshm_status safeshm_heap_verify(const safeshm_store *s, uint64_t *free_bytes, uint64_t *free_blocks);
/* The size of the largest free block, from the class bitmaps (a lower bound
 * within one class). */
uint64_t safeshm_heap_largest(const safeshm_store *s);
/* The two largest free blocks (lower bounds, as above): their sizes and
 * offsets (0 when there is none). */
void safeshm_heap_largest2(const safeshm_store *s, uint64_t *l1, uint64_t *o1, uint64_t *l2, uint64_t *o2);


/* ---- shm_store.c: records and the index ---------------------------- */

/* Index load: grow beyond 13/16; an insert may still use a slot up to 15/16
 * when the bigger index cannot be allocated; a new index starts at 5/8. */
#define LOAD_GROW(n)  ((uint64_t) (n) * 13u / 16u)
#define LOAD_MAX(n)   ((uint64_t) (n) * 15u / 16u)
#define INDEX_MIN_SLOTS 64u
/* Expired entries a write reclaims on its way, in index slots looked at. */
#define SWEEP_PER_WRITE 8u


/* A value length its type allows: ints and floats are 8 bytes, the
 * constants none. Writers and the record check share this one rule. */
static inline int type_len_ok(uint8_t type, uint64_t len)
{
	switch (type) {
		case SAFESHM_T_LONG:
		case SAFESHM_T_DOUBLE:
			return len == 8;
		case SAFESHM_T_FALSE:
		case SAFESHM_T_TRUE:
		case SAFESHM_T_NULL:
			return len == 0;
		default:
			return 1;
	}
}

static inline safeshm_record *rec_at(const safeshm_store *s, uint64_t off)
{
	return (safeshm_record *) (s->base + off);
}

static inline const unsigned char *rec_key(const safeshm_store *s, uint64_t off, const safeshm_record *r)
{
	return s->base + off + SAFESHM_REC_HDR + r->val_len;
}

static inline int expired(uint64_t expires, uint64_t now_us)
{
	return expires != 0 && expires <= now_us;
}

static inline void begin_mutation(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	__atomic_store_n(&h->seq, h->seq | 1u, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void end_mutation(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	__atomic_store_n(&h->seq, (h->seq | 1u) + 1u, __ATOMIC_RELEASE);
}

/* The version clock never gets near wrapping (2^62 writes: millennia at
 * millions a second); a header claiming more is damage (check_state), so a
 * new version is never 0, which means "retired". */
#define SAFESHM_CLOCK_MAX (UINT64_C(1) << 62)

/* header->lock_states counts the records of the other namespaces that
 * never expire: a named lock's state in use (an idle one has an expiry). */
static inline void lock_states_count(safeshm_store *s, uint8_t ns, uint64_t expires, int sign)
{
	safeshm_header *h = HDR(s);
	if (ns == SAFESHM_NS_DATA || expires != 0) {
		return;
	}
	if (sign > 0) {
		h->lock_states++;
	} else {
		h->lock_states -= h->lock_states > 0; /* derived data: recovery recounts it */
	}
}

static inline uint64_t next_version(safeshm_store *s)
{
	return ++HDR(s)->clock;
}

/* 1 when a write that hands out n versions would take the clock to its
 * limit: only a damaged header (or a record kept by recovery with such a
 * version) puts it there, and the write is refused (SAFESHM_CORRUPT, nothing
 * changed) rather than leave a header that check_state() rejects. */
static inline int clock_exhausted(const safeshm_store *s, uint64_t n)
{
	return HDR(s)->clock >= SAFESHM_CLOCK_MAX - n;
}

static inline uint32_t home_slot(uint64_t h, uint32_t n)
{
	return (uint32_t) (((h >> 32) * (uint64_t) n) >> 32);
}

static inline uint16_t hash_tag(uint64_t h)
{
	return (uint16_t) h;
}

/* The outcome of probing the index for a key. */
typedef struct {
	uint32_t *slots;
	uint32_t n;
	uint64_t gen;
	uint32_t slot;      /* the key's slot when found (or the damaged one) */
	uint32_t insert;    /* the first reusable slot (tombstone or empty), UINT32_MAX if none */
	uint32_t slot_val;
	uint64_t off;
	safeshm_record rec;
} probe_t;

/* Copies and validates the record at off; safe on torn or hostile bytes. */
static inline safeshm_status safeshm_load_record(const safeshm_store *s, uint64_t off, safeshm_record *r)
{
	uint64_t size;

	if (!block_sane(s, off, &size) || size < SAFESHM_REC_HDR) {
		return SAFESHM_CORRUPT;
	}
	memcpy(r, s->base + off, sizeof(*r));
	if (r->b.magic != SAFESHM_BLK_RECORD || r->type < SAFESHM_T_STRING || r->type > SAFESHM_T_MAX
			|| r->ns > SAFESHM_NS_MAX || r->b.key_len == 0 || r->b.key_len > SAFESHM_MAX_KEY_LEN
			|| (uint64_t) r->b.size8 * 8u != size
			|| ALIGN8((uint64_t) SAFESHM_REC_HDR + r->val_len + r->b.key_len) > size) {
		return SAFESHM_CORRUPT;
	}
	switch (r->type) {
		case SAFESHM_T_LONG:
		case SAFESHM_T_DOUBLE:
			if (r->val_len != 8) {
				return SAFESHM_CORRUPT;
			}
			break;
		case SAFESHM_T_FALSE:
		case SAFESHM_T_TRUE:
		case SAFESHM_T_NULL:
			if (r->val_len != 0) {
				return SAFESHM_CORRUPT;
			}
			break;
		default:
			break;
	}
	return SAFESHM_OK;
}

static inline void safeshm_fill_view(const safeshm_store *s, uint64_t off, const safeshm_record *r, safeshm_view *v)
{
	v->type = (safeshm_type) r->type;
	v->ns = r->ns;
	v->data = s->base + off + SAFESHM_REC_HDR;
	v->len = r->val_len;
	v->key = v->data + r->val_len;
	v->key_len = r->b.key_len;
	v->version = r->version;
	v->expires = r->expires;
	v->created = r->created;
	v->updated = r->updated;
	v->block_size = (size_t) r->b.size8 * 8u;
	v->off = off;
}

/* The index block named by desc, bounds-checked; NULL when it is not sane. */
static inline uint32_t *safeshm_index_slots(const safeshm_store *s, uint64_t desc, uint32_t *n)
{
	uint64_t off = (desc >> 32) * 8u, size;
	uint32_t nslots = (uint32_t) desc;
	const safeshm_index_block *ib = (const safeshm_index_block *) (s->base + off);

	/* the descriptor, and the block it names agreeing with it */
	if (nslots == 0 || !block_sane(s, off, &size) || size < SAFESHM_INDEX_HDR + (uint64_t) nslots * 4u
			|| ib->b.magic != SAFESHM_BLK_INDEX || ib->nslots != nslots) {
		return NULL;
	}
	*n = nslots;
	return (uint32_t *) (s->base + off + SAFESHM_INDEX_HDR);
}

/* Looks a key up: OK (found), NOT_FOUND, CORRUPT (a slot names no sane record). */
safeshm_status safeshm_probe(const safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash, probe_t *p);
uint64_t safeshm_index_bytes(uint32_t n);
/* Writes an empty index of n slots into the used block at off. */
void safeshm_index_init(safeshm_store *s, uint64_t off, uint32_t n);
/* The mutable header fields a locked operation relies on. */
safeshm_status safeshm_check_state(const safeshm_store *s);

/* ---- shm_room.c: making room, and the bookkeeping of records -------- */

/* A bounded search for a window to empty tries the windows that start at
 * ROOM_ANCHORS of the biggest free blocks, then slides a window over up to
 * ROOM_STRETCHES stretches of blocks, each ROOM_SCAN_BLOCKS blocks and
 * ROOM_SPAN times the size wanted long (whichever is more). An allocation
 * makes ROOM_TRIES bounded searches before it searches the whole arena. */
#define ROOM_ANCHORS     32u
#define ROOM_STRETCHES   4u
#define ROOM_SCAN_BLOCKS 256u
#define ROOM_SPAN        8u
#define ROOM_TRIES       2

/* Bumped by everything that may move, drop or re-index records while making
 * room: a put that saw no change keeps the lookup it made before. */
extern unsigned long safeshm_room_events;
/* What making room cost in this process (for tests): block headers the
 * searches for a window read, bytes relocated, searches of the whole arena. */
extern unsigned long safeshm_room_visited, safeshm_room_moved, safeshm_room_scans;

/* Keys a room-making pass must not evict: the ones being written. */
typedef struct {
	const safeshm_put_req *reqs;
	size_t n;
} keep_t;

/* Adds (sign > 0) or removes a record from the header's counters. */
void safeshm_account(safeshm_store *s, const safeshm_record *r, int sign);
/* Frees a record no slot references any more (its version zeroed first). */
void safeshm_retire(safeshm_store *s, uint64_t off, const safeshm_record *r);
/* Removes the entry in slot i (record r at off). */
void safeshm_remove_entry(safeshm_store *s, uint32_t *slots, uint32_t n, uint32_t i, uint64_t off, const safeshm_record *r);
/* Makes the index ready for `more` new keys (grows or purges it). */
safeshm_status safeshm_index_reserve(safeshm_store *s, uint64_t more, uint64_t extra, uint64_t now, const keep_t *keep);
/* A used block of at least size bytes, making room when needed; 0 and *st when none. */
uint64_t safeshm_alloc_room(safeshm_store *s, uint64_t size, uint64_t now, const keep_t *keep, safeshm_status *st);
/* Whether need bytes could be had: free now, or once every TTL entry of the
 * data namespace not in keep were evicted. */
int safeshm_room_could_fit(const safeshm_store *s, uint64_t need, uint64_t now, const keep_t *keep);
/* Deletes expired entries among max_slots slots from the sweep cursor (0: all). */
void safeshm_sweep(safeshm_store *s, uint64_t now, uint32_t max_slots);

/* ---- shm_recover.c ------------------------------------------------- */

/* Records why verify failed (safeshm_verify_reason) and returns CORRUPT. */
safeshm_status fail_reason(const char *why);

/* locked, inside a mutation: rebuilds the allocator and the counters from
 * the index, dropping what fails validation (salvage). */
safeshm_status safeshm_rebuild(safeshm_store *s);
/* How many rebuilds this process ran: a multi-step mutation holding blocks
 * it has not written yet must give up when a rebuild reclaimed them. */
extern unsigned long safeshm_rebuilds;
/* shm_mutate.c: publishes the new records a journal names (idempotent). */
void safeshm_journal_apply(safeshm_store *s, uint64_t joff, int retire_old);

#endif
