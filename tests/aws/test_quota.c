/*
 * Quotas are not throttling (issue 22, item 3; aws_quota.h, docs/aws-behaviour.md §11.3):
 * DynamoDB's LimitExceededException answers told apart by their message — the
 * concurrency limits retried, the quotas (table class and on-demand switches, throughput
 * decreases, tables, indexes) stopping at once with an explanation; CloudFormation's
 * always a quota; the same texts quoted in a stack's status reason recognised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_errors.h"
#include "aws_quota.h"
#include "aws_retry.h"
#include "ddb.h"
#include "fake_transport.h"
#include "test_util.h"

/* Messages as public reports quote them (docs/aws-behaviour.md §11.3). */
static const char *CONCURRENT_TABLES =
    "Subscriber limit exceeded: Only 10 tables can be created, updated, or deleted "
    "simultaneously";
static const char *CONCURRENT_INDEXED =
    "Subscriber limit exceeded: You have exceeded the maximum number of indexed tables that "
    "can be created simultaneously";
static const char *ONE_INDEX =
    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
    "per table";
static const char *ON_DEMAND =
    "Subscriber limit exceeded: Update to PayPerRequest mode are limited to once in 1 day(s).";
static const char *TABLES =
    "Subscriber limit exceeded: There is a limit of 256 tables per subscriber";
/* UNCONFIRMED wordings (the limits are documented, their messages not found quoted). */
static const char *TABLE_CLASS =
    "Subscriber limit exceeded: Table class can be updated at most 2 times in 30 days";
static const char *DECREASE =
    "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given "
    "UTC day. Number of decreases today: 4. Next decrease can be made at Wednesday, July 25, "
    "2018 9:34:42 PM UTC";

static void expect(
    const char *service,
    const char *code,
    const char *msg,
    enum aws_quota_kind kind,
    enum aws_quota_id id) {
    struct aws_quota q;
    aws_quota_classify(service, code, msg, &q);
    if (q.kind != kind || q.id != id) {
        fail_msg(
            "%s / %s: kind %d id %d, want %d %d",
            code ? code : "-",
            msg ? msg : "-",
            q.kind,
            q.id,
            kind,
            id);
    }
}

static void test_classified_by_message(void **state) {
    (void)state;
    const char *L = "LimitExceededException";
    expect("dynamodb", L, CONCURRENT_TABLES, AWS_QUOTA_THROTTLE, AWS_QUOTA_ID_CONCURRENT_TABLE_OPS);
    expect(
        "dynamodb", L, CONCURRENT_INDEXED, AWS_QUOTA_THROTTLE, AWS_QUOTA_ID_CONCURRENT_TABLE_OPS);
    expect("dynamodb", L, ONE_INDEX, AWS_QUOTA_THROTTLE, AWS_QUOTA_ID_CONCURRENT_INDEX_OPS);
    expect("dynamodb", L, ON_DEMAND, AWS_QUOTA_EXCEEDED, AWS_QUOTA_ID_ON_DEMAND_SWITCH);
    expect("dynamodb", L, TABLES, AWS_QUOTA_EXCEEDED, AWS_QUOTA_ID_TABLES);
    expect("dynamodb", L, TABLE_CLASS, AWS_QUOTA_EXCEEDED, AWS_QUOTA_ID_TABLE_CLASS_SWITCH);
    expect("dynamodb", L, DECREASE, AWS_QUOTA_EXCEEDED, AWS_QUOTA_ID_THROUGHPUT_DECREASE);
    expect(
        "dynamodb",
        L,
        "Too many operations for a given subscriber.",
        AWS_QUOTA_THROTTLE,
        AWS_QUOTA_ID_UNKNOWN);
    expect("dynamodb", L, NULL, AWS_QUOTA_THROTTLE, AWS_QUOTA_ID_UNKNOWN);
    expect(
        "cloudformation",
        L,
        "Limit on the number of stacks exceeded",
        AWS_QUOTA_EXCEEDED,
        AWS_QUOTA_ID_CLOUDFORMATION);
    expect(
        "dynamodb",
        "ThrottlingException",
        "Rate of requests exceeds the allowed throughput.",
        AWS_QUOTA_NONE,
        AWS_QUOTA_ID_UNKNOWN);
    expect("dynamodb", "ValidationException", ON_DEMAND, AWS_QUOTA_NONE, AWS_QUOTA_ID_UNKNOWN);
    /* quoted by CloudFormation in a stack's status reason: no AWS code of its own */
    char reason[512];
    snprintf(
        reason,
        sizeof(reason),
        "stack s is UPDATE_ROLLBACK_COMPLETE: Table: Resource handler returned message: \"%s "
        "(Service: DynamoDb, Status Code: 400, Request ID: X)\" (HandlerErrorCode: "
        "ServiceLimitExceeded)",
        ON_DEMAND);
    expect("cloudformation", NULL, reason, AWS_QUOTA_EXCEEDED, AWS_QUOTA_ID_ON_DEMAND_SWITCH);
    expect(
        NULL,
        NULL,
        "stack s is UPDATE_ROLLBACK_COMPLETE: something else",
        AWS_QUOTA_NONE,
        AWS_QUOTA_ID_UNKNOWN);
}

/* The explanation: what was hit, AWS's own word on when (when it gives one), when it can
 * be applied again, and that nothing was lost. */
