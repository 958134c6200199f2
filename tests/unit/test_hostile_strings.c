/* test_hostile_strings.c - hostile names on the wire keep the report and
 * the event stream valid JSON.
 *
 * name_clean() (analyzer/util.c) over every byte value; then hand-made
 * IPv4 frames (DLT_RAW) through the whole engine: TLS SNI, HTTP Host and
 * DNS qnames with invalid UTF-8, control characters, quotes, backslashes,
 * "</script>", and names far longer than any buffer; a hostile capture
 * file name.  report_build() must dump with jansson and parse back equal;
 * every destination must be a printable-ASCII string; every event line
 * must parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "engine.h"
#include "report.h"
#include "util.h"
#include "testhelp.h"

#define DLT_RAW_ 12

/* ---- name_clean ---- */

static bool clean_ok(const char *s, size_t n, size_t dstsz)
{
	if (strlen(s) != n || n >= dstsz) return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("\"<>&'", c)) return false;
		if (c == '\\') {            /* only as \xHH */
			if (i + 3 >= n) return false;
			if (s[i + 1] != 'x' || !strchr("0123456789abcdef", s[i + 2]) ||
			    !strchr("0123456789abcdef", s[i + 3]) || !s[i + 2] || !s[i + 3])
				return false;
			i += 3;
		}
		if (c >= 'A' && c <= 'Z') return false;   /* lowercased */
	}
	return true;
}

static void test_name_clean(void)
{
	uint8_t all[256];
	char out[2048];
	for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
	size_t n = name_clean(all, sizeof all, out, sizeof out);
	test_cond("name_clean: all 256 bytes give clean ASCII", clean_ok(out, n, sizeof out));
	test_cond("name_clean: all 256 bytes kept (1024 + printable)", n > 256);

	for (size_t sz = 1; sz < 40; sz++) {
		n = name_clean(all, sizeof all, out, sz);
		if (!clean_ok(out, n, sz)) {
			test_cond("name_clean: truncation never splits an escape", 0);
			return;
		}
	}
	test_cond("name_clean: truncation never splits an escape", 1);

	static const char *const hostile[] = {
		"</script><script>alert(1)</script>", "a\"b'c&d<e>f", "\xc3\x28.example",
		"\xff\xfe\xfd", "evil\r\nSet-Cookie: x", "nul\0byte", "back\\slash\\x41",
		"\xe2\x80\xaemoc.elgoog", "TAB\there", "EXAMPLE.COM.", "..."
	};
	for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
		size_t l = strlen(hostile[i]);
		if (i == 5) l = 8;                      /* include the NUL */
		n = name_clean((const uint8_t *)hostile[i], l, out, 256);
		test_cond("name_clean: hostile sample is clean", clean_ok(out, n, 256));
	}
	n = name_clean((const uint8_t *)"Example.COM.", 12, out, 256);
	test_cond("name_clean: lowercase, trailing dot removed", !strcmp(out, "example.com"));
	n = name_clean((const uint8_t *)"...", 3, out, 256);
	test_cond("name_clean: only dots -> empty", n == 0 && out[0] == 0);

	uint8_t big[70000];
	memset(big, 'A', sizeof big);
	n = name_clean(big, sizeof big, out, 256);
	test_cond("name_clean: 70000-byte name truncated to 255", n == 255 && strlen(out) == 255);
	memset(big, 0xff, sizeof big);
	n = name_clean(big, sizeof big, out, 256);
	test_cond("name_clean: 70000 bytes of 0xff truncated, clean", clean_ok(out, n, 256) && n <= 255);
}

/* ---- frames ---- */

static uint8_t fr[70000];
static uint64_t now_us = 1767225600ULL * 1000000;

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

