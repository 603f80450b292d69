/*
 * C tests of the SafeShm lock (sem_lock.c): one SysV semaphore, SEM_UNDO,
 * semtimedop; and the robust process-shared mutex a store can be locked by
 * instead (EOWNERDEAD after a killed holder, bounded waits, a damaged mutex
 * refused). Several processes are involved; every timing is printed and
 * asserted only with generous slack. Every semaphore created is removed, and
 * the run checks that none is left.
 *
 * Keys come from ftok() on this binary, so parallel runs of other test
 * programs never share a semaphore with it.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
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

/* ---- the key -------------------------------------------------------- */

static void test_lock_key(void)
{
	/* the fallback's own inputs: mixes to 0 (twice) and to itself */
	static const uint32_t edge[] = {
		0, 1, 2, 0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, 0x5AFE5E3Au, 0x96990098u, 0x053D574Eu,
		0x2A5A5A5Au, 0x2A5A5A5Au ^ 0x5AFE5E3Au, 0x12345678u, 0xDEADBEEFu,
	};
	long bad = 0, n = 0;
	uint64_t x = 0x9E3779B97F4A7C15ull;

	test_name = "lock_key";
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		key_t in = (key_t) edge[i], out = safeshm_lock_key(in);
		CHECKF(out != 0 && out != in, "safeshm_lock_key(%#x) = %#x", (unsigned) in, (unsigned) out);
		CHECK(safeshm_lock_key(in) == out);
	}
	/* a stride through all 2^32 keys, then random ones */
	for (uint64_t k = 0; k <= 0xFFFFFFFFull; k += 251) {
		key_t in = (key_t) (uint32_t) k, out = safeshm_lock_key(in);
		n++;
		if (out == 0 || out == in) {
			if (bad++ < 5) {
				printf("  safeshm_lock_key(%#x) = %#x\n", (unsigned) in, (unsigned) out);
			}
		}
	}
	for (int i = 0; i < 1000000; i++) {
		key_t in, out;
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		in = (key_t) (uint32_t) (x * 2685821657736338717ull >> 32);
		out = safeshm_lock_key(in);
		n++;
		if (out == 0 || out == in) {
			if (bad++ < 5) {
				printf("  safeshm_lock_key(%#x) = %#x\n", (unsigned) in, (unsigned) out);
			}
		}
	}
	CHECKF(bad == 0, "%ld of %ld keys map to 0 or to themselves", bad, n);
	printf("lock key: %ld keys checked, never 0, never the input\n", n);
}

/* ---- one process ---------------------------------------------------- */

static void test_open_acquire_release(void)
{
	safeshm_lock l, l2, l3;
	int waited = -1;
	struct semid_ds ds;

	test_name = "open_acquire_release";
	if (!fresh_lock(&l, 1)) {
		return;
	}
	CHECK(l.created == 1);
	CHECK(l.key == safeshm_lock_key(shm_key_for(1)));
	CHECK(l.key != shm_key_for(1));
	CHECK(safeshm_lock_exists(&l));
	CHECK(semval(&l) == 0);
	CHECK(semctl(l.semid, 0, IPC_STAT, &ds) == 0 && (ds.sem_perm.mode & 0777) == 0600);

	CHECK_LS(safeshm_lock_acquire(&l, 1000, &waited), SAFESHM_LOCK_OK);
	CHECK(waited == 0);
	CHECK(semval(&l) == 1);
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
	CHECK(semval(&l) == 0);

	/* wait forever / zero timeout on a free lock: immediate */
	CHECK_LS(safeshm_lock_acquire(&l, -1, &waited), SAFESHM_LOCK_OK);
	CHECK(waited == 0);
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
	CHECK_LS(safeshm_lock_acquire(&l, 0, &waited), SAFESHM_LOCK_OK);
	CHECK(waited == 0);
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);

	/* releasing a free lock is refused and never drives the value below 0 */
	CHECK(safeshm_lock_release(&l) != SAFESHM_LOCK_OK);
	CHECK(semval(&l) == 0);

	/* opening the same key again finds the same semaphore */
	CHECK_LS(safeshm_lock_open(&l2, shm_key_for(1), 0600), SAFESHM_LOCK_OK);
	CHECK(l2.semid == l.semid && l2.key == l.key && l2.created == 0);
	CHECK_LS(safeshm_lock_acquire(&l2, 1000, &waited), SAFESHM_LOCK_OK);
	CHECK(semval(&l) == 1);

	/* not re-entrant: a second acquire by the holder waits, and times out */
	{
		long t0 = now_ms(), dt;
		CHECK_LS(safeshm_lock_acquire(&l, 100, &waited), SAFESHM_LOCK_TIMEOUT);
		dt = now_ms() - t0;
		CHECK(waited == 1);
		CHECKF(dt >= 90 && dt < 100 + SLACK_MS, "waited %ld ms for a 100 ms timeout", dt);
		CHECK(semval(&l) == 1);
	}
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
	CHECK(semval(&l) == 0);

	/* the permissions given at creation */
	if (fresh_lock(&l3, 2)) {
		safeshm_lock_remove(&l3);
		CHECK_LS(safeshm_lock_open(&l3, shm_key_for(2), 0640), SAFESHM_LOCK_OK);
		CHECK(semctl(l3.semid, 0, IPC_STAT, &ds) == 0 && (ds.sem_perm.mode & 0777) == 0640);
		CHECK_LS(safeshm_lock_remove(&l3), SAFESHM_LOCK_OK);
	}
	CHECK_LS(safeshm_lock_remove(&l), SAFESHM_LOCK_OK);
}

