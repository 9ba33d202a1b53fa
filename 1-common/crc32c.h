/*
 * CRC32C (Castagnoli), as Go's hash/crc32 with crc32.Castagnoli, which every
 * TSDB checksum uses.  crc32c_update(0, "123456789", 9) == 0xE3069283.
 */
#ifndef COMMON_CRC32C_H
#define COMMON_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues a running CRC; start with crc = 0. */
uint32_t crc32c_update(uint32_t crc, const void *data, size_t len);

static inline uint32_t crc32c(const void *data, size_t len)
{
	return crc32c_update(0, data, len);
}

#endif