static void feed(struct engine *e, size_t n)
{
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	now_us += 1000;
	h.ts.tv_sec = (time_t)(now_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(now_us % 1000000);
	h.caplen = h.len = (bpf_u_int32)n;
	uint8_t *c = malloc(n);
	memcpy(c, fr, n);
	engine_packet(e, DLT_RAW_, &h, c);
	free(c);
}

static size_t ip4(uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, size_t l4len)
{
	memset(fr, 0, 20);
	fr[0] = 0x45;
	put16(fr + 2, (unsigned)(20 + l4len));
	put16(fr + 4, 0x4242);
	fr[6] = 0x40;
	fr[8] = ttl;
	fr[9] = proto;
	put32(fr + 12, src);
	put32(fr + 16, dst);
	return 20;
}

static void tcp(struct engine *e, uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp,
                uint32_t seq, uint32_t ack, uint8_t flags, uint8_t ttl,
                const uint8_t *pl, size_t n)
{
	size_t o = ip4(src, dst, 6, ttl, 20 + n);
	uint8_t *t = fr + o;
	memset(t, 0, 20);
	put16(t, sp); put16(t + 2, dp);
	put32(t + 4, seq); put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 64240);
	if (n) memcpy(t + 20, pl, n);
	feed(e, o + 20 + n);
}

static void udp(struct engine *e, uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp,
                uint8_t ttl, const uint8_t *pl, size_t n)
{
	size_t o = ip4(src, dst, 17, ttl, 8 + n);
	put16(fr + o, sp); put16(fr + o + 2, dp);
	put16(fr + o + 4, (unsigned)(8 + n)); put16(fr + o + 6, 0);
	memcpy(fr + o + 8, pl, n);
	feed(e, o + 8 + n);
}

/* Handshake, client data, server ACK (+ optional server data), and when
 * inject: three forged RSTs (differing seq, wrong TTL) after the data. */
static void session(struct engine *e, uint32_t cli, uint16_t cp, uint32_t srv, uint16_t sp,
                    const uint8_t *data, size_t n, bool inject)
{
	uint32_t cs = 1000, ss = 50000;
	tcp(e, cli, cp, srv, sp, cs, 0, 0x02, 64, NULL, 0);
	tcp(e, srv, sp, cli, cp, ss, cs + 1, 0x12, 50, NULL, 0);
	tcp(e, cli, cp, srv, sp, cs + 1, ss + 1, 0x10, 64, NULL, 0);
	tcp(e, cli, cp, srv, sp, cs + 1, ss + 1, 0x18, 64, data, n);
	if (inject) {
		for (int i = 0; i < 3; i++)
			tcp(e, srv, sp, cli, cp, ss + 1 + (uint32_t)i * 1460, 0, 0x04, 200, NULL, 0);
		/* the genuine server still answers: seq race */
		tcp(e, srv, sp, cli, cp, ss + 1, cs + 1 + (uint32_t)n, 0x10, 50, NULL, 0);
		return;
	}
	tcp(e, srv, sp, cli, cp, ss + 1, cs + 1 + (uint32_t)n, 0x10, 50, NULL, 0);
	tcp(e, cli, cp, srv, sp, cs + 1 + (uint32_t)n, ss + 1, 0x11, 64, NULL, 0);
	tcp(e, srv, sp, cli, cp, ss + 1, cs + 2 + (uint32_t)n, 0x11, 50, NULL, 0);
	tcp(e, cli, cp, srv, sp, cs + 2 + (uint32_t)n, ss + 2, 0x10, 64, NULL, 0);
}

static size_t client_hello(uint8_t *b, const uint8_t *sni, size_t sl)
{
	size_t ext = 9 + sl, body = 2 + 32 + 1 + 4 + 2 + 2 + ext;
	size_t o = 0;
	b[o++] = 0x16; b[o++] = 3; b[o++] = 1; put16(b + o, (unsigned)(4 + body)); o += 2;
	b[o++] = 1; b[o++] = (uint8_t)(body >> 16); put16(b + o, (unsigned)(body & 0xffff)); o += 2;
	b[o++] = 3; b[o++] = 3;
	memset(b + o, 0x11, 32); o += 32;
	b[o++] = 0;                                   /* session id */
	put16(b + o, 2); o += 2; put16(b + o, 0x1301); o += 2;
	b[o++] = 1; b[o++] = 0;                       /* compression */
	put16(b + o, (unsigned)ext); o += 2;
	put16(b + o, 0); o += 2;                      /* server_name */
	put16(b + o, (unsigned)(sl + 5)); o += 2;
	put16(b + o, (unsigned)(sl + 3)); o += 2;
	b[o++] = 0;
	put16(b + o, (unsigned)sl); o += 2;
	memcpy(b + o, sni, sl); o += sl;
	return o;
}

