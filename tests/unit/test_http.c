/* test_http.c - HTTP/1.x Host and response parsing (http_host.c). */
#include "testhelp.h"
#include "pktbuild.h"

static struct strview V;
static int status;
static char got[256];

static int host_n(const char *s, size_t n)
{
	uint8_t *d = dup_exact((const uint8_t *)s, n);
	int st = http_host_parse(d, n, &V);
	got[0] = '\0';
	if (V.len < sizeof got && V.len > 0) {
		memcpy(got, V.p, V.len);
		got[V.len] = '\0';
	}
	free(d);
	return st;
}

static int host(const char *s)
{
	return host_n(s, strlen(s));
}

static int resp_n(const char *s, size_t n)
{
	uint8_t *d = dup_exact((const uint8_t *)s, n);
	int st = http_response_parse(d, n, &status, &V);
	got[0] = '\0';
	if (V.len < sizeof got && V.len > 0) {
		memcpy(got, V.p, V.len);
		got[V.len] = '\0';
	}
	free(d);
	return st;
}

static int resp(const char *s)
{
	return resp_n(s, strlen(s));
}

/* The start of a request against a plain model: a stream shorter than
 * every method is TRUNCATED when some method begins with it, else
 * UNSUPPORTED; every first byte, alone and with a few second bytes. */
static void test_request_start(void)
{
	static const char *const m[] = { "GET ", "POST ", "HEAD ", "PUT ", "DELETE ",
	                                 "OPTIONS ", "CONNECT ", "PATCH ", "TRACE " };
	static const char second[] = { 'E', 'O', 'U', 'A', 'P', 'R', 'x', 0 };
	bool ok = host_n("", 0) == DIS_TRUNCATED;
	for (int b = 0; b < 256; b++) {
		for (size_t k = 0; k <= sizeof second; k++) {
			char s[2] = { (char)b, k < sizeof second ? second[k] : 0 };
			size_t n = k < sizeof second ? 2 : 1;
			bool pre = false;
			for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
				if (!memcmp(m[i], s, n)) pre = true;
			if (host_n(s, n) != (pre ? DIS_TRUNCATED : DIS_UNSUPPORTED)) ok = false;
		}
	}
	test_cond("request start: every first byte", ok);
	test_cond("binary record", host("\x17\x03\x03\x00\x20GET / HTTP/1.1\r\n") == DIS_UNSUPPORTED);
	test_cond("methods are case-sensitive", host("get / HTTP/1.1\r\nHost: a\r\n\r\n") == DIS_UNSUPPORTED);
}

