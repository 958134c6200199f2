/* test_time_dups.c - packet time going backwards or jumping years, and
 * the same packet seen twice (a copy on another VLAN, as a SPAN port of
 * two VLANs gives it): counted in capture.duplicates and discounted, so
 * a duplicated SYN is not a retransmission (no syn_drop) and a session
 * seen twice is one clean connection.  Every time in the report is
 * RFC 3339 with a 4-digit year (the schema's pattern) or null. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "engine.h"
#include "report.h"
#include "testhelp.h"

static uint8_t fr[2048];
static int64_t now_us = 1767225600LL * 1000000;

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

static void feed_at(struct engine *e, int64_t sec, long usec, size_t n)
{
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	h.ts.tv_sec = (time_t)sec;
	h.ts.tv_usec = (suseconds_t)usec;
	h.caplen = h.len = (bpf_u_int32)n;
	uint8_t *c = malloc(n);
	memcpy(c, fr, n);
	engine_packet(e, 1 /* EN10MB */, &h, c);
	free(c);
}

/* Ethernet (+ 802.1Q tag when vlan) + IPv4 + TCP, no payload. */
static size_t tcp_frame(int vlan, uint32_t src, uint16_t sp, uint32_t dst, uint16_t dp,
                        uint32_t seq, uint32_t ack, uint8_t flags, uint8_t ttl, uint16_t ipid)
{
	size_t o = 12;
	memset(fr, 0x02, 12);
	if (vlan) { put16(fr + o, 0x8100); put16(fr + o + 2, (unsigned)vlan); o += 4; }
	put16(fr + o, 0x0800); o += 2;
	uint8_t *ip = fr + o;
	memset(ip, 0, 40);
	ip[0] = 0x45; put16(ip + 2, 40); put16(ip + 4, ipid); ip[6] = 0x40;
	ip[8] = ttl; ip[9] = 6; put32(ip + 12, src); put32(ip + 16, dst);
	uint8_t *t = ip + 20;
	put16(t, sp); put16(t + 2, dp); put32(t + 4, seq); put32(t + 8, ack);
	t[12] = 5 << 4; t[13] = flags; put16(t + 14, 64240);
	return o + 40;
}

static struct engine *mk(FILE **ev)
{
	char err[256];
	struct engine_opts o;
	engine_opts_default(&o);
	o.use_ndpi = false;
	*ev = tmpfile();
	o.events = *ev;
	struct engine *e = engine_new(&o, err);
	if (!e) fprintf(stderr, "engine_new: %s\n", err);
	return e;
}

static json_t *finish(struct engine *e)
{
	engine_finish(e);
	const char *files[] = { "t.pcap" };
	struct report_source src = { .files = files, .nfiles = 1 };
	json_t *r = report_build(e, &src);
	char *s = json_dumps(r, JSON_SORT_KEYS);
	json_error_t je;
	json_t *back = s ? json_loads(s, 0, &je) : NULL;
	test_cond("report dumps and parses back", back && json_equal(back, r));
	json_decref(back);
	free(s);
	return r;
}

static const json_t *dest_named(const json_t *r, const char *name)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(r, "destinations"), i, d)
		if (!strcmp(json_string_value(json_object_get(d, "destination")), name)) return d;
	return NULL;
}

static bool has_sig(const json_t *d, const char *type)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(d, "signatures"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "type")), type)) return true;
	return false;
}

static long long cap_int(const json_t *r, const char *k)
{
	return (long long)json_integer_value(json_object_get(json_object_get(r, "capture"), k));
}

/* every "start"/"end"/"first_seen"/"last_seen"/"timestamp": null or
 * YYYY-MM-DDTHH:MM:SS.uuuuuuZ */
static bool time_ok(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	if (strlen(s) != sizeof pat - 1) return false;
	for (size_t i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i]) return false;
	return true;
}

static int bad_times(const json_t *v)
{
	int bad = 0;
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			if (!strcmp(k, "start") || !strcmp(k, "end") || !strcmp(k, "first_seen") ||
			    !strcmp(k, "last_seen") || !strcmp(k, "timestamp")) {
				if (!json_is_null(x) && !(json_is_string(x) && time_ok(json_string_value(x)))) {
					fprintf(stderr, "bad time %s: %s\n", k, json_string_value(x));
					bad++;
				}
			} else {
				bad += bad_times(x);
			}
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) bad += bad_times(x);
	}
	return bad;
}

static const uint32_t CLI = 0x0a000001, SRV = 0xc6120b01, SRV2 = 0xc6120b02;

/* A full handshake + FIN exchange; every packet twice when dup (vlan 10
 * then the copy on vlan 20, 5 us later). */
static void session(struct engine *e, uint32_t srv, uint16_t cp, int64_t t0, bool dup)
{
	struct { int dir; uint32_t seq, ack; uint8_t fl; } p[] = {
		{ 0, 100, 0, 0x02 }, { 1, 900, 101, 0x12 }, { 0, 101, 901, 0x10 },
		{ 0, 101, 901, 0x11 }, { 1, 901, 102, 0x11 }, { 0, 102, 902, 0x10 },
	};
	for (size_t i = 0; i < sizeof p / sizeof *p; i++) {
		int64_t t = t0 + (int64_t)i * 20000;
		for (int c = 0; c < (dup ? 2 : 1); c++) {
			size_t n = p[i].dir ? tcp_frame(c ? 20 : 10, srv, 443, CLI, cp, p[i].seq, p[i].ack, p[i].fl, 55, (uint16_t)(500 + i))
			                    : tcp_frame(c ? 20 : 10, CLI, cp, srv, 443, p[i].seq, p[i].ack, p[i].fl, 64, (uint16_t)(100 + i));
			int64_t tt = t + c * 5;
			feed_at(e, tt / 1000000, (long)(tt % 1000000), n);
		}
	}
}

