/* cursor.h - bounds-checked reader over captured packet bytes.
 *
 * Every dissector reads through a struct cur.  A read past the end returns
 * 0 (or does nothing) and sets the sticky `bad` flag; callers check it once
 * after a group of reads.  Lengths are compared as sizes (left >= n), never
 * by building an end pointer (CERT VU#162289).  Header-only, no allocation.
 */
#ifndef TS_CURSOR_H
#define TS_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
	const uint8_t *p;  /* next unread byte */
	size_t left;       /* captured bytes remaining */
	bool bad;          /* sticky: a read ran past the end */
};

static inline struct cur cur_make(const uint8_t *p, size_t len)
{
	struct cur c = { p, len, false };
	return c;
}

static inline bool cur_has(const struct cur *c, size_t n)
{
	return !c->bad && c->left >= n;
}

static inline void cur_skip(struct cur *c, size_t n)
{
	if (!cur_has(c, n)) {
		c->bad = true;
		c->p += c->left;
		c->left = 0;
		return;
	}
	c->p += n;
	c->left -= n;
}

static inline uint8_t cur_u8(struct cur *c)
{
	if (!cur_has(c, 1)) { c->bad = true; return 0; }
	uint8_t v = c->p[0];
	c->p++; c->left--;
	return v;
}

static inline uint16_t cur_be16(struct cur *c)
{
	if (!cur_has(c, 2)) { c->bad = true; return 0; }
	uint16_t v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2; c->left -= 2;
	return v;
}

static inline uint16_t cur_le16(struct cur *c)
{
	if (!cur_has(c, 2)) { c->bad = true; return 0; }
	uint16_t v = (uint16_t)((c->p[1] << 8) | c->p[0]);
	c->p += 2; c->left -= 2;
	return v;
}

static inline uint32_t cur_be24(struct cur *c)
{
	if (!cur_has(c, 3)) { c->bad = true; return 0; }
	uint32_t v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) | c->p[2];
	c->p += 3; c->left -= 3;
	return v;
}

static inline uint32_t cur_be32(struct cur *c)
{
	if (!cur_has(c, 4)) { c->bad = true; return 0; }
	uint32_t v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
	             ((uint32_t)c->p[2] << 8) | c->p[3];
	c->p += 4; c->left -= 4;
	return v;
}

static inline uint32_t cur_le32(struct cur *c)
{
	if (!cur_has(c, 4)) { c->bad = true; return 0; }
	uint32_t v = ((uint32_t)c->p[3] << 24) | ((uint32_t)c->p[2] << 16) |
	             ((uint32_t)c->p[1] << 8) | c->p[0];
	c->p += 4; c->left -= 4;
	return v;
}

/* Loads at p for a fixed header read in one go: only after cur_has()
 * has vouched for every byte read (then cur_skip() past them). */
static inline uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t be32_at(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Copy n bytes out; on short input copies nothing and sets bad. */
static inline void cur_copy(struct cur *c, void *dst, size_t n)
{
	if (!cur_has(c, n)) { c->bad = true; return; }
	memcpy(dst, c->p, n);
	c->p += n; c->left -= n;
}

/* Child cursor over the next n bytes; the parent skips them.  If fewer
 * than n bytes remain the child is clamped to what is there and the
 * parent is marked bad (the declared length overran the capture). */
static inline struct cur cur_sub(struct cur *c, size_t n)
{
	struct cur s = { c->p, 0, false };
	if (c->bad) { s.bad = true; return s; }
	if (c->left < n) {
		s.left = c->left;
		c->bad = true;
		c->p += c->left;
		c->left = 0;
		return s;
	}
	s.left = n;
	c->p += n; c->left -= n;
	return s;
}

/* Clamp the cursor to at most n bytes (e.g. IP total length, so Ethernet
 * padding is never read as payload).  Never grows it. */
static inline void cur_clamp(struct cur *c, size_t n)
{
	if (c->left > n) c->left = n;
}

#endif
