/* tls_sni.c - TLS ClientHello server_name (RFC 8446 4.1.2, 5.1;
 * RFC 6066 3) from the first bytes of a client's TCP stream. */
#include "dissect.h"

#define TLS_CT_HANDSHAKE    22
#define TLS_HS_CLIENT_HELLO 1
#define TLS_RECORD_MAX      (16384 + 2048)  /* RFC 8446 5.2 ciphertext bound */
#define TLS_EXT_SNI         0
#define SNI_HOST_NAME       0

/* Record header (RFC 8446 5.1):
 *  | type (1) = 22 | legacy_record_version (2) = 0x03xx | length (2) |
 * On DIS_OK *frag covers the record body (only its captured part if the
 * stream ends inside it: then s->bad is set).  The first record decides
 * whether this is TLS at all (UNSUPPORTED); a later non-handshake record
 * inside the ClientHello is MALFORMED. */
static int tls_record(struct cur *s, bool first, struct cur *frag,
                      size_t *rlen)
{
	int notls = first ? DIS_UNSUPPORTED : DIS_MALFORMED;
	uint8_t type = cur_u8(s);
	if (s->bad)
		return DIS_TRUNCATED;
	if (type != TLS_CT_HANDSHAKE)
		return notls;
	uint8_t major = cur_u8(s);
	if (s->bad)
		return DIS_TRUNCATED;
	if (major != 3)
		return notls;
	cur_skip(s, 1);
	*rlen = cur_be16(s);
	if (s->bad)
		return DIS_TRUNCATED;
	if (*rlen == 0 || *rlen > TLS_RECORD_MAX)
		return DIS_MALFORMED;
	*frag = cur_sub(s, *rlen);
	return DIS_OK;
}

/* server_name extension_data (RFC 6066 3):
 *  | list length (2) | { name_type (1) | length (2) | HostName } ... |
 * The first host_name entry wins; an empty HostName is malformed. */
static int sni_ext(struct cur body, struct strview *sni)
{
	uint16_t llen = cur_be16(&body);
	struct cur list = cur_sub(&body, llen);
	if (body.bad || body.left != 0 || list.left == 0)
		return DIS_MALFORMED;
	while (list.left > 0) {           /* each pass consumes >= 3 bytes */
		uint8_t type = cur_u8(&list);
		uint16_t nlen = cur_be16(&list);
		struct cur name = cur_sub(&list, nlen);
		if (list.bad || nlen == 0)
			return DIS_MALFORMED;
		if (type == SNI_HOST_NAME && sni->len == 0) {
			sni->p = name.p;
			sni->len = name.left;
		}
	}
	return DIS_OK;
}

/* Extensions block: | type (2) | length (2) | data | ...  Each pass
 * consumes >= 4 bytes.  A second server_name extension is malformed
 * (RFC 8446 4.2: at most one of each type). */
static int hello_exts(struct cur exts, struct strview *sni)
{
	bool seen = false;

	while (exts.left > 0) {
		uint16_t type = cur_be16(&exts);
		uint16_t elen = cur_be16(&exts);
		struct cur body = cur_sub(&exts, elen);
		if (exts.bad)
			return DIS_MALFORMED;
		if (type != TLS_EXT_SNI)
			continue;
		if (seen)
			return DIS_MALFORMED;
		seen = true;
		int st = sni_ext(body, sni);
		if (st != DIS_OK)
			return st;
	}
	return DIS_OK;
}

/* ClientHello body (RFC 8446 4.1.2), `h` covering exactly its length:
 *  | legacy_version (2) | random (32) | legacy_session_id <0..32> (1+n) |
 *  | cipher_suites <2..2^16-2> (2+n) | legacy_compression_methods (1+n) |
 *  | extensions <8..2^16-1> (2+n), absent in old hellos |
 * The body is complete, so any length running past it is malformed. */
