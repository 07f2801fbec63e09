/*
 * Wire-level tests of the restore acts of the real cloud_ops (provider/resource/
 * cloud_restore.c, aws/ddb.c) and of reading a table while it is being restored
 * (cloud_read.c), over a fake AWS that answers by operation (tests/support/fake_aws.h):
 * the overrides that make the restored table as configured, the time as epoch seconds,
 * DescribeBackup's source (key names without types), a missing backup as "not found", and
 * a CREATING table read as there, with no TTL and no tags yet.
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
#include "restore.h"
#include "tpd_log.h"

#define BACKUP "arn:aws:dynamodb:us-east-1:123456789012:table/src/backup/01700000000000-1a2b3c4d"
#define KMS "arn:aws:kms:us-east-1:123456789012:key/k1"

static char s_backup[] = BACKUP;
static char s_src[] = "src";

/* t1: PROVISIONED 5/6, index gsi_a (3/4, KEYS_ONLY) and LSI lsi_x, a customer managed key. */
static void s_want(struct table_spec *w) {
    memset(w, 0, sizeof(*w));
    w->name = strdup("t1");
    w->hash.name = strdup("id");
    w->hash.type = strdup("S");
    w->range.name = strdup("at");
    w->range.type = strdup("N");
    w->provisioned = true;
    w->read_capacity = 5;
    w->write_capacity = 6;
    w->gsis = calloc(1, sizeof(*w->gsis));
    w->gsi_count = 1;
    w->gsis[0].name = strdup("gsi_a");
    w->gsis[0].hash.name = strdup("a");
    w->gsis[0].hash.type = strdup("S");
    w->gsis[0].projection = strdup("KEYS_ONLY");
    w->gsis[0].read_capacity = 3;
    w->gsis[0].write_capacity = 4;
    w->lsis = calloc(1, sizeof(*w->lsis));
    w->lsi_count = 1;
    w->lsis[0].name = strdup("lsi_x");
    w->lsis[0].hash.name = strdup("id");
    w->lsis[0].range.name = strdup("x");
    w->lsis[0].projection = strdup("ALL");
    w->sse = true;
    w->sse_kms_key = strdup(KMS);
}

