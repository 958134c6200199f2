/* jsonw.c - the one JSON text writer: reports, tamper events, stats
 * lines, Kafka messages, the HTML page's data block.
 *
 * The report of a long capture has hundreds of thousands of nodes, and
 * json_dumps() spent more time writing it than the engine spent building
 * it: a qsort and a key array allocated per object, a printf per number,
 * and a UTF-8 decode of every string byte.  This writes the same bytes as
 * json_dumps(v, JSON_SORT_KEYS | JSON_REAL_PRECISION(p) | JSON_INDENT(n) or
 * JSON_COMPACT) into one growing buffer, with one set of rules for every
 * value whether it comes from a tree or from the emitter:
 *   strings: '"', '\\' and bytes below 0x20 escaped (\n, \uXXXX, ...) as
 *     jansson does without JSON_ENSURE_ASCII; a string that is not UTF-8
 *     (RFC 3629: no overlong forms, surrogates, or past U+10FFFF) is
 *     written as null, never as broken text;
 *   integers: decimal; reals: "%.*g" with the precision (0: 17), ".0"
 *     added where the text would read back as an integer, the exponent
 *     without '+' or leading zeros; NaN and infinities (which JSON has no
 *     text for) are null;
 *   object keys in strcmp order.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonw.h"
#include "tunables.h"
#include "util.h"

struct jbuf {
	char *p;
	size_t n, cap;
};

static void grow(struct jbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->n + more) cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

static inline void need(struct jbuf *b, size_t more)
{
	if (b->n + more > b->cap) grow(b, more);
}

static inline void put(struct jbuf *b, const char *s, size_t n)
{
	need(b, n);
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static inline void putc1(struct jbuf *b, char c)
{
	need(b, 1);
	b->p[b->n++] = c;
}

static inline void newline(struct jbuf *b, int indent, int depth)
{
	static const char sp[] = "                                ";   /* 32 */
	if (indent <= 0) return;
	size_t k = (size_t)indent * (size_t)depth;
	need(b, k + 1);
	b->p[b->n++] = '\n';
	if (k < sizeof sp) memcpy(b->p + b->n, sp, k);
	else memset(b->p + b->n, ' ', k);
	b->n += k;
}

static void put_string(struct jbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	need(b, len + 2);
	b->p[b->n++] = '"';
	size_t run = 0;        /* start of the pending run of plain bytes */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') continue;
		put(b, s + run, i - run);
		run = i + 1;
		char e[6] = { '\\', 0 };
		size_t k = 2;
		switch (c) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		default:
			e[1] = 'u'; e[2] = '0'; e[3] = '0';
			e[4] = hex[c >> 4]; e[5] = hex[c & 15];
			k = 6;
		}
		put(b, e, k);
	}
	put(b, s + run, len - run);
	putc1(b, '"');
}

/* What json_string() accepts: UTF-8 without overlong forms, surrogates
 * or code points past U+10FFFF (RFC 3629); s[0..len) may hold NULs. */
