/*
 * SafeShm store: the mutations (all locked). Each runs inside one mutation
 * bracket (seq odd), so a holder killed anywhere in it is repaired by the
 * next one (shm_recover.c). Publish, then retire: a record is written into
 * a free block and made visible by one store into its index slot; the block
 * of the record it replaces is freed only after that.
 */
#include "shm_store_int.h"

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
	if (type == SAFESHM_T_DOUBLE) {
		/* as PHP's ===: NAN is never identical, -0.0 and 0.0 are */
		double cur, want;
		memcpy(&cur, s->base + off + SAFESHM_REC_HDR, 8);
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

	/* version 0 while the bytes are written; the real one last (see safeshm_store_find) */
	__atomic_store_n(&nr->version, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	nr->b.magic = SAFESHM_BLK_RECORD;
	nr->b.key_len = (uint16_t) q->klen;
	nr->type = (uint8_t) q->type;
	nr->ns = q->ns;
	nr->tag = hash_tag(q->hash);
	nr->val_len = (uint32_t) q->vlen;
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
	__atomic_store_n(&nr->version, next_version(s), __ATOMIC_RELEASE);
	(void) size;
}

static safeshm_status put_locked(safeshm_store *s, safeshm_put_req *q, uint64_t now)
{
	safeshm_header *h = HDR(s);
	keep_t keep = { q, 1 };
	probe_t p;
	safeshm_status st;
	uint64_t off, created, recb;
	unsigned long events;
	int live, found;

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
	events = safeshm_room_events;
	found = st == SAFESHM_OK;
	recb = safeshm_heap_record_size((uint64_t) SAFESHM_REC_HDR + q->vlen + q->klen);
	if (!found) {
		if (!safeshm_room_could_fit(s, recb, now, &keep)) {
			return SAFESHM_FULL; /* not even every free byte holds it: nothing changes */
		}
		st = safeshm_index_reserve(s, 1, recb, now, &keep);
		if (st != SAFESHM_OK) {
			return st;
		}
	}
	off = safeshm_alloc_room(s, recb, now, &keep, &st);
	if (!off) {
		return st;
	}
	if (events != safeshm_room_events) {
		/* making room moved, reclaimed or re-indexed: look again */
		st = safeshm_probe(s, q->ns, q->key, q->klen, q->hash, &p);
		if (st == SAFESHM_CORRUPT || (st == SAFESHM_NOT_FOUND && p.insert == UINT32_MAX)) {
			safeshm_heap_free(s, off);
			return st == SAFESHM_CORRUPT ? st : SAFESHM_FULL;
		}
		live = st == SAFESHM_OK && !expired(p.rec.expires, now);
	} else {
		st = found ? SAFESHM_OK : SAFESHM_NOT_FOUND; /* the lookup above still holds */
	}
	created = live ? p.rec.created : now;
	write_record(s, off, q, created, live && p.rec.updated > now ? p.rec.updated : now);
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
	safeshm_account(s, rec_at(s, off), +1);
	lock_states_count(s, q->ns, q->expires, +1);
	FAULT("put:published");
	if (st == SAFESHM_OK) {
		lock_states_count(s, p.rec.ns, p.rec.expires, -1);
		safeshm_retire(s, p.off, &p.rec);
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
	if (clock_exhausted(s, 1)) {
		return SAFESHM_CORRUPT;
	}
	begin_mutation(s);
	st = put_locked(s, q, now_us);
	if (st == SAFESHM_OK) {
		safeshm_sweep(s, now_us, SWEEP_PER_WRITE);
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
					safeshm_account(s, &r, +1);
					lock_states_count(s, r.ns, r.expires, +1);
					lock_states_count(s, p.rec.ns, p.rec.expires, -1);
					safeshm_retire(s, p.off, &p.rec);
				}
			}
		} else if (st == SAFESHM_NOT_FOUND && p.insert != UINT32_MAX) {
			if (p.slots[p.insert] == SAFESHM_SLOT_TOMB) {
				h->tombs -= h->tombs > 0;
			}
			__atomic_store_n(&p.slots[p.insert], ent[k], __ATOMIC_RELEASE);
			if (retire_old) {
				safeshm_account(s, &r, +1);
				lock_states_count(s, r.ns, r.expires, +1);
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
	if (clock_exhausted(s, n)) {
		return SAFESHM_CORRUPT;
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
	{
		/* a batch that cannot fit changes nothing: no eviction, no index growth */
		uint64_t need = safeshm_heap_block_size(sizeof(safeshm_journal_block) + 4u * n);
		uint32_t slots;
		for (size_t i = 0; i < n; i++) {
			need += safeshm_heap_record_size((uint64_t) SAFESHM_REC_HDR + reqs[i].vlen + reqs[i].klen);
		}
		if (safeshm_index_slots(s, h->index_desc, &slots)
				&& h->entries + h->tombs + more > LOAD_GROW(slots)) {
			need += safeshm_index_bytes((uint32_t) ((h->entries + more) * 8u / 5u + 1u));
		}
		if (!safeshm_room_could_fit(s, need, now_us, &keep)) {
			st = SAFESHM_FULL;
			goto fail;
		}
	}
	if ((st = safeshm_index_reserve(s, more, 0, now_us, &keep)) != SAFESHM_OK) {
		goto fail;
	}
	rebuilds = safeshm_rebuilds;
	joff = safeshm_alloc_room(s, sizeof(safeshm_journal_block) + 4u * n, now_us, &keep, &st);
	if (!joff) {
		goto fail;
	}
	for (got = 0; got < n; got++) {
		offs[got] = safeshm_alloc_room(s, safeshm_heap_record_size((uint64_t) SAFESHM_REC_HDR + reqs[got].vlen + reqs[got].klen),
			now_us, &keep, &st);
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
			uint64_t created = now_us, stamp = now_us;
			if (safeshm_probe(s, reqs[i].ns, reqs[i].key, reqs[i].klen, reqs[i].hash, &p) == SAFESHM_OK
					&& !expired(p.rec.expires, now_us)) {
				created = p.rec.created;
				stamp = p.rec.updated > now_us ? p.rec.updated : now_us;
			}
			write_record(s, offs[i], &reqs[i], created, stamp);
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
	safeshm_sweep(s, now_us, SWEEP_PER_WRITE);
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
	lock_states_count(s, ns, p.rec.expires, -1);
	safeshm_remove_entry(s, p.slots, p.n, p.slot, p.off, &p.rec);
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

	/* no safeshm_check_state(): the probe checks the index, and an int
	 * changed in place touches no counter but writes (a new key goes
	 * through safeshm_store_put(), which checks them) */
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
	if (clock_exhausted(s, 1)) {
		return SAFESHM_CORRUPT;
	}
	begin_mutation(s);
	/* one aligned 8-byte store: a crash leaves the old or the new count */
	__atomic_store_n((int64_t *) (s->base + p.off + SAFESHM_REC_HDR), next, __ATOMIC_RELEASE);
	__atomic_store_n(&r->version, next_version(s), __ATOMIC_RELEASE);
	__atomic_store_n(&r->updated, p.rec.updated > now_us ? p.rec.updated : now_us, __ATOMIC_RELAXED);
	h->writes++;
	end_mutation(s);
	*result = next;
	return SAFESHM_OK;
}

/* Inside a mutation: a new expiry for the record at off (r: its header as
 * read before), with the counters that depend on it. */
static void set_expiry(safeshm_store *s, uint64_t off, const safeshm_record *r, uint64_t expires)
{
	safeshm_header *h = HDR(s);

	__atomic_store_n(&rec_at(s, off)->expires, expires, __ATOMIC_RELEASE);
	if (r->expires == 0 && expires != 0) {
		h->ttl_entries++;
		lock_states_count(s, r->ns, 0, -1);
	} else if (r->expires != 0 && expires == 0) {
		h->ttl_entries -= h->ttl_entries > 0;
		lock_states_count(s, r->ns, 0, +1);
	}
}

safeshm_status safeshm_store_touch(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	uint64_t expires, uint64_t now_us)
{
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
	set_expiry(s, p.off, &p.rec, expires);
	end_mutation(s);
	return SAFESHM_OK;
}

safeshm_status safeshm_store_delete_prefix(safeshm_store *s, uint8_t ns, const void *prefix, size_t plen,
	uint64_t now_us, uint64_t *count)
{
	safeshm_header *h = HDR(s);
	uint32_t n = 0, *slots;
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
		lock_states_count(s, r.ns, r.expires, -1);
		safeshm_remove_entry(s, slots, n, i, off, &r);
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
	safeshm_sweep(s, now_us, max_slots);
	end_mutation(s);
	return SAFESHM_OK;
}

/* ---- records changed in place by their owner (named locks) ----------- */

safeshm_status safeshm_store_inplace_find(safeshm_store *s, uint8_t ns, const void *key, size_t klen, uint64_t hash,
	safeshm_inplace *r)
{
	probe_t p;
	safeshm_status st = safeshm_probe(s, ns, key, klen, hash, &p);

	if (st != SAFESHM_OK) {
		return st;
	}
	/* load_record() checked that the value lies inside the block */
	r->val = s->base + p.off + SAFESHM_REC_HDR;
	r->len = p.rec.val_len;
	r->type = (safeshm_type) p.rec.type;
	r->expires = p.rec.expires;
	r->off = p.off;
	return SAFESHM_OK;
}

void safeshm_store_inplace_begin(safeshm_store *s)
{
	begin_mutation(s);
}

void safeshm_store_inplace_end(safeshm_store *s)
{
	end_mutation(s);
}

void safeshm_store_inplace_expiry(safeshm_store *s, safeshm_inplace *r, uint64_t expires)
{
	safeshm_record old;

	old.ns = rec_at(s, r->off)->ns;
	old.expires = r->expires;
	set_expiry(s, r->off, &old, expires);
	r->expires = expires;
}
