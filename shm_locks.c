/*
 * SafeShm named locks: the state record and the decisions on it (see
 * shm_locks.h). Plain C; locked.
 */
#include "shm_locks.h"

#include <stdlib.h>
#include <string.h>

#define LSTATE_MAGIC 0x324B4C53u /* "SLK2" */
#define LS_PREV_DIED 1u

/* A record of at most this many slots stays, idle, after its last holder or
 * waiter left; a bigger one (a crowd came once) is deleted. */
#define LSTATE_IDLE_MAX_SLOTS 4u
/* An idle record's expiry: long past, so that it counts as expired and the
 * store reclaims it (its sweep, or a write that needs the room). */
#define LSTATE_IDLE_EXPIRES 1u

/* Between the steps of a change in place, as the store's own mutations do. */
#define FAULT(where) do { if (safeshm_store_fault_hook) safeshm_store_fault_hook(where); } while (0)

typedef struct {
	uint32_t magic;
	uint32_t slots;  /* entry slots that follow */
	uint32_t flags;  /* LS_PREV_DIED: an exclusive holder died holding it; told to the next one */
	uint32_t pad;
} lstate_hdr;

_Static_assert(sizeof(lstate_hdr) == 16 && sizeof(safeshm_lock_entry) == 40, "lock state layout");

/* A lock's state record, opened in place. Only the slot count is trusted,
 * and only once checked against the value's length; everything else is
 * read from the segment as it is (hostile bytes make wrong decisions about
 * that lock, never an access outside its record). */
typedef struct {
	safeshm_inplace rec;
	lstate_hdr *h;
	safeshm_lock_entry *e;
	uint32_t slots;
	int found;    /* a valid state record */
	int damaged;  /* a record under the name that is not one */
	int bracket;  /* a mutation bracket is open */
} lstate;

static int slots_ok(uint32_t slots, size_t len)
{
	return slots >= 1u && slots <= SAFESHM_LOCK_MAX_ENTRIES
		&& len == sizeof(lstate_hdr) + (size_t) slots * sizeof(safeshm_lock_entry);
}

static safeshm_status lstate_open(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash, lstate *ls)
{
	safeshm_status st = safeshm_store_inplace_find(s, ns, key, klen, hash, &ls->rec);

	ls->h = NULL;
	ls->e = NULL;
	ls->slots = 0;
	ls->found = ls->damaged = ls->bracket = 0;
	if (st == SAFESHM_NOT_FOUND) {
		return SAFESHM_OK;
	}
	if (st != SAFESHM_OK) {
		return st;
	}
	if (ls->rec.type == SAFESHM_T_BINARY && ls->rec.len >= sizeof(lstate_hdr)) {
		lstate_hdr *h = (lstate_hdr *) ls->rec.val;
		uint32_t slots = __atomic_load_n(&h->slots, __ATOMIC_RELAXED);
		if (h->magic == LSTATE_MAGIC && slots_ok(slots, ls->rec.len)) {
			ls->h = h;
			ls->e = (safeshm_lock_entry *) (ls->rec.val + sizeof(lstate_hdr));
			ls->slots = slots;
			ls->found = 1;
			return SAFESHM_OK;
		}
	}
	ls->damaged = 1;
	return SAFESHM_OK;
}

/* Every change in place runs in one mutation bracket: an expiry change needs
 * it for the counters, and a crash in it makes the next holder recount. */
static void lstate_write(safeshm_store *s, lstate *ls)
{
	if (!ls->bracket) {
		safeshm_store_inplace_begin(s);
		ls->bracket = 1;
	}
}

static void lstate_close(safeshm_store *s, lstate *ls)
{
	if (ls->bracket) {
		safeshm_store_inplace_end(s);
		ls->bracket = 0;
	}
}

static int used(const safeshm_lock_entry *e)
{
	return __atomic_load_n(&e->token, __ATOMIC_RELAXED) != 0;
}

