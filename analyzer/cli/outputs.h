/* outputs.h - optional report outputs shared by the subcommands that
 * produce a report (analyze, and later capture): --html FILE, the Kafka
 * event sink (--kafka/--topic/--sensor-id/--kafka-opt) and enrichment
 * (--asn-db/--geo-db/--psl/--psl-group).
 *
 * Use:  struct outputs xo = OUTPUTS_INIT;
 *       getopt loop:  r = outputs_opt(c, optarg, &xo)  (1 handled, -1 bad, 0 not ours)
 *       before engine_new:   outputs_start(&xo, &engine_opts, err)  -> returns the exit code (1 usage/config, 2 database unreadable)
 *       after report_build:  outputs_enrich(&xo, report, err)       -> exit 2 on error
 *       after the JSON/text: outputs_html(&xo, report, err)         -> exit 3 on error
 *       at the very end:     outputs_close(&xo, err)                -> exit 3 on error */
#ifndef TS_OUTPUTS_H
#define TS_OUTPUTS_H

#include <getopt.h>
#include <jansson.h>
#include "cli.h"
#include "enrich.h"
#include "engine.h"
#include "tunables.h"

/* Option ids well above the subcommands' own (which start at O_CLI_LAST). */
enum { O_OUT_HTML = O_CLI_LAST + 64, O_OUT_KAFKA, O_OUT_TOPIC, O_OUT_SENSOR, O_OUT_KOPT,
       O_OUT_ASN, O_OUT_GEO, O_OUT_PSL, O_OUT_PSLGROUP, O_OUT_LAST };

#define OUTPUTS_LONG_OPTS \
	{ "html", required_argument, 0, O_OUT_HTML }, \
	{ "kafka", required_argument, 0, O_OUT_KAFKA }, \
	{ "topic", required_argument, 0, O_OUT_TOPIC }, \
	{ "sensor-id", required_argument, 0, O_OUT_SENSOR }, \
	{ "kafka-opt", required_argument, 0, O_OUT_KOPT }, \
	{ "asn-db", required_argument, 0, O_OUT_ASN }, \
	{ "geo-db", required_argument, 0, O_OUT_GEO }, \
	{ "psl", no_argument, 0, O_OUT_PSL }, \
	{ "psl-group", no_argument, 0, O_OUT_PSLGROUP },

#define OUTPUTS_USAGE \
	"  --html FILE         also write the report as one self-contained HTML page\n" \
	"  --kafka BROKERS     send every tamper event to Kafka (host:port,...)\n" \
	"  --topic T           Kafka topic (default tamperscope-events)\n" \
	"  --sensor-id ID      Kafka message key (default: host name)\n" \
	"  --kafka-opt K=V     extra librdkafka property (repeatable)\n" \
	"  --asn-db FILE       MaxMind ASN .mmdb: add asn, as_org to destinations/injectors\n" \
	"  --geo-db FILE       MaxMind Country/City .mmdb: add country\n" \
	"  --psl               add registrable_domain (Public Suffix List)\n" \
	"  --psl-group         merge destinations sharing a registrable domain\n"

struct outputs {
	const char *html;
	const char *kafka, *topic, *sensor_id;
	const char *kopt[OUTPUTS_KOPT_MAX + 1];
	int nkopt;
	struct enrich_opts enrich;
	struct kafka_sink *ks;
};
#define OUTPUTS_INIT { 0 }

int outputs_opt(int c, const char *arg, struct outputs *xo);
int outputs_start(struct outputs *xo, struct engine_opts *o, char *err);
int outputs_enrich(struct outputs *xo, json_t *report, char *err);
int outputs_html(struct outputs *xo, const json_t *report, char *err);
/* Does an output (HTML, enrichment) need the report as a jansson tree? */
bool outputs_need_tree(const struct outputs *xo);
int outputs_close(struct outputs *xo, char *err);

#endif
