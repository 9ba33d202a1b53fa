/*
 * libcurl loaded on first use (curl_dl.c): include this instead of
 * <curl/curl.h>.  The curl_* functions 5-query calls keep their names and
 * prototypes; only the ones curl_dl.c defines may be used.
 */
#ifndef QUERY_CURL_DL_H
#define QUERY_CURL_DL_H

#include <curl/curl.h>

#include "1-common/err.h"

/* The library opened; tests/sh/deploy_image.sh reads it from here to
 * check the image installs its package. */
#define CURL_DL_SONAME "libcurl.so.4"

/* A new easy handle, libcurl loaded and initialised first; NULL with e
 * set ("cannot initialise libcurl", and why when it could not be loaded). */
CURL *curl_dl_handle(struct err *e);

#endif