/* ---- contention ----------------------------------------------------- */

static void test_child_times_out(void)
{
	safeshm_lock l;
	int waited;
	pid_t pid;

	test_name = "child_times_out";
	if (!fresh_lock(&l, 3)) {
		return;
	}
	CHECK_LS(safeshm_lock_acquire(&l, 1000, &waited), SAFESHM_LOCK_OK);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int w = -1;
		long t0 = now_ms(), dt;
		safeshm_lock_status st = safeshm_lock_acquire(&l, 300, &w);
		dt = now_ms() - t0;
		CHECKF(st == SAFESHM_LOCK_TIMEOUT, "a second process got %s", lname(st));
		CHECK(w == 1);
		CHECKF(dt >= 290 && dt < 300 + SLACK_MS, "waited %ld ms for a 300 ms timeout", dt);
		printf("contended acquire: 300 ms timeout, returned %s after %ld ms\n", lname(st), dt);
		t0 = now_ms();
		st = safeshm_lock_acquire(&l, 0, &w);
		dt = now_ms() - t0;
		CHECKF(st == SAFESHM_LOCK_TIMEOUT && dt < SLACK_MS, "timeout 0: %s after %ld ms", lname(st), dt);
		fflush(stdout);
		_exit(0);
	}
	check_child_ok(pid, 300 + 2 * SLACK_MS, "waiter");
	CHECK(semval(&l) == 1);   /* the timed-out child left nothing behind */
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);

	/* now free: a child gets it at once, and its exit releases it (SEM_UNDO) */
	pid = fork();
	if (pid == 0) {
		int w = -1;
		_exit(safeshm_lock_acquire(&l, 1000, &w) == SAFESHM_LOCK_OK && w == 0 ? 0 : 1);
	}
	check_child_ok(pid, SLACK_MS, "acquire after release");
	CHECK(semval(&l) == 0);
	CHECK_LS(safeshm_lock_remove(&l), SAFESHM_LOCK_OK);
}

