/* fxbuild.h - the packet builder of the generated captures (fxbuild.c),
 * shared by mkfixtures.c and mkfp.c. */
#ifndef TS_FXBUILD_H
#define TS_FXBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>

struct fx {
	pcap_t *p;
	pcap_dumper_t *d;
	uint64_t ts;             /* microseconds */
	int dlt;
	unsigned vlan;           /* 0: untagged; else 802.1Q tag */
	unsigned qinq;           /* 802.1ad outer tag when non-zero */
	int link;                /* LK_*: link framing or tunnel (link fixtures) */
	int inner;               /* DLT inside PPI / PKTAP                   */
	unsigned npkt;           /* packets written: varies the framing      */
	int nonip;               /* 1, 2: make the framing say "not IP"      */
	size_t snap;             /* TCP frames cut to this many bytes; 0: whole */
};

struct ep { int v6; uint8_t a[16]; uint16_t port; uint8_t ttl; uint16_t ipid; uint32_t seq;
            uint8_t tos; int nodf; };

/* f->link: the framing or tunnel around IP (link fixtures). */
enum { LK_PLAIN, LK_PPP, LK_PPP_HDLC, LK_CHDLC, LK_WLAN, LK_RADIOTAP, LK_PPI,
       LK_PKTAP, LK_NFLOG, LK_PPPOE, LK_GRE, LK_ERSPAN, LK_VXLAN, LK_MPLS };

/* One capture file DIR/NAME of link type dlt; its clock starts at
 * 2023-11-14 22:13:20 UTC.  Exits on failure. */
void fx_open(struct fx *f, const char *dir, const char *name, int dlt);
void fx_close(struct fx *f);
/* Write the frame built last (len bytes, cut to caplen when non-zero). */
void fx_write(struct fx *f, size_t len, size_t caplen);
/* Build link + IP + L4 (proto 6/17/1/58) around l4; returns frame length. */
size_t build(struct fx *f, const struct ep *s, const struct ep *d, uint8_t proto,
             const uint8_t *l4, size_t l4len);
/* One TCP segment / UDP datagram from s to d, dt_us after the last
 * packet; advances s's sequence number and IP ID. */
void tcp(struct fx *f, struct ep *s, struct ep *d, uint8_t flags,
         const void *data, size_t n, uint32_t dt_us);
void udp(struct fx *f, struct ep *s, struct ep *d, const void *data, size_t n,
         uint32_t dt_us);
struct ep v4(unsigned a, unsigned b, unsigned c, unsigned d, uint16_t port,
             uint8_t ttl, uint32_t seq);
void handshake(struct fx *f, struct ep *c, struct ep *s);
void close_fin(struct fx *f, struct ep *c, struct ep *s);
/* A TLS 1.2 ClientHello record with an optional server_name. */
size_t client_hello(uint8_t *o, const char *sni, size_t snilen);
size_t dns_msg(uint8_t *o, uint16_t id, int resp, const char *qname, uint16_t qtype,
               int rcode, const uint8_t (*addrs)[16], int naddr, int alen, uint32_t ttl);
void put16(uint8_t *p, unsigned v);
void put32(uint8_t *p, uint32_t v);
/* A request (printf format: the Host) and its answer. */
#define HTTP_GET "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: fixture\r\n\r\n"
#define HTTP_OK "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

#endif
