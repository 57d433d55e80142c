/* SPDX-License-Identifier: MIT */
/*
 * timefmt.c - parse durations and trace-time points, print timestamps
 * (formats in timefmt.h).  Fractions are read as decimal digits, never
 * through a double, so "1733333333.123456789" stays exact to the
 * nanosecond.
 */
#include "timefmt.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000ll

/* "SEC[.FRAC]" at *p: whole seconds and nanoseconds; advances *p. */
static int parse_decimal(const char **p, int64_t *sec, int64_t *ns)
{
	const char *s = *p;
	int64_t whole = 0, frac = 0, scale = NS_PER_S;

	if (!isdigit((unsigned char)*s) && !(*s == '.' && isdigit((unsigned char)s[1])))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (whole > (INT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++)
			if (scale > 1)
				scale /= 10, frac += (*s - '0') * scale;
	}
	*sec = whole;
	*ns = frac;
	*p = s;
	return 0;
}

int dp_parse_duration(const char *text, uint64_t *ret_ns, char *err, size_t errlen)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {
	    {"ns", 1},	     {"us", 1000},	   {"ms", 1000000},
	    {"s", NS_PER_S}, {"m", 60 * NS_PER_S}, {"h", 3600 * NS_PER_S},
	    {"", NS_PER_S},
	};
	const char *p = text;
	int64_t sec, frac;
	__int128 v;

	if (parse_decimal(&p, &sec, &frac))
		goto bad;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit))
			continue;
		/* frac is in ns for a unit of 1 s: rescale to the unit. */
		v = (__int128)sec * units[i].ns + (__int128)frac * units[i].ns / NS_PER_S;
		if (v <= 0 || v > INT64_MAX)
			goto bad;
		*ret_ns = (uint64_t)v;
		return 0;
	}
bad:
	snprintf(err, errlen,
		 "bad duration '%s' (expected a positive number with a unit: "
		 "ns us ms s m h, e.g. 1s or 250ms)",
		 text);
	return -1;
}

/* "HH:MM[:SS[.FRAC]]" at *p into ns since midnight. */
static int parse_clock(const char **p, int64_t *ret)
{
	int h, m, n = 0;
	int64_t sec = 0, frac = 0;
	const char *s = *p;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5 || h > 23 || m > 59)
		return -1;
	s += n;
	if (*s == ':') {
		s++;
		if (!isdigit((unsigned char)*s) || parse_decimal(&s, &sec, &frac) || sec > 60)
			return -1;
	}
	*ret = ((int64_t)h * 3600 + m * 60 + sec) * NS_PER_S + frac;
	*p = s;
	return 0;
}

/* Midnight (local, or UTC) of the given day, in seconds since the epoch. */
static int64_t midnight(struct tm *tm, int utc)
{
	tm->tm_hour = tm->tm_min = tm->tm_sec = 0;
	tm->tm_isdst = -1;
	return utc ? (int64_t)timegm(tm) : (int64_t)mktime(tm);
}

static int parse_date_time(const char *text, struct dp_time *t)
{
	struct tm tm = {0};
	int64_t tod;
	const char *p = text;
	int y, mo, d, n = 0;

	if (sscanf(p, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    (p[10] != ' ' && p[10] != 'T'))
		return -1;
	p += 11;
	if (parse_clock(&p, &tod))
		return -1;
	t->utc = *p == 'Z';
	if (*p && strcmp(p, "Z"))
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	t->kind = DP_TIME_ABS;
	t->ns = midnight(&tm, t->utc) * NS_PER_S + tod;
	return 0;
}

int dp_parse_time(const char *text, struct dp_time *t, char *err, size_t errlen)
{
	const char *p = text;
	int64_t sec, frac;
	uint64_t dur;

	memset(t, 0, sizeof(*t));
	if (*p == '+') {
		if (dp_parse_duration(p + 1, &dur, err, errlen))
			return -1;
		t->kind = DP_TIME_REL;
		t->ns = (int64_t)dur;
		return 0;
	}
	if (strlen(p) > 10 && p[4] == '-') {
		if (!parse_date_time(p, t))
			return 0;
		snprintf(err, errlen, "bad time '%s' (expected YYYY-MM-DD HH:MM[:SS[.NNN]])", text);
		return -1;
	}
	if (strchr(p, ':')) {
		if (parse_clock(&p, &t->ns) || (*p && strcmp(p, "Z")))
			goto bad;
		t->utc = *p == 'Z';
		t->kind = DP_TIME_TOD;
		return 0;
	}
	if (parse_decimal(&p, &sec, &frac) || *p || sec > INT64_MAX / NS_PER_S - 1)
		goto bad;
	t->kind = DP_TIME_ABS;
	t->ns = sec * NS_PER_S + frac;
	return 0;
bad:
	snprintf(err, errlen,
		 "bad time '%s' (expected seconds since the epoch, "
		 "[YYYY-MM-DD ]HH:MM[:SS[.NNN]], or +DURATION after the first event)",
		 text);
	return -1;
}

int64_t dp_time_resolve(const struct dp_time *t, int64_t first_ns)
{
	time_t s = (time_t)(first_ns / NS_PER_S);
	struct tm tm;

	switch (t->kind) {
	case DP_TIME_REL:
		return first_ns + t->ns;
	case DP_TIME_TOD:
		if (t->utc)
			gmtime_r(&s, &tm);
		else
			localtime_r(&s, &tm);
		return midnight(&tm, t->utc) * NS_PER_S + t->ns;
	default:
		return t->ns;
	}
}

void dp_format_tod(char *buf, size_t len, int64_t ns)
{
	int64_t sec = ns / NS_PER_S, frac = ns % NS_PER_S;
	time_t s;
	struct tm tm;

	if (frac < 0)
		frac += NS_PER_S, sec--;
	s = (time_t)sec;
	localtime_r(&s, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%09" PRId64, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

void dp_format_duration(char *buf, size_t len, uint64_t ns)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
	    {"h", 3600ull * NS_PER_S},
	    {"m", 60ull * NS_PER_S},
	    {"s", NS_PER_S},
	    {"ms", 1000000},
	    {"us", 1000},
	    {"ns", 1},
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns % units[i].ns == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", ns / units[i].ns, units[i].unit);
			return;
		}
}
