/*
 * SafeShm lock: one SysV semaphore per segment, plain C, no PHP.
 *
 * Value 0 means free. Acquire is one atomic semop of two operations,
 * "wait for zero" then "+1", so a semaphore needs no initialisation after
 * semget(): the classic create-then-SETVAL race does not exist. Every
 * operation carries SEM_UNDO, so the kernel releases the lock of a holder
 * that dies. Waits are bounded by semtimedop() and resume after EINTR with
 * the time that is left.
 *
 * The semaphore's key is derived from the segment's key (never equal to it),
 * so an application's own sem_get($key) around the same key does not share it.
 */
#ifndef SAFESHM_SEM_LOCK_H
#define SAFESHM_SEM_LOCK_H

#include <sys/types.h>

typedef struct {
	int semid;
	key_t key;
	int created;   /* 1 when safeshm_lock_open() made the semaphore */
} safeshm_lock;

typedef enum {
	SAFESHM_LOCK_OK = 0,
	SAFESHM_LOCK_TIMEOUT,   /* not acquired within the timeout */
	SAFESHM_LOCK_REMOVED,   /* the semaphore was removed (EIDRM/EINVAL) */
	SAFESHM_LOCK_ERROR      /* other system error; errno is set */
} safeshm_lock_status;

/* The semaphore key for a segment key. Never 0 (IPC_PRIVATE) nor shm_key. */
key_t safeshm_lock_key(key_t shm_key);

/* Creates or opens the semaphore for shm_key. */
safeshm_lock_status safeshm_lock_open(safeshm_lock *l, key_t shm_key, int perms);

/* Acquires within timeout_ms (< 0: wait forever). *waited is set to 1 when
 * the lock was not free at once. */
safeshm_lock_status safeshm_lock_acquire(const safeshm_lock *l, long timeout_ms, int *waited);

safeshm_lock_status safeshm_lock_release(const safeshm_lock *l);

/* 1 when the semaphore still exists under our id. */
int safeshm_lock_exists(const safeshm_lock *l);

safeshm_lock_status safeshm_lock_remove(const safeshm_lock *l);

#endif
