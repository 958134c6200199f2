/* heap.c - malloc's heap in 2 MiB pages (heap.h).
 *
 * The first touch of a new 4 KiB page is a page fault.  On a virtual
 * machine that shadows the guest's page tables (this project's test
 * machine, a PVM guest, is one) it costs about 11 us, against 0.3 us a
 * page when 512 of them come in one 2 MiB fault.  `analyze` of the
 * 1 GB benchmark touched 9,000 (one thread) to 11,000 (two) new pages:
 * flow records, destinations, nDPI's flow structs, reassembly buffers,
 * the report's text; about 0.1 s of a 0.9 s run.
 *
 * glibc can do this itself (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), but
 * only when the variable is set before the program starts.  Here:
 *   - one arena (M_ARENA_MAX 1), so the engine thread of --threads 2
 *     allocates from the advised heap too (the reading thread hardly
 *     allocates: no contention to speak of);
 *   - the heap grows HEAP_PAD at a time (M_TOP_PAD) and is never given
 *     back in between (M_TRIM_THRESHOLD), so advice comes before the
 *     pages are touched and nothing is faulted twice;
 *   - blocks up to HEAP_MMAP_MAX come from the heap, not from a mapping
 *     of their own (M_MMAP_THRESHOLD): the report's text, read blocks;
 *   - heap_follow() advises each new stretch when an allocator notices
 *     the heap grew.
 * Under a sanitizer or valgrind, malloc is not glibc's heap: the start
 * check finds no heap and nothing is done. */
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "heap.h"
#include "tunables.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

static _Atomic uintptr_t advised;      /* 0: off; else the heap is advised up to here */

static uintptr_t down(uintptr_t a) { return a & ~(HUGE_PAGE - 1); }

void heap_follow(void)
{
	uintptr_t done = atomic_load_explicit(&advised, memory_order_relaxed);
	if (!done) return;
	uintptr_t top = down((uintptr_t)sbrk(0));
	if (top <= done) return;
	if (atomic_compare_exchange_strong(&advised, &done, top))
		(void)madvise((void *)done, top - done, MADV_HUGEPAGE);
}

bool heap_huge(void)
{
	return atomic_load(&advised) != 0;
}

void heap_hugepages(void)
{
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_TOP_PAD, HEAP_PAD);
	mallopt(M_TRIM_THRESHOLD, 2 * HEAP_PAD);
	mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_MAX);
	/* grow the heap now, by the pad, and find where it lies */
	void *p = malloc(1 << 20);
	if (!p) return;
	struct mallinfo2 mi = mallinfo2();
	uintptr_t top = (uintptr_t)sbrk(0), at = (uintptr_t)p;
	if (mi.arena && at < top && at >= top - mi.arena) {
		uintptr_t lo = down(at + HUGE_PAGE - 1);
		if (down(top) > lo) (void)madvise((void *)lo, down(top) - lo, MADV_HUGEPAGE);
		atomic_store(&advised, down(top) > lo ? down(top) : lo);
	}
	free(p);
}
