/*
 * SafeShm store: a length-prefixed, compacting key-value arena inside one
 * shared-memory segment. Plain C, no PHP: the caller maps the segment and
 * holds the lock (sem_lock.h) around every function documented "locked".
 *
 * Segment layout (all offsets from the segment start, all 8-byte aligned):
 *
 *   [ header | index A | index B | arena ........................ ]
 *
 * The index is an open-addressing hash table of uint32_t slots holding a
 * record's offset / 8 (0 = empty, 1 = tombstone), one slot per 128 bytes. Two copies exist; header->active selects one,
 * so that a rebuild can be written beside the live table and published by
 * a single store. A record becomes visible through one aligned 4-byte store
 * into the active index; only then is the old one counted as dead.
 *
 * Crash consistency: every mutation makes header->seq odd first and even
 * last. A lock holder that finds it odd knows the previous holder died
 * mid-mutation and calls safeshm_store_recover(), which finishes an
 * interrupted record move (journalled) and rebuilds everything else from
 * the index, the only structure that is always either old or new.
 *
 * The same seq makes lock-free reads possible: read it, look up and copy,
 * read it again; every offset met on the way is bounds-checked first, so a
 * torn read is retried, never a crash.
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

#define SAFESHM_MAGIC          0x4D485346u /* "FSHM" */
#define SAFESHM_LAYOUT_VERSION 2u        /* 2: lock_kind and lock_area in the header */
#define SAFESHM_LAYOUT_VERSION_MIN 1u    /* 1: always SysV-semaphore locked; still opened */
#define SAFESHM_REC_MAGIC      0x52u       /* 'R' */

#define SAFESHM_HEADER_SIZE    512u
#define SAFESHM_MIN_SIZE       4096u
#define SAFESHM_MAX_SIZE       ((uint64_t) UINT32_MAX * 8u) /* slots hold offset/8 in 32 bits */
#define SAFESHM_MAX_KEY_LEN    4096u
#define SAFESHM_MAX_NAME_LEN   200u

#define SAFESHM_SLOT_EMPTY     0u
#define SAFESHM_SLOT_TOMB      1u

/* Value types, as stored. */
typedef enum {
	SAFESHM_T_STRING = 1,
	SAFESHM_T_LONG = 2,
	SAFESHM_T_DOUBLE = 3,
	SAFESHM_T_FALSE = 4,
	SAFESHM_T_TRUE = 5,
	SAFESHM_T_NULL = 6,
	SAFESHM_T_SERIALIZED = 7,
	SAFESHM_T_MAX = 7
} safeshm_type;

typedef enum {
	SAFESHM_OK = 0,
	SAFESHM_NOT_FOUND,
	SAFESHM_EXISTS,     /* add(): key present */
	SAFESHM_FULL,       /* does not fit even after compaction */
	SAFESHM_CORRUPT,    /* an offset, length or counter fails validation */
	SAFESHM_FOREIGN,    /* not a SafeShm segment: bytes left untouched */
	SAFESHM_VERSION,    /* a SafeShm segment of another layout version */
	SAFESHM_NAME,       /* segment belongs to another name */
	SAFESHM_TOO_SMALL,  /* segment smaller than SAFESHM_MIN_SIZE */
	SAFESHM_NOT_LONG,   /* increment() on a value that is not an int */
	SAFESHM_OVERFLOW,   /* increment() would overflow int64 */
	SAFESHM_NOMEM,      /* process-local allocation failed */
	SAFESHM_RETRY,      /* optimistic read raced with a writer */
	SAFESHM_REMOVED     /* segment was removed by remove() */
} safeshm_status;

/* On-segment header: fixed-width fields, layout pinned by a static assert. */
typedef struct {
	uint32_t magic;
	uint32_t version;
	uint64_t size;          /* segment size at format time */
	uint32_t header_size;
	uint32_t nslots;        /* slots per index copy, a power of two */
	uint64_t index_off[2];
	uint64_t arena_off;
	uint64_t arena_end;
	uint64_t seq;           /* odd while a mutation is in progress */
	uint64_t arena_top;     /* first byte never written since compaction */
	uint64_t used;          /* bytes of live records */
	uint64_t dead;          /* bytes of replaced/deleted records below arena_top */
	uint64_t entries;       /* live entries */
	uint64_t tombs;         /* tombstones in the active index */
	uint32_t active;        /* 0 or 1: the index copy readers use */
	uint32_t removed;       /* set by remove() before IPC_RMID */
	uint64_t compactions;
	uint64_t lock_waits;
	uint64_t lock_timeouts;
	uint64_t recoveries;
	uint64_t writes;
	/* journal of the one record move a compaction may have in flight */
	uint64_t mv_src;
	uint64_t mv_dst;
	uint64_t mv_len;
	uint64_t mv_done;
	uint32_t mv_slot;
	uint32_t mv_active;
	uint32_t name_len;
	uint32_t lock_owner;    /* pid of the lock holder, 0 when free: checked before repairing */
	uint8_t  name[SAFESHM_MAX_NAME_LEN];
	int32_t  lock_semid;    /* the semaphore the lock holder took: SEM_UNDO vouches only for that one */
	uint32_t lock_kind;     /* how mutations are locked (sem_lock.h): 0 SysV semaphore, 1 robust mutex */
	uint8_t  reserved[40];
	/* the robust mutex when lock_kind is 1; the store never reads it */
	uint8_t  lock_area[SAFESHM_HEADER_SIZE - 208 - SAFESHM_MAX_NAME_LEN - 40];
} safeshm_header;

#define SAFESHM_STORE_LOCK_KINDS 2u