static bool utf8_ok(const unsigned char *s, size_t len)
{
	const unsigned char *end = s + len;
	while (s < end) {
		unsigned c = *s;
		if (c < 0x80) { s++; continue; }
		unsigned n, cp;
		if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; }
		else return false;
		if ((size_t)(end - s) <= n) return false;
		for (unsigned i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80) return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

/* A string value: escaped, or null when it is not UTF-8. */
static void put_text(struct jbuf *b, const char *s, size_t len)
{
	if (utf8_ok((const unsigned char *)s, len)) put_string(b, s, len);
	else put(b, "null", 4);
}

static void put_int(struct jbuf *b, json_int_t v)
{
	char t[24];
	size_t o = sizeof t;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do { t[--o] = (char)('0' + u % 10); u /= 10; } while (u);
	if (v < 0) t[--o] = '-';
	put(b, t + o, sizeof t - o);
}

/* jansson's jsonp_dtostr(): "%.*g", then a ".0" where the text would read
 * back as an integer, and no '+' or leading zeros in the exponent. */
static void put_real(struct jbuf *b, double v, int prec)
{
	char t[64];
	if (!isfinite(v)) { put(b, "null", 4); return; }   /* no JSON text */
	int n = snprintf(t, sizeof t, "%.*g", prec > 0 ? prec : 17, v);
	if (n < 0 || (size_t)n >= sizeof t - 3) { put(b, "0.0", 3); return; }
	if (!strchr(t, '.') && !strchr(t, 'e')) { t[n++] = '.'; t[n++] = '0'; t[n] = 0; }
	char *e = strchr(t, 'e');
	if (e) {
		char *src = e + 1, *dst = e + 1;
		if (*src == '-') *dst++ = *src++;
		else if (*src == '+') src++;
		while (*src == '0' && src[1]) src++;
		memmove(dst, src, strlen(src) + 1);
		n = (int)strlen(t);
	}
	put(b, t, (size_t)n);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_value(struct jbuf *b, const json_t *v, int indent, int prec, int depth);

static void put_object(struct jbuf *b, const json_t *o, int indent, int prec, int depth)
{
	size_t n = json_object_size(o);
	if (!n) { put(b, "{}", 2); return; }
	const char *small[32];
	const char **keys = n <= 32 ? small : xmalloc(n * sizeof *keys);
	size_t k = 0;
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)o, key, val) if (k < n) keys[k++] = key;
	if (k <= 32) {     /* insertion sort: report objects are small */
		for (size_t i = 1; i < k; i++) {
			const char *x = keys[i];
			size_t j = i;
			while (j && strcmp(keys[j - 1], x) > 0) { keys[j] = keys[j - 1]; j--; }
			keys[j] = x;
		}
	} else {
		qsort(keys, k, sizeof *keys, key_cmp);
	}
	putc1(b, '{');
	for (size_t i = 0; i < k; i++) {
		if (i) putc1(b, ',');
		newline(b, indent, depth + 1);
		put_string(b, keys[i], strlen(keys[i]));
		if (indent > 0) put(b, ": ", 2);
		else putc1(b, ':');
		put_value(b, json_object_get(o, keys[i]), indent, prec, depth + 1);
	}
	newline(b, indent, depth);
	putc1(b, '}');
	if (keys != small) free(keys);
}

static void put_array(struct jbuf *b, const json_t *a, int indent, int prec, int depth)
{
	size_t n = json_array_size(a);
	if (!n) { put(b, "[]", 2); return; }
	putc1(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i) putc1(b, ',');
		newline(b, indent, depth + 1);
		put_value(b, json_array_get(a, i), indent, prec, depth + 1);
	}
	newline(b, indent, depth);
	putc1(b, ']');
}

static void put_value(struct jbuf *b, const json_t *v, int indent, int prec, int depth)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: put_object(b, v, indent, prec, depth); break;
	case JSON_ARRAY: put_array(b, v, indent, prec, depth); break;
	case JSON_STRING: put_text(b, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: put_int(b, json_integer_value(v)); break;
	case JSON_REAL: put_real(b, json_real_value(v), prec); break;
	case JSON_TRUE: put(b, "true", 4); break;
	case JSON_FALSE: put(b, "false", 5); break;
	case JSON_NULL:
	default: put(b, "null", 4); break;
	}
}

/* The top-level object with one more member whose value is ready text,
 * written to f: the text before that member goes out first, the member's
 * text straight from where it is (no second copy of a large report). */
static int put_spliced(struct jbuf *b, const json_t *o, int indent, int prec,
                       const char *skey, int (*value)(const void *, FILE *), const void *ctx, FILE *f)
{
	json_t *tmp = json_deep_copy(o);
	int bad = 0;
	/* a placeholder keeps the member in its sorted place */
	json_object_set_new(tmp, skey, json_null());
	size_t n = json_object_size(tmp);
	const char **keys = xmalloc((n ? n : 1) * sizeof *keys);
	size_t k = 0;
	const char *key;
	json_t *val;
	json_object_foreach(tmp, key, val) if (k < n) keys[k++] = key;
	qsort(keys, k, sizeof *keys, key_cmp);
	putc1(b, '{');
	for (size_t i = 0; i < k; i++) {
		if (i) putc1(b, ',');
		newline(b, indent, 1);
		put_string(b, keys[i], strlen(keys[i]));
		if (indent > 0) put(b, ": ", 2);
		else putc1(b, ':');
		if (strcmp(keys[i], skey)) {
			put_value(b, json_object_get(tmp, keys[i]), indent, prec, 1);
			continue;
		}
		bad |= fwrite(b->p, 1, b->n, f) != b->n;
		bad |= value(ctx, f) != 0;
		b->n = 0;
	}
	newline(b, indent, 0);
	putc1(b, '}');
	free(keys);
	json_decref(tmp);
	return bad ? -1 : 0;
}

static char *finish(struct jbuf *b, size_t *len)
{
	putc1(b, 0);
	if (len) *len = b->n - 1;
	return b->p;
}

