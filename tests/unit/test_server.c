/* Tests of provider/server: a real in-process gRPC server driven by a C-core client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "grpc_controller.pb-c.h"
#include "health.pb-c.h"
#include "plugin_fixture.h"
#include "server.h"

/* Calls that must overlap: Terraform runs up to 10 operations at once (-parallelism). */
#define PARALLEL 12
/* Deadlines and waits below only keep a broken server from hanging the test: every
 * outcome is decided by an event (a status, a handler count), never by how long it took. */
#define GUARD_MS 60000

static void h_echo(void *ctx, struct tpd_span req, struct tfp_reply *reply) {
    (void)ctx;
    tpd_buf_append(&reply->body, req.ptr, req.len);
}

/* The handlers of /test.Svc/Gate count themselves in, and wait until the test opens the
 * gate: the test sees how many calls run at once, and holds calls in flight. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC */
    int inside;        /* handlers in h_gate now */
    int most_inside;   /* the most at one time */
    bool open;
};

static void s_gate_init(struct gate *g) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, &attr);
    pthread_condattr_destroy(&attr);
}

static void s_gate_destroy(struct gate *g) {
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

static void s_gate_open(struct gate *g) {
    pthread_mutex_lock(&g->mu);
    g->open = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* Wait until n handlers are inside at once; false if that has not happened by GUARD_MS. */
static bool s_gate_wait_inside(struct gate *g, int n) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += GUARD_MS / 1000;
    pthread_mutex_lock(&g->mu);
    int rc = 0;
    while (g->inside < n && rc == 0) {
        rc = pthread_cond_timedwait(&g->cv, &g->mu, &until);
    }
    bool reached = g->inside >= n;
    pthread_mutex_unlock(&g->mu);
    return reached;
}

static void h_gate(void *ctx, struct tpd_span req, struct tfp_reply *reply) {
    struct gate *g = ctx;
    pthread_mutex_lock(&g->mu);
    g->inside++;
    if (g->inside > g->most_inside) {
        g->most_inside = g->inside;
    }
    pthread_cond_broadcast(&g->cv);
    while (!g->open) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    g->inside--;
    pthread_mutex_unlock(&g->mu);
    tpd_buf_append(&reply->body, req.ptr, req.len);
}

static void h_fail(void *ctx, struct tpd_span req, struct tfp_reply *reply) {
    (void)ctx;
    (void)req;
    tfp_reply_error(reply, TFP_STATUS_INVALID_ARGUMENT, "bad %s", "input");
}

static const struct tfp_method s_methods[] = {
    {"/test.Svc/Echo", h_echo},
    {"/test.Svc/Gate", h_gate},
    {"/test.Svc/Fail", h_fail},
};

struct env {
    struct plugin_fixture f;
    struct plugin_client *client;
    struct gate gate; /* the server's ctx */
};

static int s_setup(void **state, bool tls) {
    struct env *e = calloc(1, sizeof(*e));
    s_gate_init(&e->gate);
    if (plugin_fixture_start(&e->f, s_methods, 3, &e->gate, tls, 0) != 0) {
        return -1;
    }
    e->client = plugin_client_new(
        tpd_buf_cstr(&e->f.address),
        tls ? &e->f.server_cert : NULL,
        tls ? &e->f.client_cert : NULL);
    *state = e;
    return 0;
}
static int setup_plain(void **state) {
    return s_setup(state, false);
}
static int setup_tls(void **state) {
    return s_setup(state, true);
}
static int teardown(void **state) {
    struct env *e = *state;
    s_gate_open(&e->gate); /* a failed test may have left calls at the gate */
    plugin_client_free(e->client);
    plugin_fixture_stop(&e->f);
    s_gate_destroy(&e->gate);
    free(e);
    return 0;
}

static void s_echo_ok(struct plugin_client *c) {
    struct plugin_result r;
    assert_int_equal(
        plugin_client_call(c, "/test.Svc/Echo", TPD_SPAN_LIT("hello"), true, GUARD_MS, &r), 0);
    assert_int_equal(r.status, GRPC_STATUS_OK);
    assert_int_equal(r.body.len, 5);
    assert_memory_equal(r.body.ptr, "hello", 5);
    plugin_result_clear(&r);
}

static void test_echo(void **state) {
    struct env *e = *state;
    s_echo_ok(e->client);
    /* An empty message is a valid request too (e.g. GetProviderSchema.Request). */
    struct plugin_result r;
    assert_int_equal(
        plugin_client_call(
            e->client, "/test.Svc/Echo", (struct tpd_span){NULL, 0}, true, GUARD_MS, &r),
        0);
    assert_int_equal(r.status, GRPC_STATUS_OK);
    assert_int_equal(r.body.len, 0);
    plugin_result_clear(&r);
}

static void test_handler_status(void **state) {
    struct env *e = *state;
    struct plugin_result r;
    assert_int_equal(
        plugin_client_call(e->client, "/test.Svc/Fail", TPD_SPAN_LIT("x"), true, GUARD_MS, &r), 0);
    assert_int_equal(r.status, GRPC_STATUS_INVALID_ARGUMENT);
    assert_string_equal(r.details, "bad input");
    plugin_result_clear(&r);
}

/* An unknown method is answered at once, without a handler: UNIMPLEMENTED, not the
 * deadline (the message is read by nobody). */
static void test_unknown_method(void **state) {
    struct env *e = *state;
    struct plugin_result r;
    assert_int_equal(
        plugin_client_call(e->client, "/test.Svc/Nope", TPD_SPAN_LIT("x"), true, GUARD_MS, &r), 0);
    assert_int_equal(r.status, GRPC_STATUS_UNIMPLEMENTED);
    assert_non_null(strstr(r.details, "/test.Svc/Nope"));
    plugin_result_clear(&r);
}

/* Terraform opens these streams and never sends on them (docs/plugin-protocol.md §8):
 * they must be answered without waiting for a message (a server that waited would end
 * them with the client's DEADLINE_EXCEEDED, not UNIMPLEMENTED), and must not hold up
 * other calls. */
static void test_idle_streams_answered(void **state) {
    struct env *e = *state;
    static const char *paths[] = {
        "/plugin.GRPCStdio/StreamStdio",
        "/plugin.GRPCBroker/StartStream",
        "/grpc.health.v1.Health/Watch"};
    for (size_t i = 0; i < 3; i++) {
        struct plugin_result r;
        assert_int_equal(
            plugin_client_call(
                e->client, paths[i], (struct tpd_span){NULL, 0}, false, GUARD_MS, &r),
            0);
        assert_int_equal(r.status, GRPC_STATUS_UNIMPLEMENTED);
        plugin_result_clear(&r);
    }
    s_echo_ok(e->client);
}

struct par {
    struct plugin_client *client;
    int status; /* grpc_status_code, -1: the call did not complete */
};

static void *s_par_call(void *arg) {
    struct par *p = arg;
    struct plugin_result r;
    p->status = -1;
    if (plugin_client_call(p->client, "/test.Svc/Gate", TPD_SPAN_LIT("z"), true, GUARD_MS, &r) ==
        0) {
        p->status = (int)r.status;
    }
    plugin_result_clear(&r);
    return NULL;
}

/* Terraform runs up to 10 operations in parallel: PARALLEL calls must be in their
 * handlers at the same time. No handler returns before the test opens the gate, so a
 * server that ran fewer at once would never get there. */
static void test_concurrent_calls(void **state) {
    struct env *e = *state;
    s_echo_ok(e->client);
    pthread_t th[PARALLEL];
    struct par p[PARALLEL];
    for (int i = 0; i < PARALLEL; i++) {
        p[i].client = e->client;
        assert_int_equal(pthread_create(&th[i], NULL, s_par_call, &p[i]), 0);
    }
    bool all_inside = s_gate_wait_inside(&e->gate, PARALLEL);
    s_gate_open(&e->gate);
    for (int i = 0; i < PARALLEL; i++) {
        pthread_join(th[i], NULL);
    }
    assert_true(all_inside);
    assert_int_equal(e->gate.most_inside, PARALLEL);
    for (int i = 0; i < PARALLEL; i++) {
        assert_int_equal(p[i].status, GRPC_STATUS_OK);
    }
}

static void test_health(void **state) {
    struct env *e = *state;
    static const char *services[] = {"", "plugin"};
    for (size_t i = 0; i < 2; i++) {
        Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
        req.service = (char *)services[i];
        uint8_t buf[64];
        size_t n = grpc__health__v1__health_check_request__pack(&req, buf);
        struct plugin_result r;
        assert_int_equal(
            plugin_client_call(
                e->client,
                "/grpc.health.v1.Health/Check",
                (struct tpd_span){buf, n},
                true,
                GUARD_MS,
                &r),
            0);
        assert_int_equal(r.status, GRPC_STATUS_OK);
        Grpc__Health__V1__HealthCheckResponse *resp =
            grpc__health__v1__health_check_response__unpack(NULL, r.body.len, r.body.ptr);
        assert_non_null(resp);
        assert_int_equal(
            resp->status, GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
        grpc__health__v1__health_check_response__free_unpacked(resp, NULL);
        plugin_result_clear(&r);
    }
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    req.service = (char *)"other";
    uint8_t buf[64];
    size_t n = grpc__health__v1__health_check_request__pack(&req, buf);
    struct plugin_result r;
    assert_int_equal(
        plugin_client_call(
            e->client,
            "/grpc.health.v1.Health/Check",
            (struct tpd_span){buf, n},
            true,
            GUARD_MS,
            &r),
        0);
    assert_int_equal(r.status, GRPC_STATUS_NOT_FOUND);
    plugin_result_clear(&r);
}

static void test_controller_shutdown(void **state) {
    struct env *e = *state;
    s_echo_ok(e->client);
    struct plugin_result r;
    assert_int_equal(
        plugin_client_call(
            e->client,
            "/plugin.GRPCController/Shutdown",
            (struct tpd_span){NULL, 0},
            true,
            GUARD_MS,
            &r),
        0);
    assert_int_equal(r.status, GRPC_STATUS_OK);
    plugin_result_clear(&r);
    /* The loop returns after answering. */
    assert_true(plugin_fixture_wait(&e->f, GUARD_MS));
}

static bool s_loop_done(struct plugin_fixture *f) {
    pthread_mutex_lock(&f->mu);
    bool done = f->loop_done;
    pthread_mutex_unlock(&f->mu);
    return done;
}

/* Shutdown while a handler runs: the loop waits for it, then returns. */
static void test_shutdown_with_call_in_flight(void **state) {
    struct env *e = *state;
    s_echo_ok(e->client);
    pthread_t th;
    struct par p = {.client = e->client};
    assert_int_equal(pthread_create(&th, NULL, s_par_call, &p), 0);
    bool in_handler = s_gate_wait_inside(&e->gate, 1);
    tfp_server_shutdown(e->f.server);
    tfp_server_shutdown(e->f.server);      /* idempotent */
    bool done_before = s_loop_done(&e->f); /* the handler still holds its call */
    s_gate_open(&e->gate);
    bool done_after = plugin_fixture_wait(&e->f, GUARD_MS);
    pthread_join(th, NULL);
    assert_true(in_handler);
    assert_false(done_before);
    assert_true(done_after);
    /* The call ended, without the handler's answer: shutdown cancelled it (the client
     * sees CANCELLED or UNAVAILABLE, depending on which it learns of first). */
    assert_int_not_equal(p.status, -1);
    assert_int_not_equal(p.status, GRPC_STATUS_OK);
}

/* mTLS: the trusted client works; a client with another certificate is refused. */
static void test_mtls_untrusted_client(void **state) {
    struct env *e = *state;
    s_echo_ok(e->client);
    struct tfp_cert other;
    struct tpd_err err = {0};
    assert_int_equal(tfp_cert_generate(&other, &err), TPD_OK);
    struct plugin_client *bad =
        plugin_client_new(tpd_buf_cstr(&e->f.address), &e->f.server_cert, &other);
    struct plugin_result r;
    assert_int_equal(
        plugin_client_call(bad, "/test.Svc/Echo", TPD_SPAN_LIT("x"), true, 3000, &r), 0);
    assert_int_not_equal(r.status, GRPC_STATUS_OK);
    assert_int_equal(r.body.len, 0);
    plugin_result_clear(&r);
    plugin_client_free(bad);

    /* A client that does not trust the server's certificate fails too (pinning). */
    struct plugin_client *bad2 =
        plugin_client_new(tpd_buf_cstr(&e->f.address), &other, &e->f.client_cert);
    assert_int_equal(
        plugin_client_call(bad2, "/test.Svc/Echo", TPD_SPAN_LIT("x"), true, 3000, &r), 0);
    assert_int_not_equal(r.status, GRPC_STATUS_OK);
    plugin_result_clear(&r);
    plugin_client_free(bad2);

    /* A plaintext client is refused as well. */
    struct plugin_client *plain = plugin_client_new(tpd_buf_cstr(&e->f.address), NULL, NULL);
    assert_int_equal(
        plugin_client_call(plain, "/test.Svc/Echo", TPD_SPAN_LIT("x"), true, 3000, &r), 0);
    assert_int_not_equal(r.status, GRPC_STATUS_OK);
    plugin_result_clear(&r);
    plugin_client_free(plain);

    s_echo_ok(e->client);
    tfp_cert_clear(&other);
}

static void test_bind_failure(void **state) {
    (void)state;
    struct tpd_err err = {0};
    grpc_init();
    struct grpc_server_credentials *creds = NULL;
    assert_int_equal(
        tfp_mtls_server_credentials(NULL, (struct tpd_span){NULL, 0}, &creds, &err), TPD_OK);
    struct tfp_server_options opt = {
        .address = "unix:/nonexistent-dir-tpd/plugin.sock",
        .creds = creds,
        .methods = s_methods,
        .method_count = 3};
    struct tfp_server *s = tfp_server_new(&opt, &err);
    assert_null(s);
    assert_int_equal(err.code, TPD_E_IO);
    tpd_err_clear(&err);
    grpc_server_credentials_release(creds);
    grpc_shutdown_blocking();
}

int main(void) {
    plugin_test_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_handler_status, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_method, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_idle_streams_answered, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_calls, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_health, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_controller_shutdown, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_with_call_in_flight, setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_echo, setup_tls, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_calls, setup_tls, teardown),
        cmocka_unit_test_setup_teardown(test_health, setup_tls, teardown),
        cmocka_unit_test_setup_teardown(test_controller_shutdown, setup_tls, teardown),
        cmocka_unit_test_setup_teardown(test_mtls_untrusted_client, setup_tls, teardown),
        cmocka_unit_test(test_bind_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
