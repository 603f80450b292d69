/*
 * SafeShm glue: migrating a store of an older layout (1 or 2) to layout 3,
 * when a process of this release first attaches it, under the formatting
 * semaphore every attacher takes. No entry is lost, and a migration killed
 * at any point is finished by the next attacher:
 *
 *   1. the whole old segment is copied into a backup segment (under a key
 *      derived from the store's), marked as the backup of this key;
 *   2. the store is formatted in place as layout 3 and left marked
 *      "formatting" while every entry of the backup is put into it;
 *   3. the mark is lifted, then the backup is removed.
 *
 * Killed during 1: the store is still the old one; the backup is made again.
 * Killed during 2: the store says "formatting" and a backup exists: 2 again.
 * Killed after 3 but before the backup went: the store is whole; the backup
 * is removed. The entries go in with their types; TTLs and versions did not
 * exist before layout 3.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"

#include <errno.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "safeshm_internal.h"
#include "shm_migrate.h"

/* The backup segment's key: derived from the store's, never equal to it. */
static key_t php_safeshm_backup_key(key_t key)
{
	key_t b = safeshm_lock_key((key_t) ((uint32_t) key ^ 0x6B636142u)); /* "Back" */
	return b == key ? (key_t) ((uint32_t) b ^ 0x10000u) : b;
}

typedef struct {
	safeshm_store *s;
	uint64_t now;
	safeshm_status st;
	uint64_t moved;
} php_safeshm_mig_ctx;

static int php_safeshm_mig_put(const safeshm_old_entry *e, void *ctx)
{
	php_safeshm_mig_ctx *m = ctx;
	safeshm_put_req q = { .ns = SAFESHM_NS_DATA, .key = e->key, .klen = e->key_len,
		.hash = safeshm_key_hash(SAFESHM_NS_DATA, e->key, e->key_len), .type = e->type, .val = e->val,
		.vlen = e->val_len, .mode = SAFESHM_PUT_REPLACE };
	m->st = safeshm_store_put(m->s, &q, m->now);
	if (m->st != SAFESHM_OK) {
		return (int) m->st;
	}
	m->moved++;
	return 0;
}

static int php_safeshm_mig_count(const safeshm_old_entry *e, void *ctx)
{
	(void) e;
	(*(uint64_t *) ctx)++;
	return 0;
}

/* The backup is the old segment's bytes exactly, followed by this trailer: who
 * it belongs to (written first), and whether the copy is complete (last). */
#define PHP_SAFESHM_BACKUP_TRAILER 64u
typedef struct {
	char magic[16];     /* "SafeShm-backup" */
	int32_t key;
	uint32_t complete;
	uint64_t size;
} php_safeshm_backup_trailer;

static const char php_safeshm_backup_magic[16] = "SafeShm-backup";

/* 1: the backup of key's store (complete or not); 0: not ours; -1: a segment of
 * exactly a backup's size with no trailer yet (a migration killed right after
 * making it). */
static int php_safeshm_backup_of(const unsigned char *img, size_t bsize, key_t key, size_t size)
{
	php_safeshm_backup_trailer t;
	static const unsigned char zero[sizeof(t)];

	if (bsize != size + PHP_SAFESHM_BACKUP_TRAILER) {
		return 0;
	}
	memcpy(&t, img + size, sizeof(t));
	if (memcmp(&t, zero, sizeof(t)) == 0) {
		return -1;
	}
	return memcmp(t.magic, php_safeshm_backup_magic, sizeof(t.magic)) == 0 && t.key == (int32_t) key && t.size == size;
}

static size_t php_safeshm_seg_size(int id)
{
	struct shmid_ds ds;
	return shmctl(id, IPC_STAT, &ds) == 0 ? ds.shm_segsz : 0;
}

