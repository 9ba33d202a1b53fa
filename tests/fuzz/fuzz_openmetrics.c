/*
 * Fuzz target for the OpenMetrics parser (7-backfill/openmetrics.c).
 *
 * Besides not crashing, two properties: parsing the input in one buffer and
 * feeding it in small pieces (as the importer's streaming reader does) give
 * the same entries, timestamps, values and error message; and every series'
 * labels come out sorted.  A mismatch aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/err.h"
#include "1-common/gofmt.h"
#include "7-backfill/openmetrics.h"

struct trace {
	uint64_t h;
	int r;
	char msg[256];
};

static void mix(uint64_t *h, uint64_t v)
{
	*h = (*h ^ v) * 0x100000001b3ull;
}

static void run(const uint8_t *data, size_t size, size_t piece, struct trace *out)
{
	struct om_parser p;
	struct err e = ERR_INIT;
	enum om_entry ent;
	size_t avail = piece ? 0 : size;
	int r, guard = 0;

	out->h = 1469598103934665603ull;
	om_parser_init(&p, data, size);
	if (piece)
		om_parser_set_buffer(&p, data, 0, 0, false);
	for (;;) {
		size_t pos = om_parser_pos(&p);

		r = om_parser_next(&p, &ent, &e);
		if (r == 2) {
			avail = avail + piece > size ? size : avail + piece;
			om_parser_set_buffer(&p, data, avail, pos, avail == size);
			continue;
		}
		if (r != 0 || ++guard > 100000)
			break;
		mix(&out->h, (uint64_t)ent);
		if (ent == OM_ENTRY_SERIES) {
			const struct label *ls;
			size_t n;

			mix(&out->h, (uint64_t)p.ts);
			mix(&out->h, double_bits(p.val));
			mix(&out->h, p.has_ts);
			om_parser_metric(&p, &ls, &n);
			for (size_t i = 0; i < n; i++) {
				if (i > 0 && strcmp(ls[i - 1].name, ls[i].name) > 0)
					abort();
				for (const char *c = ls[i].value; *c; c++)
					mix(&out->h, (unsigned char)*c);
			}
		}
	}
	out->r = r;
	strncpy(out->msg, err_msg(&e), sizeof(out->msg) - 1);
	out->msg[sizeof(out->msg) - 1] = '\0';
	err_release(&e);
	om_parser_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace whole, pieces;

	memset(&whole, 0, sizeof(whole));
	memset(&pieces, 0, sizeof(pieces));
	run(data, size, 0, &whole);
	run(data, size, 7, &pieces);
	if (whole.h != pieces.h || whole.r != pieces.r || strcmp(whole.msg, pieces.msg) != 0)
		abort();
	return 0;
}
