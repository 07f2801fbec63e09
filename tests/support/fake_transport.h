/*
 * fake_transport: a scripted struct aws_http_transport for tests. Each send pops the
 * next scripted answer (status + body, or a transport error code) and records the
 * request (method, url, headers, body) for inspection.
 * Ownership: ft_new/ft_free; recorded strings belong to the fake.
 * Threads: guarded by a mutex (tests may call from several threads).
 */
#ifndef TPD_FAKE_TRANSPORT_H
#define TPD_FAKE_TRANSPORT_H

#include <pthread.h>
#include <stdbool.h>

#include "aws_http.h"

#define FT_MAX 64

struct ft_answer {
    enum tpd_code rc; /* TPD_OK: status/body used; else the transport fails with rc */
    int status;
    const char *body;
    const char *request_id;
    enum aws_http_error net; /* when set: fail as the libcurl transport does for it */
};

struct ft_request {
    char *method;
    char *url;
    char *headers; /* "Name: value\n" lines */
    char *body;
};

struct fake_transport {
    struct aws_http_transport base;
    pthread_mutex_t mu;
    struct ft_answer script[FT_MAX];
    size_t script_len;
    size_t next;
    struct ft_request reqs[FT_MAX];
    size_t req_count;
    struct ft_answer fallback; /* when the script runs out */
    pthread_cond_t cv;         /* signalled at each request */
    size_t sent;               /* requests received (also past FT_MAX) */
};

struct fake_transport *ft_new(void);
void ft_free(struct fake_transport *f);
void ft_push(struct fake_transport *f, int status, const char *body);
void ft_push_error(struct fake_transport *f, enum tpd_code rc);
/* Fail like the real transport for this kind (resp->error set, its code returned). */
void ft_push_net_error(struct fake_transport *f, enum aws_http_error net);
/* Wait until at least n requests have been sent (an event to synchronise on). False
 * after 60 s, a guard against a hung test. */
bool ft_wait_requests(struct fake_transport *f, size_t n);
/* Value of header name in recorded request i (NULL if absent); borrowed. */
const char *ft_header(struct fake_transport *f, size_t i, const char *name, char *buf, size_t cap);

#endif
