/*
 * repair_plan: the ordered DynamoDB calls that set a table back to its configuration after
 * a stack operation (drift.h says what differs; CloudFormation acts only on template
 * changes). Everything is decided here, purely: the order (protection first when it turns
 * on, so the table is safe as early as possible; one UpdateTable per change, since
 * DynamoDB takes one table update at a time; indexes one by one; TTL last; protection last
 * when it turns off), the capacities an index needs when the table switches to
 * PROVISIONED, and the refusal of a TTL rename (two steps an hour apart). The executor
 * (cloud_ops.repair) only carries the list out.
 *
 * Ownership: a plan owns every string and array in it (repair_plan_clear).
 * Threads: pure.
 */
#ifndef TPD_REPAIR_PLAN_H
#define TPD_REPAIR_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drift.h"
#include "facts.h"
#include "table_spec.h"
#include "tpd_err.h"
#include "tpd_kv.h"

enum repair_kind {
    REPAIR_UPDATE_TABLE,      /* one UpdateTable, then wait until the table is ACTIVE */
    REPAIR_CREATE_INDEX,      /* UpdateTable creating `index`, with the attribute definitions */
    REPAIR_PITR,              /* UpdateContinuousBackups(on, pitr_days) */
    REPAIR_INSIGHTS,          /* UpdateContributorInsights(on) */
    REPAIR_TAG,               /* TagResource(tags) */
    REPAIR_UNTAG,             /* UntagResource(keys) */
    REPAIR_TTL,               /* UpdateTimeToLive(ttl_attribute, on) */
    REPAIR_POLICY,            /* PutResourcePolicy(policy), or DeleteResourcePolicy (NULL) */
    REPAIR_KINESIS_OFF,       /* DisableKinesisStreamingDestination(kinesis_arn) */
    REPAIR_KINESIS_ON,        /* EnableKinesisStreamingDestination(kinesis_arn, precision) */
    REPAIR_KINESIS_PRECISION, /* UpdateKinesisStreamingDestination(kinesis_arn, precision) */
};

/* A tristate for UpdateTable fields: unchanged, false, true. */
enum repair_tri { REPAIR_UNSET = 0, REPAIR_OFF, REPAIR_ON };

struct repair_gsi_capacity {
    char *name;
    int64_t read_capacity;
    int64_t write_capacity;
};

struct repair_step {
    enum repair_kind kind;
    const char *what; /* what the step does, for the log and errors (static text) */
    /* REPAIR_UPDATE_TABLE */
    enum repair_tri deletion_protection;
    char *billing_mode;    /* NULL: unchanged */
    int64_t read_capacity; /* > 0: ProvisionedThroughput */
    int64_t write_capacity;
    struct repair_gsi_capacity *gsi_capacity; /* GlobalSecondaryIndexUpdates Update */
    size_t gsi_capacity_count;
    enum repair_tri stream; /* ON: enable with stream_view_type; OFF: disable */
    char *stream_view_type;
    enum repair_tri sse; /* ON: KMS (sse_kms_key; NULL: the AWS managed key); OFF: owned */
    char *sse_kms_key;
    char *table_class;
    bool on_demand; /* OnDemandThroughput with these maxima (-1: no limit) */
    int64_t on_demand_read;
    int64_t on_demand_write;
    int64_t warm_read; /* > 0: WarmThroughput raised to these units (alone in its UpdateTable) */
    int64_t warm_write;
    /* REPAIR_CREATE_INDEX: the index, and the table's attribute definitions with its keys */
    struct table_index index;
    struct tpd_kv *attr_defs; /* name -> type */
    size_t attr_def_count;
    bool provisioned; /* the table is PROVISIONED: the index carries capacities */
    /* REPAIR_PITR, REPAIR_INSIGHTS, REPAIR_TTL */
    bool on;
    int64_t pitr_days; /* REPAIR_PITR with on: the recovery period (always sent) */
    char *ttl_attribute;
    /* REPAIR_POLICY */
    char *policy;
    /* REPAIR_KINESIS_*: the destination; precision NULL: DynamoDB's default */
    char *kinesis_arn;
    char *kinesis_precision;
    /* REPAIR_TAG, REPAIR_UNTAG */
    struct tpd_kv *tags;
    size_t tag_count;
    char **keys;
    size_t key_count;
};

struct repair_plan {
    char *table;
    char *arn;
    struct repair_step *steps;
    size_t count;
};
void repair_plan_clear(struct repair_plan *p);

/*
 * The steps that make live (as read after the stack operation) what want configures, given
 * the differences d = drift_compute(want, live). A DRIFT_TTL_RENAME is refused
 * (TPD_E_FAILED, err says the two steps); out of memory: TPD_E_NOMEM. An empty drift
 * gives an empty plan.
 */
enum tpd_code repair_plan_build(
    const struct drift_plan *d,
    const struct table_live *live,
    const struct table_spec *want,
    struct repair_plan *out,
    struct tpd_err *err);

/* The steps that create the indexes xs on the table live describes, one at a time (indexes
 * in the stack's template that were deleted outside Terraform: index_plan.h). */
enum tpd_code repair_plan_indexes(
    const struct table_live *live,
    const struct table_index *xs,
    size_t n,
    struct repair_plan *out,
    struct tpd_err *err);

#endif
