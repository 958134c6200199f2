/* dns.c - DNS messages (RFC 1035 4.1, RFC 3596 AAAA, RFC 6891 EDNS):
 * header, first question, answer/authority records, EDNS size. */
#include "dissect.h"
#include "tunables.h"

#define DNS_WIRE_NAME_MAX 255   /* RFC 1035 2.3.4, length octets included */
#define DNS_T_A           1
#define DNS_T_CNAME       5
#define DNS_T_AAAA        28
#define DNS_T_OPT         41
#define DNS_C_IN          1

/* Presentation-form output buffer; buf == NULL only measures (skip). */
struct name_out {
	char *buf;
	size_t size;
	size_t n;
};

static bool put_char(struct name_out *o, char ch)
{
	if (o->buf == NULL)
		return true;
	if (o->n + 1 >= o->size)          /* keep room for the NUL */
		return false;
	o->buf[o->n++] = ch;
	return true;
}

/* Label bytes in presentation form: A-Z lowercased; bytes outside
 * 0x21-0x7e and '.' and '\\' as \DDD (RFC 1035 5.1); so are the quote and
 * markup characters '"', '\'', '<', '>', '&', which name_clean() (util.c)
 * escapes in SNI/Host names too: no name in a report carries them raw.
 * bit b set: the byte stands for itself (0x21-0x7e but . \\ " ' < > &) */
static const uint64_t plain_byte[2] = { 0xafffbf3a00000000ULL, 0x7fffffffefffffffULL };

/* One label byte in presentation form at d (room for 4 checked by the
 * caller); returns the new end. */
static char *label_byte(char *d, uint8_t b)
{
	if (b >= 'A' && b <= 'Z') { *d++ = (char)(b + ('a' - 'A')); return d; }
	if (b < 128 && (plain_byte[b >> 6] >> (b & 63) & 1)) { *d++ = (char)b; return d; }
	*d++ = '\\';
	*d++ = (char)('0' + b / 100);
	*d++ = (char)('0' + b / 10 % 10);
	*d++ = (char)('0' + b % 10);
	return d;
}

static bool put_label_byte(struct name_out *o, uint8_t b)
{
	char t[4];
	size_t k = (size_t)(label_byte(t, b) - t);
	for (size_t i = 0; i < k; i++)
		if (!put_char(o, t[i])) return false;
	return true;
}

static bool put_label(struct name_out *o, struct cur lab)
{
	if (!o->buf)
		return true;                  /* only skipping the name */
	if (o->n > 0 && !put_char(o, '.'))
		return false;
	const uint8_t *p = lab.p;         /* cur_sub() vouched for lab.left */
	size_t n = lab.left;
	if (o->buf && o->n + 4 * n < o->size) {   /* room for the worst case */
		char *d = o->buf + o->n;
		for (size_t i = 0; i < n; i++) d = label_byte(d, p[i]);
		o->n = (size_t)(d - o->buf);
		return true;
	}
	for (size_t i = 0; i < n; i++)
		if (!put_label_byte(o, p[i]))
			return false;
	return true;
}

static size_t cur_off(const struct cur *c, size_t len)
{
	return len - c->left;
}

/* Domain name (RFC 1035 3.1, 4.1.4).  *c is a cursor over the whole
 * message positioned at the name; it is advanced past the name as stored
 * in place (up to and including the first pointer).  Label types 0x40 and
 * 0x80 are malformed.
 *
 * Why the loop ends: a compression pointer must point strictly before the
 * name it sits in, and each further pointer strictly before the previous
 * target (tcpdump print-domain.c, after BIND), so targets decrease; label
 * bytes are bounded by the 255-octet wire limit; hops are bounded too.
 *
 * out == NULL validates and skips.  A name whose presentation form does
 * not fit in outsz (with its NUL) is malformed. */
static int dns_name(const uint8_t *msg, size_t len, struct cur *c, char *out,
                    size_t outsz)
{
	struct name_out o = { out, outsz, 0 };
	struct cur r = *c;
	size_t max_off = cur_off(c, len);
	size_t wire = 1;                  /* the root label */
	unsigned hops = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l = cur_u8(&r);
		if (r.bad)
			return DIS_TRUNCATED;
		if ((l & 0xc0) == 0xc0) {
			size_t target = ((size_t)(l & 0x3f) << 8) | cur_u8(&r);
			if (r.bad)
				return DIS_TRUNCATED;
			if (target >= max_off || ++hops > DNS_HOPS_MAX)
				return DIS_MALFORMED;
			max_off = target;
			if (!jumped)
				*c = r;
			jumped = true;
			r = cur_make(msg, len);
			cur_skip(&r, target);
			continue;
		}
		if (l & 0xc0)
			return DIS_MALFORMED;
		if (l == 0)
			break;
		wire += (size_t)l + 1;
		if (wire > DNS_WIRE_NAME_MAX)
			return DIS_MALFORMED;
		struct cur lab = cur_sub(&r, l);
		if (r.bad)
			return DIS_TRUNCATED;
		if (!put_label(&o, lab))
			return DIS_MALFORMED;
	}
	if (!jumped)
		*c = r;
	if (out != NULL)
		out[o.n] = '\0';
	return DIS_OK;
}

/* First CNAME target of the answer section into m->cname.  The name
 * must end inside the record's rdata (rdoff, rdlen). */
