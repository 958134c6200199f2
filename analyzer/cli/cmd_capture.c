/* cmd_capture.c - `tamperscope capture -i IFACE`: live capture with the
 * same engine, detectors and report as `analyze`.
 *
 * Threads: one worker thread per pcap handle (--workers N; N > 1 joins the
 * handles with PACKET_FANOUT), each with its own engine; the main thread
 * handles the signals (blocked everywhere, taken with sigtimedwait), the
 * periodic report / stats line, the stop conditions and the end.  A
 * worker holds its engine's mutex while it feeds a packet; the main thread
 * takes it to read the engine (interim report, stats).  Event lines from
 * all engines go to one FILE*, written a whole line at a time under
 * flockfile (jsonw_line), so the stream stays valid JSON Lines.
 *
 * Privileges: handles, output files and engines are made first, then -Z
 * drops to USER, then the workers start: no packet is parsed as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "capture_live.h"
#include "cli.h"
#include "engine_int.h"
#include "jsonw.h"
#include "outputs.h"
#include "report.h"
#include "tunables.h"
#include "util.h"

struct cap;

struct worker {
	struct cap *g;
	int idx;
	pthread_t th;
	bool started;
	pcap_t *p;
	int dlt;
	struct engine *e;
	pthread_mutex_t mu;           /* guards e and the stats below */
	struct pcap_stat ps;          /* latest pcap_stats() */
	uint64_t drops, last_drop_rise;
	uint64_t skipped;             /* received before the fanout group was whole */
	bool failed;
	char errmsg[PCAP_ERRBUF_SIZE + 64];
};

struct cap {
	struct worker w[MAX_WORKERS];
	int nw;
	atomic_int stop;
	atomic_ullong seen;           /* packets taken (for -c) */
	uint64_t max_packets;
	uint64_t t_join;              /* µs, realtime: fanout group complete */
	const char *iface, *filter, *out, *events_path;
	FILE *events;
	struct outputs xo;            /* --html, Kafka, enrichment */
};

static uint64_t mono_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static uint64_t real_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

static void usage_capture(FILE *f)
{
	fprintf(f,
	"usage: tamperscope capture -i IFACE [options]\n"
	"  -i IFACE            interface to capture on (required)\n"
	"  -o FILE             report JSON: written at start (empty), rewritten atomically\n"
	"                      every --interval, on SIGHUP and at exit (default: stdout at exit)\n"
	"  -e FILE             JSONL tamper events as they happen + `stats` lines (- = stdout)\n"
	"  --interval S        report rewrite period (default 60; 0 = only at exit)\n"
	"  --stats S           stats line period in the event stream (default: --interval)\n"
	"  -f EXPR             BPF filter\n"
	"  -s SNAPLEN          bytes kept per packet (default 262144)\n"
	"  -B KIB              kernel buffer per worker in KiB (default 32768)\n"
	"  -p                  do not put the interface in promiscuous mode\n"
	"  --read-timeout MS   read timeout / ring block timeout (default 100)\n"
	"  -c N                stop after N packets\n"
	"  --duration S        stop after S seconds\n"
	"  -Z USER             drop to USER once the capture is open (before parsing)\n"
	"  --workers N         N capture threads joined by PACKET_FANOUT (default 1)\n"
	"  -q                  quiet: no start/summary lines on stderr\n"
	"  engine options as for `analyze`: --targets --syn-timeout --dns-hold --max-flows\n"
	"  --tcp-idle --udp-idle --reasm-bytes --min-confidence --no-ndpi --evidence --evidence-max\n"
	OUTPUTS_USAGE
	"  SIGINT/SIGTERM: final report, exit 0;  SIGHUP: reopen -e FILE, rewrite the report\n"
	"exit: 0 ok, 1 usage, 2 capture cannot start (interface, privileges), 3 output error\n");
}

enum { O_INTERVAL = O_CLI_LAST, O_STATS, O_DURATION, O_WORKERS, O_RTO };

