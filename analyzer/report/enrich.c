/* enrich.c - ASN / country (libmaxminddb) and registrable domain (libpsl)
 * added to a finished report.  See enrich.h. */
#include <errno.h>
#include <string.h>
#include <maxminddb.h>
#include <libpsl.h>
#include "enrich.h"
#include "merge.h"

bool enrich_wanted(const struct enrich_opts *o)
{
	return o && (o->asn_db || o->geo_db || o->psl || o->psl_group);
}

static int db_open(const char *path, MMDB_s *db, char *err)
{
	int s = MMDB_open(path, MMDB_MODE_MMAP, db);
	if (s != MMDB_SUCCESS) {
		snprintf(err, 256, "%s: %s%s%s", path, MMDB_strerror(s),
		         s == MMDB_IO_ERROR ? ": " : "", s == MMDB_IO_ERROR ? strerror(errno) : "");
		return -1;
	}
	return 0;
}

int enrich_check(const struct enrich_opts *o, char *err)
{
	MMDB_s db;
	if (o->asn_db) {
		if (db_open(o->asn_db, &db, err)) return -1;
		MMDB_close(&db);
	}
	if (o->geo_db) {
		if (db_open(o->geo_db, &db, err)) return -1;
		MMDB_close(&db);
	}
	return 0;
}

/* entry_data for path (NULL-terminated list) or NULL. */
static bool get(MMDB_lookup_result_s *res, MMDB_entry_data_s *out, const char *const *path)
{
	return MMDB_aget_value(&res->entry, out, path) == MMDB_SUCCESS && out->has_data;
}

static json_t *data_str(const MMDB_entry_data_s *d)
{
	if (d->type != MMDB_DATA_TYPE_UTF8_STRING) return NULL;
	return json_stringn(d->utf8_string, d->data_size);   /* NULL on bad UTF-8 */
}

static json_int_t data_uint(const MMDB_entry_data_s *d, bool *ok)
{
	*ok = true;
	switch (d->type) {
	case MMDB_DATA_TYPE_UINT16: return d->uint16;
	case MMDB_DATA_TYPE_UINT32: return d->uint32;
	case MMDB_DATA_TYPE_INT32: return d->int32;
	case MMDB_DATA_TYPE_UINT64: return (json_int_t)d->uint64;
	default: *ok = false; return 0;
	}
}

static void lookup(json_t *obj, const char *ip, MMDB_s *asn, MMDB_s *geo)
{
	int gai, mm;
	MMDB_entry_data_s d;
	if (!ip) return;
	if (asn) {
		MMDB_lookup_result_s r = MMDB_lookup_string(asn, ip, &gai, &mm);
		if (!gai && mm == MMDB_SUCCESS && r.found_entry) {
			static const char *const p_asn[] = { "autonomous_system_number", NULL };
			static const char *const p_org[] = { "autonomous_system_organization", NULL };
			bool ok;
			if (get(&r, &d, p_asn)) {
				json_int_t v = data_uint(&d, &ok);
				if (ok) json_object_set_new(obj, "asn", json_integer(v));
			}
			if (get(&r, &d, p_org)) {
				json_t *s = data_str(&d);
				if (s) json_object_set_new(obj, "as_org", s);
			}
		}
	}
	if (geo) {
		MMDB_lookup_result_s r = MMDB_lookup_string(geo, ip, &gai, &mm);
		if (!gai && mm == MMDB_SUCCESS && r.found_entry) {
			static const char *const p_cc[] = { "country", "iso_code", NULL };
			static const char *const p_rcc[] = { "registered_country", "iso_code", NULL };
			json_t *s = NULL;
			if (get(&r, &d, p_cc)) s = data_str(&d);
			if (!s && get(&r, &d, p_rcc)) s = data_str(&d);
			if (s) json_object_set_new(obj, "country", s);
		}
	}
}

/* An IP literal (v4 or v6) is no domain. */
static bool is_ip_literal(const char *s)
{
	if (strchr(s, ':')) return true;
	for (; *s; s++)
		if (!(*s == '.' || (*s >= '0' && *s <= '9'))) return false;
	return true;
}

int enrich_report(json_t *report, const struct enrich_opts *o, char *err)
{
	MMDB_s asn, geo;
	bool have_asn = false, have_geo = false;
	if (!enrich_wanted(o)) return 0;
	if (o->asn_db) {
		if (db_open(o->asn_db, &asn, err)) return -1;
		have_asn = true;
	}
	if (o->geo_db) {
		if (db_open(o->geo_db, &geo, err)) {
			if (have_asn) MMDB_close(&asn);
			return -1;
		}
		have_geo = true;
	}
	const psl_ctx_t *psl = (o->psl || o->psl_group) ? psl_builtin() : NULL;
	if ((o->psl || o->psl_group) && !psl) {
		snprintf(err, 256, "libpsl: no built-in public suffix list");
		if (have_asn) MMDB_close(&asn);
		if (have_geo) MMDB_close(&geo);
		return -1;
	}
	json_t *ds = json_object_get(report, "destinations"), *d;
	size_t i;
	json_array_foreach(ds, i, d) {
		if (have_asn || have_geo)
			lookup(d, json_string_value(json_array_get(json_object_get(d, "ips"), 0)),
			       have_asn ? &asn : NULL, have_geo ? &geo : NULL);
		const char *name = json_string_value(json_object_get(d, "destination"));
		if (psl && name && !is_ip_literal(name) && strchr(name, '.')) {
			const char *reg = psl_registrable_domain(psl, name);
			json_t *s = reg ? json_string(reg) : NULL;
			if (s) json_object_set_new(d, "registrable_domain", s);
		}
	}
	json_t *inj = json_object_get(report, "injectors"), *x;
	if (have_asn || have_geo) json_array_foreach(inj, i, x) {
		const char *ip = json_string_value(json_object_get(x, "ip"));
		if (!ip) ip = json_string_value(json_object_get(x, "src_ip"));
		if (!ip) ip = json_string_value(json_array_get(json_object_get(x, "ips"), 0));
		lookup(x, ip, have_asn ? &asn : NULL, have_geo ? &geo : NULL);
	}
	if (o->psl_group) merge_group_destinations(report, "registrable_domain", o->min_confidence);
	if (have_asn) MMDB_close(&asn);
	if (have_geo) MMDB_close(&geo);
	return 0;
}
