/* progress.h - one line of progress on stderr while `analyze` reads its
 * files: bytes read of the total, packets/s, ETA.
 *
 * The caller (main.c) decides whether to show it (not -q, stderr a
 * terminal) and calls progress_start(); the readers (capture.c) call
 * progress_file() when a file begins and progress_tick() every
 * PROGRESS_EVERY packets, never per packet: a tick reads the monotonic
 * clock (vDSO, no syscall) and redraws at most PROGRESS_HZ times a second.
 * Without progress_start() every call returns at once.
 *
 * The line is "\r<text>\033[K" and progress_clear() erases it ("\r\033[K");
 * ts_err() calls progress_clear() first, so messages never land on it. */
#ifndef TS_PROGRESS_H
#define TS_PROGRESS_H

#include <stdint.h>
#include "tunables.h"


/* Sizes of the files (a regular file, or "-" when stdin is one) make the
 * total; any other input leaves it unknown: bytes and packets/s, no ETA. */
void progress_start(const char *const *files, int nfiles);
/* File i (0-based, in the order given to progress_start) begins. */
void progress_file(int i);
/* pos: bytes of the current file read so far (-1: unknown). */
void progress_tick(long long pos, uint64_t packets);
/* Erase the line if one is shown (safe from any thread; idempotent). */
void progress_clear(void);
/* Erase the line and stop (further calls are no-ops). */
void progress_stop(void);

/* The line for these numbers (exposed for the unit test); total 0 =
 * unknown.  Returns buf. */
char *progress_format(char *buf, unsigned sz, uint64_t done, uint64_t total,
                      uint64_t packets, double elapsed_s);

#endif