char *jsonw_dumps(const json_t *v, int indent, int prec, size_t *len)
{
	struct jbuf b = { 0 };
	if (!v) return NULL;
	put_value(&b, v, indent, prec, 0);
	return finish(&b, len);
}

static int write_all(char *s, size_t n, FILE *f)
{
	if (!s) return -1;
	int bad = fwrite(s, 1, n, f) != n;
	free(s);
	return bad ? -1 : 0;
}

int jsonw_dumpf(const json_t *v, int indent, int prec, FILE *f)
{
	size_t n = 0;
	char *s = jsonw_dumps(v, indent, prec, &n);
	return write_all(s, n, f);
}

int jsonw_line(FILE *f, const char *text, size_t len)
{
	flockfile(f);
	int bad = fwrite(text, 1, len, f) != len || putc_unlocked('\n', f) == EOF;
	bad |= fflush(f) == EOF;
	funlockfile(f);
	return bad ? -1 : 0;
}

int jsonw_dumpf_splice(const json_t *o, int indent, int prec, const char *key,
                       int (*value)(const void *ctx, FILE *f), const void *ctx, FILE *f)
{
	struct jbuf b = { 0 };
	if (!json_is_object(o)) return -1;
	int bad = put_spliced(&b, o, indent, prec, key, value, ctx, f);
	size_t n = 0;
	char *s = finish(&b, &n);
	return write_all(s, n, f) || bad ? -1 : 0;
}

/* ---- the emitter ---------------------------------------------------- */

struct jw {
	bool text;
	int indent, prec, depth, base;
	struct jbuf b;                        /* text */
	bool is_obj[JW_DEPTH], nonempty[JW_DEPTH];
	const char *last_key[JW_DEPTH];
	bool check, misordered;             /* check the key order (tests) */
	FILE *f;                              /* text written out as it goes */
	bool bad;                             /* ... and a write to it failed */
	json_t *stack[JW_DEPTH];              /* tree */
	json_t *root;
};

struct jw *jw_new_tree(void)
{
	return xcalloc(1, sizeof(struct jw));
}

struct jw *jw_new_text(int indent, int prec, int depth, bool check)
{
	struct jw *w = xcalloc(1, sizeof *w);
	w->text = true;
	w->check = check;
	w->indent = indent;
	w->prec = prec;
	w->base = depth;
	return w;
}

struct jw *jw_new_file(FILE *f, int indent, int prec, int depth, bool check)
{
	struct jw *w = jw_new_text(indent, prec, depth, check);
	w->f = f;
	return w;
}

/* A file writer's text so far goes out; its buffer is used again, so its
 * pages are touched once, not once per megabyte of a long report. */
static void flush_out(struct jw *w)
{
	if (w->b.n && fwrite(w->b.p, 1, w->b.n, w->f) != w->b.n) w->bad = true;
	w->b.n = 0;
}

/* Text: the separator, line break and key before a value. */
static void text_member(struct jw *w, const char *key)
{
	struct jbuf *b = &w->b;
	int d = w->depth;
	if (d == 0) return;                   /* the root value */
	if (w->nonempty[d]) putc1(b, ',');
	w->nonempty[d] = true;
	newline(b, w->indent, w->base + d);
	if (!w->is_obj[d]) return;
	if (!key) key = "";
	if (w->check) {
		if (w->last_key[d] && strcmp(w->last_key[d], key) >= 0) w->misordered = true;
		w->last_key[d] = key;
	}
	size_t n = 0;
	bool plain = true;
	for (unsigned char ch; (ch = (unsigned char)key[n]) != 0; n++)
		if (ch < 0x20 || ch == '"' || ch == '\\') plain = false;
	if (!plain) {
		put_string(b, key, n);
		put(b, ": ", w->indent > 0 ? 2 : 1);
		return;
	}
	need(b, n + 4);
	char *o = b->p + b->n;
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	if (w->indent > 0) *o++ = ' ';
	b->n = (size_t)(o - b->p);
}

/* Tree: attach v to the open container (or make it the root). */
static void tree_add(struct jw *w, const char *key, json_t *v)
{
	if (!v) v = json_null();
	if (!w->depth) { json_decref(w->root); w->root = v; return; }
	json_t *c = w->stack[w->depth];
	if (w->is_obj[w->depth]) json_object_set_new_nocheck(c, key ? key : "", v);
	else json_array_append_new(c, v);
}

