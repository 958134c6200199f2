/* naming.h - attribution: naming a TCP flow from the client's first
 * bytes (TLS SNI, HTTP Host).  Runs after tcp_track(), before detectors. */
#ifndef TS_NAMING_H
#define TS_NAMING_H

#include "flow.h"

/* Try to name f from the client's reassembled first bytes: sets f->name
 * (NS_SNI / NS_HOST) and f->http_req; once named, or once the bytes can
 * never name it, marks f->sni_state and releases that reassembly. */
void naming_client_bytes(struct flow *f);

/* Name f from a QUIC client Initial's SNI (quic.c): true and f->name set
 * (NS_QUIC) on success; false leaves f as it was. */
bool naming_quic_initial(struct flow *f, const struct pkt *pk);

#endif
