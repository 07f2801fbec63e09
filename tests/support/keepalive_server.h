/*
 * keepalive_server: a loopback HTTP/1.1 server that answers every request with one
 * fixed 200 response and keeps each connection open (as AWS endpoints do), serving
 * many connections at once. It counts connections accepted and requests answered, so
 * tests can check that the client reuses connections.
 * Ownership: ka_start/ka_stop (joins the thread, closes every socket); body borrowed.
 * Threads: one server thread; ka_counts from any thread.
 */
#ifndef TPD_KEEPALIVE_SERVER_H
#define TPD_KEEPALIVE_SERVER_H

#include <pthread.h>

#define KA_MAX_CONNS 64

struct keepalive_server {
    int fd;
    int port;
    char url[64];
    int wake[2];
    pthread_t thread;
    pthread_mutex_t mu;
    const char *body; /* the answer to every request */
    int connections;
    int requests;
};

int ka_start(struct keepalive_server *s, const char *body);
void ka_stop(struct keepalive_server *s);
void ka_counts(struct keepalive_server *s, int *connections, int *requests);

#endif
