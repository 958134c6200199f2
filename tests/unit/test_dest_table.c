/* test_dest_table.c - the destination table (core/dest.c) against a plain
 * model under churn: which names are found or created, the eviction
 * order (least recently seen without a signature first), the counts,
 * and names longer than a record keeps inline.  Run under ASan by
 * `make test`: evicted records are reused in place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dest.h"
#include "testhelp.h"

#define MAX 600
#define NAMES 5000

/* The model: names in the table, oldest-seen evictable first (lru),
 * signed ones apart. */
static int lru[NAMES], nlru;
static bool in_table[NAMES], is_signed[NAMES];
static unsigned n_in;
static unsigned long evicted;

static void name_of(int i, char *buf, size_t sz)
{
	if (i % 11 == 0)                     /* longer than the inline buffer */
		snprintf(buf, sz, "a-rather-long-subdomain-%d.of-a-long-registrable.example", i);
	else if (i % 3 == 0)
		snprintf(buf, sz, "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
	else
		snprintf(buf, sz, "h%d.example", i);
}

static void lru_drop(int i)
{
	for (int k = 0; k < nlru; k++)
		if (lru[k] == i) {
			memmove(lru + k, lru + k + 1, (size_t)(nlru - k - 1) * sizeof *lru);
			nlru--;
			return;
		}
}

/* The model's dest_get_new(); false when the table refuses it. */
static bool model_get(int i, bool *created)
{
	*created = !in_table[i];
	if (in_table[i]) return true;
	if (n_in >= MAX) {
		evicted++;
		if (!nlru) return false;
		in_table[lru[0]] = false;
		lru_drop(lru[0]);
		n_in--;
	}
	in_table[i] = true;
	lru[nlru++] = i;
	n_in++;
	return true;
}

static void test_churn(void)
{
	struct dest_table *t = dest_new(MAX);
	unsigned long seed = 12345, bad_get = 0, bad_count = 0;
	for (int step = 0; step < 60000; step++) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		unsigned r = (unsigned)(seed >> 33);
		/* mostly recent names, some old ones, a few signatures */
		int i = (int)(r % 7 ? (unsigned)step / 12 % NAMES + r % 50 : r % NAMES) % NAMES;
		char name[128];
		name_of(i, name, sizeof name);
		bool created, mcreated;
		struct dest *d = dest_get_new(t, name, &created);
		bool ok = model_get(i, &mcreated);
		if ((d != NULL) != ok || (d && created != mcreated)) bad_get++;
		if (!d) continue;
		if (created && r % 5 == 0) dest_add_host(d, name);
		if (created && r % 13 == 0) dest_set_meta(d, "Service", true);
		struct ts_addr a = { .family = 4 };
		a.a[3] = (uint8_t)r;
		dest_add_ip(d, &a);
		if (r % 3 == 0) {
			dest_seen(d, 1700000000000000ULL + (uint64_t)step);
			if (!is_signed[i]) { lru_drop(i); lru[nlru++] = i; }
		}
		if (r % 997 == 0 && !is_signed[i]) {
			dest_signature(d, "syn_drop", 1, 0.7, 1, 1700000000000000ULL + (uint64_t)step, "1:x=");
			is_signed[i] = true;
			lru_drop(i);
		}
		if (dest_count(t) != n_in || dest_evicted(t) != evicted) bad_count++;
	}
	test_cond("found / created / refused as the model says", bad_get == 0);
	test_cond("count and evictions as the model says", bad_count == 0);
	test_cond("the table filled and evicted", n_in == MAX && evicted > 1000);
	unsigned found = 0;
	for (int i = 0; i < NAMES; i++) {
		if (!in_table[i]) continue;
		char name[128];
		bool created;
		name_of(i, name, sizeof name);
		if (dest_get_new(t, name, &created) && !created) found++;
	}
	test_cond("every name the model holds is found", found == n_in);
	dest_free(t);
}

int main(void)
{
	test_churn();
	return test_report();
}