static int dns_cname(const uint8_t *msg, size_t len, size_t rdoff,
                     size_t rdlen, struct dns_msg *m)
{
	struct cur nc = cur_make(msg, len);
	cur_skip(&nc, rdoff);
	int st = dns_name(msg, len, &nc, m->cname, sizeof m->cname);
	if (st == DIS_OK && cur_off(&nc, len) - rdoff > rdlen)
		st = DIS_MALFORMED;
	if (st != DIS_OK)
		m->cname[0] = '\0';
	return st == DIS_TRUNCATED ? DIS_MALFORMED : st; /* rdata was whole */
}

static void rr_store(struct dns_msg *m, const struct dns_rr *rr, struct cur rd)
{
	if (m->nrr >= DNS_MAX_ANS)
		return;
	struct dns_rr *dst = &m->rr[m->nrr++];
	*dst = *rr;
	if (rr->cls == DNS_C_IN && rr->type == DNS_T_A)
		cur_copy(&rd, dst->addr, 4);
	else if (rr->cls == DNS_C_IN && rr->type == DNS_T_AAAA)
		cur_copy(&rd, dst->addr, 16);
}

/* Resource record (RFC 1035 4.1.3):
 *  | NAME (var) | TYPE (16) | CLASS (16) | TTL (32) | RDLENGTH (16) | RDATA |
 * A/AAAA in class IN must be 4/16 bytes.  OPT (RFC 6891 6.1.2) carries the
 * requestor's UDP payload size in CLASS. */
static int dns_rr(const uint8_t *msg, size_t len, struct cur *c,
                  struct dns_msg *m, uint8_t section)
{
	struct dns_rr rr = { .section = section };
	int st = dns_name(msg, len, c, NULL, 0);
	if (st != DIS_OK)
		return st;
	rr.type = cur_be16(c);
	rr.cls = cur_be16(c);
	rr.ttl = cur_be32(c);
	uint16_t rdlen = cur_be16(c);
	size_t rdoff = cur_off(c, len);
	struct cur rd = cur_sub(c, rdlen);
	if (c->bad)
		return DIS_TRUNCATED;
	if (rr.cls == DNS_C_IN && ((rr.type == DNS_T_A && rdlen != 4) ||
	                           (rr.type == DNS_T_AAAA && rdlen != 16)))
		return DIS_MALFORMED;
	if (section == 3 && rr.type == DNS_T_OPT) {
		m->edns = true;
		m->edns_size = rr.cls;
	}
	if (section == 1 && rr.type == DNS_T_CNAME && m->cname[0] == '\0') {
		st = dns_cname(msg, len, rdoff, rdlen, m);
		if (st != DIS_OK)
			return st;
	}
	if (section <= 2)
		rr_store(m, &rr, rd);
	return DIS_OK;
}

/* Question (RFC 1035 4.1.2): | QNAME | QTYPE (16) | QCLASS (16) |
 * Only the first one is kept. */
static int dns_question(const uint8_t *msg, size_t len, struct cur *c,
                        struct dns_msg *m, bool first)
{
	int st = dns_name(msg, len, c, first ? m->qname : NULL,
	                  first ? sizeof m->qname : 0);
	if (st != DIS_OK) {
		if (first)
			m->qname[0] = '\0';
		return st;
	}
	uint16_t qtype = cur_be16(c);
	uint16_t qclass = cur_be16(c);
	if (c->bad)
		return DIS_TRUNCATED;
	if (first) {
		m->qtype = qtype;
		m->qclass = qclass;
		m->has_question = true;
	}
	return DIS_OK;
}

/* Header (RFC 1035 4.1.1):
 *                                 1  1  1  1  1  1
 *   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                      ID                       |
 * |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 * |                    QDCOUNT                    |
 * |                    ANCOUNT                    |
 * |                    NSCOUNT                    |
 * |                    ARCOUNT                    |
 *
 * Returns DIS_TRUNCATED when the message ends early (what was read is
 * kept), DIS_MALFORMED on bad names/pointers/rdata lengths.  Every record
 * loop ends: each record consumes at least 11 bytes or stops the parse. */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *m)
{
	struct cur c = cur_make(msg, len);
	int st;

	*m = (struct dns_msg){ 0 };
	m->id = cur_be16(&c);
	m->flags = cur_be16(&c);
	m->qdcount = cur_be16(&c);
	m->ancount = cur_be16(&c);
	m->nscount = cur_be16(&c);
	m->arcount = cur_be16(&c);
	if (c.bad)
		return DIS_TRUNCATED;
	m->qr = (m->flags & 0x8000) != 0;
	m->opcode = (uint8_t)((m->flags >> 11) & 0x0f);
	m->rcode = (uint8_t)(m->flags & 0x0f);

	for (unsigned i = 0; i < m->qdcount; i++) {
		st = dns_question(msg, len, &c, m, i == 0);
		if (st != DIS_OK)
			return st;
	}
	const uint16_t count[3] = { m->ancount, m->nscount, m->arcount };
	for (uint8_t sec = 1; sec <= 3; sec++) {
		for (unsigned i = 0; i < count[sec - 1]; i++) {
			st = dns_rr(msg, len, &c, m, sec);
			if (st != DIS_OK)
				return st;
		}
	}
	return DIS_OK;
}
