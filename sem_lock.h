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
 *
 * A store can instead be locked by a robust, process-shared mutex that lives
 * in the segment (SAFESHM_LOCK_KIND_MUTEX, the default where the C library
 * has them): uncontended it costs two atomic instructions instead of two
 * system calls. The kernel's robust-futex list plays the part of SEM_UNDO: when
 * a holder dies, the next locker gets SAFESHM_LOCK_OWNER_DEAD (EOWNERDEAD),
 * repairs, and calls safeshm_lock_consistent(). Waits are bounded the same way
 * (pthread_mutex_clocklock on CLOCK_MONOTONIC; signals do not end them). The
 * semaphore is still made for such a store: it serialises formatting a new
 * segment, so two creators racing still end up with one initialised store.
 */
#ifndef SAFESHM_SEM_LOCK_H
#define SAFESHM_SEM_LOCK_H

#include <stdint.h>
#include <sys/types.h>

/* How a store is locked: recorded in its header when it is formatted. */
#define SAFESHM_LOCK_KIND_SEMAPHORE 0u
#define SAFESHM_LOCK_KIND_MUTEX     1u

/* Bytes the header sets aside for the mutex. */
#define SAFESHM_LOCK_AREA_SIZE 64u

#if defined(__linux__) && defined(__GLIBC__) \
	&& (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
# define SAFESHM_HAVE_ROBUST_MUTEX 1 /* robust mutexes and pthread_mutex_clocklock */
#else
# define SAFESHM_HAVE_ROBUST_MUTEX 0
#endif

typedef struct {
	int semid;
	key_t key;
	int created;   /* 1 when safeshm_lock_open() made the semaphore */
	void *mutex;   /* the store's mutex in the segment, or NULL: the semaphore is the lock */
} safeshm_lock;

typedef enum {
	SAFESHM_LOCK_OK = 0,
	SAFESHM_LOCK_TIMEOUT,   /* not acquired within the timeout */
	SAFESHM_LOCK_REMOVED,   /* the semaphore was removed (EIDRM/EINVAL) */
	SAFESHM_LOCK_ERROR,     /* other system error; errno is set */
	SAFESHM_LOCK_OWNER_DEAD, /* acquired, but its last holder died holding it:
	                          * repair, then safeshm_lock_consistent() */
	SAFESHM_LOCK_BROKEN     /* the mutex is unusable (damaged bytes, or a holder
	                          * released it without making it consistent) */
} safeshm_lock_status;

/* The semaphore key for a segment key. Never 0 (IPC_PRIVATE) nor shm_key. */
key_t safeshm_lock_key(key_t shm_key);

/* Creates or opens the semaphore for shm_key. l->mutex is set to NULL: until
 * safeshm_lock_use_mutex(), the semaphore is the lock. */
safeshm_lock_status safeshm_lock_open(safeshm_lock *l, key_t shm_key, int perms);

/* Learns once what a valid mutex looks like (call before any thread can lock:
 * the module start). */
void safeshm_lock_setup(void);

/* 1 when this build can lock with a robust process-shared mutex. */
int safeshm_lock_mutex_supported(void);

/* Initialises a robust process-shared mutex in area (SAFESHM_LOCK_AREA_SIZE
 * bytes, 8-aligned), before any other process can use it. 0 on success. */
int safeshm_lock_mutex_init(void *area);

/* 1 when area looks like a mutex safeshm_lock_mutex_init() made (its kind
 * bits; the lock word itself changes all the time). The segment is hostile
 * input: a damaged mutex is refused at attach rather than locked. */
int safeshm_lock_mutex_valid(const void *area);

/* From now on l acquires and releases the mutex at area, not the semaphore. */
void safeshm_lock_use_mutex(safeshm_lock *l, void *area);

/* Acquires within timeout_ms (< 0: wait forever). *waited is set to 1 when
 * the lock was not free at once. */
safeshm_lock_status safeshm_lock_acquire(const safeshm_lock *l, long timeout_ms, int *waited);

safeshm_lock_status safeshm_lock_release(const safeshm_lock *l);

/* Mutex only, while holding it after SAFESHM_LOCK_OWNER_DEAD: the store is
 * repaired, the mutex may be used normally again. */
void safeshm_lock_consistent(const safeshm_lock *l);

/* 1 when the semaphore still exists under our id. */
int safeshm_lock_exists(const safeshm_lock *l);

safeshm_lock_status safeshm_lock_remove(const safeshm_lock *l);

/*
 * Sleeping on a 32-bit word in shared memory (Linux futex, shared between
 * processes) until a change another process makes is announced, without
 * making the announcer pay a system call when nobody sleeps. Bit 0 of the
 * word says "someone may sleep on it"; the rest counts announcements.
 *
 *   waiter:    seen = safeshm_wait_prepare(w); look at the state (under the
 *              lock that guards it); if still not what it waits for:
 *              safeshm_wait_on(w, seen, ms)
 *   announcer: change the state (under that lock); safeshm_wake(w)
 *
 * No wake-up is lost: if the waiter's look came before the change, the
 * lock orders its prepare before the announcer's safeshm_wake(), which then
 * sees bit 0 (or a later announcement cleared it, and changed the word, so
 * that the wait returns at once). If the look came after, it saw the change.
 * An announcement with bit 0 clear is one load.
 */
uint32_t safeshm_wait_prepare(uint32_t *word);
/* Waits while *word == seen, at most timeout_ms; returns early when another
 * process announces on the word (or on a signal: look again). 0 when the
 * time ran out, 1 otherwise. */
int safeshm_wait_on(uint32_t *word, uint32_t seen, long timeout_ms);
/* Announces a change: when a waiter may sleep, bumps the word, clears bit 0
 * and wakes every process sleeping on it. */
void safeshm_wake(uint32_t *word);

#endif
