/*
 * drift: differences between the live table and the desired spec (see drift.h).
 */
#include "drift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table_policy.h"
#include "tpd_alloc.h"
#include "tpd_text.h"

static void s_strv_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

void drift_plan_clear(struct drift_plan *p) {
    free(p->ttl_attribute);
    free(p->ttl_attribute_want);
    free(p->stream_to);
    free(p->sse_key_to);
    free(p->table_class_to);
    free(p->policy_to);
    free(p->kinesis_disable);
    free(p->kinesis_enable);
    free(p->kinesis_precision_to);
    for (size_t i = 0; i < p->gsi_capacity_count; i++) {
        free(p->gsi_capacity[i].name);
    }
    free(p->gsi_capacity);
    table_index_array_free(p->gsi_missing, p->gsi_missing_count);
    s_strv_free(p->gsi_extra, p->gsi_extra_count);
    s_strv_free(p->gsi_changed, p->gsi_changed_count);
    /* tags_set may hold a half-filled last pair after a failed copy: free by count. */
    tpd_kv_array_free(p->tags_set, p->tags_set_count);
    for (size_t i = 0; i < p->tags_remove_count; i++) {
        free(p->tags_remove[i]);
    }
    free(p->tags_remove);
    memset(p, 0, sizeof(*p));
}

bool drift_plan_empty(const struct drift_plan *p) {
    return !p->protection && !p->billing && !p->pitr && p->ttl == DRIFT_TTL_NONE &&
           !p->tags_set_count && !p->tags_remove_count && !p->stream && !p->sse &&
           !p->table_class && !p->on_demand && !p->insights && !p->gsi_capacity_count &&
           !p->gsi_missing_count && !p->policy && !p->warm && !p->kinesis;
}

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

static enum tpd_code
s_ttl(const struct table_spec *want, const struct table_live *live, struct drift_plan *p) {
    if (!want->ttl.attribute) {
        return TPD_OK; /* TTL never configured: not managed */
    }
    bool active = table_live_ttl_active(live);
    const char *cur = live->spec.ttl.attribute;
    if (want->ttl.enabled) {
        if (active && s_eq(cur, want->ttl.attribute)) {
            return TPD_OK;
        }
        if (active && cur) {
            p->ttl = DRIFT_TTL_RENAME;
            p->ttl_attribute = tpd_strdup(cur);
            p->ttl_attribute_want = tpd_strdup(want->ttl.attribute);
            return p->ttl_attribute && p->ttl_attribute_want ? TPD_OK : TPD_E_NOMEM;
        }
        p->ttl = DRIFT_TTL_ENABLE;
        p->ttl_attribute = tpd_strdup(want->ttl.attribute);
        return p->ttl_attribute ? TPD_OK : TPD_E_NOMEM;
    }
    if (!active) {
        return TPD_OK;
    }
    /* Disabling names the attribute TTL is on (DynamoDB requires it). */
    p->ttl = DRIFT_TTL_DISABLE;
    p->ttl_attribute = tpd_strdup(cur ? cur : want->ttl.attribute);
    return p->ttl_attribute ? TPD_OK : TPD_E_NOMEM;
}

static enum tpd_code
s_tags(const struct table_spec *want, const struct table_live *live, struct drift_plan *p) {
    const struct table_spec *l = &live->spec;
    /* At most every wanted tag is set and every live tag removed: allocate that once. */
    if (want->tag_count && !(p->tags_set = tpd_calloc(want->tag_count, sizeof(*p->tags_set)))) {
        return TPD_E_NOMEM;
    }
    if (l->tag_count && !(p->tags_remove = tpd_calloc(l->tag_count, sizeof(*p->tags_remove)))) {
        return TPD_E_NOMEM;
    }
    for (size_t i = 0; i < want->tag_count; i++) {
        const struct tpd_kv *t = &want->tags[i];
        if (table_spec_is_system_tag(t->key)) {
            continue;
        }
        const char *v = tpd_kv_find(l->tags, l->tag_count, t->key);
        if (v && strcmp(v, t->value ? t->value : "") == 0) {
            continue;
        }
        struct tpd_kv *d = &p->tags_set[p->tags_set_count++];
        d->key = tpd_strdup(t->key);
        d->value = tpd_strdup(t->value ? t->value : "");
        if (!d->key || !d->value) {
            return TPD_E_NOMEM;
        }
    }
    for (size_t i = 0; i < l->tag_count; i++) {
        const char *k = l->tags[i].key;
        if (table_spec_is_system_tag(k) || tpd_kv_find(want->tags, want->tag_count, k)) {
            continue;
        }
        p->tags_remove[p->tags_remove_count] = tpd_strdup(k);
        if (!p->tags_remove[p->tags_remove_count++]) {
            return TPD_E_NOMEM;
        }
    }
    return TPD_OK;
}

