/* test_jsonw.c - the fast report writers against the library code they
 * replace: jsonw_dumps() must give json_dumps()'s exact bytes, fmt_time()
 * gmtime_r()'s fields. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <jansson.h>
#include "catalog.h"
#include "dest_json.h"
#include "jsonw.h"
#include "tunables.h"
#include "util.h"
#include "testhelp.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
	return rng;
}

static int same_as_jansson(const json_t *v, int indent, int prec)
{
	size_t flags = JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(prec) |
	               (indent ? JSON_INDENT(indent) : JSON_COMPACT);
	char *a = json_dumps(v, flags);
	size_t n = 0;
	char *b = jsonw_dumps(v, indent, prec, &n);
	int ok = a && b && !strcmp(a, b) && n == strlen(a);
	if (!ok) printf("jansson: %s\njsonw:   %s\n", a ? a : "(null)", b ? b : "(null)");
	free(a);
	free(b);
	return ok;
}

static json_t *random_value(int depth)
{
	static const char *const keys[] = { "a", "type", "b", "zz", "A", "count", "a b", "\xc3\xa9",
	                                    "ip", "evidence", "x\"y", "" };
	static const double reals[] = { 0.0, 0.95, 1.0, -3.5, 1e-7, 1e20, 123456.789, 0.123456,
	                                2.5e-300, 100.0, 0.6, 1.0 / 3 };
	unsigned k = (unsigned)(rnd() % (depth > 3 ? 6 : 8));
	switch (k) {
	case 0: return json_null();
	case 1: return json_boolean(rnd() & 1);
	case 2: {
		json_int_t v = (json_int_t)rnd();
		if (rnd() & 1) v %= 1000;
		return json_integer(v);
	}
	case 3: return json_real(reals[rnd() % (sizeof reals / sizeof *reals)]);
	case 4: case 5: {
		char s[40];
		size_t n = rnd() % sizeof s;
		for (size_t i = 0; i < n; i++) {
			unsigned c = (unsigned)(rnd() % 0x80);   /* ASCII incl. controls */
			s[i] = (char)(c ? c : 'a');
		}
		return json_stringn(s, n);
	}
	case 6: {
		json_t *a = json_array();
		size_t n = rnd() % 5;
		for (size_t i = 0; i < n; i++) json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		size_t n = rnd() % 8;
		for (size_t i = 0; i < n; i++)
			json_object_set_new(o, keys[rnd() % (sizeof keys / sizeof *keys)],
			                    random_value(depth + 1));
		return o;
	}
	}
}

static void test_dump(void)
{
	json_t *o = json_pack("{s:s, s:i, s:f, s:[], s:{}, s:n, s:b, s:s#, s:[i,f,s]}",
	                      "name", "tw\"it\\ter\n\t\x01\x1f\x7f caf\xc3\xa9 \xe2\x80\xa8",
	                      "n", -9223372036854775807LL - 1, "conf", 0.95,
	                      "empty_a", "empty_o", "nul", "t", 1,
	                      "withnul", "a\0b", (int)3, "mix", 1, 1e-5, "/");
	test_cond("jsonw: fixed tree, indent 2", same_as_jansson(o, 2, 4));
	test_cond("jsonw: fixed tree, compact", same_as_jansson(o, 0, 4));
	test_cond("jsonw: fixed tree, precision 17", same_as_jansson(o, 1, 17));
	json_decref(o);
	json_t *big = json_object();            /* > 32 keys: the qsort path */
	for (int i = 0; i < 100; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%03d", (int)(rnd() % 1000));
		json_object_set_new(big, k, json_integer(i));
	}
	test_cond("jsonw: 100-key object", same_as_jansson(big, 2, 4));
	json_decref(big);
	int bad = 0;
	for (int i = 0; i < 2000; i++) {
		json_t *v = random_value(0);
		if (!same_as_jansson(v, (int)(rnd() % 3), 4)) bad++;
		json_decref(v);
	}
	test_cond("jsonw: 2000 random trees equal json_dumps", bad == 0);
}

/* The rules jsonw states for every JSON text: event lines (compact,
 * jansson's default 17 digits) are json_dumps' bytes; jw_json inside the
 * emitter writes what jsonw_dumps does; what jansson has no text for
 * (strings that are not UTF-8, NaN, infinities) is null. */
