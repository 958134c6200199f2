/* testhelp.h - a 20-line unit-test harness (after redis src/testhelp.h).
 *
 * test_cond(desc, cond) records one check; test_report() prints
 * "RESULT <passed> <failed>" for tests/run-tests.sh, which sums all test
 * binaries into the closing "N passed, N failed" line, and returns the
 * process exit status.
 */
#ifndef TS_TESTHELP_H
#define TS_TESTHELP_H
#include <stdio.h>

static int test_passed_, test_failed_;

#define test_cond(desc, cond) do {                                        \
	if (cond) { test_passed_++; }                                     \
	else { test_failed_++;                                            \
	       printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, (desc)); } \
} while (0)

#define test_report() (printf("RESULT %d %d\n", test_passed_, test_failed_), \
                       test_failed_ ? 1 : 0)
#endif
