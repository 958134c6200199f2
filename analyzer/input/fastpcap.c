/* fastpcap.c - a fast reader for plain classic pcap files.
 *
 * libpcap reads a savefile with two fread() calls per record into its own
 * buffer; on a large capture that is a tenth of tamperscope's time.  This
 * maps the file 16 MiB at a time and hands out records from the window,
 * which also spares the kernel's copy of every byte (a sixth of the run on
 * a large capture); where mapping fails it reads 1 MiB blocks with
 * read(2).  A file that shrinks under the mapping would raise SIGBUS: the
 * handler maps zeros over the rest of the window and the read ends there
 * as a read error (partial report), as libpcap's would.  A file that grows
 * is followed to its new end.  With a retire hook (fp_retire()) the
 * previous window stays mapped too, so that another thread can still read
 * records after the reader has moved on (input/pipeline.c): the hook is
 * called before that window goes and must wait until nobody uses it.  It only takes the easy case and leaves
 * everything else to libpcap, which stays the reference:
 *   - a regular file whose header is pcap 2.4 (micro- or nanosecond magic,
 *     either byte order) with a snapshot length of 1..262144;
 *   - records whose captured length is within that snapshot length;
 *   - not a byte-swapped NFLOG file (libpcap rewrites its records).
 * At the first record that is not so (or an incomplete one at the end of
 * the file) fp_next() stops with 0 and fp_offset() tells where: the caller
 * seeks libpcap's own stream there and lets pcap_next_ex() go on, so odd
 * records and truncated files get exactly libpcap's treatment and errors.
 * Records are read through byte loads, never by casting the buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fastpcap.h"
#include "tunables.h"
#include "util.h"

struct fastpcap {
	int fd;
	bool swapped, nano;
	uint32_t snaplen;
	uint8_t *buf;
	size_t cap, pos, len;          /* unread bytes are buf[pos..len) */
	size_t ahead;                  /* buf[pos..ahead) prefetched */
	off_t file_off;                /* file offset of buf[len] */
	bool eof;
	bool mapped;                   /* buf is a window of the file */
	off_t size;                    /* mapped mode: the file size known */
	struct sigaction old_bus;
	uint8_t *prev;                 /* the window before buf (retire hook set) */
	size_t prevcap;
	void (*retire)(void *ctx, bool all);
	void *retire_ctx;
};

/* The windows SIGBUS may hit (one reader at a time; the fault may come in
 * another thread that reads the records, hence atomics). */
static _Atomic(uint8_t *) g_win, g_prev;
static atomic_size_t g_winlen, g_prevlen;
static volatile sig_atomic_t g_bus;

/* Zeros over the vanished part of window w from the page of a on (the
 * read stops at the next record); false when a is not in w. */
