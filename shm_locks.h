/*
 * SafeShm named locks: their state, kept as records of the store (plain C,
 * no PHP; every function here runs under the store's lock).
 *
 * A lock's state is one record in a namespace of its own (SAFESHM_NS_LOCK, or
 * SAFESHM_NS_FLIGHT for remember()'s markers): slots for its holders and its
 * waiters, each with pid, the process's start time (a pid the kernel reuses
 * is another process), a token (0: a free slot) and times. The record is
 * changed in place (safeshm_store_inplace_find), each step one aligned store
 * that a crash may follow: a slot is filled field by field and made an entry
 * by its token last, freed by zeroing its token. Only when no slot is free is
 * the record written anew, with twice the slots (1, 2, 4 ... 4096). When the
 * last entry leaves, a named lock's record (of at most 4 slots) stays idle,
 * marked expired, to be used again in place: the store reclaims it like any
 * expired entry, by its sweep or as soon as a write needs the room; other
 * records are deleted. So an uncontended lock and release write a few words
 * each and allocate nothing. An attempt first purges holders whose TTL ran
 * out and entries whose process is gone (the caller's `alive` callback
 * tells), then grants or queues:
 *  - exclusive: no holder, and no awake waiter queued before the caller;
 *  - shared: no exclusive holder, and no awake exclusive waiter before it (a
 *    waiting writer is not starved by a stream of readers);
 *  - a waiter is awake while it renews its heartbeat (each attempt does);
 *    one asleep (stopped, swapped out) keeps its entry but not its place.
 * A purged exclusive holder leaves a flag the next holder is told
 * (previousHolderDied). Tokens come from the header's counter: strictly
 * increasing over every acquisition of every lock, surviving recovery.
 */
#ifndef SAFESHM_LOCKS_H
#define SAFESHM_LOCKS_H

#include "shm_store.h"

/* Holders and waiters of one lock, at most (beyond: SAFESHM_FULL). */
#define SAFESHM_LOCK_MAX_ENTRIES 4096u
/* A waiter whose heartbeat is older than this is asleep. */
#define SAFESHM_WAITER_STALE_US 250000u

#define SAFESHM_LE_SHARED 1u
#define SAFESHM_LE_WAITER 2u

typedef struct {
	uint64_t token;      /* holders: the fencing token; waiters: their ticket */
	uint64_t since_us;   /* holders: acquired; waiters: waiting since */
	uint64_t expires_us; /* holders: when the TTL ends (0: never); waiters: last heartbeat */
	uint64_t start;      /* the process's start time (0: unknown) */
	uint32_t pid;
	uint32_t flags;      /* SAFESHM_LE_SHARED, SAFESHM_LE_WAITER */
} safeshm_lock_entry;

/* Whether the process pid (started at start) still runs. */
typedef int (*safeshm_alive_fn)(uint32_t pid, uint64_t start, void *ctx);

/* The glue sets every field (php_safeshm_lock_req_init()): one added here is set there too. */
typedef struct {
	/* the lock */
	uint8_t ns;
	const void *key;
	size_t klen;
	uint64_t hash;
	/* the request */
	int shared;
	uint64_t ttl_us;     /* 0: no expiry */
	int queue;           /* register (or renew) a waiter entry when not granted */
	uint32_t pid;        /* who asks */
	uint64_t start;
	uint64_t ticket;     /* in/out: the caller's waiter ticket, 0 before it queued */
	uint64_t since_us;   /* in/out: when it started waiting */
	/* out */
	int granted;
	int died;            /* the previous exclusive holder died holding it */
	int purged;          /* entries went: others may proceed (wake them) */
	uint64_t token;
	uint64_t acquired_us;
} safeshm_lock_req;

safeshm_status safeshm_named_attempt(safeshm_store *s, safeshm_lock_req *r, uint64_t now_us,
	safeshm_alive_fn alive, void *ctx);
/* Removes the hold with token (taken by pid); *held: it was still held,
 * unexpired (0: it had expired, or is not there). */
safeshm_status safeshm_named_release(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t token, uint32_t pid, uint64_t now_us, int *held);
/* Sets a still-held, unexpired hold's TTL to ttl_us from now (0: none); *ok. */
safeshm_status safeshm_named_refresh(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t token, uint32_t pid, uint64_t ttl_us, uint64_t now_us, int *ok);
/* *held: the hold with token (taken by pid) is still there, unexpired. */
safeshm_status safeshm_named_held(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t token, uint32_t pid, uint64_t now_us, int *held);
/* Takes a waiter entry out (it gave up). */
safeshm_status safeshm_named_unqueue(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t ticket, uint32_t pid, uint64_t now_us);

/* Decodes a state record's bytes (as copied out of the store): 1 and a
 * malloc'd array of *n entries (free() it), or 0 when the bytes are not one. */
int safeshm_named_decode(const void *bytes, size_t len, safeshm_lock_entry **entries, uint32_t *n, uint32_t *flags);

#endif
