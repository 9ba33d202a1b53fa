/*
 * meta.json, as tsdb/block.go of 2.42 writes it with
 * json.MarshalIndent(meta, "", "\t") and reads it with json.Unmarshal.
 *
 * Written layout (no trailing newline; zero stats omitted, "sources" omitted
 * when empty):
 *
 *     {
 *     \t"ulid": "01M8P37HB0JGCRSPGEQRGBXM38",
 *     \t"minTime": 1000000,
 *     \t"maxTime": 1030001,
 *     \t"stats": {
 *     \t\t"numSamples": 3,
 *     \t\t"numSeries": 2,
 *     \t\t"numChunks": 2
 *     \t},
 *     \t"compaction": {
 *     \t\t"level": 1,
 *     \t\t"sources": [
 *     \t\t\t"01M8P37HB0JGCRSPGEQRGBXM38"
 *     \t\t]
 *     \t},
 *     \t"version": 1
 *     }
 */
#include "3-tsdb/meta.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "1-common/gofmt.h"
#include "1-common/goerrno.h"
#include "1-common/utf8.h"
#include "3-tsdb/ulid.h"
#include "1-common/xalloc.h"

void block_meta_init(struct block_meta *m)
{
	memset(m, 0, sizeof(*m));
}

void block_meta_release(struct block_meta *m)
{
	free(m->sources);
	block_meta_init(m);
}

void block_meta_encode(struct buf *out, const struct block_meta *m)
{
	block_meta_encode_ex(out, m, false);
}

void block_meta_encode_ex(struct buf *out, const struct block_meta *m, bool float_stats)
{
	/* Go's encoding/json emits struct fields in declaration order:
	 * 2.42's BlockStats has only the four of the first row, 3.6's all
	 * six in the second order (tsdb/block.go). */
	static const char *const stat_names[2][6] = {
		{ "numSamples", "numSeries", "numChunks", "numTombstones", "", "" },
		{ "numSamples", "numFloatSamples", "numHistogramSamples", "numSeries", "numChunks", "numTombstones" },
	};
	uint64_t stat_vals[6] = { 0 };
	bool any = false;

	stat_vals[0] = m->stats.num_samples;
	if (float_stats) {
		stat_vals[1] = m->stats.num_float_samples;
		stat_vals[2] = m->stats.num_histogram_samples;
		stat_vals[3] = m->stats.num_series;
		stat_vals[4] = m->stats.num_chunks;
		stat_vals[5] = m->stats.num_tombstones;
	} else {
		stat_vals[1] = m->stats.num_series;
		stat_vals[2] = m->stats.num_chunks;
		stat_vals[3] = m->stats.num_tombstones;
	}

	buf_addf(out, "{\n\t\"ulid\": \"%s\",\n\t\"minTime\": %" PRId64 ",\n\t\"maxTime\": %" PRId64 ",\n",
		 m->ulid, m->min_time, m->max_time);
	buf_adds(out, "\t\"stats\": {");
	for (size_t i = 0; i < 6; i++) {
		if (!stat_vals[i])
			continue;
		buf_addf(out, "%s\n\t\t\"%s\": %" PRIu64, any ? "," : "", stat_names[float_stats][i], stat_vals[i]);
		any = true;
	}
	buf_adds(out, any ? "\n\t},\n" : "},\n");
	buf_addf(out, "\t\"compaction\": {\n\t\t\"level\": %d", m->compaction_level);
	if (m->nsources) {
		buf_adds(out, ",\n\t\t\"sources\": [");
		for (size_t i = 0; i < m->nsources; i++)
			buf_addf(out, "%s\n\t\t\t\"%s\"", i ? "," : "", m->sources[i]);
		buf_adds(out, "\n\t\t]");
	}
	buf_addf(out, "\n\t},\n\t\"version\": %d\n}", m->version);
}

/* Go's json.Unmarshal matches keys case-insensitively. */
static json_t *get_ci(json_t *obj, const char *key)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		if (strcasecmp(k, key) == 0)
			return v;
	}
	return NULL;
}