static void test_restore_from_backup_sends_the_configured_overrides(void **state) {
    struct cenv *e = *state;
    fa_on(e->fa, "RestoreTableFromBackup", 200, "{\"TableDescription\":{\"TableName\":\"t1\"}}");
    struct table_spec w;
    s_want(&w);
    struct restore_spec r = {.kind = RESTORE_BACKUP, .backup_arn = s_backup};
    struct tpd_err err = {0};
    assert_int_equal(e->ops->restore(e->ops->ctx, &r, &w, &err), TPD_OK);
    const char *b = fa_body(e->fa, "RestoreTableFromBackup", 0);
    assert_non_null(b);
    assert_non_null(strstr(b, "\"TargetTableName\":\"t1\""));
    assert_non_null(strstr(b, "\"BackupArn\":\"" BACKUP "\""));
    assert_non_null(strstr(b, "\"BillingModeOverride\":\"PROVISIONED\""));
    assert_non_null(strstr(
        b, "\"ProvisionedThroughputOverride\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":6}"));
    assert_non_null(strstr(
        b,
        "\"GlobalSecondaryIndexOverride\":[{\"IndexName\":\"gsi_a\",\"KeySchema\":[{"
        "\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":"
        "\"KEYS_ONLY\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":3,"
        "\"WriteCapacityUnits\":4}}]"));
    assert_non_null(strstr(
        b,
        "\"LocalSecondaryIndexOverride\":[{\"IndexName\":\"lsi_x\",\"KeySchema\":[{"
        "\"AttributeName\":\"id\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"x\",\"KeyType\":"
        "\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]"));
    assert_non_null(strstr(
        b,
        "\"SSESpecificationOverride\":{\"Enabled\":true,\"SSEType\":\"KMS\","
        "\"KMSMasterKeyId\":\"" KMS "\"}"));
    assert_null(strstr(b, "SourceTableName"));
    assert_null(strstr(b, "OnDemandThroughputOverride"));
    table_spec_clear(&w);
    tpd_err_clear(&err);
}

/* A point in time: the source by name, the time as epoch seconds; the AWS owned key and
 * no index (the source's are all left out); on-demand limits. */
static void test_restore_to_point_in_time_sends_the_time(void **state) {
    struct cenv *e = *state;
    fa_on(e->fa, "RestoreTableToPointInTime", 200, "{\"TableDescription\":{}}");
    struct table_spec w = {0};
    w.name = strdup("t1");
    w.hash.name = strdup("id");
    w.on_demand_read = 100;
    struct restore_spec r = {
        .kind = RESTORE_POINT_IN_TIME, .source_table = s_src, .time = 1796119200};
    struct tpd_err err = {0};
    assert_int_equal(e->ops->restore(e->ops->ctx, &r, &w, &err), TPD_OK);
    const char *b = fa_body(e->fa, "RestoreTableToPointInTime", 0);
    assert_non_null(b);
    assert_non_null(strstr(b, "\"SourceTableName\":\"src\""));
    assert_non_null(strstr(b, "\"RestoreDateTime\":1796119200"));
    assert_null(strstr(b, "UseLatestRestorableTime"));
    assert_non_null(strstr(b, "\"BillingModeOverride\":\"PAY_PER_REQUEST\""));
    assert_null(strstr(b, "ProvisionedThroughputOverride"));
    assert_non_null(strstr(b, "\"GlobalSecondaryIndexOverride\":[]"));
    assert_non_null(strstr(b, "\"SSESpecificationOverride\":{\"Enabled\":false}"));
    assert_non_null(strstr(b, "\"OnDemandThroughputOverride\":{\"MaxReadRequestUnits\":100}"));
    fa_on(e->fa, "RestoreTableToPointInTime", 200, "{\"TableDescription\":{}}");
    r.use_latest = true;
    assert_int_equal(e->ops->restore(e->ops->ctx, &r, &w, &err), TPD_OK);
    b = fa_body(e->fa, "RestoreTableToPointInTime", 1);
    assert_non_null(strstr(b, "\"UseLatestRestorableTime\":true"));
    assert_null(strstr(b, "RestoreDateTime"));
    table_spec_clear(&w);
    tpd_err_clear(&err);
}

static void test_backup_source_has_key_names_without_types(void **state) {
    struct cenv *e = *state;
    fa_on(
        e->fa,
        "DescribeBackup",
        200,
        "{\"BackupDescription\":{\"BackupDetails\":{\"BackupArn\":\"" BACKUP "\","
        "\"BackupStatus\":\"CREATING\"},\"SourceTableDetails\":{\"TableName\":\"src\","
        "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],\"BillingMode\":"
        "\"PAY_PER_REQUEST\"},\"SourceTableFeatureDetails\":{\"GlobalSecondaryIndexes\":[{"
        "\"IndexName\":\"gsi_b\",\"KeySchema\":[{\"AttributeName\":\"b\",\"KeyType\":\"HASH\"}],"
        "\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"z\",\"y\"]}}]}}}");
    struct restore_spec r = {.kind = RESTORE_BACKUP, .backup_arn = s_backup};
    struct table_spec s;
    char *status = NULL;
    struct tpd_err err = {0};
    assert_int_equal(e->ops->read_restore_source(e->ops->ctx, &r, &s, &status, &err), TPD_OK);
    assert_string_equal(s.name, "src");
    assert_string_equal(s.hash.name, "id");
    assert_null(s.hash.type);
    assert_null(s.range.name);
    assert_false(s.provisioned);
    assert_int_equal(s.gsi_count, 1);
    assert_string_equal(s.gsis[0].name, "gsi_b");
    assert_string_equal(s.gsis[0].hash.name, "b");
    assert_string_equal(s.gsis[0].projection, "INCLUDE");
    assert_int_equal(s.gsis[0].non_key_count, 2);
    assert_string_equal(status, "CREATING");
    table_spec_clear(&s);
    free(status);
    fa_on(
        e->fa,
        "DescribeBackup",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#BackupNotFoundException\","
        "\"message\":\"Backup not found\"}");
    assert_int_equal(
        e->ops->read_restore_source(e->ops->ctx, &r, &s, &status, &err), TPD_E_NOT_FOUND);
    assert_null(status);
    tpd_err_clear(&err);
}

/* A table being restored: DynamoDB refuses DescribeTimeToLive and the tag calls while it
 * is CREATING (docs/aws-behaviour.md §5.3, §5.5). Read as there, without TTL or tags. */
static void test_a_creating_table_is_read_as_there(void **state) {
    struct cenv *e = *state;
    fa_on(
        e->fa,
        "DescribeTable",
        200,
        "{\"Table\":{\"TableName\":\"t1\",\"TableArn\":\"arn:aws:dynamodb:us-east-1:123456789012:"
        "table/t1\",\"TableStatus\":\"CREATING\",\"KeySchema\":[{\"AttributeName\":\"id\","
        "\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"id\","
        "\"AttributeType\":\"S\"}],\"BillingModeSummary\":{\"BillingMode\":\"PAY_PER_REQUEST\"}}}");
    fa_on(
        e->fa,
        "DescribeTimeToLive",
        400,
        "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"Cannot "
        "describe time to live while table is in CREATING state: Current table state is "
        "CREATING\"}");
    fa_on(
        e->fa,
        "DescribeContinuousBackups",
        200,
        "{\"ContinuousBackupsDescription\":{\"ContinuousBackupsStatus\":\"ENABLED\","
        "\"PointInTimeRecoveryDescription\":{\"PointInTimeRecoveryStatus\":\"DISABLED\"}}}");
    fa_on(
        e->fa,
        "ListTagsOfResource",
        400,
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
        "\"message\":\"Requested resource not found: ResourceArn: arn not found\"}");
    fa_on(
        e->fa,
        "DescribeContributorInsights",
        200,
        "{\"TableName\":\"t1\",\"ContributorInsightsStatus\":\"DISABLED\"}");
    struct cloud_read_request q = {
        .table = "t1",
        .arn_hint = "arn:aws:dynamodb:us-east-1:123456789012:table/t1",
        .with_tags = true,
    };
    struct cloud_read_result res = {0};
    struct tpd_err err = {0};
    assert_int_equal(e->ops->read(e->ops->ctx, &q, &res, &err), TPD_OK);
    assert_true(res.table.exists);
    assert_string_equal(res.table.status, "CREATING");
    assert_null(res.table.spec.ttl.attribute);
    assert_false(res.table.tags_read);
    cloud_read_result_clear(&res);
    tpd_err_clear(&err);
}

/* The answer to the restore was lost and the retry meets TableAlreadyExistsException: its
 * own first attempt when the table's RestoreSummary names this backup; otherwise (a table
 * restored from something else) the error stands. */
static void test_retry_meeting_its_own_restore_succeeds(void **state) {
    struct cenv *e = *state;
    static const char *const exists =
        "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TableAlreadyExistsException\","
        "\"message\":\"Table already exists: t1\"}";
    fa_on(e->fa, "RestoreTableFromBackup", 400, exists);
    fa_on(
        e->fa,
        "DescribeTable",
        200,
        "{\"Table\":{\"TableName\":\"t1\",\"TableStatus\":\"CREATING\",\"RestoreSummary\":{"
        "\"SourceBackupArn\":\"" BACKUP "\",\"SourceTableArn\":\"arn:aws:dynamodb:us-east-1:"
        "123456789012:table/src\",\"RestoreInProgress\":true}}}");
    struct table_spec w = {0};
    w.name = strdup("t1");
    struct restore_spec r = {.kind = RESTORE_BACKUP, .backup_arn = s_backup};
    struct tpd_err err = {0};
    assert_int_equal(e->ops->restore(e->ops->ctx, &r, &w, &err), TPD_OK);
    fa_on(e->fa, "RestoreTableFromBackup", 400, exists);
    fa_on(
        e->fa,
        "DescribeTable",
        200,
        "{\"Table\":{\"TableName\":\"t1\",\"TableStatus\":\"ACTIVE\",\"RestoreSummary\":{"
        "\"SourceBackupArn\":\"arn:aws:dynamodb:us-east-1:123456789012:table/src/backup/"
        "01700000000000-99999999\"}}}");
    assert_int_equal(e->ops->restore(e->ops->ctx, &r, &w, &err), TPD_E_AWS);
    assert_true(tpd_err_is_aws(&err, "TableAlreadyExistsException"));
    table_spec_clear(&w);
    tpd_err_clear(&err);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, cenv_setup, cenv_teardown)
    const struct CMUnitTest tests[] = {
        T(test_restore_from_backup_sends_the_configured_overrides),
        T(test_restore_to_point_in_time_sends_the_time),
        T(test_backup_source_has_key_names_without_types),
        T(test_a_creating_table_is_read_as_there),
        T(test_retry_meeting_its_own_restore_succeeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