static const struct option capture_opts[] = {
	CLI_ENGINE_LONG_OPTS
	OUTPUTS_LONG_OPTS
	{ "interval", required_argument, 0, O_INTERVAL },
	{ "stats", required_argument, 0, O_STATS },
	{ "duration", required_argument, 0, O_DURATION },
	{ "workers", required_argument, 0, O_WORKERS },
	{ "read-timeout", required_argument, 0, O_RTO },
	{ "help", no_argument, 0, 'h' },
	{ "version", no_argument, 0, O_VERSION },
	{ 0, 0, 0, 0 },
};

static int unum(const char *s, unsigned long max, unsigned long *out)
{
	char *e;
	errno = 0;
	unsigned long v = strtoul(s, &e, 10);
	if (errno || !*s || *e || *s == '-' || v > max) return -1;
	*out = v;
	return 0;
}

/* ---- the workers ---- */

static void update_stats(struct worker *w)
{
	struct pcap_stat ps;
	if (pcap_stats(w->p, &ps) < 0) return;
	uint64_t now = mono_us();
	pthread_mutex_lock(&w->mu);
	w->ps = ps;
	/* ps_ifdrop is per interface: counted once, by worker 0 */
	uint64_t d = ps.ps_drop + (w->idx == 0 ? ps.ps_ifdrop : 0);
	if (d > w->drops) w->last_drop_rise = now;
	w->drops = d;
	w->e->dropped = (int64_t)d;
	w->e->sensor_dropping = w->last_drop_rise && now - w->last_drop_rise < DROP_RECENT_US;
	pthread_mutex_unlock(&w->mu);
}