/*
 * The input as Go's decoder reads the strings in it: invalid UTF-8 and
 * lone surrogate escapes become U+FFFD (Go replaces them; jansson rejects
 * the document).  Outside strings nothing changes meaning: a byte that is
 * not ASCII there is a syntax error either way.
 */
static int hex4(const unsigned char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = s[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
						  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void go_json_text(struct buf *out, const unsigned char *s, size_t len)
{
	bool in_str = false;

	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		int32_t r;
		size_t w;

		if (in_str && c == '\\' && i + 1 < len) {
			int u = s[i + 1] == 'u' && i + 6 <= len ? hex4(s + i + 2) : -1;
			if (u >= 0xD800 && u < 0xDC00 && i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u' &&
			    hex4(s + i + 8) >= 0xDC00 && hex4(s + i + 8) < 0xE000) {
				buf_add(out, s + i, 12); /* a surrogate pair */
				i += 12;
			} else if (u >= 0xD800 && u < 0xE000) {
				buf_adds(out, "\\ufffd");
				i += 6;
			} else {
				buf_add(out, s + i, 2);
				i += 2;
			}
			continue;
		}
		if (!in_str || c < 0x80) {
			in_str ^= c == '"';
			buf_addc(out, c);
			i++;
			continue;
		}
		w = go_decode_rune(s + i, len - i, &r);
		if (r == 0xFFFD && w == 1)
			buf_adds(out, "\xEF\xBF\xBD");
		else
			buf_add(out, s + i, w);
		i += w;
	}
}

/* Go's UnmarshalTypeError text for value v into <strct>.<field> of type
 * type (numeric: a number's literal is shown). */
static int type_error(struct err *e, json_t *v, const char *strct, const char *field, const char *type, bool numeric)
{
	struct buf what = BUF_INIT;

	if (json_is_string(v))
		buf_adds(&what, "string");
	else if (json_is_boolean(v))
		buf_adds(&what, "bool");
	else if (json_is_array(v))
		buf_adds(&what, "array");
	else if (json_is_object(v))
		buf_adds(&what, "object");
	else if (!numeric)
		buf_adds(&what, "number");
	else if (json_is_integer(v))
		buf_addf(&what, "number %" PRId64, (int64_t)json_integer_value(v));
	else {
		buf_adds(&what, "number ");
		go_fmt_g(&what, json_real_value(v));
	}
	err_set(e, "json: cannot unmarshal %s into Go struct field %s.%s of type %s", buf_str(&what), strct, field, type);
	buf_release(&what);
	return -1;
}

/* An integer field (absent and null leave *out alone); unsig: uint64. */
static int get_int(json_t *obj, const char *key, int64_t *out, const char *strct, const char *field,
		   const char *type, bool unsig, struct err *e)
{
	json_t *v = get_ci(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || (unsig && json_integer_value(v) < 0))
		return type_error(e, v, strct, field, type, true);
	*out = (int64_t)json_integer_value(v);
	return 0;
}

/* The text 2.42 prints for a ULID not given (or null): the zero ULID. */
static const char zero_ulid[ULID_LEN + 1] = "00000000000000000000000000";

/* ulid.ULID's UnmarshalText, kept in the text its String() prints
 * (upper case; bad characters as they decode). */
static int get_ulid(json_t *v, char out[ULID_LEN + 1], const char *strct, const char *field, struct err *e)
{
	unsigned char raw[16];

	if (json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return type_error(e, v, strct, field, "ulid.ULID", false);
	if (ulid_parse_text(raw, json_string_value(v), json_string_length(v), e) < 0)
		return -1;
	ulid_encode(out, raw);
	return 0;
}

/* A field of a type we do not keep, checked as Go's decoder would. */
static int check_kind(json_t *obj, const char *key, json_type kind, const char *strct, const char *field, const char *type,
		      struct err *e)
{
	json_t *v = get_ci(obj, key);

	if (!v || json_is_null(v) || json_typeof(v) == kind ||
	    (kind == JSON_TRUE && json_is_boolean(v)))
		return 0;
	return type_error(e, v, strct, field, type, false);
}

/* compaction.parents: []BlockDesc{ulid, minTime, maxTime}; compaction.hints: []string. */
static int check_compaction_lists(json_t *comp, struct err *e)
{
	json_t *v = get_ci(comp, "parents"), *x;
	size_t i;

	if (v && !json_is_null(v)) {
		if (!json_is_array(v))
			return type_error(e, v, "BlockMetaCompaction", "compaction.parents", "[]tsdb.BlockDesc", false);
		json_array_foreach(v, i, x) {
			char u[ULID_LEN + 1];
			int64_t t;
			json_t *f;
			if (json_is_null(x))
				continue;
			if (!json_is_object(x))
				return type_error(e, x, "BlockMetaCompaction", "compaction.parents", "tsdb.BlockDesc", false);
			if ((f = get_ci(x, "ulid")) && get_ulid(f, u, "BlockDesc", "compaction.parents.ulid", e) < 0)
				return -1;
			if (get_int(x, "minTime", &t, "BlockDesc", "compaction.parents.minTime", "int64", false, e) < 0 ||
			    get_int(x, "maxTime", &t, "BlockDesc", "compaction.parents.maxTime", "int64", false, e) < 0)
				return -1;
		}
	}
	v = get_ci(comp, "hints");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v))
			return type_error(e, v, "BlockMetaCompaction", "compaction.hints", "[]string", false);
		json_array_foreach(v, i, x)
			if (!json_is_string(x) && !json_is_null(x))
				return type_error(e, x, "BlockMetaCompaction", "compaction.hints", "string", false);
	}
	return 0;
}

