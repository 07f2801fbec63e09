/*
 * aws_http_curl: the libcurl transport behind aws_http.h.
 *
 * Connections: a pool per endpoint (scheme, host and port of the URL) of at most
 * max_connections_per_host slots, each an easy handle driven by its own multi handle,
 * and so one kept-alive connection to that endpoint. A request borrows an idle slot of
 * its endpoint; when every slot is lent out and the pool is full it waits (a condition
 * variable, no lock held during transfers) for one to come back rather than opening a
 * connection more: botocore's pool is as large (max_pool_connections, 10) but opens a
 * connection beyond it and discards it afterwards (urllib3's block=False), which is how
 * a 10-table refresh opened 60 TLS connections for its 60 requests. The wait ends at
 * the request's stop flag (checked every S_POLL_MS) or deadline. A slot whose transfer
 * failed is closed (its connection may be broken) and leaves room for a new one.
 * Connections themselves are not shared between slots: libcurl does not support sharing
 * its connection cache between concurrent threads (CURLSHOPT_SHARE,
 * CURL_LOCK_DATA_CONNECT); DNS answers and TLS sessions are shared through one share
 * handle with a mutex per kind of data, so a new connection resumes a TLS session.
 *
 * Each transfer runs in our own loop (curl_multi_perform + curl_multi_poll with a
 * S_POLL_MS wake-up) instead of curl_easy_perform, so that the request's stop flag
 * aborts it within S_POLL_MS whatever libcurl is waiting for.
 *
 * Timeouts (the failure budget, aws_retry.h): a connect timeout covering TCP, TLS and a
 * proxy tunnel (CURLOPT_CONNECTTIMEOUT_MS); then a stall timeout: the transfer fails
 * when not one byte went out or came in for stall_timeout_ms, so a slow but moving
 * large answer is never cut; a total timeout only when the caller asks (IMDS). The
 * stall is measured in our loop from libcurl's byte counters rather than with
 * CURLOPT_LOW_SPEED_LIMIT/TIME, whose speed is averaged over the last ~5 seconds
 * (lib/progress.c, CURR_TIME) and counted in whole seconds: a silent server would be
 * detected 5 s late and tests could not use sub-second budgets.
 *
 * Trusted CAs: one X509_STORE per transport, read from the CA bundle once (at the first
 * HTTPS request) and handed to every connection's SSL_CTX through
 * CURLOPT_SSL_CTX_FUNCTION. libcurl caches the store it reads per multi handle
 * (CURLOPT_CA_CACHE_TIMEOUT), and every slot has its own multi: left to libcurl, each
 * slot would parse the bundle again; the system bundle's ~140 certificates cost 16 ms of
 * CPU each time, a second of CPU for the 60 connections of a 50-table refresh
 * (docs/benchmarks.md). When libcurl's TLS library is not the OpenSSL we link, or the
 * bundle cannot be read here, libcurl reads it itself as before.
 *
 * Request bodies are sent with CURLOPT_POSTFIELDSIZE (an explicit Content-Length,
 * never chunked) and an empty "Expect:" header, because curl would otherwise add
 * "Expect: 100-continue" to large POSTs. Headers are never logged here: the
 * Authorization and X-Amz-Security-Token values pass through untouched.
 */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws_http.h"
#include "tpd_alloc.h"
#include "tpd_log.h"

#define S_POLL_MS 100 /* how often a running transfer or a pool wait looks at its stop flag */
#define S_UNPOOLED ((size_t)-1) /* a slot of an endpoint beyond TPD_MAX_HTTP_ORIGINS */

struct s_slot {
    CURLM *multi;
    CURL *easy;
    size_t origin; /* index in s_curl.origins, or S_UNPOOLED */
};

/* The pool of one endpoint. */
struct s_origin {
    char *key;           /* "scheme://host[:port]" as the URLs spell it */
    struct s_slot *idle; /* max_conns entries */
    size_t idle_count;
    size_t open; /* slots of this endpoint in existence: idle and lent out */
};

struct s_curl {
    struct aws_http_transport base;
    pthread_mutex_t mu; /* guards origins and their slots */
    pthread_cond_t cv;  /* a slot came back or was closed (CLOCK_MONOTONIC) */
    struct s_origin origins[TPD_MAX_HTTP_ORIGINS];
    size_t origin_count;
    size_t max_conns;
    atomic_uint_fast64_t pool_waits;
    CURLSH *share;
    pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];
    char *ca_bundle;
    char *http_proxy;
    char *https_proxy;
    char *no_proxy;
    atomic_uint_fast64_t requests;
    atomic_uint_fast64_t connections;
    pthread_mutex_t trust_mu; /* guards trust and trust_tried */
    X509_STORE *trust;        /* owned; NULL: libcurl reads the CAs itself */
    bool trust_tried;
    atomic_uint_fast64_t trust_loads;
};

