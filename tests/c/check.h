/*
 * The C tests' tiny framework: CHECK/CHECKF count passes and failures in a
 * tally that may live in shared memory (so forked children count too), and
 * a failure prints file, line, the running test's name and a message.
 * Definitions in check.c, linked into every test program.
 */
#ifndef SAFESHM_TEST_CHECK_H
#define SAFESHM_TEST_CHECK_H

#include <stdio.h>

struct check_tally { long passed, failed; };

extern struct check_tally *tally;
extern const char *test_name;

void check_at(int ok, const char *file, int line, const char *expr, const char *msg);

/* Puts the tally in a shared page (exits on failure); call first in main(). */
void check_begin(void);
/* Prints the last line, "N passed, N failed"; returns main()'s exit status. */
int check_end(void);
/* Runs fn(arg) in a child: a crash or sanitizer report there is one failure. */
void isolated(const char *name, void (*fn)(void *), void *arg);

#define CHECK(c) check_at(!!(c), __FILE__, __LINE__, #c, NULL)
#define CHECKF(c, ...) do { \
		char m_[600]; int ok_ = !!(c); \
		if (!ok_) snprintf(m_, sizeof(m_), __VA_ARGS__); \
		check_at(ok_, __FILE__, __LINE__, #c, ok_ ? NULL : m_); \
	} while (0)

#endif
