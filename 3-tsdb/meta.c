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

#include "1-common/goerrno.h"
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
	/* Go's encoding/json emits struct fields in declaration order. */
	static const char *const stat_names[] = {
		"numSamples", "numSeries", "numChunks", "numTombstones",
		"numFloatSamples", "numHistogramSamples",
	};
	uint64_t stat_vals[6];
	bool any = false;

	stat_vals[0] = m->stats.num_samples;
	stat_vals[1] = m->stats.num_series;
	stat_vals[2] = m->stats.num_chunks;
	stat_vals[3] = m->stats.num_tombstones;
	/* 2.42's BlockStats has only the first four fields. */
	stat_vals[4] = 0;
	stat_vals[5] = 0;

	buf_addf(out, "{\n\t\"ulid\": \"%s\",\n\t\"minTime\": %" PRId64 ",\n\t\"maxTime\": %" PRId64 ",\n",
		 m->ulid, m->min_time, m->max_time);
	buf_adds(out, "\t\"stats\": {");
	for (size_t i = 0; i < 6; i++) {
		if (!stat_vals[i])
			continue;
		buf_addf(out, "%s\n\t\t\"%s\": %" PRIu64, any ? "," : "", stat_names[i], stat_vals[i]);
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

static int get_int(json_t *obj, const char *key, int64_t *out, const char *path, struct err *e)
{
	json_t *v = get_ci(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return err_set(e, "json: cannot unmarshal %s into Go struct field of type int64 (\"%s\" in %s)",
			       json_is_string(v) ? "string" : "value", key, path);
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static int get_ulid(json_t *v, char out[ULID_LEN + 1], const char *path, struct err *e)
{
	const char *s;

	if (!json_is_string(v))
		return err_set(e, "json: cannot unmarshal ULID in %s", path);
	s = json_string_value(v);
	if (strlen(s) != ULID_LEN)
		return err_set(e, "ulid: bad data size when unmarshaling");
	memcpy(out, s, ULID_LEN + 1);
	return 0;
}

int block_meta_decode(struct block_meta *out, const char *path, const char *data, size_t len, struct err *e)
{
	json_error_t jerr;
	json_t *root = NULL, *v, *stats, *comp;
	int64_t tmp;
	int ret = -1;

	block_meta_init(out);
	root = json_loadb(data, len, JSON_DECODE_ANY, &jerr);
	if (!root) {
		err_set(e, "%s: invalid JSON at line %d column %d: %s", path, jerr.line, jerr.column, jerr.text);
		goto done;
	}
	if (!json_is_object(root)) {
		err_set(e, "json: cannot unmarshal value into Go value of type tsdb.BlockMeta (%s)", path);
		goto done;
	}
	if ((v = get_ci(root, "ulid")) && get_ulid(v, out->ulid, path, e) < 0)
		goto done;
	if (get_int(root, "minTime", &out->min_time, path, e) < 0 ||
	    get_int(root, "maxTime", &out->max_time, path, e) < 0)
		goto done;
	stats = get_ci(root, "stats");
	if (stats && json_is_object(stats)) {
		static const char *const names[] = {
			"numSamples", "numSeries", "numChunks", "numTombstones",
			"numFloatSamples", "numHistogramSamples",
		};
		uint64_t *dst[] = {
			&out->stats.num_samples, &out->stats.num_series, &out->stats.num_chunks,
			&out->stats.num_tombstones, &out->stats.num_float_samples,
			&out->stats.num_histogram_samples,
		};
		for (size_t i = 0; i < 6; i++) {
			tmp = 0;
			if (get_int(stats, names[i], &tmp, path, e) < 0)
				goto done;
			*dst[i] = (uint64_t)tmp;
		}
	}
	comp = get_ci(root, "compaction");
	if (comp && json_is_object(comp)) {
		tmp = 0;
		if (get_int(comp, "level", &tmp, path, e) < 0)
			goto done;
		out->compaction_level = (int)tmp;
		v = get_ci(comp, "sources");
		if (v && json_is_array(v)) {
			size_t n = json_array_size(v);
			out->sources = xcalloc(n ? n : 1, sizeof(*out->sources));
			for (size_t i = 0; i < n; i++) {
				if (get_ulid(json_array_get(v, i), out->sources[i], path, e) < 0)
					goto done;
				out->nsources++;
			}
		}
	}
	tmp = 0;
	if (get_int(root, "version", &tmp, path, e) < 0)
		goto done;
	out->version = (int)tmp;
	if (out->version != 1) {
		err_set(e, "unexpected meta file version %d", out->version);
		goto done;
	}
	ret = 0;
done:
	if (root)
		json_decref(root);
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
