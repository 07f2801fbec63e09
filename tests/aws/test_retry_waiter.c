/*
 * Retry decisions, backoff bounds and the quota; the client's retry loop over a
 * scripted transport; the waiter state machine (acceptors, cadence, deadline,
 * stop flag) with millisecond delays.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_retry.h"
#include "aws_waiter.h"
#include "cfn.h"
#include "ddb.h"
#include "fake_transport.h"
#include "tpd_log.h"

static struct aws_client *
fake_client(struct fake_transport *ft, int max_attempts, struct tpd_stop *stop) {
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "secret";
    o.endpoint_dynamodb = "http://fake.invalid";
    o.endpoint_cloudformation = "http://fake.invalid";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.retry_base_ns = 1000000; /* 1 ms */
    o.max_attempts = max_attempts;
    o.stop = stop;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    return c;
}

static void set_aws(struct tpd_err *e, int status, const char *code) {
    tpd_err_clear(e);
    tpd_err_set(e, TPD_E_AWS, "x");
    tpd_err_set_aws(e, status, code, NULL);
}

static void test_classify(void **state) {
    (void)state;
    struct tpd_err e;
    tpd_err_init(&e);
    const char *throttles[] = {
        "Throttling",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "LimitExceededException"};
    for (size_t i = 0; i < 6; i++) {
        set_aws(&e, 400, throttles[i]);
        assert_int_equal(aws_retry_classify("dynamodb", TPD_E_THROTTLED, &e), AWS_RETRY_THROTTLE);
    }
    set_aws(&e, 400, "LimitExceededException");
    assert_int_equal(aws_retry_classify("cloudformation", TPD_E_AWS, &e), AWS_RETRY_NONE);
    set_aws(&e, 400, "RequestTimeout");
    assert_int_equal(aws_retry_classify("cloudformation", TPD_E_AWS, &e), AWS_RETRY_TRANSIENT);
    set_aws(&e, 400, "ValidationException");
    assert_int_equal(aws_retry_classify("dynamodb", TPD_E_AWS, &e), AWS_RETRY_NONE);
    set_aws(&e, 400, "ResourceNotFoundException");
    assert_int_equal(aws_retry_classify("dynamodb", TPD_E_NOT_FOUND, &e), AWS_RETRY_NONE);
    set_aws(&e, 403, "SignatureDoesNotMatch");
    assert_int_equal(aws_retry_classify("cloudformation", TPD_E_AWS, &e), AWS_RETRY_NONE);
    int st[] = {500, 502, 503, 504};
    for (int i = 0; i < 4; i++) {
        set_aws(&e, st[i], NULL);
        assert_int_equal(aws_retry_classify("dynamodb", TPD_E_AWS, &e), AWS_RETRY_TRANSIENT);
    }
    set_aws(&e, 501, NULL);
    assert_int_equal(aws_retry_classify("dynamodb", TPD_E_AWS, &e), AWS_RETRY_NONE);
    assert_int_equal(aws_retry_classify("dynamodb", TPD_E_HTTP, &e), AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify("dynamodb", TPD_E_TIMEOUT, &e), AWS_RETRY_TIMEOUT);
    assert_int_equal(aws_retry_classify("dynamodb", TPD_E_TLS, &e), AWS_RETRY_NONE);
    assert_int_equal(aws_retry_classify("dynamodb", TPD_E_CREDENTIALS, &e), AWS_RETRY_NONE);
    tpd_err_clear(&e);
}

static void test_backoff_bounds(void **state) {
    (void)state;
    const int64_t s = 1000000000;
    assert_int_equal(aws_retry_backoff_ns(1, s, 20 * s, 0.0), 0);
    assert_int_equal(aws_retry_backoff_ns(1, s, 20 * s, 0.5), s / 2);
    assert_int_equal(aws_retry_backoff_ns(3, s, 20 * s, 0.5), 2 * s);
    assert_true(aws_retry_backoff_ns(10, s, 20 * s, 0.999999) < 20 * s);
    assert_true(aws_retry_backoff_ns(60, s, 20 * s, 0.999999) <= 20 * s);
    for (int i = 0; i < 1000; i++) {
        double r = aws_retry_rand01();
        assert_true(r >= 0.0 && r < 1.0);
        int attempt = 1 + i % 8;
        int64_t d = aws_retry_backoff_ns(attempt, s, 20 * s, r);
        int64_t cap = s << (attempt - 1);
        assert_true(d >= 0 && d <= (cap < 20 * s ? cap : 20 * s));
    }
}

