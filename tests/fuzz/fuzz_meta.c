/*
 * Fuzz target for meta.json decoding (Go's encoding/json into 2.42's
 * BlockMeta): any bytes must decode or fail with a message, and what
 * decodes must encode to meta.json that decodes to the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "3-tsdb/meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct block_meta m, m2;
	struct err e = ERR_INIT;
	struct buf b = BUF_INIT;

	if (block_meta_decode(&m, "fuzz/meta.json", (const char *)data, size, &e) < 0) {
		if (!err_isset(&e))
			abort();
		err_release(&e);
		return 0;
	}
	block_meta_encode(&b, &m);
	if (block_meta_decode(&m2, "fuzz/meta.json", (const char *)b.data, b.len, &e) < 0)
		abort(); /* what we write must read back */
	if (strcmp(m.ulid, m2.ulid) || m.min_time != m2.min_time || m.max_time != m2.max_time ||
	    m.stats.num_samples != m2.stats.num_samples || m.stats.num_series != m2.stats.num_series ||
	    m.stats.num_chunks != m2.stats.num_chunks || m.stats.num_tombstones != m2.stats.num_tombstones ||
	    m.compaction_level != m2.compaction_level || m.nsources != m2.nsources || m.version != m2.version)
		abort();
	for (size_t i = 0; i < m.nsources; i++)
		if (strcmp(m.sources[i], m2.sources[i]))
			abort();
	block_meta_release(&m);
	block_meta_release(&m2);
	buf_release(&b);
	return 0;
}
