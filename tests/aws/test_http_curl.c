/*
 * The libcurl transport and the client end to end against a loopback fake server:
 * throttling and 5xx retried, request ids kept, explicit Content-Length and no
 * Expect header, connection refused and timeouts, 10 threads sharing one client.
 */
#define _GNU_SOURCE 1 /* strcasestr */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "aws_client.h"
#include "ddb.h"
#include "fake_http_server.h"
#include "test_util.h"

static const char *THROTTLE =
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\","
    "\"message\":\"Rate of requests exceeds the allowed throughput.\"}";
static const char *OK_TABLE = "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"ACTIVE\"}}";

static struct aws_client *client_for(const char *url, long timeout_ms) {
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "secret";
    o.session_token = "TOKEN";
    o.endpoint_dynamodb = url;
    o.endpoint_cloudformation = url;
    o.skip_instance_metadata = true;
    o.retry_base_ns = 1000000;
    o.request_timeout_ms = timeout_ms;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    return c;
}

static int setup(void **state) {
    (void)state;
    tt_clear_aws_env();
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    return 0;
}

static void test_throttle_and_5xx_retried(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    struct fhs_route *r = fhs_route(&s, "POST", "/");
    fhs_answer(r, 400, THROTTLE);
    fhs_answer(r, 503, "");
    fhs_answer(r, 200, OK_TABLE);
    assert_int_equal(fhs_start(&s), 0);
    struct aws_client *c = client_for(s.url, 0);
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
    ddb_table_clear(&t);
    assert_int_equal(fhs_hits(&s, "POST", "/"), 3);
    /* What went on the wire (last request). */
    assert_non_null(strcasestr(s.last_headers, "Content-Length: 17"));
    assert_null(strcasestr(s.last_headers, "Expect:"));
    assert_null(strcasestr(s.last_headers, "Transfer-Encoding"));
    assert_non_null(strcasestr(s.last_headers, "X-Amz-Security-Token: TOKEN"));
    assert_non_null(strcasestr(
        s.last_headers,
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;"
        "x-amz-target"));
    fhs_stop(&s);
    aws_client_free(c);
}

static void test_5xx_exhausted_keeps_request_id(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    fhs_answer(
        fhs_route(&s, "POST", "/"),
        500,
        "<ErrorResponse><Error><Code>InternalFailure</Code><Message>oops</Message></Error></"
        "ErrorResponse>");
    assert_int_equal(fhs_start(&s), 0);
    struct aws_client *c = client_for(s.url, 0);
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    enum tpd_code rc = aws_client_call(
        c,
        AWS_SVC_CLOUDFORMATION,
        "DescribeStacks",
        tpd_span_cstr("Action=DescribeStacks&Version=2010-05-15"),
        &resp,
        &err);
    assert_int_equal(rc, TPD_E_AWS);
    assert_string_equal(err.aws_code, "InternalFailure");
    assert_string_equal(err.request_id, "fake-500");
    assert_int_equal(err.http_status, 500);
    assert_non_null(strstr(err.msg, "after 3 attempts"));
    assert_int_equal(fhs_hits(&s, "POST", "/"), 3);
    tpd_err_clear(&err);
    aws_http_response_clear(&resp);
    fhs_stop(&s);
    aws_client_free(c);
}

static void test_connection_refused_and_timeout(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    struct fhs_route *r = fhs_route(&s, "POST", "/");
    r->answers[0] = (struct fhs_answer){200, OK_TABLE, NULL, 400};
    r->answer_count = 1;
    assert_int_equal(fhs_start(&s), 0);
    struct aws_client *c = client_for(s.url, 100);
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_TIMEOUT);
    assert_non_null(strstr(err.msg, "timed out"));
    tpd_err_clear(&err);
    char url[64];
    snprintf(url, sizeof(url), "%s", s.url);
    fhs_stop(&s);
    aws_client_free(c);
    c = client_for(url, 0);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_HTTP);
    assert_non_null(strstr(err.msg, "DescribeTable"));
    tpd_err_clear(&err);
    aws_client_free(c);
}

struct worker {
    struct aws_client *c;
    int ok;
};

static void *run_worker(void *ud) {
    struct worker *w = ud;
    for (int i = 0; i < 20; i++) {
        struct ddb_table t;
        struct tpd_err err;
        tpd_err_init(&err);
        if (ddb_describe_table(w->c, "t", &t, &err) == TPD_OK) {
            w->ok++;
            ddb_table_clear(&t);
        }
        tpd_err_clear(&err);
    }
    return NULL;
}

static void test_ten_threads_one_client(void **state) {
    (void)state;
    struct fake_http_server s;
    memset(&s, 0, sizeof(s));
    fhs_answer(fhs_route(&s, "POST", "/"), 200, OK_TABLE);
    assert_int_equal(fhs_start(&s), 0);
    struct aws_client *c = client_for(s.url, 0);
    pthread_t th[10];
    struct worker w[10];
    for (int i = 0; i < 10; i++) {
        w[i] = (struct worker){c, 0};
        pthread_create(&th[i], NULL, run_worker, &w[i]);
    }
    int total = 0;
    for (int i = 0; i < 10; i++) {
        pthread_join(th[i], NULL);
        total += w[i].ok;
    }
    assert_int_equal(total, 200);
    assert_int_equal(fhs_hits(&s, "POST", "/"), 200);
    fhs_stop(&s);
    aws_client_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_throttle_and_5xx_retried),
        cmocka_unit_test(test_5xx_exhausted_keeps_request_id),
        cmocka_unit_test(test_connection_refused_and_timeout),
        cmocka_unit_test(test_ten_threads_one_client),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