static bool zero_rest(uint8_t *w, size_t len, uint8_t *a)
{
	if (!w || a < w || a >= w + len) return false;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *from = w + ((size_t)(a - w) & ~(pg - 1));
	if (mmap(from, len - (size_t)(from - w), PROT_READ,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		_exit(2);
	return true;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	uint8_t *a = si ? (uint8_t *)si->si_addr : NULL;
	if (!zero_rest(atomic_load(&g_win), atomic_load(&g_winlen), a) &&
	    !zero_rest(atomic_load(&g_prev), atomic_load(&g_prevlen), a)) {
		signal(sig, SIG_DFL);                 /* not ours: die as usual */
		raise(sig);
		return;
	}
	g_bus = 1;
}

static void unmap_prev(struct fastpcap *f)
{
	if (!f->prev) return;
	atomic_store(&g_prev, NULL);
	atomic_store(&g_prevlen, 0);
	munmap(f->prev, f->prevcap);
	f->prev = NULL;
}

/* The current window goes; with a retire hook it becomes the previous
 * one, and the one before goes once the hook says nobody reads it. */
static void unmap(struct fastpcap *f)
{
	if (!f->mapped || !f->buf) return;
	if (f->retire) {
		f->retire(f->retire_ctx, false);
		unmap_prev(f);
		f->prev = f->buf;
		f->prevcap = f->cap;
		atomic_store(&g_prevlen, f->cap);
		atomic_store(&g_prev, f->buf);
	} else {
		munmap(f->buf, f->cap);
	}
	atomic_store(&g_win, NULL);
	atomic_store(&g_winlen, 0);
	f->buf = NULL;
}

/* Mapped mode: a window from the page holding file offset `at`. */
static int map_at(struct fastpcap *f, off_t at)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	off_t start = at & ~(off_t)(pg - 1);
	struct stat st;
	if (at >= f->size && !fstat(f->fd, &st) && st.st_size > f->size)
		f->size = st.st_size;                 /* the file grew: follow it */
	size_t len = (size_t)(f->size - start) < FP_WINDOW ? (size_t)(f->size - start) : FP_WINDOW;
	unmap(f);
	f->pos = f->len = f->ahead = 0;
	f->file_off = at;
	f->eof = at >= f->size;
	if (f->eof || !len) return 0;
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, f->fd, start);
	if (m == MAP_FAILED) return -1;
	f->buf = m;
	f->cap = len;
	atomic_store(&g_winlen, len);
	atomic_store(&g_win, (uint8_t *)m);
	f->pos = (size_t)(at - start);
	f->len = len;
	f->file_off = start + (off_t)len;
	f->eof = f->file_off >= f->size;
	return 0;
}

static uint32_t rd32(const uint8_t *p, bool swapped)
{
	return swapped ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const uint8_t *p, bool swapped)
{
	return swapped ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Read until buf holds `want` unread bytes or the file ends. -1 on error. */
static int refill(struct fastpcap *f, size_t want)
{
	if (f->mapped) {
		off_t at = f->file_off - (off_t)(f->len - f->pos);
		if (want > FP_WINDOW - (size_t)sysconf(_SC_PAGESIZE)) return 0;
		return map_at(f, at);
	}
	if (f->pos) {                              /* keep the unread tail */
		memmove(f->buf, f->buf + f->pos, f->len - f->pos);
		f->len -= f->pos;
		f->pos = f->ahead = 0;
	}
	if (want > f->cap) return 0;               /* cannot be a plain record */
	while (!f->eof && f->len < want) {
		ssize_t n = read(f->fd, f->buf + f->len, f->cap - f->len);
		if (n < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		if (n == 0) f->eof = true;
		f->len += (size_t)n;
		f->file_off += n;
	}
	return 0;
}

static inline int fill(struct fastpcap *f, size_t want)
{
	return f->len - f->pos >= want ? 0 : refill(f, want);
}

struct fastpcap *fp_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return NULL;
	struct stat st;
	uint8_t h[24];
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || read(fd, h, sizeof h) != (ssize_t)sizeof h) {
		close(fd);
		return NULL;
	}
	uint32_t magic = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	                 (uint32_t)h[3] << 24;
	bool swapped, nano;
	switch (magic) {
	case 0xa1b2c3d4: swapped = false; nano = false; break;
	case 0xa1b23c4d: swapped = false; nano = true; break;
	case 0xd4c3b2a1: swapped = true; nano = false; break;
	case 0x4d3cb2a1: swapped = true; nano = true; break;
	default: close(fd); return NULL;            /* pcapng, modified pcap, ... */
	}
	uint32_t snap = rd32(h + 16, swapped);
	/* libpcap turns NFLOG's TLV headers to host order in a byte-swapped
	 * file (pcap_post_process()); this reader does not */
	bool swap_nflog = swapped && (rd32(h + 20, swapped) & 0x03ffffff) == 239;
	if (rd16(h + 4, swapped) != 2 || rd16(h + 6, swapped) != 4 || !snap || snap > FP_MAX_SNAP ||
	    swap_nflog) {
		close(fd);
		return NULL;
	}
	struct fastpcap *f = xcalloc(1, sizeof *f);
	f->fd = fd;
	f->swapped = swapped;
	f->nano = nano;
	f->snaplen = snap;
	f->file_off = (off_t)sizeof h;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	g_bus = 0;
	f->size = st.st_size;
	if (!atomic_load(&g_win) && !atomic_load(&g_prev) && !sigaction(SIGBUS, &sa, &f->old_bus)) {
		f->mapped = true;
		if (!map_at(f, (off_t)sizeof h)) return f;
		/* no mapping: read(2) blocks from here */
		unmap(f);
		sigaction(SIGBUS, &f->old_bus, NULL);
		f->mapped = false;
		if (lseek(fd, (off_t)sizeof h, SEEK_SET) < 0) { close(fd); free(f); return NULL; }
		f->pos = f->len = 0;
		f->eof = false;
		f->file_off = (off_t)sizeof h;
	}
	f->cap = FP_BLOCK;
	f->buf = xmalloc(f->cap);
	return f;
}

