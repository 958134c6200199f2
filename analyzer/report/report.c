/* report.c - build and write the report: JSON (schema tamperscope.report/1)
 * and the text table.  Files are written to a temporary name and renamed,
 * so a reader never sees a partial report. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dest_json.h"
#include "detector.h"
#include "engine_int.h"
#include "report.h"
#include "jsonw.h"
#include "util.h"

static json_t *capture_json(struct engine *e, const struct report_source *src)
{
	json_t *c = json_object(), *mr = json_object();
	struct ft_stats fs;
	ft_stats(e->ft, &fs);
	json_object_set_new(c, "packets", json_integer((json_int_t)e->packets));
	json_object_set_new(c, "bytes", json_integer((json_int_t)e->bytes));
	json_object_set_new(c, "start", json_time(e->start));
	json_object_set_new(c, "end", json_time(e->end));
	json_object_set_new(c, "flows", json_integer((json_int_t)fs.created));
	json_object_set_new(c, "malformed", json_integer((json_int_t)e->malformed_total));
	for (int i = 1; i < MAL_COUNT; i++)
		if (e->malformed[i])
			json_object_set_new(mr, mal_reason_name(i), json_integer((json_int_t)e->malformed[i]));
	json_object_set_new(c, "malformed_reasons", mr);
	json_object_set_new(c, "snaplen_truncated", json_integer((json_int_t)e->truncated));
	json_object_set_new(c, "dropped", e->dropped < 0 ? json_null() : json_integer(e->dropped));
	json_object_set_new(c, "non_ip", json_integer((json_int_t)e->non_ip));
	json_object_set_new(c, "unknown_linktype", json_integer((json_int_t)e->unknown_dlt));
	json_object_set_new(c, "fragments", json_integer((json_int_t)e->fragments));
	json_object_set_new(c, "duplicates", json_integer((json_int_t)e->duplicates));
	json_object_set_new(c, "time_backwards", json_integer((json_int_t)e->time_backwards));
	json_object_set_new(c, "icmp_quotes", json_integer((json_int_t)e->icmp_quotes));
	json_object_set_new(c, "events", json_integer((json_int_t)e->events));
	json_object_set_new(c, "dpi_flows", json_integer((json_int_t)e->dpi_flows));
	json_object_set_new(c, "answered_connections", json_integer((json_int_t)e->answered_flows));
	json_object_set_new(c, "truncated", json_boolean(src && src->truncated));
	return c;
}

static json_t *limits_json(struct engine *e)
{
	json_t *l = json_object();
	struct ft_stats fs;
	ft_stats(e->ft, &fs);
	json_object_set_new(l, "max_flows", json_integer(e->o.max_flows));
	json_object_set_new(l, "flows_evicted", json_integer((json_int_t)fs.evicted));
	json_object_set_new(l, "flows_expired", json_integer((json_int_t)fs.expired));
	json_object_set_new(l, "flows_peak", json_integer((json_int_t)fs.peak));
	json_object_set_new(l, "dns_cache_max", json_integer(e->o.dns_cache_max));
	json_object_set_new(l, "dns_cache_evicted", json_integer((json_int_t)dnsc_evicted(e->dnsc)));
	json_object_set_new(l, "destinations_max", json_integer(e->o.dest_max));
	json_object_set_new(l, "destinations_evicted", json_integer((json_int_t)dest_evicted(e->dt)));
	json_object_set_new(l, "ttl_baseline_evicted", json_integer((json_int_t)bl_evicted(e->bl)));
	return l;
}

/* A file name, interface or filter as a JSON string.  json_string()
 * refuses text that is not UTF-8 (any byte sequence is a valid Linux file
 * name) and the entry would silently vanish: then bytes >= 0x80 are
 * written as \xHH instead. */
static json_t *json_text(const char *s)
{
	json_t *j = json_string(s);
	if (j) return j;
	size_t n = strlen(s), o = 0;
	char *t = xmalloc(n * 4 + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) { t[o++] = (char)c; continue; }
		o += (size_t)snprintf(t + o, 5, "\\x%02x", c);
	}
	t[o] = 0;
	j = json_string(t);
	free(t);
	return j ? j : json_string("?");
}

/* The report; without its destinations array when dests is false. */
static json_t *build(struct engine *e, const struct report_source *src, bool dests)
{
	json_t *r = json_object(), *g = json_object(), *s = json_object(), *d = json_object();
	json_object_set_new(r, "schema", json_string("tamperscope.report/1"));
	json_object_set_new(g, "name", json_string(TS_NAME));
	json_object_set_new(g, "version", json_string(TS_VERSION));
	json_object_set_new(r, "generator", g);
	if (src && src->files) {
		json_t *f = json_array();
		for (int i = 0; i < src->nfiles; i++) json_array_append_new(f, json_text(src->files[i]));
		json_object_set_new(s, "files", f);
	} else {
		json_object_set_new(s, "interface", json_text(src && src->interface ? src->interface : "?"));
	}
	json_object_set_new(s, "filter", src && src->filter ? json_text(src->filter) : json_null());
	json_object_set_new(r, "source", s);
	json_object_set_new(r, "capture", capture_json(e, src));
	if (dests) json_object_set_new(r, "destinations", dest_json(e->dt, e->o.min_confidence));
	json_object_set_new(r, "injectors", inj_json(e->inj));
	for (unsigned i = 0; i < e->ndet; i++)
		if (e->det[i].d->stats)
			json_object_set_new(d, e->det[i].d->name, e->det[i].d->stats(e->det[i].st));
	json_object_set_new(r, "detectors", d);
	json_object_set_new(r, "limits", limits_json(e));
	return r;
}

