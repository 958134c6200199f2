/* http_host.c - HTTP/1.x request Host header and response status +
 * Location (RFC 9112 2-5, RFC 9110 7.2, 10.2.2). */
#include "dissect.h"

enum { PFX_MISMATCH = -1, PFX_SHORT = 0, PFX_MATCH = 1 };

static const char *const http_methods[] = {
	"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ",
	"PATCH ", "TRACE ",
};

static uint8_t lower(uint8_t b)
{
	return (b >= 'A' && b <= 'Z') ? (uint8_t)(b + ('a' - 'A')) : b;
}

/* Compare the cursor's next bytes with `lit` (case-insensitively if ci).
 * PFX_MATCH consumes them; PFX_SHORT: the input ends inside a match;
 * PFX_MISMATCH: it differs.  Bounded by strlen(lit). */
static int prefix(struct cur *c, const char *lit, bool ci)
{
	struct cur t = *c;

	for (size_t i = 0; lit[i] != '\0'; i++) {
		if (t.left == 0)
			return PFX_SHORT;
		uint8_t b = cur_u8(&t);
		uint8_t want = (uint8_t)lit[i];
		if (ci ? lower(b) != lower(want) : b != want)
			return PFX_MISMATCH;
	}
	*c = t;
	return PFX_MATCH;
}

/* Next line up to LF; *line excludes the CR LF / LF.  Returns false (and
 * consumes nothing) when no LF is left: the line is incomplete.  The scan
 * consumes one byte per pass. */
static bool next_line(struct cur *c, struct cur *line)
{
	struct cur scan = *c;
	size_t n = 0;

	while (scan.left > 0) {
		if (cur_u8(&scan) == '\n') {
			*line = cur_sub(c, n);
			cur_skip(c, 1);
			if (n > 0) {
				struct cur last = *line;
				cur_skip(&last, n - 1);
				if (cur_u8(&last) == '\r')
					line->left--;
			}
			return true;
		}
		n++;
	}
	return false;
}

static bool is_digit(uint8_t b)
{
	return b >= '0' && b <= '9';
}

static bool is_ows(uint8_t b)
{
	return b == ' ' || b == '\t';
}

/* Byte i of the cursor (i < c->left), without consuming. */
static uint8_t peek_at(const struct cur *c, size_t i)
{
	struct cur t = *c;
	cur_skip(&t, i);
	return cur_u8(&t);
}

/* Strip optional whitespace (RFC 9110 5.6.3) at both ends. */
static struct cur trim_ows(struct cur v)
{
	while (v.left > 0 && is_ows(peek_at(&v, 0)))
		cur_skip(&v, 1);
	while (v.left > 0 && is_ows(peek_at(&v, v.left - 1)))
		v.left--;
	return v;
}

static bool all_digits(struct cur v)
{
	while (v.left > 0)
		if (!is_digit(cur_u8(&v)))
			return false;
	return true;
}

/* Host = uri-host [ ":" port ] (RFC 9110 7.2).  "[v6]:port" gives the
 * address without brackets; "name:port" gives "name"; a value with more
 * than one colon and no brackets is left as it is. */
static struct strview host_strip_port(struct cur v)
{
	struct strview out = { v.p, v.left };
	size_t colon = 0, ncolon = 0, rbr = 0;
	bool bracket = v.left > 0 && peek_at(&v, 0) == '[';

	for (size_t i = 0; i < v.left; i++) {
		uint8_t b = peek_at(&v, i);
		if (b == ']' && rbr == 0)
			rbr = i;
		if (b == ':') {
			ncolon++;
			colon = i;
		}
	}
	struct cur t = v;
	if (bracket && rbr > 0) {
		cur_skip(&t, 1);
		struct cur h = cur_sub(&t, rbr - 1);
		out.p = h.p;
		out.len = h.left;
	} else if (!bracket && ncolon == 1) {
		struct cur h = cur_sub(&t, colon);
		cur_skip(&t, 1);
		if (all_digits(t)) {
			out.p = h.p;
			out.len = h.left;
		}
	}
	return out;
}

