/* keepalive_server: see keepalive_server.h. */
#define _GNU_SOURCE 1 /* memmem, strcasestr */
#include "keepalive_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define S_BUF 65536

struct s_conn {
    int fd;
    size_t len;
    char buf[S_BUF + 1];
};

/* Answer every complete request in c->buf; false when the connection must close. */
static bool s_serve(struct keepalive_server *s, struct s_conn *c) {
    for (;;) {
        c->buf[c->len] = '\0';
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end) {
            return c->len < S_BUF;
        }
        size_t head = (size_t)(end + 4 - c->buf);
        const char *cl = strcasestr(c->buf, "\r\ncontent-length:");
        size_t body = cl && cl < end ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
        if (head + body > S_BUF) {
            return false;
        }
        if (c->len < head + body) {
            return true; /* the rest of the body is still coming */
        }
        char resp[512];
        size_t bl = strlen(s->body);
        int n = snprintf(
            resp,
            sizeof(resp),
            "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nContent-Type: application/x-amz-json-1.0\r\n"
            "x-amzn-RequestId: keepalive\r\n\r\n",
            bl);
        if (send(c->fd, resp, (size_t)n, MSG_NOSIGNAL) != n ||
            send(c->fd, s->body, bl, MSG_NOSIGNAL) != (ssize_t)bl) {
            return false;
        }
        pthread_mutex_lock(&s->mu);
        s->requests++;
        pthread_mutex_unlock(&s->mu);
        memmove(c->buf, c->buf + head + body, c->len - head - body);
        c->len -= head + body;
    }
}

static void *s_loop(void *ud) {
    struct keepalive_server *s = ud;
    struct s_conn *conns[KA_MAX_CONNS];
    int n = 0;
    for (;;) {
        struct pollfd p[KA_MAX_CONNS + 2];
        p[0] = (struct pollfd){s->wake[0], POLLIN, 0};
        p[1] = (struct pollfd){s->fd, POLLIN, 0};
        for (int i = 0; i < n; i++) {
            p[i + 2] = (struct pollfd){conns[i]->fd, POLLIN, 0};
        }
        if (poll(p, (nfds_t)n + 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (p[0].revents) {
            break;
        }
        int kept = 0;
        for (int i = 0; i < n; i++) {
            struct s_conn *c = conns[i];
            if (p[i + 2].revents) {
                ssize_t r = read(c->fd, c->buf + c->len, S_BUF - c->len);
                if (r <= 0 || (c->len += (size_t)r, !s_serve(s, c))) {
                    close(c->fd);
                    free(c);
                    continue;
                }
            }
            conns[kept++] = c;
        }
        n = kept;
        if ((p[1].revents & POLLIN) && n < KA_MAX_CONNS) {
            int fd = accept(s->fd, NULL, NULL);
            struct s_conn *c = fd >= 0 ? calloc(1, sizeof(*c)) : NULL;
            if (c) {
                c->fd = fd;
                conns[n++] = c;
                pthread_mutex_lock(&s->mu);
                s->connections++;
                pthread_mutex_unlock(&s->mu);
            } else if (fd >= 0) {
                close(fd);
            }
        }
    }
    for (int i = 0; i < n; i++) {
        close(conns[i]->fd);
        free(conns[i]);
    }
    return NULL;
}

int ka_start(struct keepalive_server *s, const char *body) {
    memset(s, 0, sizeof(*s));
    s->body = body;
    pthread_mutex_init(&s->mu, NULL);
    if (pipe(s->wake) != 0) {
        return -1;
    }
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->fd, 64) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &al) != 0) {
        return -1;
    }
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
    return pthread_create(&s->thread, NULL, s_loop, s) == 0 ? 0 : -1;
}

void ka_stop(struct keepalive_server *s) {
    if (write(s->wake[1], "x", 1) != 1) {
        perror("keepalive_server: wake");
    }
    pthread_join(s->thread, NULL);
    close(s->fd);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_mutex_destroy(&s->mu);
}

void ka_counts(struct keepalive_server *s, int *connections, int *requests) {
    pthread_mutex_lock(&s->mu);
    *connections = s->connections;
    *requests = s->requests;
    pthread_mutex_unlock(&s->mu);
}