/*
 * json.Unmarshal into 2.42's BlockMeta, then readMetaFile's version check.
 * Go's words for every error, as a 2.42 server logs them when it skips the
 * block ("json: cannot unmarshal number -5 into Go struct field
 * BlockStats.stats.numSamples of type uint64").  Where several fields are
 * wrong Go reports the first in the document; we report in a fixed order.
 */
int block_meta_decode(struct block_meta *out, const char *path, const char *data, size_t len, struct err *e)
{
	json_error_t jerr;
	json_t *root = NULL, *v, *stats, *comp;
	struct buf text = BUF_INIT;
	int64_t tmp;
	int ret = -1;

	block_meta_init(out);
	memcpy(out->ulid, zero_ulid, sizeof(zero_ulid));
	go_json_text(&text, (const unsigned char *)data, len);
	root = json_loadb((const char *)text.data, text.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!root) {
		err_set(e, "%s: invalid JSON at line %d column %d: %s", path, jerr.line, jerr.column, jerr.text);
		goto done;
	}
	if (json_is_null(root)) {
		json_decref(root);
		root = json_object(); /* a no-op for Go: version 0 below */
	}
	if (!json_is_object(root)) {
		struct buf what = BUF_INIT;
		buf_adds(&what, json_is_array(root) ? "array" : json_is_string(root) ? "string"
								: json_is_boolean(root) ? "bool" : "number");
		err_set(e, "json: cannot unmarshal %s into Go value of type tsdb.BlockMeta", buf_str(&what));
		buf_release(&what);
		goto done;
	}
	if ((v = get_ci(root, "ulid")) && get_ulid(v, out->ulid, "BlockMeta", "ulid", e) < 0)
		goto done;
	if (get_int(root, "minTime", &out->min_time, "BlockMeta", "minTime", "int64", false, e) < 0 ||
	    get_int(root, "maxTime", &out->max_time, "BlockMeta", "maxTime", "int64", false, e) < 0)
		goto done;
	stats = get_ci(root, "stats");
	if (check_kind(root, "stats", JSON_OBJECT, "BlockMeta", "stats", "tsdb.BlockStats", e) < 0)
		goto done;
	if (stats && json_is_object(stats)) {
		static const char *const names[] = { "numSamples", "numSeries", "numChunks", "numTombstones" };
		uint64_t *dst[] = {
			&out->stats.num_samples, &out->stats.num_series, &out->stats.num_chunks,
			&out->stats.num_tombstones,
		};
		for (size_t i = 0; i < 4; i++) {
			char field[32];
			tmp = 0;
			snprintf(field, sizeof(field), "stats.%s", names[i]);
			if (get_int(stats, names[i], &tmp, "BlockStats", field, "uint64", true, e) < 0)
				goto done;
			*dst[i] = (uint64_t)tmp;
		}
		/* newer fields, unknown to 2.42's decoder: kept when readable */
		if ((v = get_ci(stats, "numFloatSamples")) && json_is_integer(v) && json_integer_value(v) >= 0)
			out->stats.num_float_samples = (uint64_t)json_integer_value(v);
		if ((v = get_ci(stats, "numHistogramSamples")) && json_is_integer(v) && json_integer_value(v) >= 0)
			out->stats.num_histogram_samples = (uint64_t)json_integer_value(v);
	}
	comp = get_ci(root, "compaction");
	if (check_kind(root, "compaction", JSON_OBJECT, "BlockMeta", "compaction", "tsdb.BlockMetaCompaction", e) < 0)
		goto done;
	if (comp && json_is_object(comp)) {
		tmp = 0;
		if (get_int(comp, "level", &tmp, "BlockMetaCompaction", "compaction.level", "int", false, e) < 0)
			goto done;
		if (tmp > INT32_MAX || tmp < INT32_MIN) {
			err_set(e, "compaction level %" PRId64 " out of range", tmp);
			goto done;
		}
		out->compaction_level = (int)tmp;
		v = get_ci(comp, "sources");
		if (check_kind(comp, "sources", JSON_ARRAY, "BlockMetaCompaction", "compaction.sources", "[]ulid.ULID",
			       e) < 0)
			goto done;
		if (v && json_is_array(v)) {
			size_t n = json_array_size(v);
			out->sources = xcalloc(n ? n : 1, sizeof(*out->sources));
			for (size_t i = 0; i < n; i++) {
				memcpy(out->sources[out->nsources], zero_ulid, sizeof(zero_ulid));
				if (get_ulid(json_array_get(v, i), out->sources[out->nsources], "BlockMetaCompaction",
					     "compaction.sources", e) < 0)
					goto done;
				out->nsources++;
			}
		}
		if (check_kind(comp, "deletable", JSON_TRUE, "BlockMetaCompaction", "compaction.deletable", "bool", e) < 0 ||
		    check_kind(comp, "failed", JSON_TRUE, "BlockMetaCompaction", "compaction.failed", "bool", e) < 0 ||
		    check_compaction_lists(comp, e) < 0)
			goto done;
	}
	tmp = 0;
	if (get_int(root, "version", &tmp, "BlockMeta", "version", "int", false, e) < 0)
		goto done;
	if (tmp != 1) {
		err_set(e, "unexpected meta file version %" PRId64, tmp);
		goto done;
	}
	out->version = 1;
	ret = 0;
done:
	if (root)
		json_decref(root);
	buf_release(&text);
	if (ret < 0)
		block_meta_release(out);
	return ret;
}

int block_meta_read(struct block_meta *out, const char *dir, struct err *e)
{
	char *path = xasprintf("%s/meta.json", dir);
	struct buf content = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;
	int ret = -1;

	block_meta_init(out);
	f = fopen(path, "rb");
	if (!f) {
		/* Go's os.ReadFile error text. */
		err_set(e, "open %s: %s", path, go_strerror(errno));
		goto done;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&content, chunk, n);
	if (ferror(f)) {
		err_set(e, "read %s: %s", path, go_strerror(errno));
		goto done;
	}
	ret = block_meta_decode(out, path, (const char *)content.data, content.len, e);
done:
	if (f)
		fclose(f);
	buf_release(&content);
	free(path);
	return ret;
}
