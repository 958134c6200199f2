/* test_fastpcap.c - the block reader plus libpcap's take-over must give
 * exactly what libpcap alone gives: every record's timestamp, lengths and
 * bytes, and the same end (clean, or the same error).  Checked on every
 * capture under ../shared/pcaps and pcaps/, on files in all four classic
 * magics, with an over-long record in the middle, and on one file cut at
 * every byte offset. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include "fastpcap.h"
#include "testhelp.h"

struct rec { struct pcap_pkthdr h; unsigned char *data; };
struct run { struct rec *v; size_t n; int rc; char err[PCAP_ERRBUF_SIZE]; };

static void add(struct run *r, const struct pcap_pkthdr *h, const unsigned char *d)
{
	r->v = realloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n].h = *h;
	r->v[r->n].data = malloc(h->caplen ? h->caplen : 1);
	memcpy(r->v[r->n].data, d, h->caplen);
	r->n++;
}

static void drain(pcap_t *p, struct run *r)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	while ((r->rc = pcap_next_ex(p, &h, &d)) == 1) add(r, h, d);
	if (r->rc == PCAP_ERROR) snprintf(r->err, sizeof r->err, "%s", pcap_geterr(p));
}

/* 0 = libpcap could not open it */
static int read_lib(const char *path, struct run *r)
{
	char e[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, e);
	if (!p) return 0;
	drain(p, r);
	pcap_close(p);
	return 1;
}

/* the reader as capture.c drives it; *fast counts records it gave */
static int read_fast(const char *path, struct run *r, size_t *fast)
{
	char e[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, e);
	if (!p) return 0;
	struct fastpcap *f = fp_open(path);
	*fast = 0;
	if (f) {
		struct pcap_pkthdr h;
		const uint8_t *d;
		int rc;
		while ((rc = fp_next(f, &h, &d)) == 1) { add(r, &h, d); (*fast)++; }
		bool done = rc == 0 && fp_at_end(f);
		if (!done) fseeko(pcap_file(p), (off_t)fp_offset(f), SEEK_SET);
		fp_close(f);
		if (done) { r->rc = PCAP_ERROR_BREAK; pcap_close(p); return 1; }
	}
	drain(p, r);
	pcap_close(p);
	return 1;
}

static void free_run(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) free(r->v[i].data);
	free(r->v);
	memset(r, 0, sizeof *r);
}

static int same(const struct run *a, const struct run *b)
{
	if (a->n != b->n || a->rc != b->rc || strcmp(a->err, b->err)) return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct pcap_pkthdr *x = &a->v[i].h, *y = &b->v[i].h;
		if (x->ts.tv_sec != y->ts.tv_sec || x->ts.tv_usec != y->ts.tv_usec ||
		    x->caplen != y->caplen || x->len != y->len ||
		    memcmp(a->v[i].data, b->v[i].data, x->caplen)) {
			printf("record %zu: %ld.%ld/%ld.%ld caplen %u/%u len %u/%u\n", i,
			       (long)x->ts.tv_sec, (long)x->ts.tv_usec, (long)y->ts.tv_sec,
			       (long)y->ts.tv_usec, x->caplen, y->caplen, x->len, y->len);
			return 0;
		}
	}
	return 1;
}

static size_t files_ok, files_bad, fast_records;

static void check_file(const char *path)
{
	struct run a = { 0 }, b = { 0 };
	size_t fast = 0;
	int oa = read_lib(path, &a), ob = read_fast(path, &b, &fast);
	if (oa != ob || (oa && !same(&a, &b))) {
		printf("FAIL fastpcap: %s differs from libpcap (%zu/%zu records, rc %d/%d)\n", path,
		       a.n, b.n, a.rc, b.rc);
		files_bad++;
	} else {
		files_ok++;
		fast_records += fast;
	}
	free_run(&a);
	free_run(&b);
}

static int walk(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) return 0;
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.') continue;
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(p, &st)) continue;
		if (S_ISDIR(st.st_mode)) { n += walk(p); continue; }
		if (strstr(e->d_name, ".pcap")) { check_file(p); n++; }
	}
	closedir(d);
	return n;
}

/* n records of varied sizes (Ethernet, snaplen 65535) */
static void make_big(const char *path, unsigned n, unsigned seed)
{
	FILE *f = fopen(path, "wb");
	static unsigned char pkt[1600];
	for (unsigned k = 0; k < sizeof pkt; k++) pkt[k] = (unsigned char)(k * 31 + seed);
	uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	fwrite(hdr, 4, 6, f);
	for (unsigned i = 0; i < n; i++) {
		uint32_t cap = 60 + (i * 2654435761u + seed) % 1500;
		uint32_t r[4] = { 1700000000 + i / 1000, (i % 1000) * 1000, cap, cap };
		pkt[0] = (unsigned char)i;
		fwrite(r, 4, 4, f);
		fwrite(pkt, 1, cap, f);
	}
	fclose(f);
}

