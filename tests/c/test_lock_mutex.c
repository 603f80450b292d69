/*
 * C tests of the robust process-shared mutex a store can be locked by
 * (sem_lock.c, safeshm.lock=mutex): the futex wake-up never lost, acquire and
 * release, contention, EOWNERDEAD after a killed holder, bounded waits through
 * signals, a damaged mutex refused. Several processes are involved; every
 * timing is printed and asserted only with generous slack.
 *
 * Last line: "N passed, N failed"; exit status 1 on any failure.
 */
#include "lock_common.h"

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

int main(void)
{
	if (!lock_tests_start()) {
		return 2;
	}
#if SAFESHM_HAVE_ROBUST_MUTEX
	test_wake_not_lost();
	test_mutex_basic();
	test_mutex_contention();
	test_mutex_killed_holder();
	test_mutex_eintr_and_exclusion();
#else
	printf("robust mutexes: not available in this build, not tested\n");
#endif
	return lock_tests_end();
}
