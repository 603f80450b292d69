/*
 * SafeShm store: see shm_store.h for the layout and the crash-consistency
 * protocol. Every offset and length read from the segment goes through
 * load_record() or the header checks before it is used.
 */
#include "shm_store.h"

#include <string.h>

_Static_assert(sizeof(safeshm_header) == SAFESHM_HEADER_SIZE, "header layout");
_Static_assert(sizeof(safeshm_record) == 40, "record layout");
_Static_assert(offsetof(safeshm_header, lock_area) % 8 == 0 && sizeof(((safeshm_header *) 0)->lock_area) == 64,
	"lock area: 64 bytes, 8-aligned");

void (*safeshm_store_fault_hook)(const char *where) = NULL;

#define FAULT(where) do { if (safeshm_store_fault_hook) safeshm_store_fault_hook(where); } while (0)

#define HDR(s) ((safeshm_header *) (s)->base)
#define ALIGN8(n) (((n) + 7u) & ~(uint64_t) 7u)
#define MAX_LOAD(nslots) ((uint64_t) (nslots) / 4u * 3u)

/* Index slots hold offset/8 in 32 bits (segments up to 32 GiB). */
static inline uint64_t slot_get(const uint32_t *idx, uint32_t i)
{
	uint32_t v = __atomic_load_n(&idx[i], __ATOMIC_RELAXED);
	return v <= SAFESHM_SLOT_TOMB ? v : (uint64_t) v << 3;
}

static inline void slot_set(uint32_t *idx, uint32_t i, uint64_t off)
{
	__atomic_store_n(&idx[i], off <= SAFESHM_SLOT_TOMB ? (uint32_t) off : (uint32_t) (off >> 3), __ATOMIC_RELEASE);
}

static inline void store64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

uint64_t safeshm_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

size_t safeshm_record_size(size_t klen, size_t vlen)
{
	if (klen > SIZE_MAX / 2 || vlen > SIZE_MAX / 2 - SAFESHM_REC_HDR - 8u) {
		return SIZE_MAX; /* never fits */
	}
	return (size_t) ALIGN8((uint64_t) SAFESHM_REC_HDR + vlen + klen);
}

const char *safeshm_status_str(safeshm_status st)
{
	switch (st) {
		case SAFESHM_OK: return "ok";
		case SAFESHM_NOT_FOUND: return "not found";
		case SAFESHM_EXISTS: return "key exists";
		case SAFESHM_FULL: return "not enough space in the segment";
		case SAFESHM_CORRUPT: return "segment is corrupted";
		case SAFESHM_FOREIGN: return "segment was not created by SafeShm";
		case SAFESHM_VERSION: return "segment has another SafeShm layout version";
		case SAFESHM_NAME: return "segment belongs to another name";
		case SAFESHM_TOO_SMALL: return "segment too small";
		case SAFESHM_NOT_LONG: return "stored value is not an integer";
		case SAFESHM_OVERFLOW: return "integer overflow";
		case SAFESHM_NOMEM: return "out of memory";
		case SAFESHM_RETRY: return "concurrent modification";
		case SAFESHM_REMOVED: return "segment has been removed";
	}
	return "unknown error";
}

/* ---- geometry ------------------------------------------------------- */

void safeshm_store_bind(safeshm_store *s, void *base, size_t size)
{
	uint64_t want = size / 128u, n = 16;
	while (n * 2 <= want) {
		n *= 2;
	}
	s->base = base;
	s->size = size;
	s->nslots = (uint32_t) n;
	s->index_off[0] = SAFESHM_HEADER_SIZE;
	s->index_off[1] = SAFESHM_HEADER_SIZE + n * 4u;
	s->arena_off = SAFESHM_HEADER_SIZE + 2u * n * 4u;
	s->arena_end = (uint64_t) size & ~(uint64_t) 7u;
}

static inline uint32_t *index_of(const safeshm_store *s, uint32_t which)
{
	return (uint32_t *) (s->base + s->index_off[which & 1u]);
}