static inline void prefetch(struct fastpcap *f)
{
	size_t end = f->pos + FP_AHEAD < f->len ? f->pos + FP_AHEAD : f->len;
	if (f->ahead < f->pos) f->ahead = f->pos;
	for (; f->ahead < end; f->ahead += 64) __builtin_prefetch(f->buf + f->ahead);
}

int fp_next(struct fastpcap *f, struct pcap_pkthdr *h, const uint8_t **data)
{
	if (g_bus) { errno = EIO; return -1; }    /* the file shrank */
	if (fill(f, 16)) return -1;
	if (f->len - f->pos < 16) return 0;        /* end, or a cut header */
	const uint8_t *r = f->buf + f->pos;
	uint32_t sec = rd32(r, f->swapped), frac = rd32(r + 4, f->swapped);
	uint32_t caplen = rd32(r + 8, f->swapped), len = rd32(r + 12, f->swapped);
	if (caplen > f->snaplen) return 0;         /* libpcap's case */
	if (fill(f, 16 + (size_t)caplen)) return -1;
	if (f->len - f->pos < 16 + (size_t)caplen) return 0;   /* cut record */
	if (g_bus) { errno = EIO; return -1; }
	r = f->buf + f->pos;
	/* libpcap 1.10 reads the timestamp fields of a file in the host's
	 * byte order as signed 32-bit numbers, and those it byte-swaps as
	 * unsigned ones; nanoseconds are divided after that.  The same here,
	 * so that a damaged timestamp reads as through pcap_next_ex(). */
	if (!f->swapped) {
		int32_t s = (int32_t)sec, u = (int32_t)frac;
		h->ts.tv_sec = (time_t)s;
		h->ts.tv_usec = (suseconds_t)(f->nano ? u / 1000 : u);
	} else {
		h->ts.tv_sec = (time_t)sec;
		h->ts.tv_usec = (suseconds_t)(f->nano ? frac / 1000 : frac);
	}
	h->caplen = caplen;
	h->len = len;
	*data = r + 16;
	f->pos += 16 + (size_t)caplen;
	prefetch(f);
	return 1;
}

bool fp_shrank(const struct fastpcap *f)
{
	return f->mapped && g_bus;
}

bool fp_at_end(const struct fastpcap *f)
{
	struct stat st;
	if (!f->eof || f->pos != f->len) return false;
	/* mapped: the size was taken at the last window; a file still being
	 * written goes on through libpcap */
	return !f->mapped || (!fstat(f->fd, &st) && st.st_size <= f->size);
}

long long fp_offset(const struct fastpcap *f)
{
	return (long long)f->file_off - (long long)(f->len - f->pos);
}

bool fp_retire(struct fastpcap *f, void (*retire)(void *ctx, bool all), void *ctx)
{
	if (!f->mapped) return false;
	f->retire = retire;
	f->retire_ctx = ctx;
	return true;
}

void fp_close(struct fastpcap *f)
{
	if (!f) return;
	if (f->mapped) {
		if (f->retire) f->retire(f->retire_ctx, true);
		f->retire = NULL;
		unmap(f);
		unmap_prev(f);
		sigaction(SIGBUS, &f->old_bus, NULL);
	} else {
		free(f->buf);
	}
	close(f->fd);
	free(f);
}
