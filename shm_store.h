/*
 * SafeShm store, layout 3: a key-value heap inside one shared-memory segment.
 * Plain C, no PHP: the caller maps the segment, holds the lock (sem_lock.h)
 * around every function documented "locked", and passes the time in.
 *
 * Segment layout (offsets from the segment start, all 8-byte aligned):
 *
 *   [ header (2048) | arena: blocks, end to end, up to the segment's end ]
 *
 * The arena is tiled by blocks. Every block starts with safeshm_block (its
 * size and kind): a record (a key and its value), a free block, the index,
 * or a journal. Free blocks are kept by a two-level segregated-fit allocator
 * (TLSF): bins by size class, bitmaps in the header, so allocating and
 * freeing cost O(1) and nothing is ever moved to make room in the common
 * case. The index is itself a block: an open-addressing table of uint32
 * slots holding a record's offset / 8 (0 empty, 1 tombstone), published
 * through header->index_desc; it grows by building a bigger copy beside the
 * live one and publishing it with one store, so capacity follows the bytes.
 *
 * Publish, then retire: a new record is written into a free block, made
 * visible by one aligned 4-byte store into its index slot, and only then is
 * the old record's block freed.
 *
 * Reads never wait for a writer. A reader takes no lock: it reads index_gen,
 * probes, copies the record out, and then checks that index_gen, the slot and
 * the record's version are unchanged. Every record write takes a new version
 * from header->clock, so a block reused at the same offset for the same key
 * is told apart. Every offset and length met on the way is bounds-checked
 * before use, so a reader racing a writer (or reading hostile bytes) retries
 * or reports corruption; it never reads outside the segment. A writer stopped
 * mid-mutation therefore delays no reader: the index always holds either the
 * old or the new offset, and both records stay intact while referenced.
 *
 * Crash consistency: every mutation makes header->seq odd first and even
 * last. A lock holder that finds it odd knows the previous holder died
 * mid-mutation and calls safeshm_store_recover(): the index (always old or
 * new) is the truth; the allocator (bins, free blocks, counters) is rebuilt
 * from it, and a journalled multi-key put is rolled forward.
 *
 * Making room never stops the world: when no free block fits but enough
 * bytes are free, the records inside a window of adjacent blocks are
 * relocated (publish, then retire: each one moves like a put) until the
 * window is one free block. The bytes moved are bounded by the size being
 * written, and so are the blocks looked at to choose the window (around the
 * biggest free blocks, and from the cursor header->room8, which moves on);
 * the whole arena is searched only when those hold no window that can be
 * emptied. When the bytes are exhausted, expired entries are reclaimed
 * first, then entries with a TTL, soonest to expire first; entries without a
 * TTL are never evicted.
 */
#ifndef SAFESHM_STORE_H
#define SAFESHM_STORE_H

#include <stddef.h>
#include <stdint.h>

#ifndef safeshm_malloc
# include <stdlib.h>
# define safeshm_malloc(n) malloc(n)
# define safeshm_free(p)   free(p)
#endif

#define SAFESHM_MAGIC            0x4D485346u /* "FSHM" */
#define SAFESHM_MAGIC_FORMATTING 0x464D5246u /* "FRMF": a creator is (or died) formatting */
#define SAFESHM_LAYOUT_VERSION   3u
#define SAFESHM_LAYOUT_VERSION_MIN 1u        /* 1 and 2 are migrated (shm_store_v2.h) */

#define SAFESHM_HEADER_SIZE    2048u
#define SAFESHM_MIN_SIZE       4096u
#define SAFESHM_MAX_SIZE       ((uint64_t) UINT32_MAX * 8u) /* slots and block sizes hold offset/8 in 32 bits */
#define SAFESHM_MAX_KEY_LEN    4096u
#define SAFESHM_MAX_NAME_LEN   200u
#define SAFESHM_MAX_VALUE_LEN  ((uint64_t) UINT32_MAX - 4096u - 64u)

#define SAFESHM_SLOT_EMPTY     0u
#define SAFESHM_SLOT_TOMB      1u

/* Namespaces: the same bytes under another namespace are another key. */
#define SAFESHM_NS_DATA   0u  /* the user's keys */
#define SAFESHM_NS_LOCK   1u  /* named locks */
#define SAFESHM_NS_FLIGHT 2u  /* remember()'s in-flight markers */
#define SAFESHM_NS_MAX    2u

