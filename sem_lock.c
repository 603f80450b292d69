/*
 * SafeShm lock: see sem_lock.h.
 */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE /* semtimedop */
#endif
#include "sem_lock.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>
#ifdef __linux__
# include <limits.h>
# include <linux/futex.h>
# include <sys/syscall.h>
# include <unistd.h>
#endif
#if SAFESHM_HAVE_ROBUST_MUTEX
# include <pthread.h>
_Static_assert(sizeof(pthread_mutex_t) <= SAFESHM_LOCK_AREA_SIZE, "the header's lock area holds a pthread_mutex_t");
_Static_assert(_Alignof(pthread_mutex_t) <= 8, "the header's lock area is 8-aligned");
#endif

key_t safeshm_lock_key(key_t shm_key)
{
	/* a fixed bijective mix of the key's bits, then away from 0 and shm_key */
	uint32_t x = (uint32_t) shm_key;
	x ^= 0x5AFE5E3Au;
	x *= 0x9E3779B1u;
	x ^= x >> 15;
	x &= 0x7FFFFFFFu;
	if (x == 0 || (key_t) x == shm_key) {
		x ^= 0x2A5A5A5Au;
	}
	return (key_t) x;
}

safeshm_lock_status safeshm_lock_open(safeshm_lock *l, key_t shm_key, int perms)
{
	l->key = safeshm_lock_key(shm_key);
	l->created = 1;
	l->mutex = NULL;
	l->semid = semget(l->key, 1, IPC_CREAT | IPC_EXCL | (perms & 0777));
	if (l->semid < 0 && errno == EEXIST) {
		l->created = 0;
		l->semid = semget(l->key, 1, 0);
	}
	if (l->semid < 0) {
		return SAFESHM_LOCK_ERROR;
	}
	return SAFESHM_LOCK_OK;
}

#define EXPECT(x, v) __builtin_expect(!!(x), (v))

static safeshm_lock_status from_errno(void)
{
	return (errno == EIDRM || errno == EINVAL) ? SAFESHM_LOCK_REMOVED : SAFESHM_LOCK_ERROR;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long) (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

static safeshm_lock_status sem_acquire(const safeshm_lock *l, long timeout_ms, int *waited)
{
	struct sembuf ops[2] = {
		{ .sem_num = 0, .sem_op = 0, .sem_flg = SEM_UNDO | IPC_NOWAIT },
		{ .sem_num = 0, .sem_op = 1, .sem_flg = SEM_UNDO | IPC_NOWAIT },
	};
	struct timespec t0;

	*waited = 0;
	if (semop(l->semid, ops, 2) == 0) {
		return SAFESHM_LOCK_OK;
	}
	if (errno != EAGAIN && errno != EINTR) {
		return from_errno();
	}
	*waited = 1;
	ops[0].sem_flg = SEM_UNDO;
	ops[1].sem_flg = SEM_UNDO;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct timespec ts, *tsp = NULL;
		if (timeout_ms >= 0) {
			long left = timeout_ms - elapsed_ms(&t0);
			if (left <= 0) {
				return SAFESHM_LOCK_TIMEOUT;
			}
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000L;
			tsp = &ts;
		}
		if (semtimedop(l->semid, ops, 2, tsp) == 0) {
			return SAFESHM_LOCK_OK;
		}
		if (errno == EAGAIN) {
			return SAFESHM_LOCK_TIMEOUT;
		}
		if (errno != EINTR) {
			return from_errno();
		}
	}
}

static safeshm_lock_status sem_release(const safeshm_lock *l)
{
	struct sembuf op = { .sem_num = 0, .sem_op = -1, .sem_flg = SEM_UNDO | IPC_NOWAIT };

	while (semop(l->semid, &op, 1) != 0) {
		if (errno != EINTR) {
			return from_errno();
		}
	}
	return SAFESHM_LOCK_OK;
}

/* ---- the robust mutex ---------------------------------------------- */

int safeshm_lock_mutex_supported(void)
{
	return SAFESHM_HAVE_ROBUST_MUTEX;
}

#if SAFESHM_HAVE_ROBUST_MUTEX
static int mutex_attr(pthread_mutexattr_t *a)
{
	if (pthread_mutexattr_init(a) != 0) {
		return -1;
	}
	if (pthread_mutexattr_setpshared(a, PTHREAD_PROCESS_SHARED) != 0
			|| pthread_mutexattr_setrobust(a, PTHREAD_MUTEX_ROBUST) != 0
			|| pthread_mutexattr_settype(a, PTHREAD_MUTEX_NORMAL) != 0) {
		pthread_mutexattr_destroy(a);
		return -1;
	}
	return 0;
}

