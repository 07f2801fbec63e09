/*
 * table_spec: one DynamoDB table in plain C — what the configuration asks for, or what
 * DynamoDB reports. Every decision of the resource (plan, path choice, adoption
 * preview, drift repair) and the template renderer work on this struct; Terraform
 * values are converted at the edges (table_value.h).
 *
 * Ownership: a spec owns its strings and tag array (heap); table_spec_clear frees
 * them and zeroes the struct. Threads: a spec belongs to one call.
 */
#ifndef TPD_TABLE_SPEC_H
#define TPD_TABLE_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "tpd_buf.h"
#include "tpd_err.h"
#include "tpd_kv.h"
#include "tpd_text.h"

struct table_key {
    char *name; /* NULL: no such key (range key) */
    char *type; /* "S" | "N" | "B" */
};

struct table_ttl {
    /* NULL: Time to Live never configured (the template then has no
     * TimeToLiveSpecification; a template never carries an empty attribute name). */
    char *attribute;
    bool enabled;
};

/* Projection types, named as in DynamoDB's Projection.ProjectionType. */
#define TABLE_PROJECTION_ALL "ALL"
#define TABLE_PROJECTION_KEYS_ONLY "KEYS_ONLY"
#define TABLE_PROJECTION_INCLUDE "INCLUDE"

/* A secondary index. The definition (keys, projection) of a GSI cannot change in place:
 * DynamoDB and CloudFormation only update its throughput, so another definition means
 * deleting and creating it again. An LSI exists only from the table's creation. */
struct table_index {
    char *name;
    struct table_key hash;  /* GSI: its partition key; LSI: the table's partition key */
    struct table_key range; /* GSI: optional sort key; LSI: its sort key */
    char *projection;       /* TABLE_PROJECTION_* */
    char **non_key;         /* INCLUDE only: the projected non-key attributes, sorted */
    size_t non_key_count;
    int64_t read_capacity; /* GSI of a PROVISIONED table; else 0 */
    int64_t write_capacity;
    /* Live specs only (DescribeTable): */
    char *status;            /* IndexStatus of a GSI: CREATING, UPDATING, DELETING, ACTIVE */
    bool backfilling;        /* a new GSI still being filled */
    int64_t on_demand_read;  /* OnDemandThroughput maxima of a GSI (0: none); this resource */
    int64_t on_demand_write; /* cannot express them */
};

struct table_spec {
    char *name;
    char *stack_name; /* desired specs only */
    struct table_key hash;
    struct table_key range;
    bool provisioned; /* else PAY_PER_REQUEST */
    int64_t read_capacity;
    int64_t write_capacity;
    struct table_ttl ttl;
    bool deletion_protection;
    bool pitr;
    /* PointInTimeRecoverySpecification.RecoveryPeriodInDays (1-35) while pitr is on; 0: not
     * configured (desired) or not reported (live), meaning DynamoDB's default
     * (table_spec_pitr_days). */
    int64_t pitr_days;
    bool retain_on_destroy; /* desired specs only */
    struct tpd_kv *tags;    /* table tags, sorted by key; values may be empty */
    size_t tag_count;
    struct table_index *gsis; /* global secondary indexes, sorted by name */
    size_t gsi_count;
    struct table_index *lsis; /* local secondary indexes, sorted by name */
    size_t lsi_count;
    char *stream_view_type; /* NULL: no stream */
    /* Encryption at rest: sse false is the AWS owned key; sse true is a KMS key, the
     * customer managed key sse_kms_key (an ARN), or with sse_kms_key NULL the AWS managed
     * key. A live spec holds the key DynamoDB reports in sse_kms_key whichever it is:
     * DescribeTable does not say whether a key is AWS managed (table_spec_sse_equal). */
    bool sse;
    char *sse_kms_key;
    char *table_class;      /* NULL: STANDARD (never configured, or not reported) */
    int64_t on_demand_read; /* OnDemandThroughput maxima (PAY_PER_REQUEST); 0: no limit */
    int64_t on_demand_write;
    bool contributor_insights;
    /* WarmThroughput units per second. Desired: 0 = not configured (not managed); live:
     * what DynamoDB reports (every table has one; it never decreases). */
    int64_t warm_read;
    int64_t warm_write;
    /* The table's resource policy, a JSON document (NULL: none). Desired: as configured;
     * live: as GetResourcePolicy returns it. Compared as JSON (table_policy.h). */
    char *resource_policy;
    /* The Kinesis streaming destination (NULL: none) and its
     * ApproximateCreationDateTimePrecision (NULL: DynamoDB's MILLISECOND). */
    char *kinesis_arn;
    char *kinesis_precision;
    /* Desired specs only: the configuration spelled these out (rather than leaving them to
     * their defaults), so an adoption that changes them is asked for. */
    bool table_class_set;
    bool insights_set;
};