json_t *report_build(struct engine *e, const struct report_source *src)
{
	return build(e, src, true);
}

/* Write through a temp file in the same directory, then rename. */
int ts_write_atomic_fn(const char *path, char *err, int (*fn)(const void *, FILE *),
                       const void *r)
{
	if (!strcmp(path, "-")) {
		if (fn(r, stdout) || fflush(stdout)) {
			snprintf(err, 256, "stdout: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	/* A symlink (/dev/stdout), device, FIFO or other non-regular file:
	 * write in place; renaming over it would replace the node itself. */
	struct stat sb;
	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		FILE *o = fopen(path, "w");
		int bad = !o || fn(r, o);
		if (o) bad |= fclose(o) != 0;
		if (bad) snprintf(err, 256, "%s: %s", path, strerror(errno ? errno : EIO));
		return bad ? -1 : 0;
	}
	size_t n = strlen(path) + 16;
	char *tmp = xmalloc(n);
	snprintf(tmp, n, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, 256, "%s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	/* mkstemp makes 0600; a report is as readable as any new file */
	mode_t um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	FILE *f = fdopen(fd, "w");
	int bad = !f || fn(r, f);
	if (f) {
		bad |= fflush(f) != 0;
		bad |= fsync(fileno(f)) != 0 && errno != EINVAL;
		bad |= fclose(f) != 0;
	} else {
		close(fd);
	}
	if (bad || rename(tmp, path)) {
		snprintf(err, 256, "%s: %s", path, strerror(errno ? errno : EIO));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

struct tree_writer {
	int (*fn)(const json_t *, FILE *);
	const json_t *r;
};

static int write_tree(const void *ctx, FILE *f)
{
	const struct tree_writer *w = ctx;
	return w->fn(w->r, f);
}

int ts_write_atomic(const char *path, char *err, int (*fn)(const json_t *, FILE *),
                    const json_t *r)
{
	struct tree_writer w = { fn, r };
	return ts_write_atomic_fn(path, err, write_tree, &w);
}

/* Serialise in memory and write once (jsonw.c: json_dumps' bytes, at a
 * fraction of its cost on a large report). */
static int dump_json(const json_t *r, FILE *f)
{
	return jsonw_dumpf(r, 2, 4, f) || fputc('\n', f) == EOF ? -1 : 0;
}

int report_write_json(const json_t *r, const char *path, char *err)
{
	return ts_write_atomic(path, err, dump_json, r);
}

static void summary_line(const json_t *c, size_t ndest, size_t inter, FILE *out);

struct lean_report {
	const json_t *r;                 /* everything but the destinations */
	struct dest_table *dt;           /* and they */
	double min_conf;
	unsigned threads;
};

static int dests_out(const void *ctx, FILE *f)
{
	const struct lean_report *l = ctx;
	return dest_write(l->dt, l->min_conf, 2, 4, 1, l->threads, f);
}

static int dump_lean(const void *ctx, FILE *f)
{
	const struct lean_report *l = ctx;
	return jsonw_dumpf_splice(l->r, 2, 4, "destinations", dests_out, l, f) ||
	       fputc('\n', f) == EOF ? -1 : 0;
}

int report_write_engine(struct engine *e, const struct report_source *src, const char *path,
                        char *err, FILE *summary)
{
	json_t *r = build(e, src, false);
	struct lean_report l = { r, e->dt, e->o.min_confidence, src ? src->threads : 1 };
	int rc = ts_write_atomic_fn(path, err, dump_lean, &l);
	if (!rc && summary) {
		unsigned n, inter;
		dest_verdicts(e->dt, e->o.min_confidence, &n, &inter);
		summary_line(json_object_get(r, "capture"), n, inter, summary);
	}
	json_decref(r);
	return rc;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "-";
}

static json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void bps_str(long long v, char *buf, size_t sz)
{
	if (v >= 1000000000) snprintf(buf, sz, "%.1f Gbit/s", (double)v / 1e9);
	else if (v >= 1000000) snprintf(buf, sz, "%.1f Mbit/s", (double)v / 1e6);
	else if (v >= 1000) snprintf(buf, sz, "%.0f kbit/s", (double)v / 1e3);
	else snprintf(buf, sz, "%lld bit/s", v);
}

/* One measurement for people: "cap 133 kbit/s". */
static void meas_str(const struct det_measure *m, long long v, char *buf, size_t sz)
{
	char num[32];
	if (m->unit == DET_UNIT_BPS) bps_str(v, num, sizeof num);
	else snprintf(num, sizeof num, "%lld", v);
	snprintf(buf, sz, "%s%s%s", m->label ? m->label : "", m->label ? " " : "", num);
}

void report_sig_measures(const json_t *sig, char *buf, size_t sz)
{
	unsigned n;
	const struct det_measure *m = sig_measures(sig_index(jstr(sig, "type")), &n);
	size_t o = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < n; i++) {
		long long v = (long long)jint(sig, m[i].key);
		char one[64];
		if (v <= 0) continue;
		meas_str(&m[i], v, one, sizeof one);
		int w = snprintf(buf + o, sz - o, "%s%s", o ? " " : "", one);
		if (w < 0 || (size_t)w >= sz - o) break;
		o += (size_t)w;
	}
}

static void sig_summary(const json_t *sigs, char *buf, size_t sz)
{
	size_t o = 0;
	size_t i;
	json_t *s;
	buf[0] = 0;
	json_array_foreach(sigs, i, s) {
		const char *st = json_string_value(json_object_get(s, "stage"));
		char rate[96];
		report_sig_measures(s, rate, sizeof rate);
		int w = snprintf(buf + o, sz - o, "%s%s%s%s x%lld (%.2f)%s%s", i ? ", " : "",
		                 jstr(s, "type"), st ? "/" : "", st ? st : "",
		                 (long long)jint(s, "count"),
		                 json_number_value(json_object_get(s, "confidence")),
		                 rate[0] ? " " : "", rate);
		if (w < 0 || (size_t)w >= sz - o) break;
		o += (size_t)w;
	}
	if (!buf[0]) snprintf(buf, sz, "-");
}

int report_write_text(const json_t *r, FILE *out)
{
	const json_t *c = json_object_get(r, "capture");
	const json_t *ds = json_object_get(r, "destinations");
	size_t i;
	json_t *d;
	char sigs[512];
	int w = 28;
	json_array_foreach(ds, i, d) {
		int l = (int)strlen(jstr(d, "destination"));
		if (l > w) w = l > 60 ? 60 : l;
	}
	fprintf(out, "tamperscope %s: %lld packets, %lld flows, %lld malformed, %s .. %s\n",
	        TS_VERSION, (long long)jint(c, "packets"), (long long)jint(c, "flows"),
	        (long long)jint(c, "malformed"), jstr(c, "start"), jstr(c, "end"));
	fprintf(out, "%-*s %-12s %-3s %-12s %5s %5s %5s %5s %9s  %s\n", w, "DESTINATION", "SERVICE",
	        "SM", "VERDICT", "CONN", "EST", "RST", "REFSD", "DNS Q/R", "SIGNATURES");
	json_array_foreach(ds, i, d) {
		const json_t *t = json_object_get(d, "tcp"), *n = json_object_get(d, "dns");
		char dq[32];
		snprintf(dq, sizeof dq, "%lld/%lld", (long long)jint(n, "queries"),
		         (long long)jint(n, "responses"));
		sig_summary(json_object_get(d, "signatures"), sigs, sizeof sigs);
		fprintf(out, "%-*.*s %-12.12s %-3s %-12s %5lld %5lld %5lld %5lld %9s  %s\n", w, w,
		        jstr(d, "destination"), jstr(d, "service"),
		        json_is_true(json_object_get(d, "social_media")) ? "yes" : "-",
		        jstr(d, "verdict"), (long long)jint(t, "connections"),
		        (long long)jint(t, "established"), (long long)jint(t, "genuine_rst"),
		        (long long)jint(t, "refused"), dq, sigs);
	}
	return ferror(out) ? -1 : 0;
}

static void summary_line(const json_t *c, size_t ndest, size_t inter, FILE *out)
{
	const json_t *dr = json_object_get(c, "dropped");
	char drops[64] = "";
	if (json_is_integer(dr))
		snprintf(drops, sizeof drops, ", %lld dropped by the kernel",
		         (long long)json_integer_value(dr));
	fprintf(out, "%s: %lld packets%s, %lld flows, %zu destinations, %zu interfered\n", TS_NAME,
	        (long long)json_integer_value(json_object_get(c, "packets")), drops,
	        (long long)json_integer_value(json_object_get(c, "flows")), ndest, inter);
}

void report_summary(const json_t *r, FILE *out)
{
	const json_t *ds = json_object_get(r, "destinations");
	size_t i, inter = 0;
	json_t *d;
	json_array_foreach(ds, i, d) {
		const char *v = json_string_value(json_object_get(d, "verdict"));
		if (v && !strcmp(v, "interfered")) inter++;
	}
	summary_line(json_object_get(r, "capture"), json_array_size(ds), inter, out);
}

int report_write_text_path(const json_t *r, const char *path, char *err)
{
	return ts_write_atomic(path, err, report_write_text, r);
}