/* glibc keeps a mutex's type, robustness and sharing in __kind, which
 * never changes after init: compare it with a freshly made reference. */
static int mutex_kind(const pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED);
}
#endif

int safeshm_lock_mutex_init(void *area)
{
#if SAFESHM_HAVE_ROBUST_MUTEX
	pthread_mutexattr_t a;
	int rc;

	memset(area, 0, SAFESHM_LOCK_AREA_SIZE);
	if (mutex_attr(&a) != 0) {
		return -1;
	}
	rc = pthread_mutex_init((pthread_mutex_t *) area, &a);
	pthread_mutexattr_destroy(&a);
	return rc == 0 ? 0 : -1;
#else
	(void) area;
	return -1;
#endif
}

#if SAFESHM_HAVE_ROBUST_MUTEX
/* The kind bits of a mutex safeshm_lock_mutex_init() makes, learnt once by
 * safeshm_lock_setup() before any thread can ask. */
static int ref_kind = -1;
#endif

/* ---- spinning before sleeping ---------------------------------------- */

/*
 * A holder keeps the store's lock for a few hundred nanoseconds. A locker
 * that finds it taken and goes to sleep at once makes the release a wake-up
 * (a system call for both) and is itself slow to come back, so that the
 * next lockers queue behind it: a convoy. So a locker first watches the lock
 * for about SAFESHM_SPIN_NS, with a pause between looks, and sleeps only when
 * it is still taken after that (its holder was preempted, or is slow).
 */
#define SAFESHM_SPIN_NS 2000u

/* Looks that fit in SAFESHM_SPIN_NS on this CPU (a pause instruction costs
 * from a few to over a hundred cycles): measured by safeshm_lock_setup(). */
static unsigned spin_looks = 64;

static inline void cpu_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

static void spin_calibrate(void)
{
	struct timespec t0, t1;
	uint64_t ns;
	unsigned looks;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < 1000; i++) {
		cpu_pause();
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (uint64_t) (t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t) (t1.tv_nsec - t0.tv_nsec);
	/* 1000 pauses took ns: SAFESHM_SPIN_NS of them is this many; a
	 * preempted measurement errs on the short side, which is harmless */
	looks = ns ? (unsigned) ((uint64_t) SAFESHM_SPIN_NS * 1000u / ns) : 4096u;
	spin_looks = looks < 16u ? 16u : looks > 4096u ? 4096u : looks;
}

void safeshm_lock_setup(void)
{
#if SAFESHM_HAVE_ROBUST_MUTEX
	pthread_mutexattr_t a;
	pthread_mutex_t ref;
#endif
	static int calibrated;
	if (!calibrated) {
		calibrated = 1;
		spin_calibrate();
	}
#if SAFESHM_HAVE_ROBUST_MUTEX
	if (ref_kind != -1 || mutex_attr(&a) != 0) {
		return;
	}
	if (pthread_mutex_init(&ref, &a) == 0) {
		ref_kind = mutex_kind(&ref);
		pthread_mutex_destroy(&ref);
	}
	pthread_mutexattr_destroy(&a);
#endif
}

int safeshm_lock_mutex_valid(const void *area)
{
#if SAFESHM_HAVE_ROBUST_MUTEX
	if (ref_kind == -1) {
		safeshm_lock_setup(); /* callers without a module start (the C tests) */
	}
	return ref_kind != -1 && mutex_kind((const pthread_mutex_t *) area) == ref_kind;
#else
	(void) area;
	return 0;
#endif
}

void safeshm_lock_use_mutex(safeshm_lock *l, void *area)
{
	l->mutex = area;
}

#if SAFESHM_HAVE_ROBUST_MUTEX
static safeshm_lock_status from_mutex_rc(int rc)
{
	switch (rc) {
		case 0: return SAFESHM_LOCK_OK;
		case EOWNERDEAD: return SAFESHM_LOCK_OWNER_DEAD;
		case ETIMEDOUT: return SAFESHM_LOCK_TIMEOUT;
		case ENOTRECOVERABLE: case EINVAL: case EDEADLK: return SAFESHM_LOCK_BROKEN;
		default: errno = rc; return SAFESHM_LOCK_ERROR;
	}
}

