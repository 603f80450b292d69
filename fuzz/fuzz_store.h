/*
 * fuzz_store's parts shared by its two files: the driver (fuzz_store.c:
 * parameters, simulated crashes, the checks after every operation, one run
 * over one segment) and the operations (fuzz_ops.c). See fuzz_store.c.
 */
#ifndef SAFESHM_FUZZ_STORE_H
#define SAFESHM_FUZZ_STORE_H

#include "../shm_store.h"
#include "fuzz_script.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAP 65536u
#define VALCAP (2u * CAP + 256u)
#define NFOUND 8
#define FOUND_MAXK 256u
#define FILL_MAX 1024
#define FILL_VERIFY_EVERY 32

/* ---- parameters --------------------------------------------------------- */

typedef struct {
	const uint8_t *p;
	size_t n, i;
} bytes_t;

static inline uint8_t b8(bytes_t *b)
{
	return b->i < b->n ? b->p[b->i++] : 0;
}

static inline uint16_t b16(bytes_t *b)
{
	uint16_t v = b8(b);
	return (uint16_t) (v | (uint16_t) b8(b) << 8);
}

static inline uint32_t b32(bytes_t *b)
{
	uint32_t v = b16(b);
	return v | (uint32_t) b16(b) << 16;
}


typedef struct {
	uint8_t ns;
	size_t klen;
	uint64_t hash;
	unsigned char key[SAFESHM_MAX_KEY_LEN + 1];
} fkey;

typedef struct {
	safeshm_type type;
	const unsigned char *val;
	size_t vlen;
} fval;

/* What a lock-free find returned, copied out. */
typedef struct {
	int present;
	safeshm_type type;
	size_t len;
	uint64_t version, expires;
	unsigned char *data;
} kv_t;

/* ---- simulated crashes -------------------------------------------------- */

typedef struct {
	const unsigned char *src;
	unsigned char *dst;
	size_t size;
	long calls, target;
	int hit;
	const char *where;
} crash_rec;

extern crash_rec *recorder;

/* ---- the run's state ---------------------------------------------------- */

typedef struct {
	unsigned char *buf, *snap, *snap2;
	size_t size;
	safeshm_store s;
	uint64_t now;
	int healthy;
	int lock_fail;
	uint32_t lock_kind;
	long rcrash_at;
	crash_rec crash;   /* the run's one simulated crash */
	int crash_checked;
	int nfound;
	fkey found[NFOUND];
} fz_t;

/* ---- iteration ---------------------------------------------------------- */

typedef struct {
	const safeshm_store *s;
	uint64_t n;
	const fkey *prefix;
	size_t plen;
	uint64_t matched;
} scan_t;

extern fz_t Z;
extern unsigned char valbuf[VALCAP];
extern int valseed; /* the pattern in valbuf, + 1 (0: none yet) */
extern unsigned touch_sum;
#define NFIXED 8u
extern const char *const fixed_keys[NFIXED];

/* fuzz_store.c */
void trace_op(const char *op, const fkey *k, safeshm_status st, size_t vlen, uint64_t expires);
void broken(const char *what, const char *op, safeshm_status st);
int is_expired(uint64_t expires, uint64_t now);
void set_key(fkey *k, uint8_t ns, const void *key, size_t klen);
void pick_key(fz_t *z, bytes_t *b, unsigned dflt, fkey *k);
void pick_val(fz_t *z, bytes_t *b, fval *v);
uint64_t pick_ttl(fz_t *z, bytes_t *b);
void kv_free(kv_t *kv);
void kv_read(const safeshm_store *s, const fkey *k, uint64_t now, kv_t *kv);
int kv_eq(const kv_t *a, const kv_t *b, int strict);
int kv_is(const kv_t *a, safeshm_type type, const void *val, size_t len);
int scan_cb(const safeshm_view *v, void *ctx);
int collect_cb(const safeshm_view *v, void *ctx);
void after_op_ex(fz_t *z, const char *op, safeshm_status st, const fkey *keys, size_t nk, const kv_t *before,
	const kv_t *after, int all_or_none, int verify);
void after_op(fz_t *z, const char *op, safeshm_status st, const fkey *keys, size_t nk, const kv_t *before,
	const kv_t *after, int all_or_none);
int fz_init_lock(void *area);

/* fuzz_ops.c: each operation, its parameters read from b */
void op_find(fz_t *z, bytes_t *b, unsigned dflt);
void op_put(fz_t *z, bytes_t *b, unsigned dflt, int mode_sel);
void op_delete(fz_t *z, bytes_t *b, unsigned dflt);
void op_incr(fz_t *z, bytes_t *b, unsigned dflt, int big);
void op_touch(fz_t *z, bytes_t *b, unsigned dflt);
void op_many(fz_t *z, bytes_t *b, unsigned dflt);
void op_prefix(fz_t *z, bytes_t *b, unsigned dflt);
void op_sweep(fz_t *z, bytes_t *b);
void op_fill(fz_t *z, bytes_t *b);
void op_scan(fz_t *z);
void op_recover(fz_t *z);
void op_reopen(fz_t *z);
void run_op(fz_t *z, uint8_t op, bytes_t *b, unsigned dflt);

#endif