static void test_duplicates(void)
{
	FILE *ev;
	struct engine *e = mk(&ev);
	if (!e) { test_cond("engine_new", 0); return; }
	/* 1. a SYN and its copy on another VLAN, never answered */
	size_t n = tcp_frame(10, CLI, 40000, SRV, 443, 7777, 0, 0x02, 64, 4242);
	feed_at(e, now_us / 1000000, 0, n);
	n = tcp_frame(20, CLI, 40000, SRV, 443, 7777, 0, 0x02, 64, 4242);
	feed_at(e, now_us / 1000000, 7, n);
	/* 2. a whole session seen twice */
	session(e, SRV2, 40001, now_us + 100000, true);
	/* time passes well beyond the SYN timeout */
	n = tcp_frame(10, CLI, 40009, 0xc6120b09, 443, 1, 0, 0x02, 64, 1);
	feed_at(e, now_us / 1000000 + 30, 0, n);
	json_t *r = finish(e);
	test_cond("duplicates counted (1 SYN + 6 session packets)", cap_int(r, "duplicates") == 7);
	const json_t *d = dest_named(r, "198.18.11.1");
	test_cond("duplicated SYN: destination present", d != NULL);
	test_cond("duplicated SYN is not a retransmission: no syn_drop", d && !has_sig(d, "syn_drop"));
	d = dest_named(r, "198.18.11.2");
	const json_t *tcp = json_object_get(d, "tcp");
	test_cond("session seen twice: one connection",
	          json_integer_value(json_object_get(tcp, "connections")) == 1);
	test_cond("session seen twice: established",
	          json_integer_value(json_object_get(tcp, "established")) == 1);
	test_cond("session seen twice: no signature", d && json_array_size(json_object_get(d, "signatures")) == 0);
	test_cond("session seen twice: clean", d && !strcmp(json_string_value(json_object_get(d, "verdict")), "clean"));
	test_cond("no events from duplicates", ftell(ev) == 0);
	test_cond("times well-formed", bad_times(r) == 0);
	json_decref(r);
	engine_free(e);
	fclose(ev);

	/* control: the same SYN retransmitted 1 s later (new IP ID, same VLAN)
	 * is a retransmission, not a duplicate */
	e = mk(&ev);
	n = tcp_frame(10, CLI, 40000, SRV, 443, 7777, 0, 0x02, 64, 4242);
	feed_at(e, now_us / 1000000, 0, n);
	n = tcp_frame(10, CLI, 40000, SRV, 443, 7777, 0, 0x02, 64, 4243);
	feed_at(e, now_us / 1000000 + 1, 0, n);
	n = tcp_frame(10, CLI, 40009, 0xc6120b09, 443, 1, 0, 0x02, 64, 1);
	feed_at(e, now_us / 1000000 + 30, 0, n);
	r = finish(e);
	test_cond("control: a real retransmission is not a duplicate", cap_int(r, "duplicates") == 0);
	json_decref(r);
	engine_free(e);
	fclose(ev);
}

static void test_time(void)
{
	FILE *ev;
	struct engine *e = mk(&ev);
	if (!e) { test_cond("engine_new", 0); return; }
	int64_t t0 = now_us;
	/* a session, then one 10 s in the past (clock stepped back) */
	session(e, SRV, 41000, t0, false);
	session(e, SRV2, 41001, t0 - 10000000, false);
	/* 20 years ahead, back to 1990, then before the epoch, then far
	 * beyond year 9999, then zero */
	static const int64_t secs[] = { 2398377600LL, 631152000LL, -86400LL, 300000000000LL, 0,
	                                 4102444800LL, 253402300800LL };
	for (size_t i = 0; i < sizeof secs / sizeof *secs; i++) {
		size_t n = tcp_frame(0, CLI, (uint16_t)(42000 + i), 0xc6120c01, 80, 1, 0, 0x02, 64, 9);
		feed_at(e, secs[i], 123456, n);
	}
	session(e, 0xc6120c02, 41002, t0 + 5000000, false);
	json_t *r = finish(e);
	test_cond("time going backwards counted", cap_int(r, "time_backwards") >= 2);
	test_cond("every report time is YYYY-MM-DDTHH:MM:SS.uuuuuuZ or null", bad_times(r) == 0);
	const char *st = json_string_value(json_object_get(json_object_get(r, "capture"), "start"));
	const char *en = json_string_value(json_object_get(json_object_get(r, "capture"), "end"));
	test_cond("start and end set", st && en);
	test_cond("start <= end", st && en && strcmp(st, en) <= 0);
	const json_t *d = dest_named(r, "198.18.11.2");
	test_cond("session from the past still a clean connection",
	          d && !strcmp(json_string_value(json_object_get(d, "verdict")), "clean"));
	d = dest_named(r, "198.18.12.2");
	test_cond("session after the jumps still a clean connection",
	          d && !strcmp(json_string_value(json_object_get(d, "verdict")), "clean"));
	/* events (if any) carry well-formed timestamps too */
	rewind(ev);
	char line[8192];
	int evbad = 0;
	json_error_t je;
	while (fgets(line, sizeof line, ev)) {
		json_t *x = json_loads(line, 0, &je);
		if (!x || bad_times(x)) evbad++;
		json_decref(x);
	}
	test_cond("event timestamps well-formed", evbad == 0);
	json_decref(r);
	engine_free(e);
	fclose(ev);
}

int main(void)
{
	test_duplicates();
	test_time();
	return test_report();
}
