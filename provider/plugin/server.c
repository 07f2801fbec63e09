/*
 * server: gRPC C-core server loop with a worker pool.
 *
 * Design (see server.h for the contract):
 *   - Each call has a struct s_call used as its completion-queue tag. Its state says
 *     which batch completed. Exactly one thread owns a call at a time: the loop until it
 *     queues the call for a worker, the worker until it starts the final batch, then the
 *     loop again, which frees it when that batch completes.
 *   - The loop only does non-blocking work: re-arming grpc_server_request_call, starting
 *     the receive batch, answering built-in and unknown methods, queueing work.
 *   - Unknown methods and streams are finished without reading: Terraform opens
 *     GRPCStdio/StreamStdio and GRPCBroker/StartStream and never sends a message on
 *     them, so a receive there would wait forever (verified with Terraform 1.11).
 *   - Shutdown follows go-plugin's GRPCController.Shutdown, which stops the server after
 *     replying: we start grpc_server_shutdown_and_notify once the reply batch is done,
 *     cancel all calls, wait until every call is freed, shut the queue down, drain it.
 */
#include "server.h"

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_controller.pb-c.h"
#include "health.pb-c.h"
#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_log.h"
#include "tpd_text.h"

#define S_DEFAULT_WORKERS 16
/* Outstanding grpc_server_request_call slots: new calls are accepted while the loop is
 * busy re-arming. */
#define S_REQUEST_SLOTS 4
/* Terraform sends whole states and schemas in one message; gRPC's 4 MiB default is too
 * small for large states (terraform-plugin-go raises it to 256 MiB). */
#define S_MAX_MESSAGE_BYTES ((int)TPD_MAX_DEFAULT)
#define S_STATUS_NOT_FOUND 5

#define S_PATH_HEALTH_CHECK "/grpc.health.v1.Health/Check"
#define S_PATH_SHUTDOWN "/plugin.GRPCController/Shutdown"

enum s_state {
    S_REQUESTED, /* waiting for grpc_server_request_call */
    S_RECEIVING, /* RECV_MESSAGE started */
    S_WORKING,   /* owned by a worker */
    S_FINISHING  /* final batch (status) started */
};

enum s_kind { S_KIND_TABLE, S_KIND_HEALTH, S_KIND_SHUTDOWN, S_KIND_UNIMPLEMENTED };

struct s_call {
    struct tfp_server *srv;
    enum s_state state;
    enum s_kind kind;
    const struct tfp_method *method;
    grpc_call *call;
    grpc_call_details details;
    grpc_metadata_array request_md;
    grpc_byte_buffer *recv;
    grpc_byte_buffer *send;
    grpc_slice status_details;
    int cancelled;
    bool shutdown_after; /* the Shutdown RPC: shut down once the reply is sent */
    int64_t start_ns;
    struct s_call *next; /* work queue */
};

struct tfp_server {
    struct tfp_server_options opt;
    grpc_server *server;
    grpc_completion_queue *cq;
    int shutdown_tag; /* its address is the tag of shutdown_and_notify */

    pthread_mutex_t mu; /* guards the fields below up to the loop-only ones */
    pthread_cond_t cv;
    struct s_call *q_head;
    struct s_call *q_tail;
    bool workers_stop;
    bool shutdown_started;

    pthread_t *threads;
    size_t thread_count;
    size_t idle_workers; /* workers waiting for a call (under mu) */
    size_t q_len;        /* calls queued, not yet taken by a worker (under mu) */

    /* Touched by the loop thread only. */
    size_t live_calls;
    bool shutdown_done;
    bool ran;
};

/* ---- replies ---------------------------------------------------------------------- */

void tfp_reply_error(struct tfp_reply *r, enum tfp_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    r->status = status;
    tpd_buf_reset(&r->message);
    if (tpd_buf_vprintf(&r->message, fmt, ap) != TPD_OK &&
        tpd_buf_set(
            &r->message,
            TPD_SPAN_LIT("the error message could not be written (too long, or out of memory)")) !=
            TPD_OK) {
        tpd_buf_reset(&r->message); /* the status alone goes out */
    }
    va_end(ap);
}

static void s_reply_init(struct tfp_reply *r) {
    tpd_buf_init(&r->body, TPD_MAX_DEFAULT);
    tpd_buf_init(&r->message, TPD_MAX_ERROR_MSG);
    r->status = TFP_STATUS_OK;
}

