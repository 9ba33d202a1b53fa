/*
 * --merge-blocks under a version profile (issue 13): the chunks the
 * compactor's vertical merge re-encodes (3-tsdb/compact_merge.c) follow
 * the release's chunk bytes as the head's do.  storage/series.go
 * seriesToChunkEncoder at v3.14.0 cuts every 120 samples only (no 1005-byte
 * cut, no end-time estimate: those are head_append.go's), and from v3.0.0
 * tsdb/chunkenc/bstream.go writeByte leaves no trailing 0x00; so a
 * re-encoded chunk of 3.x is the 2.42 one minus exactly that byte.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/bytes.h"
#include "1-common/err.h"
#include "2-model/labels.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/compact_merge.h"
#include "tests/unit/check.h"

struct got {
	struct buf bytes[64];
	size_t len[64];
	int64_t mint[64], maxt[64];
	size_t n;
};

static int collect(void *arg, const struct label *ls, size_t nls, struct chunk_desc *chks, size_t n, struct err *e)
{
	struct got *g = arg;

	(void)ls;
	(void)nls;
	(void)e;
	for (size_t i = 0; i < n && g->n < 64; i++, g->n++) {
		buf_reset(&g->bytes[g->n]);
		buf_add(&g->bytes[g->n], chks[i].data, chks[i].len);
		g->len[g->n] = chks[i].len;
		g->mint[g->n] = chks[i].mint;
		g->maxt[g->n] = chks[i].maxt;
	}
	return 0;
}

static struct label one[1] = { { "__name__", "m" } };

/*
 * Series m in two sources whose samples interleave (a at 1000*i, b at
 * 1000*i + 500), so every chunk is re-encoded: 2.42 gives the samples in
 * XOR chunks of 120, 3.0 and 3.14 the same bytes without the quirk byte.
 */
static void test_reencoded_chunks_follow_profile(void)
{
	size_t trimmed = 0, total = 0;

	srand(11);
	for (int trial = 0; trial < 200; trial++) {
		int na = 2 + rand() % 119, nb = 1 + rand() % 120; /* a overlaps b */
		struct xor_chunk a, b, want;
		struct chunk_desc ca, cb;
		struct merge_series sa, sb;
		struct merge_source src[2];
		struct got g[2];
		struct err e = ERR_INIT;
		int64_t ts[240];
		double vs[240];
		int n = 0;

		xor_chunk_init(&a);
		xor_chunk_init(&b);
		for (int i = 0; i < na || i < nb; i++) {
			if (i < na) {
				ts[n] = 1000 * (int64_t)i;
				vs[n] = (double)(rand() % 1000) / 8;
				xor_chunk_append(&a, ts[n], vs[n]);
				n++;
			}
			if (i < nb) {
				ts[n] = 1000 * (int64_t)i + 500;
				vs[n] = (double)(rand() % 1000) / 8;
				xor_chunk_append(&b, ts[n], vs[n]);
				n++;
			}
		}
		ca = (struct chunk_desc){ a.b.data, a.b.len, CHUNK_ENC_XOR, 0, 1000 * (int64_t)(na - 1), 0 };
		cb = (struct chunk_desc){ b.b.data, b.b.len, CHUNK_ENC_XOR, 500, 1000 * (int64_t)(nb - 1) + 500, 0 };
		sa = (struct merge_series){ one, 1, &ca, 1 };
		sb = (struct merge_series){ one, 1, &cb, 1 };
		src[0] = (struct merge_source){ &sa, 1 };
		src[1] = (struct merge_source){ &sb, 1 };
		memset(g, 0, sizeof(g));
		CHECK_EQ_I(compact_merge(src, 2, false, collect, &g[0], &e), 0);
		CHECK_EQ_I(compact_merge(src, 2, true, collect, &g[1], &e), 0);
		CHECK_EQ_I(g[0].n, (size_t)(n + 119) / 120);
		CHECK_EQ_I(g[1].n, g[0].n);
		xor_chunk_init(&want);
		for (size_t k = 0; k < g[0].n; k++) {
			size_t from = k * 120, to = from + 120 < (size_t)n ? from + 120 : (size_t)n;
			bool quirk;

			xor_chunk_reset(&want);
			for (size_t i = from; i < to; i++)
				xor_chunk_append(&want, ts[i], vs[i]);
			quirk = want.count == 8;
			CHECK_MEM(g[0].bytes[k].data, g[0].len[k], want.b.data, want.b.len);
			CHECK_MEM(g[1].bytes[k].data, g[1].len[k], want.b.data, want.b.len - quirk);
			CHECK(g[1].mint[k] == ts[from] && g[1].maxt[k] == ts[to - 1]);
			trimmed += quirk;
			total++;
		}
		xor_chunk_release(&want);
		for (int k = 0; k < 2; k++)
			for (size_t i = 0; i < 64; i++)
				buf_release(&g[k].bytes[i]);
		xor_chunk_release(&a);
		xor_chunk_release(&b);
		err_release(&e);
	}
	/* the profile made a difference, and not on every chunk */
	CHECK(trimmed > 0 && trimmed < total);
}

int main(void)
{
	RUN(test_reencoded_chunks_follow_profile);
	return check_done();
}
