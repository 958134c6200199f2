/* flow.h - bidirectional flows and the table that owns them. */
#ifndef TS_FLOW_H
#define TS_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include "dissect.h"
#include "tunables.h"

enum stage { ST_NONE = 0, ST_POST_SYN, ST_POST_ACK, ST_POST_PSH, ST_LATER };
const char *stage_name(int st);   /* NULL for ST_NONE */

enum name_src { NS_NONE = 0, NS_IP, NS_NDPI_IP, NS_DNS, NS_QUIC, NS_HOST, NS_SNI };

/* Reassembly of one direction's first bytes (bounded). */
struct reasm {
	uint8_t *buf;             /* alloc bytes, grown up to the budget       */
	uint32_t cap;             /* budget                                    */
	uint32_t alloc;           /* bytes allocated in buf                    */
	bool released;            /* done with: never refilled                 */
	uint32_t base;            /* seq of buf[0]                             */
	uint32_t contig;          /* bytes filled contiguously from buf[0]     */
	uint32_t hi;              /* highest offset filled + 1                 */
	uint8_t *have;            /* 1 bit per byte: filled (inside buf's block) */
	bool conflict;            /* overlap with different content seen       */
	uint64_t conflict_ts;
	uint32_t conflict_off;
};

struct flow_dir {
	uint64_t pkts, bytes;
	uint64_t first_ts, last_ts;
	uint32_t isn;             /* seq of this side's SYN                    */
	uint32_t next_seq;        /* highest seq + len seen                    */
	uint32_t high_ack;        /* highest ack sent                          */
	uint32_t syn_count;       /* SYNs (or SYN-ACKs) sent                   */
	uint32_t data_pkts;       /* segments with payload                     */
	uint32_t data_retx;       /* payload segments below next_seq           */
	uint64_t payload;         /* payload bytes                             */
	uint8_t  ttl_val[FLOW_TTL_SLOTS]; /* TTL histogram of non-RST packets  */
	uint16_t ttl_cnt[FLOW_TTL_SLOTS];
	uint16_t ipid_last;       /* last IPv4 ID of a non-RST packet          */
	uint16_t ipid_small;      /* consecutive IDs that moved by 1..64       */
	uint16_t ipid_zero;       /* packets with ID 0                         */
	uint32_t ipid_n;          /* IPv4 non-RST packets                      */
	uint64_t first_rst_ts;    /* first RST from this side                  */
	uint64_t last_ts_nonrst;  /* last non-RST packet                       */
	uint64_t fin_ts;          /* first FIN                                 */
	bool isn_set, ack_set, seq_set, fin, rst;
	uint8_t last_flags;
	struct reasm ra;
	uint32_t dup_sig[FLOW_DUP_RING];
	uint64_t dup_ts[FLOW_DUP_RING];
	uint16_t dup_vlan[FLOW_DUP_RING];
	uint8_t dup_ttl[FLOW_DUP_RING];
	uint16_t dups;            /* capture duplicates of this side dropped   */
	uint8_t dup_pos;
	uint32_t ack_ring[4];     /* recent ACK values this side sent          */
	uint8_t ack_pos;
	uint8_t prev_ttl;         /* the last non-RST packet: its TTL, ...     */
	bool prev_syn;            /* ... whether it was a SYN (or SYN-ACK) ... */
	uint32_t prev_ack;        /* ... and its ACK value                     */
	uint64_t last_syn_ts;     /* latest SYN (or SYN-ACK) of this side      */
};

