/*
 * SafeShm store: see shm_store.h for the layout, the lock-free read protocol
 * and the crash-consistency protocol. Every offset and length read from the
 * segment goes through block_sane(), load_record() or index_slots() before
 * it is used. The block allocator is shm_heap.c.
 */
#include "shm_store_int.h"

_Static_assert(sizeof(safeshm_header) == SAFESHM_HEADER_SIZE, "header layout");
_Static_assert(sizeof(safeshm_record) == 48, "record layout");
_Static_assert(sizeof(safeshm_block) == 8, "block header layout");
_Static_assert(offsetof(safeshm_header, seq) == sizeof(((safeshm_store *) 0)->hdr_seen),
	"the quick header check covers magic, version and the geometry, not seq");
_Static_assert(offsetof(safeshm_header, lock_area) % 8 == 0 && sizeof(((safeshm_header *) 0)->lock_area) == 64,
	"lock area: 64 bytes, 8-aligned");
_Static_assert(offsetof(safeshm_header, wait_words) % 4 == 0, "futex words are 4-aligned");
_Static_assert(offsetof(safeshm_header, room8) == SAFESHM_HEADER_SIZE - 8, "the relocation cursor ends the header");

void (*safeshm_store_fault_hook)(const char *where) = NULL;


/* PHP's own string hash (DJBX33A, as zend_inline_hash_func computes it, the
 * bytes taken as plain char): the glue can then use a zend_string's cached
 * hash instead of hashing the key again. safeshm_key_hash() mixes it well. */
uint64_t safeshm_hash(const void *key, size_t len)
{
	const char *p = key;
	uint64_t h = 5381u;
	for (size_t i = 0; i < len; i++) {
		h = h * 33u + (uint64_t) (int64_t) p[i];
	}
	return h | 0x8000000000000000ULL;
}

uint64_t safeshm_key_hash(uint8_t ns, const void *key, size_t len)
{
	return safeshm_key_hash_mix(ns, safeshm_hash(key, len));
}

size_t safeshm_record_size(size_t klen, size_t vlen)
{
	if (klen > SAFESHM_MAX_KEY_LEN || vlen > SAFESHM_MAX_VALUE_LEN) {
		return SIZE_MAX; /* never fits */
	}
	return (size_t) safeshm_heap_record_size((uint64_t) SAFESHM_REC_HDR + vlen + klen);
}

size_t safeshm_record_bytes(size_t klen, size_t vlen)
{
	if (klen > SAFESHM_MAX_KEY_LEN || vlen > SAFESHM_MAX_VALUE_LEN) {
		return SIZE_MAX;
	}
	return (size_t) safeshm_heap_block_size((uint64_t) SAFESHM_REC_HDR + vlen + klen);
}

size_t safeshm_store_size_for(uint64_t record_bytes, uint64_t entries)
{
	uint64_t slots = entries * 8u / 5u + 1u, index, need;

	if (slots < INDEX_MIN_SLOTS) {
		slots = INDEX_MIN_SLOTS;
	}
	index = safeshm_heap_block_size(SAFESHM_INDEX_HDR + slots * 4u);
	/* an index growing is built beside the old one, then the old one freed;
	 * one spare block is kept for the next replace (header->spare8) */
	need = SAFESHM_HEADER_SIZE + record_bytes + 2u * index + 2u * SAFESHM_MIN_BLOCK;
	need = (need + 7u) & ~(uint64_t) 7u;
	if (need < SAFESHM_MIN_SIZE) {
		need = SAFESHM_MIN_SIZE;
	}
	return need > SAFESHM_MAX_SIZE ? (size_t) SAFESHM_MAX_SIZE : (size_t) need;
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
		case SAFESHM_MISMATCH: return "the current value is not the expected one";
		case SAFESHM_FORMATTING: return "the segment is being formatted";
	}
	return "unknown error";
}

/* ---- geometry and format -------------------------------------------- */

