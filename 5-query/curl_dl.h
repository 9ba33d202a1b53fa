/*
 * libcurl loaded on first use (curl_dl.c): include this instead of
 * <curl/curl.h>.  The curl_* functions 5-query calls keep their names and
 * prototypes; only the ones curl_dl.c defines may be used.
 */
#ifndef QUERY_CURL_DL_H
#define QUERY_CURL_DL_H

#include <curl/curl.h>

/* The library opened; tests/sh/deploy_image.sh reads it from here to
 * check the image installs its package. */
#define CURL_DL_SONAME "libcurl.so.4"

/* Why libcurl could not be loaded ("" when it was). */
const char *curl_dl_error(void);

#endif
