/*
 * cloud_repair: the repair executor (cloud_ops.repair): carries out a repair_plan's steps
 * in order with direct DynamoDB calls. It decides nothing (repair_plan.c did); it handles
 * DynamoDB's mechanics: one table update at a time (a busy table is waited for, then the
 * update sent once more), a wait until the table is ACTIVE after each update, and the
 * answers that say a change is already made.
 *
 * DynamoDB's updates are not idempotent: when an answer is lost after DynamoDB acted, the
 * client's retry meets the change already made and DynamoDB refuses it
 * (ValidationException: "Time to live has been modified multiple times", "TimeToLive is
 * already enabled", a stream already disabled...; docs/aws-behaviour.md). A step that is
 * refused with ValidationException is therefore checked against the table as it is now:
 * when the table already has what the step sets, the step is done.
 */
#include <stdlib.h>
#include <string.h>

#include "cloud_internal.h"
#include "ddb.h"
#include "repair_plan.h"
#include "tpd_alloc.h"
#include "tpd_log.h"
#include "tpd_text.h"

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

/* "ACTIVE" or "UPDATING; index by_status CREATING (backfilling)": what a wait reports. */
static void s_table_progress(const struct ddb_table *t, struct tpd_text *b) {
    tpd_text_append(b, t->status ? t->status : "?");
    for (size_t i = 0; i < t->gsi_count; i++) {
        const struct ddb_index *x = &t->gsis[i];
        if (!s_eq(x->status, "ACTIVE") || x->backfilling) {
            tpd_text_printf(
                b,
                "; index %s %s%s",
                x->name,
                x->status ? x->status : "?",
                x->backfilling ? " (backfilling)" : "");
        }
    }
}

/* The progress for a log line or an error: what could not be written is said, not cut. */
static const char *s_progress_cstr(const struct tpd_text *now) {
    switch (now->rc) {
        case TPD_OK:
            return tpd_text_cstr(now);
        case TPD_E_TOO_LARGE:
            return "(the table's status is too long to show)";
        default:
            return "(out of memory writing the table's status)";
    }
}

enum tpd_code
cloud_wait_table_ready(void *ctx, const char *table, int64_t deadline_ns, struct tpd_err *err) {
    struct cloud *c = ctx;
    struct aws_wait_options wo = cloud_wait_opts(c, deadline_ns);
    struct tpd_buf last;
    struct tpd_text now;
    tpd_buf_init(&last, TPD_MAX_ERROR_MSG);
    tpd_text_init(&now, TPD_MAX_ERROR_MSG);
    enum tpd_code rc = TPD_OK;
    for (int n = 0;; n++) {
        struct ddb_table t = {0};
        rc = ddb_describe_table(c->aws, table, &t, err);
        if (rc) {
            break;
        }
        bool ready = s_eq(t.status, "ACTIVE");
        for (size_t i = 0; ready && i < t.gsi_count; i++) {
            ready = s_eq(t.gsis[i].status, "ACTIVE") && !t.gsis[i].backfilling;
        }
        tpd_text_clear(&now);
        s_table_progress(&t, &now);
        ddb_table_clear(&t);
        if (ready) {
            break;
        }
        const char *progress = s_progress_cstr(&now);
        if (!tpd_span_eq(tpd_span_cstr(progress), tpd_buf_span(&last))) {
            TPD_INFO("table %s: %s: waiting until it and its indexes are ACTIVE", table, progress);
            /* Without the copy the next poll logs the same progress again, nothing worse. */
            if (tpd_buf_set(&last, tpd_span_cstr(progress)) != TPD_OK) {
                tpd_buf_reset(&last);
            }
        }
        rc = aws_waiter_sleep(c->aws, &wo, n);
        if (rc) {
            tpd_err_set(
                err,
                rc,
                "waiting for table %s and its indexes to be ACTIVE: %s (last: %s)",
                table,
                rc == TPD_E_STOPPED ? "stopped on request" : "timed out",
                s_progress_cstr(&now));
            break;
        }
    }
    tpd_buf_clear(&last);
    tpd_text_clear(&now);
    return rc;
}

/* UpdateTable, then wait until the table and its indexes are ACTIVE: DynamoDB takes one
 * table update (and one index build) at a time. */
static enum tpd_code s_update_table(
    struct cloud *c,
    const struct ddb_update_table_input *in,
    int64_t deadline_ns,
    struct tpd_err *err) {
    enum tpd_code rc = ddb_update_table(c->aws, in, err);
    if (rc && tpd_err_is_aws(err, "ResourceInUseException")) {
        /* The table (or an index) is still changing — after a stack update, or a change
         * made outside Terraform: DynamoDB takes one change at a time. Wait, then once
         * more. */
        tpd_err_clear(err);
        rc = cloud_wait_table_ready(c, in->name, deadline_ns, err);
        if (!rc) {
            rc = ddb_update_table(c->aws, in, err);
        }
    }
    if (!rc) {
        rc = cloud_wait_table_ready(c, in->name, deadline_ns, err);
    }
    return rc;
}

