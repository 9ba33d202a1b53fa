/*
 * CRC32C: the CPU's crc32 instruction where there is one (x86-64 with
 * SSE4.2, asked of the CPU at each call: __builtin_cpu_supports reads what
 * libgcc found at start-up), else slicing-by-8 in software.  Reading
 * blocks checks the CRC of every chunk and index entry it reads, which the
 * instruction does about ten times faster.  The tables in crc32c_table.h
 * are constant data (generated once: row 0 is the bytewise table of the
 * reflected polynomial, row k extends row k-1 by one zero byte), so there
 * is no run-time initialisation and no mutable global state.
 */
#include "1-common/crc32c.h"

#include <string.h>

#include "1-common/crc32c_table.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define CRC32C_HW 1

__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c = ~crc;

	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, sizeof(w)); /* little-endian: the reflected CRC's byte order */
		c = _mm_crc32_u64(c, w);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return ~(uint32_t)c;
}
#endif

uint32_t crc32c_update_sw(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;

	crc = ~crc;
	while (len >= 8) {
		uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		crc = crc32c_tab[7][lo & 0xff] ^ crc32c_tab[6][(lo >> 8) & 0xff] ^
		      crc32c_tab[5][(lo >> 16) & 0xff] ^ crc32c_tab[4][lo >> 24] ^
		      crc32c_tab[3][p[4]] ^ crc32c_tab[2][p[5]] ^
		      crc32c_tab[1][p[6]] ^ crc32c_tab[0][p[7]];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc32c_tab[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

uint32_t crc32c_update(uint32_t crc, const void *data, size_t len)
{
#ifdef CRC32C_HW
	if (__builtin_cpu_supports("sse4.2"))
		return crc32c_hw(crc, data, len);
#endif
	return crc32c_update_sw(crc, data, len);
}
