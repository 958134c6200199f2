/* pipeline.c - `analyze --threads 2`: reading and decoding in one thread,
 * the rest of the packet path in another.
 *
 * The reader copies each packet into a batch and decodes it there
 * (engine_decode: no engine state); a full batch goes to the engine
 * thread, which runs engine_packet_decoded() on each packet in order.  A
 * fixed ring of batches bounds memory and makes the reader wait when the
 * engine is behind.  The engine still sees one packet after another in
 * file order, so everything it writes is what one thread writes; only
 * the work before the flow table moves.
 *
 * Threads: the reader owns the batch it fills (cur), the engine thread
 * the one it processes; batches change hands only through the two queues,
 * under mu.  The engine is touched by the engine thread alone until
 * pipeline_finish() has joined it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline.h"
#include "tunables.h"
#include "util.h"

struct pl_item {
	struct pcap_pkthdr h;
	struct engine_decoded d;      /* points into the batch's data      */
	size_t off;                   /* the packet's bytes in data        */
	int dlt;                      /* -1: a refused file's packet       */
};

struct pl_batch {
	struct pl_item it[PL_BATCH_PKTS];
	unsigned n;
	size_t used, cap;
	uint8_t *data;
};

struct pl_queue {
	struct pl_batch *b[PL_BATCHES];
	unsigned head, n;
};

struct pipeline {
	struct engine *e;
	struct pkt_sink sink;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t more, room;    /* a batch to process / to fill      */
	struct pl_queue full, empty;
	struct pl_batch *cur;         /* the reader's                      */
	bool done;                    /* no batch will follow              */
	struct pl_batch *all[PL_BATCHES];
};

static void q_push(struct pl_queue *q, struct pl_batch *b)
{
	q->b[(q->head + q->n++) % PL_BATCHES] = b;
}

static struct pl_batch *q_pop(struct pl_queue *q)
{
	struct pl_batch *b = q->b[q->head];
	q->head = (q->head + 1) % PL_BATCHES;
	q->n--;
	return b;
}

/* Reader: pass the batch being filled on, take an empty one. */
static void hand_over(struct pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	q_push(&pl->full, pl->cur);
	pthread_cond_signal(&pl->more);
	while (!pl->empty.n) pthread_cond_wait(&pl->room, &pl->mu);
	pl->cur = q_pop(&pl->empty);
	pthread_mutex_unlock(&pl->mu);
	pl->cur->n = 0;
	pl->cur->used = 0;
}

/* Reader: a slot for a packet of caplen bytes in the current batch. */
static struct pl_item *slot(struct pipeline *pl, uint32_t caplen)
{
	struct pl_batch *b = pl->cur;
	if (b->n == PL_BATCH_PKTS || (b->n && caplen > b->cap - b->used)) {
		hand_over(pl);
		b = pl->cur;
	}
	if (caplen > b->cap) {            /* empty batch: nothing points in */
		b->data = xrealloc(b->data, caplen);
		b->cap = caplen;
	}
	struct pl_item *it = &b->it[b->n++];
	it->off = b->used;
	b->used += caplen;
	return it;
}

static void on_packet(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes)
{
	struct pipeline *pl = ctx;
	struct pl_item *it = slot(pl, h->caplen);
	uint8_t *copy = pl->cur->data + it->off;
	memcpy(copy, bytes, h->caplen);
	it->h = *h;
	it->dlt = dlt;
	engine_decode(dlt, h, copy, &it->d);
}

static void on_refused(void *ctx, uint32_t wirelen)
{
	struct pipeline *pl = ctx;
	struct pl_item *it = slot(pl, 0);
	memset(&it->h, 0, sizeof it->h);
	it->h.len = wirelen;
	it->dlt = -1;
}

static void run_batch(struct engine *e, struct pl_batch *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct pl_item *it = &b->it[i];
		if (it->dlt < 0) engine_refused(e, it->h.len);
		else engine_packet_decoded(e, it->dlt, &it->h, b->data + it->off, &it->d);
	}
}

static void *engine_thread(void *arg)
{
	struct pipeline *pl = arg;
	for (;;) {
		pthread_mutex_lock(&pl->mu);
		while (!pl->full.n && !pl->done) pthread_cond_wait(&pl->more, &pl->mu);
		if (!pl->full.n) { pthread_mutex_unlock(&pl->mu); return NULL; }
		struct pl_batch *b = q_pop(&pl->full);
		pthread_mutex_unlock(&pl->mu);
		run_batch(pl->e, b);
		pthread_mutex_lock(&pl->mu);
		q_push(&pl->empty, b);
		pthread_cond_signal(&pl->room);
		pthread_mutex_unlock(&pl->mu);
	}
}

static void pl_free(struct pipeline *pl)
{
	for (int i = 0; i < PL_BATCHES; i++) {
		if (pl->all[i]) free(pl->all[i]->data);
		free(pl->all[i]);
	}
	pthread_cond_destroy(&pl->more);
	pthread_cond_destroy(&pl->room);
	pthread_mutex_destroy(&pl->mu);
	free(pl);
}

struct pipeline *pipeline_new(struct engine *e, char *err)
{
	struct pipeline *pl = xcalloc(1, sizeof *pl);
	pl->e = e;
	pl->sink = (struct pkt_sink){ on_packet, on_refused, pl };
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->more, NULL);
	pthread_cond_init(&pl->room, NULL);
	for (int i = 0; i < PL_BATCHES; i++) {
		struct pl_batch *b = pl->all[i] = xcalloc(1, sizeof *b);
		b->data = xmalloc(PL_BATCH_BYTES);
		b->cap = PL_BATCH_BYTES;
		if (i) q_push(&pl->empty, b);
	}
	pl->cur = pl->all[0];
	int rc = pthread_create(&pl->th, NULL, engine_thread, pl);
	if (rc) {
		snprintf(err, 256, "cannot start the engine thread: %s", strerror(rc));
		pl_free(pl);
		return NULL;
	}
	return pl;
}

const struct pkt_sink *pipeline_sink(struct pipeline *pl)
{
	return &pl->sink;
}

void pipeline_finish(struct pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	if (pl->cur->n) q_push(&pl->full, pl->cur);
	pl->done = true;
	pthread_cond_signal(&pl->more);
	pthread_mutex_unlock(&pl->mu);
	pthread_join(pl->th, NULL);
	pl_free(pl);
}
