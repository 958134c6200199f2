/* detectors.c - the detector registry.  The catalog of report names
 * built from it is catalog.c, which sees the registry only through
 * detectors[] and ndetectors (a unit test may link its own). */
#include "catalog.h"
#include "detector.h"

/* ADD YOUR DETECTOR HERE: one line each.  Order matters: callbacks run
 * in this order, so later detectors see what earlier ones concluded. */
#define DETECTOR_LIST(X)        \
	X(det_rst_injection)    \
	X(det_syn_drop)         \
	X(det_data_drop)        \
	X(det_dns_injection)    \
	X(det_http_injection)   \
	X(det_tcp_injection)    \
	X(det_quic_drop)        \
	X(det_icmp_prohibited)  \
	X(det_throttling)       \
	/* end of the list */

#define DECLARE(d) extern const struct detector d;
#define ENTRY(d) &d,
DETECTOR_LIST(DECLARE)

const struct detector *const detectors[] = { DETECTOR_LIST(ENTRY) };

#define NDET (sizeof detectors / sizeof detectors[0])
const unsigned ndetectors = NDET;

_Static_assert(NDET < SIG_MAX, "more detectors than catalog.h SIG_MAX allows");