static void test_killed_holder(void)
{
	safeshm_lock l;
	int waited, ready, ctl, status;
	pid_t holder, killer;
	long t0, dt;

	test_name = "killed_holder";
	if (!fresh_lock(&l, 4)) {
		return;
	}
	/* killed while holding, nobody waiting: the kernel undoes its +1 */
	holder = spawn_holder(&l, -1, &ready, &ctl);
	if (holder > 0 && holder_ready(ready)) {
		CHECK(semval(&l) == 1);
		CHECK_LS(safeshm_lock_acquire(&l, 0, &waited), SAFESHM_LOCK_TIMEOUT);
		kill(holder, SIGKILL);
		status = wait_child(holder, SLACK_MS);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		CHECK(semval(&l) == 0);
		t0 = now_ms();
		CHECK_LS(safeshm_lock_acquire(&l, 2000, &waited), SAFESHM_LOCK_OK);
		dt = now_ms() - t0;
		CHECK(waited == 0);
		printf("SIGKILLed holder: lock free again, acquired in %ld ms\n", dt);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
	}
	close(ready);
	close(ctl);

	/* killed while another process waits: the waiter wakes up with the lock */
	holder = spawn_holder(&l, -1, &ready, &ctl);
	if (holder > 0 && holder_ready(ready)) {
		killer = kill_later(holder, 300);
		t0 = now_ms();
		CHECK_LS(safeshm_lock_acquire(&l, 300 + SLACK_MS, &waited), SAFESHM_LOCK_OK);
		dt = now_ms() - t0;
		CHECK(waited == 1);
		CHECKF(dt >= 250 && dt < 300 + SLACK_MS, "woke after %ld ms", dt);
		printf("holder SIGKILLed 300 ms into a wait: waiter got the lock after %ld ms\n", dt);
		CHECK(semval(&l) == 1);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
		check_child_ok(killer, SLACK_MS, "killer");
		status = wait_child(holder, SLACK_MS);
		CHECK(WIFSIGNALED(status));
	}
	close(ready);
	close(ctl);

	/* a holder that releases: the waiter gets it, waited = 1 */
	holder = spawn_holder(&l, 300, &ready, &ctl);
	if (holder > 0 && holder_ready(ready)) {
		t0 = now_ms();
		CHECK_LS(safeshm_lock_acquire(&l, 300 + SLACK_MS, &waited), SAFESHM_LOCK_OK);
		dt = now_ms() - t0;
		CHECK(waited == 1);
		CHECKF(dt < 300 + SLACK_MS, "woke after %ld ms", dt);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
		check_child_ok(holder, SLACK_MS, "releasing holder");
	}
	close(ready);
	close(ctl);
	CHECK(semval(&l) == 0);
	CHECK_LS(safeshm_lock_remove(&l), SAFESHM_LOCK_OK);
}

/* ---- signals -------------------------------------------------------- */

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
static void eintr_body(safeshm_lock l)
{
	struct sigaction sa, old;
	int waited, ready, ctl;
	pid_t holder;
	long t0, dt;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = 0;   /* no SA_RESTART: semtimedop returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);

	/* a bounded wait, interrupted every 50 ms: still waits the whole timeout */
	holder = spawn_holder(&l, -1, &ready, &ctl);
	if (holder > 0 && holder_ready(ready)) {
		alarms = 0;
		every_ms(50);
		t0 = now_ms();
		CHECK_LS(safeshm_lock_acquire(&l, 1000, &waited), SAFESHM_LOCK_TIMEOUT);
		dt = now_ms() - t0;
		every_ms(0);
		CHECK(waited == 1);
		CHECKF(alarms >= 5, "only %d SIGALRMs during the wait", (int) alarms);
		CHECKF(dt >= 990 && dt < 1000 + SLACK_MS, "a 1000 ms wait interrupted %d times took %ld ms", (int) alarms, dt);
		printf("EINTR: 1000 ms timeout with SIGALRM every 50 ms (%d signals): TIMEOUT after %ld ms\n", (int) alarms, dt);
		CHECK(semval(&l) == 1);
	}
	close(ctl);   /* the holder releases and exits */
	close(ready);
	check_child_ok(holder, SLACK_MS, "holder");

	/* an unbounded wait, interrupted: gets the lock when the holder lets go */
	holder = spawn_holder(&l, 600, &ready, &ctl);
	if (holder > 0 && holder_ready(ready)) {
		alarms = 0;
		every_ms(50);
		t0 = now_ms();
		CHECK_LS(safeshm_lock_acquire(&l, -1, &waited), SAFESHM_LOCK_OK);
		dt = now_ms() - t0;
		every_ms(0);
		CHECK(waited == 1);
		CHECKF(alarms >= 3, "only %d SIGALRMs during the wait", (int) alarms);
		CHECKF(dt >= 400 && dt < 600 + SLACK_MS, "got it after %ld ms", dt);
		printf("EINTR: unbounded wait with SIGALRM every 50 ms (%d signals): OK after %ld ms\n", (int) alarms, dt);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
	}
	close(ctl);
	close(ready);
	check_child_ok(holder, SLACK_MS, "holder");
	sigaction(SIGALRM, &old, NULL);
}

