/* fastpcap.c - a fast reader for plain classic pcap files.
 *
 * libpcap reads a savefile with two fread() calls per record into its own
 * buffer; on a large capture that is a tenth of tamperscope's time.  This
 * reads the file FP_BLOCK bytes at a time with read(2) and hands out
 * records from the block.  (It used to map the file: on the 2-vCPU VM
 * here, mapping and touching the page cache costs four times what
 * read(2) does, 0.5 s against 0.13 s for 1 GB; see README "Performance".)
 * It only takes the easy case and leaves everything else to libpcap,
 * which stays the reference:
 *   - a regular file whose header is pcap 2.4 (micro- or nanosecond magic,
 *     either byte order) with a snapshot length of 1..262144;
 *   - records whose captured length is within that snapshot length;
 *   - not a byte-swapped NFLOG file (libpcap rewrites its records).
 * At the first record that is not so (or an incomplete one at the end of
 * the file) fp_next() stops with 0 and fp_offset() tells where: the caller
 * seeks libpcap's own stream there and lets pcap_next_ex() go on, so odd
 * records and truncated files get exactly libpcap's treatment and errors.
 * A file that ends before the size it had when opened has shrunk under
 * the reader: a read error (partial report).  A file that grows is
 * followed to its new end.  With a retire hook (fp_retire()) records
 * stay valid after the next call, for another thread (input/pipeline.c):
 * two blocks take turns, and the hook is called before the older one is
 * filled again.  Records are read through byte loads, never by casting
 * the buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fastpcap.h"
#include "tunables.h"
#include "util.h"

struct fastpcap {
	int fd;
	bool swapped, nano;
	uint32_t snaplen;
	uint8_t *buf, *other;          /* other: the previous block (retire hook set) */
	size_t cap, pos, len;          /* unread bytes are buf[pos..len) */
	off_t file_off;                /* file offset of buf[len] */
	off_t size;                    /* the file's size when opened */
	bool eof, shrank;
	void (*retire)(void *ctx, bool all);
	void *retire_ctx;
};

static uint32_t rd32(const uint8_t *p, bool swapped)
{
	return swapped ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const uint8_t *p, bool swapped)
{
	return swapped ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* The unread tail to the start of the block to fill: the same block, or
 * (retire hook) the other one, once the hook says nobody reads it. */
static void keep_tail(struct fastpcap *f)
{
	size_t rest = f->len - f->pos;
	if (f->retire) {
		f->retire(f->retire_ctx, false);
		memcpy(f->other, f->buf + f->pos, rest);
		uint8_t *t = f->buf;
		f->buf = f->other;
		f->other = t;
	} else if (f->pos) {
		memmove(f->buf, f->buf + f->pos, rest);
	}
	f->len = rest;
	f->pos = 0;
}

/* Read until buf holds `want` unread bytes or the file ends. -1 on error. */
static int refill(struct fastpcap *f, size_t want)
{
	if (want > f->cap) return 0;               /* cannot be a plain record */
	if (f->eof) return 0;
	keep_tail(f);
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
	if (f->eof && f->file_off < f->size) {     /* ended before its size */
		f->shrank = true;
		errno = EIO;
		return -1;
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
	f->size = st.st_size;
	f->file_off = (off_t)sizeof h;
	f->cap = FP_BLOCK;
	f->buf = xmalloc(f->cap);
	return f;
}

int fp_next(struct fastpcap *f, struct pcap_pkthdr *h, const uint8_t **data)
{
	if (fill(f, 16)) return -1;
	if (f->len - f->pos < 16) return 0;        /* end, or a cut header */
	const uint8_t *r = f->buf + f->pos;
	uint32_t sec = rd32(r, f->swapped), frac = rd32(r + 4, f->swapped);
	uint32_t caplen = rd32(r + 8, f->swapped), len = rd32(r + 12, f->swapped);
	if (caplen > f->snaplen) return 0;         /* libpcap's case */
	if (fill(f, 16 + (size_t)caplen)) return -1;
	if (f->len - f->pos < 16 + (size_t)caplen) return 0;   /* cut record */
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
	return 1;
}

bool fp_shrank(const struct fastpcap *f)
{
	return f->shrank;
}

bool fp_at_end(const struct fastpcap *f)
{
	struct stat st;
	if (!f->eof || f->pos != f->len) return false;
	/* a file still being written goes on through libpcap */
	return !fstat(f->fd, &st) && st.st_size <= f->file_off;
}

long long fp_offset(const struct fastpcap *f)
{
	return (long long)f->file_off - (long long)(f->len - f->pos);
}

void fp_retire(struct fastpcap *f, void (*retire)(void *ctx, bool all), void *ctx)
{
	if (!f->other) f->other = xmalloc(f->cap);
	f->retire = retire;
	f->retire_ctx = ctx;
}

void fp_close(struct fastpcap *f)
{
	if (!f) return;
	if (f->retire) f->retire(f->retire_ctx, true);
	free(f->buf);
	free(f->other);
	close(f->fd);
	free(f);
}