/* Frees a slot: one 8-byte store. */
static void slot_free(safeshm_lock_entry *e)
{
	__atomic_store_n(&e->token, 0, __ATOMIC_RELEASE);
}

/* Fills a free slot: the fields, then the token that makes it an entry (a
 * crash before it leaves the slot free). */
static void slot_fill(safeshm_lock_entry *e, const safeshm_lock_entry *v)
{
	e->since_us = v->since_us;
	e->expires_us = v->expires_us;
	e->start = v->start;
	e->pid = v->pid;
	e->flags = v->flags;
	__atomic_store_n(&e->token, v->token, __ATOMIC_RELEASE);
}

static void flags_set(lstate *ls, uint32_t flags)
{
	__atomic_store_n(&ls->h->flags, flags, __ATOMIC_RELEASE);
}

static int is_mine(const safeshm_lock_entry *e, uint64_t token, uint32_t pid, int waiter)
{
	return token != 0 && e->token == token && e->pid == pid && ((e->flags & SAFESHM_LE_WAITER) != 0) == waiter;
}

/* The slot of this process's entry (a hold, or a place in the queue) with
 * this token; ls->slots when there is none. */
static uint32_t find_mine(const lstate *ls, uint64_t token, uint32_t pid, int waiter)
{
	uint32_t i = 0;
	while (ls->found && i < ls->slots && !(used(&ls->e[i]) && is_mine(&ls->e[i], token, pid, waiter))) {
		i++;
	}
	return ls->found ? i : ls->slots;
}

static uint32_t entries_in_use(const lstate *ls)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < ls->slots; i++) {
		n += used(&ls->e[i]);
	}
	return n;
}

/* Takes the entry in slot `last` out (with the slots in `also`, ended
 * entries that go with it). When nothing is left (no entry, no flag to
 * tell), a named lock keeps a small record idle, to be used again in place:
 * it is marked expired first, then the slots freed, so that a crash in
 * between leaves an idle record (whose dead entry the next look purges),
 * never an empty one nobody reclaims; the store reclaims an idle record like
 * any expired entry, by its sweep or as soon as a write needs the room.
 * Other empty records are deleted. */
static safeshm_status lstate_leave(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	lstate *ls, uint32_t last, uint64_t now)
{
	safeshm_status st;
	uint32_t others = 0;

	for (uint32_t i = 0; i < ls->slots; i++) {
		others += i != last && used(&ls->e[i]);
	}
	lstate_write(s, ls);
	if (others != 0 || __atomic_load_n(&ls->h->flags, __ATOMIC_RELAXED) != 0) {
		slot_free(&ls->e[last]);
		FAULT("lock:freed");
		return SAFESHM_OK;
	}
	if (ns == SAFESHM_NS_LOCK && ls->slots <= LSTATE_IDLE_MAX_SLOTS) {
		if (ls->rec.expires == 0) {
			safeshm_store_inplace_expiry(s, &ls->rec, LSTATE_IDLE_EXPIRES);
			FAULT("lock:idle");
		}
		slot_free(&ls->e[last]);
		return SAFESHM_OK;
	}
	/* one mutation, crash-safe by itself */
	lstate_close(s, ls);
	ls->found = 0;
	st = safeshm_store_delete(s, ns, key, klen, hash, now);
	return st == SAFESHM_NOT_FOUND ? SAFESHM_OK : st;
}

/* Writes the state anew, with add (when not NULL) in a slot of its own: the
 * entries in use, in a record of the next power of two of slots. For a lock
 * that has no record yet, or whose record is full or damaged. */
