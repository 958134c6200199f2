/* test_targets.c - the target list (attrib.c): suffix matching of names,
 * whole matching of address literals, with and without literal entries
 * in the list (a list without any answers a literal name at once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib.h"
#include "testhelp.h"

static struct targets *load(const char *text)
{
	char path[] = "/tmp/ts-targets-XXXXXX", err[256];
	int fd = mkstemp(path);
	if (fd < 0) return NULL;
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	struct targets *t = targets_load(path, err);
	unlink(path);
	return t;
}

/* Does name match, and with which service ("" for none)? */
static bool match(const struct targets *t, const char *name, const char *want_svc)
{
	const char *svc = "unset";
	bool m = targets_match(t, name, &svc);
	if (!m) return svc == NULL && want_svc == NULL;
	return want_svc && !strcmp(svc ? svc : "", want_svc);
}

static void names_only(void)
{
	struct targets *t = load("# social\nfacebook.com Facebook\nFBCDN.net.  Facebook\n"
	                         "x.com\ncafe\n");
	test_cond("list loads", t != NULL);
	if (!t) return;
	test_cond("whole name", match(t, "facebook.com", "Facebook"));
	test_cond("suffix at a label", match(t, "www.facebook.com", "Facebook"));
	test_cond("not inside a label", match(t, "notfacebook.com", NULL));
	test_cond("case and trailing dot folded at load", match(t, "scontent.fbcdn.net", "Facebook"));
	test_cond("no service", match(t, "api.x.com", ""));
	/* "cafe" is hex only: an address literal by attrib.c's rule, so the
	 * list has one literal and literal names are looked up whole */
	test_cond("hex-only entry matches whole", match(t, "cafe", ""));
	test_cond("hex-only entry as a suffix of a name", match(t, "www.cafe", ""));
	test_cond("address with no literal entry", match(t, "192.0.2.1", NULL));
	targets_free(t);
}

static void no_literals(void)
{
	struct targets *t = load("facebook.com Facebook\n1.com One\n");
	test_cond("list loads", t != NULL);
	if (!t) return;
	test_cond("IPv4 literal: no match", match(t, "192.0.2.1", NULL));
	test_cond("IPv6 literal: no match", match(t, "2001:db8::1", NULL));
	test_cond("v4-mapped literal: no match", match(t, "::ffff:192.0.2.1", NULL));
	test_cond("digit label still a name", match(t, "a.1.com", "One"));
	targets_free(t);
}

static void with_literals(void)
{
	struct targets *t = load("192.0.2.1 Lit\n2.1 Short\n2001:db8::53 Six\nexample.org Ex\n");
	test_cond("list loads", t != NULL);
	if (!t) return;
	test_cond("IPv4 literal whole", match(t, "192.0.2.1", "Lit"));
	test_cond("IPv4 literal: no suffix match", match(t, "10.192.0.2.1", NULL));
	test_cond("IPv4 literal: short entry is no suffix", match(t, "198.51.2.1", NULL));
	test_cond("IPv4 literal: short entry whole", match(t, "2.1", "Short"));
	test_cond("IPv6 literal whole", match(t, "2001:db8::53", "Six"));
	test_cond("other literal", match(t, "192.0.2.2", NULL));
	test_cond("names still by suffix", match(t, "www.example.org", "Ex"));
	targets_free(t);
}

int main(void)
{
	names_only();
	no_literals();
	with_literals();
	test_cond("no list matches nothing", !targets_match(NULL, "facebook.com", NULL));
	return test_report();
}
