/*
 * plugin_fixture: in-process plugin server + gRPC C-core client for tests.
 * The client sets the TLS target name to "localhost", as go-plugin's host does
 * (client.go: ServerName "localhost").
 */
#include "plugin_fixture.h"

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tpd_log.h"

void plugin_test_init(void) {
    tpd_log_init_from_env();
}

static void *s_loop(void *arg) {
    struct plugin_fixture *f = arg;
    tfp_server_run(f->server);
    pthread_mutex_lock(&f->mu);
    f->loop_done = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

int plugin_fixture_start(
    struct plugin_fixture *f,
    const struct tfp_method *methods,
    size_t count,
    void *ctx,
    bool tls,
    size_t workers) {
    memset(f, 0, sizeof(*f));
    tpd_buf_init(&f->address, 0);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    struct tpd_err err = {0};
    struct grpc_server_credentials *creds = NULL;
    int rc = -1;
    f->tls = tls;
    if (tfp_socket_dir_create(NULL, &f->dir, &err) != TPD_OK) {
        goto done;
    }
    (void)tpd_buf_printf(&f->address, "unix:%s", f->dir.path);
    if (tls) {
        if (tfp_cert_generate(&f->server_cert, &err) != TPD_OK ||
            tfp_cert_generate(&f->client_cert, &err) != TPD_OK) {
            goto done;
        }
    }
    grpc_init();
    if (tfp_mtls_server_credentials(
            tls ? &f->server_cert : NULL, tpd_buf_span(&f->client_cert.cert_pem), &creds, &err) !=
        TPD_OK) {
        grpc_shutdown_blocking();
        goto done;
    }
    struct tfp_server_options opt = {
        .address = tpd_buf_cstr(&f->address),
        .creds = creds,
        .methods = methods,
        .method_count = count,
        .ctx = ctx,
        .workers = workers,
    };
    f->server = tfp_server_new(&opt, &err);
    grpc_server_credentials_release(creds);
    grpc_shutdown_blocking();
    if (f->server == NULL) {
        goto done;
    }
    if (pthread_create(&f->thread, NULL, s_loop, f) != 0) {
        goto done;
    }
    f->running = true;
    rc = 0;
done:
    if (err.code != TPD_OK) {
        fprintf(stderr, "plugin_fixture_start: %s\n", err.msg ? err.msg : "?");
    }
    tpd_err_clear(&err);
    return rc;
}

bool plugin_fixture_wait(struct plugin_fixture *f, int timeout_ms) {
    if (!f->running) {
        return true;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&f->mu);
    while (!f->loop_done) {
        if (pthread_cond_timedwait(&f->cv, &f->mu, &ts) != 0) {
            break;
        }
    }
    bool done = f->loop_done;
    pthread_mutex_unlock(&f->mu);
    if (done) {
        pthread_join(f->thread, NULL);
        f->running = false;
    }
    return done;
}

void plugin_fixture_stop(struct plugin_fixture *f) {
    if (f->server) {
        if (f->running) {
            tfp_server_shutdown(f->server);
            pthread_join(f->thread, NULL);
            f->running = false;
        }
        tfp_server_free(f->server);
        f->server = NULL;
    }
    tfp_socket_dir_remove(&f->dir);
    tfp_cert_clear(&f->server_cert);
    tfp_cert_clear(&f->client_cert);
    tpd_buf_clear(&f->address);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
}

struct plugin_client {
    grpc_channel *channel;
};

struct plugin_client *plugin_client_new(
    const char *address, const struct tfp_cert *server_cert, const struct tfp_cert *client) {
    grpc_init();
    struct plugin_client *c = calloc(1, sizeof(*c));
    grpc_channel_credentials *creds;
    if (server_cert) {
        grpc_ssl_pem_key_cert_pair pair = {
            .private_key = tpd_buf_cstr(&client->key_pem),
            .cert_chain = tpd_buf_cstr(&client->cert_pem),
        };
        creds =
            grpc_ssl_credentials_create_ex(tpd_buf_cstr(&server_cert->cert_pem), &pair, NULL, NULL);
    } else {
        creds = grpc_insecure_credentials_create();
    }
    grpc_arg arg = {
        .type = GRPC_ARG_STRING,
        .key = (char *)GRPC_SSL_TARGET_NAME_OVERRIDE_ARG,
        .value.string = (char *)"localhost",
    };
    grpc_channel_args args = {.num_args = 1, .args = &arg};
    c->channel = grpc_channel_create(address, creds, &args);
    grpc_channel_credentials_release(creds);
    return c;
}

void plugin_client_free(struct plugin_client *c) {
    if (c == NULL) {
        return;
    }
    grpc_channel_destroy(c->channel);
    free(c);
    grpc_shutdown_blocking();
}

void plugin_result_clear(struct plugin_result *r) {
    tpd_buf_clear(&r->body);
    free(r->details);
    r->details = NULL;
}

int plugin_client_call(
    struct plugin_client *c,
    const char *method,
    struct tpd_span request,
    bool send_message,
    int timeout_ms,
    struct plugin_result *out) {
    memset(out, 0, sizeof(*out));
    tpd_buf_init(&out->body, 0);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    grpc_slice m = grpc_slice_from_copied_string(method);
    gpr_timespec deadline =
        gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
    grpc_call *call = grpc_channel_create_call(
        c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m, NULL, deadline, NULL);
    grpc_slice_unref(m);

    grpc_slice payload = grpc_slice_from_copied_buffer((const char *)request.ptr, request.len);
    grpc_byte_buffer *send = grpc_raw_byte_buffer_create(&payload, 1);
    grpc_slice_unref(payload);
    grpc_byte_buffer *recv = NULL;
    grpc_metadata_array initial_md, trailing_md;
    grpc_metadata_array_init(&initial_md);
    grpc_metadata_array_init(&trailing_md);
    grpc_slice details = grpc_empty_slice();

    grpc_op ops[6];
    memset(ops, 0, sizeof(ops));
    size_t n = 0;
    ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (send_message) {
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n++].data.send_message.send_message = send;
        ops[n++].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    }
    ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[n++].data.recv_initial_metadata.recv_initial_metadata = &initial_md;
    ops[n].op = GRPC_OP_RECV_MESSAGE;
    ops[n++].data.recv_message.recv_message = &recv;
    ops[n].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[n].data.recv_status_on_client.trailing_metadata = &trailing_md;
    ops[n].data.recv_status_on_client.status = &out->status;
    ops[n++].data.recv_status_on_client.status_details = &details;

    int rc = -1;
    if (grpc_call_start_batch(call, ops, n, (void *)1, NULL) == GRPC_CALL_OK) {
        grpc_event ev =
            grpc_completion_queue_pluck(cq, (void *)1, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_OP_COMPLETE) {
            rc = 0;
        }
    }
    if (recv) {
        grpc_byte_buffer_reader reader;
        grpc_byte_buffer_reader_init(&reader, recv);
        grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
        (void)tpd_buf_append(&out->body, GRPC_SLICE_START_PTR(all), GRPC_SLICE_LENGTH(all));
        grpc_slice_unref(all);
        grpc_byte_buffer_reader_destroy(&reader);
        grpc_byte_buffer_destroy(recv);
    }
    out->details = strndup((const char *)GRPC_SLICE_START_PTR(details), GRPC_SLICE_LENGTH(details));
    grpc_slice_unref(details);
    grpc_byte_buffer_destroy(send);
    grpc_metadata_array_destroy(&initial_md);
    grpc_metadata_array_destroy(&trailing_md);
    grpc_call_unref(call);
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(cq);
    return rc;
}
