/* fingerprint.h - known injector patterns (data/injectors.txt). */
#ifndef TS_FINGERPRINT_H
#define TS_FINGERPRINT_H
#include <stdbool.h>
#include <stdint.h>

struct fp_pkt { uint8_t flags, ttl; bool df, v4; uint16_t ipid, win; };
struct fingerprints;
struct fingerprints *fp_load(const char *path);   /* NULL path: default; never fails */
void fp_free(struct fingerprints *f);
/* Name of the first matching pattern, or NULL. */
const char *fp_match(const struct fingerprints *f, const struct fp_pkt *p);
#endif
