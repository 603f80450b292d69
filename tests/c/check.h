/*
 * The C tests' tiny framework: CHECK/CHECKF count passes and failures in a
 * tally that may live in shared memory (so forked children count too), and
 * a failure prints file, line, the running test's name and a message.
 */
#ifndef SAFESHM_TEST_CHECK_H
#define SAFESHM_TEST_CHECK_H

#include <stdio.h>

/* A UBSan finding must fail the run, not scroll past. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

static struct { long passed, failed; } *tally;
static const char *test_name = "?";

static void check_at(int ok, const char *file, int line, const char *expr, const char *msg)
{
	if (ok) {
		__atomic_add_fetch(&tally->passed, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_add_fetch(&tally->failed, 1, __ATOMIC_RELAXED);
	printf("FAIL %s:%d [%s] %s%s%s\n", file, line, test_name, expr, msg ? ": " : "", msg ? msg : "");
	fflush(stdout);
}

#define CHECK(c) check_at(!!(c), __FILE__, __LINE__, #c, NULL)
#define CHECKF(c, ...) do { \
		char m_[600]; int ok_ = !!(c); \
		if (!ok_) snprintf(m_, sizeof(m_), __VA_ARGS__); \
		check_at(ok_, __FILE__, __LINE__, #c, ok_ ? NULL : m_); \
	} while (0)

#endif
