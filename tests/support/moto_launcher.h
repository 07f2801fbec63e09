/*
 * moto_launcher: run tests/support/moto_server.py as a child process on a free
 * loopback port with request authentication switched on.
 * Ownership: struct moto_server is caller storage; moto_stop kills the child by
 * its PID (SIGTERM, then waitpid) and frees the strings.
 * Threads: not thread-safe; call from the test's main thread.
 */
#ifndef TPD_MOTO_LAUNCHER_H
#define TPD_MOTO_LAUNCHER_H

#include <sys/types.h>

struct moto_server {
    pid_t pid;
    int stdin_fd;
    int port;
    char endpoint[64]; /* "http://127.0.0.1:<port>" (our own formatting) */
    char *access_key;
    char *secret_key;
};

/* Returns 0 when the server is up (waits up to timeout_s for READY). */
int moto_start(struct moto_server *m, int timeout_s);
void moto_stop(struct moto_server *m);

#endif