static void test_quota(void **state) {
    (void)state;
    struct aws_retry_quota q;
    aws_retry_quota_init(&q);
    int cost = 0;
    assert_true(aws_retry_quota_acquire(&q, AWS_RETRY_THROTTLE, &cost));
    assert_int_equal(cost, 5);
    assert_true(aws_retry_quota_acquire(&q, AWS_RETRY_TIMEOUT, &cost));
    assert_int_equal(cost, 10);
    assert_int_equal(aws_retry_quota_available(&q), 485);
    aws_retry_quota_success(&q, 10);
    assert_int_equal(aws_retry_quota_available(&q), 495);
    aws_retry_quota_success(&q, 0);
    aws_retry_quota_success(&q, 0);
    assert_int_equal(aws_retry_quota_available(&q), 497);
    while (aws_retry_quota_acquire(&q, AWS_RETRY_TRANSIENT, &cost)) {
    }
    assert_int_equal(cost, 0);
    assert_true(aws_retry_quota_available(&q) < 5);
    aws_retry_quota_clear(&q);
}

static const char *THROTTLE =
    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\","
    "\"message\":\"Rate of requests exceeds the allowed throughput.\"}";
static const char *OK_TABLE = "{\"Table\":{\"TableName\":\"t\",\"TableStatus\":\"ACTIVE\"}}";

static void test_client_retries(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct aws_client *c = fake_client(ft, 0, NULL);
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    /* throttled, 503, then success: 3 attempts (the default). */
    ft_push(ft, 400, THROTTLE);
    ft_push(ft, 503, "");
    ft_push(ft, 200, OK_TABLE);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
    ddb_table_clear(&t);
    assert_int_equal(ft->req_count, 3);
    /* connection error x3: gives up after 3 with the transport error. */
    ft_push_error(ft, TPD_E_HTTP);
    ft_push_error(ft, TPD_E_TIMEOUT);
    ft_push_error(ft, TPD_E_HTTP);
    ft_push(ft, 200, OK_TABLE);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_HTTP);
    assert_non_null(strstr(err.msg, "after 3 attempts"));
    assert_int_equal(ft->req_count, 6);
    tpd_err_clear(&err);
    /* the leftover success is consumed by the next call; a validation error is not retried. */
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
    ddb_table_clear(&t);
    ft_push(ft, 400, "{\"__type\":\"x#ValidationException\",\"message\":\"no\"}");
    ft_push(ft, 200, OK_TABLE);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_E_AWS);
    assert_int_equal(ft->req_count, 8);
    tpd_err_clear(&err);
    /* CloudFormation LimitExceededException: not retried. */
    ft->script_len = ft->next = 0;
    ft_push(
        ft,
        400,
        "<ErrorResponse><Error><Code>LimitExceededException</Code><Message>quota</Message></Error>"
        "</ErrorResponse>");
    ft_push(ft, 200, "<DeleteStackResponse><DeleteStackResult/></DeleteStackResponse>");
    size_t before = ft->req_count;
    assert_int_equal(cfn_delete_stack(c, "s", NULL, 0, NULL, &err), TPD_E_AWS);
    assert_string_equal(err.aws_code, "LimitExceededException");
    assert_int_equal(ft->req_count, before + 1);
    tpd_err_clear(&err);
    aws_client_free(c);
    /* max_attempts = 5 */
    ft->script_len = ft->next = 0;
    c = fake_client(ft, 5, NULL);
    for (int i = 0; i < 4; i++) {
        ft_push(ft, 500, "{}");
    }
    ft_push(ft, 200, OK_TABLE);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
    ddb_table_clear(&t);
    aws_client_free(c);
    ft_free(ft);
}

