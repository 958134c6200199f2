/* test_progress.c - the progress line's text (analyzer/progress.c) and
 * that the calls are no-ops unless progress_start() ran.  The expected
 * strings are worked out by hand from the numbers given. */
#include <stdio.h>
#include <string.h>
#include "progress.h"
#include "testhelp.h"

#define MiB (1024ull * 1024)

static int has(const char *s, const char *sub) { return strstr(s, sub) != NULL; }

int main(void)
{
	char b[200];

	/* 50 of 100 MiB in 5 s, 1,000,000 packets: half done, 10 MiB/s, 5 s left */
	progress_format(b, sizeof b, 50 * MiB, 100 * MiB, 1000000, 5.0);
	test_cond(b, has(b, " 50% 50.0 MiB of 100.0 MiB"));
	test_cond(b, has(b, "1.00M packets"));
	test_cond(b, has(b, "200.0k pkt/s"));
	test_cond(b, has(b, "ETA 0:05"));
	test_cond(b, !strncmp(b, "tamperscope: ", 13));
	test_cond("no control bytes in the text", !strpbrk(b, "\r\n\033"));

	/* 1 GiB of 4 GiB in 100 s: 300 s left = 5:00; 2.5M packets = 25k/s */
	progress_format(b, sizeof b, 1024 * MiB, 4096 * MiB, 2500000, 100.0);
	test_cond(b, has(b, " 25% 1.0 GiB of 4.0 GiB"));
	test_cond(b, has(b, "ETA 5:00"));
	test_cond(b, has(b, "25.0k pkt/s"));

	/* 1 of 8 GiB in 1000 s: 7000 s left = 1:56:40 */
	progress_format(b, sizeof b, 1024 * MiB, 8192 * MiB, 10, 1000.0);
	test_cond(b, has(b, "ETA 1:56:40"));
	test_cond(b, has(b, " 12% "));

	/* unknown total (stdin): bytes and packets/s, no percent, no ETA */
	progress_format(b, sizeof b, 3 * MiB / 2, 0, 12000, 2.0);
	test_cond(b, has(b, "1.5 MiB"));
	test_cond(b, has(b, "6000 pkt/s"));
	test_cond(b, has(b, "12.0k packets"));
	test_cond(b, !has(b, "ETA") && !has(b, "%"));

	/* a file that grew under the reader: never above 100% */
	progress_format(b, sizeof b, 120, 100, 1, 1.0);
	test_cond(b, has(b, "100%") && has(b, "ETA 0:00"));

	/* nothing started: ticks and clears write nothing (stderr to a file) */
	FILE *f = tmpfile();
	if (f) {
		fflush(stderr);
		FILE *saved = stderr;
		stderr = f;
		progress_file(0);
		progress_tick(1000, 8192);
		progress_clear();
		progress_stop();
		stderr = saved;
		test_cond("no output without progress_start()", ftell(f) == 0);
		fclose(f);
	}
	return test_report();
}