static inline uint32_t *active_index(const safeshm_store *s)
{
	return index_of(s, __atomic_load_n(&HDR(s)->active, __ATOMIC_ACQUIRE));
}

static inline uint64_t arena_size(const safeshm_store *s)
{
	return s->arena_end - s->arena_off;
}

int safeshm_store_is_blank(const safeshm_store *s)
{
	static const unsigned char zero[4096];
	size_t off = 0;
	while (off < s->size) {
		size_t n = s->size - off < sizeof(zero) ? s->size - off : sizeof(zero);
		if (memcmp(s->base + off, zero, n) != 0) {
			return 0;
		}
		off += n;
	}
	return 1;
}

safeshm_status safeshm_store_check_header(const safeshm_store *s)
{
	const safeshm_header *h = HDR(s);

	if (s->size < SAFESHM_MIN_SIZE) {
		return SAFESHM_TOO_SMALL;
	}
	if (h->magic != SAFESHM_MAGIC) {
		return SAFESHM_FOREIGN;
	}
	if (h->version < SAFESHM_LAYOUT_VERSION_MIN || h->version > SAFESHM_LAYOUT_VERSION) {
		return SAFESHM_VERSION;
	}
	if (h->lock_kind >= SAFESHM_STORE_LOCK_KINDS || (h->version == 1 && h->lock_kind != 0)) {
		return SAFESHM_CORRUPT;
	}
	if (h->size != s->size || h->header_size != SAFESHM_HEADER_SIZE || h->nslots != s->nslots
			|| h->index_off[0] != s->index_off[0] || h->index_off[1] != s->index_off[1]
			|| h->arena_off != s->arena_off || h->arena_end != s->arena_end
			|| h->name_len > SAFESHM_MAX_NAME_LEN) {
		return SAFESHM_CORRUPT;
	}
	return SAFESHM_OK;
}

/* The mutable header fields a locked operation relies on. */
static safeshm_status check_state(const safeshm_store *s)
{
	const safeshm_header *h = HDR(s);
	uint64_t top = h->arena_top;

	if (top < s->arena_off || top > s->arena_end || (top & 7u) || h->active > 1
			|| h->used > top - s->arena_off || h->dead > top - s->arena_off
			|| h->entries > s->nslots || h->tombs > s->nslots) {
		return SAFESHM_CORRUPT;
	}
	return SAFESHM_OK;
}

safeshm_status safeshm_store_open(safeshm_store *s, const char *name, size_t name_len)
{
	return safeshm_store_open_as(s, name, name_len, 0, NULL);
}

uint32_t safeshm_store_lock_kind(const safeshm_store *s)
{
	return HDR(s)->lock_kind;
}

void *safeshm_store_lock_area(const safeshm_store *s)
{
	return HDR(s)->lock_area;
}

safeshm_status safeshm_store_open_as(safeshm_store *s, const char *name, size_t name_len,
	uint32_t lock_kind, int (*init_lock)(void *area))
{
	safeshm_header *h = HDR(s);
	safeshm_status st;

	if (s->size < SAFESHM_MIN_SIZE) {
		return SAFESHM_TOO_SMALL;
	}
	if ((uint64_t) s->size > SAFESHM_MAX_SIZE) {
		return SAFESHM_CORRUPT;
	}
	if (name_len > SAFESHM_MAX_NAME_LEN) {
		return SAFESHM_NAME;
	}
	if (lock_kind >= SAFESHM_STORE_LOCK_KINDS) {
		return SAFESHM_CORRUPT;
	}
	if (h->magic == 0 && safeshm_store_is_blank(s)) {
		if (init_lock && init_lock(h->lock_area) != 0) {
			memset(h->lock_area, 0, sizeof(h->lock_area));
			return SAFESHM_NOMEM;
		}
		h->lock_kind = lock_kind;
		h->version = SAFESHM_LAYOUT_VERSION;
		h->size = s->size;
		h->header_size = SAFESHM_HEADER_SIZE;
		h->nslots = s->nslots;
		h->index_off[0] = s->index_off[0];
		h->index_off[1] = s->index_off[1];
		h->arena_off = s->arena_off;
		h->arena_end = s->arena_end;
		h->arena_top = s->arena_off;
		h->name_len = (uint32_t) name_len;
		if (name_len) {
			memcpy(h->name, name, name_len);
		}
		/* the magic last: a half-formatted segment is still blank-looking */
		__atomic_store_n(&h->magic, SAFESHM_MAGIC, __ATOMIC_RELEASE);
		return SAFESHM_OK;
	}
	st = safeshm_store_check_header(s);
	if (st != SAFESHM_OK) {
		return st;
	}
	if (h->name_len != name_len || (name_len && memcmp(h->name, name, name_len) != 0)) {
		return SAFESHM_NAME;
	}
	return SAFESHM_OK;
}

