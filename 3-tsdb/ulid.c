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
