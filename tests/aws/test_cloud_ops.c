/*
 * Wire-level tests of the real cloud_ops (provider/resource/cloud.c, cloud_read.c,
 * cloud_repair.c) over a fake AWS that answers by operation (tests/support/fake_aws.h):
 * what the resource's tests take for granted through the seam (test_resource.c uses
 * tests/support/fake_cloud.h) — a refresh's reads go out at once, the repair executor
 * waits for a busy table and sends the update once more, recognises DynamoDB's "already
 * so" answers after a lost one, and an index creation carries the table's attribute
 * definitions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cloud.h"
#include "cloud_env.h"
#include "fake_aws.h"
#include "repair_plan.h"
#include "tpd_log.h"

#define ARN_T "arn:aws:dynamodb:us-east-1:123456789012:table/t1"
#define STACK_ID "arn:aws:cloudformation:us-east-1:123456789012:stack/s1/0001"

static const char *const DESCRIBE_TABLE =
    "{\"Table\":{\"TableName\":\"t1\",\"TableArn\":\"" ARN_T "\",\"TableStatus\":\"ACTIVE\","
    "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
    "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}],"
    "\"BillingModeSummary\":{\"BillingMode\":\"PAY_PER_REQUEST\"},"
    "\"DeletionProtectionEnabled\":false,\"ItemCount\":3}}";

/* The table's settings as DynamoDB reports them. */
static void s_table_answers(struct fake_aws *fa) {
    fa_on(fa, "DescribeTable", 200, DESCRIBE_TABLE);
    fa_on(
        fa,
        "DescribeTimeToLive",
        200,
        "{\"TimeToLiveDescription\":{\"TimeToLiveStatus\":\"DISABLED\"}}");
    fa_on(
        fa,
        "DescribeContinuousBackups",
        200,
        "{\"ContinuousBackupsDescription\":{\"ContinuousBackupsStatus\":\"ENABLED\","
        "\"PointInTimeRecoveryDescription\":{\"PointInTimeRecoveryStatus\":\"DISABLED\"}}}");
    fa_on(fa, "ListTagsOfResource", 200, "{\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"}]}");
    fa_on(
        fa,
        "DescribeContributorInsights",
        200,
        "{\"TableName\":\"t1\",\"ContributorInsightsStatus\":\"DISABLED\"}");
}

/* A refresh: the table's five reads and the stack's at once, the tags by the ARN in
 * state — one call each. */
static void test_read_sends_each_call_once(void **state) {
    struct cenv *e = *state;
    s_table_answers(e->fa);
    fa_on(
        e->fa,
        "DescribeStacks",
        200,
        "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>" STACK_ID
        "</StackId><StackName>s1</StackName><StackStatus>DELETE_FAILED</StackStatus></member>"
        "</Stacks></DescribeStacksResult></DescribeStacksResponse>");
    struct cloud_read_request q = {
        .table = "t1",
        .arn_hint = ARN_T,
        .with_tags = true,
        .stacks = {"s1"},
        .stack_what = {CLOUD_STACK_BASIC},
    };
    struct cloud_read_result r = {0};
    struct tpd_err err = {0};
    assert_int_equal(e->ops->read(e->ops->ctx, &q, &r, &err), TPD_OK);
    static const char *const ops[] = {
        "DescribeTable",
        "DescribeTimeToLive",
        "DescribeContinuousBackups",
        "ListTagsOfResource",
        "DescribeContributorInsights",
        "DescribeStacks"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        assert_int_equal(fa_count(e->fa, ops[i]), 1);
    }
    assert_int_equal(fa_count(e->fa, "DescribeStackResources"), 0);
    assert_true(r.table.exists);
    assert_string_equal(r.table.arn, ARN_T);
    assert_true(r.table.tags_read);
    assert_int_equal(r.table.spec.tag_count, 1);
    assert_true(r.stacks[0].exists);
    assert_string_equal(r.stacks[0].status, "DELETE_FAILED");
    assert_false(r.stacks[0].resources_read);
    cloud_read_result_clear(&r);
    tpd_err_clear(&err);
}

static void s_plan_one(struct repair_plan *p, struct repair_step *s) {
    memset(p, 0, sizeof(*p));
    p->table = strdup("t1");
    p->arn = strdup(ARN_T);
    p->steps = calloc(1, sizeof(*p->steps));
    p->steps[0] = *s;
    p->count = 1;
}

