/* fake_transport: see fake_transport.h. */
#include "fake_transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum tpd_code s_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    struct fake_transport *f = t->impl;
    pthread_mutex_lock(&f->mu);
    if (f->req_count < FT_MAX) {
        struct ft_request *r = &f->reqs[f->req_count++];
        r->method = strdup(req->method);
        r->url = strdup(req->url);
        /* libc, not tpd_alloc: the OOM tests fail the code's allocations, not the fake's. */
        size_t cap = 1;
        for (size_t i = 0; i < req->header_count; i++) {
            cap += strlen(req->headers[i].name) + strlen(req->headers[i].value) + 3;
        }
        r->headers = malloc(cap);
        if (r->headers == NULL) {
            abort();
        }
        r->headers[0] = '\0';
        size_t at = 0;
        for (size_t i = 0; i < req->header_count; i++) {
            at += (size_t)snprintf(
                r->headers + at, cap - at, "%s: %s\n", req->headers[i].name, req->headers[i].value);
        }
        r->body = strndup(req->body.ptr ? (const char *)req->body.ptr : "", req->body.len);
    }
    struct ft_answer a = f->next < f->script_len ? f->script[f->next++] : f->fallback;
    f->sent++;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    if (a.net != AWS_HTTP_ERR_NONE) {
        resp->error = a.net;
        return tpd_err_set(
            err,
            aws_http_error_code(a.net),
            "fake transport: %s %s failed: %s",
            req->method,
            req->url,
            aws_http_error_str(a.net));
    }
    if (a.rc != TPD_OK) {
        return tpd_err_set(err, a.rc, "fake transport: scripted %s", tpd_code_name(a.rc));
    }
    resp->status = a.status;
    if (a.request_id) {
        resp->request_id = strdup(a.request_id);
    }
    return a.body ? tpd_buf_append_cstr(&resp->body, a.body) : TPD_OK;
}

struct fake_transport *ft_new(void) {
    struct fake_transport *f = calloc(1, sizeof(*f));
    pthread_mutex_init(&f->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cv, &ca);
    pthread_condattr_destroy(&ca);
    f->base.send = s_send;
    f->base.destroy = NULL;
    f->base.impl = f;
    f->fallback.rc = TPD_E_HTTP;
    return f;
}

void ft_free(struct fake_transport *f) {
    if (!f) {
        return;
    }
    for (size_t i = 0; i < f->req_count; i++) {
        free(f->reqs[i].method);
        free(f->reqs[i].url);
        free(f->reqs[i].headers);
        free(f->reqs[i].body);
    }
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

void ft_push(struct fake_transport *f, int status, const char *body) {
    if (f->script_len < FT_MAX) {
        f->script[f->script_len++] =
            (struct ft_answer){TPD_OK, status, body, "req-1", AWS_HTTP_ERR_NONE};
    }
}

void ft_push_error(struct fake_transport *f, enum tpd_code rc) {
    if (f->script_len < FT_MAX) {
        f->script[f->script_len++] = (struct ft_answer){rc, 0, NULL, NULL, AWS_HTTP_ERR_NONE};
    }
}

void ft_push_net_error(struct fake_transport *f, enum aws_http_error net) {
    if (f->script_len < FT_MAX) {
        f->script[f->script_len++] =
            (struct ft_answer){aws_http_error_code(net), 0, NULL, NULL, net};
    }
}

bool ft_wait_requests(struct fake_transport *f, size_t n) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += 60;
    pthread_mutex_lock(&f->mu);
    int rc = 0;
    while (f->sent < n && rc == 0) {
        rc = pthread_cond_timedwait(&f->cv, &f->mu, &until);
    }
    bool ok = f->sent >= n;
    pthread_mutex_unlock(&f->mu);
    return ok;
}

const char *ft_header(struct fake_transport *f, size_t i, const char *name, char *buf, size_t cap) {
    if (i >= f->req_count) {
        return NULL;
    }
    size_t nl = strlen(name);
    for (const char *p = f->reqs[i].headers; p && *p;) {
        const char *e = strchr(p, '\n');
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            size_t len = (size_t)(e - p) - nl - 2;
            if (len >= cap) {
                len = cap - 1;
            }
            memcpy(buf, p + nl + 2, len);
            buf[len] = '\0';
            return buf;
        }
        p = e ? e + 1 : NULL;
    }
    return NULL;
}
