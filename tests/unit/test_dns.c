/* test_dns.c - DNS message parser (dns.c). */
#include "testhelp.h"
#include "pktbuild.h"

static struct buf F;
static struct dns_msg M;

static void hdr(uint16_t id, uint16_t flags, unsigned qd, unsigned an,
                unsigned ns, unsigned ar)
{
	F.n = 0;
	b16(&F, id); b16(&F, flags);
	b16(&F, qd); b16(&F, an); b16(&F, ns); b16(&F, ar);
}

/* Presentation name ("www.example.com") to wire labels + root. */
static void dname(const char *s)
{
	while (*s) {
		size_t l = strcspn(s, ".");
		b8(&F, (unsigned)l);
		bmem(&F, s, l);
		s += l;
		if (*s == '.')
			s++;
	}
	b8(&F, 0);
}

static void ptr(size_t off)
{
	b16(&F, 0xc000 | (unsigned)off);
}

static void rr_fixed(uint16_t type, uint16_t cls, uint32_t ttl, uint16_t rdlen)
{
	b16(&F, type); b16(&F, cls); b32(&F, ttl); b16(&F, rdlen);
}

static int parse_n(size_t n)
{
	uint8_t *d = dup_exact(F.b, n);
	int st = dns_parse(d, n, &M);
	free(d);
	return st;
}

static int parse(void)
{
	return parse_n(F.n);
}

static void test_answer(void)
{
	static const uint8_t a[4] = { 93, 184, 216, 34 };
	static const uint8_t aaaa[16] = { 0x26, 0x06, 0x28, 0, [15] = 0x46 };

	hdr(0x1234, 0x8180, 1, 3, 0, 1);
	dname("WWW.Example.com");                    /* at 12; "example" at 16 */
	b16(&F, 1); b16(&F, 1);
	ptr(12);                                     /* CNAME record */
	size_t rdl = F.n + 8;
	rr_fixed(5, 1, 300, 0);
	size_t cname_at = F.n;
	b8(&F, 3); bmem(&F, "cdn", 3); ptr(16);
	set16(&F, rdl, (unsigned)(F.n - cname_at));
	ptr(cname_at);                               /* A record */
	rr_fixed(1, 1, 60, 4);
	bmem(&F, a, 4);
	ptr(cname_at);                               /* AAAA record */
	rr_fixed(28, 1, 60, 16);
	bmem(&F, aaaa, 16);
	b8(&F, 0);                                   /* OPT */
	rr_fixed(41, 1232, 0, 0);

	test_cond("answer OK", parse() == DIS_OK);
	test_cond("header", M.id == 0x1234 && M.qr && M.opcode == 0 &&
	          M.rcode == 0 && M.qdcount == 1 && M.ancount == 3 && M.arcount == 1);
	test_cond("qname lowercased", strcmp(M.qname, "www.example.com") == 0);
	test_cond("question", M.has_question && M.qtype == 1 && M.qclass == 1);
	test_cond("cname", strcmp(M.cname, "cdn.example.com") == 0);
	test_cond("nrr", M.nrr == 3);
	test_cond("rr cname", M.rr[0].type == 5 && M.rr[0].ttl == 300 &&
	          M.rr[0].section == 1);
	test_cond("rr A", M.rr[1].type == 1 && memcmp(M.rr[1].addr, a, 4) == 0);
	test_cond("rr AAAA", M.rr[2].type == 28 &&
	          memcmp(M.rr[2].addr, aaaa, 16) == 0);
	test_cond("edns", M.edns && M.edns_size == 1232);

	bool ok = true;
	for (size_t n = 0; n < F.n; n++)
		if (parse_n(n) != DIS_TRUNCATED)
			ok = false;
	test_cond("every prefix TRUNCATED", ok);
	parse_n(40);
	test_cond("cut answers keep the question", M.has_question &&
	          strcmp(M.qname, "www.example.com") == 0);
	test_cond("header cut", parse_n(11) == DIS_TRUNCATED && !M.has_question);

	size_t rdlen_lo = F.n - 11 - 16 - 1;   /* AAAA RDLENGTH, low byte */
	F.b[rdlen_lo] = 17;
	test_cond("AAAA rdlength 17", parse() == DIS_MALFORMED);
	F.b[rdlen_lo] = 16;
	F.b[rdlen_lo - 1] = 0x40;      /* rdlength 0x4010, past the end */
	test_cond("rdlength past end", parse() == DIS_TRUNCATED && M.nrr == 2);
}

static void test_nxdomain_edns(void)
{
	hdr(7, 0x8183, 1, 0, 1, 0);
	dname("nope.example");
	b16(&F, 28); b16(&F, 1);
	ptr(17);                       /* "example" */
	rr_fixed(6, 1, 900, 22);
	b8(&F, 0); b8(&F, 0); bfill(&F, 0, 20);
	test_cond("NXDOMAIN OK", parse() == DIS_OK && M.rcode == 3 &&
	          M.nrr == 1 && M.rr[0].section == 2 && M.rr[0].type == 6 &&
	          strcmp(M.qname, "nope.example") == 0 && M.qtype == 28);

	hdr(8, 0x0100, 1, 0, 0, 1);
	dname("example.org");
	b16(&F, 1); b16(&F, 1);
	b8(&F, 0);
	rr_fixed(41, 4096, 0, 12);
	b16(&F, 10); b16(&F, 8); bfill(&F, 0xab, 8);   /* cookie option */
	test_cond("EDNS query", parse() == DIS_OK && !M.qr && M.edns &&
	          M.edns_size == 4096 && M.nrr == 0);

	hdr(9, 0x0100, 1, 0, 0, 0);
	b8(&F, 0);
	b16(&F, 2); b16(&F, 1);
	test_cond("root qname", parse() == DIS_OK && M.has_question &&
	          M.qname[0] == '\0' && M.qtype == 2);

	hdr(10, 0x8180, 1, 40, 0, 0);
	dname("many.example");
	b16(&F, 1); b16(&F, 1);
	for (int i = 0; i < 40; i++) {
		ptr(12);
		rr_fixed(1, 1, 5, 4);
		b32(&F, 0x0a000000u + (unsigned)i);
	}
	test_cond("40 answers, 32 stored", parse() == DIS_OK &&
	          M.nrr == DNS_MAX_ANS && M.rr[31].addr[3] == 31);
}

