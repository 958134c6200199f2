/* html.c - the report as one self-contained HTML page.  See html.h.
 *
 * No script, no external URL, no font or image: inline CSS, inline SVG
 * and a Content-Security-Policy that forbids loading anything.  Output
 * depends only on the report (no wall clock), so a report renders to the
 * same bytes every time. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "catalog.h"
#include "html.h"
#include "jsonw.h"
#include "report.h"
#include "tunables.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

void html_escape(FILE *f, const char *s)
{
	if (!s) return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) fputs("&#xFFFD;", f);
			else fputc(c, f);
		}
	}
}

/* Escape at most maxcp code points of s (UTF-8), adding an ellipsis. */
static void html_escape_trunc(FILE *f, const char *s, size_t maxcp)
{
	size_t cp = 0, i = 0, n = s ? strlen(s) : 0;
	for (; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && cp++ == maxcp) break;
	if (i >= n) { html_escape(f, s); return; }
	char *t = xmalloc(i + 1);
	memcpy(t, s, i);
	t[i] = 0;
	html_escape(f, t);
	fputs("&#x2026;", f);
	free(t);
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long jint(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	if (json_is_integer(v)) return (long long)json_integer_value(v);
	if (json_is_real(v)) return (long long)json_real_value(v);
	return 0;
}

/* Any JSON value as escaped text: strings bare, the rest compact JSON. */
static void html_value(FILE *f, const json_t *v)
{
	if (json_is_string(v)) { html_escape(f, json_string_value(v)); return; }
	if (!v || json_is_null(v)) { fputs("&#x2013;", f); return; }
	char *s = jsonw_dumps(v, 0, 4, NULL);
	html_escape(f, s ? s : "?");
	free(s);
}

double html_parse_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d;
	tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = sec;
	double t = (double)timegm(&tm);
	const char *p = s + n;
	if (*p == '.') {
		double scale = 0.1;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10) t += (*p - '0') * scale;
	}
	return t;
}