/* The transport failure budget of aws_retry.h: never-sent failures 3 attempts, a
 * silent server 2, a reset connection the standard max_attempts, TLS and a refused
 * tunnel none; and how libcurl's codes map onto these kinds. */
static void test_transport_budget(void **state) {
    (void)state;
    assert_int_equal(aws_retry_max_attempts(AWS_HTTP_ERR_RESOLVE, 10), 3);
    assert_int_equal(aws_retry_max_attempts(AWS_HTTP_ERR_REFUSED, 10), 3);
    assert_int_equal(aws_retry_max_attempts(AWS_HTTP_ERR_CONNECT_TIMEOUT, 10), 3);
    assert_int_equal(aws_retry_max_attempts(AWS_HTTP_ERR_STALLED, 10), 2);
    assert_int_equal(aws_retry_max_attempts(AWS_HTTP_ERR_RESET, 10), 10);
    assert_int_equal(aws_retry_max_attempts(AWS_HTTP_ERR_NONE, 10), 10);
    assert_int_equal(aws_retry_max_attempts(AWS_HTTP_ERR_REFUSED, 2), 2);
    assert_int_equal(aws_retry_classify_http(AWS_HTTP_ERR_REFUSED), AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify_http(AWS_HTTP_ERR_RESET), AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify_http(AWS_HTTP_ERR_STALLED), AWS_RETRY_TIMEOUT);
    assert_int_equal(aws_retry_classify_http(AWS_HTTP_ERR_TLS), AWS_RETRY_NONE);
    assert_int_equal(aws_retry_classify_http(AWS_HTTP_ERR_PROXY), AWS_RETRY_NONE);
    assert_int_equal(aws_retry_classify_http(AWS_HTTP_ERR_STOPPED), AWS_RETRY_NONE);
    assert_int_equal(aws_retry_classify_http(AWS_HTTP_ERR_TOO_LARGE), AWS_RETRY_NONE);
    /* libcurl codes (curl.h: 6 COULDNT_RESOLVE_HOST, 5 COULDNT_RESOLVE_PROXY, 7
     * COULDNT_CONNECT, 28 OPERATION_TIMEDOUT, 55 SEND_ERROR, 56 RECV_ERROR, 52
     * GOT_NOTHING, 60 PEER_FAILED_VERIFICATION, 35 SSL_CONNECT_ERROR, 97 PROXY). */
    assert_int_equal(aws_http_curl_classify(6, 0, false), AWS_HTTP_ERR_RESOLVE);
    assert_int_equal(aws_http_curl_classify(5, 0, false), AWS_HTTP_ERR_RESOLVE);
    assert_int_equal(aws_http_curl_classify(7, ECONNREFUSED, false), AWS_HTTP_ERR_REFUSED);
    assert_int_equal(aws_http_curl_classify(7, ENETUNREACH, false), AWS_HTTP_ERR_CONNECT);
    assert_int_equal(aws_http_curl_classify(28, 0, false), AWS_HTTP_ERR_CONNECT_TIMEOUT);
    assert_int_equal(aws_http_curl_classify(28, 0, true), AWS_HTTP_ERR_STALLED);
    assert_int_equal(aws_http_curl_classify(55, ECONNRESET, true), AWS_HTTP_ERR_RESET);
    assert_int_equal(aws_http_curl_classify(56, ECONNRESET, true), AWS_HTTP_ERR_RESET);
    assert_int_equal(aws_http_curl_classify(52, 0, true), AWS_HTTP_ERR_RESET);
    assert_int_equal(aws_http_curl_classify(56, ECONNRESET, false), AWS_HTTP_ERR_CONNECT);
    assert_int_equal(aws_http_curl_classify(60, 0, false), AWS_HTTP_ERR_TLS);
    assert_int_equal(aws_http_curl_classify(35, 0, false), AWS_HTTP_ERR_TLS);
    assert_int_equal(aws_http_curl_classify(97, 0, false), AWS_HTTP_ERR_PROXY);
    assert_int_equal(aws_http_error_code(AWS_HTTP_ERR_STALLED), TPD_E_TIMEOUT);
    assert_int_equal(aws_http_error_code(AWS_HTTP_ERR_RESOLVE), TPD_E_HTTP);
    assert_int_equal(aws_http_error_code(AWS_HTTP_ERR_TLS), TPD_E_TLS);
    assert_string_equal(aws_http_error_str(AWS_HTTP_ERR_RESOLVE), "could not resolve host");
    assert_string_equal(aws_http_error_str(AWS_HTTP_ERR_REFUSED), "connection refused");

    /* The client applies it (10 attempts configured, as the provider does). */
    struct fake_transport *ft = ft_new();
    struct aws_client *c = fake_client(ft, 10, NULL);
    struct ddb_table t;
    struct tpd_err err;
    tpd_err_init(&err);
    static const struct {
        enum aws_http_error net;
        enum tpd_code rc;
        size_t attempts;
    } cases[] = {
        {AWS_HTTP_ERR_RESOLVE, TPD_E_HTTP, 3},
        {AWS_HTTP_ERR_REFUSED, TPD_E_HTTP, 3},
        {AWS_HTTP_ERR_CONNECT_TIMEOUT, TPD_E_TIMEOUT, 3},
        {AWS_HTTP_ERR_STALLED, TPD_E_TIMEOUT, 2},
        {AWS_HTTP_ERR_RESET, TPD_E_HTTP, 10},
        {AWS_HTTP_ERR_TLS, TPD_E_TLS, 1},
        {AWS_HTTP_ERR_PROXY, TPD_E_HTTP, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ft->script_len = ft->next = 0;
        size_t before = ft->req_count;
        for (int k = 0; k < 10; k++) {
            ft_push_net_error(ft, cases[i].net);
        }
        assert_int_equal(ddb_describe_table(c, "t", &t, &err), cases[i].rc);
        assert_int_equal(ft->req_count - before, cases[i].attempts);
        assert_non_null(strstr(err.msg, aws_http_error_str(cases[i].net)));
        tpd_err_clear(&err);
    }
    /* A refused attempt followed by a success: the success is taken. */
    ft->script_len = ft->next = 0;
    ft_push_net_error(ft, AWS_HTTP_ERR_REFUSED);
    ft_push(ft, 200, OK_TABLE);
    assert_int_equal(ddb_describe_table(c, "t", &t, &err), TPD_OK);
    ddb_table_clear(&t);
    aws_client_free(c);
    ft_free(ft);
}

static double half(void) {
    return 0.5;
}

struct call {
    struct aws_client *c;
    enum tpd_code rc;
    struct tpd_err err;
};

static void *describe_in_thread(void *ud) {
    struct call *k = ud;
    struct ddb_table t;
    k->rc = ddb_describe_table(k->c, "t", &t, &k->err);
    if (k->rc == TPD_OK) {
        ddb_table_clear(&t);
    }
    return NULL;
}

/* A stop requested while the client waits to retry ends the wait at once. The backoff
 * is 30 s (60 s base, random factor fixed at 0.5), so once the throttled request has
 * been sent the client is in, or about to enter, that sleep: the stop is requested on
 * that event, and the outcome is always "stopped while waiting to retry" after one
 * request. */
static void test_retry_sleep_stops(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct tpd_stop stop;
    tpd_stop_init(&stop);
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "s";
    o.endpoint_dynamodb = "http://fake.invalid";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.retry_base_ns = 60LL * 1000000000; /* long sleeps: only the stop flag can end them */
    o.max_attempts = 10;
    o.stop = &stop;
    struct tpd_err err;
    tpd_err_init(&err);
    struct call k = {aws_client_new(&o, &err), TPD_OK, {0}};
    assert_non_null(k.c);
    aws_client_set_rand(k.c, half);
    ft->fallback = (struct ft_answer){TPD_OK, 400, THROTTLE, NULL, AWS_HTTP_ERR_NONE};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, describe_in_thread, &k), 0);
    assert_true(ft_wait_requests(ft, 1));
    tpd_stop_request(&stop);
    pthread_join(th, NULL);
    assert_int_equal(k.rc, TPD_E_STOPPED);
    assert_non_null(strstr(k.err.msg, "stopped while waiting to retry"));
    assert_int_equal(ft->req_count, 1);
    tpd_err_clear(&k.err);
    aws_client_free(k.c);
    tpd_stop_clear(&stop);
    ft_free(ft);
}