static void s_reply_clear(struct tfp_reply *r) {
    tpd_buf_clear(&r->body);
    tpd_buf_clear(&r->message);
}

/* ---- calls ------------------------------------------------------------------------ */

static bool s_shutdown_started(struct tfp_server *s) {
    pthread_mutex_lock(&s->mu);
    bool started = s->shutdown_started;
    pthread_mutex_unlock(&s->mu);
    return started;
}

static void s_call_free(struct s_call *c) {
    if (c->call) {
        grpc_call_unref(c->call);
    }
    grpc_call_details_destroy(&c->details);
    grpc_metadata_array_destroy(&c->request_md);
    if (c->recv) {
        grpc_byte_buffer_destroy(c->recv);
    }
    if (c->send) {
        grpc_byte_buffer_destroy(c->send);
    }
    grpc_slice_unref(c->status_details);
    free(c);
}

/* Arm one grpc_server_request_call slot (loop thread, or tfp_server_new). */
static void s_request_call(struct tfp_server *s) {
    struct s_call *c = tpd_calloc(1, sizeof(*c));
    if (c == NULL) {
        TPD_ERROR("plugin server: out of memory accepting a call");
        return;
    }
    c->srv = s;
    c->state = S_REQUESTED;
    c->status_details = grpc_empty_slice();
    grpc_call_details_init(&c->details);
    grpc_metadata_array_init(&c->request_md);
    grpc_call_error e =
        grpc_server_request_call(s->server, &c->call, &c->details, &c->request_md, s->cq, s->cq, c);
    if (e != GRPC_CALL_OK) {
        TPD_ERROR("plugin server: grpc_server_request_call failed (%d)", (int)e);
        s_call_free(c);
        return;
    }
    s->live_calls++;
}

static bool s_method_is(const struct s_call *c, const char *path) {
    size_t n = strlen(path);
    return GRPC_SLICE_LENGTH(c->details.method) == n &&
           memcmp(GRPC_SLICE_START_PTR(c->details.method), path, n) == 0;
}

/*
 * Start the final batch: initial metadata, the message on OK, the status, and the
 * close notification. Ownership passes to the loop (state set before starting, since
 * the completion may arrive on the loop before grpc_call_start_batch returns).
 */
static void
s_finish(struct s_call *c, enum tfp_status status, struct tpd_span body, const char *message) {
    grpc_op ops[4];
    size_t n = 0;
    memset(ops, 0, sizeof(ops));

    ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[n].data.send_initial_metadata.count = 0;
    n++;
    if (status == TFP_STATUS_OK) {
        grpc_slice slice = grpc_slice_from_copied_buffer((const char *)body.ptr, body.len);
        c->send = grpc_raw_byte_buffer_create(&slice, 1);
        grpc_slice_unref(slice);
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = c->send;
        n++;
    }
    grpc_slice_unref(c->status_details);
    c->status_details = grpc_slice_from_copied_string(message ? message : "");
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.trailing_metadata_count = 0;
    ops[n].data.send_status_from_server.status = (grpc_status_code)status;
    ops[n].data.send_status_from_server.status_details =
        message && message[0] ? &c->status_details : NULL;
    n++;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n].data.recv_close_on_server.cancelled = &c->cancelled;
    n++;

    c->state = S_FINISHING;
    grpc_call_error e = grpc_call_start_batch(c->call, ops, n, c, NULL);
    if (e != GRPC_CALL_OK) {
        /* Only a malformed batch gets here: a programming error, not a peer's doing. */
        TPD_ERROR("plugin server: grpc_call_start_batch(final) failed (%d)", (int)e);
    }
}

static void s_finish_empty(struct s_call *c, enum tfp_status status, const char *message) {
    s_finish(c, status, (struct tpd_span){NULL, 0}, message);
}

/* Copy a received message into a buffer. */
static enum tpd_code s_read_message(grpc_byte_buffer *bb, struct tpd_buf *out) {
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, bb)) {
        return TPD_E_PARSE;
    }
    grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
    enum tpd_code rc = tpd_buf_append(out, GRPC_SLICE_START_PTR(all), GRPC_SLICE_LENGTH(all));
    grpc_slice_unref(all);
    grpc_byte_buffer_reader_destroy(&reader);
    return rc;
}

