/* Unit tests for 7-backfill: the logger and the pieces of the production backfill. */
#include <stdlib.h>

#include "1-common/buf.h"
#include "7-backfill/log.h"
#include "7-backfill/progress.h"
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

static void test_progress_format(void)
{
	struct bf_progress p;
	struct buf b = BUF_INIT;

	bf_progress_init(&p, NULL, "rules", 0);
	p.total = 12;
	p.done = 3;
	p.samples = 1234567;
	bf_progress_format(&p, 2000000000, &b);
	CHECK_STR(buf_str(&b), "rules: 3/12 units (25%)  1,234,567 samples  617,283 samples/s  ETA 0:06");
	buf_reset(&b);
	p.done = 12;
	bf_progress_format(&p, 3725000000000LL, &b);
	CHECK_STR(buf_str(&b), "rules: 12/12 units (100%)  1,234,567 samples  331 samples/s  done in 1:02:05");
	buf_reset(&b);
	p.width = 20; /* at most width - 1 columns */
	bf_progress_format(&p, 1000000000, &b);
	CHECK_STR(buf_str(&b), "rules: 12/12 units ");
	buf_release(&b);
}

int main(void)
{
	RUN(test_logfmt_values);
	RUN(test_logfmt_line);
	RUN(test_log_status);
	RUN(test_progress_format);
	return check_done();
}
