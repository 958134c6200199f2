/* tcp_track.c - TCP connection tracking: handshake, stages, sequence
 * space, retransmissions, TTL/IP-ID of each side, and the bounded
 * in-order reassembly of each direction's first bytes (for SNI / Host and
 * for overlap conflicts).  Packet time only.  Naming the flow from those
 * bytes is attribution's (naming.c); judging RSTs is det_rst's. */
#include <stdlib.h>
#include <string.h>
#include "baseline.h"
#include "tcp_track.h"
#include "tunables.h"
#include "util.h"

/* What a copy of a packet shares with the original: everything TCP and
 * the IPv4 ID; not the TTL (a copy taken after a router has one less). */
static uint32_t pkt_sig(const struct pkt *pk)
{
	uint64_t h = ((uint64_t)pk->tcp.seq << 32) ^ pk->tcp.ack;
	h ^= ((uint64_t)pk->tcp.flags << 56) ^ ((uint64_t)pk->paylen_wire << 40) ^
	     ((uint64_t)pk->ipid << 16) ^ pk->tcp.win;
	return (uint32_t)mix64(h);
}

/* A capture duplicate: the same packet seen twice by the capture, the
 * copy with the same TTL or one less (taken after a router) -
 *  - on another VLAN within DUP_WINDOW_US (a switch mirroring both legs);
 *  - on the same link within DUP_LINK_US when it carries a non-zero IPv4
 *    ID: Linux `any` captures see a routed packet on the way in and out
 *    (TTL n, then n or n-1, microseconds apart), and so does a mirror
 *    port before and after a router.  A genuine retransmission is a new
 *    datagram with a new ID, and comes an RTO or RTT later; with ID 0 (or
 *    IPv6, which has none) the two cannot be told apart, so those count
 *    as retransmissions.  A burst of identical RSTs (an injector's) is
 *    taken for copies only when the capture was copying that side's other
 *    packets too. */
bool tcp_is_duplicate(struct flow *f, int dir, const struct pkt *pk)
{
	struct flow_dir *d = &f->d[dir];
	uint32_t s = pkt_sig(pk);
	uint16_t vl = (uint16_t)(pk->vlan | (pk->vlan_depth << 12));
	bool same_link_ok = pk->ipver == 4 && pk->ipid;
	for (int i = 0; i < FLOW_DUP_RING; i++) {
		if (d->dup_sig[i] != s || !d->dup_ts[i]) continue;
		if (pk->ttl != d->dup_ttl[i] && pk->ttl + 1 != d->dup_ttl[i]) continue;
		uint64_t gap = pk->ts - d->dup_ts[i];
		bool vlan_copy = d->dup_vlan[i] != vl && gap <= DUP_WINDOW_US;
		/* identical RSTs on one link are an injector's burst (the GFW
		 * sends three) unless this side's packets were being copied */
		bool link_copy = same_link_ok && gap <= DUP_LINK_US &&
		                 (!(pk->tcp.flags & TH_RST) || d->dups);
		if (vlan_copy || link_copy) {
			if (d->dups < UINT16_MAX) d->dups++;
			return true;
		}
	}
	d->dup_sig[d->dup_pos] = s;
	d->dup_ts[d->dup_pos] = pk->ts ? pk->ts : 1;
	d->dup_vlan[d->dup_pos] = vl;
	d->dup_ttl[d->dup_pos] = pk->ttl;
	d->dup_pos = (uint8_t)((d->dup_pos + 1) % FLOW_DUP_RING);
	return false;
}

uint8_t flow_ttl_mode(const struct flow_dir *d, unsigned *samples)
{
	unsigned best = 0, tot = 0;
	uint8_t ttl = 0;
	for (int i = 0; i < FLOW_TTL_SLOTS; i++) {
		tot += d->ttl_cnt[i];
		if (d->ttl_cnt[i] > best) { best = d->ttl_cnt[i]; ttl = d->ttl_val[i]; }
	}
	if (samples) *samples = tot;
	return ttl;
}

