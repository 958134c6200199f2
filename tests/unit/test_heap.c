/* test_heap.c - heap.c: after heap_hugepages() the heap malloc grows is
 * advised for huge pages (VmFlags "hg" in /proc/self/smaps), also past
 * its first HEAP_PAD once the allocators notice it grew; what was
 * allocated reads back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "heap.h"
#include "util.h"
#include "testhelp.h"

/* Bytes of the [heap] mappings, and of those advised (VmFlags hg). */
static void heap_maps(size_t *all, size_t *hg)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in_heap = false;
	size_t len = 0;
	*all = *hg = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in_heap = strstr(line, "[heap]") != NULL;
			len = hi - lo;
			if (in_heap) *all += len;
		} else if (in_heap && !strncmp(line, "VmFlags:", 8) && strstr(line, " hg")) {
			*hg += len;
		}
	}
	if (f) fclose(f);
}

int main(void)
{
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK)) {
		printf("SKIP heap: this kernel has no transparent huge pages\n");
		return test_report();
	}
	heap_hugepages();
	if (!heap_huge()) {
		printf("SKIP heap: malloc is not glibc's heap here (a sanitizer or valgrind build)\n");
		return test_report();
	}
	enum { N = 160, SZ = 1 << 20 };          /* 160 MiB: past the first 64 MiB pad */
	char *p[N];
	for (int i = 0; i < N; i++) {
		p[i] = xmalloc(SZ);
		memset(p[i], i, SZ);
	}
	size_t all, hg;
	heap_maps(&all, &hg);
	test_cond("heap: grew past 160 MiB", all >= (size_t)N * SZ);
	/* what is not advised: the heap's first partial 2 MiB and the part
	 * below it that grew before heap_hugepages(), the top's partial one */
	test_cond("heap: advised for huge pages all but its first and last 2 MiB pages",
	          hg + (6u << 20) >= all);
	bool ok = true;
	for (int i = 0; i < N; i++) {
		for (int k = 0; k < SZ; k += 4093) ok &= p[i][k] == (char)i;
		free(p[i]);
	}
	test_cond("heap: what was written reads back", ok);
	return test_report();
}