/* ---- records -------------------------------------------------------- */

/* Copies and validates the record header at off. Safe on torn data. */
static safeshm_status load_record(const safeshm_store *s, uint64_t off, safeshm_record *r)
{
	uint64_t need;

	if ((off & 7u) || off < s->arena_off || off > s->arena_end - SAFESHM_REC_HDR) {
		return SAFESHM_CORRUPT;
	}
	memcpy(r, s->base + off, sizeof(*r));
	if (r->magic != SAFESHM_REC_MAGIC || r->type < SAFESHM_T_STRING || r->type > SAFESHM_T_MAX
			|| r->key_len == 0 || r->key_len > SAFESHM_MAX_KEY_LEN || (r->total & 7u)) {
		return SAFESHM_CORRUPT;
	}
	need = ALIGN8((uint64_t) SAFESHM_REC_HDR + r->val_len + r->key_len);
	if (r->total < need || r->total > s->arena_end - off) {
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

static void fill_view(const safeshm_store *s, uint64_t off, const safeshm_record *r, safeshm_view *v)
{
	v->type = (safeshm_type) r->type;
	v->data = s->base + off + SAFESHM_REC_HDR;
	v->len = r->val_len;
	v->key = v->data + r->val_len;
	v->key_len = r->key_len;
}

/* Probes for key. *slot gets its slot, *free_slot the first reusable one
 * (tombstone or empty) or UINT32_MAX; *off the record offset when found. */
static safeshm_status probe(const safeshm_store *s, const uint32_t *idx, const void *key, size_t klen,
	uint64_t hash, uint32_t *slot, uint32_t *free_slot, uint64_t *off, safeshm_record *rec)
{
	uint32_t mask = s->nslots - 1u, i = (uint32_t) hash & mask;

	if (free_slot) {
		*free_slot = UINT32_MAX;
	}
	for (uint32_t n = 0; n < s->nslots; n++, i = (i + 1u) & mask) {
		uint64_t o = slot_get(idx, i);
		safeshm_status st;

		if (o == SAFESHM_SLOT_EMPTY) {
			if (free_slot && *free_slot == UINT32_MAX) {
				*free_slot = i;
			}
			return SAFESHM_NOT_FOUND;
		}
		if (o == SAFESHM_SLOT_TOMB) {
			if (free_slot && *free_slot == UINT32_MAX) {
				*free_slot = i;
			}
			continue;
		}
		st = load_record(s, o, rec);
		if (st != SAFESHM_OK) {
			return st;
		}
		if (rec->hash == hash && rec->key_len == klen
				&& memcmp(s->base + o + SAFESHM_REC_HDR + rec->val_len, key, klen) == 0) {
			*slot = i;
			*off = o;
			return SAFESHM_OK;
		}
	}
	return SAFESHM_NOT_FOUND;
}

safeshm_status safeshm_store_find(const safeshm_store *s, const void *key, size_t klen, uint64_t hash, safeshm_view *out)
{
	safeshm_record r;
	uint32_t slot;
	uint64_t off;
	safeshm_status st = probe(s, active_index(s), key, klen, hash, &slot, NULL, &off, &r);

	if (st == SAFESHM_OK) {
		fill_view(s, off, &r, out);
	}
	return st;
}

uint64_t safeshm_store_read_begin(const safeshm_store *s)
{
	return __atomic_load_n(&HDR(s)->seq, __ATOMIC_ACQUIRE);
}

int safeshm_store_read_valid(const safeshm_store *s, uint64_t seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return (seq & 1u) == 0 && __atomic_load_n(&HDR(s)->seq, __ATOMIC_RELAXED) == seq;
}

/* ---- mutation bracket ----------------------------------------------- */

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

int safeshm_store_needs_recovery(const safeshm_store *s)
{
	const safeshm_header *h = HDR(s);
	return (h->seq & 1u) != 0 || h->mv_len != 0;
}

/* ---- compaction and recovery ---------------------------------------- */

typedef struct {
	uint64_t off;
	uint64_t hash;
	uint32_t total;
	uint32_t slot;
} live_entry;

static int cmp_live(const void *a, const void *b)
{
	uint64_t x = ((const live_entry *) a)->off, y = ((const live_entry *) b)->off;
	return x < y ? -1 : x > y;
}

/* Moves len bytes from src down to dst in chunks that never overlap their
 * own source, journalling progress, so a crash at any point can be resumed. */
static void move_record(safeshm_store *s, uint64_t src, uint64_t dst, uint64_t len, uint64_t done, uint32_t slot)
{
	safeshm_header *h = HDR(s);
	uint64_t chunk = src - dst;

	while (done < len) {
		uint64_t n = len - done < chunk ? len - done : chunk;
		memcpy(s->base + dst + done, s->base + src + done, (size_t) n);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		done += n;
		store64(&h->mv_done, done);
		FAULT("compact:chunk");
	}
	slot_set(index_of(s, h->mv_active), slot, dst);
	FAULT("compact:moved");
	store64(&h->mv_len, 0);
}

/* Finishes a move a dead holder left in the journal. */
static void finish_move(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	uint64_t src = h->mv_src, dst = h->mv_dst, len = h->mv_len, done = h->mv_done;
	uint32_t slot = h->mv_slot;

	if (len == 0) {
		return;
	}
	if (h->mv_active <= 1 && slot < s->nslots && dst >= s->arena_off && dst < src
			&& src <= s->arena_end && len <= s->arena_end - src && done <= len && (len & 7u) == 0) {
		uint64_t cur = slot_get(index_of(s, h->mv_active), slot);
		if (cur == src) {
			move_record(s, src, dst, len, done, slot);
			return;
		}
	}
	store64(&h->mv_len, 0);
}

/*
 * Slides every live record down to the start of the arena (in address
 * order, so each move goes downwards), then rebuilds the index into the
 * spare copy and publishes it by flipping header->active. With salvage,
 * records that fail validation or overlap are dropped instead of failing:
 * that is recovery after a crash (or after foreign writes).
 */
static safeshm_status compact(safeshm_store *s, int salvage)
{
	safeshm_header *h = HDR(s);
	uint32_t active = h->active & 1u, n = 0, spare = active ^ 1u, mask = s->nslots - 1u;
	uint32_t *idx = index_of(s, active), *nidx = index_of(s, spare);
	uint64_t cursor = s->arena_off, prev_end = s->arena_off;
	live_entry *live = safeshm_malloc(sizeof(live_entry) * s->nslots);

	if (!live) {
		return SAFESHM_NOMEM;
	}
	for (uint32_t i = 0; i < s->nslots; i++) {
		uint64_t off = slot_get(idx, i);
		safeshm_record r;
		if (off == SAFESHM_SLOT_EMPTY || off == SAFESHM_SLOT_TOMB) {
			continue;
		}
		if (load_record(s, off, &r) != SAFESHM_OK) {
			if (!salvage) {
				safeshm_free(live);
				return SAFESHM_CORRUPT;
			}
			continue;
		}
		live[n].off = off;
		live[n].hash = r.hash;
		live[n].total = r.total;
		live[n].slot = i;
		n++;
	}
	qsort(live, n, sizeof(live_entry), cmp_live);

	/* two slots publishing overlapping bytes: keep the first */
	{
		uint32_t k = 0;
		for (uint32_t i = 0; i < n; i++) {
			if (live[i].off < prev_end) {
				if (!salvage) {
					safeshm_free(live);
					return SAFESHM_CORRUPT;
				}
				continue;
			}
			prev_end = live[i].off + live[i].total;
			live[k++] = live[i];
		}
		n = k;
	}

	for (uint32_t i = 0; i < n; i++) {
		if (live[i].off != cursor) {
			h->mv_src = live[i].off;
			h->mv_dst = cursor;
			h->mv_done = 0;
			h->mv_slot = live[i].slot;
			h->mv_active = active;
			__atomic_thread_fence(__ATOMIC_RELEASE);
			store64(&h->mv_len, live[i].total);
			FAULT("compact:journal");
			move_record(s, live[i].off, cursor, live[i].total, 0, live[i].slot);
			live[i].off = cursor;
		}
		cursor += live[i].total;
	}

	memset(nidx, 0, (size_t) s->nslots * 4u);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = (uint32_t) live[i].hash & mask;
		while (nidx[j] != SAFESHM_SLOT_EMPTY) {
			j = (j + 1u) & mask;
		}
		slot_set(nidx, j, live[i].off);
	}
	FAULT("compact:rebuilt");
	__atomic_store_n(&h->active, spare, __ATOMIC_RELEASE);

	h->arena_top = cursor;
	h->used = cursor - s->arena_off;
	h->dead = 0;
	h->entries = n;
	h->tombs = 0;
	h->compactions++;
	safeshm_free(live);
	return SAFESHM_OK;
}

safeshm_status safeshm_store_compact(safeshm_store *s)
{
	safeshm_status st = check_state(s);
	if (st != SAFESHM_OK) {
		return st;
	}
	begin_mutation(s);
	st = compact(s, 0);
	end_mutation(s);
	return st;
}

safeshm_status safeshm_store_recover(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	safeshm_status st;

	begin_mutation(s);
	finish_move(s);
	h->active &= 1u; /* readers use active & 1: so must the rebuild */
	st = compact(s, 1);
	if (st == SAFESHM_OK) {
		h->recoveries++;
	}
	end_mutation(s);
	return st;
}

/* ---- mutations ------------------------------------------------------ */

safeshm_status safeshm_store_put(safeshm_store *s, const void *key, size_t klen, uint64_t hash,
	safeshm_type type, const void *val, size_t vlen, safeshm_put_mode mode)
{
	safeshm_header *h = HDR(s);
	uint64_t rsz, old_off = 0, new_off, old_total = 0;
	uint32_t slot = UINT32_MAX, free_slot = UINT32_MAX;
	safeshm_record r;
	safeshm_status st;
	uint32_t *idx;
	int found;

	/* total is a uint32_t: header, value, key and padding must fit in it */
	if (klen == 0 || klen > SAFESHM_MAX_KEY_LEN || vlen > (size_t) UINT32_MAX - SAFESHM_REC_HDR - klen - 7u) {
		return SAFESHM_FULL;
	}
	rsz = safeshm_record_size(klen, vlen);
	if (rsz > arena_size(s)) {
		return SAFESHM_FULL;
	}
	if ((st = check_state(s)) != SAFESHM_OK) {
		return st;
	}
	idx = active_index(s);
	st = probe(s, idx, key, klen, hash, &slot, &free_slot, &old_off, &r);
	if (st != SAFESHM_OK && st != SAFESHM_NOT_FOUND) {
		return st;
	}
	found = st == SAFESHM_OK;
	if (found && mode == SAFESHM_PUT_ADD) {
		return SAFESHM_EXISTS;
	}
	if (found) {
		old_total = r.total;
	}

	/* room for the new record beside the old one (publish, then retire) */
	if ((!found && (free_slot == UINT32_MAX || h->entries + h->tombs + 1 > MAX_LOAD(s->nslots)))
			|| h->arena_top + rsz > s->arena_end) {
		if ((!found && h->entries + 1 > MAX_LOAD(s->nslots)) || h->used + rsz > arena_size(s)) {
			return SAFESHM_FULL;
		}
		begin_mutation(s);
		st = compact(s, 0);
		end_mutation(s);
		if (st != SAFESHM_OK) {
			return st;
		}
		idx = active_index(s);
		st = probe(s, idx, key, klen, hash, &slot, &free_slot, &old_off, &r);
		if ((st == SAFESHM_OK) != found || (!found && free_slot == UINT32_MAX)) {
			return SAFESHM_CORRUPT;
		}
		/* decided from counters that may have been understated: check the
		 * real room compaction left, never write past the arena */
		if (h->arena_top + rsz > s->arena_end || (!found && h->entries + 1 > MAX_LOAD(s->nslots))) {
			return SAFESHM_FULL;
		}
	}

	begin_mutation(s);
	new_off = h->arena_top;
	{
		safeshm_record *nr = (safeshm_record *) (s->base + new_off);
		unsigned char *p = s->base + new_off + SAFESHM_REC_HDR;
		nr->magic = SAFESHM_REC_MAGIC;
		nr->type = (uint8_t) type;
		nr->flags = 0;
		nr->total = (uint32_t) rsz;
		nr->key_len = (uint32_t) klen;
		nr->val_len = (uint32_t) vlen;
		nr->hash = hash;
		nr->expires = 0;
		nr->version = h->writes + 1;
		if (vlen) {
			memcpy(p, val, vlen);
		}
		memcpy(p + vlen, key, klen);
		if (rsz > SAFESHM_REC_HDR + vlen + klen) {
			memset(p + vlen + klen, 0, (size_t) (rsz - SAFESHM_REC_HDR - vlen - klen));
		}
	}
	FAULT("put:written");
	h->arena_top = new_off + rsz;
	if (found) {
		slot_set(idx, slot, new_off);
	} else {
		if (slot_get(idx, free_slot) == SAFESHM_SLOT_TOMB) {
			h->tombs--;
		}
		slot_set(idx, free_slot, new_off);
		h->entries++;
	}
	FAULT("put:published");
	h->used += rsz - old_total;
	h->dead += old_total;
	h->writes++;
	end_mutation(s);
	return SAFESHM_OK;
}

safeshm_status safeshm_store_delete(safeshm_store *s, const void *key, size_t klen, uint64_t hash)
{
	safeshm_header *h = HDR(s);
	uint32_t slot, mask = s->nslots - 1u;
	uint64_t off;
	uint32_t *idx;
	safeshm_record r;
	safeshm_status st;

	if ((st = check_state(s)) != SAFESHM_OK) {
		return st;
	}
	idx = active_index(s);
	st = probe(s, idx, key, klen, hash, &slot, NULL, &off, &r);
	if (st != SAFESHM_OK) {
		return st;
	}
	begin_mutation(s);
	/* a slot whose successor is empty ends its chain: it can become empty */
	if (slot_get(idx, (slot + 1u) & mask) == SAFESHM_SLOT_EMPTY) {
		slot_set(idx, slot, SAFESHM_SLOT_EMPTY);
	} else {
		slot_set(idx, slot, SAFESHM_SLOT_TOMB);
		h->tombs++;
	}
	FAULT("delete:published");
	h->used -= r.total;
	h->dead += r.total;
	h->entries--;
	h->writes++;
	end_mutation(s);
	return SAFESHM_OK;
}

safeshm_status safeshm_store_increment(safeshm_store *s, const void *key, size_t klen, uint64_t hash,
	int64_t by, int64_t *result)
{
	safeshm_header *h = HDR(s);
	uint32_t slot;
	uint64_t off;
	safeshm_record r;
	safeshm_status st;
	int64_t cur, next;

	if ((st = check_state(s)) != SAFESHM_OK) {
		return st;
	}
	st = probe(s, active_index(s), key, klen, hash, &slot, NULL, &off, &r);
	if (st == SAFESHM_NOT_FOUND) {
		*result = by;
		return safeshm_store_put(s, key, klen, hash, SAFESHM_T_LONG, &by, sizeof(by), SAFESHM_PUT_REPLACE);
	}
	if (st != SAFESHM_OK) {
		return st;
	}
	if (r.type != SAFESHM_T_LONG) {
		return SAFESHM_NOT_LONG;
	}
	memcpy(&cur, s->base + off + SAFESHM_REC_HDR, sizeof(cur));
	if (__builtin_add_overflow(cur, by, &next)) {
		return SAFESHM_OVERFLOW;
	}
	begin_mutation(s);
	/* one aligned 8-byte store: a crash leaves the old or the new count */
	__atomic_store_n((int64_t *) (s->base + off + SAFESHM_REC_HDR), next, __ATOMIC_RELAXED);
	h->writes++;
	end_mutation(s);
	*result = next;
	return SAFESHM_OK;
}

safeshm_status safeshm_store_clear(safeshm_store *s)
{
	safeshm_header *h = HDR(s);
	uint32_t spare = (h->active & 1u) ^ 1u;

	begin_mutation(s);
	memset(index_of(s, spare), 0, (size_t) s->nslots * 4u);
	__atomic_store_n(&h->active, spare, __ATOMIC_RELEASE);
	FAULT("clear:published");
	h->arena_top = s->arena_off;
	h->used = 0;
	h->dead = 0;
	h->entries = 0;
	h->tombs = 0;
	h->writes++;
	end_mutation(s);
	return SAFESHM_OK;
}

void safeshm_store_mark_removed(safeshm_store *s)
{
	__atomic_store_n(&HDR(s)->removed, 1u, __ATOMIC_RELEASE);
}

int safeshm_store_is_removed(const safeshm_store *s)
{
	return __atomic_load_n(&HDR(s)->removed, __ATOMIC_ACQUIRE) != 0;
}

void safeshm_store_count_lock_wait(safeshm_store *s)
{
	if (safeshm_store_check_header(s) == SAFESHM_OK) {
		__atomic_fetch_add(&HDR(s)->lock_waits, 1, __ATOMIC_RELAXED);
	}
}

void safeshm_store_count_lock_timeout(safeshm_store *s)
{
	if (safeshm_store_check_header(s) == SAFESHM_OK) {
		__atomic_fetch_add(&HDR(s)->lock_timeouts, 1, __ATOMIC_RELAXED);
	}
}

void safeshm_store_set_owner(safeshm_store *s, uint32_t pid)
{
	__atomic_store_n(&HDR(s)->lock_owner, pid, __ATOMIC_RELEASE);
}

void safeshm_store_set_lock_semid(safeshm_store *s, int32_t semid)
{
	__atomic_store_n(&HDR(s)->lock_semid, semid, __ATOMIC_RELEASE);
}

int32_t safeshm_store_lock_semid(const safeshm_store *s)
{
	return __atomic_load_n(&HDR(s)->lock_semid, __ATOMIC_ACQUIRE);
}

const uint32_t *safeshm_store_owner_hint(const safeshm_store *s)
{
	return &HDR(s)->lock_owner;
}

/* ---- inspection ----------------------------------------------------- */

safeshm_status safeshm_store_iterate(const safeshm_store *s, safeshm_iter_cb cb, void *ctx)
{
	const uint32_t *idx = active_index(s);

	for (uint32_t i = 0; i < s->nslots; i++) {
		uint64_t off = slot_get(idx, i);
		safeshm_record r;
		safeshm_view v;
		if (off == SAFESHM_SLOT_EMPTY || off == SAFESHM_SLOT_TOMB) {
			continue;
		}
		if (load_record(s, off, &r) != SAFESHM_OK) {
			return SAFESHM_CORRUPT;
		}
		fill_view(s, off, &r, &v);
		if (cb(&v, ctx) != 0) {
			break;
		}
	}
	return SAFESHM_OK;
}

safeshm_status safeshm_store_verify(const safeshm_store *s)
{
	const safeshm_header *h = HDR(s);
	const uint32_t *idx;
	uint64_t used = 0, entries = 0, tombs = 0, prev_end = 0;
	live_entry *live;
	uint32_t n = 0;
	safeshm_status st = safeshm_store_check_header(s);

	if (st != SAFESHM_OK) {
		return st;
	}
	if ((st = check_state(s)) != SAFESHM_OK) {
		return st;
	}
	if ((h->seq & 1u) || h->mv_len != 0) {
		return SAFESHM_CORRUPT;
	}
	idx = active_index(s);
	live = safeshm_malloc(sizeof(live_entry) * s->nslots);
	if (!live) {
		return SAFESHM_NOMEM;
	}
	for (uint32_t i = 0; i < s->nslots && st == SAFESHM_OK; i++) {
		uint64_t off = slot_get(idx, i), loff;
		uint32_t lslot;
		safeshm_record r, lr;
		if (off == SAFESHM_SLOT_EMPTY) {
			continue;
		}
		if (off == SAFESHM_SLOT_TOMB) {
			tombs++;
			continue;
		}
		if (load_record(s, off, &r) != SAFESHM_OK || off + r.total > h->arena_top
				|| r.hash != safeshm_hash(s->base + off + SAFESHM_REC_HDR + r.val_len, r.key_len)) {
			st = SAFESHM_CORRUPT;
			break;
		}
		/* the key must be reachable from its home slot, and only once */
		if (probe(s, idx, s->base + off + SAFESHM_REC_HDR + r.val_len, r.key_len, r.hash,
				&lslot, NULL, &loff, &lr) != SAFESHM_OK || lslot != i) {
			st = SAFESHM_CORRUPT;
			break;
		}
		live[n].off = off;
		live[n].total = r.total;
		n++;
		used += r.total;
		entries++;
	}
	if (st == SAFESHM_OK) {
		qsort(live, n, sizeof(live_entry), cmp_live);
		for (uint32_t i = 0; i < n; i++) {
			if (live[i].off < prev_end) {
				st = SAFESHM_CORRUPT;
				break;
			}
			prev_end = live[i].off + live[i].total;
		}
	}
	safeshm_free(live);
	if (st == SAFESHM_OK && (used != h->used || entries != h->entries || tombs != h->tombs
			|| h->used + h->dead != h->arena_top - s->arena_off)) {
		st = SAFESHM_CORRUPT;
	}
	return st;
}

safeshm_status safeshm_store_stats(const safeshm_store *s, safeshm_stats *st)
{
	const safeshm_header *h = HDR(s);

	memset(st, 0, sizeof(*st));
	st->size = s->size;
	st->arena_size = arena_size(s);
	st->index_bytes = 2u * (uint64_t) s->nslots * 4u;
	st->max_entries = MAX_LOAD(s->nslots);
	if (check_state(s) != SAFESHM_OK) {
		return SAFESHM_CORRUPT;
	}
	st->used = h->used;
	st->dead = h->dead;
	/* what a new entry can use: nothing once the index has no slot left for it */
	st->free = h->entries >= st->max_entries ? 0 : st->arena_size - h->used;
	st->entries = h->entries;
	st->tombs = h->tombs;
	st->compactions = h->compactions;
	st->lock_waits = h->lock_waits;
	st->lock_timeouts = h->lock_timeouts;
	st->recoveries = h->recoveries;
	st->writes = h->writes;
	return SAFESHM_OK;
}