/* ---- waiters --------------------------------------------------------------------- */

static void test_waiter_decisions(void **state) {
    (void)state;
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_CREATE_COMPLETE, "CREATE_IN_PROGRESS"),
        AWS_WAITER_RETRY);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_CREATE_COMPLETE, "CREATE_COMPLETE"),
        AWS_WAITER_SUCCESS);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_CREATE_COMPLETE, "ROLLBACK_COMPLETE"),
        AWS_WAITER_FAILURE);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_CREATE_COMPLETE, "ROLLBACK_IN_PROGRESS"),
        AWS_WAITER_RETRY);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_CREATE_COMPLETE, NULL), AWS_WAITER_FAILURE);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_UPDATE_COMPLETE, "UPDATE_ROLLBACK_COMPLETE"),
        AWS_WAITER_FAILURE);
    assert_int_equal(
        cfn_stack_waiter_decide(
            CFN_WAIT_STACK_UPDATE_COMPLETE, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
        AWS_WAITER_RETRY);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_IMPORT_COMPLETE, "IMPORT_COMPLETE"),
        AWS_WAITER_SUCCESS);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_IMPORT_COMPLETE, "IMPORT_ROLLBACK_IN_PROGRESS"),
        AWS_WAITER_FAILURE);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_DELETE_COMPLETE, NULL), AWS_WAITER_SUCCESS);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_DELETE_COMPLETE, "DELETE_FAILED"),
        AWS_WAITER_FAILURE);
    assert_int_equal(
        cfn_stack_waiter_decide(CFN_WAIT_STACK_DELETE_COMPLETE, "DELETE_IN_PROGRESS"),
        AWS_WAITER_RETRY);
    assert_int_equal(cfn_change_set_waiter_decide("CREATE_PENDING"), AWS_WAITER_RETRY);
    assert_int_equal(cfn_change_set_waiter_decide("CREATE_COMPLETE"), AWS_WAITER_SUCCESS);
    assert_int_equal(cfn_change_set_waiter_decide("FAILED"), AWS_WAITER_FAILURE);
}