/* A repair that meets a table still changing (ResourceInUseException: an index build or a
 * change made outside Terraform) waits until it is ACTIVE and sends once more, instead of
 * failing the apply. */
static void test_repair_waits_for_a_busy_table(void **state) {
    struct cenv *e = *state;
    fa_on(e->fa, "DescribeTable", 200, DESCRIBE_TABLE);
    fa_on(
        e->fa,
        "UpdateTable",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceInUseException\","
        "\"message\":\"Attempt to change a resource which is still in use: Table is being "
        "updated: t1\"}");
    fa_on(e->fa, "UpdateTable", 200, "{}");
    struct repair_plan p;
    s_plan_one(
        &p,
        &(struct repair_step){
            .kind = REPAIR_UPDATE_TABLE,
            .what = "switching deletion protection on",
            .deletion_protection = REPAIR_ON});
    struct tpd_err err = {0};
    assert_int_equal(e->ops->repair(e->ops->ctx, &p, 0, &err), TPD_OK);
    assert_string_equal(fa_ops(e->fa, 1), "UpdateTable,UpdateTable");
    for (size_t i = 0; i < 2; i++) {
        assert_non_null(
            strstr(fa_body(e->fa, "UpdateTable", i), "\"DeletionProtectionEnabled\":true"));
    }
    repair_plan_clear(&p);
    tpd_err_clear(&err);
}

/* An index created again carries the attribute definitions of every key, its own too:
 * UpdateTable replaces the table's definitions with what it is sent. */
static void test_repair_index_creation_sends_definitions(void **state) {
    struct cenv *e = *state;
    fa_on(e->fa, "DescribeTable", 200, DESCRIBE_TABLE);
    fa_on(e->fa, "UpdateTable", 200, "{}");
    struct table_live live = {0};
    live.spec.name = strdup("t1");
    live.spec.hash.name = strdup("id");
    live.spec.hash.type = strdup("S");
    live.arn = strdup(ARN_T);
    struct table_index x = {0};
    x.name = strdup("gsi_a");
    x.hash.name = strdup("a");
    x.hash.type = strdup("S");
    x.projection = strdup("ALL");
    struct repair_plan p;
    struct tpd_err err = {0};
    assert_int_equal(repair_plan_indexes(&live, &x, 1, &p, &err), TPD_OK);
    assert_int_equal(e->ops->repair(e->ops->ctx, &p, 0, &err), TPD_OK);
    const char *u = fa_body(e->fa, "UpdateTable", 0);
    assert_non_null(strstr(u, "\"Create\":{"));
    assert_non_null(strstr(u, "\"IndexName\":\"gsi_a\""));
    assert_non_null(strstr(u, "{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}"));
    assert_non_null(strstr(u, "{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}"));
    repair_plan_clear(&p);
    table_index_clear(&x);
    table_live_clear(&live);
    tpd_err_clear(&err);
}

/* The answer to UpdateTimeToLive was lost and the retry meets "already enabled": done
 * when the table has it as the step sets it; an error when it has something else. */
static void test_repair_recognises_ttl_already_so(void **state) {
    struct cenv *e = *state;
    fa_on(
        e->fa,
        "UpdateTimeToLive",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ValidationException\","
        "\"message\":\"TimeToLive is already enabled\"}");
    fa_on(
        e->fa,
        "DescribeTimeToLive",
        200,
        "{\"TimeToLiveDescription\":{\"TimeToLiveStatus\":\"ENABLED\",\"AttributeName\":"
        "\"expires\"}}");
    struct repair_plan p;
    s_plan_one(
        &p,
        &(struct repair_step){
            .kind = REPAIR_TTL,
            .what = "setting Time to Live",
            .on = true,
            .ttl_attribute = strdup("expires")});
    struct tpd_err err = {0};
    assert_int_equal(e->ops->repair(e->ops->ctx, &p, 0, &err), TPD_OK);
    /* Enabled on another attribute: not this step's doing. */
    free(p.steps[0].ttl_attribute);
    p.steps[0].ttl_attribute = strdup("valid_until");
    assert_int_equal(e->ops->repair(e->ops->ctx, &p, 0, &err), TPD_E_AWS);
    assert_non_null(strstr(err.msg, "setting Time to Live"));
    assert_non_null(strstr(err.msg, "already enabled"));
    repair_plan_clear(&p);
    tpd_err_clear(&err);
}

