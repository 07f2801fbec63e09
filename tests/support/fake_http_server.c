/* fake_http_server: see fake_http_server.h. Reads one request per connection
 * (headers + Content-Length body), answers, and closes (Connection: close). */
#define _GNU_SOURCE 1 /* strcasestr */
#include "fake_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

struct fhs_route *fhs_route(struct fake_http_server *s, const char *method, const char *path) {
    struct fhs_route *r = &s->routes[s->route_count++];
    memset(r, 0, sizeof(*r));
    r->method = method;
    r->path = path;
    return r;
}

void fhs_answer(struct fhs_route *r, int status, const char *body) {
    if (r->answer_count < FHS_MAX_ANSWERS) {
        r->answers[r->answer_count++] = (struct fhs_answer){status, body, NULL, 0};
    }
}

/* One accepted connection, plain or TLS. */
struct s_conn {
    int fd;
    SSL *ssl;
};

static ssize_t s_read(struct s_conn *c, char *buf, size_t n) {
    if (c->ssl) {
        int r = SSL_read(c->ssl, buf, (int)n);
        return r > 0 ? r : -1;
    }
    return read(c->fd, buf, n);
}

static int s_write(struct s_conn *c, const char *buf, size_t n) {
    if (c->ssl) {
        return SSL_write(c->ssl, buf, (int)n) == (int)n ? 0 : -1;
    }
    return send(c->fd, buf, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static void s_handle(struct fake_http_server *s, struct s_conn *c) {
    char buf[65536];
    size_t n = 0;
    char *hdr_end = NULL;
    while (n + 1 < sizeof(buf)) {
        struct pollfd p = {c->fd, POLLIN, 0};
        if ((!c->ssl || SSL_pending(c->ssl) == 0) && poll(&p, 1, 2000) <= 0) {
            return;
        }
        ssize_t r = s_read(c, buf + n, sizeof(buf) - n - 1);
        if (r <= 0) {
            return;
        }
        n += (size_t)r;
        buf[n] = '\0';
        hdr_end = strstr(buf, "\r\n\r\n");
        if (hdr_end) {
            const char *cl = strcasestr(buf, "\r\ncontent-length:");
            size_t want = cl ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
            if (n >= (size_t)(hdr_end + 4 - buf) + want) {
                break;
            }
        }
    }
    if (!hdr_end) {
        return;
    }
    char method[16] = {0}, path[1024] = {0};
    sscanf(buf, "%15s %1023s", method, path);
    pthread_mutex_lock(&s->mu);
    size_t hl = (size_t)(hdr_end - buf);
    if (hl >= sizeof(s->last_headers)) {
        hl = sizeof(s->last_headers) - 1;
    }
    memcpy(s->last_headers, buf, hl);
    s->last_headers[hl] = '\0';
    struct fhs_answer a = {404, "not found", NULL, 0};
    for (int i = 0; i < s->route_count; i++) {
        struct fhs_route *r = &s->routes[i];
        if (strcmp(r->method, method) == 0 && strcmp(r->path, path) == 0) {
            int k = r->hits < r->answer_count ? r->hits : r->answer_count - 1;
            r->hits++;
            if (r->require_header && !strcasestr(s->last_headers, r->require_header)) {
                a = (struct fhs_answer){401, "unauthorized", NULL, 0};
            } else if (k >= 0) {
                a = r->answers[k];
            }
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (a.delay_ms > 0) {
        struct timespec ts = {a.delay_ms / 1000, (long)(a.delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    char head[1024];
    size_t bl = a.body ? strlen(a.body) : 0;
    int hn = snprintf(
        head,
        sizeof(head),
        "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\nx-amzn-RequestId: "
        "fake-%d\r\n%s\r\n",
        a.status,
        bl,
        a.status,
        a.extra_headers ? a.extra_headers : "");
    if (s_write(c, head, (size_t)hn) < 0 || (bl && s_write(c, a.body, bl) < 0)) {
        return;
    }
}

static void *s_loop(void *ud) {
    struct fake_http_server *s = ud;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        bool stop = s->stop;
        pthread_mutex_unlock(&s->mu);
        if (stop) {
            break;
        }
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) {
            continue;
        }
        int fd = accept(s->fd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        struct s_conn c = {fd, NULL};
        /* A client that never speaks must not hang the server thread (and fhs_stop). */
        struct timeval tv = {2, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (s->tls_ctx) {
            c.ssl = SSL_new(s->tls_ctx);
            if (!c.ssl || SSL_set_fd(c.ssl, fd) != 1 || SSL_accept(c.ssl) != 1) {
                pthread_mutex_lock(&s->mu);
                s->tls_failures++;
                pthread_mutex_unlock(&s->mu);
                ERR_clear_error();
                SSL_free(c.ssl);
                close(fd);
                continue;
            }
        }
        s_handle(s, &c);
        if (c.ssl) {
            SSL_shutdown(c.ssl);
            SSL_free(c.ssl);
        }
        close(fd);
    }
    return NULL;
}

static SSL_CTX *s_tls_ctx(const char *cert_pem, const char *key_pem) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    BIO *cb = BIO_new_mem_buf(cert_pem, -1);
    BIO *kb = BIO_new_mem_buf(key_pem, -1);
    X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
    bool ok = ctx && x && k && SSL_CTX_use_certificate(ctx, x) == 1 &&
              SSL_CTX_use_PrivateKey(ctx, k) == 1;
    X509_free(x);
    EVP_PKEY_free(k);
    BIO_free(cb);
    BIO_free(kb);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int fhs_start(struct fake_http_server *s) {
    pthread_mutex_init(&s->mu, NULL);
    s->tls_ctx = NULL;
    if (s->tls_cert_pem && s->tls_key_pem) {
        s->tls_ctx = s_tls_ctx(s->tls_cert_pem, s->tls_key_pem);
        if (!s->tls_ctx) {
            return -1;
        }
    }
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->fd < 0) {
        return -1;
    }
    int one = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t al = sizeof(a);
    if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->fd, 16) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &al) != 0) {
        close(s->fd);
        return -1;
    }
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%d", s->tls_ctx ? "https" : "http", s->port);
    s->stop = false;
    return pthread_create(&s->thread, NULL, s_loop, s) == 0 ? 0 : -1;
}

void fhs_stop(struct fake_http_server *s) {
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    close(s->fd);
    SSL_CTX_free(s->tls_ctx);
    s->tls_ctx = NULL;
    pthread_mutex_destroy(&s->mu);
}

int fhs_hits(struct fake_http_server *s, const char *method, const char *path) {
    int h = 0;
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->route_count; i++) {
        if (strcmp(s->routes[i].method, method) == 0 && strcmp(s->routes[i].path, path) == 0) {
            h = s->routes[i].hits;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return h;
}
