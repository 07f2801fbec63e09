/*
 * aws_http: the HTTP transport seam.
 *
 * Everything above this layer sends requests through struct aws_http_transport, a
 * function table (aws-c-auth's "system vtable" idea): production uses libcurl
 * (aws_http_curl_new), tests plug in a scripted transport and run without a network.
 *
 * A transport reports:
 *   TPD_OK          a response arrived (any status; resp filled),
 *   TPD_E_TIMEOUT   connect timeout, stall (no byte for stall_timeout_ms) or the
 *                   optional total timeout,
 *   TPD_E_HTTP      connection refused, host not resolved, connection reset, protocol
 *                   or proxy errors,
 *   TPD_E_TLS       certificate or handshake failure (never retried),
 *   TPD_E_STOPPED   req->stop was requested while the request ran (aborted at once),
 *   TPD_E_TOO_LARGE body over TPD_MAX_HTTP_BODY.
 * and, on failure, resp->error: which phase failed, so that the retry policy
 * (aws_retry.h) can tell a request that never left (refused, not resolved) from one
 * that may have reached AWS (reset or stalled after sending).
 *
 * Ownership: requests are borrowed. The response is caller storage: init with
 * aws_http_response_init, free with aws_http_response_clear.
 * Threads: a transport's send may be called from many threads at once.
 */
#ifndef AWS_HTTP_H
#define AWS_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "tpd_alloc.h"
#include "tpd_buf.h"
#include "tpd_clock.h"
#include "tpd_err.h"

#define AWS_HTTP_CONNECT_TIMEOUT_MS 10000L /* TCP + TLS (+ proxy CONNECT) handshake */
#define AWS_HTTP_STALL_TIMEOUT_MS 30000L   /* no byte received or sent for this long */
/* Connections kept per endpoint (scheme, host and port) unless configured: botocore's
 * max_pool_connections default (botocore/config.py). */
#define AWS_HTTP_DEFAULT_POOL_CONNECTIONS 10

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
    long connect_timeout_ms; /* 0 = AWS_HTTP_CONNECT_TIMEOUT_MS */
    long timeout_ms;         /* whole request; 0 = none (the stall timeout still applies) */
    long stall_timeout_ms;   /* once sending began, fail when no byte moved for this long;
                                0 = AWS_HTTP_STALL_TIMEOUT_MS */
    struct tpd_stop *stop;   /* may be NULL; when requested, the transfer is aborted */
    int64_t deadline_ns;     /* monotonic (tpd_now_ns); 0 = none. Bounds the wait for a
                                pooled connection (TPD_E_TIMEOUT), not the transfer */
};

/* What failed, when send did not return TPD_OK. */
enum aws_http_error {
    AWS_HTTP_ERR_NONE = 0,
    AWS_HTTP_ERR_RESOLVE,         /* host (or proxy) name not resolved: nothing sent */
    AWS_HTTP_ERR_REFUSED,         /* connection refused: nothing sent */
    AWS_HTTP_ERR_CONNECT,         /* other connect failure (unreachable...): nothing sent */
    AWS_HTTP_ERR_CONNECT_TIMEOUT, /* no connection within connect_timeout_ms: nothing sent */
    AWS_HTTP_ERR_STALLED,         /* connected, then no byte for stall_timeout_ms */
    AWS_HTTP_ERR_TIMEOUT,         /* the caller's total timeout_ms ran out */
    AWS_HTTP_ERR_RESET,           /* connection broken after sending began */
    AWS_HTTP_ERR_TLS,             /* certificate or handshake failure */
    AWS_HTTP_ERR_PROXY,           /* the proxy refused or failed the tunnel */
    AWS_HTTP_ERR_STOPPED,         /* req->stop requested */
    AWS_HTTP_ERR_TOO_LARGE,       /* response body over the limit */
    AWS_HTTP_ERR_DEADLINE,        /* req->deadline_ns came before a pooled connection */
    AWS_HTTP_ERR_OTHER,           /* anything else (out of memory, protocol error) */
};

/* Short description of an error kind ("connection refused", ...). Static string. */
const char *aws_http_error_str(enum aws_http_error e);

struct aws_http_response {
    int status;
    struct tpd_buf body;
    char *request_id;          /* x-amzn-RequestId or x-amz-request-id; NULL if absent */
    enum aws_http_error error; /* set by a failed send */
};