/* decimals: digits of the second shown (0..3) */
static void fmt_hms(char *buf, size_t sz, double t, bool with_date, int decimals)
{
	time_t tt = (time_t)floor(t);
	struct tm tm;
	gmtime_r(&tt, &tm);
	size_t n = strftime(buf, sz, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
	if (decimals > 0 && n + 5 < sz) {
		int scale = decimals == 1 ? 10 : decimals == 2 ? 100 : 1000;
		int frac = (int)((t - floor(t)) * scale);
		if (frac >= scale) frac = scale - 1;
		snprintf(buf + n, sz - n, ".%0*d", decimals > 3 ? 3 : decimals, frac);
	}
}

static void fmt_duration(char *buf, size_t sz, double s)
{
	if (s < 0) snprintf(buf, sz, "-");
	else if (s < 120) snprintf(buf, sz, "%.1f s", s);
	else if (s < 7200) snprintf(buf, sz, "%.1f min", s / 60);
	else if (s < 172800) snprintf(buf, sz, "%.1f h", s / 3600);
	else snprintf(buf, sz, "%.1f days", s / 86400);
}

/* A signature type's colour: the detector's (catalog.h). */
static const char *type_color(const char *t)
{
	return sig_colour(t);
}

static const char *verdict_class(const char *v)
{
	if (v && !strcmp(v, "interfered")) return "interfered";
	if (v && !strcmp(v, "clean")) return "clean";
	return "inconclusive";
}

/* ------------------------------------------------------------------ */
/* page parts                                                          */

static const char CSS[] =
"*{box-sizing:border-box}"
"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
"margin:0;padding:0 24px 40px;color:#1d2330;background:#f6f7f9}"
"header{padding:18px 0 8px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}"
".muted{color:#667085}.small{font-size:12px}.mono{font-family:ui-monospace,Menlo,Consolas,monospace}"
".cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}"
".card{background:#fff;border:1px solid #e3e6ec;border-radius:8px;padding:8px 14px;min-width:96px}"
".card b{display:block;font-size:18px}.card span{font-size:12px;color:#667085}"
".card.bad b{color:#b42318}"
"table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e3e6ec}"
"th,td{text-align:left;vertical-align:top;padding:7px 9px;border-bottom:1px solid #eef0f4}"
"th{background:#f0f2f6;font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:#475467}"
"td.num{text-align:right;white-space:nowrap}td.mono{white-space:nowrap}"
".dname{font-weight:600;overflow-wrap:anywhere;min-width:190px;max-width:340px}"
".hosts,.ips,.enr{font-size:12px;color:#667085;overflow-wrap:anywhere}"
".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}"
".verdict-interfered{background:#fee4e2;color:#b42318;border:1px solid #fda29b}"
".verdict-clean{background:#dcfae6;color:#067647;border:1px solid #75e0a7}"
".verdict-inconclusive{background:#f2f4f7;color:#475467;border:1px solid #d0d5dd}"
".sm{background:#e0eaff;color:#3538cd;border:1px solid #a4bcfd}"
".sig{margin:0 0 6px;white-space:nowrap}"
".sigtype{font-weight:600;border-left:4px solid #999;padding-left:5px}"
".stage{font-size:11px;background:#f2f4f7;border-radius:4px;padding:0 5px;margin-left:4px}"
".conf{display:inline-block;width:60px;height:8px;background:#eaecf0;border-radius:4px;"
"margin:0 4px 0 8px;vertical-align:middle;overflow:hidden}"
".conf i{display:block;height:100%;background:#b42318}"
".when{font-size:11px;color:#667085;white-space:normal}"
".chip{display:inline-block;font-size:12px;background:#f4f3ff;color:#5925dc;border-radius:4px;"
"padding:0 6px;margin:0 4px 4px 0;overflow-wrap:anywhere}"
".svgbox{background:#fff;border:1px solid #e3e6ec;border-radius:8px;padding:8px;overflow-x:auto}"
".legend span{display:inline-block;margin-right:14px;font-size:12px}"
".legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-2px}"
"details{margin-top:24px}footer{margin-top:24px;font-size:12px;color:#667085}";

static void page_head(FILE *f, const json_t *r)
{
	size_t nd = json_array_size(json_object_get(r, "destinations"));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", f);
	fprintf(f, "<title>tamperscope report &#x2013; %zu destinations</title>\n", nd);
	fprintf(f, "<style>%s</style>\n</head>\n<body>\n", CSS);
}

static void card(FILE *f, const char *label, const char *value, bool bad)
{
	fprintf(f, "<div class=\"card%s\"><b>", bad ? " bad" : "");
	html_escape(f, value);
	fprintf(f, "</b><span>%s</span></div>", label);
}

static void card_int(FILE *f, const char *label, long long v, bool bad)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", v);
	card(f, label, b, bad);
}

