/*
 * The C tests' tiny framework (check.h).
 */
#include "check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* A UBSan finding must fail the run, not scroll past. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

struct check_tally *tally;
const char *test_name = "?";

void check_at(int ok, const char *file, int line, const char *expr, const char *msg)
{
	if (ok) {
		__atomic_add_fetch(&tally->passed, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_add_fetch(&tally->failed, 1, __ATOMIC_RELAXED);
	printf("FAIL %s:%d [%s] %s%s%s\n", file, line, test_name, expr, msg ? ": " : "", msg ? msg : "");
	fflush(stdout);
}

void check_begin(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
}

int check_end(void)
{
	printf("%ld passed, %ld failed\n", tally->passed, tally->failed);
	fflush(stdout);
	return tally->failed ? 1 : 0;
}

/* Runs fn(arg) in a child: a crash or sanitizer report there is one failure; its
 * CHECKs count through the shared tally. */
void isolated(const char *name, void (*fn)(void *), void *arg)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		CHECKF(0, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		test_name = name;
		fn(arg);
		fflush(stdout);
		/* _exit: no leak check here; a simulated crash leaks what the dead writer held */
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	test_name = name;
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"the child running it %s %d (a crash or a sanitizer report is above)",
		WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}