static safeshm_status lstate_rewrite(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	lstate *ls, const safeshm_lock_entry *add, uint64_t now, int may_drop, uint32_t flags)
{
	uint32_t n = ls->found ? entries_in_use(ls) : 0, slots = 1;
	size_t len;
	unsigned char *buf;
	lstate_hdr h = { .magic = LSTATE_MAGIC, .flags = flags };
	safeshm_lock_entry *e;
	safeshm_put_req q = { .ns = ns, .key = key, .klen = klen, .hash = hash, .type = SAFESHM_T_BINARY,
		.mode = SAFESHM_PUT_REPLACE };
	safeshm_status st;

	if (n + 1u > SAFESHM_LOCK_MAX_ENTRIES) {
		return SAFESHM_FULL;
	}
	while (slots < n + 1u) {
		slots *= 2u;
	}
	h.slots = slots;
	len = sizeof(lstate_hdr) + (size_t) slots * sizeof(safeshm_lock_entry);
	buf = calloc(1, len);
	if (!buf) {
		return SAFESHM_NOMEM;
	}
	memcpy(buf, &h, sizeof(h));
	e = (safeshm_lock_entry *) (buf + sizeof(h));
	for (uint32_t i = 0, k = 0; ls->found && i < ls->slots && k < n; i++) {
		if (used(&ls->e[i])) {
			e[k++] = ls->e[i];
		}
	}
	e[n] = *add;
	q.val = buf;
	q.vlen = len;
	lstate_close(s, ls);
	ls->found = 0; /* the put may move records: the old view is gone */
	st = safeshm_store_put(s, &q, now);
	if (st == SAFESHM_FULL && may_drop) {
		/* a full store: the new state does not fit beside the old one. With
		 * no other holder in it, dropping the old state first loses nothing
		 * a crash in between could hurt (waiters queue again at their next
		 * look); with holders it would, so then the lock is refused. */
		st = safeshm_store_delete(s, ns, key, klen, hash, now);
		if (st == SAFESHM_OK || st == SAFESHM_NOT_FOUND) {
			st = safeshm_store_put(s, &q, now);
		}
	}
	free(buf);
	return st;
}