/* The answer to an UpdateTable switching the table class was lost, and the retry meets
 * the class-switch quota (LimitExceededException: the retry counts as one more switch,
 * tests/emulator/ddb_rules.py) although the table already has the class: done, not "wait
 * 30 days" (found by tests/e2e/test_lost_answers.py, LostRepairOff). A table that does not
 * have it yet: the quota error stays. */
static void test_repair_recognises_class_already_so_behind_a_quota(void **state) {
    struct cenv *e = *state;
    fa_on(e->fa, "DescribeTable", 200, DESCRIBE_TABLE); /* no TableClassSummary: STANDARD */
    fa_on(
        e->fa,
        "UpdateTable",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#LimitExceededException\","
        "\"message\":\"Subscriber limit exceeded: Updates to TableClass are limited to 2 times "
        "in 30 day(s).\"}");
    struct repair_plan p;
    s_plan_one(
        &p,
        &(struct repair_step){
            .kind = REPAIR_UPDATE_TABLE,
            .what = "setting the table class",
            .table_class = strdup("STANDARD")});
    struct tpd_err err = {0};
    assert_int_equal(e->ops->repair(e->ops->ctx, &p, 0, &err), TPD_OK);
    assert_int_equal(fa_count(e->fa, "UpdateTable"), 1); /* a quota is not retried */
    free(p.steps[0].table_class);
    p.steps[0].table_class = strdup("STANDARD_INFREQUENT_ACCESS");
    assert_int_equal(e->ops->repair(e->ops->ctx, &p, 0, &err), TPD_E_AWS);
    assert_true(tpd_err_is_aws(&err, "LimitExceededException"));
    assert_non_null(strstr(err.msg, "setting the table class"));
    repair_plan_clear(&p);
    tpd_err_clear(&err);
}

/* The answer to EnableKinesisStreamingDestination was lost, and the retry is refused while
 * the destination is ENABLING (found by tests/e2e/test_lost_answers.py,
 * LostRepairFeatures): done. A destination that is not being enabled: the error stays. */
static void test_repair_recognises_kinesis_already_enabling(void **state) {
    struct cenv *e = *state;
    fa_on(
        e->fa,
        "EnableKinesisStreamingDestination",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ValidationException\","
        "\"message\":\"Table is not in a valid state to enable Kinesis Streaming Destination\"}");
    fa_on(
        e->fa,
        "DescribeKinesisStreamingDestination",
        200,
        "{\"TableName\":\"t1\",\"KinesisDataStreamDestinations\":[{\"StreamArn\":"
        "\"arn:aws:kinesis:us-east-1:123456789012:stream/s\",\"DestinationStatus\":"
        "\"ENABLING\"}]}");
    struct repair_plan p;
    s_plan_one(
        &p,
        &(struct repair_step){
            .kind = REPAIR_KINESIS_ON,
            .what = "enabling the Kinesis destination",
            .kinesis_arn = strdup("arn:aws:kinesis:us-east-1:123456789012:stream/s")});
    struct tpd_err err = {0};
    assert_int_equal(e->ops->repair(e->ops->ctx, &p, 0, &err), TPD_OK);
    free(p.steps[0].kinesis_arn);
    p.steps[0].kinesis_arn = strdup("arn:aws:kinesis:us-east-1:123456789012:stream/other");
    assert_int_equal(e->ops->repair(e->ops->ctx, &p, 0, &err), TPD_E_AWS);
    assert_non_null(strstr(err.msg, "not in a valid state"));
    repair_plan_clear(&p);
    tpd_err_clear(&err);
}

/* DeleteTable of a table already gone: success. */
static void test_delete_table_already_gone(void **state) {
    struct cenv *e = *state;
    fa_on(
        e->fa,
        "DeleteTable",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
        "\"message\":\"Requested resource not found\"}");
    struct tpd_err err = {0};
    assert_int_equal(e->ops->delete_table(e->ops->ctx, "t1", 0, &err), TPD_OK);
    assert_int_equal(fa_count(e->fa, "DeleteTable"), 1);
    tpd_err_clear(&err);
}

#define T(name) cmocka_unit_test_setup_teardown(name, cenv_setup, cenv_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_read_sends_each_call_once),
        T(test_repair_waits_for_a_busy_table),
        T(test_repair_index_creation_sends_definitions),
        T(test_repair_recognises_ttl_already_so),
        T(test_repair_recognises_class_already_so_behind_a_quota),
        T(test_repair_recognises_kinesis_already_enabling),
        T(test_delete_table_already_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
