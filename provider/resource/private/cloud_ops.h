/*
 * cloud_ops: the narrow seam between the resource's decisions and AWS — the reads that
 * fill facts.h and the acts an action plan is carried out with (action.h), in the
 * resource's vocabulary. The real implementation is cloud.c (over aws/: DynamoDB,
 * CloudFormation, aws/include/cfn_deploy.h); resource tests give a fake that states facts as
 * structs and records the acts (tests/support/fake_cloud.h), so no test of the resource
 * needs AWS wire text.
 *
 * Every function fills err on failure: AWS failures carry the AWS code and message;
 * TPD_E_STOPPED and TPD_E_TIMEOUT come from waits; TPD_E_FAILED is a stack operation that
 * failed, with the stack events' reasons in the message.
 *
 * Ownership: out-structs are zeroed first and freed by their _clear functions, also after
 * a failure; strings passed in are borrowed; char * and char ** outputs are the caller's
 * (free, cloud_strv_free). Threads: every function may run on many threads at once.
 */
#ifndef TPD_CLOUD_OPS_H
#define TPD_CLOUD_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "repair_plan.h"
#include "restore.h"
#include "tpd_err.h"
#include "tpd_kv.h"

enum cloud_stack_read {
    CLOUD_STACK_BASIC = 0,     /* DescribeStacks */
    CLOUD_STACK_RESOURCES = 1, /* + DescribeStackResources (and events of an empty stack) */
    CLOUD_STACK_TEMPLATE = 2,  /* + GetTemplate (of the latest change set for REVIEW_IN_PROGRESS) */
    CLOUD_STACK_FULL = 3,
};

/* How much of the table to read (each operation reads what its decisions use, no more:
 * docs/design.md, "Calls per operation"). */
enum cloud_table_read {
    /* DescribeTable and the settings it does not hold (DescribeTimeToLive,
     * DescribeContinuousBackups, DescribeContributorInsights; ListTagsOfResource with
     * with_tags), at once. */
    CLOUD_TABLE_ALL = 0,
    /* DescribeTable first (with the stacks), the settings only when the table exists: for
     * a table that is most likely not there yet (a create), one call instead of four. */
    CLOUD_TABLE_PROBE = 1,
    /* DescribeTable alone (existence, keys, protection, status): all a destroy decides on
     * (ownership.c). The settings stay unread (table_live.settings_read false). */
    CLOUD_TABLE_DESCRIBE = 2,
};

/* What to read at once (one round trip: the calls are independent). */
struct cloud_read_request {
    const char *table;    /* NULL: no table read */
    const char *arn_hint; /* the table's ARN from the state: ListTagsOfResource goes along */
    bool with_tags;
    /* + the resource policy and Kinesis destinations (GetResourcePolicy,
     * DescribeKinesisStreamingDestination): read when the configuration or the state has
     * them, so a refresh of a table without them costs no more calls. */
    bool with_features;
    unsigned table_what;    /* enum cloud_table_read */
    const char *stacks[2];  /* stacks to read by name (NULL: none) ... */
    unsigned stack_what[2]; /* ... and how much of each (enum cloud_stack_read) */
    const char *owner_of;   /* which stack holds this table (DescribeStackResources) */
};

struct cloud_read_result {
    struct table_live table;      /* exists false when there is no table */
    struct stack_facts stacks[2]; /* exists false when no live stack has that name */
    char *owner_stack;            /* the stack holding the table; NULL: none */
};
void cloud_read_result_clear(struct cloud_read_result *r);

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
    bool executed;      /* the change set was executed: the stack is (or was) changing */
    char *final_status; /* the settled stack status */
};
void cloud_deploy_result_clear(struct cloud_deploy_result *r);

struct cloud_ops {
    void *ctx;

