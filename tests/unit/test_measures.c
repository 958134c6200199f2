/* test_measures.c - the measurement path (catalog.h struct det_measure)
 * with a registry of its own: one made-up detector whose events carry
 * three measurements that no code outside this file names.  Its events
 * go through det_emit(), the engine and the destination table into the
 * report, the event lines, `merge`, text and HTML; each must carry the
 * measurements by the detector's table (keys, max/min, labels, units).
 * Linking our own detectors[] keeps detectors.c (the real registry) out
 * of this binary; catalog.c builds its names from ours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "catalog.h"
#include "dest.h"
#include "dest_json.h"
#include "detector.h"
#include "engine_int.h"
#include "html.h"
#include "jsonw.h"
#include "merge.h"
#include "report.h"
#include "testhelp.h"

/* Keys sort before, between and after the signature's own members. */
static const struct det_measure fk_measures[] = {
	{ "aa_floor_bps", DET_KEEP_MIN, "floor", DET_UNIT_BPS },
	{ "early_n", DET_KEEP_MAX, "early", DET_UNIT_NONE },
	{ "zz_peak", DET_KEEP_MAX, "peak", DET_UNIT_NONE },
};

static const struct det_evidence fk_ev[] = {
	{ "fake_mark", W_STRONG, "a made-up evidence code" },
};

/* What on_finish emits: one event per row (0 = the key left out). */
static long long fk_plan[4][3];
static int fk_nplan;

static void fk_finish(void *st, struct det_ctx *c)
{
	for (int i = 0; i < fk_nplan; i++) {
		json_t *det = json_object();
		for (int k = 0; k < 3; k++)
			if (fk_plan[i][k]) json_object_set_new(det, fk_measures[k].key, json_integer(fk_plan[i][k]));
		json_object_set_new(det, "other", json_string("tab\tand \"quote\""));
		struct det_event ev = { .destination = "dest.test", .stage = ST_POST_PSH, .conf = 0.9,
		                        .evidence = 1, .ts = 1767225600000000ULL + (uint64_t)i * 1000000,
		                        .details = det };
		ev.tuple.src.family = ev.tuple.dst.family = 4;
		ev.tuple.src.a[0] = 10; ev.tuple.dst.a[0] = 192;
		ev.tuple.sport = (uint16_t)(40000 + i); ev.tuple.dport = 443; ev.tuple.proto = 6;
		det_emit(c, &ev);
	}
}

static const struct detector fk_detector = {
	.name = "fake_tamper",
	.desc = "made up for test_measures",
	.colour = "#123456",
	.ev = fk_ev, .nev = DET_N(fk_ev),
	.measures = fk_measures, .nmeasures = DET_N(fk_measures),
	.on_finish = fk_finish,
};

const struct detector *const detectors[] = { &fk_detector };
const unsigned ndetectors = 1;

/* Run an engine whose detector emits the rows; its report, and its event
 * lines in *events (the caller frees both). */
static json_t *run(const long long (*rows)[3], int n, char **events)
{
	char err[256] = "";
	struct engine_opts o;
	size_t len = 0;
	engine_opts_default(&o);
	o.use_ndpi = false;
	o.events = open_memstream(events, &len);
	memcpy(fk_plan, rows, (size_t)n * sizeof *rows);
	fk_nplan = n;
	struct engine *e = engine_new(&o, err);
	if (!e) { printf("engine_new: %s\n", err); exit(1); }
	engine_finish(e);
	struct report_source src = { 0 };
	json_t *r = report_build(e, &src);
	bool mis = true;
	size_t tn = 0;
	char *text = dest_text(e->dt, 0.5, 2, 4, 1, 1, &tn, &mis);
	json_t *doc = json_pack("{s:O}", "destinations", json_object_get(r, "destinations"));
	char *want = jsonw_dumps(doc, 2, 4, NULL);
	const char *arr = want ? strstr(want, ": ") : NULL;
	test_cond("measurements: text keys in order", !mis);
	test_cond("measurements: text emitter = tree", arr && tn == strlen(arr + 2) - 2 &&
	          !memcmp(text, arr + 2, tn));
	free(want);
	free(text);
	json_decref(doc);
	engine_free(e);
	fclose(o.events);
	return r;
}

static const json_t *the_sig(const json_t *r)
{
	const json_t *d = json_array_get(json_object_get(r, "destinations"), 0);
	return json_array_get(json_object_get(d, "signatures"), 0);
}

