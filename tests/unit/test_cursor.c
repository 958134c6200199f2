/* test_cursor.c - the bounds-checked cursor (dissectors/cursor.h). */
#include "testhelp.h"
#include "cursor.h"

static void test_reads(void)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	struct cur c = cur_make(b, sizeof b);

	test_cond("u8", cur_u8(&c) == 1);
	test_cond("be16", cur_be16(&c) == 0x0203);
	test_cond("le16", cur_le16(&c) == 0x0504);
	test_cond("be24", cur_be24(&c) == 0x060708);
	test_cond("left 3", c.left == 3 && !c.bad);
	test_cond("be32 past end -> 0", cur_be32(&c) == 0);
	test_cond("bad set", c.bad);
	test_cond("failed read consumed nothing", c.left == 3);
	test_cond("sticky: u8 after bad -> 0", cur_u8(&c) == 0 && c.bad);
	test_cond("has false when bad", !cur_has(&c, 0));

	c = cur_make(b, sizeof b);
	test_cond("be32", cur_be32(&c) == 0x01020304);
	test_cond("le32", cur_le32(&c) == 0x08070605);
	test_cond("has 3", cur_has(&c, 3) && !cur_has(&c, 4));
}

static void test_skip_copy(void)
{
	static const uint8_t b[] = { 1, 2, 3, 4 };
	struct cur c = cur_make(b, sizeof b);
	uint8_t out[4] = { 0xee, 0xee, 0xee, 0xee };

	cur_skip(&c, 1);
	cur_copy(&c, out, 2);
	test_cond("copy", out[0] == 2 && out[1] == 3 && c.left == 1);
	cur_copy(&c, out, 2);
	test_cond("short copy copies nothing", c.bad && out[0] == 2 && out[1] == 3);

	c = cur_make(b, sizeof b);
	cur_skip(&c, 5);
	test_cond("skip past end: bad, empty", c.bad && c.left == 0);
	c = cur_make(b, sizeof b);
	cur_skip(&c, 4);
	test_cond("skip to end ok", !c.bad && c.left == 0);
	test_cond("u8 at end", cur_u8(&c) == 0 && c.bad);

	c = cur_make(NULL, 0);
	test_cond("empty cursor has 0", cur_has(&c, 0));
	test_cond("empty cursor read", cur_be16(&c) == 0 && c.bad);
	c = cur_make(b, sizeof b);
	test_cond("huge skip", (cur_skip(&c, SIZE_MAX), c.bad && c.left == 0));
}

static void test_sub_clamp(void)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6 };
	struct cur c = cur_make(b, sizeof b);

	struct cur s = cur_sub(&c, 2);
	test_cond("sub len", s.left == 2 && !s.bad && c.left == 4);
	test_cond("sub reads", cur_be16(&s) == 0x0102);
	test_cond("sub ends", cur_u8(&s) == 0 && s.bad && !c.bad);
	test_cond("parent continues", cur_u8(&c) == 3);

	s = cur_sub(&c, 10);
	test_cond("overlong sub clamps", s.left == 3 && !s.bad);
	test_cond("parent marked bad", c.bad && c.left == 0);
	test_cond("clamped sub readable", cur_be24(&s) == 0x040506);
	s = cur_sub(&c, 1);
	test_cond("sub of bad parent is bad", s.bad && s.left == 0);

	c = cur_make(b, sizeof b);
	cur_clamp(&c, 4);
	test_cond("clamp shrinks", c.left == 4);
	cur_clamp(&c, 100);
	test_cond("clamp never grows", c.left == 4);
	cur_skip(&c, 4);
	test_cond("clamped end", !c.bad && cur_u8(&c) == 0 && c.bad);
	c = cur_make(b, sizeof b);
	s = cur_sub(&c, SIZE_MAX);
	test_cond("SIZE_MAX sub", s.left == sizeof b && c.bad);
}

int main(void)
{
	test_reads();
	test_skip_copy();
	test_sub_clamp();
	return test_report();
}
