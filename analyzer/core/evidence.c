/* evidence.c - keep the first packets of a flow or DNS transaction and
 * write them as a pcap named after its Community ID, so anyone can check
 * a claim with tshark.  Used only with --evidence (memory: at most
 * max_pkts frames / max_bytes per flow or transaction). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evidence.h"
#include "util.h"

void evf_add(struct ev_frames **pf, int dlt, const struct pcap_pkthdr *h,
             const uint8_t *bytes, unsigned max_pkts, size_t max_bytes)
{
	struct ev_frames *f = *pf;
	if (!f) {
		f = xcalloc(1, sizeof *f);
		f->dlt = dlt;
		*pf = f;
	}
	if (f->n >= max_pkts || f->bytes + h->caplen > max_bytes || dlt != f->dlt) return;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->v = xrealloc(f->v, f->cap * sizeof *f->v);
	}
	struct ev_frame *x = &f->v[f->n++];
	x->h = *h;
	x->data = xmalloc(h->caplen ? h->caplen : 1);
	memcpy(x->data, bytes, h->caplen);
	f->bytes += h->caplen;
}

void evf_free(struct ev_frames *f)
{
	if (!f) return;
	for (unsigned i = 0; i < f->n; i++) free(f->v[i].data);
	free(f->v);
	free(f);
}

int evf_write(const struct ev_frames *f, const char *dir, const char *cid, char *err)
{
	char name[96], path[4096];
	size_t o = 0;
	/* "1:abc+/=" -> "1_abc-_": safe as a file name */
	for (const char *p = cid; *p && o + 1 < sizeof name; p++)
		name[o++] = *p == '/' ? '_' : *p == '+' ? '-' : *p == ':' ? '_' : *p == '=' ? '\0' : *p;
	name[o] = 0;
	snprintf(path, sizeof path, "%s/%s.pcap", dir, name);
	pcap_t *p = pcap_open_dead(f->dlt, 262144);
	if (!p) { snprintf(err, 256, "%.200s: pcap_open_dead failed", path); return -1; }
	pcap_dumper_t *d = pcap_dump_open(p, path);
	if (!d) {
		snprintf(err, 256, "%.250s", pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	for (unsigned i = 0; i < f->n; i++) pcap_dump((u_char *)d, &f->v[i].h, f->v[i].data);
	int bad = pcap_dump_flush(d);
	pcap_dump_close(d);
	pcap_close(p);
	if (bad) { snprintf(err, 256, "%.200s: %.50s", path, strerror(errno)); return -1; }
	return 0;
}
