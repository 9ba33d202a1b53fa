/*
 * --http.config.file: a YAML mapping in the layout of prometheus/common's
 * config.HTTPClientConfig, read with libyaml's document API.  Unknown keys
 * are errors (yaml.UnmarshalStrict); the checks of HTTPClientConfig.Validate
 * run afterwards with its messages.  oauth2, sigv4-style and proxy header
 * settings are not supported and are reported as such.
 */
#include "5-query/httpconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "1-common/buf.h"
#include "1-common/goerrno.h"
#include "1-common/xalloc.h"

void http_config_init(struct http_config *c)
{
	memset(c, 0, sizeof(*c));
	c->follow_redirects = true;
}

void http_config_release(struct http_config *c)
{
	char **s[] = { &c->basic_user, &c->basic_password, &c->basic_password_file, &c->auth_type,
		       &c->auth_credentials, &c->auth_credentials_file, &c->ca_file, &c->cert_file,
		       &c->key_file, &c->server_name, &c->proxy_url };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		free(*s[i]);
	http_config_init(c);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void http_config_copy(struct http_config *dst, const struct http_config *src)
{
	*dst = *src;
	dst->basic_user = dup_or_null(src->basic_user);
	dst->basic_password = dup_or_null(src->basic_password);
	dst->basic_password_file = dup_or_null(src->basic_password_file);
	dst->auth_type = dup_or_null(src->auth_type);
	dst->auth_credentials = dup_or_null(src->auth_credentials);
	dst->auth_credentials_file = dup_or_null(src->auth_credentials_file);
	dst->ca_file = dup_or_null(src->ca_file);
	dst->cert_file = dup_or_null(src->cert_file);
	dst->key_file = dup_or_null(src->key_file);
	dst->server_name = dup_or_null(src->server_name);
	dst->proxy_url = dup_or_null(src->proxy_url);
}

struct loader {
	yaml_document_t doc;
	const char *dir; /* with trailing '/', or "" */
	struct buf errs; /* collected "  line N: ..." type errors, as yaml.v2 joins them */
};

enum kind { K_STR, K_FILE, K_BOOL, K_MAP };

struct field {
	const char *key;
	enum kind kind;
	size_t off;       /* offset of the char* / bool in struct http_config */
	size_t flag_off;  /* bool set when the key is present (K_MAP), or (size_t)-1 */
	const struct field *sub;
	const char *sub_type;
};

#define F(k, kind, member) { k, kind, offsetof(struct http_config, member), (size_t)-1, NULL, NULL }
#define NOFLAG ((size_t)-1)

static const struct field basic_fields[] = {
	F("username", K_STR, basic_user),
	F("password", K_STR, basic_password),
	F("password_file", K_FILE, basic_password_file),
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const struct field auth_fields[] = {
	F("type", K_STR, auth_type),
	F("credentials", K_STR, auth_credentials),
	F("credentials_file", K_FILE, auth_credentials_file),
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const struct field tls_fields[] = {
	F("ca_file", K_FILE, ca_file),
	F("cert_file", K_FILE, cert_file),
	F("key_file", K_FILE, key_file),
	F("server_name", K_STR, server_name),
	F("insecure_skip_verify", K_BOOL, insecure_skip_verify),
	{ NULL, 0, 0, 0, NULL, NULL },
};

/* bearer_token(_file) are loaded into scratch slots and folded below. */
struct scratch {
	char *bearer, *bearer_file;
	bool enable_http2;
};

static const struct field top_fields[] = {
	{ "basic_auth", K_MAP, 0, offsetof(struct http_config, has_basic), basic_fields, "config.BasicAuth" },
	{ "authorization", K_MAP, 0, offsetof(struct http_config, has_auth), auth_fields, "config.Authorization" },
	{ "tls_config", K_MAP, 0, NOFLAG, tls_fields, "config.TLSConfig" },
	F("proxy_url", K_STR, proxy_url),
	F("follow_redirects", K_BOOL, follow_redirects),
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char *scalar(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static void type_error(struct loader *l, yaml_node_t *n, const char *want)
{
	const char *tag = n->type == YAML_MAPPING_NODE ? "!!map" : n->type == YAML_SEQUENCE_NODE ? "!!seq" : "!!str";
	buf_addf(&l->errs, "\n  line %lu: cannot unmarshal %s", (unsigned long)n->start_mark.line + 1, tag);
	if (n->type == YAML_SCALAR_NODE)
		buf_addf(&l->errs, " `%s`", scalar(n));
	buf_addf(&l->errs, " into %s", want);
}

static int set_bool(struct loader *l, yaml_node_t *n, bool *out)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" };
	static const char *const no[] = { "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" };
	if (n->type == YAML_SCALAR_NODE) {
		for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
			if (!strcmp(scalar(n), yes[i]))
				return *out = true, 0;
		for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
			if (!strcmp(scalar(n), no[i]))
				return *out = false, 0;
	}
	type_error(l, n, "bool");
	return 0;
}

static void load_map(struct loader *l, yaml_node_t *map, const struct field *fields, const char *type,
		     void *base)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&l->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&l->doc, p->value);
		const struct field *f = NULL;
		if (k->type == YAML_SCALAR_NODE)
			for (f = fields; f->key && strcmp(f->key, scalar(k)); f++)
				;
		if (!f || !f->key) {
			buf_addf(&l->errs, "\n  line %lu: field %s not found in type %s",
				 (unsigned long)k->start_mark.line + 1, k->type == YAML_SCALAR_NODE ? scalar(k) : "?", type);
			continue;
		}
		if (f->kind == K_MAP) {
			if (v->type == YAML_SCALAR_NODE && (!strcmp(scalar(v), "") || !strcmp(scalar(v), "~") || !strcmp(scalar(v), "null")))
				continue;
			if (v->type != YAML_MAPPING_NODE) {
				type_error(l, v, type);
				continue;
			}
			if (f->flag_off != NOFLAG)
				*(bool *)((char *)base + f->flag_off) = true;
			load_map(l, v, f->sub, f->sub_type, base);
		} else if (f->kind == K_BOOL) {
			set_bool(l, v, (bool *)((char *)base + f->off));
		} else if (v->type != YAML_SCALAR_NODE) {
			type_error(l, v, "string");
		} else {
			char **slot = (char **)((char *)base + f->off);
			const char *s = scalar(v);
			free(*slot);
			*slot = NULL;
			if (!*s)
				continue;
			if (f->kind == K_FILE && s[0] != '/')
				*slot = xasprintf("%s%s", l->dir, s);
			else
				*slot = xstrdup(s);
		}
	}
}

/* HTTPClientConfig.Validate, with bearer_token folded into authorization. */
static int validate(struct http_config *c, struct scratch *s, struct err *e)
{
	if (s->bearer && s->bearer_file)
		return err_set(e, "at most one of bearer_token & bearer_token_file must be configured");
	if (c->has_basic && (s->bearer || s->bearer_file))
		return err_set(e, "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
	if (c->has_basic && c->basic_password && c->basic_password_file)
		return err_set(e, "at most one of basic_auth password & password_file must be configured");
	if (c->has_auth) {
		if (s->bearer || s->bearer_file)
			return err_set(e, "authorization is not compatible with bearer_token & bearer_token_file");
		if (c->auth_credentials && c->auth_credentials_file)
			return err_set(e, "at most one of authorization credentials & credentials_file must be configured");
		if (!c->auth_type || !*c->auth_type) {
			free(c->auth_type);
			c->auth_type = xstrdup("Bearer");
		}
		if (!strcasecmp(c->auth_type, "basic"))
			return err_set(e, "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
	}
	if (c->has_basic && c->has_auth)
		return err_set(e, "at most one of basic_auth, oauth2 & authorization must be configured");
	if (s->bearer || s->bearer_file) {
		c->has_auth = true;
		c->auth_type = xstrdup("Bearer");
		c->auth_credentials = s->bearer;
		c->auth_credentials_file = s->bearer_file;
		s->bearer = s->bearer_file = NULL;
	}
	return 0;
}

int http_config_load(struct http_config *c, const char *path, struct err *e)
{
	struct loader l;
	struct scratch s = { NULL, NULL, true };
	yaml_parser_t parser;
	FILE *f = NULL;
	char *dir = NULL;
	const char *slash;
	yaml_node_t *root;
	int rc = -1, have_doc = 0;
	static const struct field scratch_fields[] = {
		{ "bearer_token", K_STR, offsetof(struct scratch, bearer), NOFLAG, NULL, NULL },
		{ "bearer_token_file", K_FILE, offsetof(struct scratch, bearer_file), NOFLAG, NULL, NULL },
		{ "enable_http2", K_BOOL, offsetof(struct scratch, enable_http2), NOFLAG, NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL },
	};

	memset(&l, 0, sizeof(l));
	buf_init(&l.errs);
	yaml_parser_initialize(&parser);
	f = fopen(path, "rb");
	if (!f) {
		err_set(e, "open %s: %s", path, go_strerror(errno));
		goto done;
	}
	slash = strrchr(path, '/');
	dir = slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup("");
	l.dir = dir;
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &l.doc)) {
		err_set(e, "yaml: line %lu: %s", (unsigned long)parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "syntax error");
		goto done;
	}
	have_doc = 1;
	root = yaml_document_get_root_node(&l.doc);
	if (root && root->type == YAML_MAPPING_NODE) {
		/* Top-level keys go to the config or to the bearer scratch slots. */
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&l.doc, p->key);
			yaml_node_pair_t one = *p;
			yaml_node_t fake;
			int in_scratch = 0;
			for (const struct field *sf = scratch_fields; sf->key; sf++)
				if (k->type == YAML_SCALAR_NODE && !strcmp(sf->key, scalar(k)))
					in_scratch = 1;
			fake = *root;
			fake.data.mapping.pairs.start = &one;
			fake.data.mapping.pairs.top = &one + 1;
			if (in_scratch)
				load_map(&l, &fake, scratch_fields, "config.HTTPClientConfig", &s);
			else
				load_map(&l, &fake, top_fields, "config.HTTPClientConfig", c);
		}
	} else if (root && !(root->type == YAML_SCALAR_NODE && !*scalar(root))) {
		type_error(&l, root, "config.HTTPClientConfig");
	}
	if (l.errs.len) {
		err_set(e, "yaml: unmarshal errors:%s", buf_str(&l.errs));
		goto done;
	}
	if (validate(c, &s, e) < 0)
		goto done;
	rc = 0;
