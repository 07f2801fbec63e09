/*
 * drift: what differs between the table DynamoDB has and the table the configuration
 * asks for, as a list of repairs (pure).
 *
 * CloudFormation acts only on template changes: when a setting was changed outside
 * Terraform and the template already says the configured value, the stack update is
 * empty and the table stays wrong. After every stack operation the resource compares
 * the live table with the desired spec and sets back what differs with direct
 * DynamoDB calls (cloud_repair); the template stays the source of truth. The same
 * comparison previews an adoption ("current -> configured", adoption.h).
 *
 * Ownership: a drift_plan owns its strings (drift_plan_clear). Threads: pure.
 */
#ifndef TPD_DRIFT_H
#define TPD_DRIFT_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "table_spec.h"
#include "tpd_buf.h"
#include "tpd_kv.h"

enum drift_ttl {
    DRIFT_TTL_NONE,    /* nothing to do */
    DRIFT_TTL_ENABLE,  /* UpdateTimeToLive(attribute, true) */
    DRIFT_TTL_DISABLE, /* UpdateTimeToLive(live attribute, false) */
    DRIFT_TTL_RENAME,  /* enabled on another attribute: needs a disable, then an enable an
                          hour later; never done automatically */
};

/* A GSI whose capacity differs (UpdateTable GlobalSecondaryIndexUpdates Update). */
struct drift_gsi_capacity {
    char *name;
    int64_t read_capacity;
    int64_t write_capacity;
    int64_t read_from; /* live */
    int64_t write_from;
};

struct drift_plan {
    bool protection; /* set deletion protection to protection_to */
    bool protection_to;
    bool billing; /* set billing mode / capacities */
    bool provisioned_to;
    int64_t read_capacity_to;
    int64_t write_capacity_to;
    bool billing_mode_changes; /* PROVISIONED <-> PAY_PER_REQUEST (not only capacities) */
    bool pitr;                 /* set point-in-time recovery to pitr_to with pitr_days_to days */
    bool pitr_to;
    int64_t pitr_days_to; /* the effective period (table_spec_pitr_days); 0 when off */
    enum drift_ttl ttl;
    char *ttl_attribute;      /* ENABLE: the configured one; DISABLE and RENAME: the live one */
    char *ttl_attribute_want; /* RENAME: the configured one */
    struct tpd_kv *tags_set;  /* TagResource: missing or different (sorted) */
    size_t tags_set_count;
    char **tags_remove; /* UntagResource: keys the configuration does not have (sorted) */
    size_t tags_remove_count;
    bool stream; /* set the stream to stream_to (NULL: none); another view type is a new
                    stream: the old one is disabled first */
    char *stream_to;
    bool sse; /* set encryption to sse_to / sse_key_to (table_spec semantics) */
    bool sse_to;
    char *sse_key_to;
    bool table_class;
    char *table_class_to;
    bool on_demand; /* OnDemandThroughput maxima (0: no limit) */
    int64_t on_demand_read_to;
    int64_t on_demand_write_to;
    bool insights; /* contributor insights on the table */
    bool insights_to;
    struct drift_gsi_capacity *gsi_capacity;
    size_t gsi_capacity_count;
    struct table_index *gsi_missing; /* wanted, not on the table: created (sorted) */
    size_t gsi_missing_count;
    char **gsi_extra; /* on the table, not wanted: never deleted by a repair */
    size_t gsi_extra_count;
    char **gsi_changed; /* on the table with another definition than wanted */
    size_t gsi_changed_count;
    bool lsi_differs; /* the local secondary indexes differ: only a new table changes them */
    /* The resource policy differs as JSON (table_policy.h), when it was read
     * (table_live.features_read): set policy_to, or delete it (NULL). */
    bool policy;
    char *policy_to;
    /* Warm throughput below the configured one: raised to warm_*_to (> 0; 0: unchanged).
     * Above it is no repair (warm throughput never decreases): warm_lower names it. */
    bool warm;
    int64_t warm_read_to;
    int64_t warm_write_to;
    bool warm_lower;
    /* The Kinesis destination, when read: disable kinesis_disable (the live one), then
     * enable kinesis_enable with kinesis_precision_to; or only update the precision of the
     * live one (kinesis_update). */
    bool kinesis;
    char *kinesis_disable;
    char *kinesis_enable;
    char *kinesis_precision_to; /* NULL: DynamoDB's default */
    bool kinesis_update;
};

void drift_plan_clear(struct drift_plan *p);
/* Nothing a repair can do (extra, changed GSIs and LSI differences are not repairs). */
bool drift_plan_empty(const struct drift_plan *p);

/* Compare live (with tags read) with want. TPD_E_NOMEM only. */
enum tpd_code
drift_compute(const struct table_spec *want, const struct table_live *live, struct drift_plan *p);

/* One line per change, "  - billing mode: PROVISIONED (7 read, 3 write) -> PAY_PER_REQUEST",
 * with what it costs where it costs something (turning point-in-time recovery off
 * discards the recovery window). Appended to out. */
void drift_describe(
    const struct drift_plan *p, const struct table_live *live, struct tpd_text *out);

#endif
