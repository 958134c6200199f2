/* enrich.h - post-processing of a report: ASN / AS organisation /
 * country from MaxMind DB files (libmaxminddb) and the registrable domain
 * from the Public Suffix List (libpsl, built-in list). */
#ifndef TS_ENRICH_H
#define TS_ENRICH_H

#include <stdbool.h>
#include <jansson.h>

struct enrich_opts {
	const char *asn_db;    /* GeoLite2-ASN style .mmdb: autonomous_system_number/_organization */
	const char *geo_db;    /* GeoLite2-Country/City style .mmdb: country.iso_code */
	bool psl;              /* add registrable_domain */
	bool psl_group;        /* merge destinations sharing a registrable domain */
	double min_confidence; /* for verdicts recomputed by psl_group (0 = 0.5) */
};

/* Open and close the databases named in o (fail early, before a long
 * capture).  0, or -1 with err (256 bytes). */
int enrich_check(const struct enrich_opts *o, char *err);

/* Nothing to do? */
bool enrich_wanted(const struct enrich_opts *o);

/* Add `asn`, `as_org`, `country` to every destination (looked up from its
 * first IP) and to every injector (from its `ip`, `src_ip` or first of
 * `ips`); with psl, `registrable_domain` to every named destination.
 * Returns 0, or -1 with err (256 bytes) when a database cannot be opened
 * (the report is left unchanged then). */
int enrich_report(json_t *report, const struct enrich_opts *o, char *err);

#endif
