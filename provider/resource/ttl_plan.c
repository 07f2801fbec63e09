/*
 * ttl_plan: the planning rules that need no AWS call (docs/resource.md, "Plan"):
 *   - name, hash_key, range_key and local_secondary_indexes changes are replacements
 *     (LSIs, compared by name, exist only from a table's creation); stack_name never is (a
 *     changed stack_name moves the table between stacks in place, or names where a
 *     table in no stack is adopted);
 *   - a replacement or a destroy of a table whose prior state is protected (deletion
 *     protection on and retain_on_destroy off) is refused at plan time, naming the
 *     attribute to switch off; with retain_on_destroy the destroy keeps the table, so
 *     it is allowed;
 *   - renaming the TTL attribute while TTL stays enabled is refused: DynamoDB needs a
 *     disable and an enable about an hour apart ("TimeToLive is active on a different
 *     AttributeName"), so the plan explains the two steps instead of an apply that
 *     fails halfway;
 *   - computed attributes stay known unless they will change.
 */
#include "ttl_plan.h"

#include <stdlib.h>
#include <string.h>

#include "table_policy.h"
#include "table_spec.h"
#include "tpd_alloc.h"
#include "validate.h"

#define DEFAULT_TIMEOUT_NS (30LL * 60 * 1000000000LL)

static enum tpd_code s_default(struct tfv *v, const char *key, struct tfv *def) {
    const struct tfv *cur = tfv_get(v, key);
    if (cur && !tfv_is_null(cur)) {
        tfv_free(def);
        return TPD_OK;
    }
    return tfv_map_set(v, key, def);
}

/*
 * Optional attributes with a default are also computed, so Terraform proposes the
 * prior (refreshed) value when the configuration leaves them out. The default must
 * win instead: otherwise protection or TTL switched off outside Terraform would not
 * show as a diff. config may be NULL (then only nulls are filled).
 */
static enum tpd_code s_force_defaults(struct tfv *v, const struct tfv *config) {
    static const char *const keys[] = {
        "billing_mode",
        "deletion_protection_enabled",
        "point_in_time_recovery",
        "resource_policy",
        "retain_on_destroy"};
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; !rc && config && i < sizeof keys / sizeof keys[0]; i++) {
        if (tfv_is_null(tfv_get(config, keys[i]))) {
            struct tfv *n = tfv_new_null();
            rc = n ? tfv_map_set(v, keys[i], n) : TPD_E_NOMEM;
        }
    }
    return rc ? rc : ttl_plan_set_defaults(v);
}

enum tpd_code ttl_plan_set_defaults(struct tfv *v) {
    enum tpd_code rc = s_default(v, "billing_mode", tfv_new_string("PAY_PER_REQUEST"));
    if (!rc) {
        rc = s_default(v, "deletion_protection_enabled", tfv_new_bool(true));
    }
    if (!rc) {
        rc = s_default(v, "point_in_time_recovery", tfv_new_bool(false));
    }
    if (!rc) {
        rc = s_default(v, "retain_on_destroy", tfv_new_bool(false));
    }
    const char *name = tfv_get_str(v, "name");
    if (!rc && name) {
        const struct tfv *sn = tfv_get(v, "stack_name");
        if (tfv_is_null(sn)) {
            char *derived = table_spec_default_stack_name(name);
            rc = derived ? tfv_map_set(v, "stack_name", tfv_new_string(derived)) : TPD_E_NOMEM;
            free(derived);
        }
    }
    /* ttl.enabled is optional without being computed (null means true): protocol 5
     * cannot mark an attribute inside an object as computed, so the provider never
     * plans a value there that the configuration left out. */
    return rc;
}

int64_t ttl_plan_timeout_ns(const struct tfv *state, const char *kind) {
    int64_t ns;
    const char *s = tfv_get_str(tfv_get(state, "timeouts"), kind);
    if (s && validate_parse_duration(s, &ns)) {
        return ns;
    }
    return DEFAULT_TIMEOUT_NS;
}