static void put32(FILE *f, uint32_t v, int be)
{
	unsigned char b[4];
	for (int i = 0; i < 4; i++) b[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
	fwrite(b, 1, 4, f);
}

static void put16(FILE *f, uint16_t v, int be)
{
	unsigned char b[2] = { (unsigned char)(be ? v >> 8 : v), (unsigned char)(be ? v : v >> 8) };
	fwrite(b, 1, 2, f);
}

/* A small capture of link type lt (1: Ethernet): magic, byte order, and
 * whether record 3 is longer than the snapshot length (libpcap's
 * business). */
static void make(const char *path, uint32_t magic, int be, int odd, uint32_t lt)
{
	FILE *f = fopen(path, "wb");
	put32(f, magic, be); put16(f, 2, be); put16(f, 4, be);
	put32(f, 0, be); put32(f, 0, be); put32(f, 200, be); put32(f, lt, be);
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t cap = (odd && i == 3) ? 300 : 20 + i * 17;
		put32(f, i == 6 ? 0xf0000000u : 1700000000 + i, be);   /* past 2038 */
		put32(f, i == 5 ? 0xfffffff0u : i * 123457u, be);      /* a "negative" fraction */
		put32(f, cap, be);
		put32(f, cap + i, be);
		uint32_t k = 0;
		if (lt == 239) {       /* NFLOG v0 header, a TLV in the writer's order */
			put32(f, 0x02000000, 1);
			put16(f, 8, be); put16(f, 1, be); put32(f, i, be);
			k = 12;
		}
		for (; k < cap; k++) fputc((int)((k * 7 + i) & 0xff), f);
	}
	fclose(f);
}

/* fp_retire(): a record's bytes stay intact until the retire call after
 * the one that follows it; retire(all) once, at close. */
struct held { const uint8_t *d; uint32_t cap, idx; };
struct retire_check {
	struct held *v;
	size_t n, from, mark;        /* v[from..n) may still be used       */
	unsigned calls, all_calls, bad;
	unsigned seed;
};

static bool record_intact(const struct held *r, unsigned seed)
{
	if (r->d[0] != (uint8_t)r->idx) return false;
	for (uint32_t k = 1; k < r->cap; k++)
		if (r->d[k] != (uint8_t)(k * 31 + seed)) return false;
	return true;
}

static void on_retire(void *ctx, bool all)
{
	struct retire_check *c = ctx;
	for (size_t i = c->from; i < c->n; i++)
		if (!record_intact(&c->v[i], c->seed)) c->bad++;
	if (all) { c->all_calls++; c->from = c->n; return; }
	c->calls++;
	c->from = c->mark;            /* those before the last change may go now */
	c->mark = c->n;
}

static void test_retire(const char *tmp)
{
	struct retire_check c = { .seed = 9 };
	make_big(tmp, 60000, c.seed);
	struct fastpcap *f = fp_open(tmp);
	bool hooked = f != NULL;
	if (f) fp_retire(f, on_retire, &c);
	struct pcap_pkthdr h;
	const uint8_t *d;
	c.v = calloc(60000, sizeof *c.v);
	while (hooked && c.n < 60000 && fp_next(f, &h, &d) == 1) {
		c.v[c.n] = (struct held){ d, h.caplen, (uint32_t)c.n };
		c.n++;
	}
	unsigned calls = c.calls;
	if (f) fp_close(f);
	test_cond("fastpcap: with a retire hook, every record intact until it may go",
	          hooked && c.n == 60000 && c.bad == 0);
	test_cond("fastpcap: retire before each block is filled, all once at close",
	          calls >= 40 && c.all_calls == 1);
	free(c.v);
}

/* The file shrinks under a reader with a retire hook: a read error at
 * the next block, and the records already handed out are intact. */
static void test_retire_shrink(const char *tmp)
{
	make_big(tmp, 60000, 3);
	struct retire_check c = { .seed = 3 };
	struct fastpcap *f = fp_open(tmp);
	bool hooked = f != NULL;
	if (f) fp_retire(f, on_retire, &c);
	struct pcap_pkthdr h;
	const uint8_t *d;
	struct held held = { 0 };
	int rc = 0;
	unsigned n = 0;
	while (hooked && (rc = fp_next(f, &h, &d)) == 1) {
		if (++n == 20000) {
			held = (struct held){ d, h.caplen, n - 1 };
			break;
		}
	}
	bool cut = held.d && !truncate(tmp, 1000000);
	while (cut && (rc = fp_next(f, &h, &d)) == 1) {}
	test_cond("fastpcap: a file cut under a reader with a retire hook: a read error, records intact",
	          cut && rc == -1 && fp_shrank(f) && record_intact(&held, 3) && c.bad == 0);
	if (f) fp_close(f);
}

