/* Unit tests for 7-backfill: the logger and the pieces of the production backfill. */
#include <stdlib.h>

#include "1-common/buf.h"
#include "7-backfill/log.h"
#include "tests/unit/check.h"

static void logfmt(const char *v, const char *want)
{
	struct buf b = BUF_INIT;

	bf_logfmt_value(&b, v);
	CHECK_STR(buf_str(&b), want);
	buf_release(&b);
}

/* go-logfmt's encoding as promtool 2.42 prints rule names and group keys. */
static void test_logfmt_values(void)
{
	logfmt("plain:name_1", "plain:name_1");
	logfmt("", "");
	logfmt("a b", "\"a b\"");
	logfmt("k=v", "\"k=v\"");
	logfmt("say \"hi\"", "\"say \\\"hi\\\"\"");
	logfmt("back\\slash", "back\\slash"); /* a backslash alone needs no quotes */
	logfmt("tab\there", "\"tab\\there\"");
	logfmt("nl\ncr\r", "\"nl\\ncr\\r\"");
	logfmt("\x01", "\"\\u0001\"");
	logfmt("caf\xc3\xa9", "caf\xc3\xa9");         /* valid UTF-8 stays bare */
	logfmt("bad\xff", "\"bad\\ufffd\"");          /* invalid UTF-8 is quoted and replaced */
	logfmt("caf\xc3\xa9 x", "\"caf\xc3\xa9 x\"");
	logfmt("\x7f", "\x7f");
}

static void test_logfmt_line(void)
{
	static const char *const kv[] = { "backfiller", "processing rule", "id", "0", "name", "a:b" };
	struct buf b = BUF_INIT;

	bf_logfmt_line(&b, "info", kv, 6);
	CHECK_STR(buf_str(&b), "level=info backfiller=\"processing rule\" id=0 name=a:b\n");
	buf_release(&b);
}

/* Without a status line, the logger writes exactly the lines; with one,
 * each line erases the status first and draws it again after itself. */
static void test_log_status(void)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct bf_log l;
	static const char *const kv[] = { "msg", "x" };

	bf_log_init(&l, f);
	bf_log_status(&l, "ignored: not enabled");
	bf_log_kv(&l, "info", kv, 2);
	bf_log_release(&l);
	fflush(f);
	CHECK_STR(mem, "level=info msg=x\n");

	rewind(f);
	len = 0;
	bf_log_init(&l, f);
	bf_log_enable_status(&l);
	bf_log_status(&l, "1/2");
	bf_log_kv(&l, "info", kv, 2);
	bf_log_status(&l, "2/2");
	bf_log_release(&l);
	fputc('\0', f);
	fflush(f);
	CHECK_STR(mem, "\r1/2\033[K\r\033[Klevel=info msg=x\n\r1/2\033[K\r2/2\033[K\r\033[K");
	fclose(f);
	free(mem);
}

int main(void)
{
	RUN(test_logfmt_values);
	RUN(test_logfmt_line);
	RUN(test_log_status);
	return check_done();
}
