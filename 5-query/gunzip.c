/*
 * gzip decoding with Go's compress/gzip rules (Go 1.19 gunzip.go), over
 * zlib's raw inflate.  RFC 1952 member layout:
 *
 *   1f 8b 08 FLG MTIME(4) XFL OS        fixed 10 bytes, magic and CM=8 checked
 *   [XLEN(2, LE) XLEN bytes]             FLG & 0x04 (FEXTRA)
 *   [name ... 00]                        FLG & 0x08 (FNAME), at most 511 bytes
 *   [comment ... 00]                     FLG & 0x10 (FCOMMENT), likewise
 *   [CRC16(2, LE)]                       FLG & 0x02 (FHCRC): low half of the
 *                                        CRC-32 of every header byte before it
 *   deflate data
 *   CRC32(4, LE) ISIZE(4, LE)            of the decoded member, size mod 2^32
 *
 * e.g. 1f 8b 08 00 00 00 00 00 00 03 | 03 00 | 00 00 00 00 00 00 00 00 is
 * the empty member.  Members follow each other (multistream); input ending
 * exactly where a member would start is the end, anything else there must
 * be another member.
 *
 * Where Go fails, and how (what net/http's body read then returns):
 *   fewer than 10 bytes where a member starts, any optional field or the
 *   trailer cut short, deflate data ending early   -> unexpected EOF
 *   wrong magic or method, a name or comment of 512 bytes without its NUL,
 *   a wrong FHCRC                                   -> gzip: invalid header
 *   CRC-32 or ISIZE not matching                    -> gzip: invalid checksum
 *   corrupt deflate data                            -> flate: corrupt input
 *                                                      before offset N
 * N counts the deflate bytes of the member consumed when the damage is
 * found; zlib gives back the whole bytes it read ahead, so its count is the
 * one Go's bit reader reaches.
 */
#include "5-query/gunzip.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "1-common/xalloc.h"

enum {
	S_FIXED,   /* the 10 fixed bytes */
	S_XLEN,
	S_XDATA,
	S_NAME,
	S_COMMENT,
	S_HCRC,
	S_DEFLATE,
	S_TRAILER,
	S_FAILED,
};

#define FHCRC 0x02
#define FEXTRA 0x04
#define FNAME 0x08
#define FCOMMENT 0x10
#define OUT_WINDOW (64 * 1024)
#define MAX_STRING 512 /* Go reads names and comments into a 512-byte buffer */

void gunzip_init(struct gunzip *g, gunzip_emit_fn emit, void *arg)
{
	memset(g, 0, sizeof(*g));
	g->emit = emit;
	g->arg = arg;
	g->state = S_FIXED;
}

void gunzip_release(struct gunzip *g)
{
	if (g->z) {
		inflateEnd(g->z);
		free(g->z);
	}
	free(g->out);
	memset(g, 0, sizeof(*g));
}

static int fail(struct gunzip *g, struct err *e, const char *msg)
{
	g->state = S_FAILED;
	return err_set(e, "%s", msg);
}

/* After the fixed part or an optional field: on to the next thing FLG asks for. */
static void next_field(struct gunzip *g, int after)
{
	g->have = 0;
	if (after < S_XLEN && (g->flags & FEXTRA))
		g->state = S_XLEN;
	else if (after < S_NAME && (g->flags & FNAME))
		g->state = S_NAME;
	else if (after < S_COMMENT && (g->flags & FCOMMENT))
		g->state = S_COMMENT;
	else if (after < S_HCRC && (g->flags & FHCRC))
		g->state = S_HCRC;
	else
		g->state = S_DEFLATE;
}

static int start_deflate(struct gunzip *g, struct err *e)
{
	g->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	g->size = 0;
	if (!g->z) {
		z_stream *z = xcalloc(1, sizeof(*z));
		if (inflateInit2(z, -15) != Z_OK) {
			free(z);
			return fail(g, e, "gzip: cannot initialise zlib");
		}
		g->z = z;
		g->out = xmalloc(OUT_WINDOW);
	} else if (inflateReset(g->z) != Z_OK) {
		return fail(g, e, "gzip: cannot reset zlib");
	}
	return 0;
}

