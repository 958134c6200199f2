/* pipeline.h - `analyze --threads 2`: the reading thread copies packets
 * into batches, an engine thread decodes them and runs the rest of the
 * packet path in the same order.  One engine sees every packet in file
 * order, so the report and the events are those of one thread. */
#ifndef TS_PIPELINE_H
#define TS_PIPELINE_H

#include "capture.h"
#include "engine.h"

struct pipeline;

/* Start the engine thread for e (which it owns until pipeline_finish).
 * NULL and err (256 bytes) set when the thread cannot start. */
struct pipeline *pipeline_new(struct engine *e, char *err);
/* The sink the reader feeds (capture_offline_to): called only from the
 * thread that made the pipeline. */
const struct pkt_sink *pipeline_sink(struct pipeline *pl);
/* Hand over what is left, wait for the engine thread to process it and
 * end; then free the pipeline.  The engine is the caller's again. */
void pipeline_finish(struct pipeline *pl);

#endif
