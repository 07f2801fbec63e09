/*
 * cloud: the AWS operations of the dynamodb_ttl_table resource, in its own vocabulary,
 * over an AWS client (aws/): reading facts (facts.h) and acting — change sets with
 * idempotency tokens, stack deletion, direct DynamoDB repairs.
 *
 * Change-set mechanics follow `aws cloudformation deploy` (aws-cli deployer.py) with
 * deliberate differences: an empty change set ("didn't contain changes") is success and
 * is deleted rather than left on the stack; waits use the adaptive cadence of
 * aws_waiter.h with the resource's timeouts and the provider's stop flag; every
 * mutating call carries a token, so that a retry meeting the effect of its own first
 * attempt (the answer was lost) is recognised as success (docs/aws-behaviour.md).
 *
 * Ownership: cloud_new borrows the client and the stop flag (both outlive the cloud).
 * Out-structs are zeroed first and freed by their _clear functions, also after a
 * failure. Strings passed in are borrowed.
 * Errors: AWS failures carry the AWS code and message in err; TPD_E_STOPPED and
 * TPD_E_TIMEOUT from waits; TPD_E_FAILED for a stack operation that failed, with the
 * stack events' reasons in the message.
 * Threads: a struct cloud is shared by every thread of the provider; all functions are
 * thread-safe.
 */
#ifndef TPD_CLOUD_H
#define TPD_CLOUD_H

#include <stdbool.h>
#include <stdint.h>

#include "aws_client.h"
#include "drift.h"
#include "facts.h"
#include "tpd_clock.h"
#include "tpd_err.h"

struct cloud;

/* NULL on no memory. */
struct cloud *cloud_new(struct aws_client *aws, struct tpd_stop *stop);
/* Sleep ns (never past deadline_ns, 0: none); TPD_E_STOPPED when Terraform asks the
 * provider to stop, TPD_E_TIMEOUT at the deadline (tpd_sleep). */
enum tpd_code cloud_pause(struct cloud *c, int64_t ns, int64_t deadline_ns);
void cloud_free(struct cloud *c);
/* The AWS client inside (borrowed; for the account guard at configure time). */
struct aws_client *cloud_aws_client(struct cloud *c);

/* ---- facts ---- */

/* What to read at once: the table (and, with a stack name, its stack). arn_hint (the
 * table's ARN from the state, may be NULL) lets ListTagsOfResource run with the others. */
struct cloud_read_request {
    const char *table;
    const char *arn_hint;
    bool with_tags;
    const char *stack_name; /* NULL: no stack */
    unsigned stack_what;    /* enum cloud_stack_read */
};
/* The table and the stack, their independent calls issued concurrently (one round trip
 * when the ARN is known). stack may be NULL when q->stack_name is. table->exists false
 * (TPD_OK) when there is no table; stack->exists likewise. */
struct stack_facts;
enum tpd_code cloud_read(
    struct cloud *c,
    const struct cloud_read_request *q,
    struct table_live *table,
    struct stack_facts *stack,
    struct tpd_err *err);

/* The table: DescribeTable, DescribeTimeToLive, DescribeContinuousBackups,
 * DescribeContributorInsights and, with with_tags, ListTagsOfResource. out->exists is
 * false (TPD_OK) when there is no table. */
enum tpd_code cloud_read_table(
    struct cloud *c, const char *name, bool with_tags, struct table_live *out, struct tpd_err *err);

/* What an adoption checks besides the settings (t must exist): Kinesis streaming
 * destinations, a resource policy, contributor insights of each GSI — features this
 * resource cannot express (adoption.h). Sets t->extras_read. */
enum tpd_code
cloud_read_adoption_extras(struct cloud *c, struct table_live *t, struct tpd_err *err);

enum cloud_stack_read {
    CLOUD_STACK_BASIC = 0,     /* DescribeStacks */
    CLOUD_STACK_RESOURCES = 1, /* + DescribeStackResources */
    CLOUD_STACK_TEMPLATE = 2,  /* + GetTemplate (of the latest change set for REVIEW_IN_PROGRESS) */
    CLOUD_STACK_FULL = 3,
};
/* The stack of that name; out->exists is false (TPD_OK) when none is live. */
enum tpd_code cloud_read_stack(
    struct cloud *c, const char *name, unsigned what, struct stack_facts *out, struct tpd_err *err);

/* The stack holding the table as a live resource (DescribeStackResources by physical
 * id): *stack_name (caller frees) is NULL when none. */
enum tpd_code
cloud_find_owner(struct cloud *c, const char *table, char **stack_name, struct tpd_err *err);

