/*
 * Reader for a block's index file, formats v1 and v2
 * (upstream v2.42.0:tsdb/docs/format/index.md).
 *
 * The file is memory-mapped, never copied whole.  Opening decodes the
 * symbol table and the postings offset table into small arrays owned by
 * the reader (NUL-terminated copies of the strings, so label sets can point
 * at them); everything returned by the getters points into the reader and
 * lives until index_reader_release().  struct index_series owns its arrays
 * (index_series_release()); its label strings belong to the reader.
 *
 * Every section's CRC32C is checked when it is read, as 2.42's index.Reader
 * does.  Errors name the file and the byte offset.
 */
#ifndef TSDB_INDEX_READER_H
#define TSDB_INDEX_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/err.h"
#include "2-model/labels.h"
#include "1-common/mmapfile.h"

#define INDEX_MAGIC 0xBAAAD700u
#define INDEX_TOC_LEN 52

struct index_chunk_meta {
	int64_t mint, maxt; /* both inclusive, as in the index */
	uint64_t ref;       /* segment index << 32 | offset */
};

struct index_series {
	struct label *lbls;
	size_t nlbls, lcap;
	struct index_chunk_meta *chks;
	size_t nchks, ccap;
};

/* One row of the postings offset table. */
struct index_postings_entry {
	const char *name, *value;
	uint64_t off; /* file offset of the postings list */
};

/* A postings list: n big-endian uint32 series references at p. */
struct index_postings {
	const unsigned char *p;
	uint32_t n;
};

struct index_toc {
	uint64_t symbols, series, label_indices, label_indices_table, postings, postings_table;
};

struct index_reader {
	struct mmap_file file;
	const unsigned char *data;
	size_t len;
	char *path; /* for messages */
	int version;
	struct index_toc toc;
	/* symbols, in table order; sym_off[i] is the file offset of symbol i */
	const char **syms;
	uint32_t *sym_off;
	size_t nsyms;
	char *sym_arena;
	/* postings offset table, sorted by (name, value) */
	struct index_postings_entry *pe;
	size_t npe;
	char *pe_arena;
	/* distinct label names (excluding the all-postings key ""): name i
	 * owns rows [name_first[i], name_first[i+1]) of pe */
	size_t *name_first;
	size_t nnames;
};

void index_reader_init(struct index_reader *r);
/* Maps and checks path (magic, version, TOC, symbols, postings table). */
int index_reader_open(struct index_reader *r, const char *path, struct err *e);
/* The same over caller-owned bytes that must outlive the reader (fuzzing). */
int index_reader_open_mem(struct index_reader *r, const void *data, size_t len, const char *name, struct err *e);
void index_reader_release(struct index_reader *r);

/*
 * Checks the "len (be32) | content | CRC32C" section at file offset off and
 * points c at its content; what names the section in messages.
 */
struct cursor;
int index_reader_section(const struct index_reader *r, uint64_t off, const char *what, struct cursor *c,
			 struct err *e);

/* Resolves a symbol reference (v2: table position; v1: file offset). */
int index_reader_symbol(const struct index_reader *r, uint32_t ref, const char **out, struct err *e);

/* Postings list for name=value; a missing pair gives an empty list. */
int index_reader_postings(const struct index_reader *r, const char *name, const char *value,
			  struct index_postings *out, struct err *e);
/* Reads the postings list at file offset off (e.g. a pe[] row's). */
int index_reader_postings_at(const struct index_reader *r, uint64_t off, struct index_postings *out,
			     struct err *e);
static inline uint32_t index_postings_at(const struct index_postings *p, uint32_t i)
{
	return (uint32_t)p->p[4 * (size_t)i] << 24 | (uint32_t)p->p[4 * (size_t)i + 1] << 16 |
	       (uint32_t)p->p[4 * (size_t)i + 2] << 8 | p->p[4 * (size_t)i + 3];
}

/* Rows of pe for one label name, or NULL/0 when the name is absent. */
const struct index_postings_entry *index_reader_label_values(const struct index_reader *r, const char *name,
							      size_t *n);

void index_series_init(struct index_series *s);
void index_series_release(struct index_series *s);
/* Decodes the series with reference ref (a postings entry) into s. */
int index_reader_series(const struct index_reader *r, uint64_t ref, struct index_series *s, struct err *e);
/* File offset of series ref (v2 refs count 16-byte units). */
static inline uint64_t index_series_offset(const struct index_reader *r, uint64_t ref)
{
	return r->version == 2 ? ref * 16 : ref;
}

#endif
