/* blackhole_server: see blackhole_server.h. */
#define _GNU_SOURCE 1 /* memmem */
#include "blackhole_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct s_conn {
    int fd;
    bool counted;
    char tail[4]; /* the last bytes seen, to find "\r\n\r\n" across reads */
};

static void *s_loop(void *ud) {
    struct bh_server *s = ud;
    struct s_conn conns[BH_MAX_CONNS];
    int n = 0;
    for (;;) {
        struct pollfd p[BH_MAX_CONNS + 2];
        p[0] = (struct pollfd){s->wake[0], POLLIN, 0};
        p[1] = (struct pollfd){s->fd, POLLIN, 0};
        for (int i = 0; i < n; i++) {
            p[i + 2] = (struct pollfd){conns[i].fd, POLLIN, 0};
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
        /* Read what arrived on the polled connections; keep those still open. */
        int kept = 0;
        for (int i = 0; i < n; i++) {
            struct s_conn cn = conns[i];
            if (p[i + 2].revents) {
                char buf[4096 + 4];
                memcpy(buf, cn.tail, 4);
                ssize_t r = read(cn.fd, buf + 4, sizeof(buf) - 4);
                if (r <= 0) { /* the client gave up: forget the connection */
                    close(cn.fd);
                    continue;
                }
                size_t len = (size_t)r + 4;
                if (!cn.counted && memmem(buf, len, "\r\n\r\n", 4)) {
                    cn.counted = true;
                    pthread_mutex_lock(&s->mu);
                    s->requests++;
                    pthread_cond_broadcast(&s->cv);
                    pthread_mutex_unlock(&s->mu);
                }
                memcpy(cn.tail, buf + len - 4, 4);
            }
            conns[kept++] = cn;
        }
        n = kept;
        if ((p[1].revents & POLLIN) && n < BH_MAX_CONNS) {
            int fd = accept(s->fd, NULL, NULL);
            if (fd >= 0) {
                conns[n++] = (struct s_conn){fd, false, {0}};
            }
        }
    }
    for (int i = 0; i < n; i++) {
        close(conns[i].fd);
    }
    return NULL;
}

int bh_start(struct bh_server *s) {
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pipe(s->wake) != 0) {
        return -1;
    }
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->fd, 16) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &al) != 0) {
        return -1;
    }
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
    return pthread_create(&s->thread, NULL, s_loop, s) == 0 ? 0 : -1;
}

void bh_stop(struct bh_server *s) {
    if (write(s->wake[1], "x", 1) != 1) {
        perror("blackhole_server: wake");
    }
    pthread_join(s->thread, NULL);
    close(s->fd);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
}

int bh_requests(struct bh_server *s) {
    pthread_mutex_lock(&s->mu);
    int r = s->requests;
    pthread_mutex_unlock(&s->mu);
    return r;
}

bool bh_wait_requests(struct bh_server *s, int n) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += 60;
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    while (s->requests < n && rc == 0) {
        rc = pthread_cond_timedwait(&s->cv, &s->mu, &until);
    }
    bool ok = s->requests >= n;
    pthread_mutex_unlock(&s->mu);
    return ok;
}