static void page_header(FILE *f, const json_t *r)
{
	const json_t *c = json_object_get(r, "capture"), *s = json_object_get(r, "source");
	const json_t *ds = json_object_get(r, "destinations"), *d;
	size_t i, ninter = 0, nclean = 0, ninc = 0, nsm = 0;
	json_array_foreach(ds, i, d) {
		const char *v = verdict_class(jstr(d, "verdict"));
		if (!strcmp(v, "interfered")) ninter++;
		else if (!strcmp(v, "clean")) nclean++;
		else ninc++;
		if (json_is_true(json_object_get(d, "social_media"))) nsm++;
	}
	fputs("<header>\n<h1>tamperscope report</h1>\n<div class=\"muted\" id=\"source\">", f);
	const json_t *files = json_object_get(s, "files"), *merged = json_object_get(s, "merged");
	if (json_is_array(merged))
		fprintf(f, "merged from %zu reports; ", json_array_size(merged));
	if (json_is_array(files)) {
		fprintf(f, "%zu file%s: ", json_array_size(files), json_array_size(files) == 1 ? "" : "s");
		const json_t *x;
		json_array_foreach(files, i, x) {
			if (i == 8) { fprintf(f, " &#x2026; (+%zu more)", json_array_size(files) - 8); break; }
			fputs(i ? ", <span class=\"mono\">" : "<span class=\"mono\">", f);
			html_escape(f, json_string_value(x));
			fputs("</span>", f);
		}
	} else if (jstr(s, "interface")) {
		fputs("live interface <span class=\"mono\">", f);
		html_escape(f, jstr(s, "interface"));
		fputs("</span>", f);
	}
	if (jstr(s, "filter")) {
		fputs(" &#x2013; filter <span class=\"mono\">", f);
		html_escape(f, jstr(s, "filter"));
		fputs("</span>", f);
	}
	const char *st = jstr(c, "start"), *en = jstr(c, "end");
	double t0 = html_parse_time(st), t1 = html_parse_time(en);
	char dur[64];
	fmt_duration(dur, sizeof dur, t0 >= 0 && t1 >= t0 ? t1 - t0 : -1);
	fputs("<br>capture ", f);
	html_escape(f, st ? st : "-");
	fputs(" &#x2192; ", f);
	html_escape(f, en ? en : "-");
	fprintf(f, " (%s)</div>\n<div class=\"cards\" id=\"stats\">", dur);
	card_int(f, "destinations", (long long)json_array_size(ds), false);
	card_int(f, "interfered", (long long)ninter, ninter > 0);
	card_int(f, "clean", (long long)nclean, false);
	card_int(f, "inconclusive", (long long)ninc, false);
	card_int(f, "social media", (long long)nsm, false);
	card_int(f, "packets", jint(c, "packets"), false);
	card_int(f, "bytes", jint(c, "bytes"), false);
	card_int(f, "flows", jint(c, "flows"), false);
	if (json_object_get(c, "events")) card_int(f, "tamper events", jint(c, "events"), false);
	card_int(f, "malformed", jint(c, "malformed"), false);
	if (json_object_get(c, "duplicates")) card_int(f, "duplicates", jint(c, "duplicates"), false);
	const json_t *dr = json_object_get(c, "dropped");
	if (json_is_integer(dr)) card_int(f, "dropped by kernel", jint(c, "dropped"), jint(c, "dropped") > 0);
	else card(f, "dropped by kernel", "n/a", false);
	if (json_is_true(json_object_get(c, "truncated"))) card(f, "input", "truncated", true);
	fputs("</div>\n</header>\n", f);
}

