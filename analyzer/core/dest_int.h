/* dest_int.h - the destination table's records, shared by the table
 * (core/dest.c, which fills them) and its JSON emission
 * (report/dest_json.c, which reads them).  Nobody else includes it. */
#ifndef TS_DEST_INT_H
#define TS_DEST_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "catalog.h"
#include "dest.h"
#include "tunables.h"

#define TL_TYPES SIG_MAX       /* per detector (catalog.h); the last "other" */
#define TL_OTHER (TL_TYPES - 1)

struct tl_bucket {
	uint64_t hour;               /* start of the hour, microseconds */
	uint32_t n[TL_TYPES];
};

/* Timeline column of a signature type. */
static inline int tl_index(const char *type)
{
	int k = sig_index(type);
	return k >= 0 ? k : TL_OTHER;
}

struct sig {
	char type[24];
	int stage;
	bool rep;                    /* repetition signature (verdict.h)     */
	uint16_t port[SIG_PORTS];    /* ... its connections per destination  */
	uint32_t pconn[SIG_PORTS];   /*     port (the first SIG_PORTS ports) */
	unsigned nport;
	uint64_t count;
	double conf;                 /* highest event / connection part      */
	uint64_t ev[EV_MAX];
	uint64_t first, last;
	uint64_t meas[SIG_MEASURES_MAX]; /* catalog.h measurements (0: none) */
	char *ex[SIG_EXAMPLES_MAX];
	unsigned nex;
};

struct dest {
	struct dest *hnext;
	struct dest *lprev, *lnext;  /* LRU list while evictable */
	struct dest_table *tab;
	bool in_lru;
	uint64_t hash;               /* of name: chains compare it first  */
	char *name;
	char *service;
	bool social;
	char *hosts[DEST_HOSTS_MAX];
	unsigned nhosts;
	struct ts_addr ips[DEST_IPS_MAX];
	unsigned nips;
	struct dest_tcp tcp;
	struct dest_udp udp;
	uint64_t dns_q, dns_r;
	struct sig *sigs;
	unsigned nsigs;
	uint64_t first, last;
	uint64_t last_clean;         /* last connection without interference */
	uint16_t evidence[TL_TYPES]; /* evidence files written, per signature */
	struct tl_bucket *tl;        /* ring of TL_BUCKETS, allocated on use */
	unsigned ntl, tlpos;
};

struct dest_table {
	struct dest **bucket;
	size_t nb;
	unsigned max, n;
	uint64_t evicted;
	uint64_t answered;           /* answered connections (verdict.h)  */
	struct dest *lru_head, *lru_tail;   /* evictable, oldest first */
};

#endif