static void test_eintr(void)
{
	safeshm_lock l;
	pid_t pid;

	test_name = "eintr";
	if (!fresh_lock(&l, 5)) {
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		eintr_body(l);
		fflush(stdout);
		_exit(0);
	}
	check_child_ok(pid, 1600 + 4 * SLACK_MS, "the EINTR waits");
	CHECK_LS(safeshm_lock_remove(&l), SAFESHM_LOCK_OK);
}

/* ---- removal -------------------------------------------------------- */

static void test_removed(void)
{
	safeshm_lock l;
	int waited, ready, ctl;
	pid_t holder, waiter;

	test_name = "removed";
	if (!fresh_lock(&l, 6)) {
		return;
	}
	CHECK_LS(safeshm_lock_remove(&l), SAFESHM_LOCK_OK);
	CHECK(!safeshm_lock_exists(&l));
	CHECK_LS(safeshm_lock_acquire(&l, 100, &waited), SAFESHM_LOCK_REMOVED);
	CHECK_LS(safeshm_lock_acquire(&l, -1, &waited), SAFESHM_LOCK_REMOVED);
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_REMOVED);
	CHECK_LS(safeshm_lock_remove(&l), SAFESHM_LOCK_REMOVED);

	/* removed while held: the holder's release says so */
	if (fresh_lock(&l, 6)) {
		CHECK_LS(safeshm_lock_acquire(&l, 1000, &waited), SAFESHM_LOCK_OK);
		CHECK_LS(safeshm_lock_remove(&l), SAFESHM_LOCK_OK);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_REMOVED);
	}

	/* removed while a process waits: the waiter returns REMOVED, promptly */
	if (!fresh_lock(&l, 6)) {
		return;
	}
	holder = spawn_holder(&l, -1, &ready, &ctl);
	if (holder > 0 && holder_ready(ready)) {
		fflush(stdout);
		waiter = fork();
		if (waiter == 0) {
			int w = -1;
			long t0 = now_ms(), dt;
			safeshm_lock_status st = safeshm_lock_acquire(&l, 10000 + SLACK_MS, &w);
			dt = now_ms() - t0;
			CHECKF(st == SAFESHM_LOCK_REMOVED, "a waiter got %s when the semaphore was removed", lname(st));
			CHECKF(dt < 10000, "the waiter returned after %ld ms", dt);
			printf("semaphore removed 300 ms into a wait: waiter got %s after %ld ms\n", lname(st), dt);
			fflush(stdout);
			_exit(0);
		}
		sleep_ms(300);
		CHECK_LS(safeshm_lock_remove(&l), SAFESHM_LOCK_OK);
		check_child_ok(waiter, 10000 + 2 * SLACK_MS, "waiter");
	}
	close(ctl);
	close(ready);
	wait_child(holder, SLACK_MS);
	CHECK(!safeshm_lock_exists(&l));
}

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

static void test_mutual_exclusion(void)
{
	safeshm_lock l;

	test_name = "mutual_exclusion";
	if (!fresh_lock(&l, 7)) {
		return;
	}
	check_exclusion(&l, "semaphore");
	CHECK(semval(&l) == 0);
	CHECK_LS(safeshm_lock_remove(&l), SAFESHM_LOCK_OK);
}

/* ---- the robust mutex ----------------------------------------------- */

#if SAFESHM_HAVE_ROBUST_MUTEX
/* A lock whose mutex lives in a fresh shared mapping, as in a segment. */
static void *mutex_lock_new(safeshm_lock *l)
{
	void *area = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		CHECKF(0, "mmap: %s", strerror(errno));
		return NULL;
	}
	memset(l, 0, sizeof(*l));
	l->semid = -1;
	CHECK(safeshm_lock_mutex_init(area) == 0);
	CHECK(safeshm_lock_mutex_valid(area));
	safeshm_lock_use_mutex(l, area);
	return area;
}

