/*
 * Fuzz target for rule-file loading (libyaml tree, yaml.v3-style decoding,
 * validation, expression parsing): any bytes must load or fail cleanly, a
 * failure must come with at least one message, and a success must give a
 * model whose every rule has a parsed expression.
 */
#include <stdint.h>
#include <stdlib.h>

#include "6-rules/rulefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rulefmt_errors errs;
	struct rulefmt_file *f = NULL;
	int r;

	rulefmt_errors_init(&errs);
	r = rulefmt_load_mem(&f, "fuzz.yml", (const char *)data, size, &errs);
	if (r < 0 && (f || errs.n == 0))
		abort(); /* a failure without a message, or with a half-built file */
	if (r == 0) {
		if (!f || errs.n)
			abort();
		for (size_t g = 0; g < f->ngroups; g++)
			for (size_t i = 0; i < f->groups[g].nrules; i++)
				if (!f->groups[g].rules[i].parsed)
					abort();
	}
	rulefmt_file_free(f);
	rulefmt_errors_release(&errs);
	return 0;
}