/* The UpdateTable of a step (borrowing the step's strings). */
static enum tpd_code s_update_input(
    const struct repair_plan *p,
    const struct repair_step *s,
    struct ddb_update_table_input *in,
    struct ddb_gsi_update **gsi,
    struct ddb_attr_def **defs) {
    memset(in, 0, sizeof(*in));
    *gsi = NULL;
    *defs = NULL;
    in->name = p->table;
    if (s->kind == REPAIR_CREATE_INDEX) {
        const struct table_index *x = &s->index;
        *gsi = tpd_calloc(1, sizeof(**gsi));
        *defs = tpd_calloc(s->attr_def_count ? s->attr_def_count : 1, sizeof(**defs));
        if (!*gsi || !*defs) {
            return TPD_E_NOMEM;
        }
        for (size_t i = 0; i < s->attr_def_count; i++) {
            (*defs)[i].name = s->attr_defs[i].key;
            (*defs)[i].type = s->attr_defs[i].value;
        }
        **gsi = (struct ddb_gsi_update){
            .action = DDB_GSI_CREATE,
            .name = x->name,
            .hash_name = x->hash.name,
            .range_name = x->range.name,
            .projection_type = x->projection ? x->projection : "ALL",
            .non_key = (const char *const *)x->non_key,
            .non_key_count = x->non_key_count,
            .read_capacity = s->provisioned ? x->read_capacity : 0,
            .write_capacity = s->provisioned ? x->write_capacity : 0,
        };
        in->gsi_updates = *gsi;
        in->gsi_update_count = 1;
        in->attr_defs = *defs;
        in->attr_def_count = s->attr_def_count;
        return TPD_OK;
    }
    static const enum ddb_tristate tri[] = {DDB_UNSET, DDB_FALSE, DDB_TRUE};
    in->deletion_protection = tri[s->deletion_protection];
    in->billing_mode = s->billing_mode;
    in->read_capacity = s->read_capacity;
    in->write_capacity = s->write_capacity;
    in->stream = tri[s->stream];
    in->stream_view_type = s->stream_view_type;
    in->sse = tri[s->sse];
    in->sse_kms_key = s->sse_kms_key;
    in->table_class = s->table_class;
    in->on_demand = s->on_demand;
    in->on_demand_read = s->on_demand_read;
    in->on_demand_write = s->on_demand_write;
    in->warm_read = s->warm_read;
    in->warm_write = s->warm_write;
    if (s->gsi_capacity_count) {
        *gsi = tpd_calloc(s->gsi_capacity_count, sizeof(**gsi));
        if (!*gsi) {
            return TPD_E_NOMEM;
        }
        for (size_t i = 0; i < s->gsi_capacity_count; i++) {
            (*gsi)[i] = (struct ddb_gsi_update){
                .action = DDB_GSI_UPDATE,
                .name = s->gsi_capacity[i].name,
                .read_capacity = s->gsi_capacity[i].read_capacity,
                .write_capacity = s->gsi_capacity[i].write_capacity,
            };
        }
        in->gsi_updates = *gsi;
        in->gsi_update_count = s->gsi_capacity_count;
    }
    return TPD_OK;
}

/* The table already has what the UpdateTable step sets (read now). */
static bool
s_update_done(struct cloud *c, const struct repair_plan *p, const struct repair_step *s) {
    struct ddb_table t = {0};
    struct tpd_err e = {0};
    bool done = ddb_describe_table(c->aws, p->table, &t, &e) == TPD_OK;
    if (done && s->kind == REPAIR_CREATE_INDEX) {
        bool found = false;
        for (size_t i = 0; i < t.gsi_count; i++) {
            found = found || s_eq(t.gsis[i].name, s->index.name);
        }
        done = found;
    }
    if (done && s->deletion_protection) {
        done = t.deletion_protection == (s->deletion_protection == REPAIR_ON);
    }
    if (done && s->billing_mode) {
        done = s_eq(t.billing_mode, s->billing_mode);
    }
    if (done && s->read_capacity > 0) {
        done = t.read_capacity == s->read_capacity && t.write_capacity == s->write_capacity;
    }
    if (done && s->stream) {
        done = s->stream == REPAIR_ON
                   ? t.stream_enabled && s_eq(t.stream_view_type, s->stream_view_type)
                   : !t.stream_enabled;
    }
    if (done && s->sse) {
        bool kms = s_eq(t.sse_type, "KMS") && !s_eq(t.sse_status, "DISABLED");
        done = s->sse == REPAIR_ON
                   ? kms && (!s->sse_kms_key || s_eq(t.sse_kms_key_arn, s->sse_kms_key))
                   : !kms;
    }
    if (done && s->table_class) {
        done = s_eq(t.table_class ? t.table_class : "STANDARD", s->table_class);
    }
    if (done && s->on_demand) {
        done = t.on_demand_read == (s->on_demand_read > 0 ? s->on_demand_read : 0) &&
               t.on_demand_write == (s->on_demand_write > 0 ? s->on_demand_write : 0);
    }
    if (done && (s->warm_read > 0 || s->warm_write > 0)) {
        done = t.warm_read >= s->warm_read && t.warm_write >= s->warm_write;
    }
    ddb_table_clear(&t);
    tpd_err_clear(&e);
    return done;
}