int main(void)
{
	const char *tmp = "build/tests/fastpcap.tmp.pcap";
	static const uint32_t magics[] = { 0xa1b2c3d4, 0xa1b23c4d };
	size_t bad0 = files_bad;
	for (int m = 0; m < 2; m++)
		for (int be = 0; be < 2; be++)
			for (int odd = 0; odd < 2; odd++) {
				make(tmp, magics[m], be, odd, 1);
				check_file(tmp);
			}
	test_cond("fastpcap: 4 magics, with and without an over-long record", files_bad == bad0);
	/* NFLOG (239): libpcap turns the TLV headers of a byte-swapped file
	 * to host order; the records must come out the same */
	bad0 = files_bad;
	for (int be = 0; be < 2; be++) {
		make(tmp, 0xa1b2c3d4, be, 0, 239);
		check_file(tmp);
	}
	test_cond("fastpcap: NFLOG in either byte order as libpcap", files_bad == bad0);

	/* cut the file at every offset: cut headers, cut records */
	make(tmp, 0xa1b2c3d4, 0, 0, 1);
	FILE *f = fopen(tmp, "rb");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	unsigned char *all = malloc((size_t)size);
	fseek(f, 0, SEEK_SET);
	size_t got = fread(all, 1, (size_t)size, f);
	fclose(f);
	bad0 = files_bad;
	for (long cut = 0; cut <= size && got == (size_t)size; cut++) {
		const char *t2 = "build/tests/fastpcap.cut.pcap";
		FILE *o = fopen(t2, "wb");
		fwrite(all, 1, (size_t)cut, o);
		fclose(o);
		check_file(t2);
	}
	free(all);
	test_cond("fastpcap: a capture cut at every byte offset", files_bad == bad0);
	remove(tmp);
	remove("build/tests/fastpcap.cut.pcap");

	/* many times the reader's block: records across blocks */
	make_big(tmp, 60000, 7);
	bad0 = files_bad;
	check_file(tmp);
	test_cond("fastpcap: 50 MB file across blocks", files_bad == bad0);

	/* the file shrinks under the reader: a read error, the records
	 * before the cut intact */
	make_big(tmp, 60000, 3);
	struct fastpcap *f2 = fp_open(tmp);
	struct pcap_pkthdr h2;
	const uint8_t *d2;
	int rc2 = 0;
	size_t got2 = 0, okbytes = 0;
	while (f2 && (rc2 = fp_next(f2, &h2, &d2)) == 1) {
		if (d2[0] == (unsigned char)got2) okbytes++;
		if (++got2 == 100 && truncate(tmp, 1000000)) break;
	}
	test_cond("fastpcap: a file cut under the reader ends in a read error",
	          f2 && rc2 == -1 && got2 >= 100 && got2 < 60000 && okbytes >= 100 &&
	          fp_shrank(f2));
	fp_close(f2);

	test_retire(tmp);
	test_retire_shrink(tmp);

	/* the file grows after the reader reached its end: not at the end */
	make_big(tmp, 1000, 5);
	f2 = fp_open(tmp);
	got2 = 0;
	while (f2 && fp_next(f2, &h2, &d2) == 1) got2++;
	FILE *app = fopen(tmp, "ab");
	uint32_t r[4] = { 1800000000, 0, 60, 60 };
	unsigned char z[60] = { 0 };
	fwrite(r, 4, 4, app);
	fwrite(z, 1, 60, app);
	fclose(app);
	test_cond("fastpcap: a file that grew is handed on, not ended",
	          f2 && got2 == 1000 && !fp_at_end(f2) && fp_offset(f2) > 0);
	fp_close(f2);

	bad0 = files_bad;
	int n = walk("pcaps");
	int shared = walk("../shared/pcaps");
	if (!shared) printf("SKIP fastpcap: ../shared/pcaps absent, only pcaps/ compared\n");
	test_cond("fastpcap: every capture reads as with libpcap", files_bad == bad0 && n > 0);
	test_cond("fastpcap: the block reader took most records", fast_records > 1000);
	printf("fastpcap: %zu files equal to libpcap, %zu records from the block reader\n",
	       files_ok, fast_records);
	return test_report();
}
