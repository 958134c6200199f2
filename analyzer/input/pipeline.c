/* pipeline.c - `analyze --threads 2`: reading in one thread, the packet
 * path in another.
 *
 * The reader puts each packet in a batch; a full batch goes to the engine
 * thread, which runs engine_packet() on each packet in file order.  The
 * engine still sees one packet after another, so everything it writes is
 * what one thread writes; only the reading moves.  The reader also
 * decodes each packet (engine_decode: no engine state).  A packet from
 * fastpcap's blocks is not copied: the batch points into the block, which
 * fastpcap fills again only after on_retire() has waited for the batches
 * that use it; other packets (libpcap's reads) are copied into the batch.
 *
 * The batches form a single-producer single-consumer ring: `made` counts
 * batches the reader has handed over, `done` those the engine has given
 * back; the reader fills all[made % PL_BATCHES] while made - done <
 * PL_BATCHES, the engine processes all[done % PL_BATCHES] while done <
 * made.  Both counters are C11 atomics (release when a batch changes
 * hands, acquire to take it), so a batch's contents are published with
 * its counter.  A side that must wait spins a little first (the other
 * side is usually a few microseconds away) and then sleeps on a
 * condition variable; its `*_sleeps` flag tells the other side to signal.
 * The engine is touched by the engine thread alone until
 * pipeline_finish() has joined it.
 */
#define _GNU_SOURCE 1 /* pthread_setname_np */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline.h"
#include "tunables.h"
#include "util.h"

struct pl_item {
	struct engine_decoded d;      /* decoded by the reader             */
	struct pcap_pkthdr h;
	const uint8_t *bytes;         /* in fastpcap's block, or NULL: ... */
	size_t off;                   /* ... the bytes are in data at off  */
	int dlt;                      /* -1: a refused file's packet       */
};

struct pl_batch {
	struct pl_item it[PL_BATCH_PKTS];
	unsigned n;
	size_t used, cap;
	uint8_t *data;
};