static bool s_str_eq(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static enum tpd_code s_push_name(char ***v, size_t *n, const char *name) {
    char **nv = tpd_realloc(*v, (*n + 1) * sizeof(**v));
    if (!nv) {
        return TPD_E_NOMEM;
    }
    *v = nv;
    if (!(nv[*n] = tpd_strdup(name))) {
        return TPD_E_NOMEM;
    }
    (*n)++;
    return TPD_OK;
}

/* Secondary indexes: GSIs by name (missing, extra, redefined, capacities), LSIs as a
 * whole. */
static enum tpd_code
s_indexes(const struct table_spec *want, const struct table_spec *l, struct drift_plan *p) {
    if (want->gsi_count &&
        !(p->gsi_missing = tpd_calloc(want->gsi_count, sizeof(*p->gsi_missing)))) {
        return TPD_E_NOMEM;
    }
    if (want->gsi_count &&
        !(p->gsi_capacity = tpd_calloc(want->gsi_count, sizeof(*p->gsi_capacity)))) {
        return TPD_E_NOMEM;
    }
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; !rc && i < want->gsi_count; i++) {
        const struct table_index *w = &want->gsis[i];
        const struct table_index *x = table_index_find(l->gsis, l->gsi_count, w->name);
        if (!x) {
            rc = table_index_copy(&p->gsi_missing[p->gsi_missing_count], w);
            p->gsi_missing_count += !rc;
        } else if (!table_index_same_definition(w, x)) {
            rc = s_push_name(&p->gsi_changed, &p->gsi_changed_count, w->name);
        } else if (want->provisioned && l->provisioned && !table_index_same_capacity(w, x)) {
            struct drift_gsi_capacity *c = &p->gsi_capacity[p->gsi_capacity_count];
            if (!(c->name = tpd_strdup(w->name))) {
                return TPD_E_NOMEM;
            }
            c->read_capacity = w->read_capacity;
            c->write_capacity = w->write_capacity;
            c->read_from = x->read_capacity;
            c->write_from = x->write_capacity;
            p->gsi_capacity_count++;
        }
    }
    for (size_t i = 0; !rc && i < l->gsi_count; i++) {
        if (!table_index_find(want->gsis, want->gsi_count, l->gsis[i].name)) {
            rc = s_push_name(&p->gsi_extra, &p->gsi_extra_count, l->gsis[i].name);
        }
    }
    p->lsi_differs = want->lsi_count != l->lsi_count;
    for (size_t i = 0; !p->lsi_differs && i < want->lsi_count; i++) {
        const struct table_index *x = table_index_find(l->lsis, l->lsi_count, want->lsis[i].name);
        p->lsi_differs = !x || !table_index_same_definition(&want->lsis[i], x);
    }
    return rc;
}

/* Stream, encryption, class, on-demand maxima, contributor insights. */
static enum tpd_code
s_extras(const struct table_spec *want, const struct table_spec *l, struct drift_plan *p) {
    if (!s_str_eq(want->stream_view_type, l->stream_view_type)) {
        p->stream = true;
        if (want->stream_view_type && !(p->stream_to = tpd_strdup(want->stream_view_type))) {
            return TPD_E_NOMEM;
        }
    }
    if (!table_spec_sse_equal(want, l)) {
        p->sse = true;
        p->sse_to = want->sse;
        if (want->sse_kms_key && !(p->sse_key_to = tpd_strdup(want->sse_kms_key))) {
            return TPD_E_NOMEM;
        }
    }
    if (strcmp(table_spec_table_class(want), table_spec_table_class(l)) != 0) {
        p->table_class = true;
        if (!(p->table_class_to = tpd_strdup(table_spec_table_class(want)))) {
            return TPD_E_NOMEM;
        }
    }
    /* On-demand maxima exist with PAY_PER_REQUEST only. */
    if (!want->provisioned && (want->on_demand_read != l->on_demand_read ||
                               want->on_demand_write != l->on_demand_write)) {
        p->on_demand = true;
        p->on_demand_read_to = want->on_demand_read;
        p->on_demand_write_to = want->on_demand_write;
    }
    if (want->contributor_insights != l->contributor_insights) {
        p->insights = true;
        p->insights_to = want->contributor_insights;
    }
    return TPD_OK;
}

