/*
 * Go time values as promtool parses and prints them: a Unix instant with
 * nanoseconds plus the zone Go would attach to it (time.Time's location),
 * so that Format(time.RFC822) prints the same zone abbreviation.
 *
 * Nothing here allocates; struct go_time is a plain value.
 */
#ifndef COMMON_GOTIME_H
#define COMMON_GOTIME_H

#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"

struct go_time {
	int64_t sec;     /* Unix seconds (floor, as Time.Unix()) */
	int32_t nsec;    /* 0 .. 999999999 */
	int32_t offset;  /* zone offset east of UTC in seconds */
	char zone[16];   /* abbreviation ("UTC", "CET"); "" = fixed zone without a name */
};

/* time.Unix(sec, nsec).UTC(), nsec normalised as Go does. */
void go_time_unix(struct go_time *out, int64_t sec, int64_t nsec);

/*
 * time.Parse(time.RFC3339Nano, s) as Go 1.19's layout parser accepts it
 * (up to nine fractional digits after '.' or ',', one-digit hours,
 * "Z" or "+hh:mm").  A numeric offset that the local zone uses at that
 * instant gets the local abbreviation; any other becomes a nameless fixed
 * zone, as Go does.  Returns 0, or -1 when Go would reject the text.
 */
int go_parse_rfc3339nano(struct go_time *out, const char *s, size_t len);

/*
 * promtool's parseTime (cmd/promtool/main.go): a number (strconv.ParseFloat)
 * is Unix seconds with the fraction split off by math.Modf, anything else is
 * tried as RFC3339Nano.  Returns 0 or -1.
 */
int go_parse_promtool_time(struct go_time *out, const char *s);

/* t.Format(time.RFC822): "02 Jan 06 15:04 MST" (nameless zones as "+0200"). */
void go_fmt_rfc822(struct buf *out, const struct go_time *t);

/* t.Before(u). */
int go_time_before(const struct go_time *t, const struct go_time *u);

/*
 * time.Duration.Seconds() of ms milliseconds: whole seconds plus the
 * nanoseconds / 1e9, which is not always ms / 1000.0 (1118 ms differs in
 * the last bit).
 */
double go_ms_seconds(int64_t ms);

#endif