static void ttl_add(struct flow_dir *d, uint8_t ttl)
{
	int min = 0;
	for (int i = 0; i < FLOW_TTL_SLOTS; i++) {
		if (d->ttl_cnt[i] && d->ttl_val[i] == ttl) {
			if (d->ttl_cnt[i] < UINT16_MAX) d->ttl_cnt[i]++;
			return;
		}
		if (d->ttl_cnt[i] < d->ttl_cnt[min]) min = i;
	}
	if (d->ttl_cnt[min] <= 1) {   /* replace a free or single-sample slot */
		d->ttl_val[min] = ttl;
		d->ttl_cnt[min] = 1;
	}
}

static void ipid_add(struct flow_dir *d, const struct pkt *pk)
{
	if (pk->ipver != 4) return;
	if (d->ipid_n) {
		uint16_t step = (uint16_t)(pk->ipid - d->ipid_last);
		if (step >= 1 && step <= 64) d->ipid_small++;
	}
	if (!pk->ipid) d->ipid_zero++;
	d->ipid_last = pk->ipid;
	d->ipid_n++;
}

void reasm_release(struct reasm *r)
{
	free(r->buf);                       /* the map is in the same block */
	r->buf = r->have = NULL;
	r->alloc = 0;
	r->released = true;
}

/* Grow the buffer to hold `need` bytes (doubling from REASM_FIRST, at
 * most the budget).  One block holds the bytes and, after them, the map of which
 * are filled (1 bit per byte): one allocation per direction, not two. */
static void reasm_grow(struct reasm *r, uint32_t need)
{
	if (need <= r->alloc) return;
	uint32_t n = r->alloc ? r->alloc : REASM_FIRST;
	while (n < need) n *= 2;
	if (n > r->cap) n = r->cap;
	uint32_t oldmap = (r->alloc + 7) / 8, map = (n + 7) / 8;
	r->buf = xrealloc(r->buf, (size_t)n + map);
	r->have = r->buf + n;
	if (oldmap) memmove(r->have, r->buf + r->alloc, oldmap);
	memset(r->have + oldmap, 0, map - oldmap);
	r->alloc = n;
}

static void bits_set(uint8_t *m, uint32_t from, uint32_t to)
{
	for (; from < to && (from & 7); from++) m[from >> 3] |= (uint8_t)(1u << (from & 7));
	if (to - from >= 8) {
		memset(m + (from >> 3), 0xff, (to - from) >> 3);
		from += (to - from) & ~7u;
	}
	for (; from < to; from++) m[from >> 3] |= (uint8_t)(1u << (from & 7));
}

/* Move contig over the filled bytes after it: 64 bytes (8 of the map)
 * at a time where they are all filled, then 8, then 1. */
static void contig_advance(struct reasm *r)
{
	while (r->contig < r->hi) {
		if (!(r->contig & 63) && r->contig + 64 <= r->hi) {
			uint64_t w;
			memcpy(&w, r->have + (r->contig >> 3), sizeof w);
			if (w == UINT64_MAX) { r->contig += 64; continue; }
		}
		if (!(r->contig & 7) && r->contig + 8 <= r->hi && r->have[r->contig >> 3] == 0xff) {
			r->contig += 8;
			continue;
		}
		if (!(r->have[r->contig >> 3] & (1u << (r->contig & 7)))) break;
		r->contig++;
	}
}

/* Put a segment into the first `cap` bytes of a direction's stream.
 * Bytes that overlap already-filled ones with different content mark a
 * conflict (one of the two copies was forged).  The buffer grows from
 * REASM_FIRST bytes to the budget as data arrives; appends past
 * everything filled so far are a plain copy. */