static void test_rules(void)
{
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		json_t *v = random_value(0);
		if (!same_as_jansson(v, 0, 0)) bad++;
		struct jw *w = jw_new_text(0, 0, 0, true);
		jw_arr(w, NULL);
		jw_json(w, NULL, v);
		jw_end(w);
		char *t = jw_take_text(w, NULL);
		json_t *a = json_pack("[O]", v);
		char *want = jsonw_dumps(a, 0, 0, NULL);
		if (strcmp(t, want)) bad++;
		free(t);
		free(want);
		json_decref(a);
		json_decref(v);
	}
	test_cond("jsonw: compact, precision 0 (event lines) = json_dumps; jw_json = dumps", !bad);

	json_t *o = json_object();
	json_object_set_new(o, "bad", json_string_nocheck("a\xff\xc0\x80" "b"));
	json_object_set_new(o, "cut", json_stringn_nocheck("\xe2\x82", 2));
	json_object_set_new(o, "ok", json_string("caf\xc3\xa9\x01"));
	char *t = jsonw_dumps(o, 0, 0, NULL);
	test_cond("jsonw: a tree string that is not UTF-8 is null",
	          t && !strcmp(t, "{\"bad\":null,\"cut\":null,\"ok\":\"caf\xc3\xa9\\u0001\"}"));
	free(t);
	json_decref(o);

	struct jw *w = jw_new_text(0, 0, 0, true);
	jw_obj(w, NULL);
	jw_real(w, "inf", INFINITY);
	jw_real(w, "nan", NAN);
	jw_real(w, "one", 1.0);
	jw_str(w, "s", "a\xff" "b");
	jw_end(w);
	t = jw_take_text(w, NULL);
	test_cond("jsonw: NaN, infinity and non-UTF-8 emitter values are null",
	          t && !strcmp(t, "{\"inf\":null,\"nan\":null,\"one\":1.0,\"s\":null}"));
	free(t);

	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc = jsonw_line(f, "{\"a\":1}", 7);
	fclose(f);
	test_cond("jsonw_line: the text and a newline", !rc && buf && !strcmp(buf, "{\"a\":1}\n"));
	free(buf);
}

static void test_time(void)
{
	char a[40], b[96];
	int bad = 0;
	for (int i = 0; i < 200000; i++) {
		uint64_t us = rnd() % 253402300800000000ULL;   /* up to 9999-12-31 */
		if (i < 4) us = (uint64_t[]){ 1, 951782400000000ULL, 4107542399999999ULL,
		                               253402300799999999ULL }[i];
		fmt_time(us, a, sizeof a);
		time_t s = (time_t)(us / 1000000);
		struct tm tm;
		gmtime_r(&s, &tm);
		snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		         (unsigned)(us % 1000000));
		if (strcmp(a, b)) { if (!bad) printf("%s != %s\n", a, b); bad++; }
	}
	test_cond("fmt_time equals gmtime_r on 200000 instants", bad == 0);
	fmt_time(UINT64_MAX, a, sizeof a);
	test_cond("fmt_time clamps at year 9999", !strcmp(a, "9999-12-31T23:59:59.999999Z"));
	memset(a, 'x', sizeof a);
	fmt_time(1, a, 11);
	test_cond("fmt_time truncates to a small buffer", !strcmp(a, "1970-01-01"));
}

/* dest_text() (the emitter's text mode) against dest_json() (its tree
 * mode) dumped by jsonw: the same bytes, keys in sorted order. */
static void test_dest_text(void)
{
	static const char *const types[] = { "rst_injection", "syn_drop", "dns_injection",
	                                     "quic_drop", "http_injection", "icmp_prohibited",
	                                     "data_drop", "made_up" };
	struct dest_table *t = dest_new(1000);
	for (int i = 0; i < 200; i++) {
		char name[64];
		snprintf(name, sizeof name, i % 7 ? "host%d.example" : "caf\xc3\xa9-%d\"q", i);
		struct dest *d = dest_get(t, name);
		if (!d) continue;
		if (i % 3 == 0) dest_set_meta(d, i % 2 ? "Twitter" : NULL, i % 2);
		for (int k = 0; k < i % 5; k++) {
			char h[32];
			snprintf(h, sizeof h, "h%d.%d", k, i);
			dest_add_host(d, h);
			struct ts_addr a = { .family = (uint8_t)(k % 2 ? 6 : 4) };
			a.a[0] = (uint8_t)(198 + k); a.a[3] = (uint8_t)i; a.a[15] = (uint8_t)(k % 2);
			dest_add_ip(d, &a);
		}
		uint64_t ts = 1700000000000000ULL + (uint64_t)i * 977000000ULL;
		dest_seen(d, ts);
		if (i % 4 == 1) dest_tcp(d)->connections = (uint64_t)i;
		if (i % 6 == 2) { dest_udp(d)->flows = 3; dest_udp(d)->answered = 1; }
		if (i % 5 == 3) dest_dns(d, (unsigned)i, 2);
		for (int k = 0; k < (i % 9); k++)
			dest_signature(d, types[(i + k) % 8], k % 5, 0.1 * (k + 1) + 0.003,
			               (uint32_t)rnd() & ((1u << ev_count()) - 1),
			               ts + (uint64_t)k * 3600000000ULL, k % 3 ? "1:abc=" : NULL);
		if (i % 8 == 0) dest_clean_conn(d, ts + 99999999999ULL);
	}
	bool mis = true;
	size_t n = 0;
	char *text = dest_text(t, 0.5, 2, 4, 1, 1, &n, &mis);
	json_t *tree = dest_json(t, 0.5);
	json_t *doc = json_pack("{s:o}", "destinations", tree);
	char *want = jsonw_dumps(doc, 2, 4, NULL);
	/* want = "{\n  \"destinations\": <array>\n}" */
	const char *arr = want ? strstr(want, ": ") : NULL;
	size_t alen = arr ? strlen(arr + 2) - 2 : 0;
	test_cond("dest_text: keys in sorted order", !mis);
	test_cond("dest_text equals dest_json's dump",
	          arr && n == alen && !memcmp(text, arr + 2, n));
	char *jans = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(4));
	test_cond("dest_json dump equals json_dumps", jans && want && !strcmp(jans, want));
	free(jans);
	free(want);
	free(text);
	json_decref(doc);
	dest_free(t);
}