/* Value types, as stored. */
typedef enum {
	SAFESHM_T_STRING = 1,
	SAFESHM_T_LONG = 2,
	SAFESHM_T_DOUBLE = 3,
	SAFESHM_T_FALSE = 4,
	SAFESHM_T_TRUE = 5,
	SAFESHM_T_NULL = 6,
	SAFESHM_T_SERIALIZED = 7, /* PHP's serialize() */
	SAFESHM_T_NATIVE = 8,     /* the glue's own array encoding (validated on decode) */
	SAFESHM_T_BINARY = 9,     /* opaque bytes of the glue (lock state) */
	SAFESHM_T_MAX = 9
} safeshm_type;

typedef enum {
	SAFESHM_OK = 0,
	SAFESHM_NOT_FOUND,
	SAFESHM_EXISTS,     /* add(): a live entry has the key */
	SAFESHM_FULL,       /* does not fit even after reclaiming expired and TTL entries */
	SAFESHM_CORRUPT,    /* an offset, length or counter fails validation */
	SAFESHM_FOREIGN,    /* not a SafeShm segment: bytes left untouched */
	SAFESHM_VERSION,    /* a SafeShm segment of another layout version */
	SAFESHM_NAME,       /* segment belongs to another name */
	SAFESHM_TOO_SMALL,  /* segment smaller than SAFESHM_MIN_SIZE */
	SAFESHM_NOT_LONG,   /* increment() on a value that is not an int */
	SAFESHM_OVERFLOW,   /* increment() would overflow int64 */
	SAFESHM_NOMEM,      /* process-local allocation failed */
	SAFESHM_RETRY,      /* a lock-free read raced a writer: read again */
	SAFESHM_REMOVED,    /* segment was removed by remove() */
	SAFESHM_MISMATCH,   /* cas()/conditional put: the current value is not the expected one */
	SAFESHM_FORMATTING  /* a creator is formatting the segment, or died doing it */
} safeshm_status;

/* On-segment header: fixed-width fields, layout pinned by static asserts. */
#define SAFESHM_FL_COUNT 32u  /* first-level size classes: powers of two */
#define SAFESHM_SL_LOG2  3u
#define SAFESHM_SL_COUNT 8u   /* second level: eight classes per power of two */
#define SAFESHM_WAIT_WORDS 64u

typedef struct {
	uint32_t magic;
	uint32_t version;
	uint64_t size;          /* segment size at format time */
	uint32_t header_size;
	uint32_t lock_kind;     /* how mutations are locked (sem_lock.h): 0 SysV semaphore, 1 robust mutex */
	uint64_t arena_off;
	uint64_t arena_end;
	uint64_t seq;           /* odd while a mutation is in progress */
	uint64_t index_desc;    /* (index block offset / 8) << 32 | slots */
	uint64_t index_gen;     /* +1 whenever another index block is published */
	uint64_t clock;         /* last record version handed out */
	uint64_t used;          /* bytes of record blocks */
	uint64_t free;          /* bytes of free blocks */
	uint64_t entries;       /* live records, every namespace (expired ones until reclaimed) */
	uint64_t data_entries;  /* of those, in SAFESHM_NS_DATA */
	uint64_t tombs;         /* tombstones in the index */
	uint64_t ttl_entries;   /* records with an expiry */
	uint32_t removed;       /* set by remove() after IPC_RMID succeeded */
	uint32_t lock_owner;    /* pid of the lock holder, 0 when free */
	int32_t  lock_semid;    /* the semaphore the last holder took (semaphore kind) */
	uint32_t name_len;
	uint64_t compactions;   /* relocation passes that made a window free */
	uint64_t lock_waits;
	uint64_t lock_timeouts;
	uint64_t recoveries;
	uint64_t writes;
	uint64_t expired;       /* entries reclaimed after they expired */
	uint64_t evicted;       /* live TTL entries evicted to make room */
	uint64_t hits;          /* folded in from processes' tallies */
	uint64_t misses;
	uint64_t journal_off;   /* a multi-key put being published, 0 when none */
	uint64_t sweep;         /* next index slot the expiry sweep looks at */
	uint64_t lock_token;    /* last fencing token of a named lock */
	uint64_t created_us;    /* monotonic time of formatting */
	uint32_t fl_bitmap;
	uint32_t spare8;        /* the block the last replace retired, kept aside for the next one (offset / 8) */
	uint8_t  sl_bitmap[SAFESHM_FL_COUNT];
	uint32_t bins[SAFESHM_FL_COUNT * SAFESHM_SL_COUNT]; /* first free block of each class, offset / 8 */
	uint8_t  name[SAFESHM_MAX_NAME_LEN];
	uint8_t  lock_area[64]; /* the robust mutex when lock_kind is 1; the store never reads it */
	uint32_t wait_words[SAFESHM_WAIT_WORDS]; /* futex words named-lock waiters sleep on (bit 0: a waiter may sleep) */
	uint8_t  reserved[SAFESHM_HEADER_SIZE - 248 - 32 - 4 * SAFESHM_FL_COUNT * SAFESHM_SL_COUNT
		- SAFESHM_MAX_NAME_LEN - 64 - 4 * SAFESHM_WAIT_WORDS - 16];
	uint64_t lock_states;   /* records of the other namespaces without an expiry (named locks in use) */
	uint32_t room8;         /* the block the next bounded search for a window to empty starts at (offset / 8; 0: the
	                         * arena's start): a hint, checked before use, kept on a block boundary, reset by recovery */
	uint32_t index_retry;   /* after an index rebuild found no room: the load (entries + tombstones) it waits for
	                         * before it is tried again (0: none); a hint, reset by recovery */
} safeshm_header;

