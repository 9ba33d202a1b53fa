/*
 * Fuzz target: a chunk segment from memory.  The first 4 bytes pick chunk
 * references (offsets) to look up, besides the first 64 offsets a chunk
 * could start at; each chunk found is decoded as XOR to the end.  Any
 * input must give a clean error or data, never a crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "1-common/bytes.h"
#include "1-common/err.h"
#include "3-tsdb/chunkenc.h"
#include "3-tsdb/chunks_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunks_reader r;
	struct err e = ERR_INIT;
	uint32_t seed;

	if (size < 4)
		return 0;
	seed = get_be32(data);
	data += 4;
	size -= 4;
	if (chunks_reader_open_mem(&r, data, size, &e) == 0) {
		/* every offset a chunk could start at, plus the seeded one and
		 * refs into segments that do not exist */
		uint64_t refs[] = { 8, seed, (uint64_t)1 << 32 | 8, seed % (size + 1) };
		for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
			struct chunk_data cd;
			err_release(&e);
			if (chunks_reader_chunk(&r, refs[i], &cd, &e) == 0) {
				struct xor_iter it;
				xor_iter_init(&it, cd.data, cd.len);
				while (xor_iter_next(&it))
					(void)xor_iter_value(&it);
			}
		}
		for (size_t off = 8; off < size && off < 72; off++) {
			struct chunk_data cd;
			err_release(&e);
			if (chunks_reader_chunk(&r, off, &cd, &e) == 0) {
				struct xor_iter it;
				xor_iter_init(&it, cd.data, cd.len);
				while (xor_iter_next(&it))
					;
			}
		}
	}
	chunks_reader_release(&r);
	err_release(&e);
	return 0;
}