/* The deployed template text (GetTemplate). Caller frees *body. */
enum tpd_code
cloud_get_template(struct cloud *c, const char *stack, char **body, struct tpd_err *err);

/* Names of the stacks importing any export of this stack (ListImports per export):
 * a NULL-terminated array freed with cloud_strv_free. */
enum tpd_code cloud_list_importers(
    struct cloud *c,
    const struct stack_facts *s,
    char ***names,
    size_t *count,
    struct tpd_err *err);
void cloud_strv_free(char **v);

/* ---- acts ---- */

/* Make the stack ready for a change set: wait while it is busy (*_IN_PROGRESS), and
 * refuse with an explanation the states that take none (UPDATE_ROLLBACK_FAILED,
 * DELETE_FAILED, ...). s is refreshed in place. */
enum tpd_code cloud_prepare_stack(
    struct cloud *c, struct stack_facts *s, int64_t deadline_ns, struct tpd_err *err);

enum cloud_deploy_type { CLOUD_DEPLOY_CREATE, CLOUD_DEPLOY_UPDATE, CLOUD_DEPLOY_IMPORT };

struct cloud_deploy {
    const char *stack_name;
    enum cloud_deploy_type type;
    const char *template_body;
    const struct tpd_kv *tags; /* stack tags (CREATE/UPDATE); values never empty */
    size_t tag_count;
    const char *import_table;      /* IMPORT: the TableName to adopt */
    const char *import_logical_id; /* IMPORT: its logical id in the template */
    int64_t deadline_ns;           /* monotonic; 0 = none */
};

struct cloud_deploy_result {
    char *stack_id;     /* known as soon as the change set exists */
    bool empty;         /* nothing to change: success, change set deleted */
    char *final_status; /* the settled stack status */
};
void cloud_deploy_result_clear(struct cloud_deploy_result *r);

/* Create a change set, wait until it can execute, execute it and wait for the stack
 * to settle. On failure err holds the status and that operation's events' reasons;
 * r->stack_id is set whenever a stack exists. */
enum tpd_code cloud_deploy(
    struct cloud *c,
    const struct cloud_deploy *d,
    struct cloud_deploy_result *r,
    struct tpd_err *err);

/* Wait until the stack is not *_IN_PROGRESS; out gets the basic facts (exists false
 * when it is gone). */
enum tpd_code cloud_wait_stack_settled(
    struct cloud *c,
    const char *name,
    int64_t deadline_ns,
    struct stack_facts *out,
    struct tpd_err *err);

/* DeleteStack and wait until it is gone. retain_logical_id (may be NULL): keep that
 * resource when the stack is in DELETE_FAILED (RetainResources). DELETE_FAILED:
 * TPD_E_FAILED with the events' reasons. */
enum tpd_code cloud_delete_stack(
    struct cloud *c,
    const char *name,
    const char *retain_logical_id,
    int64_t deadline_ns,
    struct tpd_err *err);

/* DeleteTable (a table in no stack) and wait until it is gone. */
enum tpd_code
cloud_delete_table(struct cloud *c, const char *name, int64_t deadline_ns, struct tpd_err *err);

/* Apply a drift plan (computed from live and want) with direct DynamoDB calls, in
 * DynamoDB's rules: protection first when it turns on, one UpdateTable at a time
 * (waiting until the table and its indexes are ACTIVE between), missing indexes one by
 * one, the TTL change last. An index is never deleted here. A DRIFT_TTL_RENAME is
 * refused (TPD_E_FAILED with the two-step recipe). Stops at the first failure (err says
 * what was done and what not). */
enum tpd_code cloud_repair(
    struct cloud *c,
    const struct table_live *live,
    const struct table_spec *want,
    const struct drift_plan *p,
    int64_t deadline_ns,
    struct tpd_err *err);

/* Poll DescribeTable until the table and every GSI are ACTIVE with no backfill (a
 * CloudFormation update does not wait for an index build), logging changes at INFO. */
enum tpd_code cloud_wait_table_ready(
    struct cloud *c, const char *table, int64_t deadline_ns, struct tpd_err *err);

/* Create the indexes xs on the table live describes, one at a time (UpdateTable
 * GlobalSecondaryIndexUpdates Create, with the AttributeDefinitions of every key),
 * waiting until each is ACTIVE. */
enum tpd_code cloud_create_indexes(
    struct cloud *c,
    const struct table_spec *live,
    const struct table_index *const *xs,
    size_t n,
    int64_t deadline_ns,
    struct tpd_err *err);

#endif