/* A child that takes the mutex, says 'A', and then waits to be killed. */
static pid_t spawn_mutex_holder(const safeshm_lock *l, int *ready)
{
	int rp[2];
	pid_t pid;

	if (pipe(rp) != 0) {
		CHECKF(0, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int w;
		unsigned char c = 'A';
		safeshm_lock_status st;
		close(rp[0]);
		st = safeshm_lock_acquire(l, 10000, &w);
		if (st == SAFESHM_LOCK_OWNER_DEAD) {
			safeshm_lock_consistent(l);
		} else if (st != SAFESHM_LOCK_OK) {
			_exit(3);
		}
		if (write(rp[1], &c, 1) != 1) {
			_exit(4);
		}
		for (;;) {
			pause();
		}
	}
	close(rp[1]);
	*ready = rp[0];
	return pid;
}

/*
 * Sleeping on a word (sem_lock.h): waiters never miss a wake-up. A parent
 * announces rounds of a counter guarded by a mutex as fast as it can (so
 * that announcements land between a waiter's look and its sleep); each
 * waiter looks, prepared to sleep, and sleeps until it has seen the last
 * round. Its waits have a timeout far beyond the run only so that a broken
 * protocol cannot hang the test: the protocol never needs it, so a wait that
 * ends by its timeout is a lost wake-up, whatever the time it took.
 */
static void test_wake_not_lost(void)
{
	enum { WAITERS = 6, ROUNDS = 20000 };
	struct shared {
		pthread_mutex_t m;
		uint32_t word;
		uint32_t round;
		uint32_t lost, sleeps;
	} *sh;
	pthread_mutexattr_t ma;
	pid_t kids[WAITERS];
	uint32_t silent = 0;

	test_name = "wake_not_lost";
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		CHECKF(0, "mmap: %s", strerror(errno));
		return;
	}
	memset(sh, 0, sizeof(*sh));
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->m, &ma);
	for (int k = 0; k < WAITERS; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			uint32_t last = 0;
			while (last < ROUNDS) {
				uint32_t seen = safeshm_wait_prepare(&sh->word), r;
				pthread_mutex_lock(&sh->m);
				r = sh->round;
				pthread_mutex_unlock(&sh->m);
				if (r != last) {
					last = r;
					continue;
				}
				__atomic_add_fetch(&sh->sleeps, 1, __ATOMIC_RELAXED);
				if (!safeshm_wait_on(&sh->word, seen, 60000)) {
					__atomic_add_fetch(&sh->lost, 1, __ATOMIC_RELAXED);
				}
			}
			_exit(0);
		}
	}
	for (uint32_t r = 1; r <= ROUNDS; r++) {
		pthread_mutex_lock(&sh->m);
		sh->round = r;
		pthread_mutex_unlock(&sh->m);
		if (!(__atomic_load_n(&sh->word, __ATOMIC_RELAXED) & 1u)) {
			silent++; /* nobody prepared to sleep: the announcement costs no system call */
		}
		safeshm_wake(&sh->word);
	}
	for (int k = 0; k < WAITERS; k++) {
		int status = 0;
		if (kids[k] > 0) {
			waitpid(kids[k], &status, 0);
			CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "waiter %d: status %d", k, status);
		}
	}
	printf("wake-ups: %d waiters, %d rounds announced back to back: %u sleeps, %u lost; %u announcements found nobody "
		"prepared to sleep\n", WAITERS, ROUNDS, sh->sleeps, sh->lost, silent);
	CHECKF(sh->lost == 0, "%u waits ended by their timeout: wake-ups were lost", sh->lost);
	CHECK(sh->sleeps > 0);
	/* and an announcement with nobody prepared leaves the word alone */
	{
		uint32_t w = sh->word & ~1u;
		sh->word = w;
		safeshm_wake(&sh->word);
		CHECK(sh->word == w);
		CHECK(safeshm_wait_prepare(&sh->word) == (w | 1u) && sh->word == (w | 1u));
		safeshm_wake(&sh->word);
		CHECK(sh->word == ((w + 2u) & ~1u));
	}
	pthread_mutex_destroy(&sh->m);
	munmap(sh, sizeof(*sh));
}

