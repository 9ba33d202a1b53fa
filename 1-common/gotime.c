/*
 * Go time parsing and formatting as promtool 2.42 (built with Go 1.19) does
 * it for --start/--end: time.Parse(time.RFC3339Nano, ...) through the layout
 * parser of time/format.go, strconv.ParseFloat + math.Modf for numbers, and
 * Format(time.RFC822) for the "new rule importer" log line.
 */
#include "1-common/gotime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "1-common/gofmt.h"

static const char *const month_abbr[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in(int m, int64_t y)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

void go_time_unix(struct go_time *out, int64_t sec, int64_t nsec)
{
	/* time.Unix: carry whole seconds out of nsec, keep nsec non-negative. */
	if (nsec < 0 || nsec >= 1000000000) {
		int64_t n = nsec / 1000000000;
		sec = (int64_t)((uint64_t)sec + (uint64_t)n);
		nsec -= n * 1000000000;
		if (nsec < 0) {
			nsec += 1000000000;
			sec = (int64_t)((uint64_t)sec - 1);
		}
	}
	out->sec = sec;
	out->nsec = (int32_t)nsec;
	out->offset = 0;
	snprintf(out->zone, sizeof(out->zone), "UTC");
}

static int is_digit(const char *s, size_t len, size_t i)
{
	return i < len && s[i] >= '0' && s[i] <= '9';
}

/* Go's getnum: one or two digits (exactly two when fixed). */
static int getnum(const char *s, size_t len, size_t *pos, int fixed, int *out)
{
	size_t i = *pos;
	if (!is_digit(s, len, i))
		return -1;
	if (!is_digit(s, len, i + 1)) {
		if (fixed)
			return -1;
		*out = s[i] - '0';
		*pos = i + 1;
		return 0;
	}
	*out = (s[i] - '0') * 10 + (s[i + 1] - '0');
	*pos = i + 2;
	return 0;
}

static int lit(const char *s, size_t len, size_t *pos, char c)
{
	if (*pos >= len || s[*pos] != c)
		return -1;
	(*pos)++;
	return 0;
}

int go_parse_rfc3339nano(struct go_time *out, const char *s, size_t len)
{
	size_t pos = 0;
	int64_t year = 0, secs;
	int neg = 0, month, day, hour, min, sec, nsec = 0, utc = 0, zoff = 0;
	size_t i;

	/* 2006: four characters, Go's atoi (optional sign, digits only). */
	if (len < 4)
		return -1;
	i = 0;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	for (; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		year = year * 10 + (s[i] - '0');
	}
	if (neg)
		year = -year;
	pos = 4;
	if (lit(s, len, &pos, '-') < 0 || getnum(s, len, &pos, 1, &month) < 0 || month < 1 || month > 12)
		return -1;
	if (lit(s, len, &pos, '-') < 0 || getnum(s, len, &pos, 1, &day) < 0)
		return -1;
	if (lit(s, len, &pos, 'T') < 0 || getnum(s, len, &pos, 0, &hour) < 0 || hour > 23)
		return -1;
	if (lit(s, len, &pos, ':') < 0 || getnum(s, len, &pos, 1, &min) < 0 || min > 59)
		return -1;
	if (lit(s, len, &pos, ':') < 0 || getnum(s, len, &pos, 1, &sec) < 0 || sec > 59)
		return -1;
	/* .999999999: optional; at most nine digits */
	if (pos + 1 < len && (s[pos] == '.' || s[pos] == ',') && is_digit(s, len, pos + 1)) {
		int nd = 0;
		pos++;
		while (is_digit(s, len, pos)) {
			/* Go 1.19's parseNanoseconds: more than 9 digits is out of range */
			if (nd == 9)
				return -1;
			nsec = nsec * 10 + (s[pos] - '0');
			nd++;
			pos++;
		}
		for (; nd < 9; nd++)
			nsec *= 10;
	}
	/* Z07:00 */
	if (pos < len && s[pos] == 'Z') {
		utc = 1;
		pos++;
	} else {
		int hh, mm;
		size_t p;
		if (len - pos < 6 || s[pos + 3] != ':')
			return -1;
		p = pos + 1;
		if (getnum(s, len, &p, 1, &hh) < 0)
			return -1;
		p = pos + 4;
		if (getnum(s, len, &p, 1, &mm) < 0)
			return -1;
		/* no range check: Go 1.19 accepts +25:00 and +01:61 */
		zoff = (hh * 60 + mm) * 60;
		if (s[pos] == '-')
			zoff = -zoff;
		else if (s[pos] != '+')
			return -1;
		pos += 6;
	}
	if (pos != len)
		return -1;
	if (day < 1 || day > days_in(month, year))
		return -1;

	secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec - zoff;
	go_time_unix(out, secs, nsec);
	if (utc)
		return 0;

	/*
	 * Go keeps the local zone when it has this offset at this instant,
	 * otherwise it fabricates a nameless fixed zone.
	 */
	out->offset = zoff;
	out->zone[0] = '\0';
	{
		time_t tt = (time_t)secs;
		struct tm tm;
		if (localtime_r(&tt, &tm) && tm.tm_gmtoff == zoff && tm.tm_zone)
			snprintf(out->zone, sizeof(out->zone), "%s", tm.tm_zone);
	}
	return 0;
}

/* Go's float64 -> int64 conversion on amd64: out of range and NaN give INT64_MIN. */
static int64_t go_f2i(double f)
{
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

int go_parse_promtool_time(struct go_time *out, const char *s)
{
	size_t len = strlen(s);
	double f;

	if (go_parse_float(s, len, &f) == 0) {
		double ip, frac;
		frac = modf(f, &ip);
		if (isinf(f))
			frac = NAN; /* math.Modf(±Inf) = ±Inf, NaN */
		go_time_unix(out, go_f2i(ip), go_f2i(frac * 1e9));
		return 0;
	}
	return go_parse_rfc3339nano(out, s, len);
}

void go_fmt_rfc822(struct buf *out, const struct go_time *t)
{
	int64_t local = (int64_t)((uint64_t)t->sec + (uint64_t)(int64_t)t->offset);
	int64_t days = floor_div(local, 86400), rem = local - days * 86400, y;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	buf_addf(out, "%02d %s %02d %02d:%02d ", d, month_abbr[m - 1], (int)((y % 100 + 100) % 100),
		 (int)(rem / 3600), (int)(rem % 3600 / 60));
	if (t->zone[0]) {
		buf_adds(out, t->zone);
	} else {
		int z = t->offset / 60;
		buf_addc(out, z < 0 ? '-' : '+');
		if (z < 0)
			z = -z;
		buf_addf(out, "%02d%02d", z / 60, z % 60);
	}
}

int go_time_before(const struct go_time *t, const struct go_time *u)
{
	return t->sec < u->sec || (t->sec == u->sec && t->nsec < u->nsec);
}

double go_ms_seconds(int64_t ms)
{
	return (double)(ms / 1000) + (double)(ms % 1000 * 1000000) / 1e9;
}
