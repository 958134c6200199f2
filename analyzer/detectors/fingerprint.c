/* fingerprint.c - load and match the injector fingerprint data file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dissect.h"
#include "fingerprint.h"
#include "tunables.h"
#include "util.h"

struct fp_rule {
	char name[32];
	int flags;                 /* -1 any */
	int df;                    /* -1 any */
	long ipid_lo, ipid_hi;     /* -1 any */
	long win_lo, win_hi;
	long ttl_lo, ttl_hi;
	bool ipid_win13;
};

struct fingerprints { struct fp_rule r[FP_MAX]; unsigned n; };

static int parse_flags(const char *s)
{
	int f = 0;
	for (; *s; s++) {
		if (*s == 'R') f |= TH_RST; else if (*s == 'A') f |= TH_ACK;
		else if (*s == 'F') f |= TH_FIN; else if (*s == 'P') f |= TH_PSH;
		else if (*s == 'S') f |= TH_SYN; else return -1;
	}
	return f;
}

static void parse_range(const char *s, long *lo, long *hi)
{
	char *e;
	*lo = strtol(s, &e, 0);
	*hi = (*e == '-') ? strtol(e + 1, NULL, 0) : *lo;
}

static void parse_line(struct fingerprints *fp, char *line)
{
	char *save = NULL, *tok = strtok_r(line, " \t\n", &save);
	if (!tok || *tok == '#' || fp->n >= FP_MAX) return;
	struct fp_rule *r = &fp->r[fp->n];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", tok);
	r->flags = r->df = -1;
	r->ipid_lo = r->win_lo = r->ttl_lo = -1;
	while ((tok = strtok_r(NULL, " \t\n", &save))) {
		char *v = strchr(tok, '=');
		if (!v || *tok == '#') break;
		*v++ = 0;
		if (!strcmp(tok, "flags")) r->flags = parse_flags(v);
		else if (!strcmp(tok, "df")) r->df = atoi(v);
		else if (!strcmp(tok, "ipid")) parse_range(v, &r->ipid_lo, &r->ipid_hi);
		else if (!strcmp(tok, "win")) parse_range(v, &r->win_lo, &r->win_hi);
		else if (!strcmp(tok, "ttl")) parse_range(v, &r->ttl_lo, &r->ttl_hi);
		else if (!strcmp(tok, "ipid_win13")) r->ipid_win13 = atoi(v) != 0;
	}
	fp->n++;
}

struct fingerprints *fp_load(const char *path)
{
	struct fingerprints *fp = xcalloc(1, sizeof *fp);
	char buf[512];
	FILE *f = path ? fopen(path, "r") : data_open("injectors.txt", NULL, 0);
	if (!f) return fp;
	while (fgets(buf, sizeof buf, f)) parse_line(fp, buf);
	fclose(f);
	return fp;
}

void fp_free(struct fingerprints *f) { free(f); }

static bool in(long lo, long hi, long v) { return lo < 0 || (v >= lo && v <= hi); }

const char *fp_match(const struct fingerprints *fp, const struct fp_pkt *p)
{
	for (unsigned i = 0; i < fp->n; i++) {
		const struct fp_rule *r = &fp->r[i];
		bool v4only = r->df >= 0 || r->ipid_lo >= 0 || r->ipid_win13;
		if (v4only && !p->v4) continue;
		if (r->flags >= 0 && (p->flags & (TH_RST | TH_ACK | TH_FIN | TH_PSH | TH_SYN)) != r->flags) continue;
		if (r->df >= 0 && (int)p->df != r->df) continue;
		if (!in(r->ipid_lo, r->ipid_hi, p->ipid)) continue;
		if (!in(r->win_lo, r->win_hi, p->win)) continue;
		if (!in(r->ttl_lo, r->ttl_hi, p->ttl)) continue;
		if (r->ipid_win13 && p->ipid != (uint16_t)(0xffffu - (uint32_t)p->win * 13u)) continue;
		return r->name;
	}
	return NULL;
}
