/*
 * SafeShm store: reading layouts 1 and 2 (see shm_migrate.h). Their layout,
 * from the releases that wrote them:
 *
 *   [ header 512 | index A | index B | arena: records, bump-allocated ]
 *
 * Each index holds nslots uint32 slots (offset / 8; 0 empty, 1 tombstone),
 * nslots the largest power of two <= size / 128 (at least 16); header->active
 * names the live copy. A record: magic 'R', type, flags, total, key_len,
 * val_len, hash, expires, version (40 bytes), the value, the key. A compaction
 * moved records down in chunks, journalled in mv_* so that a move a killed
 * writer left can be finished; the index is always the old or the new.
 */
#include "shm_migrate.h"

#include <string.h>

#define OLD_HDR 512u
#define OLD_REC 40u

typedef struct {
	uint32_t magic, version;
	uint64_t size;
	uint32_t header_size, nslots;
	uint64_t index_off[2], arena_off, arena_end, seq, arena_top, used, dead, entries, tombs;
	uint32_t active, removed;
	uint64_t compactions, lock_waits, lock_timeouts, recoveries, writes;
	uint64_t mv_src, mv_dst, mv_len, mv_done;
	uint32_t mv_slot, mv_active, name_len, lock_owner;
	uint8_t name[200];
	int32_t lock_semid;
	uint32_t lock_kind;
	uint8_t reserved[40];
	uint8_t lock_area[64];
} old_header;

typedef struct {
	uint8_t magic, type;
	uint16_t flags;
	uint32_t total, key_len, val_len;
	uint64_t hash, expires, version;
} old_record;

_Static_assert(sizeof(old_header) == OLD_HDR && sizeof(old_record) == OLD_REC, "layouts 1 and 2");

typedef struct {
	uint32_t nslots;
	uint64_t index_off[2], arena_off, arena_end;
} old_geometry;

static void old_geometry_of(size_t size, old_geometry *g)
{
	uint64_t want = size / 128u, n = 16;
	while (n * 2 <= want) {
		n *= 2;
	}
	g->nslots = (uint32_t) n;
	g->index_off[0] = OLD_HDR;
	g->index_off[1] = OLD_HDR + n * 4u;
	g->arena_off = OLD_HDR + 2u * n * 4u;
	g->arena_end = (uint64_t) size & ~(uint64_t) 7u;
}

uint32_t safeshm_old_version(const unsigned char *img, size_t size)
{
	old_header h;
	old_geometry g;

	if (size < SAFESHM_MIN_SIZE) {
		return 0;
	}
	memcpy(&h, img, sizeof(h));
	if (h.magic != SAFESHM_MAGIC || (h.version != 1 && h.version != 2)) {
		return 0;
	}
	old_geometry_of(size, &g);
	if (h.size != size || h.header_size != OLD_HDR || h.nslots != g.nslots || h.index_off[0] != g.index_off[0]
			|| h.index_off[1] != g.index_off[1] || h.arena_off != g.arena_off || h.arena_end != g.arena_end
			|| h.name_len > SAFESHM_MAX_NAME_LEN || h.lock_kind > 1 || (h.version == 1 && h.lock_kind != 0)
			|| g.arena_off >= g.arena_end) {
		return 0;
	}
	return h.version;
}

/* A record at off inside [arena_off, arena_end), with lengths that fit. */
static int old_record_at(const unsigned char *img, const old_geometry *g, uint64_t off, old_record *r)
{
	if ((off & 7u) || off < g->arena_off || off > g->arena_end - OLD_REC) {
		return 0;
	}
	memcpy(r, img + off, sizeof(*r));
	if (r->magic != 0x52u || r->type < SAFESHM_T_STRING || r->type > SAFESHM_T_SERIALIZED || r->key_len == 0
			|| r->key_len > SAFESHM_MAX_KEY_LEN || (r->total & 7u) || r->total > g->arena_end - off
			|| (uint64_t) OLD_REC + r->val_len + r->key_len > r->total) {
		return 0;
	}
	if ((r->type == SAFESHM_T_LONG || r->type == SAFESHM_T_DOUBLE) && r->val_len != 8) {
		return 0;
	}
	if (r->type >= SAFESHM_T_FALSE && r->type <= SAFESHM_T_NULL && r->val_len != 0) {
		return 0;
	}
	return 1;
}

/* Finishes the record move a killed compaction left journalled. */
static void old_finish_move(unsigned char *img, const old_geometry *g, old_header *h)
{
	uint64_t src = h->mv_src, dst = h->mv_dst, len = h->mv_len, done = h->mv_done;
	uint32_t *idx;

	if (len == 0) {
		return;
	}
	if (h->mv_active > 1 || h->mv_slot >= g->nslots || dst < g->arena_off || dst >= src || src > g->arena_end
			|| len > g->arena_end - src || done > len || (len & 7u)) {
		return;
	}
	idx = (uint32_t *) (img + g->index_off[h->mv_active]);
	if ((uint64_t) idx[h->mv_slot] << 3 != src) {
		return;
	}
	/* the chunks went from the start: bytes [done, len) are still at the source */
	memmove(img + dst + done, img + src + done, (size_t) (len - done));
	idx[h->mv_slot] = (uint32_t) (dst >> 3);
	h->mv_len = 0;
}

safeshm_status safeshm_old_read(unsigned char *img, size_t size, safeshm_old_cb cb, void *ctx,
	unsigned char *name, size_t *name_len, uint32_t *lock_kind, uint64_t *skipped)
{
	old_header h;
	old_geometry g;
	const uint32_t *idx;

	*skipped = 0;
	if (!safeshm_old_version(img, size)) {
		return SAFESHM_CORRUPT;
	}
	old_geometry_of(size, &g);
	memcpy(&h, img, sizeof(h));
	old_finish_move(img, &g, &h);
	memcpy(img, &h, sizeof(h));
	memcpy(name, h.name, h.name_len);
	*name_len = h.name_len;
	*lock_kind = h.lock_kind;
	idx = (const uint32_t *) (img + g.index_off[h.active & 1u]);
	for (uint32_t i = 0; i < g.nslots; i++) {
		uint64_t off = (uint64_t) idx[i];
		old_record r;
		safeshm_old_entry e;
		int rc;
		if (off <= 1u) {
			continue;
		}
		off <<= 3;
		if (!old_record_at(img, &g, off, &r)) {
			(*skipped)++;
			continue;
		}
		e.type = (safeshm_type) r.type;
		e.val = img + off + OLD_REC;
		e.val_len = r.val_len;
		e.key = e.val + r.val_len;
		e.key_len = r.key_len;
		rc = cb(&e, ctx);
		if (rc) {
			return (safeshm_status) rc;
		}
	}
	return SAFESHM_OK;
}
