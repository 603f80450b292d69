/*
 * SafeShm named locks: the state record and the decisions on it (see
 * shm_locks.h). Plain C; locked.
 */
#include "shm_locks.h"

#include <stdlib.h>
#include <string.h>

#define LSTATE_MAGIC 0x314B4C53u /* "SLK1" */
#define LS_PREV_DIED 1u

typedef struct {
	uint32_t magic;
	uint32_t n;      /* entries that follow */
	uint32_t flags;  /* LS_PREV_DIED: an exclusive holder died holding it; told to the next one */
	uint32_t pad;
} lstate_hdr;

_Static_assert(sizeof(lstate_hdr) == 16 && sizeof(safeshm_lock_entry) == 40, "lock state layout");

typedef struct {
	lstate_hdr h;
	safeshm_lock_entry *e;
	uint32_t cap;
} lstate;

static void lstate_free(lstate *ls)
{
	free(ls->e);
	ls->e = NULL;
}

static int lstate_decode(lstate *ls, const unsigned char *p, size_t len)
{
	memset(ls, 0, sizeof(*ls));
	if (len < sizeof(lstate_hdr)) {
		return 0;
	}
	memcpy(&ls->h, p, sizeof(lstate_hdr));
	if (ls->h.magic != LSTATE_MAGIC || ls->h.n > SAFESHM_LOCK_MAX_ENTRIES
			|| len != sizeof(lstate_hdr) + (size_t) ls->h.n * sizeof(safeshm_lock_entry)) {
		return 0;
	}
	ls->cap = ls->h.n + 1u;
	ls->e = malloc(sizeof(safeshm_lock_entry) * ls->cap);
	if (!ls->e) {
		return 0;
	}
	memcpy(ls->e, p + sizeof(lstate_hdr), (size_t) ls->h.n * sizeof(safeshm_lock_entry));
	return 1;
}

int safeshm_named_decode(const void *bytes, size_t len, safeshm_lock_entry **entries, uint32_t *n, uint32_t *flags)
{
	lstate ls;
	if (!lstate_decode(&ls, bytes, len)) {
		return 0;
	}
	*entries = ls.e;
	*n = ls.h.n;
	*flags = ls.h.flags;
	return 1;
}

static safeshm_lock_entry *lstate_add(lstate *ls)
{
	if (ls->h.n >= SAFESHM_LOCK_MAX_ENTRIES) {
		return NULL;
	}
	if (ls->h.n == ls->cap) {
		safeshm_lock_entry *ne = realloc(ls->e, sizeof(safeshm_lock_entry) * (ls->cap + 4u));
		if (!ne) {
			return NULL;
		}
		ls->e = ne;
		ls->cap += 4u;
	}
	return &ls->e[ls->h.n++];
}

static void lstate_drop(lstate *ls, uint32_t i)
{
	ls->e[i] = ls->e[--ls->h.n];
}

/* The state of a lock (empty when there is none). A damaged state record is
 * started afresh rather than refused forever: its holders lose their hold. */
static safeshm_status lstate_load(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash, lstate *ls)
{
	safeshm_view v;
	safeshm_status st = safeshm_store_find(s, ns, key, klen, hash, 0, &v);

	memset(ls, 0, sizeof(*ls));
	ls->h.magic = LSTATE_MAGIC;
	if (st == SAFESHM_NOT_FOUND) {
		return SAFESHM_OK;
	}
	if (st != SAFESHM_OK) {
		return st;
	}
	if (v.type != SAFESHM_T_BINARY || !lstate_decode(ls, v.data, v.len)) {
		memset(ls, 0, sizeof(*ls));
		ls->h.magic = LSTATE_MAGIC;
	}
	return SAFESHM_OK;
}

/* Writes the state back; deletes the record when nothing is left in it. */
static safeshm_status lstate_store(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	lstate *ls, uint64_t now_us)
{
	size_t len = sizeof(lstate_hdr) + (size_t) ls->h.n * sizeof(safeshm_lock_entry);
	unsigned char *buf;
	safeshm_put_req q = { .ns = ns, .key = key, .klen = klen, .hash = hash, .type = SAFESHM_T_BINARY,
		.mode = SAFESHM_PUT_REPLACE };
	safeshm_status st;

	if (ls->h.n == 0 && ls->h.flags == 0) {
		st = safeshm_store_delete(s, ns, key, klen, hash, now_us);
		return st == SAFESHM_NOT_FOUND ? SAFESHM_OK : st;
	}
	buf = malloc(len);
	if (!buf) {
		return SAFESHM_NOMEM;
	}
	memcpy(buf, &ls->h, sizeof(lstate_hdr));
	if (ls->h.n) {
		memcpy(buf + sizeof(lstate_hdr), ls->e, (size_t) ls->h.n * sizeof(safeshm_lock_entry));
	}
	q.val = buf;
	q.vlen = len;
	st = safeshm_store_put(s, &q, now_us);
	free(buf);
	return st;
}

