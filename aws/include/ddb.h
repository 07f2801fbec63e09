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

/* A secondary index as DescribeTable reports it (GlobalSecondaryIndexDescription,
 * LocalSecondaryIndexDescription); key types come from the table's
 * AttributeDefinitions. */
struct ddb_index {
    char *name;
    struct ddb_key_attr hash;
    struct ddb_key_attr range;
    char *projection_type; /* ALL, KEYS_ONLY, INCLUDE (NULL when absent) */
    char **non_key;        /* Projection.NonKeyAttributes, as reported */
    size_t non_key_count;
    int64_t read_capacity; /* GSI ProvisionedThroughput (0 for PAY_PER_REQUEST) */
    int64_t write_capacity;
    char *status;           /* GSI IndexStatus: CREATING, UPDATING, DELETING, ACTIVE */
    bool backfilling;       /* GSI Backfilling */
    int64_t on_demand_read; /* GSI OnDemandThroughput maxima; 0 when absent or -1 (none) */
    int64_t on_demand_write;
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
    struct ddb_index *gsis; /* GlobalSecondaryIndexes, as reported */
    size_t gsi_count;
    struct ddb_index *lsis; /* LocalSecondaryIndexes */
    size_t lsi_count;
    bool stream_enabled;    /* StreamSpecification.StreamEnabled */
    char *stream_view_type; /* with stream_enabled */
    char *stream_arn;       /* LatestStreamArn (also of a disabled stream, for a day) */
    char *sse_status;       /* SSEDescription.Status; NULL: AWS owned key */
    char *sse_type;         /* KMS | AES256 */
    char *sse_kms_key_arn;  /* KMSMasterKeyArn */
    char *table_class;      /* TableClassSummary.TableClass; NULL when absent */
    int64_t on_demand_read; /* OnDemandThroughput maxima; 0 when absent or -1 (none) */
    int64_t on_demand_write;
    int64_t warm_read; /* WarmThroughput units per second; 0 when absent */
    int64_t warm_write;
    char *replicas; /* Replicas' RegionName, ", "-separated; NULL: not a global table */
};
void ddb_table_clear(struct ddb_table *t);
enum tpd_code ddb_describe_table(
    struct aws_client *c, const char *name, struct ddb_table *out, struct tpd_err *err)
    TPD_MUST_CHECK;

struct ddb_ttl {
    char *status;    /* ENABLING, DISABLING, ENABLED, DISABLED */
    char *attribute; /* NULL when none */
};
void ddb_ttl_clear(struct ddb_ttl *t);
enum tpd_code ddb_describe_time_to_live(
    struct aws_client *c, const char *name, struct ddb_ttl *out, struct tpd_err *err)
    TPD_MUST_CHECK;
enum tpd_code ddb_update_time_to_live(
    struct aws_client *c,
    const char *name,
    const char *attribute,
    bool enabled,
    struct tpd_err *err) TPD_MUST_CHECK;

/* DescribeContinuousBackups: *pitr_enabled from PointInTimeRecoveryStatus == ENABLED;
 * *days (may be NULL) its RecoveryPeriodInDays, 0 when not reported. */
enum tpd_code ddb_describe_continuous_backups(
    struct aws_client *c, const char *name, bool *pitr_enabled, int64_t *days, struct tpd_err *err)
    TPD_MUST_CHECK;
/* UpdateContinuousBackups; days > 0 (with pitr_enabled only: DynamoDB refuses a period
 * when disabling) sends RecoveryPeriodInDays, else DynamoDB applies its default. */
enum tpd_code ddb_update_continuous_backups(
    struct aws_client *c, const char *name, bool pitr_enabled, int64_t days, struct tpd_err *err)
    TPD_MUST_CHECK;

struct ddb_tags {
    struct tpd_kv *v; /* sorted by key; values may be "" */
    size_t count;
};
void ddb_tags_clear(struct ddb_tags *t);
/* ListTagsOfResource, all pages, sorted by key. */
enum tpd_code ddb_list_tags_of_resource(
    struct aws_client *c, const char *arn, struct ddb_tags *out, struct tpd_err *err)
    TPD_MUST_CHECK;

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
enum tpd_code
ddb_create_table(struct aws_client *c, const struct ddb_create_table_input *in, struct tpd_err *err)
    TPD_MUST_CHECK;
/* One UpdateTable call. DynamoDB takes one table update at a time: wait for the
 * table to be ACTIVE again (ddb_wait_table) before the next. Fields left at their
 * zero value are not sent. */
enum ddb_tristate { DDB_UNSET = 0, DDB_FALSE, DDB_TRUE };

/* GlobalSecondaryIndexUpdates: Create (needs the key attributes in attr_defs), Delete,
 * or Update (ProvisionedThroughput). DynamoDB takes one Create or Delete per call. */
enum ddb_gsi_action { DDB_GSI_CREATE, DDB_GSI_DELETE, DDB_GSI_UPDATE };
struct ddb_gsi_update {
    enum ddb_gsi_action action;
    const char *name;
    const char *hash_name;       /* Create */
    const char *range_name;      /* Create; NULL: none */
    const char *projection_type; /* Create */
    const char *const *non_key;  /* Create, INCLUDE */
    size_t non_key_count;
    int64_t read_capacity; /* Create and Update: > 0 sends ProvisionedThroughput */
    int64_t write_capacity;
};
struct ddb_attr_def {
    const char *name;
    const char *type;
};

