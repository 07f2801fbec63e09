/*
 * drift: differences between the live table and the desired spec (see drift.h).
 */
#include "drift.h"

#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

void drift_plan_clear(struct drift_plan *p) {
    free(p->ttl_attribute);
    free(p->ttl_attribute_want);
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
           !p->tags_set_count && !p->tags_remove_count;
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
    if (want->pitr != l->pitr) {
        p->pitr = true;
        p->pitr_to = want->pitr;
    }
    enum tpd_code rc = s_ttl(want, live, p);
    if (!rc && live->tags_read) {
        rc = s_tags(want, live, p);
    }
    if (rc) {
        drift_plan_clear(p);
    }
    return rc;
}

static void s_billing(struct tpd_buf *b, bool provisioned, int64_t r, int64_t w) {
    if (provisioned) {
        tpd_buf_printf(b, "PROVISIONED (%lld read, %lld write)", (long long)r, (long long)w);
    } else {
        tpd_buf_append_cstr(b, "PAY_PER_REQUEST");
    }
}

void drift_describe(const struct drift_plan *p, const struct table_live *live, struct tpd_buf *b) {
    const struct table_spec *l = &live->spec;
    if (p->billing) {
        tpd_buf_append_cstr(b, "  - billing mode: ");
        s_billing(b, l->provisioned, l->read_capacity, l->write_capacity);
        tpd_buf_append_cstr(b, " -> ");
        s_billing(b, p->provisioned_to, p->read_capacity_to, p->write_capacity_to);
        tpd_buf_append_cstr(b, "\n");
    }
    if (p->protection) {
        tpd_buf_printf(
            b,
            "  - deletion protection: %s -> %s%s\n",
            l->deletion_protection ? "on" : "off",
            p->protection_to ? "on" : "off",
            p->protection_to ? "" : " (the table can then be deleted)");
    }
    if (p->pitr) {
        tpd_buf_printf(
            b,
            "  - point-in-time recovery: %s -> %s%s\n",
            l->pitr ? "on" : "off",
            p->pitr_to ? "on" : "off",
            p->pitr_to ? " (continuous backups are billed per GB-month)"
                       : " (this discards the recovery window: the table can no longer be "
                         "restored to an earlier point in time)");
    }
    switch (p->ttl) {
        case DRIFT_TTL_ENABLE:
            tpd_buf_printf(
                b,
                "  - time to live: %s -> enabled on \"%s\" (items past their expiry time are "
                "deleted)\n",
                live->ttl_status ? live->ttl_status : "DISABLED",
                p->ttl_attribute);
            break;
        case DRIFT_TTL_DISABLE:
            tpd_buf_printf(
                b, "  - time to live: enabled on \"%s\" -> disabled\n", p->ttl_attribute);
            break;
        case DRIFT_TTL_RENAME:
            tpd_buf_printf(
                b,
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
            tpd_buf_printf(
                b, "  - tag %s: \"%s\" -> \"%s\"\n", p->tags_set[i].key, cur, p->tags_set[i].value);
        } else {
            tpd_buf_printf(
                b, "  - tag %s: added (\"%s\")\n", p->tags_set[i].key, p->tags_set[i].value);
        }
    }
    for (size_t i = 0; i < p->tags_remove_count; i++) {
        tpd_buf_printf(
            b,
            "  - tag %s: \"%s\" -> removed\n",
            p->tags_remove[i],
            tpd_kv_find(l->tags, l->tag_count, p->tags_remove[i]));
    }
}
