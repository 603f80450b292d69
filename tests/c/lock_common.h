/*
 * What the C tests of the lock (test_lock.c: the semaphore; test_lock_mutex.c:
 * the robust mutex) share: timing, child processes, and the semaphores a run
 * made, removed at its end (and on SIGTERM/SIGINT) and checked to be gone.
 * Each program includes it once; not every program uses every helper.
 */
#ifndef SAFESHM_TEST_LOCK_COMMON_H
#define SAFESHM_TEST_LOCK_COMMON_H
#pragma GCC diagnostic ignored "-Wunused-function"
#include "../../sem_lock.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char *lname(safeshm_lock_status st)
{
	switch (st) {
		case SAFESHM_LOCK_OK: return "OK";
		case SAFESHM_LOCK_TIMEOUT: return "TIMEOUT";
		case SAFESHM_LOCK_REMOVED: return "REMOVED";
		case SAFESHM_LOCK_ERROR: return "ERROR";
		case SAFESHM_LOCK_OWNER_DEAD: return "OWNER_DEAD";
		case SAFESHM_LOCK_BROKEN: return "BROKEN";
	}
	return "?";
}

#define CHECK_LS(call, want) do { \
		safeshm_lock_status st_ = (call); \
		CHECKF(st_ == (want), "got %s, want %s (errno %s)", lname(st_), lname(want), strerror(errno)); \
	} while (0)

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long) t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) != 0 && errno == EINTR) {
	}
}

/* Generous: machines under load (CI, sanitizers) are slow, never fast. */
#define SLACK_MS 5000L

/* ---- locks made by this run ----------------------------------------- */

#define MAX_KEYS 16
static key_t used_keys[MAX_KEYS];
static int nused;

static key_t shm_key_for(int proj)
{
	key_t k = ftok("/proc/self/exe", proj);
	if (k == -1) {
		/* no usable path: still a key unlikely to be shared */
		k = (key_t) (0x5AF00000 | ((getpid() & 0xFFF) << 8) | proj);
	}
	return k;
}

/* A semaphore in its initial state, whatever an earlier killed run left. */
static int fresh_lock(safeshm_lock *l, int proj)
{
	key_t k = shm_key_for(proj);

	if (safeshm_lock_open(l, k, 0600) != SAFESHM_LOCK_OK) {
		CHECKF(0, "safeshm_lock_open(%#x): %s", (unsigned) k, strerror(errno));
		return 0;
	}
	safeshm_lock_remove(l);
	if (safeshm_lock_open(l, k, 0600) != SAFESHM_LOCK_OK) {
		CHECKF(0, "safeshm_lock_open(%#x) again: %s", (unsigned) k, strerror(errno));
		return 0;
	}
	if (nused < MAX_KEYS) {
		used_keys[nused++] = k;
	}
	return 1;
}

static int semval(const safeshm_lock *l)
{
	return semctl(l->semid, 0, GETVAL);
}

/* Waits for a child, SIGKILLing it after timeout_ms; returns its status. */
static int wait_child(pid_t pid, long timeout_ms)
{
	long t0 = now_ms();
	int status = 0;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			return status;
		}
		if (r < 0 && errno != EINTR) {
			return -1;
		}
		if (now_ms() - t0 > timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			CHECKF(0, "child %d still running after %ld ms: killed", (int) pid, timeout_ms);
			return status;
		}
		sleep_ms(5);
	}
}

static void check_child_ok(pid_t pid, long timeout_ms, const char *what)
{
	int status = wait_child(pid, timeout_ms);
	CHECKF(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child status %#x", what, (unsigned) status);
}

/* Reads one byte within timeout_ms; -1 on timeout or EOF. */
static int read_byte(int fd, long timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char c;

	if (poll(&p, 1, (int) timeout_ms) != 1 || read(fd, &c, 1) != 1) {
		return -1;
	}
	return c;
}

/*
 * A child that takes the lock, says 'A' on *ready, and holds it until
 * release_after_ms has passed (< 0: until killed or until *ctl closes).
 */
static pid_t spawn_holder(const safeshm_lock *l, long release_after_ms, int *ready, int *ctl)
{
	int rp[2], cp[2];
	pid_t pid;

	if (pipe(rp) != 0 || pipe(cp) != 0) {
		CHECKF(0, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int waited;
		unsigned char c = 'A';
		close(rp[0]);
		close(cp[1]);
		if (safeshm_lock_acquire(l, 10000, &waited) != SAFESHM_LOCK_OK) {
			_exit(3);
		}
		if (write(rp[1], &c, 1) != 1) {
			_exit(4);
		}
		if (release_after_ms >= 0) {
			sleep_ms(release_after_ms);
			_exit(safeshm_lock_release(l) == SAFESHM_LOCK_OK ? 0 : 5);
		}
		read_byte(cp[0], 60000);   /* EOF when the parent closes ctl */
		_exit(safeshm_lock_release(l) == SAFESHM_LOCK_OK ? 0 : 5);
	}
	close(rp[1]);
	close(cp[0]);
	*ready = rp[0];
	*ctl = cp[1];
	if (pid < 0) {
		CHECKF(0, "fork: %s", strerror(errno));
	}
	return pid;
}

/* A child that SIGKILLs victim after ms; returns its pid. */
static pid_t kill_later(pid_t victim, long ms)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		sleep_ms(ms);
		kill(victim, SIGKILL);
		_exit(0);
	}
	return pid;
}

