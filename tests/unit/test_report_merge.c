/* test_report_merge.c - html_escape, html_parse_time, the merge verdict
 * rule and the merge of signatures/timeline buckets on small documents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "html.h"
#include "merge.h"
#include "testhelp.h"

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	html_escape(f, s);
	fclose(f);
	return buf;
}

static json_t *rep(const char *dests)
{
	char *s = malloc(strlen(dests) + 512);
	sprintf(s, "{\"schema\":\"tamperscope.report/1\",\"generator\":{\"name\":\"tamperscope\",\"version\":\"t\"},"
	           "\"source\":{\"files\":[\"f\"]},\"capture\":{\"packets\":1,\"bytes\":1,\"flows\":1,\"malformed\":0,"
	           "\"start\":\"2026-01-01T00:00:00.000000Z\",\"end\":\"2026-01-01T00:00:01.000000Z\",\"dropped\":null},"
	           "\"destinations\":%s}", dests);
	json_error_t je;
	json_t *r = json_loads(s, 0, &je);
	if (!r) printf("bad test json: %s\n", je.text);
	free(s);
	return r;
}

#define D(name, conns, inc, resp, sigs) \
	"{\"destination\":\"" name "\",\"hosts\":[],\"ips\":[],\"service\":null,\"social_media\":false," \
	"\"verdict\":\"x\",\"tcp\":{\"connections\":" #conns ",\"established\":0,\"genuine_rst\":0,\"refused\":0," \
	"\"inconclusive\":" #inc ",\"asymmetric\":0},\"dns\":{\"queries\":0,\"responses\":" #resp "}," \
	"\"signatures\":" sigs ",\"first_seen\":null,\"last_seen\":null}"

#define SIG(conf, count, last, stopped) \
	"[{\"type\":\"rst_injection\",\"stage\":\"post_psh\",\"count\":" #count ",\"confidence\":" #conf "," \
	"\"evidence\":{\"seq_race\":" #count "},\"first_seen\":\"2026-01-01T00:00:00.100000Z\"," \
	"\"last_seen\":\"" last "\",\"onset\":\"2026-01-01T00:00:00.100000Z\",\"stopped\":" stopped "," \
	"\"examples\":[\"1:a\",\"1:b\",\"1:c\"]}]"

#define DROP(count, part) \
	"[{\"type\":\"syn_drop\",\"stage\":\"post_syn\",\"count\":" #count ",\"confidence\":0.4," \
	"\"basis\":{\"connection_confidence\":" #part "},\"evidence\":{\"syn_retransmit\":" #count "}," \
	"\"first_seen\":\"2026-01-01T00:00:00.100000Z\",\"last_seen\":\"2026-01-01T00:00:00.100000Z\"," \
	"\"onset\":\"2026-01-01T00:00:00.100000Z\",\"stopped\":null,\"examples\":[]}]"

#define THR(count, cap, ref) \
	"[{\"type\":\"throttling\",\"stage\":\"post_psh\",\"count\":" #count ",\"confidence\":0.4," \
	"\"basis\":{\"connection_confidence\":0.3},\"cap_bps\":" #cap ",\"comparison_bps\":" #ref "," \
	"\"evidence\":{\"rate_cap\":" #count ",\"policer_loss\":" #count "}," \
	"\"first_seen\":\"2026-01-01T00:00:00.100000Z\",\"last_seen\":\"2026-01-01T00:00:00.100000Z\"," \
	"\"onset\":\"2026-01-01T00:00:00.100000Z\",\"stopped\":null,\"examples\":[]}]"

static json_t *with_answered(json_t *r, int answered)
{
	json_object_set_new(json_object_get(r, "capture"), "answered_connections", json_integer(answered));
	return r;
}

static json_t *first_sig(json_t *m)
{
	json_t *d = json_array_get(json_object_get(m, "destinations"), 0);
	return json_array_get(json_object_get(d, "signatures"), 0);
}

/* Bug #13.1: a drop signature's confidence grows with repetition; one
 * dropped connection in each of two parts must merge to what the whole
 * capture gives (verdict.h), not to the larger of two single ones. */