static void test_explained(void **state) {
    (void)state;
    struct aws_quota q;
    aws_quota_classify("dynamodb", "LimitExceededException", DECREASE, &q);
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    assert_int_equal(aws_quota_explain(&q, &b), TPD_OK);
    const char *t = tpd_buf_cstr(&b);
    assert_non_null(strstr(t, "provisioned throughput decreases"));
    assert_non_null(strstr(
        t, "AWS says: Next decrease can be made at Wednesday, July 25, 2018 9:34:42 PM UTC."));
    assert_non_null(strstr(t, "did not retry"));
    assert_non_null(strstr(t, "Nothing was lost"));
    tpd_buf_clear(&b);
    tpd_buf_init(&b, 0);
    aws_quota_classify("dynamodb", "LimitExceededException", TABLE_CLASS, &q);
    assert_int_equal(aws_quota_explain(&q, &b), TPD_OK);
    assert_non_null(strstr(tpd_buf_cstr(&b), "two per table in a trailing 30-day period"));
    assert_null(strstr(tpd_buf_cstr(&b), "AWS says"));
    tpd_buf_clear(&b);
    tpd_buf_init(&b, 0);
    aws_quota_classify("dynamodb", "LimitExceededException", CONCURRENT_TABLES, &q);
    assert_int_equal(aws_quota_explain(&q, &b), TPD_OK);
    assert_int_equal(b.len, 0); /* throttling needs no explanation: it is retried */
    tpd_buf_clear(&b);
}

/* The rules by id, for a plan to name a limit before AWS is asked. */
static void test_rules_by_id(void **state) {
    (void)state;
    struct aws_quota q;
    aws_quota_rule(AWS_QUOTA_ID_TABLE_CLASS_SWITCH, &q);
    assert_int_equal(q.kind, AWS_QUOTA_EXCEEDED);
    assert_non_null(strstr(q.what, "two per table in a trailing 30-day period"));
    aws_quota_rule(AWS_QUOTA_ID_ON_DEMAND_SWITCH, &q);
    assert_int_equal(q.kind, AWS_QUOTA_EXCEEDED);
    assert_non_null(strstr(q.when, "24 hours"));
    assert_int_equal(q.aws_says.len, 0);
    aws_quota_rule(AWS_QUOTA_ID_CONCURRENT_TABLE_OPS, &q);
    assert_int_equal(q.kind, AWS_QUOTA_THROTTLE);
    aws_quota_rule((enum aws_quota_id)999, &q);
    assert_int_equal(q.id, AWS_QUOTA_ID_UNKNOWN);
}

static char *json_error(const char *msg) {
    static char buf[1024];
    snprintf(
        buf,
        sizeof(buf),
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#LimitExceededException\",\"message\":\"%"
        "s\"}",
        msg);
    return buf;
}

/* The error parser and the retry decision: a quota is an AWS error that is not retried;
 * the concurrency limit stays throttling. */
static void test_parsed_and_retry_decided(void **state) {
    (void)state;
    struct tpd_err err;
    tpd_err_init(&err);
    const char *quota = json_error(ON_DEMAND);
    assert_int_equal(
        aws_error_from_json("UpdateTable", 400, tpd_span_cstr(quota), "rid", &err), TPD_E_AWS);
    assert_false(err.retryable);
    assert_int_equal(aws_retry_classify("dynamodb", TPD_E_AWS, &err), AWS_RETRY_NONE);
    tpd_err_clear(&err);
    const char *busy = json_error(CONCURRENT_TABLES);
    assert_int_equal(
        aws_error_from_json("UpdateTable", 400, tpd_span_cstr(busy), "rid", &err), TPD_E_THROTTLED);
    assert_true(err.retryable);
    assert_int_equal(aws_retry_classify("dynamodb", TPD_E_THROTTLED, &err), AWS_RETRY_THROTTLE);
    tpd_err_clear(&err);
}

/* Through the client: a quota answer is sent once and comes back at once, naming the
 * service; the concurrency limit is retried until it lifts. */
static void test_client_stops_at_quota(void **state) {
    (void)state;
    struct fake_transport *ft = ft_new();
    struct aws_client_options o;
    memset(&o, 0, sizeof(o));
    o.region = "us-east-1";
    o.access_key = "AKID";
    o.secret_key = "secret";
    o.endpoint_dynamodb = "http://fake.invalid";
    o.transport = &ft->base;
    o.skip_instance_metadata = true;
    o.retry_base_ns = 1000000;
    o.max_attempts = 10;
    o.retry_mode = "standard"; /* no budget pacing: this test is about the retry decision */
    struct tpd_err err;
    tpd_err_init(&err);
    struct aws_client *c = aws_client_new(&o, &err);
    assert_non_null(c);
    ft_push(ft, 400, json_error(TABLE_CLASS));
    assert_int_equal(ddb_update_deletion_protection(c, "t", true, &err), TPD_E_AWS);
    assert_int_equal(ft->sent, 1);
    assert_string_equal(err.aws_code, "LimitExceededException");
    assert_string_equal(err.aws_service, "dynamodb");
    assert_null(strstr(err.msg, "attempts"));
    tpd_err_clear(&err);
    ft_push(ft, 400, json_error(CONCURRENT_TABLES));
    ft_push(ft, 400, json_error(CONCURRENT_TABLES));
    ft_push(ft, 200, "{}");
    assert_int_equal(ddb_update_deletion_protection(c, "t", true, &err), TPD_OK);
    assert_int_equal(ft->sent, 4);
    aws_client_free(c);
    ft_free(ft);
}

static int setup(void **state) {
    (void)state;
    tt_clear_aws_env();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classified_by_message),
        cmocka_unit_test(test_explained),
        cmocka_unit_test(test_rules_by_id),
        cmocka_unit_test(test_parsed_and_retry_decided),
        cmocka_unit_test_setup(test_client_stops_at_quota, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