/* Warm throughput, where configured: only raised (DynamoDB refuses a decrease). */
static void
s_warm(const struct table_spec *want, const struct table_spec *l, struct drift_plan *p) {
    if (want->warm_read > 0 && want->warm_read != l->warm_read) {
        p->warm_lower = p->warm_lower || want->warm_read < l->warm_read;
        if (want->warm_read > l->warm_read) {
            p->warm = true;
            p->warm_read_to = want->warm_read;
        }
    }
    if (want->warm_write > 0 && want->warm_write != l->warm_write) {
        p->warm_lower = p->warm_lower || want->warm_write < l->warm_write;
        if (want->warm_write > l->warm_write) {
            p->warm = true;
            p->warm_write_to = want->warm_write;
        }
    }
}

/* The properties of issue 25 that live outside DescribeTable: compared only when read. */
static enum tpd_code
s_features(const struct table_spec *want, const struct table_live *live, struct drift_plan *p) {
    if (!live->features_read) {
        return TPD_OK;
    }
    if (!table_policy_equal(want->resource_policy, live->spec.resource_policy)) {
        p->policy = true;
        if (want->resource_policy && !(p->policy_to = tpd_strdup(want->resource_policy))) {
            return TPD_E_NOMEM;
        }
    }
    const struct table_spec *l = &live->spec;
    const char *wp = table_spec_kinesis_precision(want);
    if (!s_str_eq(want->kinesis_arn, l->kinesis_arn)) {
        p->kinesis = true;
        if ((l->kinesis_arn && !(p->kinesis_disable = tpd_strdup(l->kinesis_arn))) ||
            (want->kinesis_arn && !(p->kinesis_enable = tpd_strdup(want->kinesis_arn)))) {
            return TPD_E_NOMEM;
        }
    } else if (want->kinesis_arn && strcmp(wp, table_spec_kinesis_precision(l)) != 0) {
        p->kinesis = p->kinesis_update = true;
    }
    if (p->kinesis && want->kinesis_arn && !(p->kinesis_precision_to = tpd_strdup(wp))) {
        return TPD_E_NOMEM;
    }
    return TPD_OK;
}

enum tpd_code
drift_compute(const struct table_spec *want, const struct table_live *live, struct drift_plan *p) {
    memset(p, 0, sizeof(*p));
    const struct table_spec *l = &live->spec;
    if (want->deletion_protection != l->deletion_protection) {
        p->protection = true;
        p->protection_to = want->deletion_protection;
    }
    if (want->provisioned != l->provisioned ||
        (want->provisioned &&
         (want->read_capacity != l->read_capacity || want->write_capacity != l->write_capacity))) {
        p->billing = true;
        p->billing_mode_changes = want->provisioned != l->provisioned;
        p->provisioned_to = want->provisioned;
        p->read_capacity_to = want->read_capacity;
        p->write_capacity_to = want->write_capacity;
    }
    /* The recovery period compares as DynamoDB applies it: not configured is 35 days. */
    if (want->pitr != l->pitr || table_spec_pitr_days(want) != table_spec_pitr_days(l)) {
        p->pitr = true;
        p->pitr_to = want->pitr;
        p->pitr_days_to = table_spec_pitr_days(want);
    }
    enum tpd_code rc = s_ttl(want, live, p);
    if (!rc && live->tags_read) {
        rc = s_tags(want, live, p);
    }
    if (!rc) {
        rc = s_indexes(want, l, p);
    }
    if (!rc) {
        rc = s_extras(want, l, p);
    }
    if (!rc) {
        s_warm(want, l, p);
        rc = s_features(want, live, p);
    }
    if (rc) {
        drift_plan_clear(p);
    }
    return rc;
}