static void dest_row(FILE *f, size_t idx, const json_t *d)
{
	const char *name = jstr(d, "destination");
	const char *v = verdict_class(jstr(d, "verdict"));
	bool sm = json_is_true(json_object_get(d, "social_media"));
	const json_t *tcp = json_object_get(d, "tcp"), *dns = json_object_get(d, "dns");
	const json_t *udp = json_object_get(d, "udp"), *sigs = json_object_get(d, "signatures");
	const json_t *x, *s;
	size_t i;

	fprintf(f, "<tr class=\"dest\" data-verdict=\"%s\" data-social=\"%d\">", v, sm);
	fprintf(f, "<td class=\"num muted\">%zu</td>", idx + 1);
	/* destination, other hosts, IPs, enrichment */
	fputs("<td><div class=\"dname\">", f);
	html_escape(f, name ? name : "?");
	fputs("</div>", f);
	const json_t *hosts = json_object_get(d, "hosts");
	size_t shown = 0, other = 0;
	json_array_foreach(hosts, i, x) {
		const char *h = json_string_value(x);
		if (!h || (name && !strcmp(h, name))) continue;
		if (shown == HOSTS_SHOWN) { other++; continue; }
		fputs(shown++ ? ", " : "<div class=\"hosts\">", f);
		html_escape(f, h);
	}
	if (other) fprintf(f, " +%zu more", other);
	if (shown) fputs("</div>", f);
	const json_t *ips = json_object_get(d, "ips");
	if (json_array_size(ips)) {
		fputs("<div class=\"ips mono\">", f);
		json_array_foreach(ips, i, x) {
			if (i == IPS_SHOWN) { fprintf(f, " +%zu more", json_array_size(ips) - IPS_SHOWN); break; }
			if (i) fputs(", ", f);
			html_escape(f, json_string_value(x));
		}
		fputs("</div>", f);
	}
	const json_t *asn = json_object_get(d, "asn");
	const char *org = jstr(d, "as_org"), *cc = jstr(d, "country"), *reg = jstr(d, "registrable_domain");
	if (asn || org || cc || reg) {
		fputs("<div class=\"enr\">", f);
		if (json_is_integer(asn)) fprintf(f, "AS%lld ", (long long)json_integer_value(asn));
		if (org) { html_escape(f, org); fputc(' ', f); }
		if (cc) { fputc('[', f); html_escape(f, cc); fputs("] ", f); }
		if (reg) { fputs("domain ", f); html_escape(f, reg); }
		fputs("</div>", f);
	}
	fputs("</td><td>", f);
	if (jstr(d, "service")) html_escape(f, jstr(d, "service"));
	else fputs("<span class=\"muted\">&#x2013;</span>", f);
	fputs("</td><td>", f);
	fputs(sm ? "<span class=\"badge sm\">social media</span>" : "<span class=\"muted\">no</span>", f);
	fprintf(f, "</td><td><span class=\"badge verdict-%s\">%s</span></td>", v, v);

	/* affected / total */
	long long aff_conn = 0, aff_dns = 0;
	json_array_foreach(sigs, i, s) {
		const char *t = jstr(s, "type");
		if (sig_per_query(t)) aff_dns += jint(s, "count");
		else aff_conn += jint(s, "count");
	}
	long long conns = jint(tcp, "connections") + jint(udp, "flows");
	fprintf(f, "<td class=\"num\"><span class=\"affected\">%lld</span> / %lld conn", aff_conn, conns);
	if (jint(dns, "queries") || aff_dns)
		fprintf(f, "<br><span class=\"small\">%lld / %lld DNS q (%lld resp)</span>",
		        aff_dns, jint(dns, "queries"), jint(dns, "responses"));
	if (jint(tcp, "genuine_rst") || jint(tcp, "refused"))
		fprintf(f, "<br><span class=\"small muted\">%lld genuine RST, %lld refused</span>",
		        jint(tcp, "genuine_rst"), jint(tcp, "refused"));
	fputs("</td><td>", f);

	/* signatures */
	if (!json_array_size(sigs)) fputs("<span class=\"muted\">none</span>", f);
	json_array_foreach(sigs, i, s) {
		double conf = json_number_value(json_object_get(s, "confidence"));
		if (conf < 0) conf = 0;
		if (conf > 1) conf = 1;
		const char *t = jstr(s, "type");
		fprintf(f, "<div class=\"sig\"><span class=\"sigtype\" style=\"border-color:%s\">",
		        type_color(t));
		html_escape(f, t ? t : "?");
		fputs("</span>", f);
		if (jstr(s, "stage")) {
			fputs("<span class=\"stage\">", f);
			html_escape(f, jstr(s, "stage"));
			fputs("</span>", f);
		}
		fprintf(f, " &#xd7;%lld<span class=\"conf\" title=\"confidence\"><i style=\"width:%d%%\"></i></span>"
		           "<span class=\"confv\">%.2f</span>", jint(s, "count"), (int)(conf * 100 + 0.5), conf);
		const char *on = jstr(s, "onset"), *fs = jstr(s, "first_seen"), *ls = jstr(s, "last_seen");
		const json_t *stp = json_object_get(s, "stopped");
		fputs("<div class=\"when\">", f);
		fputs(on ? "onset " : "first ", f);
		html_escape(f, on ? on : fs ? fs : "-");
		fputs(" &#xb7; last ", f);
		html_escape(f, ls ? ls : "-");
		if (json_is_string(stp)) { fputs(" &#xb7; stopped ", f); html_escape(f, json_string_value(stp)); }
		else if (stp && json_is_null(stp)) fputs(" &#xb7; ongoing", f);
		char rate[96];
		report_sig_measures(s, rate, sizeof rate);
		if (rate[0]) {
			fputs("</div><div class=\"when\">", f);
			html_escape(f, rate);
		}
		fputs("</div></div>", f);
	}
	fputs("</td><td>", f);

	/* evidence codes, summed over the signatures, first-seen order */
	json_t *ev = json_object();
	json_array_foreach(sigs, i, s) {
		const char *k;
		json_t *n;
		json_object_foreach(json_object_get(s, "evidence"), k, n) {
			json_int_t prev = json_integer_value(json_object_get(ev, k));
			json_object_set_new(ev, k, json_integer(prev + (json_is_integer(n) ? json_integer_value(n) : 1)));
		}
	}
	if (!json_object_size(ev)) fputs("<span class=\"muted\">&#x2013;</span>", f);
	const char *k;
	json_t *n;
	json_object_foreach(ev, k, n) {
		fputs("<span class=\"chip\">", f);
		html_escape(f, k);
		fprintf(f, " &#xd7;%lld</span>", (long long)json_integer_value(n));
	}
	json_decref(ev);
	fputs("</td></tr>\n", f);
}

