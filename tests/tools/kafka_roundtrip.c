/* kafka_roundtrip.c - the Kafka sink against librdkafka's in-process mock
 * cluster (no external broker).
 *
 *   kafka_roundtrip [-b TAMPERSCOPE_BINARY] CAPTURE...
 *
 * 1. Creates a mock cluster (rd_kafka_mock_cluster_new) and a topic.
 * 2. Runs the engine over the captures with the project's Kafka sink
 *    (kafka_event_sink) as the engine's event sink, the JSONL stream going
 *    to a temp file as well; closes (flushes) the sink.
 * 3. Consumes the topic and checks every event arrived, in order, with
 *    the sensor id as key and the exact JSONL line as value.
 * 4. With -b: runs `BINARY analyze --kafka <mock bootstraps> ...` as a
 *    child process (the mock brokers listen on localhost) and checks the
 *    same for its events.
 * 5. The failure path: a sink pointed at a closed port reports the
 *    undelivered events on close.
 * Prints "RESULT <passed> <failed>" last, like the test suites. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include "capture.h"
#include "engine.h"
#include "kafka.h"

static int passed, failed;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ok) {
		passed++;
		printf("ok   %s\n", msg);
	} else {
		failed++;
		printf("FAIL %s\n", msg);
	}
}

struct lines { char **v; size_t n; };

static void read_lines(const char *path, struct lines *l)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	l->v = NULL;
	l->n = 0;
	if (!f) return;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n') line[--n] = 0;
		if (!n) continue;
		l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n++] = strdup(line);
	}
	free(line);
	fclose(f);
}

static void free_lines(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++) free(l->v[i]);
	free(l->v);
}

/* Consume topic partition 0 from the beginning until EOF (or timeout);
 * compare with want (order and bytes) and the key. */