static pthread_once_t s_global_once = PTHREAD_ONCE_INIT;
static CURLcode s_global_rc = CURLE_OK;

static void s_global_init(void) {
    s_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void aws_http_response_init(struct aws_http_response *r) {
    memset(r, 0, sizeof(*r));
    tpd_buf_init(&r->body, TPD_MAX_HTTP_BODY);
}

void aws_http_response_clear(struct aws_http_response *r) {
    tpd_buf_clear(&r->body);
    free(r->request_id);
    r->request_id = NULL;
    r->status = 0;
    r->error = AWS_HTTP_ERR_NONE;
}

enum tpd_code aws_http_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    return t->send(t, req, resp, err);
}

void aws_http_transport_free(struct aws_http_transport *t) {
    if (t && t->destroy) {
        t->destroy(t);
    }
}

void aws_http_transport_stats(struct aws_http_transport *t, struct aws_http_stats *out) {
    memset(out, 0, sizeof(*out));
    if (t && t->stats) {
        t->stats(t, out);
    }
}

const char *aws_http_error_str(enum aws_http_error e) {
    switch (e) {
        case AWS_HTTP_ERR_NONE:
            return "no error";
        case AWS_HTTP_ERR_RESOLVE:
            return "could not resolve host";
        case AWS_HTTP_ERR_REFUSED:
            return "connection refused";
        case AWS_HTTP_ERR_CONNECT:
            return "could not connect";
        case AWS_HTTP_ERR_CONNECT_TIMEOUT:
            return "connect timed out";
        case AWS_HTTP_ERR_STALLED:
            return "no response: nothing received within the stall timeout";
        case AWS_HTTP_ERR_TIMEOUT:
            return "timed out";
        case AWS_HTTP_ERR_RESET:
            return "connection reset after the request was sent";
        case AWS_HTTP_ERR_TLS:
            return "TLS failure";
        case AWS_HTTP_ERR_PROXY:
            return "proxy failure";
        case AWS_HTTP_ERR_STOPPED:
            return "stopped";
        case AWS_HTTP_ERR_TOO_LARGE:
            return "response too large";
        case AWS_HTTP_ERR_DEADLINE:
            return "the operation's deadline came before a connection was free";
        case AWS_HTTP_ERR_OTHER:
        default:
            return "transfer failed";
    }
}

enum tpd_code aws_http_error_code(enum aws_http_error e) {
    switch (e) {
        case AWS_HTTP_ERR_NONE:
            return TPD_OK;
        case AWS_HTTP_ERR_CONNECT_TIMEOUT:
        case AWS_HTTP_ERR_STALLED:
        case AWS_HTTP_ERR_TIMEOUT:
        case AWS_HTTP_ERR_DEADLINE:
            return TPD_E_TIMEOUT;
        case AWS_HTTP_ERR_TLS:
            return TPD_E_TLS;
        case AWS_HTTP_ERR_STOPPED:
            return TPD_E_STOPPED;
        case AWS_HTTP_ERR_TOO_LARGE:
            return TPD_E_TOO_LARGE;
        default:
            return TPD_E_HTTP;
    }
}

enum aws_http_error aws_http_curl_classify(int curl_code, long os_errno, bool connected) {
    switch ((CURLcode)curl_code) {
        case CURLE_OK:
            return AWS_HTTP_ERR_NONE;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return AWS_HTTP_ERR_RESOLVE;
        case CURLE_COULDNT_CONNECT:
            return os_errno == ECONNREFUSED ? AWS_HTTP_ERR_REFUSED : AWS_HTTP_ERR_CONNECT;
        case CURLE_OPERATION_TIMEDOUT:
            return connected ? AWS_HTTP_ERR_STALLED : AWS_HTTP_ERR_CONNECT_TIMEOUT;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_USE_SSL_FAILED:
            return AWS_HTTP_ERR_TLS;
        case CURLE_PROXY:
            return AWS_HTTP_ERR_PROXY;
        case CURLE_ABORTED_BY_CALLBACK:
            return AWS_HTTP_ERR_STOPPED;
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return connected ? AWS_HTTP_ERR_RESET : AWS_HTTP_ERR_CONNECT;
        default:
            return AWS_HTTP_ERR_OTHER;
    }
}