static void dest_table(FILE *f, const json_t *r)
{
	const json_t *ds = json_object_get(r, "destinations"), *d;
	size_t i;
	fputs("<h2>Destinations</h2>\n<table id=\"destinations\">\n<thead><tr><th>#</th><th>Destination</th>"
	      "<th>Service</th><th>Social media</th><th>Verdict</th><th>Affected / total</th>"
	      "<th>Signatures (stage, confidence)</th><th>Evidence</th></tr></thead>\n<tbody>\n", f);
	json_array_foreach(ds, i, d) {
		dest_row(f, i, d);
	}
	if (!json_array_size(ds))
		fputs("<tr class=\"empty\"><td colspan=\"8\" class=\"muted\">no destinations</td></tr>\n", f);
	fputs("</tbody>\n</table>\n", f);
}

/* ------------------------------------------------------------------ */
/* timeline                                                            */

struct axis { double t0, t1, x0, w; };

static double ax(const struct axis *a, double t)
{
	if (t < a->t0) t = a->t0;
	if (t > a->t1) t = a->t1;
	return a->x0 + (t - a->t0) / (a->t1 - a->t0) * a->w;
}

static void minmax_time(const char *s, double *lo, double *hi)
{
	double t = html_parse_time(s);
	if (t < 0) return;
	if (*lo < 0 || t < *lo) *lo = t;
	if (*hi < 0 || t > *hi) *hi = t;
}