static void s_billing(struct tpd_text *b, bool provisioned, int64_t r, int64_t w) {
    if (provisioned) {
        tpd_text_printf(b, "PROVISIONED (%lld read, %lld write)", (long long)r, (long long)w);
    } else {
        tpd_text_append(b, "PAY_PER_REQUEST");
    }
}

static void s_sse_text(struct tpd_text *b, bool on, const char *key) {
    if (!on) {
        tpd_text_append(b, "AWS owned key");
    } else if (key) {
        tpd_text_printf(b, "KMS key %s", key);
    } else {
        tpd_text_append(b, "AWS managed key");
    }
}

static void s_on_demand_text(struct tpd_text *b, int64_t r, int64_t w) {
    if (r <= 0 && w <= 0) {
        tpd_text_append(b, "no limit");
        return;
    }
    tpd_text_printf(b, "at most ");
    if (r > 0) {
        tpd_text_printf(b, "%lld read", (long long)r);
    }
    if (w > 0) {
        tpd_text_printf(b, "%s%lld write", r > 0 ? ", " : "", (long long)w);
    }
    tpd_text_append(b, " request units per second");
}

static void
s_describe_extras(const struct drift_plan *p, const struct table_live *live, struct tpd_text *b) {
    const struct table_spec *l = &live->spec;
    for (size_t i = 0; i < p->gsi_missing_count; i++) {
        tpd_text_printf(b, "  - index %s: created (", p->gsi_missing[i].name);
        table_index_describe(&p->gsi_missing[i], b);
        tpd_text_append(b, "; DynamoDB builds it from the table's items)\n");
    }
    for (size_t i = 0; i < p->gsi_changed_count; i++) {
        tpd_text_printf(
            b,
            "  - index %s: redefined: deleted, then created again (queries on it fail in "
            "between)\n",
            p->gsi_changed[i]);
    }
    for (size_t i = 0; i < p->gsi_capacity_count; i++) {
        const struct drift_gsi_capacity *c = &p->gsi_capacity[i];
        tpd_text_printf(
            b,
            "  - index %s capacity: %lld read, %lld write -> %lld read, %lld write\n",
            c->name,
            (long long)c->read_from,
            (long long)c->write_from,
            (long long)c->read_capacity,
            (long long)c->write_capacity);
    }
    if (p->stream) {
        tpd_text_printf(
            b,
            "  - stream: %s -> %s%s\n",
            l->stream_view_type ? l->stream_view_type : "none",
            p->stream_to ? p->stream_to : "none",
            l->stream_view_type ? " (the current stream stops; its records stay readable for 24 "
                                  "hours)"
                                : "");
    }
    if (p->sse) {
        tpd_text_append(b, "  - encryption: ");
        s_sse_text(b, l->sse, l->sse_kms_key);
        tpd_text_append(b, " -> ");
        s_sse_text(b, p->sse_to, p->sse_key_to);
        tpd_text_append(b, "\n");
    }
    if (p->table_class) {
        tpd_text_printf(
            b, "  - table class: %s -> %s\n", table_spec_table_class(l), p->table_class_to);
    }
    if (p->on_demand) {
        tpd_text_append(b, "  - on-demand throughput: ");
        s_on_demand_text(b, l->on_demand_read, l->on_demand_write);
        tpd_text_append(b, " -> ");
        s_on_demand_text(b, p->on_demand_read_to, p->on_demand_write_to);
        tpd_text_append(b, "\n");
    }
    if (p->insights) {
        tpd_text_printf(
            b,
            "  - contributor insights: %s -> %s%s\n",
            l->contributor_insights ? "on" : "off",
            p->insights_to ? "on" : "off",
            p->insights_to ? " (CloudWatch Contributor Insights rules are billed)" : "");
    }
    if (p->warm) {
        tpd_text_printf(
            b,
            "  - warm throughput: %lld read, %lld write -> %lld read, %lld write units per "
            "second (it can never be lowered again)\n",
            (long long)l->warm_read,
            (long long)l->warm_write,
            (long long)(p->warm_read_to ? p->warm_read_to : l->warm_read),
            (long long)(p->warm_write_to ? p->warm_write_to : l->warm_write));
    }
    if (p->kinesis_update) {
        tpd_text_printf(
            b,
            "  - Kinesis destination %s precision: %s -> %s\n",
            l->kinesis_arn,
            table_spec_kinesis_precision(l),
            p->kinesis_precision_to);
    } else if (p->kinesis) {
        tpd_text_printf(
            b,
            "  - Kinesis destination: %s -> %s%s\n",
            l->kinesis_arn ? l->kinesis_arn : "none",
            p->kinesis_enable ? p->kinesis_enable : "none",
            l->kinesis_arn ? " (the current destination stops receiving changes)" : "");
    }
    if (p->policy) {
        tpd_text_printf(
            b,
            "  - resource policy: %s -> %s\n",
            l->resource_policy ? "a policy" : "none",
            !p->policy_to        ? "none (DeleteResourcePolicy)"
            : l->resource_policy ? "the configured policy (PutResourcePolicy replaces it)"
                                 : "the configured policy");
    }
}