static void consume_and_compare(const char *boot, const char *topic, const char *key,
                                const struct lines *want, const char *what)
{
	char e[512];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	rd_kafka_conf_set(c, "bootstrap.servers", boot, e, sizeof e);
	rd_kafka_conf_set(c, "group.id", "ts-roundtrip", e, sizeof e);
	rd_kafka_conf_set(c, "enable.partition.eof", "true", e, sizeof e);
	rd_kafka_conf_set(c, "enable.auto.commit", "false", e, sizeof e);
	rd_kafka_conf_set(c, "auto.offset.reset", "earliest", e, sizeof e);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
	if (!rk) { check(0, "consumer: %s", e); return; }
	rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(tp, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(rk, tp);
	rd_kafka_topic_partition_list_destroy(tp);

	size_t got = 0, bad_key = 0, bad_val = 0;
	int eof = 0;
	for (int waited = 0; !eof && waited < 300; ) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
		if (!m) { waited++; continue; }
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			if (got >= want->n) eof = 1;
			else waited++;
		} else if (m->err) {
			waited++;
		} else {
			if (m->key_len != strlen(key) || memcmp(m->key, key, m->key_len)) bad_key++;
			if (got >= want->n || m->len != strlen(want->v[got]) ||
			    memcmp(m->payload, want->v[got], m->len)) bad_val++;
			got++;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	check(got == want->n, "%s: consumed %ld messages", what, (long)got);
	check(bad_key == 0, "%s: every key is the sensor id (%ld wrong)", what, (long)bad_key);
	check(bad_val == 0, "%s: every value is the exact JSONL line, in order (%ld differ)", what, (long)bad_val);
}

int main(int argc, char **argv)
{
	const char *binary = NULL;
	int opt;
	char err[256], e[512];
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "b:")) != -1) {
		if (opt == 'b') binary = optarg;
		else { fprintf(stderr, "usage: kafka_roundtrip [-b BINARY] CAPTURE...\n"); return 2; }
	}
	if (optind >= argc) { fprintf(stderr, "usage: kafka_roundtrip [-b BINARY] CAPTURE...\n"); return 2; }

	/* the mock cluster, owned by a bookkeeping handle */
	rd_kafka_conf_t *hc = rd_kafka_conf_new();
	rd_kafka_conf_set(hc, "log_level", "3", e, sizeof e);
	rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, hc, e, sizeof e);
	rd_kafka_mock_cluster_t *mc = host ? rd_kafka_mock_cluster_new(host, 1) : NULL;
	if (!mc) { printf("FAIL mock cluster: %s\nRESULT 0 1\n", host ? "create" : e); return 1; }
	const char *boot = rd_kafka_mock_cluster_bootstraps(mc);
	printf("mock cluster at %s\n", boot);
	rd_kafka_mock_topic_create(mc, "ts-events", 1, 1);
	rd_kafka_mock_topic_create(mc, "ts-events-cli", 1, 1);

	/* 1: the sink in-process, driven by the engine */
	char evpath[] = "/tmp/ts-kafka-evXXXXXX";
	int fd = mkstemp(evpath);
	FILE *ev = fd >= 0 ? fdopen(fd, "w") : NULL;
	const char *sensor = "sensor-\"A\" <1>";
	struct kafka_sink *ks = kafka_new(boot, "ts-events", sensor, NULL, err);
	check(ks != NULL, "kafka_new %s", ks ? "ok" : err);
	if (!ks || !ev) { printf("RESULT %d %d\n", passed, failed + 1); return 1; }
	struct engine_opts o;
	engine_opts_default(&o);
	o.events = ev;
	o.event_sink = kafka_event_sink;
	o.event_sink_ctx = ks;
	struct engine *eng = engine_new(&o, err);
	if (!eng) { printf("FAIL engine: %s\nRESULT %d %d\n", err, passed, failed + 1); return 1; }
	volatile int stop = 0;
	struct offline_result res;
	int rc = capture_offline(eng, (const char *const *)&argv[optind], argc - optind, NULL, 0, &stop, &res);
	engine_finish(eng);
	engine_free(eng);
	fclose(ev);
	check(rc == 0, "capture_offline rc %d", rc);
	struct kafka_stats st;
	kafka_stats(ks, &st);
	int crc = kafka_close(ks, 15000, err);
	check(crc == 0, "kafka_close: every event delivered %s", crc ? err : "");
	struct lines want;
	read_lines(evpath, &want);
	unlink(evpath);
	check(want.n > 0 && st.produced == want.n, "events produced: %lu of %zu", (unsigned long)st.produced, want.n);
	consume_and_compare(boot, "ts-events", sensor, &want, "in-process sink");
	free_lines(&want);

	/* 2: the command line, as a child process */
	if (binary) {
		char cevpath[] = "/tmp/ts-kafka-cliXXXXXX";
		int cfd = mkstemp(cevpath);
		if (cfd >= 0) close(cfd);
		unlink(cevpath);
		size_t len = 512 + strlen(binary) + strlen(boot);
		for (int i = optind; i < argc; i++) len += strlen(argv[i]) + 3;
		char *cmd = malloc(len);
		int n = snprintf(cmd, len, "'%s' analyze -q -o /dev/null -e '%s' --kafka '%s' --topic ts-events-cli "
		                 "--sensor-id cli-sensor-7", binary, cevpath, boot);
		for (int i = optind; i < argc; i++) n += snprintf(cmd + n, len - (size_t)n, " '%s'", argv[i]);
		int src = system(cmd);
		check(src == 0, "analyze --kafka: exit status %d", src);
		struct lines cw;
		read_lines(cevpath, &cw);
		unlink(cevpath);
		check(cw.n > 0, "analyze --kafka: events written to -e: %zu", cw.n);
		consume_and_compare(boot, "ts-events-cli", "cli-sensor-7", &cw, "analyze --kafka");
		free_lines(&cw);
		/* unreachable broker: exit 3, one line on stderr */
		snprintf(cmd, len, "'%s' analyze -q -o /dev/null --kafka 127.0.0.1:1 --kafka-opt message.timeout.ms=1500 "
		         "'%s' 2>/dev/null", binary, argv[optind]);
		src = system(cmd);
		check(WIFEXITED(src) && WEXITSTATUS(src) == 3, "analyze --kafka: unreachable broker -> exit 3 (status %d)",
		      WIFEXITED(src) ? WEXITSTATUS(src) : -1);
		snprintf(cmd, len, "'%s' analyze -q -o /dev/null --topic x '%s' 2>/dev/null", binary, argv[optind]);
		src = system(cmd);
		check(WIFEXITED(src) && WEXITSTATUS(src) == 1, "analyze: --topic without --kafka -> exit 1 (%d)",
		      WIFEXITED(src) ? WEXITSTATUS(src) : -1);
		free(cmd);
	}

	/* 3: failure path in-process: nothing listens on port 1 */
	const char *conf[] = { "message.timeout.ms=1000", NULL };
	struct kafka_sink *dead = kafka_new("127.0.0.1:1", "ts-events", "s", conf, err);
	if (dead) {
		for (int i = 0; i < 5; i++) kafka_event_sink(dead, "{\"event_type\":\"tamper\"}");
		int drc = kafka_close(dead, 5000, err);
		check(drc != 0 && strstr(err, "5 of 5") != NULL, "unreachable broker: close reports '%s'", err);
	} else {
		check(0, "kafka_new (dead): %s", err);
	}
	const char *badconf[] = { "no.such.property=1", NULL };
	struct kafka_sink *bad = kafka_new(boot, "t", "s", badconf, err);
	check(bad == NULL && strstr(err, "no.such.property"), "bad property rejected: %s", err);
	if (bad) kafka_close(bad, 100, err);

	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(host);
	printf("RESULT %d %d\n", passed, failed);
	return failed ? 1 : 0;
}
