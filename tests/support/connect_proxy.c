/* connect_proxy: see connect_proxy.h. */
#include "connect_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Relay between a and b until either closes or the proxy is stopped. */
static void s_relay(struct connect_proxy *p, int a, int b) {
    char buf[16384];
    for (;;) {
        struct pollfd f[3] = {{a, POLLIN, 0}, {b, POLLIN, 0}, {p->wake[0], POLLIN, 0}};
        if (poll(f, 3, -1) <= 0 || f[2].revents) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (!f[i].revents) {
                continue;
            }
            ssize_t n = read(f[i].fd, buf, sizeof(buf));
            if (n <= 0 || send(i == 0 ? b : a, buf, (size_t)n, MSG_NOSIGNAL) != n) {
                return;
            }
        }
    }
}

static void s_reply(int c, const char *status) {
    char r[128];
    int n = snprintf(r, sizeof(r), "HTTP/1.1 %s\r\nContent-Length: 0\r\n\r\n", status);
    if (send(c, r, (size_t)n, MSG_NOSIGNAL) != n) {
        return;
    }
}

static void s_handle(struct connect_proxy *p, int c) {
    char head[4096];
    size_t n = 0;
    while (n + 1 < sizeof(head)) {
        struct pollfd f = {c, POLLIN, 0};
        if (poll(&f, 1, 5000) <= 0) {
            return;
        }
        ssize_t r = read(c, head + n, 1); /* byte by byte: nothing past the head is read */
        if (r <= 0) {
            return;
        }
        n++;
        head[n] = '\0';
        if (n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0) {
            break;
        }
    }
    char target[128] = {0};
    int port = 0;
    if (sscanf(head, "CONNECT %127s", target) != 1 || strncmp(target, "127.0.0.1:", 10) != 0 ||
        (port = atoi(target + 10)) <= 0 || port > 65535) {
        s_reply(c, "403 Forbidden");
        return;
    }
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (t < 0 || connect(t, (struct sockaddr *)&a, sizeof(a)) != 0) {
        s_reply(c, "502 Bad Gateway");
        if (t >= 0) {
            close(t);
        }
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->tunnels++;
    snprintf(p->last, sizeof(p->last), "%s", target);
    pthread_mutex_unlock(&p->mu);
    s_reply(c, "200 Connection established");
    s_relay(p, c, t);
    close(t);
}

static void *s_loop(void *ud) {
    struct connect_proxy *p = ud;
    for (;;) {
        struct pollfd f[2] = {{p->wake[0], POLLIN, 0}, {p->fd, POLLIN, 0}};
        if (poll(f, 2, -1) <= 0 || f[0].revents) {
            break;
        }
        int c = accept(p->fd, NULL, NULL);
        if (c >= 0) {
            s_handle(p, c);
            close(c);
        }
    }
    return NULL;
}

int cp_start(struct connect_proxy *p) {
    memset(p, 0, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    if (pipe(p->wake) != 0) {
        return -1;
    }
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(p->fd, 16) != 0 ||
        getsockname(p->fd, (struct sockaddr *)&a, &al) != 0) {
        return -1;
    }
    p->port = ntohs(a.sin_port);
    snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%d", p->port);
    return pthread_create(&p->thread, NULL, s_loop, p) == 0 ? 0 : -1;
}

void cp_stop(struct connect_proxy *p) {
    if (write(p->wake[1], "x", 1) != 1) {
        perror("connect_proxy: wake");
    }
    pthread_join(p->thread, NULL);
    close(p->fd);
    close(p->wake[0]);
    close(p->wake[1]);
    pthread_mutex_destroy(&p->mu);
}

int cp_tunnels(struct connect_proxy *p) {
    pthread_mutex_lock(&p->mu);
    int n = p->tunnels;
    pthread_mutex_unlock(&p->mu);
    return n;
}