static void test_host(void)
{
	const char *req = "GET /index.html HTTP/1.1\r\nUser-Agent: x\r\n"
	                  "hOsT: \t Example.COM:8080 \r\nAccept: */*\r\n\r\n";
	test_cond("host OK", host(req) == DIS_OK && strcmp(got, "Example.COM") == 0);
	bool ok = true;
	size_t hostend = strstr(req, "\r\nAccept") - req;
	for (size_t n = 0; n < strlen(req); n++) {
		int st = host_n(req, n);
		if (n <= hostend + 1 && st != DIS_TRUNCATED)
			ok = false;
		if (n > hostend + 1 && st != DIS_OK)
			ok = false;
	}
	test_cond("host prefixes", ok);

	test_cond("LF only", host("POST /x HTTP/1.0\nHost: a.b\n\n") == DIS_OK &&
	          strcmp(got, "a.b") == 0);
	test_cond("no port", host("HEAD / HTTP/1.1\r\nHost: plain.example\r\n") ==
	          DIS_OK && strcmp(got, "plain.example") == 0);
	test_cond("v6 literal with port",
	          host("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n") == DIS_OK &&
	          strcmp(got, "2001:db8::1") == 0);
	test_cond("v6 literal without port",
	          host("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n") == DIS_OK &&
	          strcmp(got, "::1") == 0);
	test_cond("bare v6 left alone",
	          host("GET / HTTP/1.1\r\nHost: 2001:db8::1\r\n\r\n") == DIS_OK &&
	          strcmp(got, "2001:db8::1") == 0);
	test_cond("non-numeric port kept",
	          host("GET / HTTP/1.1\r\nHost: a:b\r\n\r\n") == DIS_OK &&
	          strcmp(got, "a:b") == 0);
	test_cond("empty port stripped",
	          host("GET / HTTP/1.1\r\nHost: a.example:\r\n\r\n") == DIS_OK &&
	          strcmp(got, "a.example") == 0);
	test_cond("no Host", host("GET / HTTP/1.0\r\nAccept: *\r\n\r\n") == DIS_OK &&
	          V.len == 0);
	test_cond("Host-like header ignored",
	          host("GET / HTTP/1.1\r\nX-Host: evil\r\nHost: good\r\n\r\n") ==
	          DIS_OK && strcmp(got, "good") == 0);
	test_cond("first Host wins",
	          host("GET / HTTP/1.1\r\nHost: one\r\nHost: two\r\n\r\n") ==
	          DIS_OK && strcmp(got, "one") == 0);
	test_cond("empty Host", host("GET / HTTP/1.1\r\nHost:\r\n\r\n") == DIS_OK &&
	          V.len == 0);
	test_cond("headers incomplete",
	          host("GET / HTTP/1.1\r\nAccept: */*\r\n") == DIS_TRUNCATED);
	test_cond("all methods", host("OPTIONS * HTTP/1.1\r\nHost: o\r\n") == DIS_OK &&
	          host("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n") == DIS_OK &&
	          strcmp(got, "a") == 0 &&
	          host("PATCH / HTTP/1.1\r\nHost: p\r\n") == DIS_OK &&
	          host("TRACE / HTTP/1.1\r\nHost: t\r\n") == DIS_OK &&
	          host("DELETE / HTTP/1.1\r\nHost: d\r\n") == DIS_OK &&
	          host("PUT / HTTP/1.1\r\nHost: u\r\n") == DIS_OK);
	test_cond("lowercase method unsupported",
	          host("get / HTTP/1.1\r\nHost: x\r\n\r\n") == DIS_UNSUPPORTED);
	test_cond("TLS unsupported", host("\x16\x03\x01\x02") == DIS_UNSUPPORTED);
	test_cond("method prefix truncated", host("DEL") == DIS_TRUNCATED &&
	          host("") == DIS_TRUNCATED);
	test_cond("method without space", host("GETX / HTTP/1.1\r\n") ==
	          DIS_UNSUPPORTED);
	test_cond("binary host kept as bytes",
	          host_n("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 30) == DIS_OK &&
	          V.len == 3);
}

static void test_response(void)
{
	const char *r = "HTTP/1.1 302 Found\r\nServer: x\r\n"
	                "Location:  http://block.example/?u=1 \r\n"
	                "Content-Length: 0\r\n\r\n";
	test_cond("302 OK", resp(r) == DIS_OK && status == 302 &&
	          strcmp(got, "http://block.example/?u=1") == 0);
	bool ok = true;
	for (size_t n = 0; n < strlen(r); n++) {
		int st = resp_n(r, n);
		if (st != DIS_TRUNCATED)
			ok = false;
		if (n >= 12 && status != 302)
			ok = false;
	}
	test_cond("response prefixes TRUNCATED, status kept", ok);
	test_cond("200 no location", resp("HTTP/1.0 200 OK\n\n") == DIS_OK &&
	          status == 200 && V.len == 0);
	test_cond("status without reason",
	          resp("HTTP/1.1 403\r\n\r\n") == DIS_OK && status == 403);
	test_cond("not HTTP", resp("SSH-2.0-x\r\n") == DIS_UNSUPPORTED && status == 0);
	test_cond("HTTP/2 preface unsupported",
	          resp("HTTP/2 200\r\n\r\n") == DIS_UNSUPPORTED);
	test_cond("bad status", resp("HTTP/1.1 2x0 OK\r\n\r\n") == DIS_UNSUPPORTED);
	test_cond("truncated status", resp("HTTP/1.1 20") == DIS_TRUNCATED &&
	          status == 0);
}

int main(void)
{
	test_request_start();
	test_host();
	test_response();
	return test_report();
}