#define SAFESHM_STORE_LOCK_KINDS 2u

/* Every block starts with this. */
#define SAFESHM_BLK_RECORD  0x52u /* 'R' */
#define SAFESHM_BLK_FREE    0x46u /* 'F' */
#define SAFESHM_BLK_INDEX   0x49u /* 'I' */
#define SAFESHM_BLK_JOURNAL 0x4Au /* 'J' */
#define SAFESHM_BLK_PENDING 0x50u /* 'P': allocated, not yet written (never outlives a mutation) */
#define SAFESHM_BLK_SPARE   0x53u /* 'S': freed, kept aside for the next allocation (header->spare8) */
#define SAFESHM_BF_PREV_FREE 1u

typedef struct {
	uint32_t size8;   /* block size / 8 */
	uint8_t  magic;   /* SAFESHM_BLK_* */
	uint8_t  bflags;  /* SAFESHM_BF_PREV_FREE: the block before this one is free */
	uint16_t key_len; /* records */
} safeshm_block;

/* A record block; the value (8-aligned, so an int is updated in place by one
 * store) and then the key follow. */
typedef struct {
	safeshm_block b;
	uint8_t  type;
	uint8_t  ns;
	uint16_t tag;       /* 16 bits of the key's hash */
	uint32_t val_len;
	uint64_t version;   /* from header->clock: unique per write, increases on every write */
	uint64_t expires;   /* monotonic microseconds; 0 = never */
	uint64_t created;   /* monotonic microseconds the key was first written */
	uint64_t updated;   /* monotonic microseconds of the last write */
} safeshm_record;

#define SAFESHM_REC_HDR ((uint32_t) sizeof(safeshm_record))

/* A process-local view of a mapped segment. */
typedef struct {
	unsigned char *base;
	size_t size;            /* the real segment size, from the system */
	uint64_t arena_off;     /* derived from size alone: never read back from the segment */
	uint64_t arena_end;
	uint64_t hdr_seen[5];   /* the header's first 40 bytes when the full check last passed */
	int hdr_valid;          /* hdr_seen holds them */
} safeshm_store;

/* A found entry. data/key point into the segment: copy them out, then ask
 * safeshm_store_view_valid() before trusting the copy (lock-free reads). */
typedef struct {
	safeshm_type type;
	uint8_t ns;
	const unsigned char *data;
	size_t len;
	const unsigned char *key;
	size_t key_len;
	uint64_t version, expires, created, updated;
	size_t block_size;
	/* where it was found, for validation */
	uint64_t gen;
	uint64_t off;
	const uint32_t *slot;
	uint32_t slot_val;
} safeshm_view;

typedef struct {
	uint64_t size, arena_size, capacity, used, free, largest_free, index_bytes, index_slots, max_entries;
	uint64_t entries, data_entries, ttl_entries, tombs, lock_states;
	uint64_t compactions, lock_waits, lock_timeouts, recoveries, writes, expired, evicted, hits, misses;
} safeshm_stats;