/* A list of index objects compared by name, not by position (index_plan.h): the same
 * names, and each element equal to the other's element of that name. */
static bool s_same_indexes(const struct tfv *a, const struct tfv *b) {
    if (!a || !b || a->kind != TFV_LIST || b->kind != TFV_LIST) {
        return tfv_equal(a, b);
    }
    if (a->u.list.count != b->u.list.count) {
        return false;
    }
    for (size_t i = 0; i < a->u.list.count; i++) {
        const char *n = tfv_get_str(a->u.list.items[i], "name");
        const struct tfv *match = NULL;
        for (size_t j = 0; n && j < b->u.list.count && !match; j++) {
            const char *m = tfv_get_str(b->u.list.items[j], "name");
            match = m && strcmp(m, n) == 0 ? b->u.list.items[j] : NULL;
        }
        if (!match || !tfv_equal(a->u.list.items[i], match)) {
            return false;
        }
    }
    return true;
}

static bool s_changed(const struct tfv *a, const struct tfv *b, const char *key) {
    if (strcmp(key, "local_secondary_indexes") == 0) {
        return !s_same_indexes(tfv_get(a, key), tfv_get(b, key));
    }
    return !tfv_equal(tfv_get(a, key), tfv_get(b, key));
}

void ttl_plan_protected_refusal(
    struct diag_list *diags, const char *table, const char *what, bool retain_hint) {
    struct tfv_path p = {0};
    /* Out of memory for the path: the diagnostic goes without one rather than not at all. */
    bool has_path = tfv_path_push_attr(&p, "deletion_protection_enabled") == TPD_OK;
    diag_add(
        diags,
        DIAG_ERROR,
        has_path ? &p : NULL,
        "Table is protected against deletion",
        "DynamoDB table \"%s\" has deletion protection enabled, so it cannot be %s: that would "
        "delete the table and every item in it. Nothing was changed.\n\nTo proceed, first set "
        "deletion_protection_enabled = false on this resource and run terraform apply (an in-place "
        "update that keeps the data), then run this command again.%s",
        table ? table : "?",
        what,
        retain_hint ? " To keep the table instead, set retain_on_destroy = true before destroying."
                    : "");
    tfv_path_clear(&p);
}

bool ttl_plan_prior_protected(const struct tfv *prior, bool for_replacement) {
    bool on = false, retain = false;
    /* A null or unknown value in state counts as protected: when in doubt, do not delete. */
    if (!tfv_get_bool(prior, "deletion_protection_enabled", &on)) {
        return true;
    }
    /* A destroy with retain_on_destroy keeps the table. A replacement does not: it makes
     * a new table in place of the old one. */
    if (!for_replacement && tfv_get_bool(prior, "retain_on_destroy", &retain) && retain) {
        return false;
    }
    return on;
}

/* TTL rename while enabled (before and after): refused with the two-step recipe. */
static void
s_check_ttl_rename(const struct tfv *prior, const struct tfv *planned, struct diag_list *diags) {
    const struct tfv *a = tfv_get(prior, "ttl"), *b = tfv_get(planned, "ttl");
    const char *an = tfv_get_str(a, "attribute_name"), *bn = tfv_get_str(b, "attribute_name");
    bool ae = true, be = true; /* a null `enabled` means enabled */
    tfv_get_bool(a, "enabled", &ae);
    tfv_get_bool(b, "enabled", &be);
    const char *status = tfv_get_str(prior, "ttl_status");
    bool active = ae || (status && (!strcmp(status, "ENABLED") || !strcmp(status, "ENABLING")));
    if (!an || !bn || !active || !be || strcmp(an, bn) == 0) {
        return;
    }
    struct tfv_path p = {0};
    /* not ttl.attribute_name: see s_err in validate.c */
    bool has_path = tfv_path_of(&p, "ttl", (const char *)NULL) == TPD_OK;
    diag_add(
        diags,
        DIAG_ERROR,
        has_path ? &p : NULL,
        "Time to Live attribute cannot be renamed in one step",
        "TTL is enabled on \"%s\". DynamoDB cannot move an enabled TTL to another attribute, and "
        "allows about one TTL change per table per hour. Rename it in two steps:\n"
        "  1. set ttl = { attribute_name = \"%s\", enabled = false } and apply;\n"
        "  2. about an hour later, set ttl = { attribute_name = \"%s\", enabled = true } and "
        "apply.",
        an,
        an,
        bn);
    tfv_path_clear(&p);
}