/* When the store has no room to write a lock's smaller state (a release, a
 * waiter leaving), the entry is ended where it stands instead: one aligned
 * 8-byte store into the record (crash-atomic, like an int's increment): a
 * holder's expiry set in the past, a waiter's heartbeat set to zero. The next
 * attempt on the lock purges it. */
static safeshm_status end_in_place(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t token, uint32_t pid, int waiter)
{
	safeshm_view v;
	safeshm_status st = safeshm_store_find(s, ns, key, klen, hash, 0, &v);
	lstate_hdr h;

	if (st != SAFESHM_OK) {
		return st;
	}
	if (v.type != SAFESHM_T_BINARY || v.len < sizeof(h)) {
		return SAFESHM_CORRUPT;
	}
	memcpy(&h, v.data, sizeof(h));
	if (h.magic != LSTATE_MAGIC || v.len != sizeof(h) + (size_t) h.n * sizeof(safeshm_lock_entry)) {
		return SAFESHM_CORRUPT;
	}
	for (uint32_t i = 0; i < h.n; i++) {
		safeshm_lock_entry *e = (safeshm_lock_entry *) (v.data + sizeof(h) + (size_t) i * sizeof(*e));
		if (e->token == token && e->pid == pid && ((e->flags & SAFESHM_LE_WAITER) != 0) == waiter) {
			/* the entries are 8-aligned in an 8-aligned value: one atomic store */
			__atomic_store_n(&e->expires_us, waiter ? 0 : 1, __ATOMIC_RELEASE);
			return SAFESHM_OK;
		}
	}
	return SAFESHM_OK;
}

static int is_mine(const safeshm_lock_entry *e, uint64_t token, uint32_t pid, int waiter)
{
	return e->token == token && e->pid == pid && ((e->flags & SAFESHM_LE_WAITER) != 0) == waiter;
}

safeshm_status safeshm_named_attempt(safeshm_store *s, safeshm_lock_req *r, uint64_t now,
	safeshm_alive_fn alive, void *ctx)
{
	lstate ls;
	int excl_holder = 0, holders = 0, excl_before = 0, waiter_before = 0, mine = -1;
	safeshm_status st = lstate_load(s, r->ns, r->key, r->klen, r->hash, &ls);

	r->granted = 0;
	if (st != SAFESHM_OK) {
		return st;
	}
	/* the gone: TTL ran out (not a death), or the process ended */
	for (uint32_t i = 0; i < ls.h.n; ) {
		safeshm_lock_entry *e = &ls.e[i];
		int waiter = (e->flags & SAFESHM_LE_WAITER) != 0;
		if (!waiter && e->expires_us && e->expires_us <= now) {
			lstate_drop(&ls, i);
			r->purged = 1;
			continue;
		}
		if (!(waiter && is_mine(e, r->ticket, r->pid, 1)) && !alive(e->pid, e->start, ctx)) {
			if (!waiter && !(e->flags & SAFESHM_LE_SHARED)) {
				ls.h.flags |= LS_PREV_DIED;
			}
			lstate_drop(&ls, i);
			r->purged = 1;
			continue;
		}
		i++;
	}
	for (uint32_t i = 0; i < ls.h.n; i++) {
		safeshm_lock_entry *e = &ls.e[i];
		if (!(e->flags & SAFESHM_LE_WAITER)) {
			holders = 1;
			excl_holder |= !(e->flags & SAFESHM_LE_SHARED);
			continue;
		}
		if (is_mine(e, r->ticket, r->pid, 1)) {
			mine = (int) i;
			continue;
		}
		/* an awake waiter that came first keeps its place; a caller without a
		 * ticket comes after every waiter */
		if (now - e->expires_us < SAFESHM_WAITER_STALE_US
				&& (r->ticket == 0 || e->since_us < r->since_us || (e->since_us == r->since_us && e->token < r->ticket))) {
			waiter_before = 1;
			excl_before |= !(e->flags & SAFESHM_LE_SHARED);
		}
	}
	r->granted = r->shared ? !excl_holder && !excl_before : !holders && !waiter_before;
	if (r->granted) {
		safeshm_lock_entry *e;
		if (mine >= 0) {
			lstate_drop(&ls, (uint32_t) mine);
		}
		if (!(e = lstate_add(&ls))) {
			lstate_free(&ls);
			r->granted = 0;
			return SAFESHM_FULL;
		}
		r->token = safeshm_store_next_token(s);
		r->died = (ls.h.flags & LS_PREV_DIED) != 0;
		ls.h.flags &= ~LS_PREV_DIED;
		r->acquired_us = now;
		*e = (safeshm_lock_entry) { .token = r->token, .since_us = now, .expires_us = r->ttl_us ? now + r->ttl_us : 0,
			.start = r->start, .pid = r->pid, .flags = r->shared ? SAFESHM_LE_SHARED : 0 };
	} else if (r->queue) {
		safeshm_lock_entry *e = mine >= 0 ? &ls.e[mine] : NULL;
		if (e && !r->purged && now - e->expires_us < SAFESHM_WAITER_STALE_US / 4u) {
			/* queued, and its heartbeat fresh enough: nothing to write */
			lstate_free(&ls);
			return SAFESHM_OK;
		}
		if (!e) {
			if (!(e = lstate_add(&ls))) {
				lstate_free(&ls);
				return SAFESHM_FULL;
			}
			if (!r->ticket) {
				r->ticket = safeshm_store_next_token(s);
				r->since_us = now;
			}
			*e = (safeshm_lock_entry) { .token = r->ticket, .since_us = r->since_us, .start = r->start, .pid = r->pid,
				.flags = SAFESHM_LE_WAITER | (r->shared ? SAFESHM_LE_SHARED : 0) };
		}
		e->expires_us = now; /* heartbeat */
	} else if (!r->purged) {
		lstate_free(&ls);
		return SAFESHM_OK; /* nothing changed: nothing to write */
	}
	st = lstate_store(s, r->ns, r->key, r->klen, r->hash, &ls, now);
	if (st == SAFESHM_FULL && r->granted && holders == 0) {
		/* a full store: the new state does not fit beside the old one. With
		 * no other holder in it, dropping the old state first loses nothing
		 * a crash in between could hurt (waiters queue again at their next
		 * look); with holders it would, so then the lock is refused. */
		st = safeshm_store_delete(s, r->ns, r->key, r->klen, r->hash, now);
		if (st == SAFESHM_OK || st == SAFESHM_NOT_FOUND) {
			st = lstate_store(s, r->ns, r->key, r->klen, r->hash, &ls, now);
		}
	}
	lstate_free(&ls);
	if (st != SAFESHM_OK) {
		r->granted = 0;
	}
	return st;
}

