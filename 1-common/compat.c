/*
 * Version profiles (compat.h): parsing a release number and turning it into
 * the set of gates that release has, from the tables in compat_gates.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/compat.h"
#include "1-common/err.h"

static const struct compat_gate_info gates[COMPAT_GATE_COUNT] = {
#define COMPAT_INFO(name, maj, min, pat, what) { #name, maj, min, pat, what },
	COMPAT_GATES(COMPAT_INFO)
#undef COMPAT_INFO
};

static const int releases[][3] = {
#define COMPAT_REL(maj, min, pat) { maj, min, pat },
	COMPAT_RELEASES(COMPAT_REL)
#undef COMPAT_REL
};

#define NRELEASES (sizeof(releases) / sizeof(releases[0]))

static int cmp_version(int amaj, int amin, int apat, int bmaj, int bmin, int bpat)
{
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	if (amin != bmin)
		return amin < bmin ? -1 : 1;
	if (apat != bpat)
		return apat < bpat ? -1 : 1;
	return 0;
}

static void set_version(struct compat *out, int major, int minor, int patch)
{
	out->major = major;
	out->minor = minor;
	out->patch = patch;
	for (size_t g = 0; g < COMPAT_GATE_COUNT; g++)
		out->on[g] = cmp_version(major, minor, patch, gates[g].major, gates[g].minor, gates[g].patch) >= 0;
}

void compat_init(struct compat *out)
{
	set_version(out, releases[0][0], releases[0][1], releases[0][2]);
}

/* One decimal component, at most 4 digits, no leading zero; *p moves past it. */
static int read_component(const char **p, int *out)
{
	const char *s = *p;
	int v = 0, n = 0;

	while (*s >= '0' && *s <= '9' && n < 4) {
		v = v * 10 + (*s - '0');
		s++;
		n++;
	}
	if (!n || (*s >= '0' && *s <= '9') || (n > 1 && **p == '0'))
		return -1;
	*out = v;
	*p = s;
	return 0;
}

int compat_parse(struct compat *out, const char *s, struct err *e)
{
	const char *p = s;
	int v[3] = { 0, 0, 0 }, n = 0;

	if (*p == 'v')
		p++;
	while (n < 3) {
		if (read_component(&p, &v[n]) < 0)
			goto bad;
		n++;
		if (!*p)
			break;
		if (*p != '.' || n == 3)
			goto bad;
		p++;
	}
	if (n < 2)
		goto bad;
	for (size_t i = 0; i < NRELEASES; i++)
		if (!cmp_version(v[0], v[1], v[2], releases[i][0], releases[i][1], releases[i][2])) {
			set_version(out, v[0], v[1], v[2]);
			return 0;
		}
bad:
	return err_set(e, "unknown promtool version '%s' for --compat: want a release from %d.%d.%d to %d.%d.%d", s,
		       releases[0][0], releases[0][1], releases[0][2], releases[NRELEASES - 1][0],
		       releases[NRELEASES - 1][1], releases[NRELEASES - 1][2]);
}

bool compat_on(const struct compat *c, enum compat_gate g)
{
	return c ? c->on[g] : false;
}

bool compat_at_least(const struct compat *c, int major, int minor, int patch)
{
	if (!c)
		return cmp_version(releases[0][0], releases[0][1], releases[0][2], major, minor, patch) >= 0;
	return cmp_version(c->major, c->minor, c->patch, major, minor, patch) >= 0;
}

char *compat_format(const struct compat *c, char *buf, size_t size)
{
	if (c)
		snprintf(buf, size, "%d.%d.%d", c->major, c->minor, c->patch);
	else
		snprintf(buf, size, "%d.%d.%d", releases[0][0], releases[0][1], releases[0][2]);
	return buf;
}

const struct compat_gate_info *compat_gate(enum compat_gate g)
{
	return &gates[g];
}