/* Consumes header bytes from *p; returns 0 (maybe needing more) or -1. */
static int read_header(struct gunzip *g, const unsigned char **p, const unsigned char *end, struct err *e)
{
	while (*p < end && g->state < S_DEFLATE) {
		unsigned char c = **p;
		switch (g->state) {
		case S_FIXED:
			g->fixed[g->have++] = c;
			(*p)++;
			if (g->have < 10)
				break;
			if (g->fixed[0] != 0x1f || g->fixed[1] != 0x8b || g->fixed[2] != 8)
				return fail(g, e, "gzip: invalid header");
			g->flags = g->fixed[3];
			g->hcrc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), g->fixed, 10);
			next_field(g, S_FIXED);
			break;
		case S_XLEN:
			g->fixed[g->have++] = c;
			g->hcrc = (uint32_t)crc32(g->hcrc, &c, 1);
			(*p)++;
			if (g->have == 2) {
				g->xlen = (size_t)g->fixed[0] | (size_t)g->fixed[1] << 8;
				g->have = 0;
				g->state = S_XDATA;
				if (!g->xlen)
					next_field(g, S_XLEN);
			}
			break;
		case S_XDATA: {
			size_t n = (size_t)(end - *p) < g->xlen ? (size_t)(end - *p) : g->xlen;
			g->hcrc = (uint32_t)crc32(g->hcrc, *p, (uInt)n);
			*p += n;
			g->xlen -= n;
			if (!g->xlen)
				next_field(g, S_XLEN);
			break;
		}
		case S_NAME:
		case S_COMMENT:
			g->hcrc = (uint32_t)crc32(g->hcrc, &c, 1);
			(*p)++;
			if (!c) {
				next_field(g, g->state);
			} else if (++g->have >= MAX_STRING) {
				return fail(g, e, "gzip: invalid header");
			}
			break;
		case S_HCRC:
			g->fixed[g->have++] = c;
			(*p)++;
			if (g->have == 2) {
				if (((unsigned)g->fixed[0] | (unsigned)g->fixed[1] << 8) != (g->hcrc & 0xffff))
					return fail(g, e, "gzip: invalid header");
				next_field(g, S_HCRC);
			}
			break;
		}
	}
	if (g->state == S_DEFLATE)
		return start_deflate(g, e);
	return 0;
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Inflates from *p; moves to the trailer when the deflate stream ends. */
static int inflate_some(struct gunzip *g, const unsigned char **p, const unsigned char *end, struct err *e)
{
	z_stream *z = g->z;

	for (;;) {
		size_t in = (size_t)(end - *p);
		int rc;
		size_t produced;
		/* avail_in is 32 bits wide: feed very large pieces in parts */
		z->next_in = (Bytef *)*p;
		z->avail_in = in > 0x40000000u ? 0x40000000u : (uInt)in;
		z->next_out = g->out;
		z->avail_out = OUT_WINDOW;
		rc = inflate(z, Z_NO_FLUSH);
		*p = z->next_in;
		produced = OUT_WINDOW - z->avail_out;
		if (rc == Z_DATA_ERROR) {
			g->state = S_FAILED;
			return err_set(e, "flate: corrupt input before offset %lu", (unsigned long)z->total_in);
		}
		if (rc == Z_MEM_ERROR)
			return fail(g, e, "gzip: out of memory");
		if (produced) {
			g->crc = (uint32_t)crc32(g->crc, g->out, (uInt)produced);
			g->size += (uint32_t)produced;
			if (g->emit(g->arg, g->out, produced, e)) {
				g->state = S_FAILED;
				return -1;
			}
		}
		if (rc == Z_STREAM_END) {
			g->state = S_TRAILER;
			g->have = 0;
			return 0;
		}
		/* Z_OK or Z_BUF_ERROR: go on while there is input or output pending */
		if (*p == end && produced < OUT_WINDOW)
			return 0;
	}
}

int gunzip_feed(struct gunzip *g, const unsigned char *p, size_t n, struct err *e)
{
	const unsigned char *end = p + n;

	if (g->state == S_FAILED)
		return err_set(e, "gzip: decoder used after an error");
	while (p < end) {
		if (g->state < S_DEFLATE) {
			if (read_header(g, &p, end, e))
				return -1;
		} else if (g->state == S_DEFLATE) {
			if (inflate_some(g, &p, end, e))
				return -1;
		} else {
			size_t take = 8 - g->have < (size_t)(end - p) ? 8 - g->have : (size_t)(end - p);
			memcpy(g->trailer + g->have, p, take);
			g->have += take;
			p += take;
			if (g->have == 8) {
				if (get_le32(g->trailer) != g->crc || get_le32(g->trailer + 4) != g->size)
					return fail(g, e, "gzip: invalid checksum");
				g->state = S_FIXED; /* another member may follow */
				g->have = 0;
			}
		}
	}
	return 0;
}

int gunzip_finish(struct gunzip *g, struct err *e)
{
	if (g->state == S_FIXED && g->have == 0)
		return 0;
	if (g->state == S_FAILED)
		return err_set(e, "gzip: decoder used after an error");
	return fail(g, e, "unexpected EOF");
}
