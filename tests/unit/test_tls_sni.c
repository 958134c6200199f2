/* test_tls_sni.c - TLS ClientHello SNI (tls_sni.c). */
#include "testhelp.h"
#include "pktbuild.h"

static struct buf H;   /* handshake message (type + length + body) */
static struct buf S;   /* the TCP stream: records */
static uint8_t scratch[16384];
static struct strview V;

/* ClientHello handshake message into H.  n_sni: 0, 1 or 2 SNI exts. */
static void hello(int n_sni, const char *name, bool exts)
{
	H.n = 0;
	b8(&H, 1);
	b8(&H, 0); b16(&H, 0);                     /* length, fixed below */
	b16(&H, 0x0303);
	bfill(&H, 0x11, 32);                      /* random */
	b8(&H, 32); bfill(&H, 0x22, 32);          /* session id */
	b16(&H, 6); b16(&H, 0x1301); b16(&H, 0x1302); b16(&H, 0xc02f);
	b8(&H, 1); b8(&H, 0);                     /* compression: null */
	if (exts) {
		size_t el = H.n;
		b16(&H, 0);
		b16(&H, 0x000a); b16(&H, 4); b16(&H, 2); b16(&H, 0x001d);
		for (int i = 0; i < n_sni; i++) {
			size_t nl = strlen(name);
			b16(&H, 0); b16(&H, (unsigned)(nl + 5));
			b16(&H, (unsigned)(nl + 3));
			b8(&H, 0); b16(&H, (unsigned)nl);
			bmem(&H, name, nl);
		}
		b16(&H, 0x002b); b16(&H, 3); b8(&H, 2); b16(&H, 0x0304);
		set16(&H, el, (unsigned)(H.n - el - 2));
	}
	H.b[1] = (uint8_t)((H.n - 4) >> 16);
	set16(&H, 2, (unsigned)(H.n - 4));
}

static void record(const uint8_t *p, size_t n, uint8_t type)
{
	b8(&S, type); b16(&S, 0x0301); b16(&S, (unsigned)n);
	bmem(&S, p, n);
}

/* H split into records after `cut` bytes (cut 0 or >= H.n: one record). */
static void stream(size_t cut)
{
	S.n = 0;
	if (cut == 0 || cut >= H.n) {
		record(H.b, H.n, 22);
		return;
	}
	record(H.b, cut, 22);
	record(H.b + cut, H.n - cut, 22);
}

static int parse_n(size_t n, size_t scratchsz)
{
	uint8_t *d = dup_exact(S.b, n);
	int st = tls_sni_parse(d, n, scratch, scratchsz, &V);
	/* keep the SNI comparable after free: copy into a static */
	static uint8_t name[512];
	if (st == DIS_OK && V.len <= sizeof name && V.len > 0) {
		uintptr_t p = (uintptr_t)V.p, sc = (uintptr_t)scratch;
		uintptr_t dp = (uintptr_t)d;
		bool in_scratch = p >= sc && p + V.len <= sc + sizeof scratch;
		bool in_stream = p >= dp && p + V.len <= dp + n;
		memcpy(name, V.p, V.len);
		V.p = (in_scratch || in_stream) ? name : NULL;
	}
	free(d);
	return st;
}

static int parse(void)
{
	return parse_n(S.n, sizeof scratch);
}

static bool sni_is(const char *s)
{
	return V.p != NULL && V.len == strlen(s) && memcmp(V.p, s, V.len) == 0;
}

static bool all_prefixes_truncated(void)
{
	for (size_t n = 0; n < S.n; n++)
		if (parse_n(n, sizeof scratch) != DIS_TRUNCATED)
			return false;
	return true;
}

static void test_single(void)
{
	hello(1, "example.com", true);
	stream(0);
	test_cond("single record OK", parse() == DIS_OK && sni_is("example.com"));
	test_cond("single record, no scratch",
	          tls_sni_parse(S.b, S.n, NULL, 0, &V) == DIS_OK && V.len == 11);
	test_cond("single: every prefix TRUNCATED", all_prefixes_truncated());
	b8(&S, 20);                    /* trailing CCS byte: still OK */
	test_cond("trailing bytes OK", parse() == DIS_OK && sni_is("example.com"));

	hello(0, NULL, true);
	stream(0);
	test_cond("no SNI ext: OK len 0", parse() == DIS_OK && V.len == 0);
	hello(0, NULL, false);
	stream(0);
	test_cond("no extensions: OK len 0", parse() == DIS_OK && V.len == 0);
	hello(2, "a.example", true);
	stream(0);
	test_cond("two SNI exts malformed", parse() == DIS_MALFORMED && V.len == 0);
	hello(1, "", true);
	stream(0);
	test_cond("empty host_name malformed", parse() == DIS_MALFORMED);
}

