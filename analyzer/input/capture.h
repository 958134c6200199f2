/* capture.h - packet input: offline files (and live, capture_live.c). */
#ifndef TS_CAPTURE_H
#define TS_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include "engine.h"

struct offline_result {
	uint64_t packets;
	bool truncated;          /* a file ended in the middle of a record  */
	int failed;              /* files that could not be read at all     */
	int unsupported;         /* files with an unsupported link type     */
};

/* Is this DLT one the dissectors handle? */
bool capture_dlt_supported(int dlt);

/* Read files in order as one capture into e.  "-" = stdin.  filter may be
 * NULL; max_packets 0 = all.  Problems are reported on stderr as
 * "tamperscope: FILE: reason"; returns 0 if every file was read (possibly
 * truncated), 2 if some file could not be read or was unsupported.
 * *stop is polled between packets (may be NULL). */
int capture_offline(struct engine *e, const char *const *files, int nfiles,
                    const char *filter, uint64_t max_packets,
                    volatile int *stop, struct offline_result *res);

/* Where capture_offline_to() delivers: a packet or one of a refused file
 * (engine_refused).  A packet's bytes are valid during the call, or, when
 * `stable`, until the sink's retire hook says otherwise (fastpcap.h,
 * fp_retire(): only a sink with a retire hook gets stable packets).
 * capture_offline() is the engine itself; input/pipeline.c hands them to
 * an engine thread. */
struct pkt_sink {
	void (*packet)(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes,
	               bool stable);
	void (*refused)(void *ctx, uint32_t wirelen);
	void (*retire)(void *ctx, bool all);     /* may be NULL */
	void *ctx;
};
int capture_offline_to(const struct pkt_sink *sink, const char *const *files, int nfiles,
                       const char *filter, uint64_t max_packets,
                       volatile int *stop, struct offline_result *res);

#endif