/* DNS message: one question of raw labels, optional A answer. */
static size_t dns_msg(uint8_t *b, uint16_t id, bool resp, const uint8_t *const *labels,
                      const size_t *lens, int nl, uint32_t addr)
{
	size_t o = 12;
	memset(b, 0, 12);
	put16(b, id);
	put16(b + 2, resp ? 0x8180 : 0x0100);
	put16(b + 4, 1);
	put16(b + 6, resp ? 1 : 0);
	for (int i = 0; i < nl; i++) {
		b[o++] = (uint8_t)lens[i];
		memcpy(b + o, labels[i], lens[i]);
		o += lens[i];
	}
	b[o++] = 0;
	put16(b + o, 1); put16(b + o + 2, 1); o += 4;
	if (resp) {
		put16(b + o, 0xc00c); put16(b + o + 2, 1); put16(b + o + 4, 1);
		put32(b + o + 6, 300); put16(b + o + 10, 4); put32(b + o + 12, addr);
		o += 16;
	}
	return o;
}

static bool printable(const char *s)
{
	if (!s || !*s) return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) return false;
	return true;
}

static void test_engine(void)
{
	char err[256] = "";
	struct engine_opts o;
	engine_opts_default(&o);
	o.use_ndpi = false;
	engine_opts_set_det(&o, "syn-timeout", 1);
	FILE *ev = tmpfile();
	o.events = ev;
	struct engine *e = engine_new(&o, err);
	test_cond("engine_new", e != NULL);
	if (!e) { fprintf(stderr, "%s\n", err); return; }

	static uint8_t pl[66000], sni[3000];
	const uint32_t cli = 0x0a000001, res = 0x0a000035;

	/* 1. SNI: quotes, </script>, invalid UTF-8, control characters */
	static const char s1[] = "\"x\"</script><img src=x onerror=alert(1)>\xc3\x28\xff\x01\n\r.Example.COM";
	size_t n = client_hello(pl, (const uint8_t *)s1, sizeof s1 - 1);
	session(e, cli, 40001, 0xc6120a01, 443, pl, n, true);

	/* 2. SNI of 3000 bytes */
	for (size_t i = 0; i < sizeof sni; i++) sni[i] = (uint8_t)(i % 7 == 6 ? 0xfe : 'a' + i % 26);
	n = client_hello(pl, sni, sizeof sni);
	session(e, cli, 40002, 0xc6120a02, 443, pl, n, true);

	/* 3. HTTP Host with a quote, control bytes and invalid UTF-8 */
	static const char h1[] = "GET / HTTP/1.1\r\nHost: ev\"il\x7f\xc0\xaf</script>.example:8080\r\n"
	                         "User-Agent: x\r\n\r\n";
	session(e, cli, 40003, 0xc6120a03, 80, (const uint8_t *)h1, sizeof h1 - 1, true);

	/* 4. HTTP Host of 8000 bytes */
	n = (size_t)snprintf((char *)pl, sizeof pl, "GET / HTTP/1.1\r\nHost: ");
	memset(pl + n, 'h', 8000); n += 8000;
	memcpy(pl + n, "\r\n\r\n", 4); n += 4;
	session(e, cli, 40004, 0xc6120a04, 80, pl, n, false);

	/* 5. DNS qname with NUL, dot, quote, backslash, 0xff in labels; the
	 *    answer names a later TCP flow */
	static const uint8_t l1[] = { 'a', 0, '.', '"', '\\', 0xff, '<', '/', '>' };
	static const uint8_t l2[] = "</script>";
	static const uint8_t l3[] = "COM";
	const uint8_t *labels[] = { l1, l2, l3 };
	size_t lens[] = { sizeof l1, sizeof l2 - 1, sizeof l3 - 1 };
	n = dns_msg(pl, 0x1234, false, labels, lens, 3, 0);
	udp(e, cli, 50001, res, 53, 64, pl, n);
	n = dns_msg(pl, 0x1234, true, labels, lens, 3, 0xc6120a05);
	udp(e, res, 53, cli, 50001, 60, pl, n);
	session(e, cli, 40005, 0xc6120a05, 443, NULL, 0, true);

	/* 6. DNS qname at the 255-byte limit, 63-byte labels of control bytes */
	static uint8_t lab[4][63];
	const uint8_t *lv[4];
	size_t ll[4];
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < 63; j++) lab[i][j] = (uint8_t)(j % 3 == 0 ? 0x01 + j : 0x80 + j);
		lv[i] = lab[i];
		ll[i] = i == 3 ? 61 : 63;
	}
	n = dns_msg(pl, 0x4321, false, lv, ll, 4, 0);
	udp(e, cli, 50002, res, 53, 64, pl, n);
	n = dns_msg(pl, 0x4321, true, lv, ll, 4, 0xc6120a06);
	udp(e, res, 53, cli, 50002, 60, pl, n);
	/* a second, different answer: a forged-DNS event with this qname */
	n = dns_msg(pl, 0x4321, true, lv, ll, 4, 0x08070605);
	udp(e, res, 53, cli, 50002, 200, pl, n);
	session(e, cli, 40006, 0xc6120a06, 443, NULL, 0, false);

	now_us += 10 * 1000000ULL;
	engine_finish(e);

	const char *files[] = { "caps/\xff\xfe-bad-utf8.pcap", "caps/ok\"</script>.pcap" };
	struct report_source src = { .files = files, .nfiles = 2 };
	json_t *r = report_build(e, &src);
	test_cond("report_build", r != NULL);
	char *dump = json_dumps(r, JSON_INDENT(2) | JSON_SORT_KEYS);
	test_cond("report dumps", dump != NULL);
	json_error_t je;
	json_t *back = dump ? json_loads(dump, 0, &je) : NULL;
	test_cond("report parses back", back != NULL);
	test_cond("report round-trips equal", back && json_equal(r, back));
	char *ascii = json_dumps(r, JSON_ENSURE_ASCII | JSON_COMPACT);
	test_cond("report dumps as ASCII", ascii != NULL);
	free(ascii);

	const json_t *fl = json_object_get(json_object_get(r, "source"), "files");
	test_cond("source.files keeps both files (one not UTF-8)", json_array_size(fl) == 2);
	size_t i;
	json_t *v;
	json_array_foreach(fl, i, v) test_cond("source.files entries are strings", json_is_string(v));

	const json_t *ds = json_object_get(r, "destinations");
	test_cond("destinations present", json_array_size(ds) >= 6);
	int named = 0, long_ok = 1;
	json_array_foreach(ds, i, v) {
		const char *d = json_string_value(json_object_get(v, "destination"));
		test_cond("destination is a printable ASCII string", printable(d));
		if (d && strlen(d) > 255) long_ok = 0;
		if (d && strstr(d, "example")) named++;
		const json_t *hs = json_object_get(v, "hosts");
		size_t j;
		json_t *h;
		test_cond("hosts is an array", json_is_array(hs));
		json_array_foreach(hs, j, h) test_cond("host is printable ASCII", printable(json_string_value(h)));
		/* names from SNI/Host (name_clean) and DNS (\DDD): no markup */
		if (d)
			test_cond("SNI/Host/DNS name carries no raw quote or markup", !strpbrk(d, "<>\"'&"));
	}
	test_cond("long names truncated to <= 255", long_ok);
	test_cond("hostile SNI/Host names became destinations", named >= 2);
	if (dump && getenv("HOSTILE_DUMP")) puts(dump);

	/* the event stream */
	fflush(ev);
	rewind(ev);
	char line[1 << 16];
	int nev = 0, evok = 1;
	while (fgets(line, sizeof line, ev)) {
		nev++;
		json_t *x = json_loads(line, 0, &je);
		if (!x || !printable(json_string_value(json_object_get(x, "destination")))) evok = 0;
		json_decref(x);
	}
	test_cond("events written", nev >= 1);
	test_cond("every event line is JSON with a printable destination", evok);
	fclose(ev);

	json_decref(back);
	free(dump);
	json_decref(r);
	engine_free(e);
}

int main(void)
{
	test_name_clean();
	test_engine();
	return test_report();
}
