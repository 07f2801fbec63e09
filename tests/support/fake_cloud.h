/*
 * fake_cloud: a fake cloud_ops (provider/resource/private/cloud_ops.h) over a small world held as
 * structs — one DynamoDB table and the CloudFormation stacks by name — so that the
 * resource's plan, apply, refresh and import are tested without AWS wire text
 * (tests/unit/test_resource.c). The wire is tested in tests/aws.
 *
 * The acts change the world as AWS would, for what the resource relies on:
 *   - deploy CREATE makes the stack and, from its template, the table; when the table
 *     exists already, the stack rolls back (ROLLBACK_COMPLETE, holding nothing) and the
 *     table is untouched;
 *   - deploy IMPORT puts the existing table in the stack (a new one, or the named one);
 *     a table in another stack, or no table, fails;
 *   - deploy UPDATE replaces the template; the table takes the properties that differ
 *     between the old and the new template (DeletionProtectionEnabled, BillingMode and
 *     ProvisionedThroughput, PointInTimeRecoverySpecification, TimeToLiveSpecification,
 *     StreamSpecification, SSESpecification, TableClass, ContributorInsightsSpecification,
 *     Tags, GlobalSecondaryIndexes); it rolls back, as CloudFormation's, when it creates or
 *     deletes more than one index or drops SSESpecification; the same template and tags
 *     again is an empty change set;
 *   - delete_stack removes the stack and deletes its table unless the template's
 *     DeletionPolicy retains it; a protected table leaves the stack DELETE_FAILED unless
 *     retain_logical_id names it (cfn_deploy_delete_stack then deletes again, retaining
 *     it); a stack in DELETE_FAILED is removed keeping retain_logical_id;
 *   - delete_table deletes an unprotected table; repair applies each step to the table;
 *     wait_stack settles a busy stack; wait_table_ready makes the table and its indexes
 *     ACTIVE; pause lets a TTL change settle.
 * Every act is appended to a log, one line each, which the test compares:
 *   "deploy create s1", "deploy update s1 (empty)", "deploy import s2 (rolled back)",
 *   "delete_stack s1 retain=Table", "delete_stack s1 (DELETE_FAILED)", "wait_stack s1",
 *   "delete_table t1", "repair t1: switching deletion protection on",
 *   "repair t1: creating an index again gsi_a"; a failure injected into an act adds
 *   " (failed)". Reads are counted (fc->calls; the table's by how much of it was asked
 * for, fc->table_reads), not logged; a CLOUD_TABLE_DESCRIBE read reports no TTL, backups,
 * contributor insights or tags, as DescribeTable alone does not.
 *
 * Failures are injected per operation (the Nth call fails with a code), for deploy also
 * how far it got (refused before executing, rolled back, or interrupted while the stack
 * changes). fc_before runs a function just before the Nth call of an operation acts (a
 * second apply racing this one). new_owner_id mints "f0000000000000000000000000000001",
 * "...02", ...; stack ids are "arn:aws:cloudformation:us-east-1:123456789012:stack/NAME/000N"
 * in the order stacks are made (FC_STACK_ID).
 *
 * Ownership: the world owns everything in it (fc_free); strings passed in are copied.
 * Threads: one thread (the reentrant call of fc_before included).
 */
#ifndef TPD_FAKE_CLOUD_H
#define TPD_FAKE_CLOUD_H

#include <stdbool.h>
#include <stddef.h>

#include "cloud_ops.h"
#include "facts.h"
#include "facts_handoff.h"
#include "table_spec.h"
#include "tpd_buf.h"
#include "tpd_err.h"
#include "tpd_kv.h"

#define FC_MAX_STACKS 8
#define FC_MAX_FAILS 8
#define FC_MAX_DEPLOYS 16
#define FC_ARN_PREFIX "arn:aws:dynamodb:us-east-1:123456789012:table/"
/* The key DynamoDB reports for a table encrypted with the AWS managed key. */
#define FC_AWS_MANAGED_KEY "arn:aws:kms:us-east-1:123456789012:key/aws-managed-dynamodb"
/* The id of the nth stack the world made, named name. */
#define FC_STACK_ID(name, n) "arn:aws:cloudformation:us-east-1:123456789012:stack/" name "/000" #n
/* The nth owner id new_owner_id gives. */
#define FC_MINTED(n) "f000000000000000000000000000000" #n

enum fc_op {
    FC_READ,
    FC_READ_EXTRAS,
    FC_READ_TTL,
    FC_COMPLETE_STACK,
    FC_LIST_IMPORTERS,
    FC_GET_TEMPLATE,
    FC_DEPLOY,
    FC_DELETE_STACK,
    FC_WAIT_STACK,
    FC_DELETE_TABLE,
    FC_WAIT_TABLE,
    FC_REPAIR,
    FC_PAUSE,
    FC_NEW_OWNER_ID,
    FC_READ_RESTORE_SOURCE,
    FC_RESTORE,
    FC_OP_COUNT
};

/* How far an injected deploy failure got. */
enum fc_deploy_fail {
    FC_DEPLOY_REFUSED,     /* the change set failed: nothing changed, not executed (a new
                              stack stays REVIEW_IN_PROGRESS, as CloudFormation leaves it) */
    FC_DEPLOY_ROLLED_BACK, /* executed, then rolled back: nothing changed but the status */
    FC_DEPLOY_INTERRUPTED, /* executed, the wait ended (a stop, a timeout): the change is
                              made, the stack stays *_IN_PROGRESS until wait_stack */
};

