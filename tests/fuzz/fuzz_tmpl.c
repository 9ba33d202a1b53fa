/*
 * Fuzz target for alert templates (Go's text/template parser as 2.42's
 * check rules runs it on labels and annotations): any text must parse or
 * fail with a message, never crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "1-common/err.h"
#include "6-rules/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;

	if (rulefmt_template_check("__alert_fuzz", (const char *)data, size, &e) < 0 && !err_isset(&e))
		abort();
	err_release(&e);
	return 0;
}
