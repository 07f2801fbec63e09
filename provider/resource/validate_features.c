/*
 * validate_features: the rules of the AWS::DynamoDB::Table properties of issue 25
 * (docs/aws-behaviour.md §4.5, §5.7, §5.8; CloudFormation's resource schema and botocore's
 * DynamoDB model):
 *   - recovery_period_in_days: a whole number 1-35, only with point_in_time_recovery
 *     (the schema makes RecoveryPeriodInDays depend on PointInTimeRecoveryEnabled;
 *     DynamoDB refuses a period when disabling);
 *   - warm_throughput: at least one of its units, each a whole number >= 1 (SCHEMA);
 *   - kinesis_streaming_destination: a Kinesis stream ARN (37-1024 characters, BC's
 *     StreamArn) and a precision MILLISECOND or MICROSECOND;
 *   - resource_policy: a JSON object of at most 20480 bytes (PutResourcePolicy's limit,
 *     whitespace counted; the schema's PolicyDocument is a JSON object).
 * Unknown values are checked when they are known. Called by validate_ttl_table.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "table_policy.h"
#include "tpd_limits.h"
#include "validate.h"
#include "validate_internal.h"

static void s_check_pitr_days(struct diag_list *d, const struct tfv *cfg) {
    const struct tfv *v = tfv_get(cfg, "recovery_period_in_days");
    if (tfv_is_null(v) || tfv_is_unknown(v)) {
        return;
    }
    int64_t n;
    if (!tfv_get_int(cfg, "recovery_period_in_days", &n) || n < 1 || n > 35) {
        validate_err(
            d,
            "recovery_period_in_days",
            NULL,
            "Invalid recovery period",
            "recovery_period_in_days is a whole number of days from 1 to 35 (left out: 35).");
        return;
    }
    const struct tfv *pitr = tfv_get(cfg, "point_in_time_recovery");
    bool on = false;
    if (!tfv_is_unknown(pitr) && (!tfv_get_bool(cfg, "point_in_time_recovery", &on) || !on)) {
        validate_err(
            d,
            "recovery_period_in_days",
            NULL,
            "Recovery period without point-in-time recovery",
            "recovery_period_in_days needs point_in_time_recovery = true: DynamoDB keeps a "
            "recovery period only while point-in-time recovery is on.");
    }
}

static void s_check_policy(struct diag_list *d, const struct tfv *cfg) {
    const char *doc = tfv_get_str(cfg, "resource_policy");
    if (!doc) {
        return; /* null, or unknown until apply */
    }
    if (strlen(doc) > TPD_MAX_RESOURCE_POLICY) {
        validate_err(
            d,
            "resource_policy",
            NULL,
            "Resource policy too large",
            "DynamoDB accepts a resource policy of at most 20480 bytes, whitespace counted "
            "(jsonencode writes none).");
        return;
    }
    char *canon = table_policy_canonical(doc);
    if (!canon) {
        validate_err(
            d,
            "resource_policy",
            NULL,
            "Invalid resource policy",
            "resource_policy is a JSON policy document: an object such as "
            "jsonencode({ Version = \"2012-10-17\", Statement = [...] }).");
    }
    free(canon);
}

static void s_check_warm(struct diag_list *d, const struct tfv *cfg) {
    const struct tfv *w = tfv_get(cfg, "warm_throughput");
    if (!w || w->kind != TFV_OBJECT) {
        return;
    }
    static const char *const k[] = {"read_units_per_second", "write_units_per_second"};
    size_t set = 0;
    for (size_t i = 0; i < 2; i++) {
        const struct tfv *v = tfv_get(w, k[i]);
        int64_t n;
        if (tfv_is_null(v)) {
            continue;
        }
        set++;
        if (!tfv_is_unknown(v) && (!tfv_get_int(w, k[i], &n) || n < 1)) {
            validate_err(
                d,
                "warm_throughput",
                k[i],
                "Invalid warm throughput",
                "Warm throughput is a whole number of units per second, at least 1.");
        }
    }
    if (!set) {
        validate_err(
            d,
            "warm_throughput",
            NULL,
            "Empty warm_throughput",
            "Set read_units_per_second, write_units_per_second or both (the schema needs one); "
            "to stop managing it, remove warm_throughput.");
    }
}

static void s_check_kinesis(struct diag_list *d, const struct tfv *cfg) {
    const struct tfv *k = tfv_get(cfg, "kinesis_streaming_destination");
    if (!k || k->kind != TFV_OBJECT) {
        return;
    }
    const char *arn = tfv_get_str(k, "stream_arn");
    if (arn && (strlen(arn) < 37 || strlen(arn) > 1024 || strncmp(arn, "arn:", 4) != 0 ||
                !strstr(arn, ":kinesis:") || !strstr(arn, ":stream/"))) {
        validate_err(
            d,
            "kinesis_streaming_destination",
            "stream_arn",
            "Invalid Kinesis stream ARN",
            "stream_arn is the ARN of a Kinesis data stream, such as "
            "\"arn:aws:kinesis:us-east-1:123456789012:stream/orders\" (37 to 1024 characters).");
    }
    const char *p = tfv_get_str(k, "approximate_creation_date_time_precision");
    if (p && strcmp(p, "MILLISECOND") != 0 && strcmp(p, "MICROSECOND") != 0) {
        validate_err(
            d,
            "kinesis_streaming_destination",
            "approximate_creation_date_time_precision",
            "Invalid precision",
            "approximate_creation_date_time_precision must be \"MILLISECOND\" or "
            "\"MICROSECOND\".");
    }
}

void validate_table_features(const struct tfv *config, struct diag_list *diags) {
    s_check_kinesis(diags, config);
    s_check_warm(diags, config);
    s_check_pitr_days(diags, config);
    s_check_policy(diags, config);
}
