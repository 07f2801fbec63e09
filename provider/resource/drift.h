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

struct drift_plan {
    bool protection; /* set deletion protection to protection_to */
    bool protection_to;
    bool billing; /* set billing mode / capacities */
    bool provisioned_to;
    int64_t read_capacity_to;
    int64_t write_capacity_to;
    bool billing_mode_changes; /* PROVISIONED <-> PAY_PER_REQUEST (not only capacities) */
    bool pitr;
    bool pitr_to;
    enum drift_ttl ttl;
    char *ttl_attribute;      /* ENABLE: the configured one; DISABLE and RENAME: the live one */
    char *ttl_attribute_want; /* RENAME: the configured one */
    struct tpd_kv *tags_set;  /* TagResource: missing or different (sorted) */
    size_t tags_set_count;
    char **tags_remove; /* UntagResource: keys the configuration does not have (sorted) */
    size_t tags_remove_count;
};

void drift_plan_clear(struct drift_plan *p);
bool drift_plan_empty(const struct drift_plan *p);

/* Compare live (with tags read) with want. TPD_E_NOMEM only. */
enum tpd_code
drift_compute(const struct table_spec *want, const struct table_live *live, struct drift_plan *out);

/* One line per change, "  - billing mode: PROVISIONED (7 read, 3 write) -> PAY_PER_REQUEST",
 * with what it costs where it costs something (turning point-in-time recovery off
 * discards the recovery window). Appended to out. */
void drift_describe(const struct drift_plan *p, const struct table_live *live, struct tpd_buf *out);

#endif
