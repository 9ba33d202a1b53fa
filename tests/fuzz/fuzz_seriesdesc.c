/*
 * Fuzz target: promqltest's series descriptions and metrics as `promtool
 * test rules` reads input_series and exp_labels (4-promql/seriesdesc.c):
 * ParseSeriesDesc and ParseMetric on the same bytes.  Either parses or
 * fails with a message; a parsed description never expands past its
 * limit and its labels come out sorted.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "4-promql/seriesdesc.h"

static void check_sorted(const struct labels *ls)
{
	for (size_t i = 1; i < ls->n; i++)
		if (strcmp(ls->v[i - 1].name, ls->v[i].name) > 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct labels ls = LABELS_INIT;
	struct err e = ERR_INIT;
	double *vals = NULL;
	bool *omitted = NULL;
	size_t n = 0, cap = 0;

	if (promql_series_desc_parse((const char *)data, size, &ls, &vals, &omitted, &n, &cap, &e) == 0) {
		if (n > PROMQL_SERIES_DESC_MAX_VALUES)
			abort();
		check_sorted(&ls);
	} else if (!err_isset(&e)) {
		abort();
	}
	err_release(&e);
	labels_release(&ls);
	free(vals);
	free(omitted);
	if (promql_metric_parse((const char *)data, size, &ls, &e) == 0)
		check_sorted(&ls);
	else if (!err_isset(&e))
		abort();
	err_release(&e);
	labels_release(&ls);
	return 0;
}
