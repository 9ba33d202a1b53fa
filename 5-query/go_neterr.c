/*
 * Go's dial and lookup error texts for the HTTP clients; see
 * 5-query/go_neterr.h.
 */
#include "5-query/go_neterr.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The host part of host[:port] or [v6][:port], and the port written, if any. */
static void split_host(const char *host, struct buf *name, long *port)
{
	const char *colon;

	*port = 0;
	if (host[0] == '[') {
		const char *rb = strchr(host, ']');
		buf_add(name, host + 1, rb ? (size_t)(rb - host - 1) : strlen(host + 1));
		colon = rb && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = strrchr(host, ':');
		buf_add(name, host, colon ? (size_t)(colon - host) : strlen(host));
	}
	if (colon && colon[1])
		*port = strtol(colon + 1, NULL, 10);
}

void go_dial_target(struct buf *out, CURL *curl, const char *host, const char *scheme)
{
	struct buf name = BUF_INIT;
	char *ip = NULL;
	long port = 0, written;
	const char *shown;

	split_host(host ? host : "", &name, &written);
	curl_easy_getinfo(curl, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(curl, CURLINFO_PRIMARY_PORT, &port);
	if (!port)
		port = written ? written : scheme && !strcmp(scheme, "https") ? 443 : 80;
	shown = ip && *ip ? ip : buf_str(&name);
	if (strchr(shown, ':'))
		buf_addf(out, "[%s]:%ld", shown, port);
	else
		buf_addf(out, "%s:%ld", shown, port);
	buf_release(&name);
}

void go_lookup_error(struct buf *out, const char *host)
{
	struct buf name = BUF_INIT;
	long port;
	FILE *f;
	char line[512], ip[256];

	split_host(host ? host : "", &name, &port);
	buf_addf(out, "dial tcp: lookup %s", buf_str(&name));
	buf_release(&name);
	if ((f = fopen("/etc/resolv.conf", "r")) != NULL) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, " nameserver %255s", ip) == 1) {
				bool v6 = strchr(ip, ':') != NULL;
				buf_addf(out, " on %s%s%s:53", v6 ? "[" : "", ip, v6 ? "]" : "");
				break;
			}
		}
		fclose(f);
	}
	buf_adds(out, ": no such host");
}