struct ddb_update_table_input {
    const char *name;
    const char *billing_mode; /* NULL: unchanged; "PROVISIONED" needs the capacities */
    int64_t read_capacity;    /* > 0: ProvisionedThroughput is sent */
    int64_t write_capacity;
    enum ddb_tristate deletion_protection;
    enum ddb_tristate stream;     /* TRUE: enable with stream_view_type; FALSE: disable */
    const char *stream_view_type; /* NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY */
    enum ddb_tristate sse;        /* TRUE: KMS (sse_kms_key, or the AWS managed key when
                                     NULL); FALSE: the AWS owned key */
    const char *sse_kms_key;
    const char *table_class; /* NULL: unchanged */
    bool on_demand;          /* send OnDemandThroughput with these maxima (-1: no limit) */
    int64_t on_demand_read;
    int64_t on_demand_write;
    int64_t warm_read; /* > 0: sent in WarmThroughput (which must be the only change) */
    int64_t warm_write;
    const struct ddb_gsi_update *gsi_updates;
    size_t gsi_update_count;
    const struct ddb_attr_def *attr_defs; /* AttributeDefinitions (with a GSI Create) */
    size_t attr_def_count;
};
enum tpd_code
ddb_update_table(struct aws_client *c, const struct ddb_update_table_input *in, struct tpd_err *err)
    TPD_MUST_CHECK;

/* TagResource / UntagResource on a table ARN. Values may be empty (DynamoDB allows
 * 0-256 characters); keys 1-128. */
enum tpd_code ddb_tag_resource(
    struct aws_client *c,
    const char *arn,
    const struct ddb_tag_in *tags,
    size_t count,
    struct tpd_err *err) TPD_MUST_CHECK;
enum tpd_code ddb_untag_resource(
    struct aws_client *c,
    const char *arn,
    const char *const *keys,
    size_t count,
    struct tpd_err *err) TPD_MUST_CHECK;

/* DescribeContributorInsights of the table (index NULL) or of one of its GSIs. */
struct ddb_contributor_insights {
    char *status; /* ENABLING, ENABLED, DISABLING, DISABLED, FAILED */
    char *mode;   /* ACCESSED_AND_THROTTLED_KEYS, THROTTLED_KEYS; NULL when not reported */
};
void ddb_contributor_insights_clear(struct ddb_contributor_insights *ci);
enum tpd_code ddb_describe_contributor_insights(
    struct aws_client *c,
    const char *table,
    const char *index,
    struct ddb_contributor_insights *out,
    struct tpd_err *err) TPD_MUST_CHECK;
/* UpdateContributorInsights ENABLE / DISABLE of the table (index NULL). */
enum tpd_code ddb_update_contributor_insights(
    struct aws_client *c, const char *table, const char *index, bool enable, struct tpd_err *err)
    TPD_MUST_CHECK;

/* GetResourcePolicy on the table's ARN: *present false when it has none
 * (PolicyNotFoundException). */
enum tpd_code ddb_get_resource_policy(
    struct aws_client *c, const char *arn, bool *present, struct tpd_err *err) TPD_MUST_CHECK;

/* GetResourcePolicy: *policy (caller frees) the document as DynamoDB returns it, NULL
 * when the table has none (PolicyNotFoundException). */
enum tpd_code ddb_read_resource_policy(
    struct aws_client *c, const char *arn, char **policy, struct tpd_err *err) TPD_MUST_CHECK;
/* PutResourcePolicy with the document as given. */
enum tpd_code ddb_put_resource_policy(
    struct aws_client *c, const char *arn, const char *policy, struct tpd_err *err) TPD_MUST_CHECK;
/* DeleteResourcePolicy; no policy (PolicyNotFoundException) is success: it is gone. */
enum tpd_code ddb_delete_resource_policy(struct aws_client *c, const char *arn, struct tpd_err *err)
    TPD_MUST_CHECK;

/* A Kinesis streaming destination as DescribeKinesisStreamingDestination reports it. */
struct ddb_kinesis_dest {
    char *arn;
    char *status;    /* ENABLING, ACTIVE, DISABLING, DISABLED, ENABLE_FAILED, UPDATING */
    char *precision; /* ApproximateCreationDateTimePrecision; NULL: not reported */
};
void ddb_kinesis_dests_free(struct ddb_kinesis_dest *v, size_t n);
/* Every destination of the table (*v NULL when none; ddb_kinesis_dests_free). */
enum tpd_code ddb_read_kinesis_destinations(
    struct aws_client *c,
    const char *table,
    struct ddb_kinesis_dest **v,
    size_t *n,
    struct tpd_err *err) TPD_MUST_CHECK;
/* EnableKinesisStreamingDestination / UpdateKinesisStreamingDestination with the
 * precision (NULL: none sent on enable, DynamoDB's MILLISECOND);
 * DisableKinesisStreamingDestination. */
