/* test_community_id.c - SHA-1 known answers and Community ID v1 vectors.
 *
 * Vectors: ../shared/community-id/baseline_deflt.json (relative to the
 * repo root, where tests/run-tests.sh runs us); SKIP if absent.  A few
 * built-in cases (seed 0 and seed 1, from the spec's baseline files)
 * always run.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "community_id.h"
#include "sha1.h"
#include "testhelp.h"

#define VECTORS "../shared/community-id/baseline_deflt.json"

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int sha1_is(const void *msg, size_t len, const char *want)
{
	uint8_t d[SHA1_DIGEST_LEN];
	char h[2 * SHA1_DIGEST_LEN + 1];

	sha1(msg, len, d);
	hex(d, sizeof(d), h);
	return strcmp(h, want) == 0;
}

static void test_sha1(void)
{
	static const char m448[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char m896[] =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	test_cond("sha1 empty", sha1_is("", 0,
		"da39a3ee5e6b4b0d3255bfef95601890afd80709"));
	test_cond("sha1 abc", sha1_is("abc", 3,
		"a9993e364706816aba3e25717850c26c9cd0d89d"));
	test_cond("sha1 448-bit", sha1_is(m448, strlen(m448),
		"84983e441c3bd26ebaae4aa1f95129e5e54670f1"));
	test_cond("sha1 896-bit", sha1_is(m896, strlen(m896),
		"a49b2446a02c645bf419f995b67091253a04a259"));

	/* one million 'a', fed in uneven chunks to exercise buffering */
	static uint8_t chunk[1000];
	memset(chunk, 'a', sizeof(chunk));
	struct sha1_ctx c;
	uint8_t d[SHA1_DIGEST_LEN];
	char h[2 * SHA1_DIGEST_LEN + 1];
	size_t left = 1000000, step = 1;
	sha1_init(&c);
	while (left > 0) {
		size_t n = step < left ? step : left;
		sha1_update(&c, chunk, n);
		left -= n;
		step = (step * 7 + 3) % sizeof(chunk) + 1;   /* 1..1000 */
	}
	sha1_final(&c, d);
	hex(d, sizeof(d), h);
	test_cond("sha1 million a", strcmp(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f") == 0);

	/* lengths around the 55/56/64-byte padding boundaries agree between
	 * one-shot and byte-at-a-time */
	int ok = 1;
	for (size_t n = 0; n <= 130; n++) {
		uint8_t a[SHA1_DIGEST_LEN], b[SHA1_DIGEST_LEN];
		uint8_t msg[130];
		for (size_t i = 0; i < n; i++)
			msg[i] = (uint8_t)(i * 31 + 7);
		sha1(msg, n, a);
		sha1_init(&c);
		for (size_t i = 0; i < n; i++)
			sha1_update(&c, msg + i, 1);
		sha1_final(&c, b);
		if (memcmp(a, b, sizeof(a)) != 0)
			ok = 0;
	}
	test_cond("sha1 streaming == one-shot, lengths 0..130", ok);
}

static int parse_addr(const char *s, struct ts_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = 6;
		return 0;
	}
	return -1;
}

static int cid_is(const char *sa, uint16_t sp, const char *da, uint16_t dp,
                  uint8_t proto, uint16_t seed, const char *want)
{
	struct ts_addr s, d;
	char out[COMMUNITY_ID_LEN];

	if (parse_addr(sa, &s) || parse_addr(da, &d))
		return 0;
	if (community_id_v1(&s, sp, &d, dp, proto, seed, out, sizeof(out)) != 0)
		return 0;
	if (strcmp(out, want) != 0) {
		printf("  %s:%u -> %s:%u proto %u seed %u: got %s want %s\n",
		       sa, sp, da, dp, proto, seed, out, want);
		return 0;
	}
	return 1;
}

