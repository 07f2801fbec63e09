/*
 * plugin_fixture: test helpers for the plugin channel (tests/unit/test_server.c,
 * test_rpc5.c): an in-process server on a socket in a private temp dir, running its
 * loop on a thread, and a small gRPC C-core unary client (insecure or mTLS).
 *
 * Ownership: every _new has its _free; strings returned are owned by the structs.
 * Threads: plugin_client_call may be called from several threads at once.
 */
#ifndef TPD_PLUGIN_FIXTURE_H
#define TPD_PLUGIN_FIXTURE_H

#include <grpc/grpc.h>
#include <pthread.h>
#include <stdbool.h>

#include "handshake.h"
#include "mtls.h"
#include "server.h"
#include "tpd_buf.h"

struct plugin_fixture {
    struct tfp_socket_dir dir;
    struct tpd_buf address; /* "unix:/.../plugin.sock" */
    struct tfp_server *server;
    pthread_t thread;
    bool running; /* thread created and not joined */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool loop_done;              /* tfp_server_run returned (under mu) */
    struct tfp_cert server_cert; /* when tls */
    struct tfp_cert client_cert; /* the identity the server trusts */
    bool tls;
};

/* Start a server with the table; tls: AutoMTLS with a fresh client identity. 0 on success. */
int plugin_fixture_start(
    struct plugin_fixture *f,
    const struct tfp_method *methods,
    size_t count,
    void *ctx,
    bool tls,
    size_t workers);
/* Wait (at most timeout_ms) for the loop thread to end; true when it ended. */
bool plugin_fixture_wait(struct plugin_fixture *f, int timeout_ms);
/* Shut down if still running, join, free everything. */
void plugin_fixture_stop(struct plugin_fixture *f);

struct plugin_client;

/* A channel to address; server_cert_pem/client NULL: insecure. */
struct plugin_client *plugin_client_new(
    const char *address, const struct tfp_cert *server_cert, const struct tfp_cert *client);
void plugin_client_free(struct plugin_client *c);

struct plugin_result {
    grpc_status_code status;
    struct tpd_buf body;
    char *details;
};
void plugin_result_clear(struct plugin_result *r);

/* Unary call; send_message false: send no message and do not half-close (a stream the
 * client keeps idle, like Terraform's StreamStdio). Returns 0 when the call completed. */
int plugin_client_call(
    struct plugin_client *c,
    const char *method,
    struct tpd_span request,
    bool send_message,
    int timeout_ms,
    struct plugin_result *out);

/* Call first in every plugin test main: logging from TF_LOG, and links the helpers. */
void plugin_test_init(void);

#endif
