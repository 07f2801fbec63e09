/* aws_quota: limit answers classified (see aws_quota.h; docs/aws-behaviour.md §11.3). */
#include "aws_quota.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Case-insensitive substring test. */
static bool s_has(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (const char *p = hay; p && *p; p++) {
        if (strncasecmp(p, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

/* What each limit is and when it lifts (docs/aws-behaviour.md §11.3), by id. */
static const struct {
    enum aws_quota_kind kind;
    const char *what;
    const char *when;
} s_rules[] = {
    [AWS_QUOTA_ID_UNKNOWN] =
        {AWS_QUOTA_THROTTLE,
         "a DynamoDB limit (LimitExceededException)",
         "when the operations under way in the account finish"},
    [AWS_QUOTA_ID_CONCURRENT_TABLE_OPS] =
        {AWS_QUOTA_THROTTLE,
         "DynamoDB's limit on table operations running at once in the account (500, 250 "
         "when they create indexes)",
         "when other table operations in the account finish"},
    [AWS_QUOTA_ID_CONCURRENT_INDEX_OPS] =
        {AWS_QUOTA_THROTTLE,
         "DynamoDB creates or deletes one index of a table "
         "at a time",
         "when the index build under way finishes"},
    [AWS_QUOTA_ID_TABLE_CLASS_SWITCH] =
        {AWS_QUOTA_EXCEEDED,
         "DynamoDB's limit on table class changes: two per table in a trailing 30-day period",
         "when the earlier of the last two table class changes is 30 days old"},
    [AWS_QUOTA_ID_ON_DEMAND_SWITCH] =
        {AWS_QUOTA_EXCEEDED,
         "DynamoDB's limit on switching a table to on-demand (PAY_PER_REQUEST): a few "
         "switches in a 24-hour window (switching to provisioned is not limited)",
         "24 hours after the earlier switches to on-demand (or after the table's creation)"},
    [AWS_QUOTA_ID_THROUGHPUT_DECREASE] =
        {AWS_QUOTA_EXCEEDED,
         "DynamoDB's limit on provisioned throughput decreases per table in a UTC day",
         "later in the day (after an hour without decreases) or the next UTC day"},
    [AWS_QUOTA_ID_TABLES] =
        {AWS_QUOTA_EXCEEDED,
         "DynamoDB's quota of tables per account and region (2,500 unless raised)",
         "after tables are deleted, or once AWS raises the quota (Service Quotas)"},
    [AWS_QUOTA_ID_INDEXES] =
        {AWS_QUOTA_EXCEEDED,
         "DynamoDB's quota of global secondary indexes per table (20 unless raised)",
         "after an index is removed, or once AWS raises the quota (Service Quotas)"},
    [AWS_QUOTA_ID_CLOUDFORMATION] =
        {AWS_QUOTA_EXCEEDED,
         "a CloudFormation account quota (stacks, change sets, ...)",
         "after the account is below the quota again, or once AWS raises it (Service Quotas)"},
};

void aws_quota_rule(enum aws_quota_id id, struct aws_quota *out) {
    memset(out, 0, sizeof(*out));
    if ((unsigned)id >= sizeof(s_rules) / sizeof(s_rules[0])) {
        id = AWS_QUOTA_ID_UNKNOWN;
    }
    out->kind = s_rules[id].kind;
    out->id = id;
    out->what = s_rules[id].what;
    out->when = s_rules[id].when;
}

/* AWS's own statement of when, when the message has one: the sentence holding "can be
 * made at" or "next ... at" (the throughput-decrease answer names the next allowed
 * time). */
static struct tpd_span s_aws_says(const char *msg) {
    static const char *const marks[] = {"can be made at", "Next decrease", "retry after"};
    for (size_t i = 0; msg && i < sizeof(marks) / sizeof(marks[0]); i++) {
        const char *p = msg;
        size_t n = strlen(marks[i]);
        for (; *p; p++) {
            if (strncasecmp(p, marks[i], n) == 0) {
                break;
            }
        }
        if (!*p) {
            continue;
        }
        const char *a = p;
        while (a > msg && a[-1] != '.' && a[-1] != ':') {
            a--;
        }
        while (*a == ' ') {
            a++;
        }
        /* the sentence ends at ". " or at the end (a date's own dots are followed by a
         * digit or a letter, not a space) */
        const char *b = p;
        while (*b && !(b[0] == '.' && (b[1] == ' ' || b[1] == '\0')) && *b != '(') {
            b++;
        }
        while (b > a && isspace((unsigned char)b[-1])) {
            b--;
        }
        return (struct tpd_span){(const uint8_t *)a, (size_t)(b - a)};
    }
    return (struct tpd_span){NULL, 0};
}

/* DynamoDB's limit answers by message (docs/aws-behaviour.md §11.3). */
static enum aws_quota_id s_dynamodb(const char *msg) {
    if (s_has(msg, "simultaneously") && s_has(msg, "index") && !s_has(msg, "tables")) {
        return AWS_QUOTA_ID_CONCURRENT_INDEX_OPS;
    }
    if (s_has(msg, "simultaneously") || s_has(msg, "concurrent")) {
        return AWS_QUOTA_ID_CONCURRENT_TABLE_OPS;
    }
    if (s_has(msg, "table class") || s_has(msg, "TableClass")) {
        return AWS_QUOTA_ID_TABLE_CLASS_SWITCH;
    }
    if (s_has(msg, "PayPerRequest") || s_has(msg, "PAY_PER_REQUEST") || s_has(msg, "on-demand") ||
        s_has(msg, "billing mode") || s_has(msg, "BillingMode")) {
        return AWS_QUOTA_ID_ON_DEMAND_SWITCH;
    }
    if (s_has(msg, "decrease")) {
        return AWS_QUOTA_ID_THROUGHPUT_DECREASE;
    }
    if (s_has(msg, "global secondary ind") || s_has(msg, "GSI")) {
        return AWS_QUOTA_ID_INDEXES;
    }
    if (s_has(msg, "tables per") || s_has(msg, "number of tables")) {
        return AWS_QUOTA_ID_TABLES;
    }
    /* Not recognised: the concurrency limit, as DynamoDB's API reference describes the
     * code first (botocore's dynamodb model, LimitExceededException). */
    return AWS_QUOTA_ID_UNKNOWN;
}

void aws_quota_classify(
    const char *service, const char *aws_code, const char *msg, struct aws_quota *out) {
    memset(out, 0, sizeof(*out));
    bool dynamodb = service && strcmp(service, "dynamodb") == 0;
    bool limit_code = aws_code && strcmp(aws_code, "LimitExceededException") == 0;
    if (limit_code && !dynamodb) {
        aws_quota_rule(AWS_QUOTA_ID_CLOUDFORMATION, out);
        return;
    }
    /* DynamoDB's own answer, or its message quoted by CloudFormation in a stack's status
     * reason ("Subscriber limit exceeded: ...", handler code ServiceLimitExceeded). */
    bool quoted =
        !aws_code && (s_has(msg, "Subscriber limit exceeded") ||
                      s_has(msg, "LimitExceededException") || s_has(msg, "ServiceLimitExceeded"));
    if ((limit_code && dynamodb) || quoted) {
        aws_quota_rule(s_dynamodb(msg), out);
        if (out->kind == AWS_QUOTA_EXCEEDED) {
            out->aws_says = s_aws_says(msg);
        }
    }
}

void aws_quota_of_err(const char *service, const struct tpd_err *err, struct aws_quota *out) {
    aws_quota_classify(service, err ? err->aws_code : NULL, err ? err->msg : NULL, out);
}

enum tpd_code aws_quota_explain(const struct aws_quota *q, struct tpd_buf *out) {
    if (q->kind != AWS_QUOTA_EXCEEDED) {
        return TPD_OK;
    }
    enum tpd_code rc = tpd_buf_printf(out, "AWS refused the change: it would exceed %s. ", q->what);
    if (!rc && q->aws_says.len) {
        rc = tpd_buf_append_cstr(out, "AWS says: ");
        rc = rc ? rc : tpd_buf_append_span(out, q->aws_says);
        rc = rc ? rc : tpd_buf_append_cstr(out, ". ");
    }
    if (!rc) {
        rc = tpd_buf_printf(
            out,
            "It can be applied again %s; retrying sooner fails the same way, so the provider "
            "did not retry. Nothing was lost: AWS refused this change without making it, and "
            "the table and its items are untouched by it.",
            q->when);
    }
    return rc;
}