/* ---- libcurl callbacks ------------------------------------------------------------- */

struct s_xfer {
    struct aws_http_response *resp;
    bool too_large;
    bool nomem;
    bool sending; /* connected (or reused) and about to send: the request may reach AWS */
};

static size_t s_on_body(char *data, size_t size, size_t n, void *ud) {
    struct s_xfer *x = ud;
    size_t len = size * n;
    enum tpd_code rc = tpd_buf_append(&x->resp->body, data, len);
    if (rc != TPD_OK) {
        x->too_large = rc == TPD_E_TOO_LARGE;
        x->nomem = rc == TPD_E_NOMEM;
        return 0;
    }
    return len;
}

static size_t s_on_header(char *data, size_t size, size_t n, void *ud) {
    struct s_xfer *x = ud;
    size_t len = size * n;
    static const char *const names[] = {"x-amzn-requestid:", "x-amz-request-id:"};
    for (size_t k = 0; k < 2; k++) {
        size_t nl = strlen(names[k]);
        if (len > nl && strncasecmp(data, names[k], nl) == 0 && !x->resp->request_id) {
            size_t a = nl;
            size_t b = len;
            while (a < b && (data[a] == ' ' || data[a] == '\t')) {
                a++;
            }
            while (b > a && (data[b - 1] == '\r' || data[b - 1] == '\n' || data[b - 1] == ' ')) {
                b--;
            }
            x->resp->request_id = tpd_strndup(data + a, b - a);
            if (!x->resp->request_id) {
                x->nomem = true;
                return 0;
            }
        }
    }
    return len;
}

/* Called once the connection is made (or reused), just before the request goes out. */
static int s_on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int p1, int p2) {
    (void)conn_primary_ip;
    (void)conn_local_ip;
    (void)p1;
    (void)p2;
    struct s_xfer *x = ud;
    x->sending = true;
    return CURL_PREREQFUNC_OK;
}

static void s_share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud) {
    (void)h;
    (void)access;
    struct s_curl *c = ud;
    if ((unsigned)data < CURL_LOCK_DATA_LAST) {
        pthread_mutex_lock(&c->share_mu[data]);
    }
}

static void s_share_unlock(CURL *h, curl_lock_data data, void *ud) {
    (void)h;
    struct s_curl *c = ud;
    if ((unsigned)data < CURL_LOCK_DATA_LAST) {
        pthread_mutex_unlock(&c->share_mu[data]);
    }
}

/* ---- trusted CAs ------------------------------------------------------------------- */

/* True when libcurl's TLS library is OpenSSL 3, the one this file's X509_STORE and
 * SSL_CTX calls are made with (Debian's libcurl4-openssl-dev). */
static bool s_curl_uses_openssl3(void) {
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    return v && v->ssl_version && strncmp(v->ssl_version, "OpenSSL/3.", 10) == 0;
}

/* The store every HTTPS connection of this transport trusts: the configured bundle, else
 * libcurl's built-in bundle file and folder (CURLINFO_CAINFO / CURLINFO_CAPATH), read at
 * the first call. NULL when it cannot be built; the caller then leaves the CAs to
 * libcurl, whose own error names the file. Borrowed: owned by the transport. */
static X509_STORE *s_trust(struct s_curl *c, CURL *h) {
    pthread_mutex_lock(&c->trust_mu);
    if (!c->trust_tried) {
        c->trust_tried = true;
        const char *file = c->ca_bundle;
        const char *dir = NULL;
        if (!file) {
            char *f = NULL;
            char *d = NULL;
            curl_easy_getinfo(h, CURLINFO_CAINFO, &f);
            curl_easy_getinfo(h, CURLINFO_CAPATH, &d);
            file = f;
            dir = d;
        }
        X509_STORE *st = (file || dir) && s_curl_uses_openssl3() ? X509_STORE_new() : NULL;
        bool ok = st != NULL;
        if (ok && file) {
            ok = X509_STORE_load_file(st, file) == 1;
        }
        if (ok && dir) {
            ok = X509_STORE_load_path(st, dir) == 1; /* looked up by hash when needed */
        }
        /* The flags libcurl sets on the store it builds (lib/vtls/openssl.c): an
         * intermediate CA in the bundle is a trust anchor, trusted certificates first. */
        if (ok) {
            ok = X509_STORE_set_flags(st, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_TRUSTED_FIRST) ==
                 1;
        }
        if (ok) {
            c->trust = st;
            atomic_fetch_add(&c->trust_loads, 1);
        } else {
            X509_STORE_free(st);
        }
    }
    X509_STORE *st = c->trust;
    pthread_mutex_unlock(&c->trust_mu);
    return st;
}

