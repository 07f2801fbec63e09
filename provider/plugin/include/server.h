/*
 * server: the plugin's gRPC server on gRPC C core (completion queue API).
 *
 * One thread runs the completion-queue loop (tfp_server_run); it never runs handler
 * code. Every incoming call is received generically (grpc_server_request_call), so
 * methods we do not know are answered UNIMPLEMENTED at once instead of hanging.
 * Unary methods from the method table are read (one request message) and then run on a
 * pool of worker threads; a worker packs the reply and starts the final batch itself.
 * Built in:
 *   /grpc.health.v1.Health/Check       SERVING for service "" and "plugin" (go-plugin ping)
 *   /plugin.GRPCController/Shutdown    reply, then shut the server down (tfp_server_run returns)
 * Everything else that is not in the table, notably the streams Terraform opens and never
 * writes on (/plugin.GRPCStdio/StreamStdio, /plugin.GRPCBroker/StartStream), is finished
 * with UNIMPLEMENTED without reading a message (docs/plugin-protocol.md §4 and §8).
 *
 * Ownership: the server owns its gRPC objects, threads and per-call state. The method
 * table, the ctx pointer and the credentials passed in options are borrowed: the table
 * and ctx must outlive the server; gRPC takes its own reference to the credentials, so
 * the caller may release them right after tfp_server_new.
 * Threads: tfp_server_shutdown is safe from any thread (not from a signal handler);
 * handlers run concurrently on up to `workers` threads.
 */
#ifndef TPD_SERVER_H
#define TPD_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "tpd_buf.h"
#include "tpd_err.h"

struct grpc_server_credentials;
struct tfp_server;

/* gRPC status codes a handler may return (same numbers as grpc_status_code). */
enum tfp_status {
    TFP_STATUS_OK = 0,
    TFP_STATUS_CANCELLED = 1,
    TFP_STATUS_UNKNOWN = 2,
    TFP_STATUS_INVALID_ARGUMENT = 3,
    TFP_STATUS_UNIMPLEMENTED = 12,
    TFP_STATUS_INTERNAL = 13,
    TFP_STATUS_UNAVAILABLE = 14
};

/*
 * What a handler produces. The server initialises it (status OK, empty buffers) before
 * the call and frees it after. On OK, body holds the serialized response message; on
 * any other status, message holds the status text sent to the client and body is not sent.
 */
struct tfp_reply {
    struct tpd_buf body;
    enum tfp_status status;
    struct tpd_buf message;
};

/* Set a non-OK status with a printf-style message. */
void tfp_reply_error(struct tfp_reply *r, enum tfp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A unary handler: request is the serialized request message (borrowed for the call).
 * ctx is tfp_server_options.ctx. Runs on a worker thread.
 */
typedef void(tfp_handler_fn)(void *ctx, struct tpd_span request, struct tfp_reply *reply);

struct tfp_method {
    const char *path; /* "/package.Service/Method" */
    tfp_handler_fn *handler;
};

struct tfp_server_options {
    const char *address;                   /* "unix:/path/plugin.sock" */
    struct grpc_server_credentials *creds; /* borrowed; insecure or TLS */
    const struct tfp_method *methods;      /* borrowed */
    size_t method_count;
    void *ctx;      /* handed to every handler */
    size_t workers; /* 0: default (16) */
    /* Called once when shutdown starts (Shutdown RPC, tfp_server_shutdown), before
     * in-flight calls are cancelled: main passes a function that stops the provider so
     * that long waits end. May be NULL. Runs on the thread that requested shutdown. */
    void (*on_shutdown)(void *ctx);
};

/*
 * Initialise gRPC (grpc_init), bind the address and start accepting calls (calls are
 * queued until tfp_server_run). Returns the server (free with tfp_server_free), or NULL
 * with err filled (TPD_E_IO when the address cannot be bound).
 */
struct tfp_server *tfp_server_new(const struct tfp_server_options *opt, struct tpd_err *err);

/*
 * Run the completion-queue loop in the calling thread until the server has shut down:
 * shutdown requested, every call finished, queue drained, workers joined.
 * Call once. Returns TPD_OK.
 */
enum tpd_code tfp_server_run(struct tfp_server *s);

/* Start a clean shutdown (idempotent): stop accepting, cancel in-flight calls. */
void tfp_server_shutdown(struct tfp_server *s);

/* Free the server after tfp_server_run returned (or if it never ran); grpc_shutdown. */
void tfp_server_free(struct tfp_server *s);

#endif
