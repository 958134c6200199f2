/* evidence.h - raw packets kept for evidence pcaps (--evidence DIR). */
#ifndef TS_EVIDENCE_H
#define TS_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

struct ev_frame {
	struct pcap_pkthdr h;
	uint8_t *data;            /* h.caplen bytes (owned) */
};

struct ev_frames {
	int dlt;
	unsigned n, cap;
	size_t bytes;
	struct ev_frame *v;
};

/* Append a copy of one frame to *pf (created on first use), keeping at
 * most max_pkts frames and max_bytes bytes; further frames are dropped. */
void evf_add(struct ev_frames **pf, int dlt, const struct pcap_pkthdr *h,
             const uint8_t *bytes, unsigned max_pkts, size_t max_bytes);
void evf_free(struct ev_frames *f);
/* Write DIR/<community id, URL-safe>.pcap (appending nothing: a new file
 * each time; an existing one is replaced).  0 ok, -1 with err filled. */
int evf_write(const struct ev_frames *f, const char *dir, const char *cid, char *err);

#endif