/* Time to Live is already as the step sets it (read now). */
static bool s_ttl_done(struct cloud *c, const struct repair_plan *p, const struct repair_step *s) {
    struct ddb_ttl t = {0};
    struct tpd_err e = {0};
    bool done = ddb_describe_time_to_live(c->aws, p->table, &t, &e) == TPD_OK;
    if (done) {
        done = s->on ? (s_eq(t.status, "ENABLED") || s_eq(t.status, "ENABLING")) &&
                           s_eq(t.attribute, s->ttl_attribute)
                     : s_eq(t.status, "DISABLED") || s_eq(t.status, "DISABLING");
    }
    ddb_ttl_clear(&t);
    tpd_err_clear(&e);
    return done;
}

static enum tpd_code s_run_step(
    struct cloud *c,
    const struct repair_plan *p,
    const struct repair_step *s,
    int64_t deadline_ns,
    struct tpd_err *err) {
    enum tpd_code rc = TPD_OK;
    switch (s->kind) {
        case REPAIR_UPDATE_TABLE:
        case REPAIR_CREATE_INDEX: {
            struct ddb_update_table_input in;
            struct ddb_gsi_update *gsi = NULL;
            struct ddb_attr_def *defs = NULL;
            rc = s_update_input(p, s, &in, &gsi, &defs);
            if (rc) {
                rc = tpd_err_set(err, rc, "out of memory");
            } else {
                rc = s_update_table(c, &in, deadline_ns, err);
            }
            if (rc == TPD_E_AWS && tpd_err_is_aws(err, "ValidationException") &&
                s_update_done(c, p, s)) {
                TPD_INFO(
                    "table %s: %s: already done (an earlier attempt's answer was lost)",
                    p->table,
                    s->what);
                tpd_err_clear(err);
                rc = cloud_wait_table_ready(c, p->table, deadline_ns, err);
            }
            free(gsi);
            free(defs);
            break;
        }
        case REPAIR_PITR:
            rc = ddb_update_continuous_backups(c->aws, p->table, s->on, s->pitr_days, err);
            break;
        case REPAIR_POLICY:
            rc = s->policy ? ddb_put_resource_policy(c->aws, p->arn, s->policy, err)
                           : ddb_delete_resource_policy(c->aws, p->arn, err);
            break;
        case REPAIR_KINESIS_OFF:
            rc = ddb_disable_kinesis_destination(c->aws, p->table, s->kinesis_arn, err);
            break;
        case REPAIR_KINESIS_ON:
            rc = ddb_enable_kinesis_destination(
                c->aws, p->table, s->kinesis_arn, s->kinesis_precision, err);
            break;
        case REPAIR_KINESIS_PRECISION:
            rc = ddb_update_kinesis_destination(
                c->aws, p->table, s->kinesis_arn, s->kinesis_precision, err);
            break;
        case REPAIR_INSIGHTS:
            rc = ddb_update_contributor_insights(c->aws, p->table, NULL, s->on, err);
            break;
        case REPAIR_TAG: {
            struct ddb_tag_in *in = tpd_calloc(s->tag_count ? s->tag_count : 1, sizeof(*in));
            if (!in) {
                return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            }
            for (size_t i = 0; i < s->tag_count; i++) {
                in[i].key = s->tags[i].key;
                in[i].value = s->tags[i].value;
            }
            rc = ddb_tag_resource(c->aws, p->arn, in, s->tag_count, err);
            free(in);
            break;
        }
        case REPAIR_UNTAG:
            rc =
                ddb_untag_resource(c->aws, p->arn, (const char *const *)s->keys, s->key_count, err);
            break;
        case REPAIR_TTL:
            rc = ddb_update_time_to_live(c->aws, p->table, s->ttl_attribute, s->on, err);
            if (rc == TPD_E_AWS && tpd_err_is_aws(err, "ValidationException") &&
                s_ttl_done(c, p, s)) {
                TPD_INFO(
                    "table %s: time to live already %s on %s (an earlier attempt's answer was "
                    "lost)",
                    p->table,
                    s->on ? "enabled" : "disabled",
                    s->ttl_attribute);
                tpd_err_clear(err);
                rc = TPD_OK;
            }
            break;
    }
    return rc;
}

enum tpd_code
cloud_repair(void *ctx, const struct repair_plan *p, int64_t deadline_ns, struct tpd_err *err) {
    struct cloud *c = ctx;
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; !rc && i < p->count; i++) {
        const struct repair_step *s = &p->steps[i];
        if (s->kind == REPAIR_CREATE_INDEX) {
            TPD_INFO("table %s: creating index %s (UpdateTable)", p->table, s->index.name);
        } else {
            TPD_INFO("table %s: %s", p->table, s->what);
        }
        rc = s_run_step(c, p, s, deadline_ns, err);
        if (rc && s->kind == REPAIR_CREATE_INDEX) {
            tpd_err_prefix(err, "creating index %s of table %s: ", s->index.name, p->table);
        } else if (rc) {
            tpd_err_prefix(err, "%s: ", s->what);
        }
    }
    return rc;
}