safeshm_status safeshm_named_release(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t token, uint32_t pid, uint64_t now, int *held)
{
	lstate ls;
	safeshm_status st = lstate_load(s, ns, key, klen, hash, &ls);

	*held = 0;
	if (st != SAFESHM_OK) {
		return st;
	}
	for (uint32_t i = 0; i < ls.h.n; i++) {
		if (is_mine(&ls.e[i], token, pid, 0)) {
			*held = !ls.e[i].expires_us || ls.e[i].expires_us > now;
			lstate_drop(&ls, i);
			/* holds already ended (TTL, or in place) go too: the state may then be empty */
			for (uint32_t j = 0; j < ls.h.n; ) {
				const safeshm_lock_entry *e = &ls.e[j];
				if (!(e->flags & SAFESHM_LE_WAITER) && e->expires_us && e->expires_us <= now) {
					lstate_drop(&ls, j);
				} else {
					j++;
				}
			}
			st = lstate_store(s, ns, key, klen, hash, &ls, now);
			if (st == SAFESHM_FULL) {
				/* no room for the smaller state: end the hold where it stands */
				st = end_in_place(s, ns, key, klen, hash, token, pid, 0);
			}
			break;
		}
	}
	lstate_free(&ls);
	return st;
}

safeshm_status safeshm_named_refresh(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t token, uint32_t pid, uint64_t ttl_us, uint64_t now, int *ok)
{
	lstate ls;
	safeshm_status st = lstate_load(s, ns, key, klen, hash, &ls);

	*ok = 0;
	if (st != SAFESHM_OK) {
		return st;
	}
	for (uint32_t i = 0; i < ls.h.n; i++) {
		safeshm_lock_entry *e = &ls.e[i];
		if (is_mine(e, token, pid, 0) && (!e->expires_us || e->expires_us > now)) {
			e->expires_us = ttl_us ? now + ttl_us : 0;
			st = lstate_store(s, ns, key, klen, hash, &ls, now);
			*ok = st == SAFESHM_OK;
			break;
		}
	}
	lstate_free(&ls);
	return st;
}

safeshm_status safeshm_named_unqueue(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t ticket, uint32_t pid, uint64_t now)
{
	lstate ls;
	safeshm_status st = lstate_load(s, ns, key, klen, hash, &ls);

	if (st != SAFESHM_OK) {
		return st;
	}
	for (uint32_t i = 0; i < ls.h.n; i++) {
		if (is_mine(&ls.e[i], ticket, pid, 1)) {
			lstate_drop(&ls, i);
			st = lstate_store(s, ns, key, klen, hash, &ls, now);
			if (st == SAFESHM_FULL) {
				st = end_in_place(s, ns, key, klen, hash, ticket, pid, 1);
			}
			break;
		}
	}
	lstate_free(&ls);
	return st;
}