struct fc_stack {
    char *name;
    char *id;
    char *status;
    char *settles_to; /* busy: the status wait_stack leaves it in; NULL: settled */
    char *status_reason;
    char *template_body;   /* the template deployed (JSON); for REVIEW_IN_PROGRESS the
                              change set's; NULL: none */
    char *table;           /* physical id of its AWS::DynamoDB::Table; NULL: no such resource */
    char *logical_id;      /* that resource's logical id */
    char *table_status;    /* that resource's status */
    char *other_resources; /* the rest: "Queue (AWS::SQS::Queue)"; NULL: nothing else */
    size_t other_count;
    bool by_provider; /* made by a deploy: its events carry this provider's tokens */
    struct tpd_kv *tags;
    size_t tag_count;
    char *importer; /* a stack importing one of its exports; NULL: none */
};

struct fc_fail {
    enum fc_op op;
    unsigned nth;   /* the first call that fails (1: the first) */
    unsigned count; /* how many in a row; 0: every call from nth on */
    enum tpd_code code;
    char *aws_code; /* NULL: not an AWS error */
    char *message;
    enum fc_deploy_fail how; /* FC_DEPLOY only */
};

struct fake_cloud {
    struct cloud_ops ops; /* the seam; ctx is this world */
    struct table_live table;
    struct fc_stack stacks[FC_MAX_STACKS];
    size_t stack_count;
    unsigned calls[FC_OP_COUNT];
    /* The source of a restore (a backup, or a table with point-in-time recovery), when
     * restore_source.name is set: its keys with their types and its indexes. A backup
     * (restore_backup) reports no key types; restore_status is the backup's status. A
     * restore makes the table from it as DynamoDB does: the source's keys, the configured
     * billing, capacities, encryption, on-demand limits and indexes (each must be one of the
     * source's: else ValidationException), nothing else (no TTL, tags, stream, recovery,
     * protection), CREATING until wait_table_ready; an existing table fails
     * (TableAlreadyExistsException). Logged "restore t1". */
    struct table_spec restore_source;
    bool restore_backup;
    char *restore_status;
    unsigned table_reads[3]; /* reads of the table by enum cloud_table_read */
    /* The plan-to-apply hand-off (facts_handoff.h, the real one), on the world's clock
     * now_ns (tests move it); how many facts were stashed and taken. */
    struct facts_handoff *handoff;
    int64_t now_ns;
    unsigned stashed, taken;
    /* Internal: */
    unsigned stacks_made, owners_minted;
    struct fc_fail fails[FC_MAX_FAILS];
    size_t fail_count;
    char *deployed[FC_MAX_DEPLOYS]; /* template bodies, in the order deployed */
    size_t deploy_count;
    enum fc_op hook_op;
    unsigned hook_nth;
    void (*hook)(void *arg);
    void *hook_arg;
    struct tpd_buf log;
};

struct fake_cloud *fc_new(void);
void fc_free(struct fake_cloud *fc);

/* The table as DynamoDB reports it after being made from spec: ACTIVE, indexes ACTIVE,
 * TTL ENABLED or DISABLED, ARN FC_ARN_PREFIX name. */
void fc_set_table(struct fake_cloud *fc, const struct table_spec *spec);
/* The template this provider renders for spec with owner (NULL: none): caller frees. */
char *fc_template(const struct table_spec *spec, const char *owner);

/* A stack that exists already (id: the next FC_STACK_ID), holding table (NULL: nothing)
 * under the logical id its template gives (else "Table"), resource status
 * CREATE_COMPLETE. Returned for changes to its fields (valid until a stack is removed). */
struct fc_stack *fc_add_stack(
    struct fake_cloud *fc,
    const char *name,
    const char *status,
    const char *template_body,
    const char *table);
struct fc_stack *fc_stack(struct fake_cloud *fc, const char *name);
/* Set a string field of the world (NULL allowed), freeing the old value. */
void fc_set(char **field, const char *value);
/* The stack holding the table as a live resource, as DescribeStackResources says; NULL. */
const char *fc_owner_stack(const struct fake_cloud *fc);

/* Calls nth .. nth+count-1 of op (count 0: every call from nth on) fail with code; with
 * aws_code, as an AWS error. */
void fc_fail(
    struct fake_cloud *fc,
    enum fc_op op,
    unsigned nth,
    unsigned count,
    enum tpd_code code,
    const char *aws_code,
    const char *message);
/* The nth deploy fails, having got as far as how says. */
void fc_fail_deploy(
    struct fake_cloud *fc,
    unsigned nth,
    enum fc_deploy_fail how,
    enum tpd_code code,
    const char *message);
/* Run fn(arg) once, just before the nth call of op acts. */
void fc_before(struct fake_cloud *fc, enum fc_op op, unsigned nth, void (*fn)(void *), void *arg);

/* Terraform starts a new provider process for the next walk (plan, then apply: their
 * hand-off of facts does not cross it): drop what was handed off. */
void fc_new_process(struct fake_cloud *fc);

/* The acts so far, one per line ("" when none). */
const char *fc_log(const struct fake_cloud *fc);
void fc_log_clear(struct fake_cloud *fc);
/* The template body of the nth deploy (0-based), NULL if none. */
const char *fc_deployed(const struct fake_cloud *fc, size_t nth);

#endif
