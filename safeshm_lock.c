/*
 * SafeShm glue: the store's lock, as PHP takes it. Takes it (the common case
 * in a straight line: a mutex store, free at once, healthy), repairs a store
 * its last holder left mid-mutation, tells a dead holder from a live one and a
 * squatted semaphore from a busy one, releases it (also at request end), and
 * turns every failure into the exception its caller reports. The lock itself
 * is plain C (sem_lock.c); the attachments it works on are safeshm_attach.c's.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "zend_exceptions.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "safeshm_internal.h"

static long php_safeshm_timeout_ms(void)
{
	return (long) (SAFESHM_G(lock_timeout) * 1000.0 + 0.5);
}

/* Whether the lock a holds is the one the store's writers use: at attach a
 * holds the semaphore, which for a mutex store only serialises formatting,
 * so it must not touch the holder fields of the header. A mutex is only set
 * on an attachment whose header was validated: the hot path skips the check. */
static bool php_safeshm_is_store_lock(const php_safeshm_attachment *a)
{
	return a->lock.mutex != NULL || (safeshm_store_check_header(&a->store) == SAFESHM_OK
		&& safeshm_store_lock_kind(&a->store) == SAFESHM_LOCK_KIND_SEMAPHORE);
}

/* The lock holder's pid in the header, for the atomic operations of the
 * semaphore's hand-over below (the store hands out a const view of it). */
static uint32_t *php_safeshm_owner_word(php_safeshm_attachment *a)
{
	return (uint32_t *) safeshm_store_owner_hint(&a->store);
}

