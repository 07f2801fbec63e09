/*
 * cloud: the AWS operations the dynamodb_ttl_table resource needs, in the
 * resource's own vocabulary, implemented over aws/ (DynamoDB, CloudFormation,
 * waiters). It holds the change-set mechanics (create, wait, execute or discard
 * when empty, wait for the stack, collect the events' reasons on failure) so that
 * ttl_table.c only decides which path to take.
 *
 * Ownership: every out-struct is filled by the call and freed by its _clear
 * function (also after a failure: out-structs are zeroed first). Strings passed in
 * are borrowed. Errors: TPD_E_NOT_FOUND for a missing table/stack; AWS failures carry
 * the AWS code/message in err; TPD_E_STOPPED / TPD_E_TIMEOUT from waits.
 * Threads: a struct cloud is shared by all the provider's threads; every function is
 * thread-safe.
 */
#ifndef TPD_CLOUD_H
#define TPD_CLOUD_H

#include <stdbool.h>
#include <stdint.h>

#include "tpd_clock.h"
#include "tpd_err.h"
#include "ttl_spec.h"

struct provider_config;
struct cloud;
struct aws_client_options;

/* The AWS client options for a provider configuration (strings borrowed from cfg). */
void cloud_client_options(
    const struct provider_config *cfg, struct tpd_stop *stop, struct aws_client_options *o);

/* Build the AWS client from the provider configuration (AWS conventions fill gaps).
 * Returns NULL and fills err when the configuration cannot work (no region...). */
struct cloud *
cloud_new(const struct provider_config *cfg, struct tpd_stop *stop, struct tpd_err *err);
void cloud_free(struct cloud *c);

struct cloud_table {
    struct ttl_spec
        spec; /* name, keys, billing, capacities, protection (+ttl, pitr, tags if read) */
    char *arn;
    char *status;
    int64_t item_count;
};
void cloud_table_clear(struct cloud_table *t);

/* DescribeTable: keys, billing, capacities, protection, arn, status. */
enum tpd_code cloud_describe_table(
    struct cloud *c, const char *name, struct cloud_table *out, struct tpd_err *err);
/* DescribeTimeToLive: *status ("ENABLED", "DISABLED", ...) and *attribute (NULL when none). */
enum tpd_code cloud_describe_ttl(
    struct cloud *c, const char *name, char **status, char **attribute, struct tpd_err *err);
/* DescribeContinuousBackups: point-in-time recovery on/off. */
enum tpd_code
cloud_describe_pitr(struct cloud *c, const char *name, bool *enabled, struct tpd_err *err);
/* ListTagsOfResource into spec->tags (sorted). */
enum tpd_code
cloud_list_tags(struct cloud *c, const char *arn, struct ttl_spec *spec, struct tpd_err *err);

struct cloud_output {
    char *key;
    char *value;
    char *export_name; /* NULL when not exported */
};

struct cloud_stack {
    char *id;
    char *name;
    char *status;
    char *status_reason;
    struct cloud_output *outputs;
    size_t output_count;
    struct ttl_spec_tag *tags;
    size_t tag_count;
};
void cloud_stack_clear(struct cloud_stack *s);

/* DescribeStacks by name: TPD_E_NOT_FOUND when no such (live) stack. */
enum tpd_code cloud_describe_stack(
    struct cloud *c, const char *name, struct cloud_stack *out, struct tpd_err *err);

/* Which stack owns this table (DescribeStackResources by physical id): the stack
 * name in *stack_name (caller frees), TPD_E_NOT_FOUND when no stack owns it. */
enum tpd_code
cloud_find_owner_stack(struct cloud *c, const char *table, char **stack_name, struct tpd_err *err);

enum cloud_deploy_type { CLOUD_DEPLOY_CREATE, CLOUD_DEPLOY_UPDATE, CLOUD_DEPLOY_IMPORT };

struct cloud_deploy {
    const char *stack_name;
    enum cloud_deploy_type type;
    const char *template_body;
    const struct ttl_spec_tag *tags; /* stack tags (CREATE/UPDATE); may be NULL */
    size_t tag_count;
    const char *import_table; /* IMPORT: the TableName to adopt */
    int64_t deadline_ns;      /* monotonic; 0 = none */
};

struct cloud_deploy_result {
    char *stack_id; /* known as soon as the change set exists */
    bool empty;     /* UPDATE with nothing to change: success, change set deleted */
    char *final_status;
};
void cloud_deploy_result_clear(struct cloud_deploy_result *r);

/*
 * Create a change set, wait until it can execute, execute it and wait for the
 * stack to settle. An UPDATE with no changes is success (r->empty, the change set
 * is deleted). On failure err holds the status and the stack events' reasons;
 * r->stack_id is set whenever a stack exists, so the caller can record it.
 */
enum tpd_code cloud_deploy(
    struct cloud *c,
    const struct cloud_deploy *d,
    struct cloud_deploy_result *r,
    struct tpd_err *err);

/* Wait until a stack is not *_IN_PROGRESS (any settled status), filling *out. */
enum tpd_code cloud_wait_stack_settled(
    struct cloud *c,
    const char *name,
    int64_t deadline_ns,
    struct cloud_stack *out,
    struct tpd_err *err);

/*
 * DeleteStack and wait for DELETE_COMPLETE. retain_table: keep the table (the
 * template's DeletionPolicy Retain, and RetainResources when the stack is in
 * DELETE_FAILED). DELETE_FAILED: TPD_E_FAILED with the events' reasons.
 */
enum tpd_code cloud_delete_stack(
    struct cloud *c, const char *name, bool retain_table, int64_t deadline_ns, struct tpd_err *err);

/* Whether the deployed template of the stack keeps the table on delete
 * (DeletionPolicy Retain on the table's logical ID), read with GetTemplate. */
enum tpd_code cloud_template_retains_table(
    struct cloud *c, const char *stack, bool *retains, struct tpd_err *err);

/* Names of the stacks importing any export of this stack (ListImports per export).
 * *names is a NULL-terminated array the caller frees with cloud_strv_free. */
enum tpd_code cloud_list_importers(
    struct cloud *c,
    const struct cloud_stack *stack,
    char ***names,
    size_t *count,
    struct tpd_err *err);
void cloud_strv_free(char **v);

/* DeleteTable (a table no stack owns) and wait until it is gone. */
enum tpd_code
cloud_delete_table(struct cloud *c, const char *name, int64_t deadline_ns, struct tpd_err *err);

#endif