static void test_hostile(void)
{
	hdr(1, 0, 1, 0, 0, 0);
	ptr(12);                       /* points at itself */
	b16(&F, 1); b16(&F, 1);
	test_cond("self pointer malformed", parse() == DIS_MALFORMED);

	hdr(1, 0, 1, 0, 0, 0);
	ptr(20);                       /* forward */
	b16(&F, 1); b16(&F, 1);
	b8(&F, 1); b8(&F, 'a'); b8(&F, 0);
	test_cond("forward pointer malformed", parse() == DIS_MALFORMED);

	/* answer name "x" + pointer back to its own start: a loop */
	hdr(1, 0x8000, 1, 1, 0, 0);
	dname("a");
	b16(&F, 1); b16(&F, 1);
	size_t at = F.n;
	b8(&F, 1); b8(&F, 'x'); ptr(at);
	rr_fixed(1, 1, 1, 4); b32(&F, 0);
	test_cond("loop via own start malformed", parse() == DIS_MALFORMED);

	/* two names pointing at each other: 2nd -> 1st is backwards, the 1st
	 * ends in a pointer to the 2nd (forward) */
	hdr(1, 0x8000, 1, 1, 0, 0);
	b8(&F, 1); b8(&F, 'q'); ptr(18);
	b16(&F, 1); b16(&F, 1);
	ptr(12);                       /* offset 20 > 18? name at 20 */
	rr_fixed(1, 1, 1, 4); b32(&F, 0);
	test_cond("mutual pointers malformed", parse() == DIS_MALFORMED);

	hdr(1, 0, 1, 0, 0, 0);
	b8(&F, 0x41); b8(&F, 0);
	b16(&F, 1); b16(&F, 1);
	test_cond("label type 0x40", parse() == DIS_MALFORMED);
	F.b[12] = 0x81;
	test_cond("label type 0x80", parse() == DIS_MALFORMED);

	hdr(1, 0, 1, 0, 0, 0);
	b8(&F, 7); bmem(&F, "a.b\x01 \\C", 7);
	b8(&F, 2); bmem(&F, "\x7f\xff", 2);
	b8(&F, 0);
	b16(&F, 1); b16(&F, 1);
	test_cond("escaped OK", parse() == DIS_OK);
	test_cond("escaped qname",
	          strcmp(M.qname, "a\\046b\\001\\032\\092c.\\127\\255") == 0);

	hdr(1, 0, 1, 0, 0, 0);         /* wire 4*64+1 = 257 > 255 */
	for (int i = 0; i < 4; i++) {
		b8(&F, 63);
		bfill(&F, 'a', 63);
	}
	b8(&F, 0);
	b16(&F, 1); b16(&F, 1);
	test_cond("wire name > 255", parse() == DIS_MALFORMED);

	hdr(1, 0, 1, 0, 0, 0);         /* wire 255, presentation 253 chars */
	for (int i = 0; i < 3; i++) {
		b8(&F, 63);
		bfill(&F, 'b', 63);
	}
	b8(&F, 61); bfill(&F, 'c', 61);
	b8(&F, 0);
	b16(&F, 1); b16(&F, 1);
	test_cond("255-octet name fits", parse() == DIS_OK &&
	          strlen(M.qname) == 253);

	hdr(1, 0, 1, 0, 0, 0);         /* 126 bytes escaped -> 505 chars */
	for (int i = 0; i < 2; i++) {
		b8(&F, 63);
		bfill(&F, 1, 63);
	}
	b8(&F, 0);
	b16(&F, 1); b16(&F, 1);
	test_cond("presentation too long", parse() == DIS_MALFORMED &&
	          M.qname[0] == '\0');

	hdr(1, 0, 2, 0, 0, 0);
	dname("first.example");
	b16(&F, 1); b16(&F, 1);
	dname("second.example");
	b16(&F, 28); b16(&F, 1);
	test_cond("second question skipped", parse() == DIS_OK &&
	          strcmp(M.qname, "first.example") == 0 && M.qtype == 1);

	/* deterministic garbage: never crash */
	uint32_t x = 12345;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 12 + (iter % 200);
		F.n = 0;
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			uint8_t v = (uint8_t)(x >> 16);
			if (i >= 4 && i < 12)
				v &= (i % 2) ? 0x03 : 0;   /* small counts */
			if (i >= 12 && (x >> 28) == 0)
				v |= 0xc0;                 /* many pointers */
			b8(&F, v);
		}
		(void)parse();
	}
	test_cond("garbage survived", true);
}

int main(void)
{
	test_answer();
	test_nxdomain_edns();
	test_hostile();
	return test_report();
}
