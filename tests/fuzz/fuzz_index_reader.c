/*
 * Fuzz target: an index file (v1 or v2) opened from memory, then every
 * symbol, postings list and series it claims to hold read back.  Any input
 * must give a clean error or data, never a crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "3-tsdb/index_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct index_reader r;
	struct index_series s;
	struct err e = ERR_INIT;

	index_series_init(&s);
	if (index_reader_open_mem(&r, data, size, "fuzz", &e) == 0) {
		struct index_postings all;
		for (size_t i = 0; i < r.npe; i++) {
			struct index_postings p;
			size_t n;
			err_release(&e);
			if (index_reader_postings_at(&r, r.pe[i].off, &p, &e) == 0)
				for (uint32_t j = 0; j < p.n && j < 1000; j++) {
					err_release(&e);
					(void)index_reader_series(&r, index_postings_at(&p, j), &s, &e);
				}
			(void)index_reader_label_values(&r, r.pe[i].name, &n);
		}
		err_release(&e);
		if (index_reader_postings(&r, "", "", &all, &e) == 0)
			for (uint32_t j = 0; j < all.n && j < 1000; j++) {
				const char *sym;
				err_release(&e);
				(void)index_reader_series(&r, index_postings_at(&all, j), &s, &e);
				err_release(&e);
				(void)index_reader_symbol(&r, index_postings_at(&all, j), &sym, &e);
			}
	}
	index_reader_release(&r);
	index_series_release(&s);
	err_release(&e);
	return 0;
}