static void test_mutex_basic(void)
{
	safeshm_lock l;
	int waited = -1;
	unsigned char *area, junk[SAFESHM_LOCK_AREA_SIZE];

	test_name = "mutex_basic";
	CHECK(safeshm_lock_mutex_supported());
	if (!(area = mutex_lock_new(&l))) {
		return;
	}
	CHECK_LS(safeshm_lock_acquire(&l, 1000, &waited), SAFESHM_LOCK_OK);
	CHECK(waited == 0);
	CHECK(safeshm_lock_mutex_valid(area));   /* the lock word changes, the kind does not */
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
	CHECK_LS(safeshm_lock_acquire(&l, -1, &waited), SAFESHM_LOCK_OK);
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
	CHECK_LS(safeshm_lock_acquire(&l, 0, &waited), SAFESHM_LOCK_OK);
	CHECK(waited == 0);

	/* not re-entrant: the holder's second acquire waits, and times out */
	{
		long t0 = now_ms(), dt;
		CHECK_LS(safeshm_lock_acquire(&l, 100, &waited), SAFESHM_LOCK_TIMEOUT);
		dt = now_ms() - t0;
		CHECK(waited == 1);
		CHECKF(dt >= 90 && dt < 100 + SLACK_MS, "waited %ld ms for a 100 ms timeout", dt);
	}
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
	/* releasing a mutex nobody holds is refused */
	CHECK(safeshm_lock_release(&l) != SAFESHM_LOCK_OK);

	/* damaged bytes are refused by the attach-time check */
	memset(junk, 0, sizeof(junk));
	CHECK(!safeshm_lock_mutex_valid(junk));          /* never initialised */
	memset(junk, 0xA5, sizeof(junk));
	CHECK(!safeshm_lock_mutex_valid(junk));
	memcpy(junk, area, sizeof(junk));
	CHECK(safeshm_lock_mutex_valid(junk));
	munmap(area, 4096);
}

static void test_mutex_contention(void)
{
	safeshm_lock l;
	int waited, ready, ctl;
	pid_t holder;
	void *area;

	test_name = "mutex_contention";
	if (!(area = mutex_lock_new(&l))) {
		return;
	}
	/* another process holds it: a bounded wait times out on time */
	holder = spawn_holder(&l, -1, &ready, &ctl);
	if (holder > 0 && holder_ready(ready)) {
		long t0 = now_ms(), dt;
		CHECK_LS(safeshm_lock_acquire(&l, 300, &waited), SAFESHM_LOCK_TIMEOUT);
		dt = now_ms() - t0;
		CHECK(waited == 1);
		CHECKF(dt >= 290 && dt < 300 + SLACK_MS, "waited %ld ms for a 300 ms timeout", dt);
		printf("mutex held by another process: 300 ms timeout after %ld ms\n", dt);
	}
	close(ctl);
	close(ready);
	check_child_ok(holder, SLACK_MS, "holder");
	CHECK_LS(safeshm_lock_acquire(&l, 0, &waited), SAFESHM_LOCK_OK);
	CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);

	/* a holder that lets go after 300 ms: the waiter gets it */
	holder = spawn_holder(&l, 300, &ready, &ctl);
	if (holder > 0 && holder_ready(ready)) {
		long t0 = now_ms(), dt;
		CHECK_LS(safeshm_lock_acquire(&l, 300 + SLACK_MS, &waited), SAFESHM_LOCK_OK);
		dt = now_ms() - t0;
		CHECK(waited == 1);
		CHECKF(dt >= 200 && dt < 300 + SLACK_MS, "woke after %ld ms", dt);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
	}
	close(ctl);
	close(ready);
	check_child_ok(holder, SLACK_MS, "releasing holder");
	munmap(area, 4096);
}

static void mutex_eintr_body(safeshm_lock l)
{
	struct sigaction sa;
	int waited, ready, ctl;
	pid_t holder;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);   /* no SA_RESTART */
	holder = spawn_holder(&l, -1, &ready, &ctl);
	if (holder > 0 && holder_ready(ready)) {
		long t0, dt;
		alarms = 0;
		every_ms(50);
		t0 = now_ms();
		CHECK_LS(safeshm_lock_acquire(&l, 1000, &waited), SAFESHM_LOCK_TIMEOUT);
		dt = now_ms() - t0;
		every_ms(0);
		CHECKF(alarms >= 5, "only %d SIGALRMs during the wait", (int) alarms);
		CHECKF(dt >= 990 && dt < 1000 + SLACK_MS, "a 1000 ms wait interrupted %d times took %ld ms", (int) alarms, dt);
		printf("mutex EINTR: 1000 ms timeout with SIGALRM every 50 ms (%d signals): TIMEOUT after %ld ms\n", (int) alarms, dt);
	}
	close(ctl);
	close(ready);
	check_child_ok(holder, SLACK_MS, "holder");
}