void table_spec_clear(struct table_spec *s);
/* Deep copy (dst is overwritten, not cleared first). TPD_E_NOMEM leaves dst zeroed. */
enum tpd_code table_spec_copy(struct table_spec *dst, const struct table_spec *src);

void table_index_clear(struct table_index *x);
/* Deep copy, as table_spec_copy. */
enum tpd_code table_index_copy(struct table_index *dst, const struct table_index *src);
/* Free count indexes and the array. */
void table_index_array_free(struct table_index *v, size_t count);
/* Deep copy of count indexes into *out (NULL when count is 0). */
enum tpd_code
table_index_array_copy(const struct table_index *src, size_t count, struct table_index **out);
/* Sort by name. */
void table_index_array_sort(struct table_index *v, size_t count);
/* The index of that name, or NULL. */
const struct table_index *
table_index_find(const struct table_index *v, size_t count, const char *name);
/* Same definition: keys (names and types), projection type and projected attributes
 * (as sets). Capacities are not part of the definition. */
bool table_index_same_definition(const struct table_index *a, const struct table_index *b);
/* Same capacities (both 0 for PAY_PER_REQUEST). */
bool table_index_same_capacity(const struct table_index *a, const struct table_index *b);
/* "partition key status (S), sort key created_at (N), projection INCLUDE (a, b)". */
void table_index_describe(const struct table_index *x, struct tpd_text *b);
/* The index as one HCL object of global_secondary_indexes (gsi) or
 * local_secondary_indexes, on one line: { name = "...", hash_key = {...}, ... }.
 * Capacities only for a GSI of a provisioned table. */
void table_index_hcl(const struct table_index *x, bool gsi, bool provisioned, struct tpd_text *b);

/* The spec has a resource policy or a Kinesis destination: reading the table for it
 * includes them (cloud_read_request.with_features). */
bool table_spec_has_features(const struct table_spec *s);

/* The effective ApproximateCreationDateTimePrecision of the Kinesis destination:
 * MILLISECOND (DynamoDB's default) when none is set. */
const char *table_spec_kinesis_precision(const struct table_spec *s);

/* DynamoDB's default recovery period, in days (docs/aws-behaviour.md §5.7). */
#define TABLE_PITR_DEFAULT_DAYS 35
/* The effective recovery period of a spec with pitr on: TABLE_PITR_DEFAULT_DAYS when
 * pitr_days is 0; 0 while pitr is off. */
int64_t table_spec_pitr_days(const struct table_spec *s);

/* The effective table class: STANDARD when none is set. */
const char *table_spec_table_class(const struct table_spec *s);
/* want's encryption is what live has: the same kind, and for a customer managed key the
 * same key. A configuration asking for the AWS managed key (sse true, no key) matches any
 * KMS key DynamoDB reports: telling the AWS managed key from a customer managed one
 * would need KMS (DescribeKey), which this provider does not call. */
bool table_spec_sse_equal(const struct table_spec *want, const struct table_spec *live);

/* The attribute definitions of a spec: the table's keys, then the key attributes of its
 * indexes that are not table keys, sorted by name, each once. A name used with two
 * types gives TPD_E_INVALID with err naming it (validate.c refuses such configurations
 * first). *out (caller frees the array only: the strings are the spec's) is NULL when
 * there is no key. */
struct table_attr_def {
    const char *name;
    const char *type;
};
enum tpd_code table_spec_attr_defs(
    const struct table_spec *s, struct table_attr_def **out, size_t *count, struct tpd_err *err);

/* Stack name derived from a table name: '_' and '.' become '-', a leading non-letter
 * gets a "t-" prefix, at most 128 characters. Caller frees. NULL on no memory. */
char *table_spec_default_stack_name(const char *table_name);

/* Same hash key and range key (names and types). */
bool table_spec_keys_match(const struct table_spec *a, const struct table_spec *b);
/* "hash key id (S), range key at (N)" or "..., no range key", appended to out. */
void table_spec_describe_keys(const struct table_spec *s, struct tpd_text *out);

/* Tag keys starting with "aws:" are reserved for AWS (CloudFormation adds
 * aws:cloudformation:* tags to resources it creates); they are never ours. */
bool table_spec_is_system_tag(const char *key);

#endif