/* CURLOPT_SSL_CTX_FUNCTION: called for each new connection after libcurl set its
 * SSL_CTX up; the connection trusts the transport's store (a reference is taken). */
static CURLcode s_on_ssl_ctx(CURL *h, void *ssl_ctx, void *ud) {
    (void)h;
    X509_STORE *st = ud;
    SSL_CTX_set1_cert_store(ssl_ctx, st);
    return CURLE_OK;
}

/* ---- the pool ---------------------------------------------------------------------- */

static void s_slot_free(struct s_slot *s) {
    if (s->multi && s->easy) {
        curl_multi_remove_handle(s->multi, s->easy);
    }
    if (s->easy) {
        curl_easy_cleanup(s->easy);
    }
    if (s->multi) {
        curl_multi_cleanup(s->multi);
    }
    s->multi = NULL;
    s->easy = NULL;
}

/* The endpoint part of a URL: "scheme://host[:port]" (its length). */
static size_t s_origin_len(const char *url) {
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    return (size_t)(p - url) + strcspn(p, "/?#");
}

/* The pool of url's endpoint (mu held): found, else made while there is room and
 * memory; S_UNPOOLED otherwise (the request then gets a slot of its own). */
static size_t s_origin(struct s_curl *c, const char *url) {
    size_t len = s_origin_len(url);
    for (size_t i = 0; i < c->origin_count; i++) {
        const char *k = c->origins[i].key;
        if (strncasecmp(k, url, len) == 0 && k[len] == '\0') {
            return i;
        }
    }
    if (c->origin_count >= TPD_MAX_HTTP_ORIGINS || len >= TPD_MAX_URL) {
        return S_UNPOOLED;
    }
    struct s_origin *o = &c->origins[c->origin_count];
    o->key = tpd_strndup(url, len);
    o->idle = tpd_calloc(c->max_conns, sizeof(*o->idle));
    if (!o->key || !o->idle) {
        free(o->key);
        free(o->idle);
        memset(o, 0, sizeof(*o));
        return S_UNPOOLED;
    }
    o->idle_count = 0;
    o->open = 0;
    return c->origin_count++;
}

static void s_ns_to_ts(int64_t ns, struct timespec *ts) {
    ts->tv_sec = (time_t)(ns / 1000000000LL);
    ts->tv_nsec = (long)(ns % 1000000000LL);
}

/*
 * Borrow a slot for req: an idle one of its endpoint, else a new one while the endpoint
 * has fewer than max_conns, else wait for one to come back. TPD_OK; TPD_E_STOPPED /
 * TPD_E_TIMEOUT when req->stop / req->deadline_ns ends the wait; TPD_E_NOMEM.
 */
