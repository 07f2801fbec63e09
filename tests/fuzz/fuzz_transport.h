/*
 * fuzz_transport: the scripted in-process transport and client the AWS-response fuzz
 * targets share (header-only: each target is one executable built from one .c file).
 *
 * The input is split at '\f' (never valid raw in XML or JSON) into up to FUZZ_PAGES
 * pages answered in turn with one HTTP status; then the transport fails, so paginated
 * calls always stop. The client has loopback endpoints that are never contacted,
 * static keys, one attempt (no retry sleeps), a fixed clock and logging off.
 */
#ifndef TPD_FUZZ_TRANSPORT_H
#define TPD_FUZZ_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "tpd_log.h"

#define MAX_PAGES 4

struct pages {
    struct aws_http_transport base;
    struct tpd_span page[MAX_PAGES];
    size_t count, next;
    int status;
};

static inline enum tpd_code s_send(
    struct aws_http_transport *t,
    const struct aws_http_request *req,
    struct aws_http_response *resp,
    struct tpd_err *err) {
    (void)req;
    struct pages *p = t->impl;
    if (p->next >= p->count) {
        return tpd_err_set(err, TPD_E_HTTP, "fuzz transport: no more pages");
    }
    resp->status = p->status;
    return tpd_buf_append_span(&resp->body, p->page[p->next++]);
}

static struct pages s_pages = {{.send = s_send, .impl = &s_pages}, {{NULL, 0}}, 0, 0, 200};

static inline int64_t s_clock(void) {
    return 1700000000;
}

/* The shared client, made on first use (abort if it cannot be: a harness bug). */
static inline struct aws_client *s_client(void) {
    static struct aws_client *c;
    if (!c) {
        tpd_log_set_level(TPD_LOG_OFF);
        struct aws_client_options o;
        memset(&o, 0, sizeof(o));
        o.region = "us-east-1";
        o.profile = "fuzz-none";
        o.shared_credentials_file = "/nonexistent/fuzz/credentials";
        o.shared_config_file = "/nonexistent/fuzz/config";
        o.access_key = "AKIDEXAMPLE";
        o.secret_key = "secret";
        o.endpoint_dynamodb = "http://127.0.0.1:1";
        o.endpoint_cloudformation = "http://127.0.0.1:1";
        o.endpoint_sts = "http://127.0.0.1:1";
        o.max_attempts = 1;
        o.retry_base_ns = 1000;
        o.transport = &s_pages.base;
        o.skip_instance_metadata = true;
        struct tpd_err err = {0};
        c = aws_client_new(&o, &err);
        tpd_err_clear(&err);
        if (!c) {
            abort();
        }
        aws_client_set_clock(c, s_clock);
    }
    return c;
}

/* Script the pages for the next call. */
static inline void s_script(const uint8_t *data, size_t size, int status) {
    s_pages.count = s_pages.next = 0;
    s_pages.status = status;
    const uint8_t *p = data, *end = data + size;
    while (s_pages.count < MAX_PAGES) {
        const uint8_t *ff = p < end ? memchr(p, '\f', (size_t)(end - p)) : NULL;
        s_pages.page[s_pages.count++] = (struct tpd_span){p, (size_t)((ff ? ff : end) - p)};
        if (!ff) {
            break;
        }
        p = ff + 1;
    }
}

#endif
