/*
 * SafeShm lock: see sem_lock.h.
 */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE /* semtimedop */
#endif
#include "sem_lock.h"

#include <errno.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <time.h>

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

safeshm_lock_status safeshm_lock_acquire(const safeshm_lock *l, long timeout_ms, int *waited)
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

safeshm_lock_status safeshm_lock_release(const safeshm_lock *l)
{
	struct sembuf op = { .sem_num = 0, .sem_op = -1, .sem_flg = SEM_UNDO | IPC_NOWAIT };

	while (semop(l->semid, &op, 1) != 0) {
		if (errno != EINTR) {
			return from_errno();
		}
	}
	return SAFESHM_LOCK_OK;
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
