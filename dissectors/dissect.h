/* dissect.h - protocol dissectors: bytes in, filled structs out.
 *
 * Dissectors never allocate, print, log or touch globals.  Each returns a
 * dis_status; when it is not DIS_OK the *reason out-parameter (where there
 * is one) names the malformation so the caller can count it.  Strings from
 * the wire are returned as (pointer, length) views into the packet; the
 * caller copies and escapes them (analyzer/util.c: name_clean()).
 */
#ifndef TS_DISSECT_H
#define TS_DISSECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cursor.h"
#include "tunables.h"

enum dis_status { DIS_OK = 0, DIS_TRUNCATED, DIS_MALFORMED, DIS_UNSUPPORTED };

/* Malformation reasons, counted per reason in the report. Keep in sync with
 * mal_reason_name() in decode.c. */
enum mal_reason {
	MAL_NONE = 0,
	MAL_LINK_TRUNC,      /* link header shorter than its fixed size       */
	MAL_VLAN_TRUNC,      /* VLAN tag cut / too many tags                   */
	MAL_IP4_TRUNC,       /* IPv4 header cut                                */
	MAL_IP4_HDR,         /* IHL < 5, version wrong, total length < IHL     */
	MAL_IP4_OPT,         /* bad IPv4 option length                         */
	MAL_IP6_TRUNC,       /* IPv6 header cut                                */
	MAL_IP6_EXT,         /* bad / too long extension header chain          */
	MAL_TCP_TRUNC,       /* TCP header cut                                 */
	MAL_TCP_HDR,         /* data offset < 5 or past the segment            */
	MAL_TCP_OPT,         /* bad TCP option length                          */
	MAL_UDP_TRUNC,       /* UDP header cut                                 */
	MAL_UDP_LEN,         /* UDP length < 8 or past the IP payload          */
	MAL_ICMP_TRUNC,      /* ICMP header cut                                */
	MAL_DNS,             /* DNS message malformed                          */
	MAL_FRAG_GARBAGE,    /* IP fragment with inconsistent offsets          */
	MAL_IP6_HDR,         /* IPv6 version wrong / not what the link said    */
	MAL_TUNNEL_TRUNC,    /* GRE / ERSPAN / VXLAN header cut                */
	MAL_COUNT
};

/* TCP flag bits (RFC 9293 3.1) */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

struct ts_addr {
	uint8_t family;     /* 4 or 6; 0 = unset                              */
	uint8_t a[16];      /* IPv4 in a[0..3], rest zero                     */
};

struct strview {
	const uint8_t *p;
	size_t len;
};

struct tcp_meta {
	uint32_t seq, ack;
	uint8_t flags;      /* TH_* bits                                      */
	uint8_t reserved;   /* the 4 reserved bits (incl. AE), low nibble      */
	uint16_t win;       /* raw window field (unscaled)                    */
	uint8_t hlen;       /* header length in bytes                         */
	uint16_t mss;       /* 0 = absent                                     */
	int8_t wscale;      /* -1 = absent                                    */
	bool sack_perm;
	bool has_ts;
	uint32_t tsval, tsecr;
};

struct icmp_meta {
	uint8_t type, code;
	bool quoted;        /* the quoted (inner) IP header + 8 bytes parsed  */
	struct ts_addr isrc, idst;  /* inner packet addresses               */
	uint8_t iproto;
	uint16_t isport, idport;    /* inner ports (TCP/UDP) or 0           */
	uint32_t iseq;              /* inner TCP seq, if present            */
};

/* One decoded packet.  Filled by packet_decode(); fields are only valid
 * when the corresponding layer was reached (ipver != 0, proto, ...). */
struct pkt {
	uint64_t ts;        /* packet time, microseconds since the epoch      */
	uint32_t caplen, wirelen;
	uint16_t vlan;      /* outermost VLAN id, 0 if none                   */
	uint8_t vlan_depth;
	uint16_t ethertype; /* 0x0800 / 0x86dd once IP is found               */

	uint8_t ipver;      /* 4, 6, or 0 (not IP)                            */
	struct ts_addr src, dst;
	uint8_t ttl;        /* IPv4 TTL or IPv6 hop limit                     */
	uint16_t ipid;      /* IPv4 ID (0 for IPv6)                           */
	bool df;            /* IPv4 don't-fragment                            */
	uint8_t tos;        /* IPv4 TOS / IPv6 traffic class (DSCP + ECN)     */
	uint16_t ip_hlen;   /* IPv4 header / IPv6 header + ext chain, bytes   */
	uint32_t ip_len;    /* total datagram length per header               */
	bool frag;          /* part of a fragmented datagram                  */
	bool frag_first;    /* offset 0: L4 header is present (also true when
	                       not fragmented)                               */
	uint8_t proto;      /* L4 protocol (after IPv6 extension headers)     */
	uint8_t tunnel;     /* when a tunnel was unwrapped (the fields above
	                       are the inner packet's), the protocol of the
	                       innermost one: 4 IP-in-IP, 41 6in4, 47 GRE
	                       (and ERSPAN), 17 VXLAN; else 0                */
	bool l4_valid;      /* sport/dport (and the fixed tcp fields) are set;
	                       may be true even when the status is not DIS_OK
	                       (TCP options bad or cut by the snaplen)       */

	uint16_t sport, dport;
	struct tcp_meta tcp;
	struct icmp_meta icmp;

	const uint8_t *l3;      /* start of the (outer) IP header             */
	uint32_t l3len;         /* captured bytes from l3, clamped to ip_len  */
	const uint8_t *payload; /* L4 payload (captured part)                 */
	uint32_t paylen;        /* captured bytes of L4 payload               */
	uint32_t paylen_wire;   /* L4 payload length per the headers          */
};