static void timeline(FILE *f, const json_t *r, double min_conf)
{
	const json_t *c = json_object_get(r, "capture"), *ds = json_object_get(r, "destinations");
	const json_t *d, *s, *b;
	size_t i, j;
	double lo = -1, hi = -1;
	minmax_time(jstr(c, "start"), &lo, &hi);
	minmax_time(jstr(c, "end"), &lo, &hi);
	json_array_foreach(ds, i, d) {
		minmax_time(jstr(d, "first_seen"), &lo, &hi);
		minmax_time(jstr(d, "last_seen"), &lo, &hi);
	}
	fputs("<h2>Timeline</h2>\n", f);
	size_t nd = json_array_size(ds), lanes = nd > LANES_MAX ? LANES_MAX : nd;
	const int W = 1200, LABEL = 250, LANE = 24, TOP = 34, BOTTOM = 12;
	int H = TOP + (int)(lanes ? lanes : 1) * LANE + BOTTOM;
	struct axis a = { lo, hi, LABEL + 10, W - LABEL - 30 };
	if (a.t0 < 0) a.t0 = a.t1 = 0;
	if (a.t1 - a.t0 < 1) a.t1 = a.t0 + 1;
	bool dates = a.t1 - a.t0 > 86400;
	double span = a.t1 - a.t0;
	char tb[64];

	fputs("<div class=\"legend\">", f);
	for (unsigned t = 0; t < sig_count(); t++)
		fprintf(f, "<span><i style=\"background:%s\"></i>%s</span>", type_color(sig_name(t)),
		        sig_name(t));
	fputs("<span><i style=\"background:#c5cad3\"></i>traffic seen</span>"
	      "<span><i style=\"background:#d62728;opacity:.5;height:4px\"></i>events per hour</span>"
	      "<span><i style=\"background:#101828\"></i>onset</span>"
	      "<span><i style=\"background:#12b76a\"></i>stopped</span></div>\n", f);
	fprintf(f, "<div class=\"svgbox\"><svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
	           "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	           "aria-label=\"interference timeline, one lane per destination\" "
	           "font-family=\"system-ui,sans-serif\" font-size=\"12\">\n", W, H, W, H);
	/* axis: 7 ticks */
	for (int k = 0; k <= 6; k++) {
		double t = a.t0 + (a.t1 - a.t0) * k / 6;
		double x = ax(&a, t);
		fmt_hms(tb, sizeof tb, t, dates, span < 6 ? 3 : span < 60 ? 2 : span < 600 ? 1 : 0);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eaecf0\"/>", x, TOP - 6, x, H - BOTTOM);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" fill=\"#667085\">%s</text>\n", x, TOP - 12,
		        k == 0 ? "start" : k == 6 ? "end" : "middle", tb);
	}
	if (!dates) {
		fmt_hms(tb, sizeof tb, a.t0, true, 0);
		tb[10] = 0;
		fprintf(f, "<text x=\"4\" y=\"%d\" fill=\"#667085\">%s UTC</text>\n", TOP - 12, tb);
	}
	if (!nd)
		fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"#667085\">no destinations</text>\n", LABEL + 10, TOP + 16);
	for (i = 0; i < lanes; i++) {
		d = json_array_get(ds, i);
		int y = TOP + (int)i * LANE, yc = y + LANE / 2;
		const char *v = verdict_class(jstr(d, "verdict"));
		fprintf(f, "<g class=\"lane\" data-verdict=\"%s\">", v);
		if (i % 2) fprintf(f, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f9fafb\"/>", y, W, LANE);
		fprintf(f, "<text x=\"4\" y=\"%d\" fill=\"%s\"%s><title>", yc + 4,
		        !strcmp(v, "interfered") ? "#b42318" : "#1d2330",
		        !strcmp(v, "interfered") ? " font-weight=\"600\"" : "");
		html_escape(f, jstr(d, "destination"));
		fputs("</title>", f);
		html_escape_trunc(f, jstr(d, "destination"), 34);
		fputs("</text>", f);
		/* traffic span */
		double fs = html_parse_time(jstr(d, "first_seen")), ls = html_parse_time(jstr(d, "last_seen"));
		if (fs >= 0) {
			double x1 = ax(&a, fs), x2 = ax(&a, ls >= fs ? ls : fs);
			if (x2 - x1 < 2) x2 = x1 + 2;
			fprintf(f, "<rect class=\"traffic\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"4\" rx=\"2\" fill=\"#c5cad3\"/>",
			        x1, yc - 2, x2 - x1);
		}
		/* hourly buckets (when the report has them) */
		const json_t *tl = json_object_get(d, "timeline");
		long long maxev = 1;
		json_array_foreach(tl, j, b) if (jint(b, "events") > maxev) maxev = jint(b, "events");
		json_array_foreach(tl, j, b) {
			double h = html_parse_time(jstr(b, "hour"));
			if (h < 0) continue;
			double x1 = ax(&a, h), x2 = ax(&a, h + 3600);
			if (x2 - x1 < 3) x2 = x1 + 3;
			const char *k, *top = NULL;
			json_t *n;
			long long best = -1;
			json_object_foreach(json_object_get(b, "signatures"), k, n)
				if (json_integer_value(n) > best) { best = json_integer_value(n); top = k; }
			double op = 0.25 + 0.5 * (double)jint(b, "events") / (double)maxev;
			fprintf(f, "<rect class=\"bucket\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"4\" "
			           "fill=\"%s\" fill-opacity=\"%.2f\"><title>", x1 + 0.5, y + LANE - 6,
			        x2 - x1 - 1 > 2 ? x2 - x1 - 1 : 2, type_color(top), op);
			html_escape(f, jstr(b, "hour"));
			fprintf(f, ": %lld events", jint(b, "events"));
			json_object_foreach(json_object_get(b, "signatures"), k, n) {
				fputs(", ", f);
				html_escape(f, k);
				fprintf(f, " %lld", (long long)json_integer_value(n));
			}
			fputs("</title></rect>", f);
		}
		/* signature spans, onset and stop marks */
		double onset = -1;
		json_array_foreach(json_object_get(d, "signatures"), j, s) {
			double s1 = html_parse_time(jstr(s, "first_seen")), s2 = html_parse_time(jstr(s, "last_seen"));
			if (s1 < 0) continue;
			if (s2 < s1) s2 = s1;
			const char *col = type_color(jstr(s, "type"));
			double x1 = ax(&a, s1), x2 = ax(&a, s2);
			if (x2 - x1 < 3) x2 = x1 + 3;
			fprintf(f, "<rect class=\"sigspan\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"8\" rx=\"3\" fill=\"%s\"><title>",
			        x1, yc - 4, x2 - x1, col);
			html_escape(f, jstr(s, "type"));
			if (jstr(s, "stage")) { fputc('/', f); html_escape(f, jstr(s, "stage")); }
			fprintf(f, " x%lld (%.2f) ", jint(s, "count"), json_number_value(json_object_get(s, "confidence")));
			html_escape(f, jstr(s, "first_seen"));
			fputs(" .. ", f);
			html_escape(f, jstr(s, "last_seen"));
			fputs("</title></rect>", f);
			fprintf(f, "<circle class=\"event\" cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"%s\" stroke=\"#fff\"/>", x1, yc, col);
			if (s2 > s1) fprintf(f, "<circle class=\"event\" cx=\"%.1f\" cy=\"%d\" r=\"3\" fill=\"%s\"/>", x2, yc, col);
			double on = jstr(s, "onset") ? html_parse_time(jstr(s, "onset")) : s1;
			if (json_number_value(json_object_get(s, "confidence")) >= min_conf && on >= 0 &&
			    (onset < 0 || on < onset))
				onset = on;
			const char *stp = jstr(s, "stopped");
			if (stp && html_parse_time(stp) >= 0) {
				double xs = ax(&a, html_parse_time(stp));
				fprintf(f, "<rect class=\"stopped\" x=\"%.1f\" y=\"%d\" width=\"3\" height=\"%d\" fill=\"#12b76a\">"
				           "<title>stopped ", xs + 4, y + 4, LANE - 8);
				html_escape(f, stp);
				fputs("</title></rect>", f);
			}
		}
		if (jstr(d, "onset") && html_parse_time(jstr(d, "onset")) >= 0) onset = html_parse_time(jstr(d, "onset"));
		if (onset >= 0) {
			double xo = ax(&a, onset);
			fprintf(f, "<g class=\"onset\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#101828\" "
			           "stroke-width=\"2\"/><path d=\"M%.1f %d l-5 -7 h10 z\" fill=\"#101828\"/><title>onset ",
			        xo, y + 2, xo, y + LANE - 2, xo, y + 9);
			fmt_hms(tb, sizeof tb, onset, true, 3);
			fputs(tb, f);
			fputs(" UTC</title></g>", f);
		}
		fputs("</g>\n", f);
	}
	fputs("</svg></div>\n", f);
	if (nd > lanes)
		fprintf(f, "<p class=\"muted small\">%zu more destinations not drawn (the table lists all).</p>\n", nd - lanes);
}

