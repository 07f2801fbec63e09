/*
 * aws_http_curl: the libcurl transport behind aws_http.h.
 *
 * A small pool of easy handles guarded by a mutex: a request borrows one, so
 * keep-alive connections are reused by whichever thread sends next, and no lock is
 * held during the transfer. Request bodies are sent with CURLOPT_POSTFIELDSIZE (an
 * explicit Content-Length, never chunked) and an empty "Expect:" header, because
 * curl would otherwise add "Expect: 100-continue" to large POSTs (see the brief §6).
 * Headers are never logged here: the Authorization and X-Amz-Security-Token values
 * pass through untouched.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_http.h"
#include "tpd_alloc.h"
#include "tpd_log.h"

#define S_POOL_MAX 16

struct s_curl {
    struct aws_http_transport base;
    pthread_mutex_t mu;
    CURL *free_handles[S_POOL_MAX];
    size_t free_count;
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

struct s_xfer {
    struct aws_http_response *resp;
    bool too_large;
};

static size_t s_on_body(char *data, size_t size, size_t n, void *ud) {
    struct s_xfer *x = ud;
    size_t len = size * n;
    if (tpd_buf_append(&x->resp->body, data, len) != TPD_OK) {
        x->too_large = true;
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
        }
    }
    /* A new status line (after a 100 Continue) starts a new header block. */
    return len;
}

static CURL *s_take(struct s_curl *c) {
    CURL *h = NULL;
    pthread_mutex_lock(&c->mu);
    if (c->free_count > 0) {
        h = c->free_handles[--c->free_count];
    }
    pthread_mutex_unlock(&c->mu);
    if (!h) {
        h = curl_easy_init();
    }
    return h;
}

static void s_give_back(struct s_curl *c, CURL *h) {
    pthread_mutex_lock(&c->mu);
    if (c->free_count < S_POOL_MAX) {
        c->free_handles[c->free_count++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (h) {
        curl_easy_cleanup(h);
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
    struct s_xfer x = {resp, false};
    CURL *h = s_take(c);
    if (!h) {
        return tpd_err_set(err, TPD_E_NOMEM, "HTTP: cannot create a curl handle");
    }
    curl_easy_reset(h);
    for (size_t i = 0; i < req->header_count; i++) {
        tpd_buf_reset(&line);
        if (tpd_buf_printf(&line, "%s: %s", req->headers[i].name, req->headers[i].value) !=
            TPD_OK) {
            rc = tpd_err_set(err, TPD_E_NOMEM, "HTTP: header too large");
            goto done;
        }
        struct curl_slist *n = curl_slist_append(hl, tpd_buf_cstr(&line));
        if (!n) {
            rc = tpd_err_set(err, TPD_E_NOMEM, "HTTP: out of memory");
            goto done;
        }
        hl = n;
    }
    struct curl_slist *n2 = curl_slist_append(hl, "Expect:");
    if (!n2) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "HTTP: out of memory");
        goto done;
    }
    hl = n2;
    tpd_buf_clear_secure(&line);

    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(
        h,
        CURLOPT_CONNECTTIMEOUT_MS,
        req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 60000L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "terraform-provider-dynamodb/0.1");
    if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body.ptr ? (const char *)req->body.ptr : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
        if (strcmp(req->method, "POST") != 0) {
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
        }
    }
    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        if (x.too_large) {
            rc = tpd_err_set(
                err,
                TPD_E_TOO_LARGE,
                "HTTP: response body from %s exceeds %zu bytes",
                req->url,
                (size_t)TPD_MAX_HTTP_BODY);
        } else if (cc == CURLE_OPERATION_TIMEDOUT) {
            rc = tpd_err_set(
                err,
                TPD_E_TIMEOUT,
                "HTTP: %s %s timed out: %s",
                req->method,
                req->url,
                curl_easy_strerror(cc));
        } else if (
            cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CONNECT_ERROR ||
            cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM) {
            rc = tpd_err_set(
                err,
                TPD_E_TLS,
                "HTTP: TLS failure talking to %s: %s",
                req->url,
                curl_easy_strerror(cc));
        } else {
            rc = tpd_err_set(
                err,
                TPD_E_HTTP,
                "HTTP: %s %s failed: %s",
                req->method,
                req->url,
                curl_easy_strerror(cc));
        }
        /* A failed handle may hold a broken connection: do not pool it. */
        curl_easy_cleanup(h);
        h = NULL;
        goto done;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    resp->status = (int)status;
done:
    if (h) {
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        s_give_back(c, h);
    }
    curl_slist_free_all(hl);
    tpd_buf_clear_secure(&line);
    return rc;
}

static void s_destroy(struct aws_http_transport *t) {
    struct s_curl *c = t->impl;
    for (size_t i = 0; i < c->free_count; i++) {
        curl_easy_cleanup(c->free_handles[i]);
    }
    pthread_mutex_destroy(&c->mu);
    free(c);
}

struct aws_http_transport *aws_http_curl_new(struct tpd_err *err) {
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
    c->base.send = s_send;
    c->base.destroy = s_destroy;
    c->base.impl = c;
    return &c->base;
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