static safeshm_lock_status mutex_acquire(pthread_mutex_t *m, long timeout_ms, int *waited)
{
	struct timespec ts;
	int rc;

	*waited = 0;
	/* the segment is hostile input: never hand glibc a mutex of another kind */
	if (ref_kind == -1 || mutex_kind(m) != ref_kind) {
		return safeshm_lock_mutex_valid(m) ? mutex_acquire(m, timeout_ms, waited) : SAFESHM_LOCK_BROKEN;
	}
	rc = pthread_mutex_trylock(m);
	if (EXPECT(rc == 0, 1)) {
		return SAFESHM_LOCK_OK;
	}
	if (rc != EBUSY) {
		return from_mutex_rc(rc);
	}
	*waited = 1;
	/* watch the owner's thread id in the lock word (glibc's, as the kernel's
	 * robust-futex protocol defines it: 0 when free, or when its owner died)
	 * and try again only when it looks free, so that the waiters' looks do
	 * not pull the cache line from under the holder */
	for (unsigned i = 0; i < spin_looks; i++) {
		cpu_pause();
		if ((__atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) & FUTEX_TID_MASK) == 0) {
			rc = pthread_mutex_trylock(m);
			if (rc != EBUSY) {
				return from_mutex_rc(rc);
			}
		}
	}
	if (timeout_ms < 0) {
		return from_mutex_rc(pthread_mutex_lock(m));
	}
	/* CLOCK_MONOTONIC: a wall-clock step neither shortens nor stretches the
	 * wait; glibc's futex wait resumes by itself after a signal handler */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return from_mutex_rc(pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &ts));
}
#endif

safeshm_lock_status safeshm_lock_acquire(const safeshm_lock *l, long timeout_ms, int *waited)
{
#if SAFESHM_HAVE_ROBUST_MUTEX
	if (l->mutex) {
		return mutex_acquire((pthread_mutex_t *) l->mutex, timeout_ms, waited);
	}
#endif
	return sem_acquire(l, timeout_ms, waited);
}

safeshm_lock_status safeshm_lock_release(const safeshm_lock *l)
{
#if SAFESHM_HAVE_ROBUST_MUTEX
	if (l->mutex) {
		int rc = pthread_mutex_unlock((pthread_mutex_t *) l->mutex);
		return rc == 0 ? SAFESHM_LOCK_OK : from_mutex_rc(rc == EPERM ? EINVAL : rc);
	}
#endif
	return sem_release(l);
}

void safeshm_lock_consistent(const safeshm_lock *l)
{
#if SAFESHM_HAVE_ROBUST_MUTEX
	if (l->mutex) {
		pthread_mutex_consistent((pthread_mutex_t *) l->mutex);
	}
#else
	(void) l;
#endif
}

int safeshm_lock_exists(const safeshm_lock *l)
{
	struct semid_ds ds;
	return semctl(l->semid, 0, IPC_STAT, &ds) == 0;
}

safeshm_lock_status safeshm_lock_remove(const safeshm_lock *l)
{
	if (semctl(l->semid, 0, IPC_RMID) != 0) {
		return from_errno();
	}
	return SAFESHM_LOCK_OK;
}

/* ---- sleeping on a word --------------------------------------------- */

uint32_t safeshm_wait_prepare(uint32_t *word)
{
	return __atomic_fetch_or(word, 1u, __ATOMIC_SEQ_CST) | 1u;
}

int safeshm_wait_on(uint32_t *word, uint32_t seen, long timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
#ifdef __linux__
	/* FUTEX_WAIT without _PRIVATE: the word is in shared memory, and the
	 * kernel matches waiters across processes by the page it lives in */
	return !(syscall(SYS_futex, word, FUTEX_WAIT, seen, &ts, NULL, 0) != 0 && errno == ETIMEDOUT);
#else
	(void) word;
	(void) seen;
	nanosleep(&ts, NULL);
	return 0;
#endif
}

void safeshm_wake(uint32_t *word)
{
	uint32_t old = __atomic_load_n(word, __ATOMIC_SEQ_CST);

	if (!(old & 1u)) {
		return; /* nobody prepared to sleep since the last announcement */
	}
	while (!__atomic_compare_exchange_n(word, &old, (old + 2u) & ~1u, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		if (!(old & 1u)) {
			return; /* another announcer cleared it, and woke them */
		}
	}
#ifdef __linux__
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
#endif
}