static void test_builtin(void)
{
	test_cond("tcp v4 seed 0", cid_is("128.232.110.120", 34855,
		"66.35.250.204", 80, 6, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="));
	test_cond("tcp v4 seed 0 reversed", cid_is("66.35.250.204", 80,
		"128.232.110.120", 34855, 6, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="));
	/* seed 1: community-id-spec baseline/baseline_seed1.json */
	test_cond("tcp v4 seed 1", cid_is("128.232.110.120", 34855,
		"66.35.250.204", 80, 6, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="));
	test_cond("icmp6 NS seed 1", cid_is("fe80::200:86ff:fe05:80da", 135,
		"fe80::260:97ff:fe07:69ea", 0, 58, 1, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="));
	test_cond("rsvp (no ports) seed 1", cid_is("10.1.12.2", 0,
		"10.1.12.1", 0, 46, 1, "1:rYir8gphR31noO9iDRQmF/BteEI="));

	/* ICMP: echo request with code 0 and reply hash alike; the code of
	 * a two-way type does not matter */
	test_cond("icmp echo req (code 0)", cid_is("192.168.0.89", 8,
		"192.168.0.1", 0, 1, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="));
	test_cond("icmp echo reply", cid_is("192.168.0.1", 0,
		"192.168.0.89", 0, 1, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="));
	/* no-port protocols ignore whatever ports are passed */
	test_cond("rsvp ports ignored", cid_is("10.1.12.1", 1234,
		"10.1.12.2", 80, 46, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="));

	/* one-way ICMP keeps direction: swapped endpoints hash differently */
	struct ts_addr a, b;
	char o1[COMMUNITY_ID_LEN], o2[COMMUNITY_ID_LEN];
	parse_addr("10.0.0.1", &a);
	parse_addr("10.0.0.2", &b);
	community_id_v1(&a, 11, &b, 0, 1, 0, o1, sizeof(o1));
	community_id_v1(&b, 11, &a, 0, 1, 0, o2, sizeof(o2));
	test_cond("icmp one-way not reordered", strcmp(o1, o2) != 0);
	/* equal addresses: ports decide */
	community_id_v1(&a, 1000, &a, 80, 6, 0, o1, sizeof(o1));
	community_id_v1(&a, 80, &a, 1000, 6, 0, o2, sizeof(o2));
	test_cond("equal addrs ordered by port", strcmp(o1, o2) == 0);

	/* API edges */
	char small[COMMUNITY_ID_LEN];
	memset(small, 'x', sizeof(small));
	test_cond("outsz 30 rejected",
		community_id_v1(&a, 1, &b, 2, 6, 0, small, 30) == -1 && small[0] == 'x');
	test_cond("outsz 31 ok", community_id_v1(&a, 1, &b, 2, 6, 0, small, 31) == 0 &&
		strlen(small) == COMMUNITY_ID_STRLEN && small[29] == '=');
	struct ts_addr v6;
	parse_addr("::1", &v6);
	test_cond("family mismatch rejected",
		community_id_v1(&a, 1, &v6, 2, 6, 0, small, sizeof(small)) == -1);
	struct ts_addr unset = { 0 };
	test_cond("unset family rejected",
		community_id_v1(&unset, 1, &unset, 2, 6, 0, small, sizeof(small)) == -1);
}

static void test_vectors(void)
{
	if (access(VECTORS, R_OK) != 0) {
		printf("SKIP community-id vectors: ../shared absent\n");
		return;
	}
	json_error_t err;
	json_t *root = json_load_file(VECTORS, 0, &err);
	test_cond("vectors file parses", root && json_is_array(root));
	if (!root || !json_is_array(root)) {
		if (root)
			json_decref(root);
		else
			printf("  %s:%d: %s\n", VECTORS, err.line, err.text);
		return;
	}
	test_cond("23 vectors", json_array_size(root) == 23);

	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		const char *sa = json_string_value(json_object_get(v, "saddr"));
		const char *da = json_string_value(json_object_get(v, "daddr"));
		const char *want = json_string_value(json_object_get(v, "communityid"));
		json_t *jp = json_object_get(v, "proto");
		json_t *js = json_object_get(v, "sport");
		json_t *jd = json_object_get(v, "dport");
		int ok = sa && da && want && json_is_integer(jp);
		if (ok) {
			/* null ports (protocols without ports) -> pass 0 */
			uint16_t sp = json_is_integer(js) ? (uint16_t)json_integer_value(js) : 0;
			uint16_t dp = json_is_integer(jd) ? (uint16_t)json_integer_value(jd) : 0;
			ok = cid_is(sa, sp, da, dp, (uint8_t)json_integer_value(jp), 0, want);
		}
		char desc[64];
		snprintf(desc, sizeof(desc), "baseline_deflt vector %zu", i);
		test_cond(desc, ok);
	}
	json_decref(root);
}

int main(void)
{
	test_sha1();
	test_builtin();
	test_vectors();
	return test_report();
}
