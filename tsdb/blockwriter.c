/* Temporary stubs so that dependents link; the implementation follows. */
#include "tsdb/blockwriter.h"

#include <stdlib.h>

int block_writer_new(struct block_writer **out, const char *dir, int64_t chunk_range_ms, struct err *e)
{
	*out = NULL;
	return err_set(e, "block writer not implemented yet");
}

int block_writer_append(struct block_writer *w, const struct label *ls, size_t n, int64_t t_ms, double v, struct err *e)
{
	return err_set(e, "block writer not implemented yet");
}

int block_writer_commit(struct block_writer *w, struct err *e)
{
	return err_set(e, "block writer not implemented yet");
}

int block_writer_flush(struct block_writer *w, struct block_meta *meta_out, struct err *e)
{
	return err_set(e, "block writer not implemented yet");
}

void block_writer_free(struct block_writer *w)
{
	free(w);
}
