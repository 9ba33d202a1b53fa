/*
 * ULIDs: the 26-character Crockford base32 text of 16 bytes (48-bit time,
 * 80 random bits), made and read as oklog/ulid v1.3.1 does.
 */
#include "3-tsdb/ulid.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "1-common/goerrno.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void ulid_encode(char out[ULID_LEN + 1], const unsigned char raw[16])
{
	/* 128 bits as 26 five-bit digits: the first digit carries 3 bits. */
	unsigned hi_bits = 2; /* pad: 130 - 128 */
	uint32_t acc = 0;
	unsigned nbits = hi_bits;
	size_t o = 0;

	for (size_t i = 0; i < 16; i++) {
		acc = (acc << 8) | raw[i];
		nbits += 8;
		while (nbits >= 5) {
			nbits -= 5;
			out[o++] = crockford[(acc >> nbits) & 31];
		}
	}
	out[o] = '\0';
}

static unsigned char crockford_value(unsigned char c)
{
	const char *p;

	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	p = c ? strchr(crockford, c) : NULL;
	return p ? (unsigned char)(p - crockford) : 0xFF;
}

int ulid_parse_text(unsigned char raw[16], const char *s, size_t len, struct err *e)
{
	if (len != ULID_LEN)
		return err_set(e, "ulid: bad data size when unmarshaling");
	if ((unsigned char)s[0] > '7')
		return err_set(e, "ulid: overflow when unmarshaling");
	/*
	 * Character i holds bits [5i, 5i+5) of 130, byte j bits [2+8j, 10+8j)
	 * (two bits of padding first).  Each byte ORs the 8-bit table values
	 * of the characters overlapping it, shifted into place and cut to 8
	 * bits -- for a 0xFF value too, as the upstream decoder does.
	 */
	for (int j = 0; j < 16; j++) {
		unsigned v = 0;
		for (int i = (2 + 8 * j) / 5; i < ULID_LEN && 5 * i < 10 + 8 * j; i++) {
			int shift = 8 * j - 5 * i + 5;
			unsigned d = crockford_value((unsigned char)s[i]);
			v |= shift >= 0 ? d << shift : d >> -shift;
		}
		raw[j] = (unsigned char)v;
	}
	return 0;
}

bool ulid_valid(const char *s)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz";

	if (strlen(s) != ULID_LEN || s[0] > '7')
		return false;
	for (; *s; s++)
		if (!strchr(alphabet, *s))
			return false;
	return true;
}

int ulid_new(char out[ULID_LEN + 1], uint64_t ms, struct err *e)
{
	unsigned char raw[16];
	size_t got = 0;

	for (int i = 0; i < 6; i++)
		raw[i] = (unsigned char)(ms >> (40 - 8 * i));
	while (got < 10) {
		ssize_t n = getrandom(raw + 6 + got, 10 - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(e, "read random bytes for ULID: %s", go_strerror(errno));
		}
		got += (size_t)n;
	}
	ulid_encode(out, raw);
	return 0;
}

uint64_t ulid_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