void safeshm_store_bind(safeshm_store *s, void *base, size_t size)
{
	s->base = base;
	s->size = size;
	s->hdr_valid = 0;
	s->arena_off = SAFESHM_HEADER_SIZE;
	s->arena_end = (uint64_t) size & ~(uint64_t) 7u;
	if (s->arena_end < s->arena_off) {
		s->arena_end = s->arena_off;
	}
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

int safeshm_store_header_blank(const safeshm_store *s)
{
	static const unsigned char zero[SAFESHM_HEADER_SIZE];
	return memcmp(s->base, zero, s->size < sizeof(zero) ? s->size : sizeof(zero)) == 0;
}

safeshm_status safeshm_store_check_header(const safeshm_store *s)
{
	const safeshm_header *h = HDR(s);
	uint32_t magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);

	/* the common case in a few compares: the geometry as this process derived it */
	if (magic == SAFESHM_MAGIC && h->version == SAFESHM_LAYOUT_VERSION && h->size == s->size
			&& h->arena_end == s->arena_end && h->arena_off == s->arena_off
			&& ((uint64_t) h->lock_kind << 32 | h->header_size) < ((uint64_t) SAFESHM_STORE_LOCK_KINDS << 32)
			&& h->header_size == SAFESHM_HEADER_SIZE && h->name_len <= SAFESHM_MAX_NAME_LEN
			&& s->size >= SAFESHM_MIN_SIZE) {
		return SAFESHM_OK;
	}
	if (s->size < SAFESHM_MIN_SIZE) {
		return SAFESHM_TOO_SMALL;
	}
	if (magic == SAFESHM_MAGIC_FORMATTING) {
		return SAFESHM_FORMATTING;
	}
	if (magic != SAFESHM_MAGIC) {
		return SAFESHM_FOREIGN;
	}
	if (h->version != SAFESHM_LAYOUT_VERSION) {
		return SAFESHM_VERSION;
	}
	if (h->lock_kind >= SAFESHM_STORE_LOCK_KINDS || h->size != s->size || h->header_size != SAFESHM_HEADER_SIZE
			|| h->arena_off != s->arena_off || h->arena_end != s->arena_end || h->name_len > SAFESHM_MAX_NAME_LEN) {
		return SAFESHM_CORRUPT;
	}
	return SAFESHM_OK;
}

safeshm_status safeshm_store_check_header_remember(safeshm_store *s)
{
	safeshm_status st = safeshm_store_check_header(s);

	s->hdr_valid = 0;
	if (st == SAFESHM_OK) {
		memcpy(s->hdr_seen, s->base, sizeof(s->hdr_seen));
		/* what was copied is what passed: a change meanwhile is seen next time */
		s->hdr_valid = safeshm_store_check_header(s) == SAFESHM_OK && memcmp(s->hdr_seen, s->base, sizeof(s->hdr_seen)) == 0;
	}
	return st;
}

uint32_t safeshm_store_lock_kind(const safeshm_store *s)
{
	return HDR(s)->lock_kind;
}

void *safeshm_store_lock_area(const safeshm_store *s)
{
	return HDR(s)->lock_area;
}

uint32_t safeshm_store_layout_version(const safeshm_store *s)
{
	return HDR(s)->version;
}


uint64_t safeshm_index_bytes(uint32_t n)
{
	return safeshm_heap_block_size(SAFESHM_INDEX_HDR + (uint64_t) n * 4u);
}

/* Writes an empty index of n slots into the used block at off. */
void safeshm_index_init(safeshm_store *s, uint64_t off, uint32_t n)
{
	safeshm_index_block *ib = (safeshm_index_block *) (s->base + off);
	ib->b.magic = SAFESHM_BLK_INDEX;
	ib->b.key_len = 0;
	ib->nslots = n;
	ib->pad = 0;
	memset(s->base + off + SAFESHM_INDEX_HDR, 0, (size_t) n * 4u);
}

static void format(safeshm_store *s, const char *name, size_t name_len, uint32_t lock_kind, uint64_t now_us)
{
	safeshm_header *h = HDR(s);
	uint64_t ioff;
	uint32_t n = INDEX_MIN_SLOTS;
	int corrupt = 0;

	/* everything but the magic (our FORMATTING claim: a creator killed
	 * from here on must leave it, so the next opener formats again) and the
	 * lock area, which init_lock prepared */
	memset((unsigned char *) h + sizeof(h->magic), 0, offsetof(safeshm_header, lock_area) - sizeof(h->magic));
	memset(h->wait_words, 0, SAFESHM_HEADER_SIZE - offsetof(safeshm_header, wait_words));
	h->version = SAFESHM_LAYOUT_VERSION;
	h->size = s->size;
	h->header_size = SAFESHM_HEADER_SIZE;
	h->lock_kind = lock_kind;
	h->arena_off = s->arena_off;
	h->arena_end = s->arena_end;
	h->created_us = now_us;
	h->name_len = (uint32_t) name_len;
	if (name_len) {
		memcpy(h->name, name, name_len);
	}
	safeshm_heap_init(s);
	while (safeshm_index_bytes(n) > (s->arena_end - s->arena_off) / 4u && n > 8u) {
		n /= 2u;
	}
	ioff = safeshm_heap_alloc(s, safeshm_index_bytes(n), &corrupt);
	safeshm_index_init(s, ioff, n);
	h->index_desc = (ioff / 8u) << 32 | n;
	h->index_gen = 1;
}