static enum tpd_code
s_take(struct s_curl *c, const struct aws_http_request *req, struct s_slot *out) {
    memset(out, 0, sizeof(*out));
    enum tpd_code rc = TPD_OK;
    bool fresh = false;
    bool waited = false;
    pthread_mutex_lock(&c->mu);
    size_t idx = s_origin(c, req->url);
    struct s_origin *o = idx == S_UNPOOLED ? NULL : &c->origins[idx];
    while (o) {
        if (o->idle_count > 0) {
            *out = o->idle[--o->idle_count];
            break;
        }
        if (o->open < c->max_conns) {
            o->open++;
            fresh = true;
            break;
        }
        if (!waited) {
            waited = true;
            atomic_fetch_add(&c->pool_waits, 1);
        }
        if (req->stop && tpd_stop_requested(req->stop)) {
            rc = TPD_E_STOPPED;
            break;
        }
        int64_t now = tpd_now_ns();
        if (req->deadline_ns > 0 && now >= req->deadline_ns) {
            rc = TPD_E_TIMEOUT;
            break;
        }
        int64_t wake = now + (int64_t)S_POLL_MS * 1000000;
        if (req->deadline_ns > 0 && req->deadline_ns < wake) {
            wake = req->deadline_ns;
        }
        struct timespec ts;
        s_ns_to_ts(wake, &ts);
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    pthread_mutex_unlock(&c->mu);
    if (rc) {
        return rc;
    }
    out->origin = idx;
    if (!o || fresh) {
        out->multi = curl_multi_init();
        out->easy = curl_easy_init();
        if (!out->multi || !out->easy) {
            s_slot_free(out);
            if (fresh) {
                pthread_mutex_lock(&c->mu);
                o->open--;
                pthread_cond_broadcast(&c->cv);
                pthread_mutex_unlock(&c->mu);
            }
            return TPD_E_NOMEM;
        }
    }
    return TPD_OK;
}

/* Return a borrowed slot: kept for the next request of its endpoint, or (keep false:
 * its transfer failed) closed, which leaves room for a new one. */
static void s_give_back(struct s_curl *c, struct s_slot *s, bool keep) {
    if (s->origin == S_UNPOOLED) {
        s_slot_free(s);
        return;
    }
    pthread_mutex_lock(&c->mu);
    struct s_origin *o = &c->origins[s->origin];
    if (keep && o->idle_count < c->max_conns) {
        o->idle[o->idle_count++] = *s;
        keep = true;
    } else {
        keep = false;
        o->open--;
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (!keep) {
        s_slot_free(s);
    }
}

/* ---- one request ------------------------------------------------------------------- */

static bool s_is_https(const char *url) {
    return strncasecmp(url, "https:", 6) == 0;
}

static CURLcode s_setup(
    struct s_curl *c,
    CURL *h,
    const struct aws_http_request *req,
    struct curl_slist *hl,
    struct s_xfer *x) {
    CURLcode cc = CURLE_OK;
#define S_SET(opt, val)                                                                            \
    do {                                                                                           \
        if (cc == CURLE_OK) {                                                                      \
            cc = curl_easy_setopt(h, opt, val);                                                    \
        }                                                                                          \
    } while (0)
    const char *proxy = s_is_https(req->url) ? c->https_proxy : c->http_proxy;
    S_SET(CURLOPT_URL, req->url);
    S_SET(CURLOPT_PROTOCOLS_STR, "http,https");
    S_SET(CURLOPT_FOLLOWLOCATION, 0L);
    S_SET(CURLOPT_NOSIGNAL, 1L);
    S_SET(CURLOPT_SHARE, c->share);
    S_SET(CURLOPT_SSL_VERIFYPEER, 1L);
    S_SET(CURLOPT_SSL_VERIFYHOST, 2L);
    X509_STORE *trust = s_is_https(req->url) ? s_trust(c, h) : NULL;
    if (trust) { /* the CAs, read once: libcurl must not read them again */
        S_SET(CURLOPT_CAINFO, (char *)NULL);
        S_SET(CURLOPT_CAPATH, (char *)NULL);
        S_SET(CURLOPT_SSL_CTX_FUNCTION, s_on_ssl_ctx);
        S_SET(CURLOPT_SSL_CTX_DATA, trust);
    } else if (c->ca_bundle) {
        S_SET(CURLOPT_CAINFO, c->ca_bundle);
    }
    if (c->ca_bundle) {
        S_SET(CURLOPT_PROXY_CAINFO, c->ca_bundle);
    }
    /* Always explicit: "" disables libcurl's own reading of http_proxy & co. */
    S_SET(CURLOPT_PROXY, proxy ? proxy : "");
    S_SET(CURLOPT_NOPROXY, c->no_proxy ? c->no_proxy : "");
    S_SET(
        CURLOPT_CONNECTTIMEOUT_MS,
        req->connect_timeout_ms > 0 ? req->connect_timeout_ms : AWS_HTTP_CONNECT_TIMEOUT_MS);
    if (req->timeout_ms > 0) {
        S_SET(CURLOPT_TIMEOUT_MS, req->timeout_ms);
    }
    S_SET(CURLOPT_HTTPHEADER, hl);
    S_SET(CURLOPT_WRITEFUNCTION, s_on_body);
    S_SET(CURLOPT_WRITEDATA, x);
    S_SET(CURLOPT_HEADERFUNCTION, s_on_header);
    S_SET(CURLOPT_HEADERDATA, x);
    S_SET(CURLOPT_PREREQFUNCTION, s_on_prereq);
    S_SET(CURLOPT_PREREQDATA, x);
    S_SET(CURLOPT_USERAGENT, "terraform-provider-dynamodb/0.1");
    if (strcmp(req->method, "GET") == 0) {
        S_SET(CURLOPT_HTTPGET, 1L);
    } else {
        S_SET(CURLOPT_POST, 1L);
        S_SET(CURLOPT_POSTFIELDS, req->body.ptr ? (const char *)req->body.ptr : "");
        S_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
        if (strcmp(req->method, "POST") != 0) {
            S_SET(CURLOPT_CUSTOMREQUEST, req->method);
        }
    }
#undef S_SET
    return cc;
}

/* Bytes moved so far in either direction, headers included. */
static curl_off_t s_progress(CURL *h) {
    curl_off_t up = 0;
    curl_off_t down = 0;
    long head = 0;
    curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &down);
    curl_easy_getinfo(h, CURLINFO_HEADER_SIZE, &head);
    return up + down + head;
}

enum s_end { S_DONE, S_STOPPED, S_STALLED };

/* Drive the transfer to its end, until req->stop is requested, or until nothing moved
 * for the stall timeout once the request began to go out. */
static CURLcode s_run(
    struct s_slot *s, const struct aws_http_request *req, const struct s_xfer *x, enum s_end *end) {
    *end = S_DONE;
    if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK) {
        return CURLE_OUT_OF_MEMORY;
    }
    int64_t stall_ns =
        (int64_t)(req->stall_timeout_ms > 0 ? req->stall_timeout_ms : AWS_HTTP_STALL_TIMEOUT_MS) *
        1000000;
    curl_off_t moved = -1;
    int64_t moved_at = 0;
    CURLcode cc = CURLE_OK;
    for (;;) {
        int running = 0;
        if (curl_multi_perform(s->multi, &running) != CURLM_OK) {
            cc = CURLE_OUT_OF_MEMORY;
            break;
        }
        if (!running) {
            int queued = 0;
            CURLMsg *m;
            while ((m = curl_multi_info_read(s->multi, &queued))) {
                if (m->msg == CURLMSG_DONE) {
                    cc = m->data.result;
                }
            }
            break;
        }
        if (req->stop && tpd_stop_requested(req->stop)) {
            *end = S_STOPPED;
            cc = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        if (x->sending) {
            int64_t now = tpd_now_ns();
            curl_off_t p = s_progress(s->easy);
            if (p != moved) {
                moved = p;
                moved_at = now;
            } else if (now - moved_at >= stall_ns) {
                *end = S_STALLED;
                cc = CURLE_OPERATION_TIMEDOUT;
                break;
            }
        }
        if (curl_multi_poll(s->multi, NULL, 0, S_POLL_MS, NULL) != CURLM_OK) {
            cc = CURLE_OUT_OF_MEMORY;
            break;
        }
    }
    /* Removing an unfinished transfer aborts it and closes its connection. */
    curl_multi_remove_handle(s->multi, s->easy);
    return cc;
}

static enum tpd_code s_fail(
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    enum aws_http_error kind,
    const char *detail,
    struct tpd_err *err) {
    resp->error = kind;
    enum tpd_code rc = aws_http_error_code(kind);
    switch (kind) {
        case AWS_HTTP_ERR_TOO_LARGE:
            return tpd_err_set(
                err,
                rc,
                "HTTP: response body from %s exceeds %zu bytes",
                req->url,
                (size_t)TPD_MAX_HTTP_BODY);
        case AWS_HTTP_ERR_STALLED:
            return tpd_err_set(
                err,
                rc,
                "HTTP: %s %s: no response: nothing received for %ld ms (%s)",
                req->method,
                req->url,
                req->stall_timeout_ms > 0 ? req->stall_timeout_ms : AWS_HTTP_STALL_TIMEOUT_MS,
                detail);
        case AWS_HTTP_ERR_TLS:
            return tpd_err_set(
                err,
                rc,
                "HTTP: TLS failure talking to %s: %s (a private CA is trusted with AWS_CA_BUNDLE "
                "or the profile's ca_bundle)",
                req->url,
                detail);
        default:
            return tpd_err_set(
                err,
                rc,
                "HTTP: %s %s failed: %s (%s)",
                req->method,
                req->url,
                aws_http_error_str(kind),
                detail);
    }
}

static enum tpd_code s_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    struct s_curl *c = t->impl;
    enum tpd_code rc = TPD_OK;
    struct curl_slist *hl = NULL;
    struct tpd_buf line;
    tpd_buf_init(&line, TPD_MAX_DEFAULT);
    struct s_xfer x = {resp, false, false, false};
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    resp->error = AWS_HTTP_ERR_NONE;
    struct s_slot slot;
    enum tpd_code tr = s_take(c, req, &slot);
    if (tr == TPD_E_STOPPED) {
        return s_fail(req, resp, AWS_HTTP_ERR_STOPPED, "stop requested", err);
    }
    if (tr == TPD_E_TIMEOUT) {
        return s_fail(req, resp, AWS_HTTP_ERR_DEADLINE, "every pooled connection was busy", err);
    }
    if (tr) {
        resp->error = AWS_HTTP_ERR_OTHER;
        return tpd_err_set(err, TPD_E_NOMEM, "HTTP: cannot create a curl handle");
    }
    CURL *h = slot.easy;
    curl_easy_reset(h);
    for (size_t i = 0; i < req->header_count; i++) {
        tpd_buf_reset(&line);
        if (tpd_buf_printf(&line, "%s: %s", req->headers[i].name, req->headers[i].value) !=
            TPD_OK) {
            resp->error = AWS_HTTP_ERR_OTHER;
            rc = tpd_err_set(err, TPD_E_NOMEM, "HTTP: header too large");
            goto done;
        }
        struct curl_slist *n = curl_slist_append(hl, tpd_buf_cstr(&line));
        if (!n) {
            resp->error = AWS_HTTP_ERR_OTHER;
            rc = tpd_err_set(err, TPD_E_NOMEM, "HTTP: out of memory");
            goto done;
        }
        hl = n;
    }
    struct curl_slist *n2 = curl_slist_append(hl, "Expect:");
    if (!n2) {
        resp->error = AWS_HTTP_ERR_OTHER;
        rc = tpd_err_set(err, TPD_E_NOMEM, "HTTP: out of memory");
        goto done;
    }
    hl = n2;
    tpd_buf_clear_secure(&line);
    CURLcode cc = s_setup(c, h, req, hl, &x);
    if (cc == CURLE_OK) {
        cc = curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    }
    if (cc != CURLE_OK) {
        resp->error = AWS_HTTP_ERR_OTHER;
        rc = tpd_err_set(
            err, TPD_E_INTERNAL, "HTTP: cannot set up the request: %s", curl_easy_strerror(cc));
        goto done;
    }
    enum s_end end = S_DONE;
    cc = s_run(&slot, req, &x, &end);
    long connects = 0;
    if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0) {
        atomic_fetch_add(&c->connections, (uint_fast64_t)connects);
    }
    atomic_fetch_add(&c->requests, 1);
    if (end == S_STOPPED) {
        rc = s_fail(req, resp, AWS_HTTP_ERR_STOPPED, "stop requested", err);
    } else if (end == S_STALLED) {
        rc = s_fail(req, resp, AWS_HTTP_ERR_STALLED, "no byte moved in either direction", err);
    } else if (cc != CURLE_OK) {
        long os_errno = 0;
        curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
        enum aws_http_error kind = aws_http_curl_classify((int)cc, os_errno, x.sending);
        if (x.too_large) {
            kind = AWS_HTTP_ERR_TOO_LARGE;
        } else if (kind == AWS_HTTP_ERR_STALLED && req->timeout_ms > 0) {
            double total = 0;
            curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &total);
            if (total * 1000.0 >= (double)req->timeout_ms) {
                kind = AWS_HTTP_ERR_TIMEOUT;
            }
        }
        if (x.nomem || cc == CURLE_OUT_OF_MEMORY) {
            resp->error = AWS_HTTP_ERR_OTHER;
            rc = tpd_err_set(err, TPD_E_NOMEM, "HTTP: %s %s: out of memory", req->method, req->url);
        } else {
            rc = s_fail(req, resp, kind, errbuf[0] ? errbuf : curl_easy_strerror(cc), err);
        }
    } else {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        resp->status = (int)status;
    }
