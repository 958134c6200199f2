/* test_registry.c - the detector registry's self-checks (detector.h,
 * catalog.h): what every detector must declare, and the report names
 * built from the registry. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "catalog.h"
#include "dest.h"
#include "dest_json.h"
#include "detector.h"
#include "testhelp.h"

static void test_declarations(void)
{
	for (unsigned i = 0; i < ndetectors; i++) {
		const struct detector *d = detectors[i];
		test_cond("detector has a name and description", d->name && *d->name && d->desc);
		test_cond("detector has a #rrggbb colour", d->colour && strlen(d->colour) == 7);
		test_cond("detector has an evidence table", d->ev && d->nev > 0 && d->nev <= 32);
		for (unsigned k = 0; k < d->nev; k++)
			test_cond("evidence code named, weight in [0,1)", d->ev[k].code && d->ev[k].desc &&
			          d->ev[k].weight >= 0 && d->ev[k].weight < 1);
		test_cond("flow free only with flow state", d->flow_state || !d->flow_free);
		test_cond("on_packet only with packet classes", !d->on_packet || d->packets);
		test_cond("on_flow_end only with flow classes", !d->on_flow_end || d->flows);
		for (unsigned k = 0; k < d->nopts; k++)
			test_cond("option named with help", d->opts[k].name && d->opts[k].help &&
			          d->opts[k].arg);
		test_cond("name unique", sig_index(d->name) == (int)i);
	}
}

static void test_catalog(void)
{
	test_cond("one signature type per detector", sig_count() == ndetectors);
	test_cond("unknown type: grey, no index", sig_index("made_up") == -1 &&
	          !strcmp(sig_colour("made_up"), "#7f7f7f") && !sig_per_query("made_up"));
	test_cond("evidence names within EV_MAX", ev_count() > 0 && ev_count() <= EV_MAX);
	for (unsigned g = 0; g < ev_count(); g++)
		for (unsigned h = g + 1; h < ev_count(); h++)
			test_cond("evidence names distinct", strcmp(evidence_name((int)g), evidence_name((int)h)));
	/* a detector's bit i maps to the report code of the same name */
	for (unsigned i = 0; i < ndetectors; i++)
		for (unsigned k = 0; k < detectors[i]->nev; k++) {
			uint32_t g = ev_global_mask(i, 1u << k);
			int b = g ? __builtin_ctz(g) : -1;
			test_cond("evidence bit maps by name", g && !(g & (g - 1)) &&
			          !strcmp(evidence_name(b), detectors[i]->ev[k].code));
		}
	test_cond("out of range evidence name", !strcmp(evidence_name(-1), "?"));
}

/* Measurements: declared right, and each one written in key order among
 * the signature's own members (a key equal to one of them, or a table
 * the catalog cuts short, fails here). */
static void test_measures(void)
{
	struct dest_table *t = dest_new(100);
	struct dest *d = dest_get(t, "m.test");
	for (unsigned i = 0; i < ndetectors; i++) {
		const struct detector *det = detectors[i];
		unsigned n = 0;
		test_cond("measurements within SIG_MEASURES_MAX", det->nmeasures <= SIG_MEASURES_MAX);
		test_cond("measurement table with its count", !det->nmeasures == !det->measures);
		test_cond("catalog gives the detector's table",
		          sig_measures((int)i, &n) == det->measures && n == det->nmeasures);
		json_t *details = json_object();
		for (unsigned k = 0; k < det->nmeasures; k++) {
			const struct det_measure *m = &det->measures[k];
			test_cond("measurement named, labelled, known rule and unit",
			          m->key && *m->key && m->label && *m->label &&
			          (m->keep == DET_KEEP_MAX || m->keep == DET_KEEP_MIN) &&
			          (m->unit == DET_UNIT_NONE || m->unit == DET_UNIT_BPS));
			test_cond("measurement found by key", sig_measure(det->name, m->key) == m);
			json_object_set_new(details, m->key, json_integer(1000 + k));
		}
		dest_signature(d, det->name, 3, 0.9, 1, 1767225600000000ULL, NULL);
		dest_signature_measures(d, det->name, 3, details);
		json_decref(details);
	}
	bool mis = true;
	size_t len = 0;
	char *text = dest_text(t, 0.5, 2, 4, 1, 1, &len, &mis);
	json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
	const json_t *sigs = json_object_get(json_array_get(arr, 0), "signatures"), *s;
	size_t i;
	test_cond("measurement keys in order among the signature's", text && !mis);
	json_array_foreach(sigs, i, s) {
		unsigned n;
		const struct det_measure *m = sig_measures(sig_index(json_string_value(json_object_get(s, "type"))), &n);
		for (unsigned k = 0; k < n; k++)
			test_cond("measurement on the signature",
			          json_integer_value(json_object_get(s, m[k].key)) == 1000 + k);
	}
	json_decref(arr);
	free(text);
	dest_free(t);
}

int main(void)
{
	test_declarations();
	test_catalog();
	test_measures();
	return test_report();
}