static void reasm_add(struct reasm *r, unsigned cap, const struct flow_dir *d, uint32_t seq,
                      const uint8_t *p, uint32_t len, uint64_t ts)
{
	if (!len || !cap) return;
	if (!r->cap) {
		r->cap = cap;
		/* the stream starts after the SYN; without one (mid-stream),
		 * at the first segment seen */
		r->base = d->isn_set && seq_le(d->isn + 1, seq) ? d->isn + 1 : seq;
	}
	if (r->released) return;
	int64_t off = (int32_t)(seq - r->base);
	int64_t lo = off < 0 ? 0 : off, hi = off + (int64_t)len;
	if (hi > r->cap) hi = r->cap;
	if (lo >= hi) return;
	reasm_grow(r, (uint32_t)hi);
	uint32_t u = (uint32_t)lo, end = (uint32_t)hi;
	const uint8_t *src = p + (lo - off);
	/* overlap with what is already there: compare byte by byte */
	for (; u < end && u < r->hi; u++, src++) {
		uint8_t bit = (uint8_t)(1u << (u & 7));
		if (r->have[u >> 3] & bit) {
			/* a keep-alive probe repeats one byte below the next seq
			 * with any content (Windows sends a zero): no conflict */
			if (r->buf[u] != *src && !r->conflict && len > 1) {
				r->conflict = true;
				r->conflict_ts = ts;
				r->conflict_off = u;
			}
		} else {
			r->have[u >> 3] |= bit;
			r->buf[u] = *src;
		}
	}
	if (u < end) {                      /* beyond everything filled */
		memcpy(r->buf + u, src, end - u);
		bits_set(r->have, u, end);
		r->hi = end;
	}
	contig_advance(r);
}

/* At the server's first payload: a TCP accelerator, SYN proxy or load
 * balancer answers the handshake and the real server the rest.  The
 * server's own ACK of the request, just before this packet and at its
 * TTL, says who the server is (KakaoTalk_chat.pcap, alexa-app.pcapng). */
static bool rebased(const struct flow *f, const struct pkt *pk)
{
	const struct flow_dir *d = &f->d[1];
	int dt = (int)d->prev_ttl - (int)pk->ttl;
	return d->pkts > 1 && !d->prev_syn && f->first_data_ts &&
	       seq_lt(f->first_data_seq, d->prev_ack) && dt <= 1 && dt >= -1;
}

static void stage_on_data(struct flow *f, int dir, const struct pkt *pk)
{
	if (dir == 0) {
		if (!f->first_data_ts) {
			f->first_data_ts = pk->ts;
			f->first_data_seq = pk->tcp.seq;
			f->first_data_len = pk->paylen_wire;
			if (f->stage < ST_POST_PSH) f->stage = ST_POST_PSH;
		} else if (pk->tcp.seq == f->first_data_seq) {
			f->first_data_retx++;
		} else if (seq_lt(f->first_data_seq, pk->tcp.seq) && f->stage < ST_LATER) {
			f->stage = ST_LATER;
		}
	} else if (f->first_data_ts && f->stage == ST_POST_PSH) {
		f->stage = ST_LATER;
	}
}

void tcp_track(struct flow *f, int dir, const struct pkt *pk, unsigned reasm_bytes,
               struct baseline *bl)
{
	struct flow_dir *d = &f->d[dir];
	uint8_t fl = pk->tcp.flags;
	uint32_t seg = pk->paylen_wire + ((fl & TH_SYN) ? 1 : 0) + ((fl & TH_FIN) ? 1 : 0);

	if (!f->d[0].pkts && !f->d[1].pkts && !(fl & TH_SYN)) f->midstream = true;
	d->pkts++;
	d->bytes += pk->wirelen;
	if (!d->first_ts) d->first_ts = pk->ts;
	d->last_ts = pk->ts;
	d->last_flags = fl;

	if (fl & TH_RST) {
		if (!d->rst) { d->rst = true; d->first_rst_ts = pk->ts; }
		return;
	}
	ttl_add(d, pk->ttl);
	bl_add(bl, &pk->src, pk->ttl);
	ipid_add(d, pk);
	d->last_ts_nonrst = pk->ts;