done:
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    /* A failed transfer may leave a broken connection in the slot: do not pool it. */
    s_give_back(c, &slot, rc == TPD_OK);
    curl_slist_free_all(hl);
    tpd_buf_clear_secure(&line);
    return rc;
}

static void s_stats(struct aws_http_transport *t, struct aws_http_stats *out) {
    struct s_curl *c = t->impl;
    out->requests = atomic_load(&c->requests);
    out->connections = atomic_load(&c->connections);
    out->trust_loads = atomic_load(&c->trust_loads);
    out->pool_waits = atomic_load(&c->pool_waits);
}

static void s_destroy(struct aws_http_transport *t) {
    struct s_curl *c = t->impl;
    for (size_t i = 0; i < c->origin_count; i++) {
        struct s_origin *o = &c->origins[i];
        for (size_t k = 0; k < o->idle_count; k++) {
            s_slot_free(&o->idle[k]);
        }
        free(o->idle);
        free(o->key);
    }
    pthread_cond_destroy(&c->cv);
    if (c->share) {
        curl_share_cleanup(c->share);
    }
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) {
        pthread_mutex_destroy(&c->share_mu[i]);
    }
    pthread_mutex_destroy(&c->mu);
    X509_STORE_free(c->trust);
    pthread_mutex_destroy(&c->trust_mu);
    free(c->ca_bundle);
    free(c->http_proxy);
    free(c->https_proxy);
    free(c->no_proxy);
    free(c);
}