static void test_waiter_cadence(void **state) {
    (void)state;
    struct aws_wait_options d = {0};
    assert_int_equal(aws_waiter_delay_ns(&d, 1), 1000000000);
    assert_int_equal(aws_waiter_delay_ns(&d, 2), 1500000000);
    assert_int_equal(aws_waiter_delay_ns(&d, 3), 2250000000);
    assert_int_equal(aws_waiter_delay_ns(&d, 50), 5000000000);
    struct aws_wait_options o = {.first_delay_ns = 1000000, .max_delay_ns = 4000000, .factor = 2.0};
    assert_int_equal(aws_waiter_delay_ns(&o, 1), 1000000);
    assert_int_equal(aws_waiter_delay_ns(&o, 3), 4000000);
    assert_int_equal(aws_waiter_delay_ns(&o, 9), 4000000);
}

static char *stack_xml(const char *status) {
    static char buf[1024];
    snprintf(
        buf,
        sizeof(buf),
        "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>id</StackId>"
        "<StackName>s</StackName><StackStatus>%s</StackStatus></member></Stacks></"
        "DescribeStacksResult>"
        "</DescribeStacksResponse>",
        status);
    return strdup(buf);
}

static int g_changes;
static void count_progress(void *ud, const char *what, const char *status, const char *reason) {
    (void)ud;
    (void)what;
    (void)status;
    (void)reason;
    g_changes++;
}

struct stack_wait {
    struct aws_client *c;
    const struct aws_wait_options *o;
    enum tpd_code rc;
    struct tpd_err err;
};

