/*
 * Internal to rulefmt/: 2.42's RuleGroups.Validate() over decoded groups,
 * and the checks it uses.  Messages are appended to errs already prefixed
 * with the file name; parsed[k] receives the k-th rule's parsed expression
 * (rules numbered across groups), owned by the caller.
 */
#ifndef RULES_VALIDATE_H
#define RULES_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "6-rules/decode.h"
#include "6-rules/rulefmt.h"

void rulefmt_validate(struct rulefmt_errors *errs, const char *path, const struct dgroups *dg,
		      const struct dnodegroups *ng, struct promql_expr **parsed);
/* Takes ownership of msg. */
void rulefmt_errors_add(struct rulefmt_errors *errs, char *msg);

/*
 * Parses a Go text/template as 2.42's testTemplateParsing does for alerting
 * rules (name "__alert_<alert>", Prometheus' function map).  Returns -1 with
 * e set to text/template's message ("template: __alert_x:1: ...").
 */
int rulefmt_template_check(const char *name, const char *text, size_t len, struct err *e);

#endif
