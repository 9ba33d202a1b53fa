/*
 * Fuzz target: a Prometheus HTTP API response body as the remote source
 * decodes it (5-query/apiresp.c): the envelope, then the result as a
 * queryResult.  Any input decodes or fails with a message; a decoded
 * matrix's series and samples stay inside their arrays.  The body is
 * also read as a model.Time number.
 */
#include <stdint.h>
#include <stdlib.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "2-model/labels.h"
#include "5-query/apiresp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_resp r;
	struct err e = ERR_INIT;
	struct buf msg = BUF_INIT;
	int64_t t;

	api_resp_init(&r);
	if (api_resp_decode_envelope(&r, (const char *)data, size, &e) < 0) {
		if (!err_isset(&e))
			abort();
		goto done;
	}
	if (r.has_data && (r.data < (const char *)data || r.data_len > size ||
			   (size_t)(r.data - (const char *)data) > size - r.data_len))
		abort(); /* "data" must lie inside the body */
	if (!r.has_data)
		goto done;
	if (api_resp_decode_result(&r, &e) < 0) {
		if (!err_isset(&e))
			abort();
		goto done;
	}
	for (size_t i = 0; i < r.nseries; i++) {
		struct labels ls = LABELS_INIT;
		if (r.series[i].sample_off + r.series[i].nsamples > r.nsamples ||
		    r.series[i].label_off + r.series[i].nlabels > r.nlabels)
			abort();
		api_resp_series_labels(&r, i, &ls);
		labels_release(&ls);
	}
done:
	if (api_parse_model_time((const char *)data, size, &t, &msg) < 0 && !msg.len)
		abort();
	buf_release(&msg);
	err_release(&e);
	api_resp_release(&r);
	return 0;
}
