/*
 * ddb: DynamoDB operations (JSON 1.0 protocol, API version 2012-08-10) with parsed
 * results, named after the API. Used by the provider to read the live table and by
 * tests to set things up outside Terraform.
 *
 * Errors: ResourceNotFoundException / TableNotFoundException → TPD_E_NOT_FOUND
 * (aws_code kept); other AWS errors TPD_E_AWS / TPD_E_THROTTLED with aws_code,
 * http_status and request_id; an unparseable 2xx body → TPD_E_PARSE naming the
 * operation.
 * Ownership: result structs are caller storage, zeroed on entry and on failure,
 * freed by their _clear function. Input strings are borrowed.
 * Threads: all functions may run concurrently on one client.
 */
#ifndef DDB_H
#define DDB_H

#include <stdbool.h>
#include <stdint.h>

#include "aws_client.h"
#include "tpd_kv.h"

struct ddb_key_attr {
    char *name; /* NULL when the table has no such key */
    char *type; /* "S", "N" or "B" (from AttributeDefinitions) */
};

struct ddb_table {
    char *name;
    char *arn;
    char *status; /* CREATING, ACTIVE, UPDATING, DELETING, ... */
    struct ddb_key_attr hash;
    struct ddb_key_attr range;
    char *billing_mode; /* "PROVISIONED" (also when BillingModeSummary is absent) or
                           "PAY_PER_REQUEST" */
    int64_t read_capacity;
    int64_t write_capacity;
    bool deletion_protection;
    int64_t item_count;
};
void ddb_table_clear(struct ddb_table *t);
enum tpd_code ddb_describe_table(
    struct aws_client *c, const char *name, struct ddb_table *out, struct tpd_err *err);

struct ddb_ttl {
    char *status;    /* ENABLING, DISABLING, ENABLED, DISABLED */
    char *attribute; /* NULL when none */
};
void ddb_ttl_clear(struct ddb_ttl *t);
enum tpd_code ddb_describe_time_to_live(
    struct aws_client *c, const char *name, struct ddb_ttl *out, struct tpd_err *err);
enum tpd_code ddb_update_time_to_live(
    struct aws_client *c,
    const char *name,
    const char *attribute,
    bool enabled,
    struct tpd_err *err);

/* DescribeContinuousBackups: *pitr_enabled from PointInTimeRecoveryStatus == ENABLED. */
enum tpd_code ddb_describe_continuous_backups(
    struct aws_client *c, const char *name, bool *pitr_enabled, struct tpd_err *err);
enum tpd_code ddb_update_continuous_backups(
    struct aws_client *c, const char *name, bool pitr_enabled, struct tpd_err *err);

struct ddb_tags {
    struct tpd_kv *v; /* sorted by key; values may be "" */
    size_t count;
};
void ddb_tags_clear(struct ddb_tags *t);
/* ListTagsOfResource, all pages, sorted by key. */
enum tpd_code ddb_list_tags_of_resource(
    struct aws_client *c, const char *arn, struct ddb_tags *out, struct tpd_err *err);

struct ddb_tag_in {
    const char *key;
    const char *value;
};

struct ddb_create_table_input {
    const char *name;
    const char *hash_name;
    const char *hash_type;  /* "S", "N", "B" */
    const char *range_name; /* NULL: no range key */
    const char *range_type;
    const char *billing_mode; /* "PAY_PER_REQUEST" or "PROVISIONED" (NULL = PROVISIONED) */
    int64_t read_capacity;    /* PROVISIONED only */
    int64_t write_capacity;
    bool deletion_protection;
    const struct ddb_tag_in *tags;
    size_t tag_count;
};
enum tpd_code ddb_create_table(
    struct aws_client *c, const struct ddb_create_table_input *in, struct tpd_err *err);
/* One UpdateTable call. DynamoDB takes one table update at a time: wait for the
 * table to be ACTIVE again (ddb_wait_table) before the next. Fields left at their
 * zero value are not sent. */
enum ddb_tristate { DDB_UNSET = 0, DDB_FALSE, DDB_TRUE };
struct ddb_update_table_input {
    const char *name;
    const char *billing_mode; /* NULL: unchanged; "PROVISIONED" needs the capacities */
    int64_t read_capacity;    /* > 0: ProvisionedThroughput is sent */
    int64_t write_capacity;
    enum ddb_tristate deletion_protection;
};
enum tpd_code ddb_update_table(
    struct aws_client *c, const struct ddb_update_table_input *in, struct tpd_err *err);

/* TagResource / UntagResource on a table ARN. Values may be empty (DynamoDB allows
 * 0-256 characters); keys 1-128. */
enum tpd_code ddb_tag_resource(
    struct aws_client *c,
    const char *arn,
    const struct ddb_tag_in *tags,
    size_t count,
    struct tpd_err *err);
enum tpd_code ddb_untag_resource(
    struct aws_client *c,
    const char *arn,
    const char *const *keys,
    size_t count,
    struct tpd_err *err);

/* UpdateTable with only DeletionProtectionEnabled. */
enum tpd_code ddb_update_deletion_protection(
    struct aws_client *c, const char *name, bool enabled, struct tpd_err *err);
enum tpd_code ddb_delete_table(struct aws_client *c, const char *name, struct tpd_err *err);

/* PutItem; item_json is a DynamoDB-JSON map, e.g. {"pk":{"S":"a"},"n":{"N":"1"}}. */
enum tpd_code
ddb_put_item(struct aws_client *c, const char *name, const char *item_json, struct tpd_err *err);
/*
 * Scan the whole table (all pages). *count gets the number of items; items_json
 * (may be NULL) gets a canonical JSON array of the items (keys sorted, items sorted
 * by their text) so two scans can be compared with strcmp. Caller frees with free().
 */
enum tpd_code ddb_scan(
    struct aws_client *c, const char *name, int64_t *count, char **items_json, struct tpd_err *err);

/* Poll DescribeTable until ACTIVE (or, gone=true, until not found). */
enum tpd_code ddb_wait_table(
    struct aws_client *c,
    const char *name,
    bool gone,
    int64_t poll_ns,
    int64_t deadline_ns,
    struct tpd_err *err);

#endif