/* Releases the lock this process holds on a. */
void php_safeshm_release(php_safeshm_attachment *a)
{
	if (php_safeshm_is_store_lock(a)) {
		if (a->lock.mutex) {
			safeshm_store_set_owner(&a->store, 0);
		} else {
			/* only our own mark: a holder of a removed semaphore backing
			 * out may have written its pid over it meanwhile */
			uint32_t me = php_safeshm_pid;
			__atomic_compare_exchange_n(php_safeshm_owner_word(a), &me, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
		}
	}
	safeshm_lock_release(&a->lock);
	SAFESHM_G(held) = NULL;
}

/* Whether pid is a live process. A zombie (killed, not reaped yet by its
 * parent) holds nothing: SEM_UNDO ran when it exited. */
static bool php_safeshm_pid_alive(uint32_t pid)
{
	char path[48], buf[256];
	const char *paren;
	ssize_t n;
	int fd;

	if (pid == 0 || pid > INT32_MAX || (kill((pid_t) pid, 0) != 0 && errno == ESRCH)) {
		return false;
	}
	snprintf(path, sizeof(path), "/proc/%u/stat", (unsigned) pid);
	if ((fd = open(path, O_RDONLY)) < 0) {
		return true; /* cannot tell: assume it may still write */
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return true;
	}
	buf[n] = '\0';
	paren = strrchr(buf, ')'); /* "pid (comm) state ...": comm may hold anything */
	return !(paren && (paren[1] == ' ') && (paren[2] == 'Z' || paren[2] == 'X'));
}

/*
 * Semaphore-locked stores: after `ipcrm -s`, two writers must never be inside
 * at once. SEM_UNDO vouches only for the semaphore a process holds: a holder
 * of the removed one may still be inside while others lock the fresh one
 * that the next attach creates. So right after acquiring, every holder
 * records its pid in the header (lock_owner) and checks which semaphore the
 * store is on (lock_semid); both sides store, fence, then load (Dekker), so
 * of an old and a new holder at least one sees the other:
 *
 *  - lock_semid is not ours and ours is gone: we hold a removed semaphore
 *    and are not inside yet: back out ("removed").
 *  - lock_semid is not ours and ours exists: we hold the new semaphore. We
 *    store ours in lock_semid, fence, and while lock_owner names another
 *    live process (the old holder, inside) wait for it to leave or die, up
 *    to safeshm.lock_timeout; then give lock_semid back, so that the next
 *    holder waits too, and time out rather than write beside it.
 *  - then we record our pid, fence, and read lock_semid again: if a newer
 *    semaphore's holder came in meanwhile, we are the old one: back out.
 *
 * Only an `ipcrm -s` ever makes a holder wait or back out; the common path
 * costs one exchange and two loads. Runs with the semaphore held.
 */
static php_safeshm_lock_result php_safeshm_sem_handover(php_safeshm_attachment *a)
{
	uint32_t *owner = php_safeshm_owner_word(a);
	uint32_t me = php_safeshm_pid;
	int32_t mine = a->lock.semid, was = safeshm_store_lock_semid(&a->store);

	SAFESHM_G(prev_owner) = 0;
	if (was != mine) {
		uint64_t deadline = php_safeshm_now_ns() + (uint64_t) php_safeshm_timeout_ms() * 1000000u;
		if (!safeshm_lock_exists(&a->lock)) {
			return PHP_SAFESHM_LOCK_REMOVED;
		}
		safeshm_store_set_lock_semid(&a->store, mine);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		for (;;) {
			uint32_t o = __atomic_load_n(owner, __ATOMIC_SEQ_CST);
			if (o == 0 || o == me || !php_safeshm_pid_alive(o)) {
				break;
			}
			if (php_safeshm_now_ns() >= deadline) {
				safeshm_store_set_lock_semid(&a->store, was);
				SAFESHM_G(prev_owner) = o;
				return PHP_SAFESHM_LOCK_TIMEOUT;
			}
			usleep(1000);
		}
	}
	__atomic_exchange_n(owner, me, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (safeshm_store_lock_semid(&a->store) != mine) {
		__atomic_compare_exchange_n(owner, &me, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
		return PHP_SAFESHM_LOCK_REMOVED;
	}
	return PHP_SAFESHM_LOCKED;
}

/* What safeshm_lock_acquire() said (ls, waited), turned into a held lock
 * with its bookkeeping, or a failure with nothing held. */
static php_safeshm_lock_result php_safeshm_lock_got(php_safeshm_attachment *a, safeshm_lock_status ls, int waited, int *err)
{
	php_safeshm_lock_result r;

	/* counted here, folded in later: a shared line written inside the
	 * critical section, when it is contended, would lengthen it */
	a->lock_waits += waited != 0;
	switch (ls) {
		case SAFESHM_LOCK_OWNER_DEAD:
		case SAFESHM_LOCK_OK:
			SAFESHM_G(held) = a;
			SAFESHM_G(owner_died) = ls == SAFESHM_LOCK_OWNER_DEAD;
			if (php_safeshm_is_store_lock(a)) {
				if (a->lock.mutex) {
					/* a mutex lives in the segment: nobody can swap it under us */
					safeshm_store_set_owner(&a->store, php_safeshm_pid);
				} else if ((r = php_safeshm_sem_handover(a)) != PHP_SAFESHM_LOCKED) {
					safeshm_lock_release(&a->lock);
					SAFESHM_G(held) = NULL;
					if (r == PHP_SAFESHM_LOCK_TIMEOUT) {
						safeshm_store_count_lock_timeout(&a->store);
					}
					return r;
				}
			}
			return PHP_SAFESHM_LOCKED;
		case SAFESHM_LOCK_TIMEOUT:
			safeshm_store_count_lock_timeout(&a->store);
			return PHP_SAFESHM_LOCK_TIMEOUT;
		case SAFESHM_LOCK_REMOVED:
			return PHP_SAFESHM_LOCK_REMOVED;
		case SAFESHM_LOCK_BROKEN:
			return PHP_SAFESHM_LOCK_BROKEN;
		default:
			*err = errno;
			return PHP_SAFESHM_LOCK_SYSERR;
	}
}

/* Acquires the lock only: the semaphore at attach, then the store's own lock. */
php_safeshm_lock_result php_safeshm_lock_raw(php_safeshm_attachment *a, int *err)
{
	int waited = 0;
	safeshm_lock_status ls;

	ZEND_ASSERT(SAFESHM_G(held) == NULL);
	ls = safeshm_lock_acquire(&a->lock, php_safeshm_timeout_ms(), &waited);
	return php_safeshm_lock_got(a, ls, waited, err);
}

/* Locked: repairs a store its previous holder left mid-mutation. That
 * holder is gone: SEM_UNDO or the robust mutex says so for the lock we
 * hold, and the hand-over above for a semaphore removed under it. */
void php_safeshm_repair_if_needed(php_safeshm_attachment *a, safeshm_status *st)
{
	if (safeshm_store_needs_recovery(&a->store)) {
		*st = safeshm_store_recover(&a->store);
	}
}

/* Locked (by the store's own lock): makes the store usable, or releases. */
static php_safeshm_lock_result php_safeshm_lock_settle(php_safeshm_attachment *a, safeshm_status *store_st)
{
	*store_st = safeshm_store_check_quick(&a->store);
	if (UNEXPECTED(SAFESHM_G(owner_died))) {
		/* repair now, whatever else is wrong, and never release the mutex
		 * before it is consistent: that would make it unusable for good */
		if (*store_st == SAFESHM_OK) {
			php_safeshm_repair_if_needed(a, store_st);
		}
		safeshm_lock_consistent(&a->lock);
		SAFESHM_G(owner_died) = false;
	}
	if (*store_st == SAFESHM_OK && !a->rmid_kept && safeshm_store_is_removed(&a->store)) {
		php_safeshm_release(a);
		return PHP_SAFESHM_LOCK_REMOVED;
	}
	if (*store_st == SAFESHM_OK) {
		php_safeshm_repair_if_needed(a, store_st);
	}
	if (*store_st != SAFESHM_OK) {
		php_safeshm_release(a);
		return PHP_SAFESHM_LOCK_STORE;
	}
	return PHP_SAFESHM_LOCKED;
}

static php_safeshm_lock_result php_safeshm_lock(php_safeshm_attachment *a, safeshm_status *store_st, int *err)
{
	php_safeshm_lock_result r;

	/* Outside the lock, to keep the critical section short: a write racing
	 * an external ipcrm is the same as one made just before it. */
	if (!php_safeshm_current(a)) {
		return PHP_SAFESHM_LOCK_REMOVED;
	}
	r = php_safeshm_lock_raw(a, err);
	if (r != PHP_SAFESHM_LOCKED) {
		return r;
	}
	return php_safeshm_lock_settle(a, store_st);
}

void php_safeshm_unlock(php_safeshm_attachment *a)
{
	ZEND_ASSERT(SAFESHM_G(held) == a);
	if (EXPECTED(a->lock.mutex != NULL)) {
		safeshm_store_set_owner(&a->store, 0);
		safeshm_lock_release(&a->lock);
		SAFESHM_G(held) = NULL;
		return;
	}
	php_safeshm_release(a);
}

/*
 * Any user who can create SysV objects can create the key a store's
 * semaphore is derived to before the store does (squatting), or hold one
 * made by sem_get(). When the semaphore we could not use belongs to someone
 * else, say so and name its key (ipcs -s shows it). Empty otherwise.
 */
const char *php_safeshm_squat_note(const php_safeshm_attachment *a, char *buf, size_t len)
{
	struct semid_ds ds;

	buf[0] = '\0';
	if (a->lock.mutex || a->lock.semid < 0) {
		return buf;
	}
	if (semctl(a->lock.semid, 0, IPC_STAT, &ds) != 0) {
		if (errno == EACCES) {
			snprintf(buf, len, "; its semaphore (key 0x%08x, see ipcs -s) belongs to another user and this one may not "
				"use it: if no SafeShm store made it, the key is squatted; its owner or root can remove it (ipcrm -S 0x%08x)",
				(unsigned) a->lock.key, (unsigned) a->lock.key);
		}
		return buf;
	}
	if (ds.sem_perm.uid != geteuid() && ds.sem_perm.uid != a->owner_uid) {
		snprintf(buf, len, "; its semaphore (key 0x%08x, see ipcs -s) belongs to uid %u, neither this user nor the store's "
			"owner: if no SafeShm process holds it, another program may be squatting that key; its owner or root can remove it "
			"(ipcrm -S 0x%08x)", (unsigned) a->lock.key, (unsigned) ds.sem_perm.uid, (unsigned) a->lock.key);
	}
	return buf;
}

void php_safeshm_throw_lock(php_safeshm_attachment *a, php_safeshm_lock_result r, safeshm_status st, int err)
{
	char note[320];

	switch (r) {
		case PHP_SAFESHM_LOCK_TIMEOUT:
			if (SAFESHM_G(prev_owner)) {
				zend_throw_exception_ex(php_safeshm_timeout_exception_ce, 0,
					"SafeShm segment 0x%08x: its semaphore was removed (ipcrm -s) while process %u was writing, "
					"and it has not left the store within safeshm.lock_timeout (%.3F s)",
					(unsigned) a->key, (unsigned) SAFESHM_G(prev_owner), SAFESHM_G(lock_timeout));
				SAFESHM_G(prev_owner) = 0;
				break;
			}
			zend_throw_exception_ex(php_safeshm_timeout_exception_ce, 0,
				"SafeShm segment 0x%08x: lock not acquired within safeshm.lock_timeout (%.3F s)%s",
				(unsigned) a->key, SAFESHM_G(lock_timeout), php_safeshm_squat_note(a, note, sizeof(note)));
			break;
		case PHP_SAFESHM_LOCK_REMOVED:
			php_safeshm_attachment_forget(a);
			php_safeshm_throw_removed(a);
			break;
		case PHP_SAFESHM_LOCK_SYSERR:
			zend_throw_exception_ex(php_safeshm_exception_ce, 0, "SafeShm segment 0x%08x: %s: %s%s",
				(unsigned) a->key, a->lock.mutex ? "mutex" : "semaphore", strerror(err),
				php_safeshm_squat_note(a, note, sizeof(note)));
			break;
		case PHP_SAFESHM_LOCK_BROKEN:
			zend_throw_exception_ex(php_safeshm_corrupt_exception_ce, 0,
				"SafeShm segment 0x%08x: its lock is damaged", (unsigned) a->key);
			break;
		case PHP_SAFESHM_LOCK_STORE:
			php_safeshm_throw_status(a, st);
			break;
		case PHP_SAFESHM_LOCKED:
			break;
	}
}

bool php_safeshm_lock_silent(php_safeshm_attachment *a)
{
	safeshm_status st = SAFESHM_OK;
	int err = 0;
	return php_safeshm_lock(a, &st, &err) == PHP_SAFESHM_LOCKED;
}

/* Lock or throw: the common form of the above. */
static zend_always_inline bool php_safeshm_lock_or_throw_ns(php_safeshm_attachment *a, uint64_t now_ns)
{
	safeshm_status st = SAFESHM_OK;
	int err = 0;
	php_safeshm_lock_result r;

	if (a->readonly) {
		php_safeshm_throw_read_only(a);
		return false;
	}
	if (EXPECTED(a->lock.mutex != NULL)) {
		/* the common case in a straight line: a mutex store, free at once, healthy */
		int waited = 0;
		safeshm_lock_status ls;
		ZEND_ASSERT(SAFESHM_G(held) == NULL);
		if (UNEXPECTED(!php_safeshm_current_at(a, now_ns))) {
			/* asked once: a second look would find the check fresh */
			php_safeshm_throw_lock(a, PHP_SAFESHM_LOCK_REMOVED, st, err);
			return false;
		}
		ls = safeshm_lock_acquire(&a->lock, php_safeshm_timeout_ms(), &waited);
		if (EXPECTED(ls == SAFESHM_LOCK_OK && !waited)) {
			SAFESHM_G(held) = a;
			safeshm_store_set_owner(&a->store, php_safeshm_pid);
			if (EXPECTED(safeshm_store_check_quick(&a->store) == SAFESHM_OK && !safeshm_store_is_removed(&a->store)
					&& !safeshm_store_needs_recovery(&a->store))) {
#ifndef SAFESHM_TEST_HOOKS
				return true;
#else
				r = PHP_SAFESHM_LOCKED; /* on to the test point */
#endif
			} else {
				r = php_safeshm_lock_settle(a, &st);
			}
		} else if ((r = php_safeshm_lock_got(a, ls, waited, &err)) == PHP_SAFESHM_LOCKED) {
			r = php_safeshm_lock_settle(a, &st);
		}
	} else {
		r = php_safeshm_lock(a, &st, &err);
	}
	if (r != PHP_SAFESHM_LOCKED) {
		php_safeshm_throw_lock(a, r, st, err);
		return false;
	}
#ifdef SAFESHM_TEST_HOOKS
	PHP_SAFESHM_TEST_POINT("locked");
	if (EG(exception)) {
		/* the test's function threw, or called exit(): the call it interrupted does nothing */
		php_safeshm_unlock(a);
		return false;
	}
#endif
	return true;
}

bool php_safeshm_lock_or_throw(php_safeshm_attachment *a)
{
	return php_safeshm_lock_or_throw_ns(a, php_safeshm_now_ns());
}

bool php_safeshm_lock_or_throw_at(php_safeshm_attachment *a, uint64_t now_us)
{
	/* the end of that microsecond: never behind the coarse clock the last
	 * removal check was timed by */
	return php_safeshm_lock_or_throw_ns(a, now_us * 1000u + 999u);
}

bool php_safeshm_lock_or_throw_coarse(php_safeshm_attachment *a, uint64_t now_ns)
{
	return php_safeshm_lock_or_throw_ns(a, now_ns);
}
