/*
 * aws_quota: which limit an AWS "limit exceeded" answer reports, and whether waiting
 * helps (docs/aws-behaviour.md §11.3, which gives the sources).
 *
 * AWS uses one code for different things. DynamoDB's LimitExceededException is both a
 * concurrency limit that lifts within minutes ("Only 500 tables can be created,
 * updated, or deleted simultaneously", "Only 1 online index can be created or deleted
 * simultaneously per table": retried, like throttling) and quotas that waiting minutes
 * cannot lift: table class switches (two per table in 30 days), switches to on-demand
 * (limited per 24 hours), provisioned throughput decreases per day, tables per account,
 * indexes per table. Those stop at once with what was hit and when it can be tried
 * again. The message tells them apart; a LimitExceededException with a message not
 * recognised is taken for the concurrency limit, which is what DynamoDB's API reference
 * describes it as first. CloudFormation's LimitExceededException is an account quota
 * (stacks, change sets). CloudFormation reports a DynamoDB limit hit while it updated a
 * stack in the resource's status reason (with DynamoDB's message and the handler code
 * ServiceLimitExceeded), so a message without an AWS code is classified by its text.
 *
 * Ownership: struct aws_quota holds static strings and a span borrowed from the message.
 * Threads: pure functions.
 */
#ifndef AWS_QUOTA_H
#define AWS_QUOTA_H

#include "tpd_alloc.h"
#include "tpd_buf.h"
#include "tpd_err.h"

enum aws_quota_kind {
    AWS_QUOTA_NONE = 0, /* not a limit answer */
    AWS_QUOTA_THROTTLE, /* a rate or concurrency limit: waiting helps (retried) */
    AWS_QUOTA_EXCEEDED, /* a quota: stop at once, say what and until when */
};

enum aws_quota_id {
    AWS_QUOTA_ID_UNKNOWN = 0,
    AWS_QUOTA_ID_CONCURRENT_TABLE_OPS, /* 500 table operations at once per account */
    AWS_QUOTA_ID_CONCURRENT_INDEX_OPS, /* one index created or deleted at a time per table */
    AWS_QUOTA_ID_TABLE_CLASS_SWITCH,   /* table class switches per table (two in 30 days) */
    AWS_QUOTA_ID_ON_DEMAND_SWITCH,     /* switches to on-demand (PAY_PER_REQUEST) */
    AWS_QUOTA_ID_THROUGHPUT_DECREASE,  /* provisioned throughput decreases per day */
    AWS_QUOTA_ID_TABLES,               /* tables per account and region */
    AWS_QUOTA_ID_INDEXES,              /* global secondary indexes per table */
    AWS_QUOTA_ID_CLOUDFORMATION,       /* a CloudFormation account quota */
};

struct aws_quota {
    enum aws_quota_kind kind;
    enum aws_quota_id id;
    const char *what;         /* what was hit, in words (static; NULL for NONE) */
    const char *when;         /* when it can be tried again, per AWS's documents (static) */
    struct tpd_span aws_says; /* AWS's own word on when, cut from the message; may be empty */
};

/*
 * Classify an answer: service "dynamodb" or "cloudformation", the AWS error code (may be
 * NULL: a stack's status reason), the message (may be NULL). Anything that is not a
 * limit answer is AWS_QUOTA_NONE.
 */
void aws_quota_classify(
    const char *service, const char *aws_code, const char *msg, struct aws_quota *out);

/* The rule of a limit, by id (kind, what, when; aws_says empty): for a plan that wants to
 * say which limit a change is subject to before AWS is asked (a table class or billing
 * mode switch). */
void aws_quota_rule(enum aws_quota_id id, struct aws_quota *out);

/* The same for an error as aws/ reports it (err->aws_code and err->msg). */
void aws_quota_of_err(const char *service, const struct tpd_err *err, struct aws_quota *out);

/*
 * The explanation for people of an AWS_QUOTA_EXCEEDED (appended to out): what was hit,
 * when it can be tried again (AWS's words first when the message gives them), and that
 * nothing was changed. TPD_OK and nothing appended for the other kinds.
 */
enum tpd_code aws_quota_explain(const struct aws_quota *q, struct tpd_buf *out) TPD_MUST_CHECK;

#endif