/* Records of the other namespaces with an expiry (idle named locks), from
 * the counters; 0 when they disagree. */
static inline uint64_t safeshm_stats_idle(const safeshm_stats *st)
{
	uint64_t other = st->entries >= st->data_entries ? st->entries - st->data_entries : 0;
	uint64_t idle = other >= st->lock_states ? other - st->lock_states : 0;
	return idle <= st->ttl_entries ? idle : 0;
}

typedef int (*safeshm_iter_cb)(const safeshm_view *entry, void *ctx);

/* The 64-bit hash of a key in a namespace: safeshm_hash() is PHP's own string
 * hash (so a zend_string's cached one can stand in), mixed with the namespace. */
uint64_t safeshm_hash(const void *key, size_t len);
static inline uint64_t safeshm_key_hash_mix(uint8_t ns, uint64_t h)
{
	h ^= (uint64_t) ns * 0x9E3779B97F4A7C15ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}
uint64_t safeshm_key_hash(uint8_t ns, const void *key, size_t len);

/* Binds a mapping; no validation, no writes. */
void safeshm_store_bind(safeshm_store *s, void *base, size_t size);

/* 1 when every byte of the segment is zero (a segment nobody has formatted). */
int safeshm_store_is_blank(const safeshm_store *s);
/* 1 when the header page (or the whole segment, if smaller) is zero. */
int safeshm_store_header_blank(const safeshm_store *s);

/*
 * locked (by the formatting lock): formats or validates.
 * - magic SAFESHM_MAGIC: validates (version, geometry, name).
 * - magic SAFESHM_MAGIC_FORMATTING: a creator died formatting: formatted again.
 * - magic 0: formatted when `fresh` (the caller created the segment, so the
 *   kernel zeroed it) or when the whole segment is blank; else FOREIGN.
 * - anything else: FOREIGN, bytes untouched.
 * init_lock (when not NULL) prepares the header's lock area before the magic
 * publishes the store; a non-zero return leaves the segment unformatted and
 * gives SAFESHM_NOMEM. *formatted is set to 1 when this call formatted.
 */
safeshm_status safeshm_store_open(safeshm_store *s, const char *name, size_t name_len,
	uint32_t lock_kind, int (*init_lock)(void *area), int fresh, uint64_t now_us, int *formatted);

/* locked: formats the segment whatever it holds, leaving it marked
 * "formatting" (SAFESHM_MAGIC_FORMATTING) until safeshm_store_publish(): a
 * migration fills it first, so that one killed halfway starts again. */
safeshm_status safeshm_store_format(safeshm_store *s, const char *name, size_t name_len, uint32_t lock_kind,
	int (*init_lock)(void *area), uint64_t now_us);
void safeshm_store_publish(safeshm_store *s);

/* The lock kind of a store that passed safeshm_store_check_header(). */
uint32_t safeshm_store_lock_kind(const safeshm_store *s);
void *safeshm_store_lock_area(const safeshm_store *s);
uint32_t safeshm_store_layout_version(const safeshm_store *s);

/* Cheap header check (magic, version, geometry); no writes. */
safeshm_status safeshm_store_check_header(const safeshm_store *s);

/* The same, and when it passes, remembers the words it checked. */
safeshm_status safeshm_store_check_header_remember(safeshm_store *s);

/* The same check for every call, in a few compares: the header's first 40
 * bytes (magic, layout version, size, header size, lock kind, arena) equal
 * to what they were when the full check last passed, and the name's length
 * in range; the full check (which says what is wrong) whenever they are not. */
static inline safeshm_status safeshm_store_check_quick(safeshm_store *s)
{
	const uint64_t *w = (const uint64_t *) s->base;
	const safeshm_header *h = (const safeshm_header *) s->base;

	if (s->hdr_valid && __atomic_load_n(&w[0], __ATOMIC_ACQUIRE) == s->hdr_seen[0] && w[1] == s->hdr_seen[1]
			&& w[2] == s->hdr_seen[2] && w[3] == s->hdr_seen[3] && w[4] == s->hdr_seen[4]
			&& h->name_len <= SAFESHM_MAX_NAME_LEN) {
		return SAFESHM_OK;
	}
	return safeshm_store_check_header_remember(s);
}

