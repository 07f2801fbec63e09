/*
 * repair_plan: drift -> ordered DynamoDB calls (see repair_plan.h).
 */
#include "repair_plan.h"

#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

static bool s_copy(char **dst, const char *src) {
    *dst = src ? tpd_strdup(src) : NULL;
    return !src || *dst;
}

static void s_step_clear(struct repair_step *s) {
    free(s->billing_mode);
    for (size_t i = 0; i < s->gsi_capacity_count; i++) {
        free(s->gsi_capacity[i].name);
    }
    free(s->gsi_capacity);
    free(s->stream_view_type);
    free(s->sse_kms_key);
    free(s->table_class);
    table_index_clear(&s->index);
    tpd_kv_array_free(s->attr_defs, s->attr_def_count);
    free(s->ttl_attribute);
    free(s->policy);
    free(s->kinesis_arn);
    free(s->kinesis_precision);
    tpd_kv_array_free(s->tags, s->tag_count);
    for (size_t i = 0; i < s->key_count; i++) {
        free(s->keys[i]);
    }
    free(s->keys);
    memset(s, 0, sizeof(*s));
}

void repair_plan_clear(struct repair_plan *p) {
    for (size_t i = 0; i < p->count; i++) {
        s_step_clear(&p->steps[i]);
    }
    free(p->steps);
    free(p->table);
    free(p->arn);
    memset(p, 0, sizeof(*p));
}