safeshm_status safeshm_store_format(safeshm_store *s, const char *name, size_t name_len, uint32_t lock_kind,
	int (*init_lock)(void *area), uint64_t now_us)
{
	safeshm_header *h = HDR(s);

	if (s->size < SAFESHM_MIN_SIZE) {
		return SAFESHM_TOO_SMALL;
	}
	if ((uint64_t) s->size > SAFESHM_MAX_SIZE || lock_kind >= SAFESHM_STORE_LOCK_KINDS) {
		return SAFESHM_CORRUPT;
	}
	if (name_len > SAFESHM_MAX_NAME_LEN) {
		return SAFESHM_NAME;
	}
	/* a magic of our own first: a creator killed from here on leaves a
	 * segment the next opener recognises and formats again */
	__atomic_store_n(&h->magic, SAFESHM_MAGIC_FORMATTING, __ATOMIC_RELEASE);
	FAULT("format:begin");
	if (init_lock && init_lock(h->lock_area) != 0) {
		memset(h->lock_area, 0, sizeof(h->lock_area));
		return SAFESHM_NOMEM;
	}
	format(s, name, name_len, lock_kind, now_us);
	FAULT("format:written");
	return SAFESHM_OK;
}

void safeshm_store_publish(safeshm_store *s)
{
	__atomic_store_n(&HDR(s)->magic, SAFESHM_MAGIC, __ATOMIC_RELEASE);
}