static long long num(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void test_engine(void)
{
	static const long long rows[3][3] = { { 2000, 1, 5 }, { 1000, 7, 3 }, { 4000, 0, 0 } };
	char *ev = NULL;
	json_t *r = run(rows, 3, &ev);
	const json_t *s = the_sig(r);
	test_cond("signature of the made-up type", !strcmp(json_string_value(json_object_get(s, "type")),
	                                                   "fake_tamper"));
	test_cond("min rule: lowest kept", num(s, "aa_floor_bps") == 1000);
	test_cond("max rule: highest kept", num(s, "early_n") == 7 && num(s, "zz_peak") == 5);
	test_cond("a detail that is not a measurement stays off the signature",
	          !json_object_get(s, "other"));
	/* the event lines: every detail, by jsonw's rules */
	int lines = 0, good = 0;
	for (char *l = ev, *nl; l && (nl = strchr(l, '\n')); l = nl + 1, lines++) {
		*nl = 0;
		json_t *x = json_loads(l, 0, NULL);
		char *again = x ? jsonw_dumps(x, 0, 0, NULL) : NULL;
		const json_t *evd = json_object_get(x, "evidence");
		if (again && !strcmp(again, l) && json_is_true(json_object_get(evd, "fake_mark")) &&
		    json_is_integer(json_object_get(evd, "zz_peak")) == (lines < 2))
			good++;
		free(again);
		json_decref(x);
	}
	test_cond("event lines: one per event, sorted keys, details kept", lines == 3 && good == 3);
	test_cond("event lines: control bytes and quotes escaped",
	          ev && strstr(ev, "\"other\":\"tab\\tand \\\"quote\\\"\""));
	free(ev);

	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	report_write_text(r, f);
	fclose(f);
	test_cond("text: labels and units in the table's order",
	          buf && strstr(buf, "floor 1 kbit/s early 7 peak 5"));
	free(buf);
	f = open_memstream(&buf, &n);
	html_write(r, f);
	fclose(f);
	test_cond("html: the same line", buf && strstr(buf, "floor 1 kbit/s early 7 peak 5"));
	free(buf);
	json_decref(r);
}

/* merge (tamperscope merge, capture workers): each key by its rule, in
 * either order. */
static void test_merge(void)
{
	static const long long a_rows[1][3] = { { 3000, 2, 9 } };
	static const long long b_rows[1][3] = { { 500, 4, 1 } };
	char *ev = NULL;
	json_t *a = run(a_rows, 1, &ev);
	free(ev);
	json_t *b = run(b_rows, 1, &ev);
	free(ev);
	json_t *in[2] = { a, b }, *in2[2] = { b, a };
	json_t *m = merge_reports(in, 2, 0.5), *m2 = merge_reports(in2, 2, 0.5);
	const json_t *s = the_sig(m), *s2 = the_sig(m2);
	test_cond("merge: min rule", num(s, "aa_floor_bps") == 500);
	test_cond("merge: max rule", num(s, "early_n") == 4 && num(s, "zz_peak") == 9);
	test_cond("merge: the same either way", num(s2, "aa_floor_bps") == 500 &&
	          num(s2, "early_n") == 4 && num(s2, "zz_peak") == 9);
	test_cond("merge: counts add", num(s, "count") == 2);
	json_decref(m);
	json_decref(m2);
	json_decref(a);
	json_decref(b);
}

static void test_catalog(void)
{
	unsigned n = 99;
	test_cond("catalog from this registry", sig_count() == 1 && sig_index("fake_tamper") == 0 &&
	          sig_index("throttling") == -1);
	test_cond("sig_measures: the detector's table", sig_measures(0, &n) == fk_measures && n == 3);
	test_cond("sig_measures: none for unknown", !sig_measures(-1, &n) && n == 0);
	test_cond("sig_measure by key", sig_measure("fake_tamper", "zz_peak") == &fk_measures[2] &&
	          !sig_measure("fake_tamper", "count") && !sig_measure("nope", "zz_peak"));
	test_cond("meas_keep: 0 is none", meas_keep(&fk_measures[0], 0, 5) == 5 &&
	          meas_keep(&fk_measures[0], 5, 0) == 5 && meas_keep(&fk_measures[2], 0, 0) == 0);
	test_cond("meas_keep: min and max", meas_keep(&fk_measures[0], 7, 5) == 5 &&
	          meas_keep(&fk_measures[2], 7, 5) == 7);
}

int main(void)
{
	test_catalog();
	test_engine();
	test_merge();
	return test_report();
}
