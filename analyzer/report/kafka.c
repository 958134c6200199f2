/* kafka.c - Kafka sink for tamper events.  See kafka.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include "kafka.h"
#include "progress.h"
#include "util.h"

struct kafka_sink {
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	char *key;
	size_t keylen;
	uint64_t produced, delivered, failed, dropped;   /* __atomic */
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	struct kafka_sink *k = opaque;
	if (m->err) __atomic_add_fetch(&k->failed, 1, __ATOMIC_RELAXED);
	else __atomic_add_fetch(&k->delivered, 1, __ATOMIC_RELAXED);
}

/* librdkafka logs through here: one line per problem, prefixed like the
 * rest of tamperscope's messages; repeats after the first few are counted
 * and dropped (an unreachable broker is retried every second). */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	static unsigned shown;
	(void)rk;
	if (level > 4) return;
	if (__atomic_add_fetch(&shown, 1, __ATOMIC_RELAXED) > 3) return;
	progress_clear();
	fprintf(stderr, "tamperscope: kafka: %s: %s\n", fac, buf);
}

static int set(rd_kafka_conf_t *c, const char *key, const char *val, char *err)
{
	char e[200];
	if (rd_kafka_conf_set(c, key, val, e, sizeof e) != RD_KAFKA_CONF_OK) {
		snprintf(err, 256, "kafka: %s", e);
		return -1;
	}
	return 0;
}

struct kafka_sink *kafka_new(const char *brokers, const char *topic,
                             const char *sensor_id, const char *const *conf, char *err)
{
	char e[200];
	if (!brokers || !*brokers) { snprintf(err, 256, "kafka: no brokers"); return NULL; }
	if (!topic || !*topic) { snprintf(err, 256, "kafka: no topic (--topic)"); return NULL; }
	struct kafka_sink *k = xcalloc(1, sizeof *k);
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	if (set(c, "bootstrap.servers", brokers, err) ||
	    set(c, "client.id", "tamperscope", err) ||
	    set(c, "linger.ms", "50", err) ||
	    set(c, "compression.codec", "none", err) ||
	    set(c, "message.timeout.ms", "30000", err))
		goto bad_conf;
	for (const char *const *p = conf; p && *p; p++) {
		const char *eq = strchr(*p, '=');
		if (!eq || eq == *p) { snprintf(err, 256, "kafka: bad property '%s' (key=value)", *p); goto bad_conf; }
		char *key = xstrdup(*p);
		key[eq - *p] = 0;
		int r = set(c, key, eq + 1, err);
		free(key);
		if (r) goto bad_conf;
	}
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	rd_kafka_conf_set_log_cb(c, on_log);
	rd_kafka_conf_set_opaque(c, k);
	k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, e, sizeof e);
	if (!k->rk) {
		snprintf(err, 256, "kafka: %s", e);
		goto bad_conf;
	}
	k->rkt = rd_kafka_topic_new(k->rk, topic, NULL);
	if (!k->rkt) {
		snprintf(err, 256, "kafka: topic %s: %s", topic, rd_kafka_err2str(rd_kafka_last_error()));
		rd_kafka_destroy(k->rk);
		free(k);
		return NULL;
	}
	k->key = xstrdup(sensor_id ? sensor_id : "");
	k->keylen = strlen(k->key);
	return k;
bad_conf:
	rd_kafka_conf_destroy(c);
	free(k);
	return NULL;
}

void kafka_event_sink(void *ctx, const char *line)
{
	struct kafka_sink *k = ctx;
	size_t len = strlen(line);
	for (int tries = 0; tries < 20; tries++) {
		if (rd_kafka_produce(k->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
		                     (void *)line, len, k->keylen ? k->key : NULL, k->keylen, NULL) == 0) {
			__atomic_add_fetch(&k->produced, 1, __ATOMIC_RELAXED);
			rd_kafka_poll(k->rk, 0);
			return;
		}
		if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
		rd_kafka_poll(k->rk, 10);      /* queue full: serve callbacks, retry */
	}
	__atomic_add_fetch(&k->dropped, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&k->failed, 1, __ATOMIC_RELAXED);
}

void kafka_poll(struct kafka_sink *k)
{
	if (k) rd_kafka_poll(k->rk, 0);
}

void kafka_stats(struct kafka_sink *k, struct kafka_stats *st)
{
	st->produced = __atomic_load_n(&k->produced, __ATOMIC_RELAXED);
	st->delivered = __atomic_load_n(&k->delivered, __ATOMIC_RELAXED);
	st->failed = __atomic_load_n(&k->failed, __ATOMIC_RELAXED);
}

int kafka_close(struct kafka_sink *k, int timeout_ms, char *err)
{
	if (!k) return 0;
	rd_kafka_resp_err_t fe = rd_kafka_flush(k->rk, timeout_ms);
	int left = rd_kafka_outq_len(k->rk);
	struct kafka_stats st;
	rd_kafka_topic_destroy(k->rkt);
	rd_kafka_destroy(k->rk);
	kafka_stats(k, &st);
	uint64_t k_dropped = k->dropped;
	free(k->key);
	free(k);
	if (fe || left > 0 || st.failed || st.delivered != st.produced) {
		uint64_t total = st.produced + k_dropped;
		snprintf(err, 256, "kafka: %llu of %llu events not delivered%s",
		         (unsigned long long)(total - st.delivered), (unsigned long long)total,
		         fe ? " (flush timed out)" : "");
		return -1;
	}
	return 0;
}