static void test_split(void)
{
	static const size_t cuts[] = { 1, 2, 3, 4, 5, 40, 77, 0 };
	hello(1, "split.example.org", true);
	for (size_t i = 0; i + 1 < sizeof cuts / sizeof cuts[0]; i++) {
		stream(cuts[i]);
		test_cond("split OK", parse() == DIS_OK && sni_is("split.example.org"));
		test_cond("split prefixes TRUNCATED", all_prefixes_truncated());
	}
	stream(H.n - 1);
	test_cond("split at last byte", parse() == DIS_OK &&
	          sni_is("split.example.org"));
	test_cond("split, tiny scratch", parse_n(S.n, 50) == DIS_UNSUPPORTED);
	test_cond("split, no scratch",
	          tls_sni_parse(S.b, S.n, NULL, 0, &V) == DIS_UNSUPPORTED);

	/* three records, the middle one an alert: malformed */
	S.n = 0;
	record(H.b, 10, 22);
	record((const uint8_t *)"\x02\x28", 2, 21);
	record(H.b + 10, H.n - 10, 22);
	test_cond("alert inside hello", parse() == DIS_MALFORMED);

	/* one byte per record */
	S.n = 0;
	for (size_t i = 0; i < H.n; i++)
		record(H.b + i, 1, 22);
	test_cond("1-byte records", parse() == DIS_OK &&
	          sni_is("split.example.org"));
	test_cond("1-byte records prefixes", all_prefixes_truncated());
}

static void test_bad(void)
{
	hello(1, "example.com", true);
	/* the extensions length sits right after compression methods */
	size_t el = 4 + 2 + 32 + 1 + 32 + 2 + 6 + 2;
	unsigned v = (unsigned)((H.b[el] << 8) | H.b[el + 1]);
	set16(&H, el, v + 1);
	stream(0);
	test_cond("extensions length past end", parse() == DIS_MALFORMED);
	set16(&H, el, v - 1);
	stream(0);
	test_cond("extensions length short", parse() == DIS_MALFORMED);
	set16(&H, el, v);
	set16(&H, el + 2 + 2, 0x7fff); /* supported_groups ext length */
	stream(0);
	test_cond("ext item past block", parse() == DIS_MALFORMED);
	set16(&H, el + 4, 4);
	H.b[4 + 2 + 32] = 33;          /* session id 33 */
	stream(0);
	test_cond("session id 33", parse() == DIS_MALFORMED);
	H.b[4 + 2 + 32] = 32;
	stream(0);
	test_cond("restored", parse() == DIS_OK);

	S.n = 0;
	bmem(&S, "GET / HTTP/1.1\r\n", 16);
	test_cond("HTTP unsupported", parse() == DIS_UNSUPPORTED);
	test_cond("1 byte non-TLS", parse_n(1, sizeof scratch) == DIS_UNSUPPORTED);
	S.n = 0;
	b8(&S, 22); b8(&S, 2);
	test_cond("bad major", parse() == DIS_UNSUPPORTED);
	hello(1, "example.com", true);
	H.b[0] = 2;
	stream(0);
	test_cond("ServerHello unsupported", parse() == DIS_UNSUPPORTED);
	S.n = 0;
	b8(&S, 22); b16(&S, 0x0301); b16(&S, 0);
	test_cond("empty record", parse() == DIS_MALFORMED);
	S.n = 0;                       /* hello claims 1 MB */
	b8(&S, 22); b16(&S, 0x0301); b16(&S, 4);
	b8(&S, 1); b8(&S, 0x10); b16(&S, 0);
	test_cond("huge hello unsupported", parse() == DIS_UNSUPPORTED);

	/* deterministic mutations: never crash, views stay in bounds */
	uint32_t x = 99;
	bool ok = true;
	hello(1, "mutate.example", true);
	for (int iter = 0; iter < 20000; iter++) {
		stream((size_t)(iter % 3) * 37);
		for (int k = 0; k < 3; k++) {
			x = x * 1103515245u + 12345u;
			S.b[(x >> 8) % S.n] = (uint8_t)(x >> 20);
		}
		int st = parse();
		if (st == DIS_OK && V.len > 0 && V.p == NULL)
			ok = false;
	}
	test_cond("mutations: views in bounds", ok);
}

int main(void)
{
	test_single();
	test_split();
	test_bad();
	return test_report();
}
