/* heap.h - malloc's heap in 2 MiB pages, for a run that reads a file.
 *
 * heap_hugepages() (once, at the start of `analyze`, before any thread)
 * sets malloc up to grow its one heap HEAP_PAD at a time and asks the
 * kernel for transparent huge pages over it (madvise MADV_HUGEPAGE,
 * honoured when /sys/kernel/mm/transparent_hugepage/enabled is
 * "madvise" or "always"); heap_follow() advises what the heap has grown
 * by since (util.c's allocators call it: cheap when it has not grown).
 * Nothing changes but where memory comes from and how it is paged. */
#ifndef TS_HEAP_H
#define TS_HEAP_H

#include <stdbool.h>

void heap_hugepages(void);
void heap_follow(void);
/* Whether heap_hugepages() found glibc's heap and advised it (not under
 * a sanitizer or valgrind, whose malloc is their own). */
bool heap_huge(void);

#endif
