/*
 * CRC32C (Castagnoli), as Go's hash/crc32 with crc32.Castagnoli, which every
 * TSDB checksum uses.  crc32c_update(0, "123456789", 9) == 0xE3069283.
 */
#ifndef COMMON_CRC32C_H
#define COMMON_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Continues a running CRC; start with crc = 0. */
uint32_t crc32c_update(uint32_t crc, const void *data, size_t len);
/* The same in software only (what crc32c_update() does without the CPU's
 * crc32 instruction), for the tests that compare the two. */
uint32_t crc32c_update_sw(uint32_t crc, const void *data, size_t len);

static inline uint32_t crc32c(const void *data, size_t len)
{
	return crc32c_update(0, data, len);
}

/*
 * Whether a checksum read from a file disagrees with the one computed.
 * Builds with PROMTOOL_FUZZING defined (make fuzz, and the corpus replay
 * drivers of make test) accept every checksum, so that mutated inputs
 * reach the decoders behind the checks; nothing else defines it.
 */
static inline bool crc32c_mismatch(uint32_t computed, uint32_t stored)
{
#ifdef PROMTOOL_FUZZING
	(void)computed;
	(void)stored;
	return false;
#else
	return computed != stored;
#endif
}

#endif
