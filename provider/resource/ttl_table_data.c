/*
 * ttl_table_data: the data source dynamodb_ttl_table (see ttl_table_data.h).
 */
#include "ttl_table_data.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "table_value.h"
#include "tpd_limits.h"
#include "tpd_text.h"
#include "validate.h"

/* The attributes the data source shares with the resource, as the resource's state
 * builder makes them from a live table. */
static const char *const s_shared[] = {
    "arn",
    "billing_mode",
    "deletion_protection_enabled",
    "global_secondary_indexes",
    "hash_key",
    "id",
    "local_secondary_indexes",
    "name",
    "on_demand_throughput",
    "point_in_time_recovery",
    "range_key",
    "read_capacity",
    "resource_policy",
    "server_side_encryption",
    "stream",
    "stream_arn",
    "table_status",
    "ttl_status",
    "write_capacity",
};

/* An error diagnostic on `name`: detail is printf-style with the table name. */
__attribute__((format(printf, 3, 4))) static void
s_name_diag(struct diag_list *diags, const char *summary, const char *detail_fmt, ...) {
    struct tpd_text detail;
    tpd_text_init(&detail, TPD_MAX_ERROR_MSG);
    va_list ap;
    va_start(ap, detail_fmt);
    tpd_text_vprintf(&detail, detail_fmt, ap);
    va_end(ap);
    struct tfv_path p = {0};
    bool has = tfv_path_push_attr(&p, "name") == TPD_OK;
    diag_add(
        diags,
        DIAG_ERROR,
        has ? &p : NULL,
        summary,
        "%s",
        tpd_text_cstr_or(&detail, "(out of memory writing the detail)"));
    tfv_path_clear(&p);
    tpd_text_clear(&detail);
}

void ttl_table_data_validate(const struct tfv *config, struct diag_list *diags) {
    const struct tfv *name = tfv_get(config, "name");
    if (tfv_is_unknown(name)) {
        return; /* checked when known */
    }
    const char *s = tfv_str(name);
    if (!s || !validate_table_name(s)) {
        s_name_diag(
            diags,
            "Invalid table name",
            "A DynamoDB table name is 3 to 255 characters of A-Z a-z 0-9 _ . -; got \"%s\".",
            s ? s : "");
    }
}

static void s_set(struct tfv *o, const char *k, struct tfv *v, bool *ok) {
    if (!*ok || !v || tfv_map_set(o, k, v) != TPD_OK) {
        tfv_free(v);
        *ok = false;
    }
}

static struct tfv *s_str_or_null(const char *s) {
    return s ? tfv_new_string(s) : tfv_new_null();
}

/* TTL spelled out: { attribute_name, enabled }, the name null while TTL is off (a disabled
 * TTL has no name in DynamoDB's answer). */
static struct tfv *s_ttl(const struct table_live *t) {
    bool on = table_live_ttl_active(t) && t->spec.ttl.attribute;
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    s_set(o, "attribute_name", s_str_or_null(on ? t->spec.ttl.attribute : NULL), &ok);
    s_set(o, "enabled", tfv_new_bool(on), &ok);
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

static struct tfv *s_tags(const struct table_spec *s) {
    struct tfv *m = tfv_new_map();
    bool ok = m != NULL;
    for (size_t i = 0; ok && i < s->tag_count; i++) {
        s_set(m, s->tags[i].key, tfv_new_string(s->tags[i].value), &ok);
    }
    if (!ok) {
        tfv_free(m);
        return NULL;
    }
    return m;
}

/* The Kinesis destination with its precision spelled out; null without one. */
static struct tfv *s_kinesis(const struct table_spec *s) {
    if (!s->kinesis_arn) {
        return tfv_new_null();
    }
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    s_set(o, "stream_arn", tfv_new_string(s->kinesis_arn), &ok);
    s_set(
        o,
        "approximate_creation_date_time_precision",
        tfv_new_string(table_spec_kinesis_precision(s)),
        &ok);
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

/* Warm throughput as DynamoDB reports it; null when it reports none. */
static struct tfv *s_warm(const struct table_spec *s) {
    if (s->warm_read <= 0 && s->warm_write <= 0) {
        return tfv_new_null();
    }
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    s_set(o, "read_units_per_second", tfv_new_int(s->warm_read), &ok);
    s_set(o, "write_units_per_second", tfv_new_int(s->warm_write), &ok);
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

struct tfv *
ttl_table_data_value(const struct table_live *t, const char *stack_name, const char *stack_id) {
    struct table_state_args a = {.ref = NULL, .live = t};
    struct tfv *st = table_value_state(&a);
    struct tfv *o = tfv_new_object();
    bool ok = st != NULL && o != NULL;
    for (size_t i = 0; ok && i < sizeof(s_shared) / sizeof(s_shared[0]); i++) {
        s_set(o, s_shared[i], tfv_clone(tfv_get(st, s_shared[i])), &ok);
    }
    s_set(o, "ttl", s_ttl(t), &ok);
    s_set(o, "tags", s_tags(&t->spec), &ok);
    s_set(o, "table_class", tfv_new_string(table_spec_table_class(&t->spec)), &ok);
    s_set(o, "contributor_insights", tfv_new_bool(t->spec.contributor_insights), &ok);
    s_set(o, "warm_throughput", s_warm(&t->spec), &ok);
    s_set(o, "kinesis_streaming_destination", s_kinesis(&t->spec), &ok);
    int64_t days = table_spec_pitr_days(&t->spec);
    s_set(o, "recovery_period_in_days", days ? tfv_new_int(days) : tfv_new_null(), &ok);
    s_set(o, "stack_name", s_str_or_null(stack_name), &ok);
    s_set(o, "stack_id", s_str_or_null(stack_id), &ok);
    tfv_free(st);
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

void ttl_table_data_read(
    const struct cloud_ops *ops,
    const struct tfv *config,
    struct tfv **state,
    struct diag_list *diags) {
    *state = NULL;
    const char *name = tfv_get_str(config, "name");
    struct cloud_read_result r = {0}, rs = {0};
    struct tpd_err err = {0};
    if (!name) {
        s_name_diag(diags, "Invalid table name", "The data source has no table name.");
        goto done;
    }
    if (!validate_table_name(name)) {
        ttl_table_data_validate(config, diags);
        goto done;
    }
    /* The table and the stack holding it, at once. */
    struct cloud_read_request q = {
        .table = name, .with_tags = true, .with_features = true, .owner_of = name};
    if (ops->read(ops->ctx, &q, &r, &err) != TPD_OK) {
        diag_add_err(diags, NULL, "Cannot read the table", &err);
        goto done;
    }
    if (!r.table.exists) {
        s_name_diag(
            diags,
            "Table not found",
            "DynamoDB table \"%s\" does not exist in this account and region.",
            name);
        goto done;
    }
    /* The stack's ID: DescribeStacks of the owner found (a stack deleted in between reads
     * as no stack). */
    const char *owner = r.owner_stack;
    struct cloud_read_request qs = {.stacks = {owner}, .stack_what = {CLOUD_STACK_BASIC}};
    if (owner && ops->read(ops->ctx, &qs, &rs, &err) != TPD_OK) {
        diag_add_err(diags, NULL, "Cannot read the table's stack", &err);
        goto done;
    }
    const struct stack_facts *s = &rs.stacks[0];
    bool held = owner && s->exists && s->id;
    *state = ttl_table_data_value(&r.table, held ? owner : NULL, held ? s->id : NULL);
    if (!*state) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Reading the table ran out of memory.");
    }
done:
    cloud_read_result_clear(&r);
    cloud_read_result_clear(&rs);
    tpd_err_clear(&err);
}