int php_safeshm_upgrade(php_safeshm_attachment *a, int perms, char **why)
{
	unsigned char *base = a->store.base, *img;
	size_t size = a->store.size;
	uint32_t magic = __atomic_load_n(&((safeshm_header *) base)->magic, __ATOMIC_ACQUIRE);
	key_t bkey = php_safeshm_backup_key(a->key);
	int bid = shmget(bkey, 0, 0);
	unsigned char name[SAFESHM_MAX_NAME_LEN];
	size_t name_len = 0;
	uint32_t kind = 0;
	uint64_t skipped = 0, count = 0;
	php_safeshm_mig_ctx m = {0};
	php_safeshm_backup_trailer *t;
	safeshm_status st;

	*why = NULL;
	if (magic == SAFESHM_MAGIC && safeshm_store_layout_version(&a->store) == SAFESHM_LAYOUT_VERSION) {
		if (bid >= 0) {
			/* a migration that finished but was killed before removing its backup */
			img = shmat(bid, NULL, SHM_RDONLY);
			if (img != (void *) -1) {
				if (php_safeshm_backup_of(img, php_safeshm_seg_size(bid), a->key, size) == 1) {
					shmctl(bid, IPC_RMID, NULL);
				}
				shmdt(img);
			}
		}
		return 0;
	}
	if (magic == SAFESHM_MAGIC && safeshm_old_version(base, size)) {
		/* 1. the backup; one an unfinished attempt left (the store is still the old one) is made again */
		if (bid >= 0) {
			int ours;
			img = shmat(bid, NULL, SHM_RDONLY);
			ours = img == (void *) -1 ? 0 : php_safeshm_backup_of(img, php_safeshm_seg_size(bid), a->key, size);
			if (img != (void *) -1) {
				shmdt(img);
			}
			if (!ours) {
				spprintf(why, 0, "its backup key 0x%08x is in use by another segment", (unsigned) bkey);
				return -1;
			}
			shmctl(bid, IPC_RMID, NULL);
		}
		bid = shmget(bkey, size + PHP_SAFESHM_BACKUP_TRAILER, IPC_CREAT | IPC_EXCL | (perms & 0777) | 0600);
		if (bid < 0) {
			spprintf(why, 0, "cannot create its backup segment 0x%08x: %s", (unsigned) bkey, strerror(errno));
			return -1;
		}
		img = shmat(bid, NULL, 0);
		if (img == (void *) -1) {
			spprintf(why, 0, "cannot attach its backup segment: %s", strerror(errno));
			shmctl(bid, IPC_RMID, NULL);
			return -1;
		}
		t = (php_safeshm_backup_trailer *) (img + size);
		memcpy(t->magic, php_safeshm_backup_magic, sizeof(t->magic));
		t->key = (int32_t) a->key;
		t->size = size;
		memcpy(img, base, size);
		__atomic_store_n(&t->complete, 1u, __ATOMIC_RELEASE);
	} else if (magic == SAFESHM_MAGIC_FORMATTING && bid >= 0) {
		img = shmat(bid, NULL, 0);
		if (img == (void *) -1) {
			return 0;
		}
		t = (php_safeshm_backup_trailer *) (img + size);
		if (php_safeshm_backup_of(img, php_safeshm_seg_size(bid), a->key, size) != 1 || !t->complete) {
			shmdt(img);
			return 0; /* a creator died formatting: open() formats it afresh */
		}
	} else {
		return 0;
	}

	/* 2. layout 3 in place, marked "formatting" until every entry is in */
	st = safeshm_old_read(img, size, php_safeshm_mig_count, &count, name, &name_len, &kind, &skipped);
	if (st != SAFESHM_OK) {
		shmdt(img);
		*why = estrdup("its old layout is damaged; its backup segment is kept");
		return -1;
	}
	if (kind == SAFESHM_LOCK_KIND_MUTEX && !safeshm_lock_mutex_supported()) {
		kind = SAFESHM_LOCK_KIND_SEMAPHORE;
	}
	st = safeshm_store_format(&a->store, (const char *) name, name_len, kind,
		kind == SAFESHM_LOCK_KIND_MUTEX ? safeshm_lock_mutex_init : NULL, php_safeshm_now_us());
	if (st == SAFESHM_OK) {
		m = (php_safeshm_mig_ctx) { .s = &a->store, .now = php_safeshm_now_us(), .st = SAFESHM_OK };
		st = safeshm_old_read(img, size, php_safeshm_mig_put, &m, name, &name_len, &kind, &skipped);
	}
	if (st != SAFESHM_OK) {
		/* does not fit in layout 3 (or worse): the old store comes back as it was, byte for byte */
		memcpy(base, img, size);
		shmdt(img);
		shmctl(bid, IPC_RMID, NULL);
		spprintf(why, 0, "its %" PRIu64 " entries do not fit in layout 3 (%s): recreate it bigger and copy them "
			"with an older release", count, safeshm_status_str(st));
		return -1;
	}
	/* 3. whole: publish it, then drop the backup */
	safeshm_store_publish(&a->store);
	shmdt(img);
	shmctl(bid, IPC_RMID, NULL);
	if (skipped) {
		/* said by the caller once the lock is released: no warning under it */
		spprintf(why, 0, "migrated to layout 3 with %" PRIu64 " entries; %" PRIu64
			" damaged records of the old layout were left out", m.moved, skipped);
	}
	return 1;
}
