/*
 * fake_http_server: a tiny HTTP/1.1 server on 127.0.0.1 (port 0, chosen by the
 * kernel) for tests that need a real socket: IMDS, container credentials,
 * throttling and 5xx through libcurl. Routes are matched on "METHOD /path"; each
 * route has a list of answers consumed in order (the last one repeats). With
 * tls_cert_pem/tls_key_pem set before fhs_start it serves HTTPS (tests/support/
 * test_pki.h makes a CA and a certificate for 127.0.0.1).
 * Ownership: fhs_start/fhs_stop (joins the thread, closes the socket).
 * Threads: one server thread; route setup before start, counters read after stop
 * or via fhs_hits (locked).
 */
#ifndef TPD_FAKE_HTTP_SERVER_H
#define TPD_FAKE_HTTP_SERVER_H

#include <pthread.h>
#include <stdbool.h>

#define FHS_MAX_ROUTES 16
#define FHS_MAX_ANSWERS 8

struct fhs_answer {
    int status;
    const char *body;
    const char *extra_headers; /* "Name: v\r\n..." or NULL */
    int delay_ms;              /* sleep before answering (timeouts) */
};

struct fhs_route {
    const char *method;
    const char *path;
    const char *require_header; /* "name: value" that must be present, else 401 */
    struct fhs_answer answers[FHS_MAX_ANSWERS];
    int answer_count;
    int hits;
};

struct fake_http_server {
    int fd;
    int port;
    char url[64];
    pthread_t thread;
    pthread_mutex_t mu;
    bool stop;
    struct fhs_route routes[FHS_MAX_ROUTES];
    int route_count;
    char last_headers[8192];
    const char *tls_cert_pem; /* HTTPS when set (with tls_key_pem); borrowed */
    const char *tls_key_pem;
    void *tls_ctx;    /* SSL_CTX, made by fhs_start */
    int tls_failures; /* handshakes that failed (e.g. the client refused the certificate) */
};

struct fhs_route *fhs_route(struct fake_http_server *s, const char *method, const char *path);
void fhs_answer(struct fhs_route *r, int status, const char *body);
int fhs_start(struct fake_http_server *s);
void fhs_stop(struct fake_http_server *s);
int fhs_hits(struct fake_http_server *s, const char *method, const char *path);

#endif