static void test_repetition_merge(void)
{
	json_t *a = with_answered(rep("[" D("x.test", 1, 0, 0, DROP(1, 0.4)) "]"), 0);
	json_t *b = with_answered(rep("[" D("x.test", 1, 0, 0, DROP(1, 0.4)) "]"), 0);
	json_t *in[2] = { a, b };
	/* nothing answered anywhere: a one-sided capture, capped below 0.5 */
	json_t *m = merge_reports(in, 2, 0.5), *s = first_sig(m);
	json_t *d = json_array_get(json_object_get(m, "destinations"), 0);
	test_cond("drops: count adds", json_integer_value(json_object_get(s, "count")) == 2);
	test_cond("drops: nothing answered caps at 0.45", json_real_value(json_object_get(s, "confidence")) == 0.45);
	test_cond("drops: repeated evidence from the count",
	          json_integer_value(json_object_get(json_object_get(s, "evidence"), "repeated")) == 2);
	test_cond("drops: one-sided merged verdict inconclusive",
	          !strcmp(json_string_value(json_object_get(d, "verdict")), "inconclusive"));
	json_decref(m);
	/* answered connections in one part count for the merged capture:
	 * two connections repeat, 0.4 + 0.25 + 0.10 */
	with_answered(b, 3);
	m = merge_reports(in, 2, 0.5);
	d = json_array_get(json_object_get(m, "destinations"), 0);
	test_cond("drops: repeated and answered elsewhere", json_real_value(json_object_get(first_sig(m), "confidence")) == 0.75);
	test_cond("drops: merged verdict interfered", !strcmp(json_string_value(json_object_get(d, "verdict")), "interfered"));
	json_decref(m);
	with_answered(b, 0);
	/* one report alone keeps what analysis gave it: a lone drop */
	json_t *one[1] = { a };
	m = merge_reports(one, 1, 0.5);
	d = json_array_get(json_object_get(m, "destinations"), 0);
	test_cond("drops: one connection stays 0.4", json_real_value(json_object_get(first_sig(m), "confidence")) == 0.4);
	test_cond("drops: no repeated evidence for one", !json_object_get(json_object_get(first_sig(m), "evidence"), "repeated"));
	test_cond("drops: lone drop inconclusive", !strcmp(json_string_value(json_object_get(d, "verdict")), "inconclusive"));
	json_decref(m);
	/* the connection part merges by maximum */
	json_t *c = with_answered(rep("[" D("x.test", 1, 0, 0, DROP(1, 0.45)) "]"), 0);
	json_t *in3[2] = { a, c };
	with_answered(c, 1);
	m = merge_reports(in3, 2, 0.5);
	test_cond("drops: connection part is a maximum", json_real_value(json_object_get(first_sig(m), "confidence")) == 0.8);
	json_decref(m);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/* Issue #15: a throttling signature's measured rates merge by the
 * highest cap and the lowest comparison rate (not by adding), and its
 * confidence is a repetition signature's. */
static void test_throttle_merge(void)
{
	json_t *a = with_answered(rep("[" D("t.test", 1, 0, 0, THR(1, 150000, 9000000)) "]"), 2);
	json_t *b = with_answered(rep("[" D("t.test", 1, 0, 0, THR(1, 156000, 2000000)) "]"), 0);
	json_t *in[2] = { a, b }, *in2[2] = { b, a };
	json_t *m = merge_reports(in, 2, 0.5), *s = first_sig(m);
	test_cond("throttling: cap_bps merges by maximum",
	          json_integer_value(json_object_get(s, "cap_bps")) == 156000);
	test_cond("throttling: comparison_bps merges by minimum",
	          json_integer_value(json_object_get(s, "comparison_bps")) == 2000000);
	test_cond("throttling: two connections answered elsewhere: 0.3 + 0.25 + 0.10",
	          json_real_value(json_object_get(s, "confidence")) == 0.65);
	json_t *m2 = merge_reports(in2, 2, 0.5), *s2 = first_sig(m2);
	test_cond("throttling: rates merge the same in either order",
	          json_integer_value(json_object_get(s2, "cap_bps")) == 156000 &&
	          json_integer_value(json_object_get(s2, "comparison_bps")) == 2000000);
	json_decref(m);
	json_decref(m2);
	json_decref(a);
	json_decref(b);
}

int main(void)
{
	test_repetition_merge();
	test_throttle_merge();
	char *e = escaped("a&b<c>d\"e'f\x01g");
	test_cond("html_escape", !strcmp(e, "a&amp;b&lt;c&gt;d&quot;e&#39;f&#xFFFD;g"));
	free(e);
	e = escaped("</script><b>");
	test_cond("html_escape script", !strcmp(e, "&lt;/script&gt;&lt;b&gt;"));
	free(e);

	test_cond("parse_time", html_parse_time("1970-01-01T00:00:01.500000Z") == 1.5);
	test_cond("parse_time 2020", html_parse_time("2020-08-20T22:53:49.000000Z") == 1597964029.0);
	test_cond("parse_time bad", html_parse_time("yesterday") < 0 && html_parse_time(NULL) < 0);

	/* verdict rule */
	json_t *r = rep("[" D("a", 2, 0, 0, "[]") "," D("b", 2, 2, 0, "[]") "," D("c", 0, 0, 1, "[]") ","
	                D("d", 1, 0, 0, SIG(0.45, 1, "2026-01-01T00:00:00.100000Z", "null")) ","
	                D("e", 1, 0, 0, SIG(0.5, 1, "2026-01-01T00:00:00.100000Z", "null")) "]");
	json_t *ds = json_object_get(r, "destinations");
	test_cond("clean: connections beyond inconclusive", !strcmp(merge_verdict(json_array_get(ds, 0), 0.5), "clean"));
	test_cond("inconclusive: only cut-off flows", !strcmp(merge_verdict(json_array_get(ds, 1), 0.5), "inconclusive"));
	test_cond("clean: dns responses", !strcmp(merge_verdict(json_array_get(ds, 2), 0.5), "clean"));
	test_cond("inconclusive: weak signature", !strcmp(merge_verdict(json_array_get(ds, 3), 0.5), "inconclusive"));
	test_cond("interfered: confidence 0.5", !strcmp(merge_verdict(json_array_get(ds, 4), 0.5), "interfered"));
	test_cond("threshold option", !strcmp(merge_verdict(json_array_get(ds, 4), 0.6), "inconclusive"));

	/* merging signatures: counts, evidence, confidence max, examples bounded, stopped */
	json_t *x = rep("[" D("t", 3, 0, 0, SIG(0.6, 3, "2026-01-01T00:00:00.500000Z", "\"2026-01-01T00:00:00.500000Z\"")) "]");
	json_t *y = rep("[" D("t", 2, 0, 0, SIG(0.84, 2, "2026-01-01T00:00:00.900000Z", "null")) "]");
	json_object_set_new(json_array_get(json_object_get(json_array_get(json_object_get(y, "destinations"), 0),
	                    "signatures"), 0), "examples", json_pack("[sssss]", "1:d", "1:e", "1:f", "1:g", "1:h"));
	json_t *in[2] = { x, y };
	json_t *m = merge_reports(in, 2, 0.5);
	json_t *d = json_array_get(json_object_get(m, "destinations"), 0);
	json_t *s = json_array_get(json_object_get(d, "signatures"), 0);
	test_cond("one destination", json_array_size(json_object_get(m, "destinations")) == 1);
	test_cond("connections add", json_integer_value(json_object_get(json_object_get(d, "tcp"), "connections")) == 5);
	test_cond("one signature", json_array_size(json_object_get(d, "signatures")) == 1);
	test_cond("count adds", json_integer_value(json_object_get(s, "count")) == 5);
	test_cond("evidence adds", json_integer_value(json_object_get(json_object_get(s, "evidence"), "seq_race")) == 5);
	test_cond("confidence max", json_real_value(json_object_get(s, "confidence")) == 0.84);
	test_cond("examples bounded to 5", json_array_size(json_object_get(s, "examples")) == 5);
	test_cond("last_seen widens", !strcmp(json_string_value(json_object_get(s, "last_seen")), "2026-01-01T00:00:00.900000Z"));
	test_cond("stopped from the later input (ongoing)", json_is_null(json_object_get(s, "stopped")));
	test_cond("verdict recomputed", !strcmp(json_string_value(json_object_get(d, "verdict")), "interfered"));
	test_cond("capture adds", json_integer_value(json_object_get(json_object_get(m, "capture"), "packets")) == 2);
	test_cond("dropped null+null = null", json_is_null(json_object_get(json_object_get(m, "capture"), "dropped")));
	test_cond("source files", json_array_size(json_object_get(json_object_get(m, "source"), "files")) == 2);
	json_t *in2[2] = { y, x };
	json_t *m2 = merge_reports(in2, 2, 0.5);
	test_cond("commutative", json_equal(m, m2));
	json_decref(m);
	json_decref(m2);
	json_decref(x);
	json_decref(y);
	json_decref(r);
	return test_report();
}
