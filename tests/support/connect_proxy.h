/*
 * connect_proxy: a minimal HTTP CONNECT proxy on 127.0.0.1 for proxy tests. It
 * accepts "CONNECT 127.0.0.1:<port> HTTP/1.1", refuses (403) any other target (the
 * tests never leave loopback), opens the tunnel and relays bytes both ways until one
 * side closes. One tunnel at a time.
 * Ownership: cp_start/cp_stop (joins the thread, closes every socket).
 * Threads: one proxy thread; cp_tunnels from any thread.
 */
#ifndef TPD_CONNECT_PROXY_H
#define TPD_CONNECT_PROXY_H

#include <pthread.h>

struct connect_proxy {
    int fd;
    int port;
    char url[64]; /* "http://127.0.0.1:<port>" */
    int wake[2];
    pthread_t thread;
    pthread_mutex_t mu;
    int tunnels;    /* CONNECT requests accepted */
    char last[128]; /* the last CONNECT target */
};

int cp_start(struct connect_proxy *p);
void cp_stop(struct connect_proxy *p);
int cp_tunnels(struct connect_proxy *p);

#endif
