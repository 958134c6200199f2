/* verdict.h - the one function that turns a signature's counts into its
 * confidence.  Analysis (dest.c), `merge` and the capture workers' merge
 * (merge.c) call it on the same inputs, so a capture analysed in parts
 * and merged gets the confidence the whole capture gets.
 *
 * Two kinds of signature:
 *  - evidence signatures (rst_injection, dns_injection, http_injection,
 *    icmp_prohibited): each event's confidence comes from its own
 *    evidence codes (1 - prod(1 - w)); the signature's is the highest
 *    event's.  The maximum merges exactly.
 *  - repetition signatures (syn_drop, data_drop, quic_drop): a dropped
 *    packet cannot show what dropped it, so confidence grows with
 *    repetition.  Each affected connection has its own part (base, +0.15
 *    named, +0.05 three or more tries, -0.20 sensor dropping); the
 *    signature adds +0.25 when two or more connections to the destination
 *    are affected (its count) and +0.10 when connections in the capture
 *    were answered (capture.answered_connections).  When none was (a
 *    one-sided capture, a collection of client packets) it stays below
 *    the threshold, at most 0.45, unless the attempts are dense: 5 or more
 *    affected connections in one clock hour (the destination's timeline,
 *    whose buckets add up across parts) - a client retrying one blocked
 *    name, not attempts gathered over a day.  A single affected connection
 *    stays at 0.45 at most too: one server that did not answer is no
 *    blackholing until it repeats.  Counts add and the
 *    connection part merges by maximum, so this merges exactly too.
 * The numbers are named in tunables.h (VERDICT_*, DROP_*, W_*). */
#ifndef TS_VERDICT_H
#define TS_VERDICT_H

#include <stdbool.h>
#include <stdint.h>
#include "tunables.h"


struct sig_basis {
	bool repetition;          /* a repetition signature (above)          */
	double top;               /* highest event confidence (evidence) or
	                             highest connection part (repetition)    */
	uint64_t connections;     /* affected connections: the count; of a
	                             repetition signature, the most to one
	                             destination port (basis.ports): tries
	                             of one application on other ports at
	                             once (SMB 445 and 139) are no repetition */
	uint64_t answered;        /* answered connections in the capture     */
	uint64_t peak_hour;       /* most of its connections in one hour    */
};

/* The signature's confidence in [0, 1], rounded to 2 decimals as the
 * report writes it. */
double verdict_confidence(const struct sig_basis *b);

/* What a destination's verdict rests on; every field adds up or is a
 * maximum across the parts of a capture. */
struct dest_basis {
	double top;               /* highest signature confidence (verdict_confidence) */
	bool signatures;          /* it has any signature                   */
	uint64_t tcp_connections, tcp_inconclusive, tcp_asymmetric;
	uint64_t dns_responses, udp_answered;
};

/* "interfered" when a signature reaches min_conf; "clean" when it has
 * traffic (TCP connections beyond the cut-off and asymmetric ones, DNS
 * responses, answered UDP flows) and no signature; else "inconclusive". */
const char *verdict_of(const struct dest_basis *b, double min_conf);

/* Whether a repetition signature's connections count as "repeated", and
 * the evidence code that says so (its count follows from the signature's
 * count, in analysis and in merge alike). */
#define VERDICT_REPEATED_CODE "repeated"
bool verdict_repeated(uint64_t connections);

#endif