void drift_describe(
    const struct drift_plan *p, const struct table_live *live, struct tpd_text *out) {
    const struct table_spec *l = &live->spec;
    if (p->billing) {
        tpd_text_append(out, "  - billing mode: ");
        s_billing(out, l->provisioned, l->read_capacity, l->write_capacity);
        tpd_text_append(out, " -> ");
        s_billing(out, p->provisioned_to, p->read_capacity_to, p->write_capacity_to);
        tpd_text_append(out, "\n");
    }
    if (p->protection) {
        tpd_text_printf(
            out,
            "  - deletion protection: %s -> %s%s\n",
            l->deletion_protection ? "on" : "off",
            p->protection_to ? "on" : "off",
            p->protection_to ? "" : " (the table can then be deleted)");
    }
    if (p->pitr && p->pitr_to && l->pitr) {
        tpd_text_printf(
            out,
            "  - point-in-time recovery period: %lld -> %lld days%s\n",
            (long long)table_spec_pitr_days(l),
            (long long)p->pitr_days_to,
            p->pitr_days_to < table_spec_pitr_days(l)
                ? " (restore points older than the new period are no longer kept)"
                : "");
    } else if (p->pitr) {
        char days[40];
        snprintf(days, sizeof days, " (%lld-day period)", (long long)p->pitr_days_to);
        tpd_text_printf(
            out,
            "  - point-in-time recovery: %s -> %s%s%s\n",
            l->pitr ? "on" : "off",
            p->pitr_to ? "on" : "off",
            p->pitr_to && p->pitr_days_to != TABLE_PITR_DEFAULT_DAYS ? days : "",
            p->pitr_to ? " (continuous backups are billed per GB-month)"
                       : " (this discards the recovery window: the table can no longer be "
                         "restored to an earlier point in time)");
    }
    switch (p->ttl) {
        case DRIFT_TTL_ENABLE:
            tpd_text_printf(
                out,
                "  - time to live: %s -> enabled on \"%s\" (items past their expiry time are "
                "deleted)\n",
                live->ttl_status ? live->ttl_status : "DISABLED",
                p->ttl_attribute);
            break;
        case DRIFT_TTL_DISABLE:
            tpd_text_printf(
                out, "  - time to live: enabled on \"%s\" -> disabled\n", p->ttl_attribute);
            break;
        case DRIFT_TTL_RENAME:
            tpd_text_printf(
                out,
                "  - time to live: enabled on \"%s\" -> enabled on \"%s\" (not possible in one "
                "step)\n",
                p->ttl_attribute,
                p->ttl_attribute_want);
            break;
        case DRIFT_TTL_NONE:
            break;
    }
    for (size_t i = 0; i < p->tags_set_count; i++) {
        const char *cur = tpd_kv_find(l->tags, l->tag_count, p->tags_set[i].key);
        if (cur) {
            tpd_text_printf(
                out,
                "  - tag %s: \"%s\" -> \"%s\"\n",
                p->tags_set[i].key,
                cur,
                p->tags_set[i].value);
        } else {
            tpd_text_printf(
                out, "  - tag %s: added (\"%s\")\n", p->tags_set[i].key, p->tags_set[i].value);
        }
    }
    for (size_t i = 0; i < p->tags_remove_count; i++) {
        tpd_text_printf(
            out,
            "  - tag %s: \"%s\" -> removed\n",
            p->tags_remove[i],
            tpd_kv_find(l->tags, l->tag_count, p->tags_remove[i]));
    }
    s_describe_extras(p, live, out);
}