static void test_mutex_killed_holder(void)
{
	safeshm_lock l;
	int waited, ready, status;
	pid_t holder, killer;
	void *area;

	test_name = "mutex_killed_holder";
	if (!(area = mutex_lock_new(&l))) {
		return;
	}
	/* killed while holding, nobody waiting: the next locker is told */
	holder = spawn_mutex_holder(&l, &ready);
	if (holder > 0 && holder_ready(ready)) {
		CHECK_LS(safeshm_lock_acquire(&l, 0, &waited), SAFESHM_LOCK_TIMEOUT);
		kill(holder, SIGKILL);
		status = wait_child(holder, SLACK_MS);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		CHECK_LS(safeshm_lock_acquire(&l, 2000, &waited), SAFESHM_LOCK_OWNER_DEAD);
		CHECK(waited == 0);
		safeshm_lock_consistent(&l);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
		CHECK_LS(safeshm_lock_acquire(&l, 0, &waited), SAFESHM_LOCK_OK);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
		printf("SIGKILLed mutex holder: next acquire got OWNER_DEAD, then OK after consistent\n");
	}
	close(ready);

	/* killed while another process waits: the waiter wakes with OWNER_DEAD */
	holder = spawn_mutex_holder(&l, &ready);
	if (holder > 0 && holder_ready(ready)) {
		long t0, dt;
		killer = kill_later(holder, 300);
		t0 = now_ms();
		CHECK_LS(safeshm_lock_acquire(&l, 300 + SLACK_MS, &waited), SAFESHM_LOCK_OWNER_DEAD);
		dt = now_ms() - t0;
		CHECK(waited == 1);
		CHECKF(dt >= 250 && dt < 300 + SLACK_MS, "woke after %ld ms", dt);
		printf("mutex holder SIGKILLed 300 ms into a wait: waiter got OWNER_DEAD after %ld ms\n", dt);
		safeshm_lock_consistent(&l);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
		check_child_ok(killer, SLACK_MS, "killer");
		wait_child(holder, SLACK_MS);
	}
	close(ready);

	/* why the glue always calls consistent: released without it, the mutex
	 * is unusable for good, and says so instead of hanging */
	holder = spawn_mutex_holder(&l, &ready);
	if (holder > 0 && holder_ready(ready)) {
		kill(holder, SIGKILL);
		wait_child(holder, SLACK_MS);
		CHECK_LS(safeshm_lock_acquire(&l, 1000, &waited), SAFESHM_LOCK_OWNER_DEAD);
		CHECK_LS(safeshm_lock_release(&l), SAFESHM_LOCK_OK);
		CHECK_LS(safeshm_lock_acquire(&l, 1000, &waited), SAFESHM_LOCK_BROKEN);
	}
	close(ready);
	munmap(area, 4096);
}

static void test_mutex_eintr_and_exclusion(void)
{
	safeshm_lock l;
	pid_t pid;
	void *area;

	test_name = "mutex_eintr_and_exclusion";
	if (!(area = mutex_lock_new(&l))) {
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		mutex_eintr_body(l);
		fflush(stdout);
		_exit(0);
	}
	check_child_ok(pid, 1000 + 4 * SLACK_MS, "the EINTR wait");
	check_exclusion(&l, "mutex");
	munmap(area, 4096);
}
#endif

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

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	main_pid = getpid();
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	test_lock_key();
	test_open_acquire_release();
	test_child_times_out();
	test_killed_holder();
	test_eintr();
	test_removed();
	test_mutual_exclusion();
	test_wake_not_lost();
#if SAFESHM_HAVE_ROBUST_MUTEX
	test_mutex_basic();
	test_mutex_contention();
	test_mutex_killed_holder();
	test_mutex_eintr_and_exclusion();
#else
	printf("robust mutexes: not available in this build, not tested\n");
#endif
	cleanup_and_check();
	printf("%ld passed, %ld failed\n", tally->passed, tally->failed);
	fflush(stdout);
	return tally->failed ? 1 : 0;
}
