/*
 * table_value: Terraform values <-> typed structs (see table_value.h).
 */
#include "table_value.h"

#include <stdlib.h>
#include <string.h>

#include "table_policy.h"
#include "tpd_alloc.h"

static bool s_copy(char **dst, const char *src) {
    *dst = src ? tpd_strdup(src) : NULL;
    return !src || *dst;
}

static int s_strp_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A key object {name, type} into k (nothing when null). */
static bool s_key_from(const struct tfv *o, struct table_key *k) {
    const char *n = tfv_get_str(o, "name");
    if (!n) {
        return true;
    }
    const char *t = tfv_get_str(o, "type");
    return s_copy(&k->name, n) && s_copy(&k->type, t ? t : "S");
}

/* The elements of a list attribute of index objects into *out (sorted by name). gsi:
 * keys and capacities of its own; else (LSI) the table's partition key. */
static bool s_indexes_from(
    const struct tfv *list,
    bool gsi,
    const struct table_spec *t,
    struct table_index **out,
    size_t *count) {
    *out = NULL;
    *count = 0;
    if (!list || list->kind != TFV_LIST || !list->u.list.count) {
        return true;
    }
    struct table_index *v = tpd_calloc(list->u.list.count, sizeof(*v));
    if (!v) {
        return false;
    }
    *out = v;
    bool ok = true;
    for (size_t i = 0; ok && i < list->u.list.count; i++) {
        const struct tfv *e = list->u.list.items[i];
        if (!tfv_get_str(e, "name")) {
            continue;
        }
        struct table_index *x = &v[(*count)++];
        const char *p = tfv_get_str(e, "projection_type");
        ok = s_copy(&x->name, tfv_get_str(e, "name")) &&
             s_copy(&x->projection, p ? p : TABLE_PROJECTION_ALL) &&
             s_key_from(tfv_get(e, "range_key"), &x->range) &&
             (gsi ? s_key_from(tfv_get(e, "hash_key"), &x->hash)
                  : s_copy(&x->hash.name, t->hash.name) && s_copy(&x->hash.type, t->hash.type));
        const struct tfv *nka = tfv_get(e, "non_key_attributes");
        size_t n = nka && (nka->kind == TFV_SET || nka->kind == TFV_LIST) ? nka->u.list.count : 0;
        if (ok && n) {
            x->non_key = tpd_calloc(n, sizeof(*x->non_key));
            ok = x->non_key != NULL;
            for (size_t j = 0; ok && j < n; j++) {
                const char *a = tfv_str(nka->u.list.items[j]);
                if (a) {
                    ok = (x->non_key[x->non_key_count++] = tpd_strdup(a)) != NULL;
                }
            }
            if (ok && x->non_key_count > 1) {
                qsort(x->non_key, x->non_key_count, sizeof(*x->non_key), s_strp_cmp);
            }
        }
        if (gsi && t->provisioned) {
            tfv_get_int(e, "read_capacity", &x->read_capacity);
            tfv_get_int(e, "write_capacity", &x->write_capacity);
        }
    }
    table_index_array_sort(v, *count);
    return ok;
}

/* stream, server_side_encryption, table_class, on_demand_throughput,
 * contributor_insights. */
static bool s_extras_from(const struct tfv *v, struct table_spec *out) {
    const struct tfv *sse = tfv_get(v, "server_side_encryption");
    const struct tfv *od = tfv_get(v, "on_demand_throughput");
    out->sse = sse && sse->kind == TFV_OBJECT;
    tfv_get_int(od, "max_read_request_units", &out->on_demand_read);
    tfv_get_int(od, "max_write_request_units", &out->on_demand_write);
    const struct tfv *warm = tfv_get(v, "warm_throughput");
    tfv_get_int(warm, "read_units_per_second", &out->warm_read);
    tfv_get_int(warm, "write_units_per_second", &out->warm_write);
    out->insights_set = tfv_get_bool(v, "contributor_insights", &out->contributor_insights);
    const char *tc = tfv_get_str(v, "table_class");
    out->table_class_set = tc != NULL;
    const struct tfv *kin = tfv_get(v, "kinesis_streaming_destination");
    const char *kp = tfv_get_str(kin, "approximate_creation_date_time_precision");
    return s_copy(&out->kinesis_arn, tfv_get_str(kin, "stream_arn")) &&
           s_copy(&out->kinesis_precision, kp && strcmp(kp, "MILLISECOND") != 0 ? kp : NULL) &&
           s_copy(&out->resource_policy, tfv_get_str(v, "resource_policy")) &&
           s_copy(&out->stream_view_type, tfv_get_str(tfv_get(v, "stream"), "view_type")) &&
           s_copy(&out->sse_kms_key, tfv_get_str(sse, "kms_key_arn")) &&
           s_copy(&out->table_class, tc && strcmp(tc, "STANDARD") != 0 ? tc : NULL);
}