/* A new zeroed step at the end (NULL: out of memory). */
static struct repair_step *
s_add(struct repair_plan *p, size_t *cap, enum repair_kind kind, const char *what) {
    if (!TPD_ARRAY_RESERVE(p->steps, *cap, p->count + 1)) {
        return NULL;
    }
    struct repair_step *s = &p->steps[p->count++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->what = what;
    return s;
}

/* The billing UpdateTable; switching to PROVISIONED carries the capacity of every index
 * (DynamoDB needs one for each): the configured one, else the table's. */
static bool s_billing(
    struct repair_step *s,
    const struct drift_plan *d,
    const struct table_live *live,
    const struct table_spec *want) {
    if (d->billing_mode_changes &&
        !s_copy(&s->billing_mode, d->provisioned_to ? "PROVISIONED" : "PAY_PER_REQUEST")) {
        return false;
    }
    s->read_capacity = d->provisioned_to ? d->read_capacity_to : 0;
    s->write_capacity = d->provisioned_to ? d->write_capacity_to : 0;
    if (!(d->billing_mode_changes && d->provisioned_to && live->spec.gsi_count)) {
        return true;
    }
    s->gsi_capacity = tpd_calloc(live->spec.gsi_count, sizeof(*s->gsi_capacity));
    if (!s->gsi_capacity) {
        return false;
    }
    for (size_t i = 0; i < live->spec.gsi_count; i++) {
        const struct table_index *x = &live->spec.gsis[i];
        const struct table_index *w =
            want ? table_index_find(want->gsis, want->gsi_count, x->name) : NULL;
        struct repair_gsi_capacity *c = &s->gsi_capacity[s->gsi_capacity_count++];
        c->read_capacity = w && w->read_capacity > 0 ? w->read_capacity : d->read_capacity_to;
        c->write_capacity = w && w->write_capacity > 0 ? w->write_capacity : d->write_capacity_to;
        if (!s_copy(&c->name, x->name)) {
            return false;
        }
    }
    return true;
}

/* A missing index with the attribute definitions of every key of the table, of its
 * indexes, of the indexes created before it in this plan, and its own: UpdateTable
 * replaces the definitions with what the request carries. */
static bool s_create_index(
    struct repair_step *s,
    const struct table_live *live,
    const struct table_index *before,
    size_t nbefore,
    const struct table_index *x,
    struct tpd_err *err) {
    struct table_spec with = live->spec; /* shallow: only the GSIs differ, nothing is freed */
    struct table_index *gsis = tpd_calloc(live->spec.gsi_count + nbefore + 1, sizeof(*gsis));
    if (!gsis) {
        return false;
    }
    if (live->spec.gsi_count) {
        memcpy(gsis, live->spec.gsis, live->spec.gsi_count * sizeof(*gsis));
    }
    if (nbefore) {
        memcpy(gsis + live->spec.gsi_count, before, nbefore * sizeof(*gsis));
    }
    gsis[live->spec.gsi_count + nbefore] = *x;
    with.gsis = gsis;
    with.gsi_count = live->spec.gsi_count + nbefore + 1;
    struct table_attr_def *defs = NULL;
    size_t ndefs = 0;
    bool ok = table_spec_attr_defs(&with, &defs, &ndefs, err) == TPD_OK;
    free(gsis);
    if (ok && ndefs) {
        s->attr_defs = tpd_calloc(ndefs, sizeof(*s->attr_defs));
        ok = s->attr_defs != NULL;
        for (size_t i = 0; ok && i < ndefs; i++) {
            struct tpd_kv *kv = &s->attr_defs[s->attr_def_count++];
            ok = s_copy(&kv->key, defs[i].name) && s_copy(&kv->value, defs[i].type);
        }
    }
    free(defs);
    s->provisioned = live->spec.provisioned;
    return ok && table_index_copy(&s->index, x) == TPD_OK;
}

enum tpd_code repair_plan_build(
    const struct drift_plan *d,
    const struct table_live *live,
    const struct table_spec *want,
    struct repair_plan *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    const char *table = live->spec.name;
    if (d->ttl == DRIFT_TTL_RENAME) {
        return tpd_err_set(
            err,
            TPD_E_FAILED,
            "Time to Live of table %s is enabled on \"%s\", not \"%s\". DynamoDB cannot move an "
            "enabled TTL, and allows about one TTL change per table per hour. Rename it in two "
            "steps: set ttl = { attribute_name = \"%s\", enabled = false } and apply; about an "
            "hour later set attribute_name = \"%s\" with enabled = true and apply.",
            table,
            d->ttl_attribute,
            d->ttl_attribute_want,
            d->ttl_attribute,
            d->ttl_attribute_want);
    }
    size_t cap = 0;
    bool ok = s_copy(&out->table, table) && s_copy(&out->arn, live->arn);
    struct repair_step *s = NULL;
    if (ok && d->protection && d->protection_to) {
        ok =
            (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "switching deletion protection on")) != NULL;
        if (ok) {
            s->deletion_protection = REPAIR_ON;
        }
    }
    if (ok && d->billing) {
        ok = (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "setting the billing mode and capacity")) &&
             s_billing(s, d, live, want);
    }
    if (ok && d->gsi_capacity_count && !(d->billing && d->billing_mode_changes)) {
        ok = (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "setting the capacity of indexes")) != NULL;
        if (ok) {
            s->gsi_capacity = tpd_calloc(d->gsi_capacity_count, sizeof(*s->gsi_capacity));
            ok = s->gsi_capacity != NULL;
        }
        for (size_t i = 0; ok && i < d->gsi_capacity_count; i++) {
            struct repair_gsi_capacity *c = &s->gsi_capacity[s->gsi_capacity_count++];
            c->read_capacity = d->gsi_capacity[i].read_capacity;
            c->write_capacity = d->gsi_capacity[i].write_capacity;
            ok = s_copy(&c->name, d->gsi_capacity[i].name);
        }
    }
    for (size_t i = 0; ok && i < d->gsi_missing_count; i++) {
        ok = (s = s_add(out, &cap, REPAIR_CREATE_INDEX, "creating a missing index")) &&
             s_create_index(s, live, d->gsi_missing, i, &d->gsi_missing[i], err);
    }
    /* Another view type is a new stream: the old one is disabled first. */
    if (ok && d->stream && live->spec.stream_view_type) {
        ok = (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "disabling the stream")) != NULL;
        if (ok) {
            s->stream = REPAIR_OFF;
        }
    }
    if (ok && d->stream && d->stream_to) {
        ok = (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "enabling the stream")) &&
             s_copy(&s->stream_view_type, d->stream_to);
        if (ok) {
            s->stream = REPAIR_ON;
        }
    }
    if (ok && d->sse) {
        ok = (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "setting the encryption key")) &&
             s_copy(&s->sse_kms_key, d->sse_key_to);
        if (ok) {
            s->sse = d->sse_to ? REPAIR_ON : REPAIR_OFF;
        }
    }
    if (ok && d->table_class) {
        ok = (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "setting the table class")) &&
             s_copy(&s->table_class, d->table_class_to);
    }
    if (ok && d->on_demand) {
        ok = (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "setting on-demand throughput limits")) !=
             NULL;
        if (ok) {
            s->on_demand = true;
            s->on_demand_read = d->on_demand_read_to > 0 ? d->on_demand_read_to : -1;
            s->on_demand_write = d->on_demand_write_to > 0 ? d->on_demand_write_to : -1;
        }
    }
    if (ok && d->warm) {
        ok = (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "raising the warm throughput")) != NULL;
        if (ok) {
            s->warm_read = d->warm_read_to;
            s->warm_write = d->warm_write_to;
        }
    }
    if (ok && d->protection && !d->protection_to) {
        ok = (s = s_add(out, &cap, REPAIR_UPDATE_TABLE, "switching deletion protection off")) !=
             NULL;
        if (ok) {
            s->deletion_protection = REPAIR_OFF;
        }
    }
    if (ok && d->pitr) {
        ok = (s = s_add(out, &cap, REPAIR_PITR, "setting point-in-time recovery")) != NULL;
        if (ok) {
            s->on = d->pitr_to;
            s->pitr_days = d->pitr_to ? d->pitr_days_to : 0;
        }
    }
    if (ok && d->insights) {
        ok = (s = s_add(out, &cap, REPAIR_INSIGHTS, "setting contributor insights")) != NULL;
        if (ok) {
            s->on = d->insights_to;
        }
    }
    if (ok && d->policy) {
        ok = (s = s_add(out, &cap, REPAIR_POLICY, "setting the resource policy")) &&
             s_copy(&s->policy, d->policy_to);
    }
    /* Kinesis: the old destination is disabled before another is enabled (the resource
     * holds one, as KinesisStreamSpecification does). */
    if (ok && d->kinesis_disable) {
        ok = (s = s_add(out, &cap, REPAIR_KINESIS_OFF, "disabling the Kinesis destination")) &&
             s_copy(&s->kinesis_arn, d->kinesis_disable);
    }
    if (ok && d->kinesis_enable) {
        ok = (s = s_add(out, &cap, REPAIR_KINESIS_ON, "enabling the Kinesis destination")) &&
             s_copy(&s->kinesis_arn, d->kinesis_enable) &&
             s_copy(&s->kinesis_precision, d->kinesis_precision_to);
    }
    if (ok && d->kinesis_update) {
        ok = (s = s_add(
                  out,
                  &cap,
                  REPAIR_KINESIS_PRECISION,
                  "setting the Kinesis destination's precision")) &&
             s_copy(&s->kinesis_arn, live->spec.kinesis_arn) &&
             s_copy(&s->kinesis_precision, d->kinesis_precision_to);
    }
    if (ok && d->tags_set_count) {
        ok = (s = s_add(out, &cap, REPAIR_TAG, "setting tags")) &&
             tpd_kv_array_copy(d->tags_set, d->tags_set_count, &s->tags) == TPD_OK;
        if (ok) {
            s->tag_count = d->tags_set_count;
        }
    }
    if (ok && d->tags_remove_count) {
        ok = (s = s_add(out, &cap, REPAIR_UNTAG, "removing tags")) &&
             (s->keys = tpd_calloc(d->tags_remove_count, sizeof(*s->keys))) != NULL;
        for (size_t i = 0; ok && i < d->tags_remove_count; i++) {
            ok = s_copy(&s->keys[s->key_count++], d->tags_remove[i]);
        }
    }
    if (ok && (d->ttl == DRIFT_TTL_ENABLE || d->ttl == DRIFT_TTL_DISABLE)) {
        ok = (s = s_add(out, &cap, REPAIR_TTL, "setting Time to Live")) &&
             s_copy(&s->ttl_attribute, d->ttl_attribute);
        if (ok) {
            s->on = d->ttl == DRIFT_TTL_ENABLE;
        }
    }
    if (!ok) {
        repair_plan_clear(out);
        return err->code ? err->code : tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    return TPD_OK;
}

enum tpd_code repair_plan_indexes(
    const struct table_live *live,
    const struct table_index *xs,
    size_t n,
    struct repair_plan *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    size_t cap = 0;
    bool ok = s_copy(&out->table, live->spec.name) && s_copy(&out->arn, live->arn);
    for (size_t i = 0; ok && i < n; i++) {
        struct repair_step *s = s_add(out, &cap, REPAIR_CREATE_INDEX, "creating an index again");
        ok = s && s_create_index(s, live, xs, i, &xs[i], err);
    }
    if (!ok) {
        repair_plan_clear(out);
        return err->code ? err->code : tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    return TPD_OK;
}
