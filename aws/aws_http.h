/*
 * aws_http: the HTTP transport seam.
 *
 * Everything above this layer sends requests through struct aws_http_transport, a
 * function table (aws-c-auth's "system vtable" idea): production uses libcurl
 * (aws_http_curl_new), tests plug in a scripted transport and run without a network.
 *
 * A transport reports:
 *   TPD_OK         a response arrived (any status; resp filled),
 *   TPD_E_TIMEOUT  connect or total timeout,
 *   TPD_E_HTTP     connection refused/reset, DNS, protocol errors,
 *   TPD_E_TLS      certificate or handshake failure (never retried),
 *   TPD_E_TOO_LARGE body over TPD_MAX_HTTP_BODY.
 *
 * Ownership: requests are borrowed. The response is caller storage: init with
 * aws_http_response_init, free with aws_http_response_clear.
 * Threads: a transport's send may be called from many threads at once.
 */
#ifndef AWS_HTTP_H
#define AWS_HTTP_H

#include <stdint.h>

#include "tpd_buf.h"
#include "tpd_err.h"

struct aws_http_kv {
    const char *name;
    const char *value;
};

struct aws_http_request {
    const char *method; /* "GET", "POST", "PUT" */
    const char *url;    /* absolute http(s) URL */
    const struct aws_http_kv *headers;
    size_t header_count;
    struct tpd_span body;    /* sent with an explicit Content-Length */
    long connect_timeout_ms; /* 0 = 10 s */
    long timeout_ms;         /* whole request; 0 = 60 s */
};

struct aws_http_response {
    int status;
    struct tpd_buf body;
    char *request_id; /* x-amzn-RequestId or x-amz-request-id; NULL if absent */
};

void aws_http_response_init(struct aws_http_response *r);
void aws_http_response_clear(struct aws_http_response *r);

struct aws_http_transport;

typedef enum tpd_code(aws_http_send_fn)(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err);
typedef void(aws_http_destroy_fn)(struct aws_http_transport *t);

struct aws_http_transport {
    aws_http_send_fn *send;
    aws_http_destroy_fn *destroy; /* may be NULL (caller-owned transport) */
    void *impl;
};

/*
 * libcurl transport: a pool of easy handles (one in use per request, reused, so
 * connections are kept alive across requests and threads), TLS verification always
 * on, http/https only, no redirects, proxies from the environment as curl reads them.
 * Returns NULL and fills err when libcurl cannot be initialised.
 * Free with aws_http_transport_free.
 */
struct aws_http_transport *aws_http_curl_new(struct tpd_err *err);
void aws_http_transport_free(struct aws_http_transport *t);

/* Convenience: t->send(...). */
enum tpd_code aws_http_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err);

/*
 * Split an endpoint URL (libcurl's URL parser) into the Host header value (with
 * the port when it is not the scheme's default) and the path ("/" when empty).
 * Outputs are appended to host and path. TPD_E_INVALID for a malformed URL or a
 * scheme other than http/https.
 */
enum tpd_code aws_http_url_host_path(
    const char *url, struct tpd_buf *host, struct tpd_buf *path, struct tpd_err *err);

#endif