static void on_packet(u_char *u, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct worker *w = (struct worker *)u;
	struct cap *g = w->g;
	if (g->t_join && (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec < g->t_join) {
		w->skipped++;
		return;
	}
	if (g->max_packets) {
		unsigned long long k = atomic_fetch_add(&g->seen, 1);
		if (k >= g->max_packets) {
			atomic_store(&g->stop, 1);
			pcap_breakloop(w->p);
			return;
		}
		if (k + 1 == g->max_packets) {
			atomic_store(&g->stop, 1);
			pcap_breakloop(w->p);
		}
	}
	pthread_mutex_lock(&w->mu);
	engine_packet(w->e, w->dlt, h, bytes);
	pthread_mutex_unlock(&w->mu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct cap *g = w->g;
	uint64_t next = 0;
	while (!atomic_load(&g->stop)) {
		int n = pcap_dispatch(w->p, -1, on_packet, (u_char *)w);
		if (n == PCAP_ERROR) {
			snprintf(w->errmsg, sizeof w->errmsg, "%s", pcap_geterr(w->p));
			w->errmsg[strcspn(w->errmsg, "\n")] = 0;
			w->failed = true;
			atomic_store(&g->stop, 1);
			break;
		}
		uint64_t now = mono_us();
		if (now >= next) { update_stats(w); next = now + 1000000; }
	}
	update_stats(w);
	return NULL;
}

/* Workers: one packet clock.  An engine's clock moves only with its own
 * packets; a worker whose flows went quiet would never expire them nor
 * decide its dropped SYNs.  The main thread moves every engine to the
 * latest packet time of all workers, minus a margin during the run (the
 * other rings may still hold older packets, up to a block timeout), to
 * the exact maximum at the end. */
static void sync_clocks(struct cap *g, uint64_t margin_us)
{
	uint64_t max = 0;
	if (g->nw < 2) return;
	for (int i = 0; i < g->nw; i++) {
		pthread_mutex_lock(&g->w[i].mu);
		if (g->w[i].e->now > max) max = g->w[i].e->now;
		pthread_mutex_unlock(&g->w[i].mu);
	}
	if (max <= margin_us) return;
	for (int i = 0; i < g->nw; i++) {
		pthread_mutex_lock(&g->w[i].mu);
		if (g->w[i].e->packets) engine_advance(g->w[i].e, max - margin_us);
		pthread_mutex_unlock(&g->w[i].mu);
	}
}

/* ---- output ---- */

static json_t *build_report(struct cap *g)
{
	struct report_source src = { .interface = g->iface, .filter = g->filter };
	json_t *reps[MAX_WORKERS];
	for (int i = 0; i < g->nw; i++) {
		pthread_mutex_lock(&g->w[i].mu);
		reps[i] = report_build(g->w[i].e, &src);
		pthread_mutex_unlock(&g->w[i].mu);
	}
	if (g->nw == 1) return reps[0];
	json_t *r = live_merge_reports(reps, g->nw, g->w[0].e->o.min_confidence);
	for (int i = 0; i < g->nw; i++) json_decref(reps[i]);
	return r;
}

/* Enrich, write the JSON, then the HTML page (--html): 0 or an exit code. */
static int emit_report(struct cap *g, json_t *r, const char *path)
{
	char err[256];
	int rc = outputs_enrich(&g->xo, r, err);
	if (!rc) rc = report_write_json(r, path, err) ? 3 : 0;
	if (!rc) rc = outputs_html(&g->xo, r, err);
	if (rc) ts_err(NULL, "%s", err);
	return rc;
}

static int write_report(struct cap *g, const char *path)
{
	json_t *r = build_report(g);
	int rc = emit_report(g, r, path);
	json_decref(r);
	return rc;
}

/* What one stats line reports, summed over the workers. */
struct cap_stats {
	uint64_t packets, recv, drop, ifdrop, skipped, events;
	uint64_t active, created, evicted, expired, dests;
	uint64_t per[MAX_WORKERS];
	bool dropping;
};

static void stats_sum(struct cap *g, struct cap_stats *t)
{
	memset(t, 0, sizeof *t);
	for (int i = 0; i < g->nw; i++) {
		struct worker *w = &g->w[i];
		struct ft_stats fs;
		pthread_mutex_lock(&w->mu);
		ft_stats(w->e->ft, &fs);
		t->packets += w->e->packets;
		t->per[i] = w->e->packets;
		t->events += w->e->events;
		t->dests += dest_count(w->e->dt);
		t->recv += w->ps.ps_recv;
		t->drop += w->ps.ps_drop;
		if (i == 0) t->ifdrop = w->ps.ps_ifdrop;
		t->skipped += w->skipped;
		t->dropping |= w->e->sensor_dropping;
		pthread_mutex_unlock(&w->mu);
		t->active += fs.active; t->created += fs.created;
		t->evicted += fs.evicted; t->expired += fs.expired;
	}
}

/* The "stats" object, keys in order (jsonw.h). */
static void stats_obj(struct jw *w, const struct cap *g, const struct cap_stats *t, bool final)
{
	jw_obj(w, "stats");
	jw_int(w, "destinations", (int64_t)t->dests);
	jw_int(w, "events", (int64_t)t->events);
	jw_int(w, "evictions", (int64_t)t->evicted);
	jw_int(w, "expired", (int64_t)t->expired);
	jw_bool(w, "final", final);
	jw_int(w, "flows", (int64_t)t->active);
	jw_int(w, "flows_created", (int64_t)t->created);
	jw_int(w, "packets", (int64_t)t->packets);
	jw_arr(w, "packets_per_worker");
	for (int i = 0; i < g->nw; i++) jw_int(w, NULL, (int64_t)t->per[i]);
	jw_end(w);
	jw_int(w, "ps_drop", (int64_t)t->drop);
	jw_int(w, "ps_ifdrop", (int64_t)t->ifdrop);
	jw_int(w, "ps_recv", (int64_t)t->recv);
	jw_bool(w, "sensor_dropping", t->dropping);
	jw_int(w, "skipped_at_start", (int64_t)t->skipped);
	jw_int(w, "workers", g->nw);
	jw_end(w);
}

static void stats_event(struct cap *g, bool final)
{
	struct cap_stats t;
	if (!g->events) return;
	stats_sum(g, &t);
	struct jw *w = jw_new_text(0, 0, 0, false);
	jw_obj(w, NULL);
	jw_str(w, "event_type", "stats");
	jw_str(w, "interface", g->iface);
	stats_obj(w, g, &t, final);
	jw_time(w, "timestamp", real_us());
	jw_end(w);
	size_t n = 0;
	char *line = jw_take_text(w, &n);
	jsonw_line(g->events, line, n);
	free(line);
}

/* SIGHUP: point the events FILE* at a freshly opened PATH (after logrotate
 * moved the old one).  dup2() swaps the descriptor under the FILE lock, so
 * the FILE* every engine holds stays valid and no line is split or lost;
 * if the open fails we keep writing to the old file. */
static void reopen_events(struct cap *g)
{
	if (!g->events || !g->events_path || !strcmp(g->events_path, "-")) return;
	int fd = open(g->events_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		ts_err(g->events_path, "cannot reopen: %s (still writing to the old file)",
		       strerror(errno));
		return;
	}
	flockfile(g->events);
	fflush(g->events);
	if (dup2(fd, fileno(g->events)) < 0)
		ts_err(g->events_path, "cannot reopen: %s", strerror(errno));
	funlockfile(g->events);
	close(fd);
}

/* ---- privileges ---- */

static int drop_privileges(const struct passwd *pw)
{
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if (initgroups(pw->pw_name, gid) && setgroups(1, &gid)) {
		ts_err("-Z", "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setgid(gid)) { ts_err("-Z", "setgid(%u): %s", (unsigned)gid, strerror(errno)); return -1; }
	if (setuid(uid)) { ts_err("-Z", "setuid(%u): %s", (unsigned)uid, strerror(errno)); return -1; }
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
		ts_err("-Z", "privilege drop to %s did not take", pw->pw_name);
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		ts_err("-Z", "could regain root after dropping to %s: refusing to run", pw->pw_name);
		return -1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}

/* Output files created as root are handed to the -Z user, so that the
 * report's rename and a SIGHUP reopen work after the drop. */
static void give_file(const char *path, const struct passwd *pw)
{
	if (!path || !strcmp(path, "-")) return;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0)
		if (chown(path, pw->pw_uid, pw->pw_gid))
			ts_err(path, "chown to %s: %s", pw->pw_name, strerror(errno));
}

/* ---- the command ---- */

static void on_sig(int sig) { (void)sig; }


int cmd_capture(int argc, char **argv)
{
	static struct cap G;                  /* big; one per process */
	struct cap *g = &G;
	struct engine_opts o;
	struct live_opts lo = { .snaplen = 262144, .buffer_kib = 32768, .promisc = true,
	                        .timeout_ms = 100 };
	const char *user = NULL;
	unsigned long interval = 60, stats_iv = 0, duration = 0, nworkers = 1, v;
	bool stats_set = false, quiet = false;
	int c, rc = 0;
	char err[PCAP_ERRBUF_SIZE + 256] = "";

	memset(g, 0, sizeof *g);
	g->out = "-";
	engine_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:o:e:f:s:B:pc:Z:qh", cli_long_opts(capture_opts), NULL)) != -1) {
		int r = cli_engine_opt(c, optarg, &o);
		if (r == 0) r = outputs_opt(c, optarg, &g->xo);
		if (r < 0) { ts_err(NULL, "bad value for option: %s", optarg); return 1; }
		if (r > 0) continue;
		switch (c) {
		case 'i': lo.iface = optarg; break;
		case 'o': g->out = optarg; break;
		case 'e': g->events_path = optarg; break;
		case 'f': lo.filter = optarg; break;
		case 'p': lo.promisc = false; break;
		case 'q': quiet = true; break;
		case 'Z': user = optarg; break;
		case 's': case 'B': case 'c': case O_INTERVAL: case O_STATS: case O_DURATION:
		case O_WORKERS: case O_RTO:
			if (unum(optarg, c == 'c' ? (unsigned long)-1 : 100000000UL, &v) ||
			    (c == 's' && (v < 64 || v > 262144)) ||
			    (c == O_WORKERS && (v < 1 || v > MAX_WORKERS)) ||
			    (c == O_RTO && (v < 1 || v > 10000))) {
				ts_err(NULL, "bad value for option: %s", optarg);
				return 1;
			}
			if (c == 's') lo.snaplen = (int)v;
			if (c == 'B') lo.buffer_kib = (int)(v > 4194304 ? 4194304 : v);
			if (c == 'c') g->max_packets = v;
			if (c == O_INTERVAL) interval = v;
			if (c == O_STATS) { stats_iv = v; stats_set = true; }
			if (c == O_DURATION) duration = v;
			if (c == O_WORKERS) nworkers = v;
			if (c == O_RTO) lo.timeout_ms = (int)v;
			break;
		case 'h': usage_capture(stdout); return 0;
		case O_VERSION: printf("%s %s\n", TS_NAME, TS_VERSION); return 0;
		default: usage_capture(stderr); return 1;
		}
	}
	if (!lo.iface || optind != argc) { usage_capture(stderr); return 1; }
	if (!stats_set) stats_iv = interval;
	g->iface = lo.iface;
	g->filter = lo.filter;
	g->nw = (int)nworkers;

	struct passwd pwbuf, *pw = NULL;
	if (user) {
		struct passwd *p = getpwnam(user);
		if (!p) { ts_err("-Z", "no such user: %s", user); return 1; }
		pwbuf = *p;
		pwbuf.pw_name = xstrdup(p->pw_name);
		pw = &pwbuf;
	}

	/* 1. the capture handles (needs root or CAP_NET_RAW) */
	for (int i = 0; i < g->nw; i++) {
		enum live_err why;
		struct worker *w = &g->w[i];
		w->g = g;
		w->idx = i;
		w->p = live_open(&lo, &why, err, sizeof err);
		if (!w->p) {
			ts_err(NULL, "%s", err);
			rc = why == LIVE_ERR_FILTER ? 1 : 2;
			goto out_handles;
		}
		w->dlt = pcap_datalink(w->p);
		/* a group even for one worker: fragments then arrive reassembled
		 * (FLAG_DEFRAG) whatever the number of workers, so 1 and N
		 * workers see the same packets */
		if (live_join_fanout(w->p, (unsigned)getpid() & 0xffff, err, sizeof err)) {
			ts_err(lo.iface, "%s", err);
			pcap_close(w->p);
			w->p = NULL;
			rc = 2;
			goto out_handles;
		}
	}
	if (g->nw > 1) g->t_join = real_us();

	/* 2. outputs, opened while we may still create them anywhere */
	g->events = cli_open_events(g->events_path, err);
	if (g->events_path && !g->events) { ts_err(NULL, "%s", err); rc = 3; goto out_handles; }
	o.events = g->events;

	/* the Kafka sink (thread-safe: librdkafka's producer is) and the
	 * enrichment databases */
	rc = outputs_start(&g->xo, &o, err);
	if (rc) { ts_err(NULL, "%s", err); goto out_handles; }

	/* 3. engines (a shared, locked DNS name cache when there are workers) */
	if (g->nw > 1) o.shared_dnsc = dnsc_new_shared(o.dns_cache_max, 300);
	for (int i = 0; i < g->nw; i++) {
		g->w[i].e = engine_new(&o, err);
		if (!g->w[i].e) { ts_err(NULL, "%s", err); rc = 2; goto out_engines; }
		pthread_mutex_init(&g->w[i].mu, NULL);
	}

	/* 4. privileges: drop before any packet is parsed */
	if (pw) {
		give_file(g->events_path, pw);
		give_file(g->out, pw);
		if (drop_privileges(pw)) { rc = 2; goto out_engines; }
	}
	/* a valid (empty) report from the start; proves the directory is
	 * writable for the atomic rename by the user we now run as */
	if (strcmp(g->out, "-")) {
		if (write_report(g, g->out)) {
			if (pw) ts_err(g->out, "its directory must be writable by %s (the report is "
			               "replaced by rename); see docs/gateway.md", pw->pw_name);
			rc = 3;
			goto out_engines;
		}
	}

	/* 5. signals: blocked in every thread, taken by the main loop */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* not SIG_IGN (a shell's background job ignores SIGINT): a no-op
	 * handler, the blocked signal waits for sigtimedwait */
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	signal(SIGHUP, on_sig);
	signal(SIGPIPE, SIG_IGN);

	for (int i = 0; i < g->nw; i++) {
		if (pthread_create(&g->w[i].th, NULL, worker_main, &g->w[i])) {
			ts_err(NULL, "cannot start worker thread");
			atomic_store(&g->stop, 1);
			rc = 2;
			break;
		}
		g->w[i].started = true;
	}
	if (!quiet && !rc)
		fprintf(stderr, "tamperscope: capturing on %s (%d worker%s, snaplen %d)%s%s\n",
		        lo.iface, g->nw, g->nw > 1 ? "s" : "", lo.snaplen,
		        pw ? " as " : "", pw ? pw->pw_name : "");

	uint64_t t0 = mono_us();
	uint64_t next_report = interval ? t0 + interval * 1000000ULL : UINT64_MAX;
	uint64_t next_stats = stats_iv ? t0 + stats_iv * 1000000ULL : UINT64_MAX;
	while (!atomic_load(&g->stop)) {
		struct timespec to = { 0, 200 * 1000000L };
		int s = sigtimedwait(&set, NULL, &to);
		uint64_t now = mono_us();
		if (s == SIGINT || s == SIGTERM) break;
		if (s == SIGHUP) {
			reopen_events(g);
			if (strcmp(g->out, "-")) next_report = now;
		}
		if (duration && now - t0 >= duration * 1000000ULL) break;
		sync_clocks(g, 1000000 + 2000ULL * (uint64_t)lo.timeout_ms);
		if (now >= next_stats) {
			stats_event(g, false);
			next_stats = now + stats_iv * 1000000ULL;
		}
		if (now >= next_report) {
			if (strcmp(g->out, "-")) write_report(g, g->out);   /* logged; retried next time */
			next_report = interval ? now + interval * 1000000ULL : UINT64_MAX;
		}
	}
	atomic_store(&g->stop, 1);
	for (int i = 0; i < g->nw; i++) pcap_breakloop(g->w[i].p);
	for (int i = 0; i < g->nw; i++)
		if (g->w[i].started) pthread_join(g->w[i].th, NULL);
	for (int i = 0; i < g->nw; i++)
		if (g->w[i].failed) {
			ts_err(lo.iface, "%s", g->w[i].errmsg);
			rc = 2;
		}

	/* the end: flush every flow, final report, last stats line */
	sync_clocks(g, 0);
	for (int i = 0; i < g->nw; i++) engine_finish(g->w[i].e);
	json_t *r = build_report(g);
	int wrc = emit_report(g, r, g->out);
	if (wrc) rc = wrc;
	else if (!quiet) report_summary(r, stderr);
	json_decref(r);
	stats_event(g, true);

out_engines:
	for (int i = 0; i < g->nw; i++) {
		if (!g->w[i].e) continue;
		engine_free(g->w[i].e);
		pthread_mutex_destroy(&g->w[i].mu);
	}
	dnsc_free(o.shared_dnsc);
	if (g->events) {
		/* a failed write only sets the stream's error flag (full disk,
		 * /dev/full): check it, not just fclose() */
		int bad = ferror(g->events) || fflush(g->events);
		int e = errno;
		if (g->events != stdout && fclose(g->events) && !bad) { bad = 1; e = errno; }
		if (bad) {
			ts_err(g->events_path, "cannot write events: %s", strerror(e ? e : EIO));
			rc = 3;
		}
	}
out_handles:
	for (int i = 0; i < g->nw; i++)
		if (g->w[i].p) pcap_close(g->w[i].p);
	if (pw) free(pwbuf.pw_name);
	char cerr[256];
	if (outputs_close(&g->xo, cerr)) {      /* flushes Kafka */
		ts_err(NULL, "%s", cerr);
		if (!rc) rc = 3;
	}
	return rc;
}