safeshm_status safeshm_named_attempt(safeshm_store *s, safeshm_lock_req *r, uint64_t now,
	safeshm_alive_fn alive, void *ctx)
{
	lstate ls;
	int excl_holder = 0, holders = 0, excl_before = 0, waiter_before = 0, mine = -1, free_slot = -1;
	uint64_t gone[SAFESHM_LOCK_MAX_ENTRIES / 64u];
	safeshm_lock_entry add;
	safeshm_status st = lstate_open(s, r->ns, r->key, r->klen, r->hash, &ls);

	r->granted = 0;
	if (st != SAFESHM_OK) {
		return st;
	}
	/* first without writing: the gone (TTL ran out, which is no death, or
	 * the process ended), and what the others mean for us */
	memset(gone, 0, sizeof(uint64_t) * ((ls.slots + 63u) / 64u));
	for (uint32_t i = 0; ls.found && i < ls.slots; i++) {
		safeshm_lock_entry *e = &ls.e[i];
		int waiter;
		if (!used(e)) {
			if (free_slot < 0) {
				free_slot = (int) i;
			}
			continue;
		}
		waiter = (e->flags & SAFESHM_LE_WAITER) != 0;
		if ((!waiter && e->expires_us && e->expires_us <= now)
				|| (!(waiter && is_mine(e, r->ticket, r->pid, 1)) && !alive(e->pid, e->start, ctx))) {
			gone[i / 64u] |= (uint64_t) 1 << (i % 64u);
			r->purged = 1;
			if (free_slot < 0) {
				free_slot = (int) i;
			}
			continue;
		}
		if (!waiter) {
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
		/* (a heartbeat after now, renewed since the caller read its clock
		 * before it took the lock, is awake: no unsigned wrap-around) */
		if (e->expires_us + SAFESHM_WAITER_STALE_US > now
				&& (r->ticket == 0 || e->since_us < r->since_us || (e->since_us == r->since_us && e->token < r->ticket))) {
			waiter_before = 1;
			excl_before |= !(e->flags & SAFESHM_LE_SHARED);
		}
	}
	r->granted = r->shared ? !excl_holder && !excl_before : !holders && !waiter_before;
	/* the token (or the ticket) first: whatever a crash leaves below, no
	 * token handed out can come again */
	if (r->granted) {
		r->token = safeshm_store_next_token(s);
		r->acquired_us = now;
		add = (safeshm_lock_entry) { .token = r->token, .since_us = now, .expires_us = r->ttl_us ? now + r->ttl_us : 0,
			.start = r->start, .pid = r->pid, .flags = r->shared ? SAFESHM_LE_SHARED : 0 };
	} else if (r->queue && mine < 0) {
		if (!r->ticket) {
			r->ticket = safeshm_store_next_token(s);
			r->since_us = now;
		}
		add = (safeshm_lock_entry) { .token = r->ticket, .since_us = r->since_us, .expires_us = now, .start = r->start,
			.pid = r->pid, .flags = SAFESHM_LE_WAITER | (r->shared ? SAFESHM_LE_SHARED : 0) };
	}
	/* then the purges, each one slot */
	for (uint32_t i = 0; r->purged && i < ls.slots; i++) {
		safeshm_lock_entry *e = &ls.e[i];
		if (!(gone[i / 64u] & ((uint64_t) 1 << (i % 64u)))) {
			continue;
		}
		lstate_write(s, &ls);
		/* a dead exclusive holder: told to the next one (its TTL running
		 * out is no death) */
		if (!(e->flags & (SAFESHM_LE_WAITER | SAFESHM_LE_SHARED)) && !(e->expires_us && e->expires_us <= now)) {
			flags_set(&ls, ls.h->flags | LS_PREV_DIED);
		}
		slot_free(e);
		FAULT("lock:purged");
	}
	if (r->granted) {
		if (mine >= 0) {
			/* our waiter entry becomes the hold: freed first, so that a crash
			 * in between leaves no half of each */
			lstate_write(s, &ls);
			slot_free(&ls.e[mine]);
			FAULT("lock:unqueued");
			free_slot = mine;
		}
		if (ls.found && free_slot >= 0) {
			uint32_t flags = __atomic_load_n(&ls.h->flags, __ATOMIC_RELAXED);
			lstate_write(s, &ls);
			if (ls.rec.expires != 0) {
				safeshm_store_inplace_expiry(s, &ls.rec, 0); /* idle no more */
				FAULT("lock:active");
			}
			slot_fill(&ls.e[free_slot], &add);
			FAULT("lock:filled");
			/* told once, after the hold is in: a crash between the two leaves
			 * the flag for whoever purges the dead new holder */
			r->died = (flags & LS_PREV_DIED) != 0;
			if (r->died) {
				flags_set(&ls, flags & ~LS_PREV_DIED);
				FAULT("lock:told");
			}
			lstate_close(s, &ls);
			return SAFESHM_OK;
		}
		/* no record, no free slot, or a damaged record (started afresh: its
		 * holders lose their hold); the flag is told with the new record */
		{
			uint32_t flags = ls.found ? __atomic_load_n(&ls.h->flags, __ATOMIC_RELAXED) : 0;
			r->died = (flags & LS_PREV_DIED) != 0;
			st = lstate_rewrite(s, r->ns, r->key, r->klen, r->hash, &ls, &add, now, holders == 0, flags & ~LS_PREV_DIED);
		}
		if (st != SAFESHM_OK) {
			r->granted = 0;
			r->died = 0;
		}
		return st;
	}
	if (r->queue) {
		if (mine >= 0) {
			__atomic_store_n(&ls.e[mine].expires_us, now, __ATOMIC_RELEASE); /* heartbeat */
			lstate_close(s, &ls);
			return SAFESHM_OK;
		}
		if (ls.found && free_slot >= 0) {
			lstate_write(s, &ls);
			if (ls.rec.expires != 0) {
				safeshm_store_inplace_expiry(s, &ls.rec, 0);
				FAULT("lock:active");
			}
			slot_fill(&ls.e[free_slot], &add);
			FAULT("lock:filled");
			lstate_close(s, &ls);
			return SAFESHM_OK;
		}
		return lstate_rewrite(s, r->ns, r->key, r->klen, r->hash, &ls, &add, now, 0,
			ls.found ? __atomic_load_n(&ls.h->flags, __ATOMIC_RELAXED) : 0);
	}
	/* not granted: someone holds it or waits for it, so it is not empty */
	lstate_close(s, &ls);
	return SAFESHM_OK;
}

safeshm_status safeshm_named_release(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t token, uint32_t pid, uint64_t now, int *held)
{
	lstate ls;
	safeshm_status st = lstate_open(s, ns, key, klen, hash, &ls);

	*held = 0;
	if (st != SAFESHM_OK) {
		return st;
	}
	uint32_t i = find_mine(&ls, token, pid, 0);
	if (i < ls.slots) {
		safeshm_lock_entry *e = &ls.e[i];
		*held = !e->expires_us || e->expires_us > now;
		/* holds already ended (TTL) go too: the state may then be empty */
		for (uint32_t j = 0; j < ls.slots; j++) {
			safeshm_lock_entry *o = &ls.e[j];
			if (j != i && used(o) && !(o->flags & SAFESHM_LE_WAITER) && o->expires_us && o->expires_us <= now) {
				lstate_write(s, &ls);
				slot_free(o);
				FAULT("lock:purged");
			}
		}
		st = lstate_leave(s, ns, key, klen, hash, &ls, i, now);
	}
	lstate_close(s, &ls);
	return st;
}

safeshm_status safeshm_named_refresh(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t token, uint32_t pid, uint64_t ttl_us, uint64_t now, int *ok)
{
	lstate ls;
	safeshm_status st = lstate_open(s, ns, key, klen, hash, &ls);

	*ok = 0;
	if (st != SAFESHM_OK) {
		return st;
	}
	uint32_t i = find_mine(&ls, token, pid, 0);
	if (i < ls.slots && (!ls.e[i].expires_us || ls.e[i].expires_us > now)) {
		/* one 8-byte store */
		__atomic_store_n(&ls.e[i].expires_us, ttl_us ? now + ttl_us : 0, __ATOMIC_RELEASE);
		*ok = 1;
	}
	return SAFESHM_OK;
}

safeshm_status safeshm_named_held(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t token, uint32_t pid, uint64_t now, int *held)
{
	lstate ls;
	safeshm_status st = lstate_open(s, ns, key, klen, hash, &ls);

	*held = 0;
	if (st != SAFESHM_OK) {
		return st;
	}
	uint32_t i = find_mine(&ls, token, pid, 0);
	if (i < ls.slots) {
		*held = !ls.e[i].expires_us || ls.e[i].expires_us > now;
	}
	return SAFESHM_OK;
}

safeshm_status safeshm_named_unqueue(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t ticket, uint32_t pid, uint64_t now)
{
	lstate ls;
	safeshm_status st = lstate_open(s, ns, key, klen, hash, &ls);

	if (st != SAFESHM_OK) {
		return st;
	}
	uint32_t i = find_mine(&ls, ticket, pid, 1);
	if (i < ls.slots) {
		st = lstate_leave(s, ns, key, klen, hash, &ls, i, now);
	}
	lstate_close(s, &ls);
	return st;
}

int safeshm_named_decode(const void *bytes, size_t len, safeshm_lock_entry **entries, uint32_t *n, uint32_t *flags)
{
	lstate_hdr h;
	const unsigned char *p = bytes;
	safeshm_lock_entry *out;
	uint32_t k = 0;

	if (len < sizeof(h)) {
		return 0;
	}
	memcpy(&h, p, sizeof(h));
	if (h.magic != LSTATE_MAGIC || !slots_ok(h.slots, len)) {
		return 0;
	}
	out = malloc(sizeof(*out) * h.slots);
	if (!out) {
		return 0;
	}
	for (uint32_t i = 0; i < h.slots; i++) {
		memcpy(&out[k], p + sizeof(h) + (size_t) i * sizeof(*out), sizeof(*out));
		k += out[k].token != 0;
	}
	*entries = out;
	*n = k;
	*flags = h.flags;
	return 1;
}
