/*
 * Version profiles: which promtool release to behave like (--compat=VERSION,
 * or PROMTOOL_COMPAT).  The default, and the only profile whose every byte is
 * pinned by goldens of the real tool, is 2.42.0.
 *
 * A struct compat is a plain value (no allocation): copy it, pass a const
 * pointer down to whatever layer has a gate.  Code asks one question,
 * compat_on(c, COMPAT_X), for a gate listed in compat_gates.h; a NULL profile
 * means 2.42.0, so callers that never heard of versions keep 2.42's
 * behaviour.  compat_at_least() is for tables keyed by version (the PromQL
 * functions a release has), not for one-off behaviour: that is a gate.
 */
#ifndef COMMON_COMPAT_H
#define COMMON_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include "1-common/compat_gates.h"

struct err;

enum compat_gate {
#define COMPAT_ENUM(name, maj, min, pat, what) COMPAT_##name,
	COMPAT_GATES(COMPAT_ENUM)
#undef COMPAT_ENUM
	COMPAT_GATE_COUNT
};

struct compat {
	int major, minor, patch;
	bool on[COMPAT_GATE_COUNT];
};

struct compat_gate_info {
	const char *name; /* "PROMQL_LEFT_OPEN" */
	int major, minor, patch; /* first release with it */
	const char *what;
};

/* The 2.42.0 profile. */
void compat_init(struct compat *out);
/*
 * Parses "2.52", "2.52.0", "v3.14.0" into out.  "X.Y" means X.Y.0.  A version
 * that is not a release we know (compat_gates.h) is an error naming the range.
 */
int compat_parse(struct compat *out, const char *s, struct err *e);
/* Whether gate g is on; c may be NULL (2.42.0). */
bool compat_on(const struct compat *c, enum compat_gate g);
/* Whether c is major.minor.patch or later; c may be NULL (2.42.0). */
bool compat_at_least(const struct compat *c, int major, int minor, int patch);
/* "2.42.0" into buf (at least 16 bytes); returns buf. */
char *compat_format(const struct compat *c, char *buf, size_t size);
/* The rows of compat_gates.h, for tests and documentation. */
const struct compat_gate_info *compat_gate(enum compat_gate g);

#endif