	if (fl & TH_SYN) {
		d->syn_count++;
		if (!d->isn_set) { d->isn = pk->tcp.seq; d->isn_set = true; }
		if (!(fl & TH_ACK)) {
			if (dir == 0) {
				f->syn_seen = true;
				if (!f->syn_ts) f->syn_ts = pk->ts;
				if (!f->stage) f->stage = ST_POST_SYN;
			}
		} else if (dir == 1 && !f->synack_ts) {
			f->synack_seen = true;
			f->synack_ts = pk->ts;
			f->synack_ttl = pk->ttl;
			f->synack_ipid = pk->ipid;
			/* RTT vantage<->server: from the latest SYN, not the first */
			uint64_t s = f->d[0].last_ts_nonrst ? f->d[0].last_ts_nonrst : f->syn_ts;
			if (s && pk->ts >= s) f->rtt_srv_us = (uint32_t)(pk->ts - s);
		} else if (dir == 1) {
			f->synack_seen = true;
		}
	} else if (dir == 0 && f->synack_seen && !f->established && (fl & TH_ACK)) {
		f->established = true;
		f->ack3_ts = pk->ts;
		if (pk->ts >= f->synack_ts) f->rtt_cli_us = (uint32_t)(pk->ts - f->synack_ts);
		if (f->stage < ST_POST_ACK) f->stage = ST_POST_ACK;
	}
	if (f->midstream && !f->stage) f->stage = pk->paylen_wire ? ST_POST_PSH : ST_POST_ACK;

	if (fl & TH_FIN) { if (!d->fin) d->fin_ts = pk->ts; d->fin = true; }

	if (dir == 1 && pk->paylen_wire && !d->data_pkts) {
		f->srv_rebased = rebased(f, pk);
		f->srv_first_len = pk->paylen_wire;
	}
	if (pk->paylen_wire) {
		d->data_pkts++;
		d->payload += pk->paylen_wire;
		if (d->seq_set && seq_le(pk->tcp.seq + pk->paylen_wire, d->next_seq)) d->data_retx++;
		stage_on_data(f, dir, pk);
		/* client: until named; server: its first bytes, for overlap
		 * conflicts (tcp_injection) - the first KiB, or after an HTTP
		 * request the first quarter of the budget (http_injection reads
		 * the response's status line, Location and <title> there) */
		if (pk->paylen && (dir == 0 ? !f->sni_state : true))
			reasm_add(&d->ra, dir == 0 ? reasm_bytes
			                           : f->http_req ? reasm_bytes / 4 : reasm_bytes / 16,
			          d, pk->tcp.seq, pk->payload, pk->paylen, pk->ts);
	}
	if (!d->seq_set || seq_lt(d->next_seq, pk->tcp.seq + seg)) {
		d->next_seq = pk->tcp.seq + seg;
		d->seq_set = true;
	}
	if (fl & TH_ACK) {
		if (!d->ack_set || seq_lt(d->high_ack, pk->tcp.ack)) d->high_ack = pk->tcp.ack;
		d->ack_set = true;
		if (d->ack_ring[(d->ack_pos + 3) & 3] != pk->tcp.ack) {
			d->ack_ring[d->ack_pos] = pk->tcp.ack;
			d->ack_pos = (uint8_t)((d->ack_pos + 1) & 3);
		}
		if (dir == 1 && f->first_data_ts && seq_lt(f->first_data_seq, pk->tcp.ack))
			f->first_data_acked = true;
	}
	if (dir == 1 && f->first_data_ts && pk->ts >= f->first_data_ts) {
		f->srv_after_data++;
		f->srv_after_data_ts = pk->ts;
	}
	d->prev_ttl = pk->ttl;
	d->prev_syn = (fl & TH_SYN) != 0;
	d->prev_ack = pk->tcp.ack;
	if (fl & TH_SYN) d->last_syn_ts = pk->ts;
}