static void jw_open(struct jw *w, const char *key, bool obj)
{
	if (w->depth + 1 >= JW_DEPTH) abort();     /* a programming error */
	if (w->text) {
		text_member(w, key);
		putc1(&w->b, obj ? '{' : '[');
	} else {
		json_t *c = obj ? json_object() : json_array();
		w->stack[w->depth + 1] = c;
		tree_add(w, key, c);
	}
	w->depth++;
	w->is_obj[w->depth] = obj;
	w->nonempty[w->depth] = false;
	w->last_key[w->depth] = NULL;
}

void jw_obj(struct jw *w, const char *key) { jw_open(w, key, true); }
void jw_arr(struct jw *w, const char *key) { jw_open(w, key, false); }

struct jw *jw_new_more(const struct jw *w)
{
	if (!w->text || !w->depth || w->is_obj[w->depth]) abort();   /* a programming error */
	struct jw *m = jw_new_text(w->indent, w->prec, w->base, w->check);
	m->depth = w->depth;
	m->nonempty[m->depth] = true;
	return m;
}

void jw_splice(struct jw *w, struct jw *more)
{
	if (!w->text || !more->text || more->depth != w->depth) abort();
	if (w->f) {             /* straight from where it is */
		flush_out(w);
		if (more->b.n && fwrite(more->b.p, 1, more->b.n, w->f) != more->b.n) w->bad = true;
	} else {
		put(&w->b, more->b.p, more->b.n);
	}
	w->misordered |= more->misordered;
	free(more->b.p);
	json_decref(more->root);
	free(more);
}

void jw_end(struct jw *w)
{
	if (w->depth <= 0) abort();
	if (w->text) {
		if (w->nonempty[w->depth]) newline(&w->b, w->indent, w->base + w->depth - 1);
		putc1(&w->b, w->is_obj[w->depth] ? '}' : ']');
		if (w->f && w->b.n >= JW_FLUSH) flush_out(w);
	}
	w->depth--;
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	if (!s) { jw_null(w, key); return; }
	if (!w->text) { tree_add(w, key, json_string(s)); return; }
	/* one pass for the common case: printable ASCII with nothing to
	 * escape goes out in one copy */
	size_t n = 0;
	bool plain = true;
	for (unsigned char c; (c = (unsigned char)s[n]) != 0; n++)
		if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') plain = false;
	if (plain) {
		text_member(w, key);
		need(&w->b, n + 2);
		char *o = w->b.p + w->b.n;
		*o++ = '"';
		memcpy(o, s, n);
		o[n] = '"';
		w->b.n += n + 2;
		return;
	}
	text_member(w, key);
	put_text(&w->b, s, n);
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	if (w->text) { text_member(w, key); put_int(&w->b, (json_int_t)v); }
	else tree_add(w, key, json_integer((json_int_t)v));
}

void jw_real(struct jw *w, const char *key, double v)
{
	if (w->text) { text_member(w, key); put_real(&w->b, v, w->prec); }
	else tree_add(w, key, json_real(v));
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	if (w->text) { text_member(w, key); put(&w->b, v ? "true" : "false", v ? 4 : 5); }
	else tree_add(w, key, json_boolean(v));
}

void jw_null(struct jw *w, const char *key)
{
	if (w->text) { text_member(w, key); put(&w->b, "null", 4); }
	else tree_add(w, key, json_null());
}

void jw_json(struct jw *w, const char *key, const json_t *v)
{
	if (!v) { jw_null(w, key); return; }
	if (!w->text) { tree_add(w, key, json_deep_copy(v)); return; }
	text_member(w, key);
	put_value(&w->b, v, w->indent, w->prec, w->base + w->depth);
}

void jw_time(struct jw *w, const char *key, uint64_t ts_us)
{
	char b[40];
	if (!ts_us) { jw_null(w, key); return; }
	fmt_time(ts_us, b, sizeof b);
	if (w->text) { text_member(w, key); put(&w->b, "\"", 1); put(&w->b, b, strlen(b)); put(&w->b, "\"", 1); }
	else tree_add(w, key, json_string_nocheck(b));
}

bool jw_misordered(const struct jw *w) { return w->misordered; }

json_t *jw_take_tree(struct jw *w)
{
	json_t *r = w->root;
	free(w->b.p);
	free(w);
	return r;
}

int jw_close_file(struct jw *w)
{
	flush_out(w);
	int rc = w->bad ? -1 : 0;
	free(w->b.p);
	json_decref(w->root);
	free(w);
	return rc;
}

char *jw_take_text(struct jw *w, size_t *len)
{
	json_decref(w->root);
	char *s = finish(&w->b, len);
	free(w);
	return s;
}
