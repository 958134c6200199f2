/* fuzz_engine.c - the whole per-packet path with flow state:
 * engine_new -> engine_packet* -> engine_finish -> report_build -> engine_free,
 * with nDPI on, small caps, events written to /dev/null.
 *
 * Input:  byte 0: DLT (fuzz_dlts[b % 8]); bit 3: no nDPI; then records
 *         [u8 dt][u16 len, big endian][len bytes] (a short last record
 *         takes what is left).  dt moves packet time: 0..253 -> +dt*10 ms,
 *         254 -> 1 s backwards, 255 -> +400 s (idle timeouts expire).
 * The report must dump as JSON and parse back.
 *
 * nDPI's module takes ~0.25 s to initialise; the target is linked with
 * -Wl,--wrap=ndpi_ctx_new,--wrap=ndpi_ctx_free (fuzz.mk) so one module is
 * made once and reused by every engine (its flow state is per engine).
 */
#include <jansson.h>
#include "engine.h"
#include "report.h"
#include "fuzz.h"

#include "ndpi_glue.h"

static FILE *devnull;

/* Report invariants beyond "it is JSON": times are null or
 * YYYY-MM-DDTHH:MM:SS.uuuuuuZ; destination names and hosts are printable
 * ASCII without quote or markup characters (name_clean / DNS \DDD). */
static void check_time(const json_t *x)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	if (json_is_null(x)) return;
	const char *s = json_string_value(x);
	FUZZ_CHECK(s && strlen(s) == sizeof pat - 1);
	for (size_t i = 0; pat[i]; i++)
		FUZZ_CHECK(pat[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == pat[i]);
}

static void check_name(const json_t *x)
{
	const char *s = json_string_value(x);
	FUZZ_CHECK(s && *s);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		FUZZ_CHECK(c > 0x20 && c < 0x7f && !strchr("\"<>'&", c));
	}
}

static void check_report(const json_t *r)
{
	const json_t *c = json_object_get(r, "capture");
	check_time(json_object_get(c, "start"));
	check_time(json_object_get(c, "end"));
	size_t i, j;
	json_t *d, *x;
	json_array_foreach(json_object_get(r, "destinations"), i, d) {
		check_name(json_object_get(d, "destination"));
		json_array_foreach(json_object_get(d, "hosts"), j, x) check_name(x);
		check_time(json_object_get(d, "first_seen"));
		check_time(json_object_get(d, "last_seen"));
		FUZZ_CHECK(json_is_object(json_object_get(d, "tcp")));
		FUZZ_CHECK(json_is_string(json_object_get(d, "verdict")));
		json_array_foreach(json_object_get(d, "signatures"), j, x) {
			check_time(json_object_get(x, "first_seen"));
			check_time(json_object_get(x, "last_seen"));
			double conf = json_number_value(json_object_get(x, "confidence"));
			FUZZ_CHECK(conf >= 0 && conf <= 1);
		}
	}
}

struct ndpi_ctx *__real_ndpi_ctx_new(void);
struct ndpi_ctx *__wrap_ndpi_ctx_new(void);
void __wrap_ndpi_ctx_free(struct ndpi_ctx *n);

static struct ndpi_ctx *ndpi_once;

struct ndpi_ctx *__wrap_ndpi_ctx_new(void)
{
	if (!ndpi_once) ndpi_once = __real_ndpi_ctx_new();
	return ndpi_once;
}

void __wrap_ndpi_ctx_free(struct ndpi_ctx *n)
{
	(void)n;                   /* kept for the next input */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	struct engine_opts o;
	if (size < 1) return 0;
	if (!devnull && !(devnull = fopen("/dev/null", "w"))) abort();

	engine_opts_default(&o);
	o.max_flows = 16;
	o.dns_cache_max = 16;
	engine_opts_set_det(&o, "dns-pending-max", 8);
	o.dest_max = 16;
	o.reasm_bytes = 2048;
	o.ndpi_max_pkts = 6;
	o.use_ndpi = !(data[0] & 8);
	o.events = devnull;
	o.targets_file = getenv("TS_FUZZ_TARGETS");  /* NULL: data/targets.txt */
	struct engine *e = engine_new(&o, err);
	if (!e) {
		fprintf(stderr, "fuzz_engine: engine_new: %s (run from the repository)\n", err);
		abort();
	}
	int dlt = fuzz_dlts[data[0] % FUZZ_NDLT];
	int64_t t = 1700000000LL * 1000000;
	size_t i = 1;
	while (i < size) {
		uint8_t dt = data[i++];
		size_t len = 0;
		if (i + 2 <= size) { len = (size_t)data[i] << 8 | data[i + 1]; i += 2; }
		else i = size;
		if (len > size - i) len = size - i;
		if (dt == 254) t -= 1000000;
		else if (dt == 255) t += 400LL * 1000000;
		else t += (int64_t)dt * 10000;
		struct pcap_pkthdr h;
		memset(&h, 0, sizeof h);
		h.ts.tv_sec = (time_t)(t / 1000000);
		h.ts.tv_usec = (suseconds_t)(t % 1000000);
		h.caplen = (bpf_u_int32)len;
		h.len = (bpf_u_int32)len + (dt & 1 ? 0 : 40);
		uint8_t *pkt = malloc(len ? len : 1);    /* exact size for ASan */
		if (!pkt) abort();
		memcpy(pkt, data + i, len);
		engine_packet(e, dlt, &h, pkt);
		free(pkt);
		i += len;
	}
	engine_finish(e);
	const char *files[] = { "fuzz.pcap" };
	struct report_source src = { .files = files, .nfiles = 1 };
	json_t *r = report_build(e, &src);
	FUZZ_CHECK(r != NULL);
	char *s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	FUZZ_CHECK(s != NULL);
	json_error_t je;
	json_t *back = json_loads(s, 0, &je);
	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(json_is_array(json_object_get(back, "destinations")));
	FUZZ_CHECK(json_equal(r, back));
	check_report(r);
	json_decref(back);
	free(s);
	json_decref(r);
	engine_free(e);
	return 0;
}