void aws_http_response_init(struct aws_http_response *r);
void aws_http_response_clear(struct aws_http_response *r);

struct aws_http_transport;

/* Counters of a transport (all since it was made). */
struct aws_http_stats {
    uint64_t requests;    /* transfers attempted */
    uint64_t connections; /* new connections opened (libcurl's CURLINFO_NUM_CONNECTS) */
    uint64_t trust_loads; /* times the trusted CAs were read from disk (once per transport) */
    uint64_t pool_waits;  /* requests that waited for a connection of a full pool */
};

typedef enum tpd_code(aws_http_send_fn)(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err);
typedef void(aws_http_destroy_fn)(struct aws_http_transport *t);
typedef void(aws_http_stats_fn)(struct aws_http_transport *t, struct aws_http_stats *out);

struct aws_http_transport {
    aws_http_send_fn *send;
    aws_http_destroy_fn *destroy; /* may be NULL (caller-owned transport) */
    void *impl;
    aws_http_stats_fn *stats; /* may be NULL (no counters) */
};

/*
 * Settings of the libcurl transport. Strings are copied; NULL or "" means unset.
 *   ca_bundle    PEM file of the CAs to trust instead of the system store (CURLOPT_CAINFO)
 *   http_proxy   proxy URL for http:// requests (CURLOPT_PROXY)
 *   https_proxy  proxy URL for https:// requests (a CONNECT tunnel)
 *   no_proxy     hosts that bypass the proxy, comma-separated (CURLOPT_NOPROXY)
 *   max_connections_per_host  connections kept and used at once per endpoint (scheme,
 *                host, port); 0 = AWS_HTTP_DEFAULT_POOL_CONNECTIONS, at most
 *                TPD_MAX_POOL_CONNECTIONS
 * The caller resolves the environment and profile (aws_client.c); the transport sets
 * every proxy option explicitly, so libcurl's own reading of the environment never
 * applies and the precedence is the caller's alone.
 */
struct aws_http_curl_options {
    const char *ca_bundle;
    const char *http_proxy;
    const char *https_proxy;
    const char *no_proxy;
    size_t max_connections_per_host;
};

/*
 * libcurl transport: a pool of connections reused across requests and threads, at most
 * max_connections_per_host per endpoint: a request finding them all busy waits for one
 * to come back (kept alive) instead of opening another, until req->stop or
 * req->deadline_ns. DNS answers and TLS sessions are shared by all connections; TLS
 * verification always on, http/https only, no redirects. opts may be NULL (no CA
 * bundle, no proxy, the default pool).
 * Returns NULL and fills err when libcurl cannot be initialised.
 * Free with aws_http_transport_free.
 */
struct aws_http_transport *aws_http_curl_new_opts(
    const struct aws_http_curl_options *opts, struct tpd_err *err) TPD_MUST_CHECK;
/* The same with no options. */
struct aws_http_transport *aws_http_curl_new(struct tpd_err *err) TPD_MUST_CHECK;
void aws_http_transport_free(struct aws_http_transport *t);

/* Convenience: t->send(...). */
enum tpd_code aws_http_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) TPD_MUST_CHECK;

/* The transport's counters (zero when it keeps none). */
void aws_http_transport_stats(struct aws_http_transport *t, struct aws_http_stats *out);

/*
 * How the libcurl transport names a failed transfer (exposed for tests, which cannot
 * make every failure happen on loopback): curl_code is a CURLcode, os_errno
 * CURLINFO_OS_ERRNO, connected whether the request had begun to go out on an
 * established connection. Pure.
 */
enum aws_http_error aws_http_curl_classify(int curl_code, long os_errno, bool connected);
/* The TPD code a failure kind is reported with. Pure. */
enum tpd_code aws_http_error_code(enum aws_http_error e) TPD_MUST_CHECK;

/*
 * Split an endpoint URL (libcurl's URL parser) into the Host header value (with
 * the port when it is not the scheme's default) and the path ("/" when empty).
 * Outputs are appended to host and path. TPD_E_INVALID for a malformed URL or a
 * scheme other than http/https.
 */
enum tpd_code aws_http_url_host_path(
    const char *url, struct tpd_buf *host, struct tpd_buf *path, struct tpd_err *err)
    TPD_MUST_CHECK;

#endif