    /* ---- facts ---- */
    enum tpd_code (*read)(
        void *ctx,
        const struct cloud_read_request *q,
        struct cloud_read_result *out,
        struct tpd_err *err);
    /* What an adoption checks besides the settings (t must exist): Kinesis streaming
     * destinations, a resource policy, contributor insights of each GSI. Sets
     * t->extras_read. */
    enum tpd_code (*read_extras)(void *ctx, struct table_live *t, struct tpd_err *err);
    /* Names of the stacks importing any export of s (NULL-terminated, cloud_strv_free). */
    enum tpd_code (*list_importers)(
        void *ctx, const struct stack_facts *s, char ***names, size_t *count, struct tpd_err *err);
    /* Time to Live alone (DescribeTimeToLive): t's ttl_status and spec.ttl set as read()
     * sets them, the rest of t untouched. What a wait for TTL to settle polls: the one
     * setting still changing, not the whole table (docs/design.md, "Calls per operation"). */
    enum tpd_code (*read_ttl)(void *ctx, struct table_live *t, struct tpd_err *err);
    /* The hand-off of facts from a plan to the apply right after it in this process
     * (facts_handoff.h): stash keeps *f (left zeroed) under key; take moves the facts of
     * key into *out, once (false: none, read instead). Every act below drops the facts
     * about the table or stack it acts on. */
    void (*stash)(void *ctx, const char *key, const char *table, struct resource_facts *f);
    bool (*take)(void *ctx, const char *key, struct resource_facts *out);
    /* The rest of what (enum cloud_stack_read) of a stack s read before (exists; BASIC at
     * least): DescribeStackResources and GetTemplate as read() makes them, not
     * DescribeStacks again. s is cleared on a failure. */
    enum tpd_code (*complete_stack)(
        void *ctx, struct stack_facts *s, unsigned what, struct tpd_err *err);
    /* The deployed template text (GetTemplate). */
    enum tpd_code (*get_template)(void *ctx, const char *stack, char **body, struct tpd_err *err);

    /* ---- acts ---- */
    /* Create a change set, execute it, wait for the stack to settle (aws/include/cfn_deploy.h). */
    enum tpd_code (*deploy)(
        void *ctx,
        const struct cloud_deploy *d,
        struct cloud_deploy_result *r,
        struct tpd_err *err);
    /* DeleteStack and wait until it is gone; retain_logical_id (may be NULL) is kept when
     * the stack is or ends in DELETE_FAILED. */
    enum tpd_code (*delete_stack)(
        void *ctx,
        const char *name,
        const char *retain_logical_id,
        int64_t deadline_ns,
        struct tpd_err *err);
    /* Wait while the stack is busy (*_IN_PROGRESS). */
    enum tpd_code (*wait_stack)(
        void *ctx, const char *name, int64_t deadline_ns, struct tpd_err *err);
    /* DeleteTable (a table in no stack) and wait until it is gone. */
    enum tpd_code (*delete_table)(
        void *ctx, const char *name, int64_t deadline_ns, struct tpd_err *err);
    /* Poll until the table and every GSI are ACTIVE with no backfill. */
    enum tpd_code (*wait_table_ready)(
        void *ctx, const char *table, int64_t deadline_ns, struct tpd_err *err);
    /* Carry out the repair steps in order (repair_plan.h): DynamoDB's one-change-at-a-time
     * waits and its "already so" answers are handled; nothing is decided. */
    enum tpd_code (*repair)(
        void *ctx, const struct repair_plan *p, int64_t deadline_ns, struct tpd_err *err);
    /* Sleep ns (never past deadline_ns): TPD_E_STOPPED on Terraform's stop. */
    enum tpd_code (*pause)(void *ctx, int64_t ns, int64_t deadline_ns);
    /* A new owner id (32 hex digits of a cryptographic random number). */
    enum tpd_code (*new_owner_id)(void *ctx, char out[33]);

    /* ---- restores (restore.h) ---- */
    /* The source of r: the backup (DescribeBackup: keys without types, indexes, status) or
     * the table (DescribeTable). TPD_E_NOT_FOUND when there is no such backup or table. */
    enum tpd_code (*read_restore_source)(
        void *ctx,
        const struct restore_spec *r,
        struct table_spec *out,
        char **status,
        struct tpd_err *err);
    /* Restore table want->name from r, with the overrides that make it as configured
     * (billing, capacities, indexes, encryption, on-demand limits). Returns once DynamoDB
     * accepted it: the table exists, CREATING. */
    enum tpd_code (*restore)(
        void *ctx,
        const struct restore_spec *r,
        const struct table_spec *want,
        struct tpd_err *err);
};

void cloud_strv_free(char **v);

#endif