/* ------------------------------------------------------------------ */
/* injectors                                                           */

static void injectors(FILE *f, const json_t *r)
{
	const json_t *inj = json_object_get(r, "injectors"), *x, *y;
	size_t i, j;
	if (!json_is_array(inj) || !json_array_size(inj)) return;
	fputs("<h2>Injectors</h2>\n<table id=\"injectors\">\n<thead><tr><th>Id</th><th>Kind</th>"
	      "<th>Pattern</th><th>Destinations</th><th>Events</th><th>Hop distance</th>"
	      "<th>Other</th></tr></thead>\n<tbody>\n", f);
	json_array_foreach(inj, i, x) {
		fputs("<tr class=\"injector\"><td class=\"mono\">", f);
		html_value(f, json_object_get(x, "id"));
		fputs("</td><td>", f);
		html_value(f, json_object_get(x, "kind"));
		fputs("</td><td>", f);
		const json_t *pat = json_object_get(x, "pattern");
		if (json_is_object(pat)) {
			const char *k;
			json_object_foreach((json_t *)pat, k, y) {
				fputs("<span class=\"chip\">", f);
				html_escape(f, k);
				fputc('=', f);
				html_value(f, y);
				fputs("</span>", f);
			}
		} else {
			html_value(f, pat);
		}
		fputs("</td><td>", f);
		json_array_foreach(json_object_get(x, "destinations"), j, y) {
			if (j == 12) { fprintf(f, " +%zu more", json_array_size(json_object_get(x, "destinations")) - 12); break; }
			if (j) fputs(", ", f);
			html_value(f, y);
		}
		fprintf(f, "</td><td class=\"num\">%lld</td><td class=\"num\">", jint(x, "events"));
		html_value(f, json_object_get(x, "hop_distance"));
		fputs("</td><td class=\"small\">", f);
		const char *k;
		json_object_foreach((json_t *)x, k, y) {
			if (!strcmp(k, "id") || !strcmp(k, "kind") || !strcmp(k, "pattern") ||
			    !strcmp(k, "destinations") || !strcmp(k, "events") || !strcmp(k, "hop_distance"))
				continue;
			fputs("<span class=\"chip\">", f);
			html_escape(f, k);
			fputc('=', f);
			html_value(f, y);
			fputs("</span>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

/* The report as a non-executed data block: JSON with < > & escaped. */
static void data_block(FILE *f, const json_t *r)
{
	char *s = jsonw_dumps(r, 1, 4, NULL);
	fputs("<details><summary>Report JSON (embedded)</summary>\n"
	      "<script type=\"application/json\" id=\"tamperscope-report\">", f);
	for (const char *p = s ? s : "null"; *p; p++) {
		switch (*p) {
		case '<': fputs("\\u003c", f); break;
		case '>': fputs("\\u003e", f); break;
		case '&': fputs("\\u0026", f); break;
		default: fputc(*p, f);
		}
	}
	free(s);
	fputs("</script>\n<p class=\"muted small\">The full report is embedded in this file as "
	      "JSON (element <span class=\"mono\">#tamperscope-report</span>).</p></details>\n", f);
}

static int html_write_sorted(const json_t *r, FILE *f);

/* Render a key-sorted copy (as the report file has it), so the page is
 * the same whether rendered from memory (analyze) or from the file. */
int html_write(const json_t *r, FILE *f)
{
	char *s = jsonw_dumps(r, 0, 4, NULL);
	json_t *n = s ? json_loads(s, 0, NULL) : NULL;
	free(s);
	int rc = html_write_sorted(n ? n : r, f);
	json_decref(n);
	return rc;
}

static int html_write_sorted(const json_t *r, FILE *f)
{
	const json_t *g = json_object_get(r, "generator");
	double min_conf = 0.5;
	const json_t *mc = json_object_get(json_object_get(r, "options"), "min_confidence");
	if (json_is_number(mc)) min_conf = json_number_value(mc);
	page_head(f, r);
	page_header(f, r);
	dest_table(f, r);
	timeline(f, r, min_conf);
	injectors(f, r);
	data_block(f, r);
	fputs("<footer>", f);
	html_escape(f, jstr(g, "name") ? jstr(g, "name") : "tamperscope");
	fputc(' ', f);
	html_escape(f, jstr(g, "version") ? jstr(g, "version") : "");
	fputs(" &#x2013; schema ", f);
	html_escape(f, jstr(r, "schema") ? jstr(r, "schema") : "?");
	fputs(". Self-contained page: no script, no external resources.</footer>\n</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

int html_write_path(const json_t *report, const char *path, char *err)
{
	return ts_write_atomic(path, err, html_write, report);
}