done:
	if (have_doc)
		yaml_document_delete(&l.doc);
	yaml_parser_delete(&parser);
	if (f)
		fclose(f);
	free(dir);
	free(s.bearer);
	free(s.bearer_file);
	buf_release(&l.errs);
	return rc;
}

static int read_secret(char **out, const char *path, const char *what, struct err *e)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n, start = 0, end;
	FILE *f = fopen(path, "rb");

	if (!f)
		return err_set(e, "unable to read %s %s: open %s: %s", what, path, path, go_strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	/* strings.TrimSpace */
	end = b.len;
	while (start < end && strchr(" \t\n\r\v\f", b.data[start]))
		start++;
	while (end > start && strchr(" \t\n\r\v\f", b.data[end - 1]))
		end--;
	*out = xstrndup((const char *)b.data + start, end - start);
	buf_release(&b);
	return 0;
}

static void base64(struct buf *out, const char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		buf_addc(out, (unsigned char)tab[v >> 18 & 63]);
		buf_addc(out, (unsigned char)tab[v >> 12 & 63]);
		buf_addc(out, i + 1 < n ? (unsigned char)tab[v >> 6 & 63] : '=');
		buf_addc(out, i + 2 < n ? (unsigned char)tab[v & 63] : '=');
	}
}

int http_config_authorization(const struct http_config *c, char **out, struct err *e)
{
	struct buf b = BUF_INIT;
	char *secret = NULL;

	*out = NULL;
	if (c->has_basic) {
		if (c->basic_password_file) {
			if (read_secret(&secret, c->basic_password_file, "basic auth password file", e) < 0)
				return -1;
		}
		{
			char *up = xasprintf("%s:%s", c->basic_user ? c->basic_user : "",
					     secret ? secret : c->basic_password ? c->basic_password : "");
			buf_adds(&b, "Basic ");
			base64(&b, up, strlen(up));
			memset(up, 0, strlen(up));
			free(up);
		}
	} else if (c->has_auth) {
		if (c->auth_credentials_file &&
		    read_secret(&secret, c->auth_credentials_file, "authorization credentials file", e) < 0)
			return -1;
		buf_addf(&b, "%s %s", c->auth_type,
			 secret ? secret : c->auth_credentials ? c->auth_credentials : "");
	}
	free(secret);
	if (b.len)
		*out = buf_detach(&b, NULL);
	buf_release(&b);
	return 0;
}