/* ---- workers ---------------------------------------------------------------------- */

static void s_run_handler(struct s_call *c) {
    struct tfp_server *s = c->srv;
    struct tfp_reply reply;
    struct tpd_buf req;
    s_reply_init(&reply);
    tpd_buf_init(&req, TPD_MAX_DEFAULT);
    if (s_read_message(c->recv, &req) != TPD_OK) {
        tfp_reply_error(&reply, TFP_STATUS_INTERNAL, "cannot read the request message");
    } else {
        c->method->handler(s->opt.ctx, tpd_buf_span(&req), &reply);
    }
    tpd_buf_clear(&req);
    if (reply.status != TFP_STATUS_OK) {
        TPD_DEBUG(
            "plugin server: %s -> status %d: %s",
            c->method->path,
            (int)reply.status,
            tpd_buf_cstr(&reply.message));
    }
    s_finish(c, reply.status, tpd_buf_span(&reply.body), tpd_buf_cstr(&reply.message));
    s_reply_clear(&reply);
}

static void *s_worker_main(void *arg) {
    struct tfp_server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        s->idle_workers++;
        while (s->q_head == NULL && !s->workers_stop) {
            pthread_cond_wait(&s->cv, &s->mu);
        }
        s->idle_workers--;
        struct s_call *c = s->q_head;
        if (c == NULL) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        s->q_head = c->next;
        s->q_len--;
        if (s->q_head == NULL) {
            s->q_tail = NULL;
        }
        pthread_mutex_unlock(&s->mu);
        c->next = NULL;
        s_run_handler(c);
    }
    return NULL;
}

