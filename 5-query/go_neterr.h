/*
 * Go 1.19's net package's words for a failed dial, shared by the two HTTP
 * clients (5-query/api_client.c for the query commands, remote_http.c for
 * the rules importer's source): the "<ip>:<port>" net.Dial names and the
 * resolver's "no such host" error.
 */
#ifndef QUERY_GO_NETERR_H
#define QUERY_GO_NETERR_H

#include "1-common/buf.h"
#include "5-query/curl_dl.h"

/*
 * Appends the address net.Dial reports for a request to host ("name",
 * "name:port", "[v6]" or "[v6]:port") over scheme: the IP curl tried if
 * any, else the host's name; the port curl used, else the host's, else the
 * scheme's; an IPv6 address in brackets.
 */
void go_dial_target(struct buf *out, CURL *curl, const char *host, const char *scheme);

/*
 * Appends "dial tcp: lookup <name> on <nameserver>:53: no such host", the
 * nameserver being the first of /etc/resolv.conf (Go's own resolver names
 * it; without one the " on ..." part is left out).
 */
void go_lookup_error(struct buf *out, const char *host);

#endif
