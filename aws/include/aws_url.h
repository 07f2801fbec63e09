/*
 * aws_url: checks of the URLs a configuration gives (endpoints, proxies), with libcurl's
 * URL parser — the one the transport uses, so a URL that passes here is one libcurl
 * takes. The Host header and path of an endpoint are aws_http_url_host_path's
 * (aws_http.h).
 * Threads: pure functions.
 */
#ifndef AWS_URL_H
#define AWS_URL_H

#include <stdbool.h>

/* An absolute http:// or https:// URL with a host. */
bool aws_url_is_endpoint(const char *url);
/* A proxy URL: http, https, socks4, socks4a, socks5 or socks5h, with a host. */
bool aws_url_is_proxy(const char *url);

#endif
