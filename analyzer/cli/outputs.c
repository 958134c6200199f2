/* outputs.c - --html, Kafka and enrichment options.  See outputs.h. */
#include <string.h>
#include <unistd.h>
#include "html.h"
#include "kafka.h"
#include "outputs.h"

int outputs_opt(int c, const char *arg, struct outputs *xo)
{
	switch (c) {
	case O_OUT_HTML: xo->html = arg; return 1;
	case O_OUT_KAFKA: xo->kafka = arg; return 1;
	case O_OUT_TOPIC: xo->topic = arg; return 1;
	case O_OUT_SENSOR: xo->sensor_id = arg; return 1;
	case O_OUT_KOPT:
		if (xo->nkopt >= OUTPUTS_KOPT_MAX || !strchr(arg, '=')) return -1;
		xo->kopt[xo->nkopt++] = arg;
		return 1;
	case O_OUT_ASN: xo->enrich.asn_db = arg; return 1;
	case O_OUT_GEO: xo->enrich.geo_db = arg; return 1;
	case O_OUT_PSL: xo->enrich.psl = true; return 1;
	case O_OUT_PSLGROUP: xo->enrich.psl_group = true; return 1;
	default: return 0;
	}
}

int outputs_start(struct outputs *xo, struct engine_opts *o, char *err)
{
	static char host[256];
	xo->enrich.min_confidence = o->min_confidence;
	if (enrich_check(&xo->enrich, err)) return 2;
	if ((xo->topic || xo->sensor_id || xo->nkopt) && !xo->kafka) {
		snprintf(err, 256, "--topic/--sensor-id/--kafka-opt need --kafka BROKERS");
		return 1;
	}
	if (!xo->kafka) return 0;
	if (!xo->sensor_id) {
		if (gethostname(host, sizeof host - 1)) strcpy(host, "tamperscope");
		xo->sensor_id = host;
	}
	xo->ks = kafka_new(xo->kafka, xo->topic ? xo->topic : "tamperscope-events",
	                   xo->sensor_id, xo->kopt, err);
	if (!xo->ks) return 1;
	o->event_sink = kafka_event_sink;
	o->event_sink_ctx = xo->ks;
	return 0;
}

int outputs_enrich(struct outputs *xo, json_t *report, char *err)
{
	return enrich_report(report, &xo->enrich, err);
}

int outputs_html(struct outputs *xo, const json_t *report, char *err)
{
	return xo->html ? html_write_path(report, xo->html, err) : 0;
}

bool outputs_need_tree(const struct outputs *xo)
{
	return xo->html || enrich_wanted(&xo->enrich);
}

int outputs_close(struct outputs *xo, char *err)
{
	if (!xo->ks) return 0;
	int r = kafka_close(xo->ks, 10000, err);
	xo->ks = NULL;
	return r;
}
