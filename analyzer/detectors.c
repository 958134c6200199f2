/* detectors.c - the detector registry.  ADD YOUR DETECTOR HERE; order
 * matters: on_flow_end runs in this order. */
#include <stddef.h>
#include "detector.h"

const struct detector *const detectors[] = {
	&det_rst_injection,
	&det_syn_drop,
	&det_data_drop,
	&det_dns_injection,
	&det_http_injection,
	&det_quic_drop,
	&det_icmp_prohibited,
	NULL,
};