/* Copy of an optional setting: NULL for NULL or "", *ok false when out of memory. */
static char *s_opt_dup(const char *s, bool *ok) {
    if (!s || !*s) {
        return NULL;
    }
    char *d = tpd_strdup(s);
    *ok = *ok && d;
    return d;
}

struct aws_http_transport *
aws_http_curl_new_opts(const struct aws_http_curl_options *o, struct tpd_err *err) {
    pthread_once(&s_global_once, s_global_init);
    if (s_global_rc != CURLE_OK) {
        tpd_err_set(
            err, TPD_E_HTTP, "HTTP: curl_global_init failed: %s", curl_easy_strerror(s_global_rc));
        return NULL;
    }
    struct s_curl *c = tpd_calloc(1, sizeof(*c));
    if (!c) {
        tpd_err_set(err, TPD_E_NOMEM, "HTTP: out of memory");
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&c->pool_waits, 0);
    c->max_conns = AWS_HTTP_DEFAULT_POOL_CONNECTIONS;
    pthread_mutex_init(&c->trust_mu, NULL);
    atomic_init(&c->trust_loads, 0);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) {
        pthread_mutex_init(&c->share_mu[i], NULL);
    }
    atomic_init(&c->requests, 0);
    atomic_init(&c->connections, 0);
    c->base.send = s_send;
    c->base.destroy = s_destroy;
    c->base.impl = c;
    c->base.stats = s_stats;
    bool ok = true;
    if (o) {
        c->ca_bundle = s_opt_dup(o->ca_bundle, &ok);
        c->http_proxy = s_opt_dup(o->http_proxy, &ok);
        c->https_proxy = s_opt_dup(o->https_proxy, &ok);
        c->no_proxy = s_opt_dup(o->no_proxy, &ok);
        if (o->max_connections_per_host > 0) {
            c->max_conns = o->max_connections_per_host < TPD_MAX_POOL_CONNECTIONS
                               ? o->max_connections_per_host
                               : TPD_MAX_POOL_CONNECTIONS;
        }
    }
    c->share = curl_share_init();
    if (!ok || !c->share ||
        curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, s_share_lock) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, s_share_unlock) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_USERDATA, c) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
        s_destroy(&c->base);
        tpd_err_set(err, TPD_E_NOMEM, "HTTP: cannot set up the connection pool");
        return NULL;
    }
    return &c->base;
}