static void s_enqueue(struct tfp_server *s, struct s_call *c) {
    c->state = S_WORKING;
    pthread_mutex_lock(&s->mu);
    if (s->q_tail) {
        s->q_tail->next = c;
    } else {
        s->q_head = c;
    }
    s->q_tail = c;
    s->q_len++;
    /* Workers are started on demand, up to the configured number: most provider
     * processes live for a handful of RPCs (Terraform starts one per command phase),
     * and starting sixteen threads before the handshake line cost more than the
     * handshake itself. Only this (queue) thread changes thread_count. */
    if (s->q_len > s->idle_workers && s->thread_count < s->opt.workers) {
        if (pthread_create(&s->threads[s->thread_count], NULL, s_worker_main, s) == 0) {
            s->thread_count++;
        } else if (s->thread_count == 0) {
            TPD_ERROR("plugin server: cannot start a worker thread");
        }
    }
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- built-in services ------------------------------------------------------------ */

/* grpc.health.v1.Health/Check: go-plugin's host pings with service "plugin". */
static void s_health_check(struct s_call *c) {
    struct tpd_buf req;
    tpd_buf_init(&req, 1 << 16);
    Grpc__Health__V1__HealthCheckRequest *in = NULL;
    if (s_read_message(c->recv, &req) == TPD_OK) {
        in = grpc__health__v1__health_check_request__unpack(NULL, req.len, req.ptr);
    }
    tpd_buf_clear(&req);
    if (in == NULL) {
        s_finish_empty(c, TFP_STATUS_INVALID_ARGUMENT, "malformed HealthCheckRequest");
        return;
    }
    bool known =
        in->service == NULL || in->service[0] == '\0' || strcmp(in->service, "plugin") == 0;
    grpc__health__v1__health_check_request__free_unpacked(in, NULL);
    if (!known) {
        /* The health checking protocol answers NOT_FOUND for services it does not know. */
        s_finish_empty(c, (enum tfp_status)S_STATUS_NOT_FOUND, "unknown service");
        return;
    }
    Grpc__Health__V1__HealthCheckResponse out = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    out.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    uint8_t packed[16];
    size_t len = grpc__health__v1__health_check_response__pack(&out, packed);
    s_finish(c, TFP_STATUS_OK, (struct tpd_span){packed, len}, NULL);
}

/* plugin.GRPCController/Shutdown: answer Empty, shut down once the answer is out. */
static void s_controller_shutdown(struct s_call *c) {
    TPD_DEBUG("plugin server: shutdown requested by the host");
    c->shutdown_after = true;
    s_finish(c, TFP_STATUS_OK, (struct tpd_span){(const uint8_t *)"", 0}, NULL);
}

/* ---- the loop --------------------------------------------------------------------- */

static void s_on_new_call(struct tfp_server *s, struct s_call *c) {
    if (!s_shutdown_started(s)) {
        s_request_call(s);
    }
    c->start_ns = tpd_now_ns();
    c->kind = S_KIND_UNIMPLEMENTED;
    for (size_t i = 0; i < s->opt.method_count; i++) {
        if (s_method_is(c, s->opt.methods[i].path)) {
            c->kind = S_KIND_TABLE;
            c->method = &s->opt.methods[i];
            break;
        }
    }
    if (c->kind == S_KIND_UNIMPLEMENTED) {
        if (s_method_is(c, S_PATH_HEALTH_CHECK)) {
            c->kind = S_KIND_HEALTH;
        } else if (s_method_is(c, S_PATH_SHUTDOWN)) {
            c->kind = S_KIND_SHUTDOWN;
        }
    }
    TPD_TRACE(
        "plugin server: call %.*s",
        (int)GRPC_SLICE_LENGTH(c->details.method),
        (const char *)GRPC_SLICE_START_PTR(c->details.method));
    if (c->kind == S_KIND_UNIMPLEMENTED) {
        /* Do not read: the peer may never send (streams Terraform opens and keeps idle). */
        struct tpd_text msg;
        tpd_text_init(&msg, 1024);
        tpd_text_printf(
            &msg,
            "method %.*s is not implemented by this plugin",
            (int)GRPC_SLICE_LENGTH(c->details.method),
            (const char *)GRPC_SLICE_START_PTR(c->details.method));
        s_finish_empty(
            c,
            TFP_STATUS_UNIMPLEMENTED,
            tpd_text_cstr_or(&msg, "the method called is not implemented by this plugin"));
        tpd_text_clear(&msg);
        return;
    }
    grpc_op op;
    memset(&op, 0, sizeof(op));
    op.op = GRPC_OP_RECV_MESSAGE;
    op.data.recv_message.recv_message = &c->recv;
    c->state = S_RECEIVING;
    grpc_call_error e = grpc_call_start_batch(c->call, &op, 1, c, NULL);
    if (e != GRPC_CALL_OK) {
        TPD_ERROR("plugin server: grpc_call_start_batch(recv) failed (%d)", (int)e);
        s_finish_empty(c, TFP_STATUS_INTERNAL, "internal error receiving the request");
    }
}

static void s_on_event(struct tfp_server *s, struct s_call *c, bool ok) {
    switch (c->state) {
        case S_REQUESTED:
            if (!ok) {
                /* The server is shutting down: this slot will never carry a call. */
                s_call_free(c);
                s->live_calls--;
                return;
            }
            s_on_new_call(s, c);
            return;
        case S_RECEIVING:
            if (!ok || c->recv == NULL) {
                /* Cancelled, or the client half-closed without a message. */
                s_finish_empty(c, TFP_STATUS_INVALID_ARGUMENT, "no request message");
                return;
            }
            if (c->kind == S_KIND_HEALTH) {
                s_health_check(c);
            } else if (c->kind == S_KIND_SHUTDOWN) {
                s_controller_shutdown(c);
            } else {
                s_enqueue(s, c);
            }
            return;
        case S_WORKING:
            TPD_ERROR("plugin server: completion for a call owned by a worker");
            return;
        case S_FINISHING: {
            bool shut = c->shutdown_after;
            if (tpd_log_enabled(TPD_LOG_DEBUG) && c->kind != S_KIND_UNIMPLEMENTED) {
                TPD_DEBUG(
                    "plugin server: %.*s done in %.1f ms%s",
                    (int)GRPC_SLICE_LENGTH(c->details.method),
                    (const char *)GRPC_SLICE_START_PTR(c->details.method),
                    (double)(tpd_now_ns() - c->start_ns) / 1e6,
                    c->cancelled ? " (cancelled)" : "");
            }
            s_call_free(c);
            s->live_calls--;
            if (shut) {
                tfp_server_shutdown(s);
            }
            return;
        }
    }
}

enum tpd_code tfp_server_run(struct tfp_server *s) {
    if (s->ran) {
        return TPD_E_INVALID;
    }
    s->ran = true;
    bool cq_shut = false;
    for (;;) {
        grpc_event ev =
            grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN) {
            break;
        }
        if (ev.type != GRPC_OP_COMPLETE) {
            continue;
        }
        if (ev.tag == &s->shutdown_tag) {
            s->shutdown_done = true;
        } else {
            s_on_event(s, ev.tag, ev.success != 0);
        }
        if (s->shutdown_done && s->live_calls == 0 && !cq_shut) {
            grpc_completion_queue_shutdown(s->cq);
            cq_shut = true;
        }
    }
    /* Every call is freed, so no worker holds one: stop and join them. */
    pthread_mutex_lock(&s->mu);
    s->workers_stop = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < s->thread_count; i++) {
        pthread_join(s->threads[i], NULL);
    }
    s->thread_count = 0;
    TPD_DEBUG("plugin server: stopped");
    return TPD_OK;
}

