/*
 * Number, duration and time formatting/parsing with Go's exact output, so
 * that what we print matches what promtool (a Go program) prints.
 *
 * Writers append to a struct buf the caller owns.  Parsers return 0 on
 * success and -1 on malformed input; they never allocate.
 */
#ifndef COMMON_GOFMT_H
#define COMMON_GOFMT_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/bytes.h" /* double_bits, bits_double */

/* Shortest decimal digits that round-trip to v (Go's strconv shortest mode).
 * digits gets up to 17 ASCII digits, NUL-terminated; *dp is the decimal point
 * position (value = 0.digits * 10^dp).  v must be finite and non-zero. */
void go_shortest_digits(double v, char digits[18], int *nd, int *dp);

/* fmt.Sprintf("%g", v) / strconv.FormatFloat(v, 'g', -1, 64):
 * "1e+06", "0.0001", "1.5e-05", "NaN", "+Inf", "-Inf". */
void go_fmt_g(struct buf *out, double v);
/* The same into out (no NUL); returns the length, at most GO_FMT_G_MAX. */
#define GO_FMT_G_MAX 32
size_t go_fmt_g_to(char out[GO_FMT_G_MAX], double v);
/* strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent;
 * NaN, +Inf, -Inf as Go spells them. */
void go_fmt_f(struct buf *out, double v);
/* strconv.FormatFloat(v, 'e', -1, 64), e.g. "1.5e-05". */
void go_fmt_e(struct buf *out, double v);

/* Writes u in decimal so that it ends just before end (20 bytes suffice);
 * returns where it starts. */
char *go_put_uint_rtl(char *end, uint64_t u);

/* time.Duration(ns).String(): "2h0m0s", "1.5s", "3ms", "0s". */
void go_fmt_duration(struct buf *out, int64_t ns);
/* Prometheus model.Duration(ms).String(): "1h30m", "5m", "1d", "0s". */
void prom_fmt_duration(struct buf *out, int64_t ms);

/* time.ParseDuration: "1h30m", "-1.5s", "300ms", "2h45m0.5s".  Result in ns. */
int go_parse_duration(const char *s, size_t len, int64_t *out_ns);
/* model.ParseDuration: "1y2w3d4h5m6s7ms" units in that order, each once,
 * integers only; result in ms.  "0" is accepted as in Prometheus. */
int prom_parse_duration(const char *s, size_t len, int64_t *out_ms);

/* Go's strconv.ParseFloat(s, 64), including "Inf", "+inf", "NaN" (any case),
 * hex floats and underscores-free decimal.  NaN parses to the bits Go
 * produces (0x7FF8000000000001).  Returns -1 on syntax error; out-of-range
 * values give ±Inf and return -2 (Go's ErrRange). */
int go_parse_float(const char *s, size_t len, double *out);

/* The NaN Go's math.NaN() and ParseFloat("NaN") return. */
double go_nan(void);
/* Prometheus' staleness marker, bits 0x7FF0000000000002. */
double prom_stale_nan(void);

#endif
