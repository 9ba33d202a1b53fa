/*
 * ULIDs as oklog/ulid makes them for block names: 48-bit millisecond time,
 * then 80 random bits from the OS, in Crockford base32 (26 characters).
 * Nothing here allocates; out is a caller buffer of ULID_LEN + 1 bytes.
 */
#ifndef TSDB_ULID_H
#define TSDB_ULID_H

#include <stdbool.h>
#include <stdint.h>

#include "1-common/err.h"
#include "3-tsdb/meta.h"

/* Encodes 16 raw bytes as 26 characters plus NUL. */
void ulid_encode(char out[ULID_LEN + 1], const unsigned char raw[16]);
/*
 * ulid.ULID.UnmarshalText of oklog/ulid v1.3.1 (what 2.42 reads meta.json
 * ULIDs with): 26 characters (else "ulid: bad data size when
 * unmarshaling"), the first at most '7' (else "ulid: overflow when
 * unmarshaling"), characters not checked: each is looked up in the
 * Crockford table (either case; 0xFF for anything else) and the values
 * are packed into raw as its decoder packs them, so a bad character gives
 * the bits it gives there.
 */
int ulid_parse_text(unsigned char raw[16], const char *s, size_t len, struct err *e);
/* A new ULID for time ms with random bits from getrandom(2). */
int ulid_new(char out[ULID_LEN + 1], uint64_t ms, struct err *e);
/* Whether s is a ULID as ulid.ParseStrict accepts it (block directory
 * names): 26 Crockford base32 characters in either case, the first at
 * most '7' (no overflow). */
bool ulid_valid(const char *s);
/* Current wall time in ms, as ulid.Now(). */
uint64_t ulid_now_ms(void);

#endif