void tfp_server_shutdown(struct tfp_server *s) {
    pthread_mutex_lock(&s->mu);
    bool already = s->shutdown_started;
    s->shutdown_started = true;
    pthread_mutex_unlock(&s->mu);
    if (already) {
        return;
    }
    if (s->opt.on_shutdown) {
        s->opt.on_shutdown(s->opt.ctx);
    }
    grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
    grpc_server_cancel_all_calls(s->server);
}

/* ---- lifecycle -------------------------------------------------------------------- */

struct tfp_server *tfp_server_new(const struct tfp_server_options *opt, struct tpd_err *err) {
    struct tfp_server *s = tpd_calloc(1, sizeof(*s));
    if (s == NULL) {
        tpd_err_set(err, TPD_E_NOMEM, "plugin server: out of memory");
        return NULL;
    }
    s->opt = *opt;
    if (s->opt.workers == 0) {
        s->opt.workers = S_DEFAULT_WORKERS;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    grpc_init();

    grpc_arg args[2];
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    args[0].value.integer = S_MAX_MESSAGE_BYTES;
    args[1].type = GRPC_ARG_INTEGER;
    args[1].key = (char *)GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
    args[1].value.integer = S_MAX_MESSAGE_BYTES;
    grpc_channel_args chargs = {.num_args = 2, .args = args};

    s->cq = grpc_completion_queue_create_for_next(NULL);
    s->server = grpc_server_create(&chargs, NULL);
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    if (grpc_server_add_http2_port(s->server, opt->address, opt->creds) == 0) {
        tpd_err_set(err, TPD_E_IO, "plugin server: cannot listen on %s", opt->address);
        grpc_server_destroy(s->server);
        s->server = NULL;
        goto fail;
    }
    grpc_server_start(s->server);

    s->threads = tpd_calloc(s->opt.workers, sizeof(*s->threads));
    if (s->threads == NULL) {
        tpd_err_set(err, TPD_E_NOMEM, "plugin server: out of memory");
        goto fail_started;
    }
    /* The first worker now, the rest on demand (s_enqueue). */
    if (pthread_create(&s->threads[0], NULL, s_worker_main, s) != 0) {
        tpd_err_set(err, TPD_E_INTERNAL, "plugin server: cannot start worker threads");
        goto fail_started;
    }
    s->thread_count = 1;
    for (int i = 0; i < S_REQUEST_SLOTS; i++) {
        s_request_call(s);
    }
    return s;

fail_started:
    tfp_server_shutdown(s);
    tfp_server_run(s); /* drains the queue, joins the workers started so far */
    grpc_server_destroy(s->server);
    s->server = NULL;
fail:
    if (s->cq) {
        if (s->server == NULL && !s->ran) {
            grpc_completion_queue_shutdown(s->cq);
            while (
                grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
                GRPC_QUEUE_SHUTDOWN) {
            }
        }
        grpc_completion_queue_destroy(s->cq);
    }
    free(s->threads);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
    grpc_shutdown_blocking();
    return NULL;
}

void tfp_server_free(struct tfp_server *s) {
    if (s == NULL) {
        return;
    }
    if (!s->ran) {
        tfp_server_shutdown(s);
        tfp_server_run(s);
    }
    grpc_server_destroy(s->server);
    grpc_completion_queue_destroy(s->cq);
    free(s->threads);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
    grpc_shutdown_blocking();
}