safeshm_status safeshm_store_open(safeshm_store *s, const char *name, size_t name_len,
	uint32_t lock_kind, int (*init_lock)(void *area), int fresh, uint64_t now_us, int *formatted)
{
	safeshm_header *h = HDR(s);
	uint32_t magic;
	safeshm_status st;

	*formatted = 0;
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
	magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);
	if (magic == SAFESHM_MAGIC_FORMATTING || (magic == 0 && (fresh || safeshm_store_is_blank(s)))) {
		st = safeshm_store_format(s, name, name_len, lock_kind, init_lock, now_us);
		if (st != SAFESHM_OK) {
			return st;
		}
		/* the magic last: no process uses a store before it is whole */
		safeshm_store_publish(s);
		*formatted = 1;
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

/* Looks a key up. OK (found), NOT_FOUND, CORRUPT (a slot names no sane
 * record). Lock-free callers check gen and the slot afterwards. */
/* The slots a lock-free miss passed, with the versions of their records: the
 * miss is true only if none of them changed meanwhile (a key being rewritten
 * is briefly unreadable at its old offset). */
#define TRAIL_MAX 512

/* The version of the record a slot names; 0 when the offset is out of bounds. */
static inline uint64_t version_at(const safeshm_store *s, uint64_t off)
{
	if ((off & 7u) || off < s->arena_off || off > s->arena_end - SAFESHM_REC_HDR) {
		return 0;
	}
	return __atomic_load_n(&rec_at(s, off)->version, __ATOMIC_ACQUIRE);
}
typedef struct {
	uint32_t n;
	int overflow;
	struct { uint32_t slot, val; uint64_t version; } e[TRAIL_MAX];
} trail_t;

static safeshm_status probe_ex(const safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash, probe_t *p,
	trail_t *trail)
{
	const safeshm_header *h = HDR(s);
	uint16_t tag = hash_tag(hash);
	uint32_t i;

	p->gen = load64(&h->index_gen);
	p->slots = safeshm_index_slots(s, load64(&h->index_desc), &p->n);
	p->insert = UINT32_MAX;
	if (!p->slots) {
		return SAFESHM_CORRUPT;
	}
	i = home_slot(hash, p->n);
	for (uint32_t step = 0; step < p->n; step++, i = i + 1u == p->n ? 0 : i + 1u) {
		uint32_t v = __atomic_load_n(&p->slots[i], __ATOMIC_ACQUIRE);
		if (v == SAFESHM_SLOT_EMPTY) {
			if (p->insert == UINT32_MAX) {
				p->insert = i;
			}
			return SAFESHM_NOT_FOUND;
		}
		if (v == SAFESHM_SLOT_TOMB) {
			if (p->insert == UINT32_MAX) {
				p->insert = i;
			}
			continue;
		}
		if (trail) {
			if (trail->n < TRAIL_MAX) {
				trail->e[trail->n].slot = i;
				trail->e[trail->n].val = v;
				trail->e[trail->n].version = version_at(s, (uint64_t) v * 8u);
				trail->n++;
			} else {
				trail->overflow = 1;
			}
		}
		if (safeshm_load_record(s, (uint64_t) v * 8u, &p->rec) != SAFESHM_OK) {
			p->slot = i;
			p->slot_val = v;
			return SAFESHM_CORRUPT;
		}
		if (p->rec.ns == ns && p->rec.b.key_len == klen
				&& bytes_equal(rec_key(s, (uint64_t) v * 8u, &p->rec), key, klen)) {
			p->slot = i;
			p->slot_val = v;
			p->off = (uint64_t) v * 8u;
			/* the key, under a hash tag it cannot have: damage, not a miss */
			return p->rec.tag == tag ? SAFESHM_OK : SAFESHM_CORRUPT;
		}
	}
	return SAFESHM_NOT_FOUND;
}

safeshm_status safeshm_probe(const safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash, probe_t *p)
{
	return probe_ex(s, ns, key, klen, hash, p, NULL);
}

safeshm_status safeshm_store_find(const safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t now_us, safeshm_view *out)
{
	const safeshm_header *h = HDR(s);
	probe_t p;
	safeshm_record r;
	trail_t trail;
	safeshm_status st;

	trail.n = 0;
	trail.overflow = 0;
	st = probe_ex(s, ns, key, klen, hash, &p, &trail);

	if (st == SAFESHM_OK) {
		/*
		 * The version first, then the record again: a writer stores a new
		 * record's version last (release) and zeroes a retired one's before
		 * its bytes are reused, so a non-zero version read here belongs to a
		 * record written in full; view_valid() then checks that it is still
		 * that record the slot names (a block reused for the same key at the
		 * same offset has another version).
		 */
		/* the probe read the hit's version (the trail's last entry) before
		 * copying its header and comparing its key */
		uint64_t ver = trail.n && !trail.overflow ? trail.e[trail.n - 1].version
			: __atomic_load_n(&rec_at(s, p.off)->version, __ATOMIC_ACQUIRE);
		if (ver == 0) {
			/* a record being written, or one retired under us; the same
			 * slot still naming it, again and again, is damage */
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			return __atomic_load_n(&p.slots[p.slot], __ATOMIC_ACQUIRE) == p.slot_val ? SAFESHM_CORRUPT : SAFESHM_RETRY;
		}
		if (!trail.n || trail.overflow) {
			/* no version read before the header copy: copy it again */
			if (safeshm_load_record(s, p.off, &r) != SAFESHM_OK || r.ns != ns || r.b.key_len != klen
					|| r.tag != hash_tag(hash) || !bytes_equal(rec_key(s, p.off, &r), key, klen)) {
				return SAFESHM_RETRY;
			}
		} else {
			r = p.rec;
		}
		safeshm_fill_view(s, p.off, &r, out);
		out->version = ver;
		out->gen = p.gen;
		out->slot = &p.slots[p.slot];
		out->slot_val = p.slot_val;
		if (expired(__atomic_load_n(&rec_at(s, p.off)->expires, __ATOMIC_ACQUIRE), now_us)) {
			return safeshm_store_view_valid(s, out) ? SAFESHM_NOT_FOUND : SAFESHM_RETRY;
		}
		return SAFESHM_OK;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (load64(&h->index_gen) != p.gen) {
		return SAFESHM_RETRY;
	}
	for (uint32_t i = 0; i < trail.n; i++) {
		uint64_t off = (uint64_t) trail.e[i].val * 8u;
		if (__atomic_load_n(&p.slots[trail.e[i].slot], __ATOMIC_ACQUIRE) != trail.e[i].val
				|| version_at(s, off) != trail.e[i].version) {
			return SAFESHM_RETRY;
		}
	}
	if (st == SAFESHM_CORRUPT && p.slots
			&& __atomic_load_n(&p.slots[p.slot], __ATOMIC_ACQUIRE) != p.slot_val) {
		return SAFESHM_RETRY; /* the block was retired and reused under us */
	}
	return st;
}

int safeshm_store_view_valid(const safeshm_store *s, const safeshm_view *v)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return load64(&HDR(s)->index_gen) == v->gen
		&& __atomic_load_n(v->slot, __ATOMIC_ACQUIRE) == v->slot_val
		&& __atomic_load_n(&rec_at(s, v->off)->version, __ATOMIC_ACQUIRE) == v->version;
}

int64_t safeshm_store_view_long(const safeshm_view *v)
{
	return __atomic_load_n((const int64_t *) v->data, __ATOMIC_ACQUIRE);
}

uint64_t safeshm_store_read_begin(const safeshm_store *s)
{
	return load64(&HDR(s)->seq);
}

int safeshm_store_read_valid(const safeshm_store *s, uint64_t seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return (seq & 1u) == 0 && __atomic_load_n(&HDR(s)->seq, __ATOMIC_RELAXED) == seq;
}

/* The mutable header fields a locked operation relies on. */
safeshm_status safeshm_check_state(const safeshm_store *s)
{
	const safeshm_header *h = HDR(s);
	uint32_t n = 0;
	uint64_t arena = s->arena_end - s->arena_off;

	if (!safeshm_index_slots(s, h->index_desc, &n) || h->used > arena || h->free > arena
			|| h->entries > n || h->tombs > n || h->data_entries > h->entries || h->ttl_entries > h->entries
			|| h->clock >= SAFESHM_CLOCK_MAX) {
		return SAFESHM_CORRUPT;
	}
	return SAFESHM_OK;
}

/* ---- header fields used without the lock ---------------------------- */

void safeshm_store_mark_removed(safeshm_store *s)
{
	__atomic_store_n(&HDR(s)->removed, 1u, __ATOMIC_RELEASE);
}


void safeshm_store_count_lock_timeout(safeshm_store *s)
{
	if (safeshm_store_check_header(s) == SAFESHM_OK) {
		__atomic_fetch_add(&HDR(s)->lock_timeouts, 1, __ATOMIC_RELAXED);
	}
}

void safeshm_store_add_tallies(safeshm_store *s, uint64_t hits, uint64_t misses, uint64_t lock_waits)
{
	if (safeshm_store_check_header(s) == SAFESHM_OK) {
		if (hits) {
			__atomic_fetch_add(&HDR(s)->hits, hits, __ATOMIC_RELAXED);
		}
		if (misses) {
			__atomic_fetch_add(&HDR(s)->misses, misses, __ATOMIC_RELAXED);
		}
		if (lock_waits) {
			__atomic_fetch_add(&HDR(s)->lock_waits, lock_waits, __ATOMIC_RELAXED);
		}
	}
}

uint32_t safeshm_store_owner(const safeshm_store *s)
{
	return __atomic_load_n(&HDR(s)->lock_owner, __ATOMIC_SEQ_CST);
}

void safeshm_store_set_lock_semid(safeshm_store *s, int32_t semid)
{
	__atomic_store_n(&HDR(s)->lock_semid, semid, __ATOMIC_SEQ_CST);
}

int32_t safeshm_store_lock_semid(const safeshm_store *s)
{
	return __atomic_load_n(&HDR(s)->lock_semid, __ATOMIC_SEQ_CST);
}

const uint32_t *safeshm_store_owner_hint(const safeshm_store *s)
{
	return &HDR(s)->lock_owner;
}

uint64_t safeshm_store_next_token(safeshm_store *s)
{
	/* only lock holders write it: one 8-byte store, no locked instruction */
	uint64_t t = __atomic_load_n(&HDR(s)->lock_token, __ATOMIC_RELAXED) + 1u;
	t += t == 0; /* 0 marks a free slot of a lock's state (only a damaged counter gets here) */
	__atomic_store_n(&HDR(s)->lock_token, t, __ATOMIC_RELEASE);
	return t;
}

uint32_t *safeshm_store_wait_word(safeshm_store *s, uint64_t hash)
{
	return &HDR(s)->wait_words[(hash >> 7) % SAFESHM_WAIT_WORDS];
}
