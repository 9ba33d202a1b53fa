/*
 * The HTTP client configuration file of --http.config.file (promtool 2.43;
 * prometheus/common config.HTTPClientConfig): authentication, TLS and proxy
 * settings for talking to the Prometheus API.
 *
 * struct http_config owns its strings; http_config_release() frees them.
 * Relative file names are resolved against the config file's directory
 * when loading, as config.SetDirectory does.  Secrets are kept only here and
 * are never put into error messages.
 */
#ifndef QUERY_HTTPCONFIG_H
#define QUERY_HTTPCONFIG_H

#include <stdbool.h>

#include "1-common/err.h"

struct http_config {
	/* basic_auth */
	char *basic_user, *basic_password, *basic_password_file;
	bool has_basic;
	/* authorization (bearer_token/_file fold into it, type Bearer) */
	char *auth_type, *auth_credentials, *auth_credentials_file;
	bool has_auth;
	/* tls_config */
	char *ca_file, *cert_file, *key_file, *server_name;
	bool insecure_skip_verify;
	char *proxy_url;
	bool follow_redirects; /* parsed; promtool 2.43 follows redirects regardless */
};

void http_config_init(struct http_config *c);
void http_config_release(struct http_config *c);
/* Deep copy into dst (initialised or not; it is overwritten). */
void http_config_copy(struct http_config *dst, const struct http_config *src);

/*
 * Loads and validates path.  Messages follow config.LoadHTTPConfigFile:
 * yaml errors ("yaml: unmarshal errors:\n  line 3: field x not found in type
 * config.HTTPClientConfig") and Validate()'s ("at most one of basic_auth,
 * oauth2 & authorization must be configured").
 */
int http_config_load(struct http_config *c, const char *path, struct err *e);

/*
 * The Authorization header value for one request ("Basic ...", "Bearer
 * ..."), reading *_file secrets now as the round tripper does per request;
 * *out is NULL when none is configured.  Caller frees *out.
 */
int http_config_authorization(const struct http_config *c, char **out, struct err *e);

#endif