static int holder_ready(int ready)
{
	int c = read_byte(ready, SLACK_MS + 10000);
	CHECKF(c == 'A', "the holder child never took the lock");
	return c == 'A';
}

/* ---- signals during a wait ---------------------------------------- */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void) sig;
	alarms++;
}

static void every_ms(long ms)
{
	struct itimerval it = { { ms / 1000, (ms % 1000) * 1000 }, { ms / 1000, (ms % 1000) * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Runs in its own process, so that a wait that never ends is a failure, not a hang. */
/* ---- mutual exclusion ----------------------------------------------- */

/* PROCS processes increment a plain counter ROUNDS times each under l:
 * the count is exact and no two are ever inside at once. */
static void check_exclusion(const safeshm_lock *l, const char *what)
{
	enum { PROCS = 4, ROUNDS = 2000 };
	struct shared { long counter; int inside; long overlaps, errors, waits; } *sh;
	pid_t pids[PROCS];
	long t0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		CHECKF(0, "mmap: %s", strerror(errno));
		return;
	}
	memset(sh, 0, sizeof(*sh));
	t0 = now_ms();
	fflush(stdout);
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		if (pids[p] == 0) {
			for (int i = 0; i < ROUNDS; i++) {
				int w;
				long v;
				if (safeshm_lock_acquire(l, 10000 + SLACK_MS, &w) != SAFESHM_LOCK_OK) {
					__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
					break;
				}
				if (__atomic_exchange_n(&sh->inside, 1, __ATOMIC_ACQ_REL) != 0) {
					__atomic_add_fetch(&sh->overlaps, 1, __ATOMIC_RELAXED);
				}
				sh->waits += w;
				v = __atomic_load_n(&sh->counter, __ATOMIC_RELAXED);
				if (i % 64 == 0) {
					usleep(50);
				}
				__atomic_store_n(&sh->counter, v + 1, __ATOMIC_RELAXED);
				__atomic_store_n(&sh->inside, 0, __ATOMIC_RELEASE);
				if (safeshm_lock_release(l) != SAFESHM_LOCK_OK) {
					__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
				}
			}
			_exit(0);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		check_child_ok(pids[p], 120000, "worker");
	}
	CHECKF(sh->counter == PROCS * ROUNDS, "counter %ld, want %d", sh->counter, PROCS * ROUNDS);
	CHECK(sh->overlaps == 0);
	CHECK(sh->errors == 0);
	printf("%s mutual exclusion: %d processes x %d increments = %ld in %ld ms, %ld acquires had to wait\n",
		what, PROCS, ROUNDS, sh->counter, now_ms() - t0, sh->waits);
	munmap(sh, sizeof(*sh));
}

/* Killed from outside (run.sh's timeout, ^C): still leave no semaphore behind. */
static pid_t main_pid;

static void on_term(int sig)
{
	if (getpid() == main_pid) {
		for (int i = 0; i < nused; i++) {
			int id = semget(safeshm_lock_key(used_keys[i]), 0, 0);
			if (id >= 0) {
				semctl(id, 0, IPC_RMID);
			}
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Removes whatever a failed test left, then checks nothing is left. */
static void cleanup_and_check(void)
{
	int left = 0;

	test_name = "cleanup";
	for (int i = 0; i < nused; i++) {
		int id = semget(safeshm_lock_key(used_keys[i]), 0, 0);
		if (id >= 0) {
			left++;
			semctl(id, 0, IPC_RMID);
		}
	}
	CHECKF(left == 0, "%d semaphore(s) left behind by the tests (now removed)", left);
}

/* The shared tally, the cleanup handlers: the start of each program's main(). */
static int lock_tests_start(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	main_pid = getpid();
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED) {
		perror("mmap");
		return 0;
	}
	return 1;
}

/* Its end: nothing left behind, the last line. */
static int lock_tests_end(void)
{
	cleanup_and_check();
	printf("%ld passed, %ld failed\n", tally->passed, tally->failed);
	fflush(stdout);
	return tally->failed ? 1 : 0;
}

#endif