/* locked: 1 when the previous holder died mid-mutation. */
static inline int safeshm_store_needs_recovery(const safeshm_store *s)
{
	const safeshm_header *h = (const safeshm_header *) s->base;
	return (h->seq & 1u) != 0 || h->journal_off != 0;
}
/* locked: repairs after a crashed holder; keeps every intact entry. */
safeshm_status safeshm_store_recover(safeshm_store *s);

/*
 * Finds a key, locked or lock-free. An entry expired at now_us is
 * NOT_FOUND. Lock-free, RETRY means a writer raced the lookup: call again.
 * On OK copy out what you need, then check safeshm_store_view_valid().
 */
safeshm_status safeshm_store_find(const safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t now_us, safeshm_view *out);
/* 1 when the entry found is still the one the index holds, unchanged: what
 * was copied from it is a consistent value. */
int safeshm_store_view_valid(const safeshm_store *s, const safeshm_view *v);
/* Lock-free read of an int entry's current value (one atomic load). */
int64_t safeshm_store_view_long(const safeshm_view *v);

/* The start and end of a read that must see several keys at one instant
 * (a snapshot): valid when no mutation ran in between. */
uint64_t safeshm_store_read_begin(const safeshm_store *s);
int safeshm_store_read_valid(const safeshm_store *s, uint64_t seq);

/* locked mutations */
typedef enum {
	SAFESHM_PUT_REPLACE = 0,   /* store or replace */
	SAFESHM_PUT_ADD = 1,       /* only when no live entry has the key: else EXISTS */
	SAFESHM_PUT_IF_VERSION = 2,/* only when the live entry has version cond_version (0: absent): else MISMATCH */
	SAFESHM_PUT_IF_VALUE = 3   /* only when the live entry has type cond_type and bytes cond_val: else MISMATCH */
} safeshm_put_mode;

/* The glue fills it in php_safeshm_put_req_init() (safeshm_internal.h): a
 * field added here is set there too. */
typedef struct {
	uint8_t ns;
	const void *key;
	size_t klen;
	uint64_t hash;
	safeshm_type type;
	const void *val;
	size_t vlen;
	uint64_t expires;          /* absolute monotonic microseconds; 0 = never */
	safeshm_put_mode mode;
	uint64_t cond_version;     /* SAFESHM_PUT_IF_VERSION */
	safeshm_type cond_type;    /* SAFESHM_PUT_IF_VALUE */
	const void *cond_val;
	size_t cond_len;
	uint64_t version;          /* out: the version written */
} safeshm_put_req;

/* A request with a bad key length, namespace, type, or a value length its
 * type does not allow (ints and floats 8 bytes, false/true/null none):
 * SAFESHM_CORRUPT, nothing written.
 * now_us stamps the entry (created, updated) and decides expiry. The caller
 * may read it before it takes the lock, so it can be a little behind the
 * time another writer stamped meanwhile: a live entry's update time never
 * goes back (it keeps the later one), here, in put_many and in increment. */
safeshm_status safeshm_store_put(safeshm_store *s, safeshm_put_req *req, uint64_t now_us);
/* All or nothing: either every request is stored (readers of a snapshot see
 * all of them at once) or none is (FULL, or the first failing status). Only
 * SAFESHM_PUT_REPLACE requests. A crash in the middle is rolled forward. */
safeshm_status safeshm_store_put_many(safeshm_store *s, safeshm_put_req *reqs, size_t n, uint64_t now_us);
safeshm_status safeshm_store_delete(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t now_us);
safeshm_status safeshm_store_increment(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	int64_t by, uint64_t expires, uint64_t now_us, int64_t *result);
/* Sets a live entry's expiry (0 = never). NOT_FOUND when absent or expired. */
safeshm_status safeshm_store_touch(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t expires, uint64_t now_us);
/*
 * Records changed in place (named locks' states, shm_locks.c): found under
 * the lock, expired ones too, and then written directly by their owner with
 * aligned stores of at most 8 bytes, each of which must leave a value its
 * owner can read (a crash can stop the sequence anywhere). Their version
 * does not change, so no lock-free reader may read such a record: only
 * holders of the lock do. An expiry change keeps the counters, inside a
 * mutation bracket (recovery recounts them after a crash in it).
 */
typedef struct {
	unsigned char *val;  /* the value bytes in the segment, 8-aligned */
	size_t len;
	safeshm_type type;
	uint64_t expires;
	uint64_t off;        /* the record */
} safeshm_inplace;