static enum tpd_code s_set_unknown(struct tfv *v, const char *key) {
    struct tfv *u = tfv_new_unknown();
    return u ? tfv_map_set(v, key, u) : TPD_E_NOMEM;
}

static enum tpd_code s_set_string(struct tfv *v, const char *key, const char *s) {
    struct tfv *x = s ? tfv_new_string(s) : tfv_new_unknown();
    return x ? tfv_map_set(v, key, x) : TPD_E_NOMEM;
}

/* Mark key unknown unless its value is one of the settled ones (a or b). */
static enum tpd_code
s_unknown_unless(struct tfv *v, const char *key, const char *a, const char *b) {
    const char *cur = tfv_get_str(v, key);
    if (tfv_is_unknown(tfv_get(v, key)) ||
        (cur && ((a && !strcmp(cur, a)) || (b && !strcmp(cur, b))))) {
        return TPD_OK;
    }
    return s_set_unknown(v, key);
}

/* The computed attributes a new table gets from AWS: unknown until apply. */
static enum tpd_code s_new_table_unknowns(struct tfv *v, const char *name) {
    static const char *const unknown[] = {
        "arn", "stack_id", "owner_id", "table_status", "ttl_status", "stream_arn"};
    enum tpd_code rc = s_set_string(v, "id", name);
    for (size_t i = 0; !rc && i < sizeof unknown / sizeof unknown[0]; i++) {
        rc = s_set_unknown(v, unknown[i]);
    }
    return rc;
}

/* A plan that ran out of memory plans nothing (issue 24: a dropped RequiresReplace path
 * must never leave the change planned). */
static enum ttl_plan_kind s_nomem(struct tfv *v, struct tfv **planned, struct diag_list *diags) {
    tfv_free(v);
    *planned = NULL;
    diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
    return TTL_PLAN_NOOP;
}

