/* injectors.h - clustering injected packets across destinations into
 * injector fingerprints ("one middlebox, 3 hops away, resets 12
 * destinations"). */
#ifndef TS_INJECTORS_H
#define TS_INJECTORS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct inj_obs {
	char kind;               /* 'r' RST, 'h' HTTP response, 'd' DNS answer */
	uint8_t flags;           /* TCP flags; DNS: rcode                      */
	uint16_t win;            /* TCP window (RST), else 0                   */
	uint16_t ipid;
	bool v4;
	uint8_t ttl;             /* observed TTL / hop limit                   */
	uint8_t peer_ttl;        /* the impersonated endpoint's TTL, 0 = ?     */
	uint64_t ts;
	const char *destination;
	uint64_t flow;           /* identifies the connection / transaction    */
};

struct injectors;
struct injectors *inj_new(unsigned max_obs);
void inj_free(struct injectors *t);
void inj_note(struct injectors *t, const struct inj_obs *o);
/* The "injectors" array of the report (clusters, largest first). */
json_t *inj_json(const struct injectors *t);

#endif