safeshm_status safeshm_store_inplace_find(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	safeshm_inplace *r);
void safeshm_store_inplace_begin(safeshm_store *s);
void safeshm_store_inplace_end(safeshm_store *s);
/* Inside the bracket: a new expiry for r's record (0: never). */
void safeshm_store_inplace_expiry(safeshm_store *s, safeshm_inplace *r, uint64_t expires);

/* Deletes every entry of ns whose key starts with prefix (every entry for
 * an empty prefix); *count gets how many live entries went. */
safeshm_status safeshm_store_delete_prefix(safeshm_store *s, uint8_t ns, const void *prefix, size_t plen,
	uint64_t now_us, uint64_t *count);
/* locked: calls cb for each live entry of ns (expired ones skipped); a
 * non-zero return stops. */
safeshm_status safeshm_store_iterate(const safeshm_store *s, uint8_t ns, uint64_t now_us, safeshm_iter_cb cb, void *ctx);
/* locked: live (unexpired) entries of ns. */
safeshm_status safeshm_store_count(const safeshm_store *s, uint8_t ns, uint64_t now_us, uint64_t *count);
/* locked: reclaims up to max_slots' worth of expired entries (0: all). */
safeshm_status safeshm_store_sweep(safeshm_store *s, uint64_t now_us, uint32_t max_slots);
safeshm_status safeshm_store_verify(const safeshm_store *s);
/* Which check the last failed verify failed (for messages and tests). */
extern const char *safeshm_verify_reason;
safeshm_status safeshm_store_stats(const safeshm_store *s, safeshm_stats *st);
void safeshm_store_mark_removed(safeshm_store *s);
static inline int safeshm_store_is_removed(const safeshm_store *s)
{
	return __atomic_load_n(&((const safeshm_header *) s->base)->removed, __ATOMIC_ACQUIRE) != 0;
}
/* locked: the next fencing token (never reused, survives recovery). */
uint64_t safeshm_store_next_token(safeshm_store *s);
/* The futex word named-lock waiters of a lock whose key hashes to hash sleep on. */
uint32_t *safeshm_store_wait_word(safeshm_store *s, uint64_t hash);

/* Statistics kept in the header: atomic, usable unlocked, and do nothing
 * on a header that fails validation. */
void safeshm_store_count_lock_timeout(safeshm_store *s);
/* A process's tallies (lock-free reads' hits and misses, the times it
 * waited for the lock), folded in: counted where they happen, they would
 * each write a shared cache line, the lock waits inside the critical section. */
void safeshm_store_add_tallies(safeshm_store *s, uint64_t hits, uint64_t misses, uint64_t lock_waits);

/* The lock holder hint: set right after acquiring, cleared right before releasing. */
static inline void safeshm_store_set_owner(safeshm_store *s, uint32_t pid)
{
	/* informational under the mutex (which knows its holder itself); the
	 * semaphore's hand-over uses its own atomics on the word (owner_hint) */
	__atomic_store_n(&((safeshm_header *) s->base)->lock_owner, pid, __ATOMIC_RELEASE);
}
uint32_t safeshm_store_owner(const safeshm_store *s);
/* The semaphore id the last holder acquired (semaphore-locked stores). */
void safeshm_store_set_lock_semid(safeshm_store *s, int32_t semid);
int32_t safeshm_store_lock_semid(const safeshm_store *s);
/* The holder's pid word itself, for the semaphore's hand-over (atomics). */
const uint32_t *safeshm_store_owner_hint(const safeshm_store *s);

/* Block size of a record for a key/value (SIZE_MAX when it can never fit):
 * the bytes it needs (safeshm_record_bytes()), rounded up to a step of its
 * size class, never over 17/16 of them (shm_heap.c says why). */
size_t safeshm_record_size(size_t klen, size_t vlen);
/* The bytes a record needs before that rounding (SIZE_MAX the same). */
size_t safeshm_record_bytes(size_t klen, size_t vlen);
/* The smallest segment size that holds entries records of record_bytes in
 * all (each as safeshm_record_size() counts it), the index they need (also
 * while it grows) included: for callers sizing a segment for their data. */
size_t safeshm_store_size_for(uint64_t record_bytes, uint64_t entries);

/* Test hook: called between the steps of a mutation, so a test can
 * SIGKILL a writer (or stop it) at chosen points. NULL in production. */
extern void (*safeshm_store_fault_hook)(const char *where);

const char *safeshm_status_str(safeshm_status st);

#endif