struct pipeline {
	struct engine *e;
	struct pkt_sink sink;
	pthread_t th;
	struct pl_batch *all[PL_BATCHES];
	atomic_ulong made, done;      /* batches handed over / given back  */
	atomic_bool end;              /* the reader hands over no more     */
	atomic_bool reader_sleeps, engine_sleeps;   /* in cond_wait (or about to be) */
	unsigned long mark;           /* reader: batches before it may use the older block */
	unsigned long want;           /* reader: waits until done >= want  */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* The other side moved (made, done or end): wake it if it sleeps. */
static void poke(struct pipeline *pl, atomic_bool *other_sleeps)
{
	if (!atomic_load(other_sleeps)) return;
	pthread_mutex_lock(&pl->mu);
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

/* Wait until ready(pl): spin, then sleep with *sleeps set. */
static void wait_for(struct pipeline *pl, bool (*ready)(struct pipeline *), atomic_bool *sleeps)
{
	for (unsigned i = 0; i < PL_SPINS; i++) {
		if (ready(pl)) return;
		if ((i & 63) == 63) sched_yield();
	}
	pthread_mutex_lock(&pl->mu);
	atomic_store(sleeps, true);
	while (!ready(pl)) pthread_cond_wait(&pl->cv, &pl->mu);
	atomic_store(sleeps, false);
	pthread_mutex_unlock(&pl->mu);
}

static bool has_room(struct pipeline *pl)
{
	return atomic_load(&pl->made) - atomic_load(&pl->done) < PL_BATCHES;
}

static bool has_batch(struct pipeline *pl)
{
	return atomic_load(&pl->done) < atomic_load(&pl->made) || atomic_load(&pl->end);
}

/* Reader: the batch being filled (its slot is free: made - done <
 * PL_BATCHES holds whenever the reader runs). */
static struct pl_batch *cur(struct pipeline *pl)
{
	return pl->all[atomic_load_explicit(&pl->made, memory_order_relaxed) % PL_BATCHES];
}

/* Reader: hand the current batch over; wait for a free one. */
static void hand_over(struct pipeline *pl)
{
	atomic_fetch_add(&pl->made, 1);
	poke(pl, &pl->engine_sleeps);
	wait_for(pl, has_room, &pl->reader_sleeps);
	struct pl_batch *b = cur(pl);
	b->n = 0;
	b->used = 0;
}

/* Reader: a slot for a packet of caplen bytes in the current batch. */
static struct pl_item *slot(struct pipeline *pl, uint32_t caplen)
{
	struct pl_batch *b = cur(pl);
	if (b->n == PL_BATCH_PKTS || (b->n && caplen > b->cap - b->used)) {
		hand_over(pl);
		b = cur(pl);
	}
	if (caplen > b->cap) {            /* an empty batch: grows to fit */
		b->cap = caplen > PL_BATCH_BYTES ? caplen : PL_BATCH_BYTES;
		b->data = xrealloc(b->data, b->cap);
	}
	struct pl_item *it = &b->it[b->n++];
	it->off = b->used;
	b->used += caplen;
	return it;
}

static void on_packet(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes,
                      bool stable)
{
	struct pipeline *pl = ctx;
	struct pl_item *it = slot(pl, stable ? 0 : h->caplen);
	it->bytes = stable ? bytes : NULL;
	if (!stable) {
		memcpy(cur(pl)->data + it->off, bytes, h->caplen);
		bytes = cur(pl)->data + it->off;
	}
	it->h = *h;
	it->dlt = dlt;
	engine_decode(dlt, h, bytes, &it->d);
}

static bool drained(struct pipeline *pl)
{
	return atomic_load(&pl->done) >= pl->want;
}

/* Reader, before fastpcap fills a block again: wait until the batches
 * that may point into it are done.  Those are the batches before `mark`,
 * the current one at the previous call (all: every batch). */
static void on_retire(void *ctx, bool all)
{
	struct pipeline *pl = ctx;
	unsigned long made = atomic_load_explicit(&pl->made, memory_order_relaxed);
	unsigned long upto = all ? made + 1 : pl->mark;
	if (upto > made && cur(pl)->n) hand_over(pl);
	made = atomic_load_explicit(&pl->made, memory_order_relaxed);
	pl->want = upto < made ? upto : made;
	wait_for(pl, drained, &pl->reader_sleeps);
	pl->mark = made + 1;
}

static void on_refused(void *ctx, uint32_t wirelen)
{
	struct pipeline *pl = ctx;
	struct pl_item *it = slot(pl, 0);
	it->bytes = NULL;
	memset(&it->h, 0, sizeof it->h);
	it->h.len = wirelen;
	it->dlt = -1;
}

static void run_batch(struct engine *e, struct pl_batch *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct pl_item *it = &b->it[i];
		const uint8_t *bytes = it->bytes ? it->bytes : b->data + it->off;
		if (it->dlt < 0) {
			engine_refused(e, it->h.len);
			continue;
		}
		engine_packet_decoded(e, it->dlt, &it->h, bytes, &it->d);
	}
}

static void *engine_thread(void *arg)
{
	struct pipeline *pl = arg;
	pthread_setname_np(pthread_self(), "ts-engine");    /* for top and perf */
	for (;;) {
		wait_for(pl, has_batch, &pl->engine_sleeps);
		unsigned long k = atomic_load(&pl->done);
		if (k == atomic_load(&pl->made)) return NULL;      /* end, all done */
		run_batch(pl->e, pl->all[k % PL_BATCHES]);
		atomic_fetch_add(&pl->done, 1);
		poke(pl, &pl->reader_sleeps);
	}
}

static void pl_free(struct pipeline *pl)
{
	for (int i = 0; i < PL_BATCHES; i++) {
		if (pl->all[i]) free(pl->all[i]->data);
		free(pl->all[i]);
	}
	pthread_cond_destroy(&pl->cv);
	pthread_mutex_destroy(&pl->mu);
	free(pl);
}

struct pipeline *pipeline_new(struct engine *e, char *err)
{
	struct pipeline *pl = xcalloc(1, sizeof *pl);
	pl->e = e;
	pl->sink = (struct pkt_sink){ on_packet, on_refused, on_retire, pl };
	atomic_init(&pl->made, 0);
	atomic_init(&pl->done, 0);
	atomic_init(&pl->end, false);
	atomic_init(&pl->reader_sleeps, false);
	atomic_init(&pl->engine_sleeps, false);
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv, NULL);
	for (int i = 0; i < PL_BATCHES; i++) {
		pl->all[i] = xcalloc(1, sizeof *pl->all[i]);  /* data: when a packet is copied */
	}
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
	if (cur(pl)->n) atomic_fetch_add(&pl->made, 1);
	atomic_store(&pl->end, true);
	pthread_mutex_lock(&pl->mu);          /* the engine may be asleep */
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	pthread_join(pl->th, NULL);
	pl_free(pl);
}