struct aws_http_transport *aws_http_curl_new(struct tpd_err *err) {
    return aws_http_curl_new_opts(NULL, err);
}

enum tpd_code aws_http_url_host_path(
    const char *url, struct tpd_buf *host, struct tpd_buf *path, struct tpd_err *err) {
    enum tpd_code rc = TPD_OK;
    char *scheme = NULL;
    char *h = NULL;
    char *port = NULL;
    char *p = NULL;
    CURLU *u = curl_url();
    if (!u) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK) {
        rc = tpd_err_set(err, TPD_E_INVALID, "endpoint URL \"%s\" is not a valid URL", url);
        goto done;
    }
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        rc = tpd_err_set(
            err, TPD_E_INVALID, "endpoint URL \"%s\": only http and https are supported", url);
        goto done;
    }
    rc = tpd_buf_append_cstr(host, h);
    if (!rc && curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port) {
        bool dflt = (strcasecmp(scheme, "http") == 0 && strcmp(port, "80") == 0) ||
                    (strcasecmp(scheme, "https") == 0 && strcmp(port, "443") == 0);
        if (!dflt) {
            rc = tpd_buf_printf(host, ":%s", port);
        }
    }
    if (!rc && curl_url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK && p && *p) {
        rc = tpd_buf_append_cstr(path, p);
    } else if (!rc) {
        rc = tpd_buf_append_cstr(path, "/");
    }
    if (rc) {
        tpd_err_set(err, rc, "endpoint URL: %s", tpd_code_str(rc));
    }
done:
    curl_free(scheme);
    curl_free(h);
    curl_free(port);
    curl_free(p);
    curl_url_cleanup(u);
    return rc;
}
