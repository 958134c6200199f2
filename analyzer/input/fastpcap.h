/* fastpcap.h - block reader for plain classic pcap files; libpcap takes
 * over at the first record it does not handle (see fastpcap.c). */
#ifndef TS_FASTPCAP_H
#define TS_FASTPCAP_H

#include <stdbool.h>
#include <stdint.h>
#include <pcap/pcap.h>

struct fastpcap;
/* A reader positioned after the file header, or NULL when the file is not
 * one it handles (then use libpcap alone). */
struct fastpcap *fp_open(const char *path);
/* 1: a record (data valid until the next call); 0: no more plain records,
 * the rest (if any, see fp_at_end) is libpcap's from fp_offset(); -1: a
 * read error. */
int fp_next(struct fastpcap *f, struct pcap_pkthdr *h, const uint8_t **data);
bool fp_at_end(const struct fastpcap *f);
/* Keep records valid after the next call, for another thread: from here
 * the reader fills two blocks in turn and calls retire(ctx, false) before
 * it fills one again; the hook must not return while a record handed out
 * before the previous such call is still in use.  retire(ctx, true) comes
 * at fp_close(), before every record goes.  Without a hook, a record is
 * valid until the next call. */
void fp_retire(struct fastpcap *f, void (*retire)(void *ctx, bool all), void *ctx);
/* The -1 of fp_next() was the file ending before the size it had when
 * opened (it shrank under the reader). */
bool fp_shrank(const struct fastpcap *f);
long long fp_offset(const struct fastpcap *f);
void fp_close(struct fastpcap *f);

#endif