/* A long array: two threads write it in halves (dest_json.c), and
 * dest_write() streams it to a file; the same bytes every way. */
static void test_dest_split(void)
{
	unsigned want = REPORT_SPLIT_MIN * 2 + 3;
	struct dest_table *t = dest_new(want);
	for (unsigned i = 0; i < want; i++) {
		char name[64];
		snprintf(name, sizeof name, "h%u.example", i);
		struct dest *d = dest_get(t, name);
		if (!d) continue;
		dest_seen(d, 1700000000000000ULL + (uint64_t)i * 1000003ULL);
		dest_tcp(d)->connections = i % 97;
		if (i % 13 == 0)
			dest_signature(d, "rst_injection", 1, 0.7, 1, 1700000000000000ULL, "1:x=");
	}
	size_t n1 = 0, n2 = 0;
	bool mis1 = true, mis2 = true;
	char *one = dest_text(t, 0.5, 2, 4, 1, 1, &n1, &mis1);
	char *two = dest_text(t, 0.5, 2, 4, 1, 2, &n2, &mis2);
	test_cond("dest_text: two threads write what one does",
	          n1 > 0 && n1 == n2 && !memcmp(one, two, n1) && !mis1 && !mis2);
	FILE *f = tmpfile();
	int rc = f ? dest_write(t, 0.5, 2, 4, 1, 2, f) : -1;
	char *back = xmalloc(n1 + 1);
	size_t got = 0;
	if (f && !rc && !fflush(f) && fseek(f, 0, SEEK_SET) == 0) got = fread(back, 1, n1 + 1, f);
	test_cond("dest_write: the same text written to a file", !rc && got == n1 && !memcmp(back, one, n1));
	if (f) fclose(f);
	f = fopen("/dev/full", "w");
	if (f) {
		setvbuf(f, NULL, _IONBF, 0);
		test_cond("dest_write: a failed write is reported", dest_write(t, 0.5, 2, 4, 1, 2, f) == -1);
		fclose(f);
	}
	free(back);
	free(one);
	free(two);
	dest_free(t);
}

/* addr_str's own IPv6 formatter against glibc's inet_ntop(). */
static void test_addr6(void)
{
	char a[64], b[64];
	int bad = 0;
	for (int i = 0; i < 1000000; i++) {
		struct ts_addr x = { .family = 6 };
		for (int k = 0; k < 16; k += 8) {
			uint64_t v = rnd();
			memcpy(x.a + k, &v, 8);
		}
		uint64_t m = rnd();                    /* zero some groups, in runs */
		for (int g = 0; g < 8; g++)
			if ((m >> (2 * g) & 3) == 0 || ((m >> 20) & 1 && g >= (int)(m >> 24 & 7)))
				x.a[2 * g] = x.a[2 * g + 1] = 0;
		if (i % 7 == 0) { memset(x.a, 0, 10); x.a[10] = x.a[11] = (i % 14) ? 0xff : 0; }
		if (i % 11 == 0) memset(x.a, 0, (size_t)(12 + i % 5));
		if (i == 1) memset(x.a, 0, 16);
		addr_str(&x, a, sizeof a);
		inet_ntop(AF_INET6, x.a, b, sizeof b);
		if (strcmp(a, b)) { if (bad < 3) printf("%s != %s\n", a, b); bad++; }
	}
	test_cond("addr_str IPv6 equals inet_ntop on 1000000 addresses", bad == 0);
	struct ts_addr x = { .family = 6 };
	x.a[15] = 1;
	addr_str(&x, a, 4);
	test_cond("addr_str truncates to a small buffer", !strcmp(a, "::1"));
}

int main(void)
{
	test_addr6();
	test_dump();
	test_rules();
	test_dest_text();
	test_dest_split();
	test_time();
	return test_report();
}