enum tpd_code ddb_enable_kinesis_destination(
    struct aws_client *c,
    const char *table,
    const char *arn,
    const char *precision,
    struct tpd_err *err) TPD_MUST_CHECK;
enum tpd_code ddb_update_kinesis_destination(
    struct aws_client *c,
    const char *table,
    const char *arn,
    const char *precision,
    struct tpd_err *err) TPD_MUST_CHECK;
enum tpd_code ddb_disable_kinesis_destination(
    struct aws_client *c, const char *table, const char *arn, struct tpd_err *err) TPD_MUST_CHECK;

/* DescribeKinesisStreamingDestination: *streams (caller frees) gets the ARNs of the
 * destinations not DISABLED, ", "-separated, or NULL when there is none. */
enum tpd_code ddb_describe_kinesis_streaming_destination(
    struct aws_client *c, const char *table, char **streams, struct tpd_err *err) TPD_MUST_CHECK;

/* UpdateTable with only DeletionProtectionEnabled. */
enum tpd_code ddb_update_deletion_protection(
    struct aws_client *c, const char *name, bool enabled, struct tpd_err *err) TPD_MUST_CHECK;
enum tpd_code
ddb_delete_table(struct aws_client *c, const char *name, struct tpd_err *err) TPD_MUST_CHECK;

/* PutItem; item_json is a DynamoDB-JSON map, e.g. {"pk":{"S":"a"},"n":{"N":"1"}}. */
enum tpd_code
ddb_put_item(struct aws_client *c, const char *name, const char *item_json, struct tpd_err *err)
    TPD_MUST_CHECK;
/*
 * Scan the whole table (all pages). *count gets the number of items; items_json
 * (may be NULL) gets a canonical JSON array of the items (keys sorted, items sorted
 * by their text) so two scans can be compared with strcmp. Caller frees with free().
 */
enum tpd_code ddb_scan(
    struct aws_client *c, const char *name, int64_t *count, char **items_json, struct tpd_err *err)
    TPD_MUST_CHECK;

/* Poll DescribeTable until ACTIVE (or, gone=true, until not found). */
enum tpd_code ddb_wait_table(
    struct aws_client *c,
    const char *name,
    bool gone,
    int64_t poll_ns,
    int64_t deadline_ns,
    struct tpd_err *err) TPD_MUST_CHECK;

/* ---- backups and restores (docs/aws-behaviour.md §5.7) ---- */

/* DescribeBackup: the source table as the backup holds it, in out: name (the source
 * table's), status (BackupStatus: CREATING, AVAILABLE, DELETED), billing_mode, capacities,
 * hash and range key names, the indexes' names, keys and projections
 * (SourceTableFeatureDetails). DescribeBackup reports no AttributeDefinitions: every key
 * type is NULL. BackupNotFoundException is TPD_E_NOT_FOUND (aws_code kept). */
enum tpd_code ddb_describe_backup(
    struct aws_client *c, const char *arn, struct ddb_table *out, struct tpd_err *err)
    TPD_MUST_CHECK;

/* An index of a restore's GlobalSecondaryIndexOverride / LocalSecondaryIndexOverride. */
struct ddb_restore_index {
    const char *name;
    const char *hash;  /* key attribute names (KeySchema) */
    const char *range; /* NULL: none */
    const char *projection;
    const char *const *non_key;
    size_t non_key_count;
    int64_t read_capacity; /* GSI of a PROVISIONED restore; 0: no ProvisionedThroughput */
    int64_t write_capacity;
};

/* RestoreTableFromBackup (backup_arn) or RestoreTableToPointInTime (source_table, with
 * use_latest or restore_time, epoch seconds), with the overrides given. */
struct ddb_restore_input {
    const char *target;
    const char *backup_arn;
    const char *source_table;
    bool use_latest;
    int64_t restore_time;
    const char *billing_mode; /* BillingModeOverride; NULL: none */
    int64_t read_capacity;    /* ProvisionedThroughputOverride when > 0 */
    int64_t write_capacity;
    bool indexes_given; /* both index overrides are sent (possibly empty: none restored) */
    const struct ddb_restore_index *gsis;
    size_t gsi_count;
    const struct ddb_restore_index *lsis;
    size_t lsi_count;
    bool sse_given; /* SSESpecificationOverride */
    bool sse_enabled;
    const char *sse_kms_key; /* NULL: the AWS managed key (with sse_enabled) */
    int64_t on_demand_read;  /* OnDemandThroughputOverride when either is > 0 */
    int64_t on_demand_write;
};
enum tpd_code ddb_restore_table(
    struct aws_client *c, const struct ddb_restore_input *in, struct tpd_err *err) TPD_MUST_CHECK;
/* DescribeTable's RestoreSummary of table: *backup_arn (SourceBackupArn) and *table_arn
 * (SourceTableArn), NULL when absent (a table not made by a restore); caller frees. */
enum tpd_code ddb_restore_summary(
    struct aws_client *c,
    const char *table,
    char **backup_arn,
    char **table_arn,
    struct tpd_err *err) TPD_MUST_CHECK;

#endif
