/* test_dnsc.c - the DNS name cache (attrib.c) against a plain model.
 *
 * A small cache (max 16) takes a pseudo-random stream of answers,
 * forged marks and lookups over 64 addresses, so entries are evicted
 * (FIFO), deleted from the middle of probe chains and replaced all the
 * time; a linear list with the same rules must give the same answers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "testhelp.h"

#define MAX 16
#define ADDRS 64

struct model_ent { int addr; char name[16]; bool forged; };

static struct model_ent model[MAX + 1];
static int mn;
static int fifo[4096], fh, fc;   /* insertion order (addresses) */
static uint64_t m_evicted;

static int m_find(int a)
{
	for (int i = 0; i < mn; i++)
		if (model[i].addr == a) return i;
	return -1;
}

static void m_delete(int i)
{
	model[i] = model[--mn];
}

static int m_upsert(int a)
{
	int i = m_find(a);
	if (i >= 0) return i;
	if (mn >= MAX) {
		while (fc) {
			int x = fifo[fh++ % 4096];
			fc--;
			int k = m_find(x);
			if (k >= 0) { m_delete(k); m_evicted++; break; }
		}
	}
	memset(&model[mn], 0, sizeof model[mn]);
	model[mn].addr = a;
	if (fc < MAX) { fifo[(fh + fc) % 4096] = a; fc++; }
	return mn++;
}

static void addr_of(int a, struct ts_addr *x)
{
	memset(x, 0, sizeof *x);
	x->family = (a & 1) ? 6 : 4;
	x->a[0] = 10;
	x->a[3] = (uint8_t)a;
	if (x->family == 6) x->a[15] = (uint8_t)(a * 7);
}

static uint32_t rnd(void)
{
	static uint64_t s = 88172645463325252ULL;
	s ^= s << 13; s ^= s >> 7; s ^= s << 17;
	return (uint32_t)s;
}

int main(void)
{
	struct dns_cache *c = dnsc_new(MAX, 0);
	int bad = 0;
	for (uint64_t now = 1; now <= 200000; now++) {
		int a = (int)(rnd() % ADDRS), op = (int)(rnd() % 16);
		struct ts_addr x;
		addr_of(a, &x);
		if (op < 6) {
			char name[16];
			snprintf(name, sizeof name, "n%u.test", rnd() % 8);
			dnsc_put(c, &x, name, rnd() % 4, now * 1000000);
			int i = m_upsert(a);
			if (!model[i].forged) snprintf(model[i].name, sizeof model[i].name, "%s", name);
		} else if (op == 6) {
			dnsc_mark_forged(c, &x, "forged.test");
			int i = m_upsert(a);
			if (!model[i].name[0]) snprintf(model[i].name, sizeof model[i].name, "forged.test");
			model[i].forged = true;
		} else {
			int i = m_find(a);
			const char *fn = NULL;
			bool forged = dnsc_forged(c, &x, &fn);
			bool want_forged = i >= 0 && model[i].forged;
			if (forged != want_forged || (forged && strcmp(fn, model[i].name))) bad++;
			/* present or not, and the name when not forged (at time
			 * 0 nothing has expired) */
			const char *n = dnsc_get(c, &x, 0);
			const char *want = (i < 0 || model[i].forged) ? NULL : model[i].name;
			if ((n == NULL) != (want == NULL) || (n && strcmp(n, want))) bad++;
		}
	}
	test_cond("cache answers like the model", bad == 0);
	test_cond("same evictions as the model", dnsc_evicted(c) == m_evicted);
	test_cond("evictions happened", m_evicted > 1000);
	dnsc_free(c);
	return test_report();
}