enum tpd_code table_value_to_spec(
    const struct tfv *v, const struct tfv *prior, struct table_spec *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    const char *name = tfv_get_str(v, "name");
    const struct tfv *hk = tfv_get(v, "hash_key");
    if (!name || !tfv_get_str(hk, "name") || !tfv_get_str(hk, "type")) {
        return tpd_err_set(err, TPD_E_INVALID, "name and hash_key must be known");
    }
    const char *stack = tfv_get_str(v, "stack_name");
    const struct tfv *rk = tfv_get(v, "range_key");
    bool ok = s_copy(&out->name, name) && s_copy(&out->hash.name, tfv_get_str(hk, "name")) &&
              s_copy(&out->hash.type, tfv_get_str(hk, "type"));
    if (ok) {
        out->stack_name = stack ? tpd_strdup(stack) : table_spec_default_stack_name(name);
        ok = out->stack_name != NULL;
    }
    if (ok && tfv_get_str(rk, "name")) {
        ok = s_copy(&out->range.name, tfv_get_str(rk, "name")) &&
             s_copy(&out->range.type, tfv_get_str(rk, "type") ? tfv_get_str(rk, "type") : "S");
    }
    const char *bm = tfv_get_str(v, "billing_mode");
    out->provisioned = bm && strcmp(bm, "PROVISIONED") == 0;
    if (out->provisioned) {
        tfv_get_int(v, "read_capacity", &out->read_capacity);
        tfv_get_int(v, "write_capacity", &out->write_capacity);
    }
    const struct tfv *ttl = tfv_get(v, "ttl");
    const char *prior_ttl = tfv_get_str(tfv_get(prior, "ttl"), "attribute_name");
    if (ok && tfv_get_str(ttl, "attribute_name")) {
        ok = s_copy(&out->ttl.attribute, tfv_get_str(ttl, "attribute_name"));
        out->ttl.enabled = true; /* a null `enabled` means true */
        tfv_get_bool(ttl, "enabled", &out->ttl.enabled);
    } else if (ok && prior_ttl) {
        /* ttl removed from the configuration: switch it off under its old name. */
        ok = s_copy(&out->ttl.attribute, prior_ttl);
        out->ttl.enabled = false;
    }
    out->deletion_protection = true;
    tfv_get_bool(v, "deletion_protection_enabled", &out->deletion_protection);
    tfv_get_bool(v, "point_in_time_recovery", &out->pitr);
    if (out->pitr) {
        tfv_get_int(v, "recovery_period_in_days", &out->pitr_days);
    }
    tfv_get_bool(v, "retain_on_destroy", &out->retain_on_destroy);
    const struct tfv *tags = tfv_get(v, "tags");
    if (ok && tags && tags->kind == TFV_MAP && tags->u.map.count) {
        out->tags = tpd_calloc(tags->u.map.count, sizeof(*out->tags));
        ok = out->tags != NULL;
        /* tfv maps keep keys sorted, so the tags come out sorted. */
        for (size_t i = 0; ok && i < tags->u.map.count; i++) {
            const char *val = tfv_str(tags->u.map.vals[i]);
            out->tags[i].key = tpd_strdup(tags->u.map.keys[i]);
            out->tags[i].value = tpd_strdup(val ? val : "");
            out->tag_count++;
            ok = out->tags[i].key && out->tags[i].value;
        }
    }
    ok = ok &&
         s_indexes_from(
             tfv_get(v, "global_secondary_indexes"), true, out, &out->gsis, &out->gsi_count) &&
         s_indexes_from(
             tfv_get(v, "local_secondary_indexes"), false, out, &out->lsis, &out->lsi_count) &&
         s_extras_from(v, out);
    if (!ok) {
        table_spec_clear(out);
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    return TPD_OK;
}

/* Each setter reports failure through *ok so that the builder reads straight. */
static void s_set(struct tfv *o, const char *k, struct tfv *v, bool *ok) {
    if (!v || tfv_map_set(o, k, v) != TPD_OK) {
        *ok = false;
    }
}

static struct tfv *s_str_or_null(const char *s) {
    return s ? tfv_new_string(s) : tfv_new_null();
}

static struct tfv *s_key(const struct table_key *k) {
    if (!k->name) {
        return tfv_new_null();
    }
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    if (ok) {
        s_set(o, "name", tfv_new_string(k->name), &ok);
        s_set(o, "type", tfv_new_string(k->type ? k->type : "S"), &ok);
    }
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

/* TTL as the state shows it. Enabled: {name, null}, since a null `enabled` means
 * enabled and is what a configuration that leaves it out holds (after an import
 * too); {name, true} only when the reference already said true. Disabled: the
 * reference's name with enabled = false (a disabled TTL has no name in DynamoDB's
 * answer); null when the reference had no TTL either. */
static struct tfv *s_ttl(const struct tfv *ref, const struct table_live *l) {
    const struct tfv *cur = tfv_get(ref, "ttl");
    const char *cur_name = tfv_get_str(cur, "attribute_name");
    bool on = table_live_ttl_active(l) && l->spec.ttl.attribute;
    if (!on && !cur_name) {
        return tfv_new_null();
    }
    struct tfv *t = tfv_new_object();
    bool ok = t != NULL;
    if (ok && on) {
        bool was_true = false;
        bool explicit_true = cur_name && tfv_get_bool(cur, "enabled", &was_true) && was_true;
        s_set(t, "attribute_name", tfv_new_string(l->spec.ttl.attribute), &ok);
        s_set(t, "enabled", explicit_true ? tfv_new_bool(true) : tfv_new_null(), &ok);
    } else if (ok) {
        s_set(t, "attribute_name", tfv_new_string(cur_name), &ok);
        s_set(t, "enabled", tfv_new_bool(false), &ok);
    }
    if (!ok) {
        tfv_free(t);
        return NULL;
    }
    return t;
}

/* Table tags: null when there are none and the reference had null, else a map. */
static struct tfv *s_tags(const struct tfv *ref, const struct table_live *l) {
    const struct tfv *cur = tfv_get(ref, "tags");
    if (l->spec.tag_count == 0 && (tfv_is_null(cur) || tfv_is_unknown(cur))) {
        return tfv_new_null();
    }
    struct tfv *m = tfv_new_map();
    bool ok = m != NULL;
    for (size_t i = 0; ok && i < l->spec.tag_count; i++) {
        s_set(m, l->spec.tags[i].key, tfv_new_string(l->spec.tags[i].value), &ok);
    }
    if (!ok) {
        tfv_free(m);
        return NULL;
    }
    return m;
}

/* One index object. projection_type stays null where the reference left it null and
 * DynamoDB says ALL (the default; nothing inside these objects is computed: see
 * schema.c). */
static struct tfv *
s_index_value(const struct table_index *x, bool gsi, bool provisioned, const struct tfv *ref) {
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    if (!ok) {
        return NULL;
    }
    const char *proj = x->projection ? x->projection : TABLE_PROJECTION_ALL;
    bool ref_null = ref && tfv_is_null(tfv_get(ref, "projection_type"));
    s_set(o, "name", tfv_new_string(x->name), &ok);
    s_set(o, "range_key", s_key(&x->range), &ok);
    s_set(
        o,
        "projection_type",
        ref_null && strcmp(proj, TABLE_PROJECTION_ALL) == 0 ? tfv_new_null() : tfv_new_string(proj),
        &ok);
    if (x->non_key_count) {
        struct tfv *set = tfv_new_set();
        ok = ok && set != NULL;
        for (size_t i = 0; ok && i < x->non_key_count; i++) {
            ok = tfv_list_append(set, tfv_new_string(x->non_key[i])) == TPD_OK;
        }
        s_set(o, "non_key_attributes", ok ? set : NULL, &ok);
        if (!ok) {
            tfv_free(set);
        }
    } else {
        s_set(o, "non_key_attributes", tfv_new_null(), &ok);
    }
    if (gsi) {
        s_set(o, "hash_key", s_key(&x->hash), &ok);
        s_set(
            o, "read_capacity", provisioned ? tfv_new_int(x->read_capacity) : tfv_new_null(), &ok);
        s_set(
            o,
            "write_capacity",
            provisioned ? tfv_new_int(x->write_capacity) : tfv_new_null(),
            &ok);
    }
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

/* The indexes as a list: in the reference's order (indexes are compared by name, so
 * the configuration's order is kept), then the others by name. null when there are none
 * and the reference had null. */
static struct tfv *s_indexes(
    const struct tfv *ref,
    const char *attr,
    const struct table_index *v,
    size_t n,
    bool gsi,
    bool provisioned) {
    const struct tfv *rl = tfv_get(ref, attr);
    bool ref_list = rl && rl->kind == TFV_LIST;
    if (!n && !ref_list) {
        return tfv_new_null();
    }
    struct tfv *l = tfv_new_list();
    bool ok = l != NULL;
    bool *done = n ? tpd_calloc(n, sizeof(*done)) : NULL;
    ok = ok && (!n || done);
    for (size_t i = 0; ok && ref_list && i < rl->u.list.count; i++) {
        const char *name = tfv_get_str(rl->u.list.items[i], "name");
        const struct table_index *x = table_index_find(v, n, name);
        if (x && done && !done[x - v]) {
            done[x - v] = true;
            ok = tfv_list_append(l, s_index_value(x, gsi, provisioned, rl->u.list.items[i])) ==
                 TPD_OK;
        }
    }
    for (size_t i = 0; ok && i < n; i++) {
        if (!done[i]) {
            ok = tfv_list_append(l, s_index_value(&v[i], gsi, provisioned, NULL)) == TPD_OK;
        }
    }
    free(done);
    if (!ok) {
        tfv_free(l);
        return NULL;
    }
    return l;
}

/* server_side_encryption: null for the AWS owned key; else the key, null where the
 * reference asked for the AWS managed key (DescribeTable reports a key ARN either way:
 * table_spec_sse_equal). */
static struct tfv *s_sse(const struct tfv *ref, const struct table_spec *l) {
    if (!l->sse) {
        return tfv_new_null();
    }
    const struct tfv *r = tfv_get(ref, "server_side_encryption");
    bool managed = r && r->kind == TFV_OBJECT && tfv_is_null(tfv_get(r, "kms_key_arn"));
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    if (ok) {
        s_set(
            o,
            "kms_key_arn",
            managed || !l->sse_kms_key ? tfv_new_null() : tfv_new_string(l->sse_kms_key),
            &ok);
    }
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

static struct tfv *s_on_demand(const struct table_spec *l) {
    if (l->on_demand_read <= 0 && l->on_demand_write <= 0) {
        return tfv_new_null();
    }
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    if (ok) {
        s_set(
            o,
            "max_read_request_units",
            l->on_demand_read > 0 ? tfv_new_int(l->on_demand_read) : tfv_new_null(),
            &ok);
        s_set(
            o,
            "max_write_request_units",
            l->on_demand_write > 0 ? tfv_new_int(l->on_demand_write) : tfv_new_null(),
            &ok);
    }
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

static struct tfv *s_stream(const struct table_spec *l) {
    if (!l->stream_view_type) {
        return tfv_new_null();
    }
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    if (ok) {
        s_set(o, "view_type", tfv_new_string(l->stream_view_type), &ok);
    }
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

/* recovery_period_in_days: the period while recovery is on, null while it is off; null
 * also for DynamoDB's default (35 days) where the reference left it null (optional, not
 * computed: a default that filled a null would hide a change made outside Terraform). */
static struct tfv *s_pitr_days(const struct tfv *ref, const struct table_spec *s) {
    const struct tfv *r = tfv_get(ref, "recovery_period_in_days");
    int64_t days = table_spec_pitr_days(s);
    if (!days || (days == TABLE_PITR_DEFAULT_DAYS && (tfv_is_null(r) || tfv_is_unknown(r)))) {
        return tfv_new_null();
    }
    return tfv_new_int(days);
}

/* resource_policy: the reference's text while DynamoDB has the same document (equal
 * policies never show a diff, table_policy.h), else the document DynamoDB returns; the
 * reference's value when the policy was not read (a table read without its features). */
static struct tfv *s_policy(const struct tfv *ref, const struct table_live *l) {
    const struct tfv *r = tfv_get(ref, "resource_policy");
    const char *rs = tfv_str(r);
    if (!l->features_read) {
        return r && !tfv_is_unknown(r) ? tfv_clone(r) : tfv_new_null();
    }
    const char *live = l->spec.resource_policy;
    if (live && rs && table_policy_equal(rs, live)) {
        return tfv_new_string(rs);
    }
    return s_str_or_null(live);
}

/* warm_throughput: null where the reference left it out (every table has one, so it is
 * managed only when configured); else the units DynamoDB reports, each null where the
 * reference left it null. */
static struct tfv *s_warm(const struct tfv *ref, const struct table_spec *l) {
    const struct tfv *r = tfv_get(ref, "warm_throughput");
    if (!r || r->kind != TFV_OBJECT) {
        return tfv_new_null();
    }
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    if (ok) {
        bool rn = tfv_is_null(tfv_get(r, "read_units_per_second"));
        bool wn = tfv_is_null(tfv_get(r, "write_units_per_second"));
        s_set(o, "read_units_per_second", rn ? tfv_new_null() : tfv_new_int(l->warm_read), &ok);
        s_set(o, "write_units_per_second", wn ? tfv_new_null() : tfv_new_int(l->warm_write), &ok);
    }
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

/* kinesis_streaming_destination: the destination DynamoDB reports; its precision null
 * where the reference left it null and DynamoDB has its default (MILLISECOND). The
 * reference's value when the destinations were not read. */
static struct tfv *s_kinesis(const struct tfv *ref, const struct table_live *l) {
    const struct tfv *r = tfv_get(ref, "kinesis_streaming_destination");
    if (!l->features_read) {
        return r && !tfv_is_unknown(r) ? tfv_clone(r) : tfv_new_null();
    }
    if (!l->spec.kinesis_arn) {
        return tfv_new_null();
    }
    const struct tfv *rp = tfv_get(r, "approximate_creation_date_time_precision");
    const char *prec = table_spec_kinesis_precision(&l->spec);
    bool dflt = strcmp(prec, "MILLISECOND") == 0 && (tfv_is_null(rp) || tfv_is_unknown(rp));
    struct tfv *o = tfv_new_object();
    bool ok = o != NULL;
    if (ok) {
        s_set(o, "stream_arn", tfv_new_string(l->spec.kinesis_arn), &ok);
        s_set(
            o,
            "approximate_creation_date_time_precision",
            dflt ? tfv_new_null() : tfv_new_string(prec),
            &ok);
    }
    if (!ok) {
        tfv_free(o);
        return NULL;
    }
    return o;
}

struct tfv *table_value_state(const struct table_state_args *a) {
    const struct table_live *l = a->live;
    const struct table_spec *s = &l->spec;
    struct tfv *v = tfv_new_object();
    bool ok = v != NULL;
    if (!ok) {
        return NULL;
    }
    s_set(v, "id", tfv_new_string(s->name), &ok);
    s_set(v, "name", tfv_new_string(s->name), &ok);
    s_set(v, "arn", s_str_or_null(l->arn), &ok);
    s_set(v, "table_status", s_str_or_null(l->status), &ok);
    s_set(v, "ttl_status", s_str_or_null(l->ttl_status), &ok);
    s_set(v, "hash_key", s_key(&s->hash), &ok);
    s_set(v, "range_key", s_key(&s->range), &ok);
    s_set(
        v, "billing_mode", tfv_new_string(s->provisioned ? "PROVISIONED" : "PAY_PER_REQUEST"), &ok);
    s_set(v, "read_capacity", s->provisioned ? tfv_new_int(s->read_capacity) : tfv_new_null(), &ok);
    s_set(
        v, "write_capacity", s->provisioned ? tfv_new_int(s->write_capacity) : tfv_new_null(), &ok);
    s_set(v, "deletion_protection_enabled", tfv_new_bool(s->deletion_protection), &ok);
    s_set(v, "point_in_time_recovery", tfv_new_bool(s->pitr), &ok);
    s_set(v, "recovery_period_in_days", s_pitr_days(a->ref, s), &ok);
    s_set(v, "resource_policy", s_policy(a->ref, l), &ok);
    s_set(v, "warm_throughput", s_warm(a->ref, s), &ok);
    s_set(v, "kinesis_streaming_destination", s_kinesis(a->ref, l), &ok);
    s_set(v, "ttl", s_ttl(a->ref, l), &ok);
    s_set(v, "tags", s_tags(a->ref, l), &ok);
    s_set(
        v,
        "global_secondary_indexes",
        s_indexes(a->ref, "global_secondary_indexes", s->gsis, s->gsi_count, true, s->provisioned),
        &ok);
    s_set(
        v,
        "local_secondary_indexes",
        s_indexes(a->ref, "local_secondary_indexes", s->lsis, s->lsi_count, false, false),
        &ok);
    s_set(v, "stream", s_stream(s), &ok);
    s_set(
        v, "stream_arn", s->stream_view_type ? s_str_or_null(l->stream_arn) : tfv_new_null(), &ok);
    s_set(v, "server_side_encryption", s_sse(a->ref, s), &ok);
    /* table_class and contributor_insights: null while DynamoDB has the default and the
     * reference left them out (they are optional, not computed: a default that fills a
     * null would hide a change made outside Terraform). */
    const struct tfv *rc = tfv_get(a->ref, "table_class");
    const struct tfv *ri = tfv_get(a->ref, "contributor_insights");
    bool class_default = !s->table_class || strcmp(s->table_class, "STANDARD") == 0;
    s_set(
        v,
        "table_class",
        class_default && (tfv_is_null(rc) || tfv_is_unknown(rc))
            ? tfv_new_null()
            : tfv_new_string(table_spec_table_class(s)),
        &ok);
    s_set(v, "on_demand_throughput", s_on_demand(s), &ok);
    s_set(
        v,
        "contributor_insights",
        !s->contributor_insights && (tfv_is_null(ri) || tfv_is_unknown(ri))
            ? tfv_new_null()
            : tfv_new_bool(s->contributor_insights),
        &ok);
    s_set(v, "stack_name", s_str_or_null(a->stack_name), &ok);
    s_set(v, "stack_id", s_str_or_null(a->stack_id), &ok);
    s_set(v, "owner_id", s_str_or_null(a->owner_id), &ok);
    s_set(v, "retain_on_destroy", tfv_new_bool(a->retain_on_destroy), &ok);
    const struct tfv *to = tfv_get(a->ref, "timeouts");
    s_set(v, "timeouts", to && !tfv_is_unknown(to) ? tfv_clone(to) : tfv_new_null(), &ok);
    /* restore: how the table was first made (restore.h), kept as configured. */
    const struct tfv *ro = tfv_get(a->ref, "restore");
    s_set(v, "restore", ro && !tfv_is_unknown(ro) ? tfv_clone(ro) : tfv_new_null(), &ok);
    if (!ok) {
        tfv_free(v);
        return NULL;
    }
    return v;
}
