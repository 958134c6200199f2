/* replay.c - a plain main() for the fuzz targets (after libpcap's
 * testprogs/fuzz/onefile.c): runs LLVMFuzzerTestOneInput() once on every
 * file given, descending into directories (sorted, so runs repeat).
 * Built with gcc -fsanitize=address,undefined by tests/fuzz/fuzz.mk and
 * used by tests/suites/fuzz_replay.sh.  Prints "ok N" on success; any
 * sanitizer report or invariant failure aborts. */
#include <dirent.h>
#include <sys/stat.h>
#include "fuzz.h"

static unsigned long nrun;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); return -1; }
	size_t cap = 4096, n = 0, r;
	uint8_t *buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb) { free(buf); buf = NULL; }
			buf = nb;
		}
	}
	int bad = ferror(f) || !buf;
	fclose(f);
	if (bad) { fprintf(stderr, "%s: read error\n", path); free(buf); return -1; }
	/* exact-size copy so reads past the input are caught */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) { free(buf); return -1; }
	memcpy(exact, buf, n);
	free(buf);
	if (getenv("REPLAY_VERBOSE")) fprintf(stderr, "replay %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	nrun++;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st)) { perror(path); return -1; }
	if (!S_ISDIR(st.st_mode)) return run_file(path);
	DIR *d = opendir(path);
	if (!d) { perror(path); return -1; }
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.') continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
			if (!nn) break;
			names = nn;
		}
		size_t l = strlen(path) + strlen(de->d_name) + 2;
		names[n] = malloc(l);
		if (!names[n]) break;
		snprintf(names[n], l, "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	if (n) qsort(names, n, sizeof *names, cmp);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (run_path(names[i])) rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 1;
	}
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i])) rc = 1;
	printf("ok %lu\n", nrun);
	return rc;
}
