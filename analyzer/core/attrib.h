/* attrib.h - naming destinations: the social-media target list and the
 * DNS answer cache (server IP -> name). */
#ifndef TS_ATTRIB_H
#define TS_ATTRIB_H

#include <stdbool.h>
#include <stdint.h>
#include "dissect.h"

struct targets;

/* Load "suffix [Service name]" lines; NULL path = built-in default file.
 * Returns NULL and fills err (256 bytes) on failure. */
struct targets *targets_load(const char *path, char *err);
void targets_free(struct targets *t);
/* Suffix match: "api.twitter.com" matches "twitter.com".  *service gets
 * the list's service label (or NULL).  */
bool targets_match(const struct targets *t, const char *name, const char **service);

struct dns_cache;

/* Bounded cache: at most max entries; grace_s added to every TTL. */
struct dns_cache *dnsc_new(unsigned max, unsigned grace_s);
void dnsc_free(struct dns_cache *c);
/* Record that addr was answered for name at time now with ttl seconds. */
void dnsc_put(struct dns_cache *c, const struct ts_addr *addr, const char *name,
              uint32_t ttl, uint64_t now);
/* Name for addr at time now, or NULL.  The string lives in the cache until
 * the next dnsc_put(); copy it. */
const char *dnsc_get(struct dns_cache *c, const struct ts_addr *addr, uint64_t now);
/* Mark addr as a forged answer for name: it is never used as attribution
 * again, and dnsc_forged() reports it. */
void dnsc_mark_forged(struct dns_cache *c, const struct ts_addr *addr, const char *name);
bool dnsc_forged(struct dns_cache *c, const struct ts_addr *addr, const char **name);
uint64_t dnsc_evicted(const struct dns_cache *c);
/* Thread-safe variant for live capture with workers: every dnsc_* call
 * takes the cache's mutex.  Use dnsc_get_dup() then (dnsc_get()'s pointer
 * may be freed by another thread). */
struct dns_cache *dnsc_new_shared(unsigned max, unsigned grace_s);
/* Copy of the name for addr at time now (caller frees), or NULL; ignores
 * an answer recorded after now. */
char *dnsc_get_dup(struct dns_cache *c, const struct ts_addr *addr, uint64_t now);

#endif
