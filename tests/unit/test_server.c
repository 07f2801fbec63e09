/* Tests of provider/server: a real in-process gRPC server driven by a C-core client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "grpc_controller.pb-c.h"
#include "health.pb-c.h"
#include "plugin_fixture.h"
#include "server.h"

#define SLOW_MS 400
#define PARALLEL 12

static void h_echo(void *ctx, struct tpd_span req, struct tfp_reply *reply) {
    (void)ctx;
    tpd_buf_append(&reply->body, req.ptr, req.len);
}

static void h_slow(void *ctx, struct tpd_span req, struct tfp_reply *reply) {
    (void)ctx;
    usleep(SLOW_MS * 1000);
    tpd_buf_append(&reply->body, req.ptr, req.len);
}

static void h_fail(void *ctx, struct tpd_span req, struct tfp_reply *reply) {
    (void)ctx;
    (void)req;
    tfp_reply_error(reply, TFP_STATUS_INVALID_ARGUMENT, "bad %s", "input");
}

static const struct tfp_method s_methods[] = {
    {"/test.Svc/Echo", h_echo},
    {"/test.Svc/Slow", h_slow},
    {"/test.Svc/Fail", h_fail},
};

struct env {
    struct plugin_fixture f;
    struct plugin_client *client;
};

static int s_setup(void **state, bool tls) {
    struct env *e = calloc(1, sizeof(*e));
    if (plugin_fixture_start(&e->f, s_methods, 3, NULL, tls, 0) != 0) {
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
    plugin_client_free(e->client);
    plugin_fixture_stop(&e->f);
    free(e);
    return 0;
}

static void s_echo_ok(struct plugin_client *c) {
    struct plugin_result r;
    assert_int_equal(
        plugin_client_call(c, "/test.Svc/Echo", TPD_SPAN_LIT("hello"), true, 5000, &r), 0);
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
        plugin_client_call(e->client, "/test.Svc/Echo", (struct tpd_span){NULL, 0}, true, 5000, &r),
        0);
    assert_int_equal(r.status, GRPC_STATUS_OK);
    assert_int_equal(r.body.len, 0);
    plugin_result_clear(&r);
}

static void test_handler_status(void **state) {
    struct env *e = *state;
    struct plugin_result r;
    assert_int_equal(
        plugin_client_call(e->client, "/test.Svc/Fail", TPD_SPAN_LIT("x"), true, 5000, &r), 0);
    assert_int_equal(r.status, GRPC_STATUS_INVALID_ARGUMENT);
    assert_string_equal(r.details, "bad input");
    plugin_result_clear(&r);
}

static void test_unknown_method(void **state) {
    struct env *e = *state;
    struct plugin_result r;
    double t0 = plugin_now_ms();
    assert_int_equal(
        plugin_client_call(e->client, "/test.Svc/Nope", TPD_SPAN_LIT("x"), true, 5000, &r), 0);
    assert_int_equal(r.status, GRPC_STATUS_UNIMPLEMENTED);
    assert_non_null(strstr(r.details, "/test.Svc/Nope"));
    plugin_result_clear(&r);
    assert_true(plugin_now_ms() - t0 < 1000);
}

/* Terraform opens these streams and never sends on them (protocol doc §8): they must be
 * answered without waiting for a message, and must not hold up other calls. */
static void test_idle_streams_answered(void **state) {
    struct env *e = *state;
    static const char *paths[] = {
        "/plugin.GRPCStdio/StreamStdio",
        "/plugin.GRPCBroker/StartStream",
        "/grpc.health.v1.Health/Watch"};
    for (size_t i = 0; i < 3; i++) {
        struct plugin_result r;
        double t0 = plugin_now_ms();
        assert_int_equal(
            plugin_client_call(e->client, paths[i], (struct tpd_span){NULL, 0}, false, 3000, &r),
            0);
        assert_int_equal(r.status, GRPC_STATUS_UNIMPLEMENTED);
        assert_true(plugin_now_ms() - t0 < 1000);
        plugin_result_clear(&r);
    }
    s_echo_ok(e->client);
}

struct par {
    struct plugin_client *client;
    int status;
    double end_ms;
};

static void *s_par_call(void *arg) {
    struct par *p = arg;
    struct plugin_result r;
    p->status = -1;
    if (plugin_client_call(p->client, "/test.Svc/Slow", TPD_SPAN_LIT("z"), true, 10000, &r) == 0) {
        p->status = (int)r.status;
    }
    p->end_ms = plugin_now_ms();
    plugin_result_clear(&r);
    return NULL;
}

/* Terraform runs 10 operations in parallel: 12 slow calls must overlap. */
static void test_concurrent_calls(void **state) {
    struct env *e = *state;
    s_echo_ok(e->client); /* connect first so connection setup is not timed */
    pthread_t th[PARALLEL];
    struct par p[PARALLEL];
    double t0 = plugin_now_ms();
    for (int i = 0; i < PARALLEL; i++) {
        p[i].client = e->client;
        assert_int_equal(pthread_create(&th[i], NULL, s_par_call, &p[i]), 0);
    }
    for (int i = 0; i < PARALLEL; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(p[i].status, GRPC_STATUS_OK);
    }
    double total = plugin_now_ms() - t0;
    print_message("%d x %d ms calls took %.0f ms\n", PARALLEL, SLOW_MS, total);
    /* Serialised calls would take PARALLEL x SLOW_MS (4.8 s). Workers start on demand,
     * which under valgrind costs tens of milliseconds each, so allow a margin while
     * still proving that the calls overlapped. */
    assert_true(total < 3.0 * SLOW_MS);
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
                5000,
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
            e->client, "/grpc.health.v1.Health/Check", (struct tpd_span){buf, n}, true, 5000, &r),
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
            5000,
            &r),
        0);
    assert_int_equal(r.status, GRPC_STATUS_OK);
    plugin_result_clear(&r);
    /* The loop returns promptly after answering. */
    assert_true(plugin_fixture_wait(&e->f, 3000));
}

/* Shutdown while a handler runs: the loop waits for it, then returns. */
static void test_shutdown_with_call_in_flight(void **state) {
    struct env *e = *state;
    s_echo_ok(e->client);
    pthread_t th;
    struct par p = {.client = e->client};
    assert_int_equal(pthread_create(&th, NULL, s_par_call, &p), 0);
    usleep(100 * 1000);
    tfp_server_shutdown(e->f.server);
    tfp_server_shutdown(e->f.server); /* idempotent */
    assert_true(plugin_fixture_wait(&e->f, 3000));
    pthread_join(th, NULL);
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