/* On-segment record header; key and value follow, then padding to 8. */
typedef struct {
	uint8_t  magic;
	uint8_t  type;
	uint16_t flags;         /* reserved */
	uint32_t total;         /* record size including padding, multiple of 8 */
	uint32_t key_len;
	uint32_t val_len;
	uint64_t hash;
	uint64_t expires;       /* reserved for per-entry TTL; 0 = never */
	uint64_t version;       /* reserved for compare-and-swap */
	/* value (8-aligned, so an int can be updated in place), then key */
} safeshm_record;

#define SAFESHM_REC_HDR ((uint32_t) sizeof(safeshm_record))

/* A process-local view of a mapped segment. */
typedef struct {
	unsigned char *base;
	size_t size;            /* the real segment size, from the system */
	/* geometry derived from size alone: never read back from the segment */
	uint32_t nslots;
	uint64_t index_off[2];
	uint64_t arena_off;
	uint64_t arena_end;
} safeshm_store;

/* A value as found in the segment: points into it, valid while locked
 * (or until the optimistic read is confirmed). */
typedef struct {
	safeshm_type type;
	const unsigned char *data;
	size_t len;
	const unsigned char *key;
	size_t key_len;
} safeshm_view;

typedef struct {
	uint64_t size, used, free, dead, entries, max_entries, tombs;
	uint64_t compactions, lock_waits, lock_timeouts, recoveries, writes;
	uint64_t arena_size, index_bytes;
} safeshm_stats;

typedef int (*safeshm_iter_cb)(const safeshm_view *entry, void *ctx);

uint64_t safeshm_hash(const void *key, size_t len);

/* Binds a mapping; no validation, no writes. */
void safeshm_store_bind(safeshm_store *s, void *base, size_t size);

/* Returns 1 when every byte of the segment is zero (a segment nobody has formatted). */
int safeshm_store_is_blank(const safeshm_store *s);

/* locked: formats a blank segment, or validates an existing one (magic,
 * version, geometry, name). A non-blank foreign segment is never written. */
safeshm_status safeshm_store_open(safeshm_store *s, const char *name, size_t name_len);
/* The same; a blank segment is formatted for lock_kind, and init_lock (when
 * not NULL) prepares the header's lock area before the magic publishes the
 * store, so no process can ever lock an uninitialised mutex. A non-zero
 * return from init_lock leaves the segment blank and gives SAFESHM_NOMEM. */
safeshm_status safeshm_store_open_as(safeshm_store *s, const char *name, size_t name_len,
	uint32_t lock_kind, int (*init_lock)(void *area));
/* The lock kind of a store that passed safeshm_store_check_header(). */
uint32_t safeshm_store_lock_kind(const safeshm_store *s);
void *safeshm_store_lock_area(const safeshm_store *s);

/* Cheap header check used on every operation; no writes. */
safeshm_status safeshm_store_check_header(const safeshm_store *s);

/* locked: 1 when the previous holder died mid-mutation. */
int safeshm_store_needs_recovery(const safeshm_store *s);
/* locked: repairs after a crashed holder; keeps every intact entry. */
safeshm_status safeshm_store_recover(safeshm_store *s);

/* Reading. find() is safe both locked and optimistic (every offset checked). */
safeshm_status safeshm_store_find(const safeshm_store *s, const void *key, size_t klen, uint64_t hash, safeshm_view *out);
uint64_t safeshm_store_read_begin(const safeshm_store *s);
int safeshm_store_read_valid(const safeshm_store *s, uint64_t seq);

/* locked mutations */
typedef enum { SAFESHM_PUT_REPLACE = 0, SAFESHM_PUT_ADD = 1 } safeshm_put_mode;
safeshm_status safeshm_store_put(safeshm_store *s, const void *key, size_t klen, uint64_t hash,
	safeshm_type type, const void *val, size_t vlen, safeshm_put_mode mode);
safeshm_status safeshm_store_delete(safeshm_store *s, const void *key, size_t klen, uint64_t hash);
safeshm_status safeshm_store_increment(safeshm_store *s, const void *key, size_t klen, uint64_t hash,
	int64_t by, int64_t *result);
safeshm_status safeshm_store_clear(safeshm_store *s);
safeshm_status safeshm_store_compact(safeshm_store *s);
safeshm_status safeshm_store_iterate(const safeshm_store *s, safeshm_iter_cb cb, void *ctx);
safeshm_status safeshm_store_verify(const safeshm_store *s);
safeshm_status safeshm_store_stats(const safeshm_store *s, safeshm_stats *st);
void safeshm_store_mark_removed(safeshm_store *s);
int safeshm_store_is_removed(const safeshm_store *s);

/* Lock statistics live in the header; these are atomic, usable unlocked,
 * and do nothing on a header that fails validation. */
void safeshm_store_count_lock_wait(safeshm_store *s);
void safeshm_store_count_lock_timeout(safeshm_store *s);

/* The lock holder hint: set right after acquiring, cleared right before releasing. */
void safeshm_store_set_owner(safeshm_store *s, uint32_t pid);
/* The semaphore id the last holder acquired. */
void safeshm_store_set_lock_semid(safeshm_store *s, int32_t semid);
int32_t safeshm_store_lock_semid(const safeshm_store *s);
const uint32_t *safeshm_store_owner_hint(const safeshm_store *s);

/* Record size for a key/value, for callers that want to pre-check. */
size_t safeshm_record_size(size_t klen, size_t vlen);

/* Test hook: called between the steps of a mutation, so a test can
 * SIGKILL a writer at chosen points. NULL in production. */
extern void (*safeshm_store_fault_hook)(const char *where);

const char *safeshm_status_str(safeshm_status st);

#endif
