/*
 * Internal to the template code: the Go values a Prometheus 2.42 alert
 * template handles (what reflect.Value holds in text/template's exec.go),
 * and Go's fmt printing of them (fmt.Sprint, Sprintln, Sprintf, %T).
 *
 * Values never own memory: strings, maps and samples they point to live
 * in the executing template's arena (tmpl_exec.c) or in the caller's data.
 */
#ifndef RULES_TMPL_VALUE_H
#define RULES_TMPL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"

enum tv_kind {
	TV_INVALID, /* the zero reflect.Value; also an interface{} holding nil */
	TV_BOOL,
	TV_INT,     /* Go int */
	TV_FLOAT,   /* float64 */
	TV_COMPLEX, /* complex128 */
	TV_STRING,
	TV_HTML,    /* html/template.HTML (safeHtml) */
	TV_MAP_SS,  /* map[string]string */
	TV_MAP_SI,  /* map[string]interface {} (args) */
	TV_DATA,    /* the alert template data struct */
	TV_QRESULT, /* template.queryResult ([]*template.sample) */
	TV_SAMPLE,  /* *template.sample; p NULL for a nil pointer */
	TV_TIME,    /* *time.Time; p NULL for a nil pointer */
};

/* map[string]string, keys sorted (Go prints and ranges maps sorted). */
struct tmap_ss {
	const char **k, **v;
	size_t n;
};

struct tval;

struct tmap_si {
	const char **k;
	struct tval *v;
	size_t n;
};

struct tsample {
	struct tmap_ss labels;
	double value;
};

struct tqres {
	struct tsample **v;
	size_t n;
};

struct tdata {
	const struct tmap_ss *labels, *external_labels;
	const char *external_url;
	double value;
};

struct tval {
	enum tv_kind k;
	bool b;
	int64_t i;
	double f, im;       /* FLOAT; COMPLEX: f + im i */
	const char *s;      /* STRING, HTML */
	size_t n;
	const void *p;      /* MAP_SS, MAP_SI, DATA, QRESULT, SAMPLE, TIME (int64_t ns) */
};

/* Looks a key up in a string map; NULL if absent. */
const char *tmap_ss_get(const struct tmap_ss *m, const char *k, size_t n);

/* reflect.Type.String() of the value's type ("float64", "*template.sample"). */
void tv_type_name(struct buf *out, const struct tval *v);
/* fmt.Sprint(args...) */
void tv_sprint(struct buf *out, const struct tval *args, size_t n);
/* fmt.Sprintln(args...) */
void tv_sprintln(struct buf *out, const struct tval *args, size_t n);
/* fmt.Sprintf(format, args...) */
void tv_sprintf(struct buf *out, const char *format, size_t flen, const struct tval *args, size_t n);
/* time.Time.String() of Unix nanoseconds, in UTC. */
void tv_time_string(struct buf *out, int64_t ns);
/*
 * strconv.FormatFloat(v, fmt, prec, 64) for fmt 'e', 'E', 'f', 'g', 'G'
 * (prec < 0: shortest).
 */
void tv_format_float(struct buf *out, double v, char fmt, int prec);

#endif