struct flow {
	struct flow *hnext;               /* hash bucket chain                */
	struct flow *prev, *next;         /* LRU list (oldest first)          */
	uint64_t hash;
	struct ts_addr cli, srv;          /* client = SYN sender / initiator  */
	uint16_t cport, sport;
	uint8_t proto;
	uint8_t stage;                    /* enum stage, TCP                  */
	uint8_t name_src;                 /* enum name_src                    */
	bool syn_seen, synack_seen, established, midstream;
	uint16_t vlan;
	struct flow_dir d[2];             /* [0] client->server, [1] back     */
	uint64_t syn_ts, synack_ts, ack3_ts;
	uint32_t rtt_srv_us, rtt_cli_us;  /* vantage <-> server / client      */
	uint64_t first_data_ts;           /* client's first payload           */
	uint32_t first_data_seq, first_data_len;
	uint16_t first_data_retx;
	bool first_data_acked;
	uint8_t synack_ttl;               /* the server's SYN-ACK             */
	uint16_t synack_ipid;
	uint64_t srv_after_data_ts;       /* last server pkt after first data */
	uint32_t srv_after_data;          /* server packets after it          */
	uint32_t srv_first_len;           /* the server's first payload segment */
	bool srv_rebased;                 /* the server's own ACK of the
	                                     request came just before its first
	                                     data, at that data's TTL: the
	                                     SYN-ACK was another box's (proxy) */
	uint8_t icmp_type, icmp_code;     /* an ICMP error quoting this flow   */
	uint16_t icmp_count;
	uint64_t icmp_ts;
	struct ts_addr icmp_from;
	char *name;                       /* destination name: name_in, or
	                                     allocated (flow_set_name)        */
	char *dns_name;                   /* name from the DNS cache at start  */
	uint16_t ndpi_proto;              /* nDPI app (or master) id          */
	uint16_t ndpi_pkts;
	bool ndpi_done;
	void *ndpi;                       /* nDPI flow state (ndpi_glue.c)    */
	uint8_t sni_state;                /* 0 trying, 1 done                 */
	bool http_req;                    /* the client spoke HTTP/1.x        */
	uint8_t host_state;
	struct ev_frames *evidence;       /* --evidence: first packets (owned) */
	char name_in[FLOW_NAME_INLINE];   /* a short name: no malloc per flow */
	void **slot;                      /* detectors' per-flow state: NULL,
	                                     or one pointer per slot type
	                                     (ft_slots), each NULL until used */
};

struct flow_table;

typedef void (*flow_end_fn)(void *ctx, struct flow *f);

/* A kind of per-flow slot (one per detector with per-flow state): its
 * size, and what to release inside it before the slot itself is freed
 * (may be NULL).  The table never looks inside. */
struct ft_slot_type {
	size_t size;
	void (*free)(void *slot);
};

/* Creates a table holding at most max flows; end() is called for every
 * flow leaving the table (expired, evicted, flushed) before it is freed. */
struct flow_table *ft_new(unsigned max, unsigned tcp_idle_s, unsigned udp_idle_s,
                          flow_end_fn end, void *ctx);
void ft_free(struct flow_table *t);      /* flushes: end() on every flow */
/* Declare the table's slot types (n of them, types[] must outlive the
 * table); call before the first flow.  Cannot fail. */
void ft_slots(struct flow_table *t, unsigned n, const struct ft_slot_type *types);
/* Slot k of f: NULL if unused (ft_slot) / made zeroed on first use
 * (ft_slot_new).  Freed with the flow, after the flow's end(). */
static inline void *ft_slot(const struct flow *f, unsigned k)
{
	return f->slot ? f->slot[k] : NULL;
}
void *ft_slot_new(struct flow_table *t, struct flow *f, unsigned k);

/* Find the flow of pk (either direction).  *dir = 0 when pk goes client
 * to server.  With create, a missing flow is made (evicting the oldest
 * when full); pk's sender becomes the client unless the packet says
 * otherwise (SYN-ACK, or a well-known server port). */
struct flow *ft_lookup(struct flow_table *t, const struct pkt *pk, bool create,
                       int *dir);
/* f's destination name becomes a copy of s (not f->name itself): in the
 * flow when it fits, as most do (an address's text), else allocated. */
void flow_set_name(struct flow *f, const char *s);
/* Find by explicit tuple (ICMP quotes). */
struct flow *ft_find(struct flow_table *t, uint8_t proto, const struct ts_addr *a,
                     uint16_t ap, const struct ts_addr *b, uint16_t bp, int *dir);
/* f has just been seen: the most recently used of its list.  Call after
 * every change of a flow's last_ts (ft_expire() keeps the head's due time
 * until the head is touched). */
void ft_touch(struct flow_table *t, struct flow *f, uint64_t now);
void ft_expire(struct flow_table *t, uint64_t now);
void ft_flush(struct flow_table *t);

struct ft_stats { uint64_t created, expired, evicted, active, peak; };
void ft_stats(const struct flow_table *t, struct ft_stats *s);

#endif