static int hello_parse(struct cur h, struct strview *sni)
{
	cur_skip(&h, 2 + 32);
	uint8_t sidlen = cur_u8(&h);
	cur_skip(&h, sidlen);
	uint16_t cslen = cur_be16(&h);
	cur_skip(&h, cslen);
	uint8_t cmlen = cur_u8(&h);
	cur_skip(&h, cmlen);
	if (h.bad || sidlen > 32 || cslen < 2 || cslen % 2 != 0 || cmlen < 1)
		return DIS_MALFORMED;
	if (h.left == 0)
		return DIS_OK;                /* no extensions at all */
	uint16_t elen = cur_be16(&h);
	struct cur exts = cur_sub(&h, elen);
	if (h.bad || h.left != 0)
		return DIS_MALFORMED;
	return hello_exts(exts, sni);
}

/* Handshake message length from its header (| type | length (3) |) at the
 * start of `buf`, or 0 when fewer than 4 bytes are there. */
static size_t hs_total(const uint8_t *buf, size_t have)
{
	struct cur h = cur_make(buf, have);
	cur_skip(&h, 1);
	uint32_t hlen = cur_be24(&h);
	return h.bad ? 0 : 4 + (size_t)hlen;
}

/* The ClientHello spans records: copy the handshake fragments into
 * scratch until the whole message is there.  `frag` is the first record's
 * body (complete).  Each pass reads one more record header (>= 5 bytes)
 * from `s` or returns, so the loop ends.  A hello larger than scratch is
 * UNSUPPORTED. */
static int hello_gather(struct cur s, struct cur frag, uint8_t *scratch,
                        size_t scratchsz, struct strview *sni)
{
	size_t have = 0, need = 0, rlen;
	bool cut = false;

	for (;;) {
		size_t take = frag.left;
		if (take > scratchsz - have)
			take = scratchsz - have;
		cur_copy(&frag, scratch + have, take);
		have += take;
		if (need == 0)
			need = hs_total(scratch, have);
		if (need > scratchsz || (need == 0 && have == scratchsz))
			return DIS_UNSUPPORTED;
		if (need != 0 && have >= need)
			break;
		if (cut)
			return DIS_TRUNCATED;
		int st = tls_record(&s, false, &frag, &rlen);
		if (st != DIS_OK)
			return st;
		cut = s.bad;
	}
	struct cur h = cur_make(scratch, need);
	cur_skip(&h, 4);
	return hello_parse(h, sni);
}

int tls_sni_parse(const uint8_t *stream, size_t len, uint8_t *scratch,
                  size_t scratchsz, struct strview *sni)
{
	struct cur s = cur_make(stream, len);
	struct cur frag;
	size_t rlen = 0;

	sni->p = NULL;
	sni->len = 0;
	int st = tls_record(&s, true, &frag, &rlen);
	if (st != DIS_OK)
		return st;
	bool cut = s.bad;
	struct cur hs = frag;
	uint8_t type = cur_u8(&hs);
	if (hs.bad)
		return DIS_TRUNCATED;
	if (type != TLS_HS_CLIENT_HELLO)
		return DIS_UNSUPPORTED;
	uint32_t hlen = cur_be24(&hs);
	if (!hs.bad && hs.left >= hlen) { /* the common case: one record */
		st = hello_parse(cur_sub(&hs, hlen), sni);
		if (st != DIS_OK)
			*sni = (struct strview){ NULL, 0 };
		return st;
	}
	if (!hs.bad && 4 + (size_t)hlen > rlen &&
	    (scratch == NULL || 4 + (size_t)hlen > scratchsz))
		return DIS_UNSUPPORTED;       /* will never fit in scratch */
	if (cut)
		return DIS_TRUNCATED;
	if (scratch == NULL)
		return DIS_UNSUPPORTED;
	st = hello_gather(s, frag, scratch, scratchsz, sni);
	if (st != DIS_OK)
		*sni = (struct strview){ NULL, 0 };
	return st;
}