static void *wait_in_thread(void *ud) {
    struct stack_wait *w = ud;
    w->rc = cfn_wait_stack(w->c, "s", CFN_WAIT_STACK_UPDATE_COMPLETE, w->o, NULL, &w->err);
    return NULL;
}

static void test_stack_waiter(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct aws_client *c = fake_client(ft, 0, NULL);
    char *s1 = stack_xml("UPDATE_IN_PROGRESS");
    char *s2 = stack_xml("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
    char *s3 = stack_xml("UPDATE_ROLLBACK_COMPLETE");
    char *s4 = stack_xml("UPDATE_COMPLETE");
    struct aws_wait_options o = {
        .first_delay_ns = 1000000, .max_delay_ns = 3000000, .progress = count_progress};
    struct tpd_err err;
    tpd_err_init(&err);
    struct cfn_stack fin;
    /* progress: IN_PROGRESS twice counts once; ends in failure with the status. */
    ft_push(ft, 200, s1);
    ft_push(ft, 200, s1);
    ft_push(ft, 400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>");
    ft_push(ft, 400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>");
    ft_push(ft, 400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>");
    ft_push(ft, 200, s2);
    ft_push(ft, 200, s3);
    g_changes = 0;
    assert_int_equal(
        cfn_wait_stack(c, "s", CFN_WAIT_STACK_UPDATE_COMPLETE, &o, &fin, &err), TPD_E_FAILED);
    assert_string_equal(fin.status, "UPDATE_ROLLBACK_COMPLETE");
    assert_non_null(strstr(err.msg, "UPDATE_ROLLBACK_COMPLETE"));
    assert_int_equal(g_changes, 3);
    cfn_stack_clear(&fin);
    tpd_err_clear(&err);
    /* success */
    ft->script_len = ft->next = 0;
    ft_push(ft, 200, s1);
    ft_push(ft, 200, s4);
    assert_int_equal(
        cfn_wait_stack(c, "s", CFN_WAIT_STACK_UPDATE_COMPLETE, &o, &fin, &err), TPD_OK);
    assert_string_equal(fin.status, "UPDATE_COMPLETE");
    cfn_stack_clear(&fin);
    /* delete: "does not exist" is success */
    ft->script_len = ft->next = 0;
    ft_push(ft, 200, s1);
    ft_push(
        ft,
        400,
        "<ErrorResponse><Error><Code>ValidationError</Code><Message>Stack with id s does not exist"
        "</Message></Error></ErrorResponse>");
    assert_int_equal(
        cfn_wait_stack(c, "s", CFN_WAIT_STACK_DELETE_COMPLETE, &o, NULL, &err), TPD_OK);
    /* deadline: the last status is named */
    ft->script_len = ft->next = 0;
    ft->fallback = (struct ft_answer){TPD_OK, 200, s1, NULL, AWS_HTTP_ERR_NONE};
    o.deadline_ns = tpd_now_ns() + 30000000;
    assert_int_equal(
        cfn_wait_stack(c, "s", CFN_WAIT_STACK_UPDATE_COMPLETE, &o, &fin, &err), TPD_E_TIMEOUT);
    assert_non_null(strstr(err.msg, "deadline reached (last status UPDATE_IN_PROGRESS)"));
    cfn_stack_clear(&fin);
    tpd_err_clear(&err);
    /* stop: ends the wait during its sleep (after the first poll the next is 1000 s away:
     * only the stop can end it); requested once the first poll was sent */
    struct tpd_stop stop;
    tpd_stop_init(&stop);
    struct aws_wait_options slow = {
        .first_delay_ns = 1000000,
        .max_delay_ns = 60LL * 1000000000,
        .factor = 1000,
        .stop = &stop};
    struct stack_wait w = {c, &slow, TPD_OK, {0}};
    size_t before = ft->sent;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wait_in_thread, &w), 0);
    assert_true(ft_wait_requests(ft, before + 1));
    tpd_stop_request(&stop);
    pthread_join(th, NULL);
    assert_int_equal(w.rc, TPD_E_STOPPED);
    assert_non_null(strstr(w.err.msg, "stopped (last status UPDATE_IN_PROGRESS)"));
    tpd_err_clear(&w.err);
    tpd_stop_clear(&stop);
    free(s1);
    free(s2);
    free(s3);
    free(s4);
    aws_client_free(c);
    ft_free(ft);
}

static void test_change_set_waiter(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct aws_client *c = fake_client(ft, 0, NULL);
    struct aws_wait_options o = {.first_delay_ns = 1000000, .max_delay_ns = 2000000};
    struct tpd_err err;
    tpd_err_init(&err);
    ft_push(
        ft,
        200,
        "<DescribeChangeSetResponse><DescribeChangeSetResult><Status>CREATE_PENDING</Status>"
        "</DescribeChangeSetResult></DescribeChangeSetResponse>");
    ft_push(
        ft,
        200,
        "<DescribeChangeSetResponse><DescribeChangeSetResult><Status>FAILED</"
        "Status><StatusReason>The "
        "submitted information didn't contain changes. Submit different information to create a "
        "change "
        "set.</StatusReason></DescribeChangeSetResult></DescribeChangeSetResponse>");
    struct cfn_change_set cs;
    assert_int_equal(
        cfn_wait_change_set_create_complete(c, "s", "cs", &o, &cs, &err), TPD_E_FAILED);
    assert_true(cfn_change_set_is_empty(cs.status, cs.status_reason));
    cfn_change_set_clear(&cs);
    tpd_err_clear(&err);
    ft_push(
        ft,
        400,
        "<ErrorResponse><Error><Code>ValidationError</Code><Message>bad</Message></Error>"
        "</ErrorResponse>");
    assert_int_equal(
        cfn_wait_change_set_create_complete(c, "s", "cs", &o, NULL, &err), TPD_E_FAILED);
    assert_string_equal(err.aws_code, "ValidationError");
    tpd_err_clear(&err);
    aws_client_free(c);
    ft_free(ft);
}

/* Retries are logged at DEBUG with op, attempt and code; no secret ever reaches the log. */
static void test_retry_log_has_no_secrets(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKIDLOGTEST";
    o.secret_key = "SECRETKEYVALUE";
    o.session_token = "SESSIONTOKENVALUE";
    o.endpoint_dynamodb = "http://fake.invalid";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.retry_base_ns = 1000;
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    ft_push(ft, 400, THROTTLE);
    ft_push(ft, 200, OK_TABLE);
    char path[] = "/tmp/tpd_log_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    enum tpd_log_level old = tpd_log_level();
    tpd_log_set_level(TPD_LOG_TRACE);
    struct ddb_table t;
    enum tpd_code rc = ddb_describe_table(c, "t", &t, &err);
    tpd_log_set_level(old);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    assert_int_equal(rc, TPD_OK);
    ddb_table_clear(&t);
    char buf[8192] = {0};
    FILE *f = fopen(path, "r");
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(path);
    assert_non_null(strstr(buf, "DescribeTable: attempt 1 failed with ThrottlingException"));
    assert_null(strstr(buf, "SECRETKEYVALUE"));
    assert_null(strstr(buf, "SESSIONTOKENVALUE"));
    assert_null(strstr(buf, "Signature="));
    char h[512];
    assert_string_equal(
        ft_header(ft, 0, "X-Amz-Security-Token", h, sizeof(h)), "SESSIONTOKENVALUE");
    aws_client_free(c);
    ft_free(ft);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_backoff_bounds),
        cmocka_unit_test(test_quota),
        cmocka_unit_test(test_client_retries),
        cmocka_unit_test(test_transport_budget),
        cmocka_unit_test(test_retry_sleep_stops),
        cmocka_unit_test(test_waiter_decisions),
        cmocka_unit_test(test_waiter_cadence),
        cmocka_unit_test(test_stack_waiter),
        cmocka_unit_test(test_change_set_waiter),
        cmocka_unit_test(test_retry_log_has_no_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