enum ttl_plan_kind ttl_plan_compute(
    const struct tfv *prior,
    const struct tfv *proposed,
    const struct tfv *config,
    struct tfv **planned,
    struct provider_path_list *requires_replace,
    struct diag_list *diags) {
    *planned = NULL;
    if (tfv_is_null(proposed)) {
        if (!tfv_is_null(prior) && ttl_plan_prior_protected(prior, false)) {
            ttl_plan_protected_refusal(diags, tfv_get_str(prior, "name"), "destroyed", true);
        }
        return TTL_PLAN_DESTROY;
    }
    struct tfv *v = tfv_clone(proposed);
    if (!v || s_force_defaults(v, config) != TPD_OK) {
        tfv_free(v);
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
        return TTL_PLAN_NOOP;
    }
    /* resource_policy is computed only so that an equal document written differently keeps
     * the prior text: no diff (table_policy.h). Left out, it is null (s_force_defaults). */
    const char *pol = tfv_get_str(v, "resource_policy");
    const char *prior_pol = tfv_get_str(prior, "resource_policy");
    if (pol && prior_pol && strcmp(pol, prior_pol) != 0 && table_policy_equal(pol, prior_pol)) {
        struct tfv *keep = tfv_new_string(prior_pol);
        if (!keep || tfv_map_set(v, "resource_policy", keep) != TPD_OK) {
            tfv_free(v);
            diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
            return TTL_PLAN_NOOP;
        }
    }
    const char *name = tfv_get_str(v, "name");
    if (tfv_is_null(prior)) {
        /* Create: id is the table name, known now; the rest comes from AWS. */
        if (s_new_table_unknowns(v, name) != TPD_OK) {
            return s_nomem(v, planned, diags);
        }
        *planned = v;
        return TTL_PLAN_CREATE;
    }

    /* LSIs exist only from a table's creation (compared by name, not position). */
    static const char *const force_new[] = {
        "name", "hash_key", "range_key", "local_secondary_indexes"};
    bool replace = false;
    for (size_t i = 0; i < sizeof force_new / sizeof force_new[0]; i++) {
        if (s_changed(prior, v, force_new[i])) {
            struct tfv_path p = {0};
            if (tfv_path_push_attr(&p, force_new[i]) != TPD_OK) {
                return s_nomem(v, planned, diags);
            }
            struct tfv_path *paths = tpd_realloc(
                requires_replace->paths, (requires_replace->count + 1) * sizeof(*paths));
            if (!paths) {
                tfv_path_clear(&p);
                return s_nomem(v, planned, diags);
            }
            requires_replace->paths = paths;
            requires_replace->paths[requires_replace->count++] = p;
            replace = true;
        }
    }
    if (replace) {
        if (ttl_plan_prior_protected(prior, true)) {
            ttl_plan_protected_refusal(diags, tfv_get_str(prior, "name"), "replaced", false);
        }
        if (s_new_table_unknowns(v, name) != TPD_OK) {
            return s_nomem(v, planned, diags);
        }
        *planned = v;
        return TTL_PLAN_REPLACE;
    }

    /* In-place: computed attributes keep their values, ttl_status changes with ttl, the
     * stream's ARN with the stream (another view type is a new stream). */
    static const char *const computed[] = {
        "id", "arn", "stack_id", "owner_id", "table_status", "ttl_status", "stream_arn"};
    for (size_t i = 0; i < sizeof computed / sizeof computed[0]; i++) {
        const struct tfv *pv = tfv_get(prior, computed[i]);
        struct tfv *c = pv ? tfv_clone(pv) : tfv_new_null();
        if (!c || tfv_map_set(v, computed[i], c) != TPD_OK) {
            return s_nomem(v, planned, diags);
        }
    }
    enum tpd_code rc = TPD_OK;
    if (tfv_is_null(tfv_get(prior, "stack_id")) || s_changed(prior, v, "stack_name")) {
        /* A table in no stack yet is adopted into the configured one; a changed
         * stack_name moves the table: either way the stack id is new. */
        rc = s_set_unknown(v, "stack_id");
    }
    if (!rc && tfv_is_null(tfv_get(prior, "owner_id"))) {
        /* No owner recorded (a state of an earlier release, an import, a table in no stack
         * yet): the next apply records this resource's owner on its stack (ownership.h). */
        rc = s_set_unknown(v, "owner_id");
    }
    if (!rc && s_changed(prior, v, "ttl")) {
        rc = s_set_unknown(v, "ttl_status");
        s_check_ttl_rename(prior, v, diags);
    }
    if (!rc && s_changed(prior, v, "stream")) {
        rc = s_set_unknown(v, "stream_arn");
    }
    if (!rc && tfv_is_null(tfv_get(v, "id")) && name) {
        rc = s_set_string(v, "id", name);
    }
    bool changed = !tfv_equal(prior, v);
    if (!rc && changed) {
        /* Apply reads the table back after waiting for it: a status still moving when
         * the state was refreshed (ENABLING, UPDATING...) is then another value. */
        rc = s_unknown_unless(v, "table_status", "ACTIVE", NULL);
        if (!rc) {
            rc = s_unknown_unless(v, "ttl_status", "ENABLED", "DISABLED");
        }
    }
    if (rc) {
        return s_nomem(v, planned, diags);
    }
    *planned = v;
    return changed ? TTL_PLAN_UPDATE : TTL_PLAN_NOOP;
}
