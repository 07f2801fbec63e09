/*
 * table_value: Terraform values <-> typed structs (see table_value.h).
 */
#include "table_value.h"

#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

static bool s_copy(char **dst, const char *src) {
    *dst = src ? tpd_strdup(src) : NULL;
    return !src || *dst;
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
    s_set(v, "ttl", s_ttl(a->ref, l), &ok);
    s_set(v, "tags", s_tags(a->ref, l), &ok);
    s_set(v, "stack_name", s_str_or_null(a->stack_name), &ok);
    s_set(v, "stack_id", s_str_or_null(a->stack_id), &ok);
    s_set(v, "retain_on_destroy", tfv_new_bool(a->retain_on_destroy), &ok);
    const struct tfv *to = tfv_get(a->ref, "timeouts");
    s_set(v, "timeouts", to && !tfv_is_unknown(to) ? tfv_clone(to) : tfv_new_null(), &ok);
    if (!ok) {
        tfv_free(v);
        return NULL;
    }
    return v;
}
