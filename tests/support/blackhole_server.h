/*
 * blackhole_server: a loopback TCP server that accepts connections, reads the
 * requests and never answers, like an endpoint behind a broken load balancer. Tests
 * use it for the stall timeout and for stopping an in-flight request: bh_wait_requests
 * lets a test act once a request has really arrived (an event, not a sleep).
 * Ownership: bh_start/bh_stop (joins the thread, closes every socket).
 * Threads: one server thread; bh_requests and bh_wait_requests from any thread.
 */
#ifndef TPD_BLACKHOLE_SERVER_H
#define TPD_BLACKHOLE_SERVER_H

#include <pthread.h>
#include <stdbool.h>

#define BH_MAX_CONNS 32

struct bh_server {
    int fd;
    int port;
    char url[64];
    int wake[2]; /* bh_stop writes here to end the thread */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int requests; /* request heads received (one per connection: none is answered) */
};

int bh_start(struct bh_server *s);
void bh_stop(struct bh_server *s);
int bh_requests(struct bh_server *s);
/* Wait until at least n requests have arrived. False after 60 s (a guard against a
 * hung test, never the expected path). */
bool bh_wait_requests(struct bh_server *s, int n);

#endif
