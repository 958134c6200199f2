/* kafka.h - Kafka sink for the JSONL tamper events (librdkafka).
 *
 * Plugs into the engine's event sink (engine_opts.event_sink): every
 * event line becomes one message on `topic`, key = the sensor id, value =
 * the JSON line.  Producing never blocks the packet path for long: when
 * librdkafka's queue is full the sink polls briefly, then drops the event
 * and counts it.  kafka_close() flushes (bounded wait) and reports what
 * was not delivered.  Thread-safe (capture workers may share one sink). */
#ifndef TS_KAFKA_H
#define TS_KAFKA_H

#include <stdint.h>

struct kafka_sink;

struct kafka_stats {
	uint64_t produced;     /* accepted by librdkafka */
	uint64_t delivered;    /* acknowledged by the broker */
	uint64_t failed;       /* delivery failed, or dropped on a full queue */
};

/* brokers: "host:port[,host:port...]".  conf: optional NULL-terminated
 * list of "key=value" librdkafka properties (NULL = none).
 * Returns NULL with err (256 bytes) on failure. */
struct kafka_sink *kafka_new(const char *brokers, const char *topic,
                             const char *sensor_id, const char *const *conf,
                             char *err);

/* engine_opts.event_sink callback: ctx = struct kafka_sink *. */
void kafka_event_sink(void *ctx, const char *line);

/* Serve delivery reports (call now and then on long runs). */
void kafka_poll(struct kafka_sink *k);

void kafka_stats(struct kafka_sink *k, struct kafka_stats *st);

/* Flush (waiting at most timeout_ms), destroy.  Returns 0 when every
 * produced event was delivered, else -1 with err (256 bytes). */
int kafka_close(struct kafka_sink *k, int timeout_ms, char *err);

#endif
