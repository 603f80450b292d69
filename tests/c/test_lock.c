/*
 * C tests of the SafeShm lock's semaphore (sem_lock.c): one SysV semaphore,
 * SEM_UNDO, semtimedop: the key, acquire and release, timeouts against
 * another process, a killed holder, signals during a wait, removal, mutual
 * exclusion. The robust mutex a store can be locked by instead is
 * test_lock_mutex.c's. Several processes are involved; every timing is printed
 * and asserted only with generous slack. Every semaphore created is removed,
 * and the run checks that none is left.
 *
 * Keys come from ftok() on this binary, so parallel runs of other test
 * programs never share a semaphore with it.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "lock_common.h"

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

/* ---- mutual exclusion (check_exclusion(): lock_common.h) ---------- */

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

int main(void)
{
	if (!lock_tests_start()) {
		return 2;
	}
	test_lock_key();
	test_open_acquire_release();
	test_child_times_out();
	test_killed_holder();
	test_eintr();
	test_removed();
	test_mutual_exclusion();
	return lock_tests_end();
}