/* Request line: method SP request-target SP HTTP-version (RFC 9112 3).
 * Only the method token + SP is checked. */
static int request_start(struct cur *c)
{
	bool shorter = false;

	/* most bytes that reach here are no request at all (TLS records
	 * past the first, binary protocols): a first byte that begins no
	 * method settles it without trying each one */
	struct cur first = *c;
	if (cur_has(&first, 1)) {
		uint8_t b = cur_u8(&first);
		bool starts = false;
		for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0]; i++)
			if ((uint8_t)http_methods[i][0] == b) starts = true;
		if (!starts)
			return DIS_UNSUPPORTED;
	}
	for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0]; i++) {
		int m = prefix(c, http_methods[i], false);
		if (m == PFX_MATCH)
			return DIS_OK;
		if (m == PFX_SHORT)
			shorter = true;
	}
	return shorter ? DIS_TRUNCATED : DIS_UNSUPPORTED;
}

/* The first Host field line wins.  DIS_OK once Host is read or the empty
 * line ends the header block (Host absent: len 0); DIS_TRUNCATED while
 * neither has arrived.  Each header-loop pass consumes a line. */
int http_host_parse(const uint8_t *stream, size_t len, struct strview *host)
{
	struct cur c = cur_make(stream, len);
	struct cur line;

	host->p = NULL;
	host->len = 0;
	int st = request_start(&c);
	if (st != DIS_OK)
		return st;
	if (!next_line(&c, &line))
		return DIS_TRUNCATED;
	while (next_line(&c, &line)) {
		if (line.left == 0)
			return DIS_OK;
		if (prefix(&line, "host:", true) == PFX_MATCH) {
			*host = host_strip_port(trim_ows(line));
			return DIS_OK;
		}
	}
	return DIS_TRUNCATED;
}

/* status-line = HTTP-version SP status-code SP [ reason-phrase ]
 * (RFC 9112 4).  HTTP-version is "HTTP/1." DIGIT here. */
static int status_line(struct cur *c, int *status)
{
	int m = prefix(c, "HTTP/1.", false);
	if (m != PFX_MATCH)
		return m == PFX_SHORT ? DIS_TRUNCATED : DIS_UNSUPPORTED;
	uint8_t minor = cur_u8(c);
	if (c->bad)
		return DIS_TRUNCATED;
	if (!is_digit(minor))
		return DIS_UNSUPPORTED;
	uint8_t sp = cur_u8(c);
	if (c->bad)
		return DIS_TRUNCATED;
	if (sp != ' ')
		return DIS_UNSUPPORTED;
	int code = 0;
	for (int i = 0; i < 3; i++) {
		uint8_t d = cur_u8(c);
		if (c->bad)
			return DIS_TRUNCATED;
		if (!is_digit(d))
			return DIS_UNSUPPORTED;
		code = code * 10 + (d - '0');
	}
	*status = code;
	return DIS_OK;
}

/* Status and the first Location field (RFC 9110 10.2.2).  DIS_OK when the
 * header block is complete; DIS_TRUNCATED before that (status and a
 * Location already seen stay filled). */
int http_response_parse(const uint8_t *stream, size_t len, int *status,
                        struct strview *location)
{
	struct cur c = cur_make(stream, len);
	struct cur line;

	*status = 0;
	location->p = NULL;
	location->len = 0;
	int st = status_line(&c, status);
	if (st != DIS_OK)
		return st;
	if (!next_line(&c, &line))
		return DIS_TRUNCATED;
	while (next_line(&c, &line)) {
		if (line.left == 0)
			return DIS_OK;
		if (location->p == NULL &&
		    prefix(&line, "location:", true) == PFX_MATCH) {
			struct cur v = trim_ows(line);
			location->p = v.p;
			location->len = v.left;
		}
	}
	return DIS_TRUNCATED;
}
