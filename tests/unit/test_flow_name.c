/* test_flow_name.c - a flow's destination name (flow.c flow_set_name):
 * short names live in the flow, longer ones are allocated; replacing one
 * with the other, in either order, keeps the text and frees what it
 * should (a leak or a double free shows when this test is built with
 * the asan flags; `make test` runs it without them), and the name is
 * what the flow's end sees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flow.h"
#include "testhelp.h"

static char seen[512];
static int ends;

static void on_end(void *ctx, struct flow *f)
{
	(void)ctx;
	snprintf(seen, sizeof seen, "%s", f->name ? f->name : "(none)");
	ends++;
}

static struct flow *new_flow(struct flow_table *t, uint8_t last)
{
	struct pkt pk;
	int dir;
	memset(&pk, 0, sizeof pk);
	pk.proto = 6;
	pk.src.family = pk.dst.family = 4;
	pk.src.a[0] = 198; pk.src.a[1] = 18; pk.src.a[3] = last;
	pk.dst.a[0] = 198; pk.dst.a[1] = 19; pk.dst.a[3] = 1;
	pk.sport = 40000;
	pk.dport = 443;
	return ft_lookup(t, &pk, true, &dir);
}

/* A name of n characters ('a' + i % 26). */
static const char *text(size_t n)
{
	static char b[300];
	for (size_t i = 0; i < n; i++) b[i] = (char)('a' + i % 26);
	b[n] = 0;
	return b;
}

static void one(struct flow_table *t, uint8_t id, const size_t *len, int nlen)
{
	struct flow *f = new_flow(t, id);
	test_cond("flow made", f != NULL);
	if (!f) return;
	test_cond("a new flow has no name", f->name == NULL);
	char want[300] = "";
	for (int i = 0; i < nlen; i++) {
		flow_set_name(f, text(len[i]));
		snprintf(want, sizeof want, "%s", text(len[i]));
		test_cond("name kept", !strcmp(f->name, want));
		test_cond("short names inside the flow, long ones not",
		          (f->name == f->name_in) == (len[i] < FLOW_NAME_INLINE));
	}
	ft_flush(t);
	test_cond("the end sees the last name", !strcmp(seen, nlen ? want : "(none)"));
}

int main(void)
{
	struct flow_table *t = ft_new(64, 300, 60, on_end, NULL);
	static const size_t a[] = { 3 }, b[] = { 200 }, c[] = { 5, 200, 7 },
	                    d[] = { 200, 5, 250 }, e[] = { FLOW_NAME_INLINE - 1, FLOW_NAME_INLINE },
	                    g[] = { 0, FLOW_NAME_INLINE, FLOW_NAME_INLINE - 1 };
	one(t, 1, a, 1);
	one(t, 2, b, 1);
	one(t, 3, c, 3);
	one(t, 4, d, 3);
	one(t, 5, e, 2);
	one(t, 6, g, 3);
	one(t, 7, NULL, 0);
	test_cond("every flow ended", ends == 7);
	ft_free(t);
	return test_report();
}