/* Link layer (link.c): parse from the DLT's header to the network layer.
 * On DIS_OK, *l3 is positioned at the IP header, pk->ethertype set.
 * DIS_UNSUPPORTED: not IP (ARP, LLDP, ...) or unknown DLT; for an unknown
 * DLT *why is MAL_NONE and pk->ethertype is PK_ETHERTYPE_BADDLT. */
#define PK_ETHERTYPE_BADDLT 0xffff
int link_parse(int dlt, const uint8_t *frame, size_t caplen, struct pkt *pk,
               struct cur *l3, enum mal_reason *why);
/* Does link_parse() know this DLT? */
bool link_supported(int dlt);

/* IPv4/IPv6 (ip.c): fills addresses, ttl, ipid, proto, fragments.  On DIS_OK
 * *c is positioned at the L4 header and clamped to the datagram length. */
int ip_parse(struct cur *c, struct pkt *pk, enum mal_reason *why);

/* L4 length on the wire per the IP header(s) (ip_len - ip_hlen), for
 * paylen_wire; when no IP layer was parsed, `captured`. */
uint32_t ip_payload_len(const struct pkt *pk, size_t captured);

/* L4 (tcp.c, udp.c, icmp.c): fill pk->tcp / ports / pk->icmp and payload. */
int tcp_parse(struct cur *c, struct pkt *pk, enum mal_reason *why);
int udp_parse(struct cur *c, struct pkt *pk, enum mal_reason *why);
int icmp_parse(struct cur *c, struct pkt *pk, enum mal_reason *why);

/* The whole chain (decode.c) over a frame of caplen captured bytes (of
 * wirelen on the wire) seen at ts: every field of *pk is set. */
int packet_decode(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                  uint64_t ts, struct pkt *pk, enum mal_reason *why);
const char *mal_reason_name(enum mal_reason r);

/* ---- DNS (dns.c), RFC 1035 4.1, RFC 6891 (EDNS) ---- */
#define DNS_NAME_MAX 256   /* presentation form incl. NUL, escaped       */

struct dns_rr {
	uint16_t type, cls;
	uint32_t ttl;
	uint8_t addr[16];      /* A: 4 bytes, AAAA: 16 bytes                  */
	uint8_t section;       /* 1 answer, 2 authority, 3 additional         */
};

struct dns_msg {
	uint16_t id;
	uint16_t flags;        /* QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode */
	bool qr;
	uint8_t opcode, rcode;
	uint16_t qdcount, ancount, nscount, arcount;
	char qname[DNS_NAME_MAX];  /* first question, lowercase, no trailing
	                              dot, non-printables as \DDD; "" = root */
	uint16_t qtype, qclass;
	bool has_question;
	unsigned nrr;              /* records stored in rr[] (answer section
	                              first, then authority)                 */
	struct dns_rr rr[DNS_MAX_ANS];
	char cname[DNS_NAME_MAX];  /* first CNAME target in the answer, or "" */
	bool edns;
	uint16_t edns_size;
};

/* Parse a DNS message (UDP payload, or TCP payload after the 2-byte
 * length).  Compression pointers must point strictly backwards. */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *m);

/* ---- TLS ClientHello SNI (tls_sni.c), RFC 8446 4.1.2, RFC 6066 3 ----
 * Input: the first bytes of a TCP stream from the client.
 * DIS_OK: a complete ClientHello was read; *sni is the server_name view
 *         (len 0 when the extension is absent).
 * DIS_TRUNCATED: looks like a ClientHello but more bytes are needed.
 * DIS_UNSUPPORTED: not a TLS handshake / not a ClientHello.
 * DIS_MALFORMED: inconsistent lengths.
 * A ClientHello split over several TLS records is handled by copying the
 * handshake fragments into scratch (caller-provided, scratchsz bytes). */
int tls_sni_parse(const uint8_t *stream, size_t len, uint8_t *scratch,
                  size_t scratchsz, struct strview *sni);

/* QUIC (quic.c): the SNI of a client Initial (v1, v2, draft-29), decrypted
 * with the keys its DCID gives.  DIS_OK with *sni pointing into scratch
 * (which must hold the packet payload); DIS_UNSUPPORTED when it is no
 * Initial of a known version; DIS_TRUNCATED when the ClientHello goes on
 * in a later packet; DIS_MALFORMED otherwise (a bad tag included). */
struct quic_keys { uint8_t key[16], iv[12], hp[16]; };
/* A QUIC version clients are known to send: v1, v2, IETF drafts
 * (0xff0000xx), mvfst (0xfaceb00x), Google's Q0dd/T0dd.  Not the reserved
 * versions that force Version Negotiation (0x?a?a?a?a, RFC 9000 15) nor
 * other values, which UDP/443 traffic of other protocols shows. */
bool quic_known_version(uint32_t v);
/* An IETF long-header Initial of any version (not version negotiation). */
bool quic_long_initial(const uint8_t *pkt, size_t len);
bool quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                       struct quic_keys *k);
int quic_initial_sni(const uint8_t *pkt, size_t len, uint8_t *scratch, size_t scratchsz,
                     struct strview *sni);

/* ---- HTTP/1.x request Host (http_host.c), RFC 9112 3.2 ----
 * DIS_OK: request line + headers complete (or Host found); *host set
 * (len 0 when absent), port suffix stripped.  DIS_TRUNCATED: headers not
 * complete yet.  DIS_UNSUPPORTED: not an HTTP request. */
int http_host_parse(const uint8_t *stream, size_t len, struct strview *host);

/* ---- HTTP/1.x response (http_host.c) ----
 * Status code and the Location header view, for block-page evidence. */
int http_response_parse(const uint8_t *stream, size_t len, int *status,
                        struct strview *location);

#endif
