/*
 * SafeShm store: reading segments of layouts 1 and 2 (the layouts before the
 * block heap), so that a store made by an older release is migrated to
 * layout 3 with its entries. Plain C, no PHP. The glue copies the old
 * segment into a backup segment first and reads that copy, so a migration
 * killed halfway is simply done again from the backup.
 */
#ifndef SAFESHM_MIGRATE_H
#define SAFESHM_MIGRATE_H

#include "shm_store.h"

/* One entry of an old segment (pointers into the image). */
typedef struct {
	safeshm_type type;
	const unsigned char *key, *val;
	size_t key_len, val_len;
} safeshm_old_entry;

typedef int (*safeshm_old_cb)(const safeshm_old_entry *e, void *ctx);

/* The layout version of an old segment (1 or 2), or 0 when the bytes are not
 * one (a layout-3 segment included). */
uint32_t safeshm_old_version(const unsigned char *img, size_t size);

/*
 * Reads an old segment's image (a private copy, which this may change):
 * validates its header, finishes a record move a killed writer left
 * journalled, and calls cb for every entry the active index holds (records
 * that fail validation are skipped and counted in *skipped). Its name is
 * copied to name (SAFESHM_MAX_NAME_LEN bytes) and *name_len; its lock kind to
 * *lock_kind. A non-zero return from cb stops with that status.
 */
safeshm_status safeshm_old_read(unsigned char *img, size_t size, safeshm_old_cb cb, void *ctx,
	unsigned char *name, size_t *name_len, uint32_t *lock_kind, uint64_t *skipped);

#endif
