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

/* Laid out for the cache (records start a 64-byte line): a lookup reads
 * the first line (hash, name); a destination with one address uses the
 * first four lines only.  Reusing an evicted record clears lprev up to
 * ips (dest.c); the arrays are read only below their counts and evidence
 * only once evidence_used is set. */
struct dest {
	_Alignas(64) uint64_t hash;  /* of name: the table compares it first */
	char *name;                  /* name_in, or allocated when longer */
	char name_in[DEST_NAME_INLINE];
	struct dest *lprev, *lnext;  /* LRU list while evictable */
	struct dest_table *tab;
	uint32_t rec;                /* record number + 1 (dest_at) */
	char *service;
	struct sig *sigs;
	struct tl_bucket *tl;        /* ring of TL_BUCKETS, allocated on use */
	uint64_t first, last;
	struct dest_tcp tcp;
	struct dest_udp udp;
	uint64_t dns_q, dns_r;
	uint64_t last_clean;         /* last connection without interference */
	uint8_t nhosts, nips, nsigs; /* <= DEST_HOSTS_MAX, DEST_IPS_MAX, DEST_SIGS_MAX */
	uint8_t ntl, tlpos;          /* <= TL_BUCKETS */
	bool in_lru;
	bool social;
	bool evidence_used;          /* evidence[] counts (zeroed on first use) */
	struct ts_addr ips[DEST_IPS_MAX];
	uint16_t evidence[TL_TYPES]; /* evidence files written, per signature */
	char *hosts[DEST_HOSTS_MAX];
};
_Static_assert(DEST_HOSTS_MAX <= 255 && DEST_IPS_MAX <= 255 && DEST_SIGS_MAX <= 255 &&
               TL_BUCKETS <= 255, "struct dest counts are bytes");

/* Open addressing, linear probing: 32 bits of a destination's name hash
 * sit in its slot, so a lookup touches no other destination's memory. */
struct dest_slot {
	uint32_t tag;                /* the hash's low half; its home slot too */
	uint32_t rec;                /* record number + 1; 0: empty */
};

struct dest_table {
	struct dest_slot *slot;
	size_t nslot;                /* a power of 2, at least twice max */
	unsigned max, n;             /* records 1..n are the destinations */
	uint64_t evicted;
	uint64_t answered;           /* answered connections (verdict.h)  */
	struct dest *lru_head, *lru_tail;   /* evictable, oldest first */
	struct dest **chunk;         /* DEST_CHUNK records each, line-aligned */
	void **chunk_mem;            /* ... as allocated */
	uint64_t *owns;              /* a bit per record: it holds allocations
	                                (only those are read at dest_free) */
};

/* Destination i (0 <= i < n): records are never freed one by one (an
 * evicted one is reused in place), so the first n are all in use. */
static inline struct dest *dest_at(const struct dest_table *t, unsigned i)
{
	return &t->chunk[i / DEST_CHUNK][i % DEST_CHUNK];
}

#endif
