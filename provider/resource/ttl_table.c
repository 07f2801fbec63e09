/*
 * ttl_table: the dynamodb_ttl_table lifecycle (product.md, "Resource
 * dynamodb_ttl_table"): refresh, plan, apply and import.
 *
 * Apply chooses one of the deploy paths of the hand-written workflow it replaces:
 *   normal  the stack exists: UPDATE change set; an empty change set is success;
 *   import  the table exists and no stack owns it: IMPORT change set with a template
 *           that mirrors the table as it is (no Outputs), then an UPDATE that adds the
 *           Outputs and applies the configured settings;
 *   fresh   neither exists: CREATE change set.
 * Whatever happens, the state returned describes what exists: a stack that was
 * created is recorded even when a later step fails, so the next apply continues.
 * Plans make only read calls. Destroy honours deletion protection twice: at plan time
 * from state (ttl_plan.c) and at apply time from DynamoDB itself.
 */
#include "ttl_table.h"

#include <stdlib.h>
#include <string.h>

#include "cloud.h"
#include "tpd_log.h"
#include "ttl_plan.h"

static char *s_dup(const char *s) {
    return s ? tpd_span_strdup(tpd_span_cstr(s)) : NULL;
}

static void s_set_str(struct tfv *v, const char *key, const char *s) {
    tfv_map_set(v, key, s ? tfv_new_string(s) : tfv_new_null());
}

static struct tfv *s_key_value(const char *name, const char *type) {
    if (!name) {
        return tfv_new_null();
    }
    struct tfv *k = tfv_new_object();
    tfv_map_set(k, "name", tfv_new_string(name));
    tfv_map_set(k, "type", tfv_new_string(type ? type : "S"));
    return k;
}

static const char *s_stack_name_of(const struct tfv *v, char **owned) {
    const char *s = tfv_get_str(v, "stack_name");
    if (s) {
        return s;
    }
    const char *name = tfv_get_str(v, "name");
    *owned = name ? ttl_spec_default_stack_name(name) : NULL;
    return *owned;
}

static bool s_is_in_progress(const char *status) {
    return status && strstr(status, "_IN_PROGRESS") && strcmp(status, "REVIEW_IN_PROGRESS") != 0;
}

/* ------------------------------------------------------------------------------------
 * Refresh
 * ---------------------------------------------------------------------------------- */

/* TTL as the state shows it: enabled => {name, null}, since a null `enabled` means
 * enabled and is what a configuration that leaves it out holds (after an import too);
 * {name, true} only when the state already said true explicitly. Disabled keeps the
 * configured name with enabled = false (a disabled TTL has no name in DynamoDB's
 * answer). */
static struct tfv *
s_ttl_value(const struct tfv *current, const char *status, const char *attribute) {
    bool on = status && (!strcmp(status, "ENABLED") || !strcmp(status, "ENABLING"));
    const struct tfv *cur = tfv_get(current, "ttl");
    const char *cur_name = tfv_get_str(cur, "attribute_name");
    if (on && attribute) {
        struct tfv *t = tfv_new_object();
        tfv_map_set(t, "attribute_name", tfv_new_string(attribute));
        bool was_true = false;
        bool explicit_true = cur_name && tfv_get_bool(cur, "enabled", &was_true) && was_true;
        tfv_map_set(t, "enabled", explicit_true ? tfv_new_bool(true) : tfv_new_null());
        return t;
    }
    if (cur_name) {
        struct tfv *t = tfv_new_object();
        tfv_map_set(t, "attribute_name", tfv_new_string(attribute ? attribute : cur_name));
        tfv_map_set(t, "enabled", tfv_new_bool(false));
        return t;
    }
    return tfv_new_null();
}

static struct tfv *
s_tags_value(const struct tfv *current, const struct ttl_spec_tag *tags, size_t n) {
    const struct tfv *cur = tfv_get(current, "tags");
    if (n == 0 && tfv_is_null(cur)) {
        return tfv_new_null(); /* no tags configured, none found: no diff */
    }
    struct tfv *m = tfv_new_map();
    for (size_t i = 0; m && i < n; i++) {
        /* CloudFormation adds aws:* tags to stacks it manages; they are not ours. */
        if (strncmp(tags[i].key, "aws:", 4) != 0) {
            tfv_map_set(m, tags[i].key, tfv_new_string(tags[i].value));
        }
    }
    return m;
}

enum read_result { READ_OK, READ_GONE, READ_ERROR };

/*
 * Read the table, its TTL, its recovery setting and its stack (at most 4 calls:
 * DescribeTable, DescribeTimeToLive, DescribeContinuousBackups, and DescribeStacks —
 * or ListTagsOfResource for a table no stack owns yet). Fills *out from current.
 */
static enum read_result
s_read(struct cloud *c, const struct tfv *current, struct tfv **out, struct diag_list *diags) {
    *out = NULL;
    const char *name = tfv_get_str(current, "name");
    char *owned_stack = NULL;
    const char *stack_name = s_stack_name_of(current, &owned_stack);
    struct cloud_table t = {0};
    struct cloud_stack st = {0};
    char *ttl_status = NULL, *ttl_attr = NULL;
    bool pitr = false;
    struct tpd_err err = {0};
    enum read_result result = READ_ERROR;
    struct tfv *v = NULL;

    if (!name) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "State has no table name",
            "The stored state lacks the table name.");
        goto done;
    }
    enum tpd_code rc = cloud_describe_table(c, name, &t, &err);
    if (rc == TPD_E_NOT_FOUND) {
        TPD_INFO("table %s no longer exists: removing it from state", name);
        result = READ_GONE;
        goto done;
    }
    if (rc) {
        diag_add_err(diags, NULL, "Cannot read the DynamoDB table", &err);
        goto done;
    }
    rc = cloud_describe_ttl(c, name, &ttl_status, &ttl_attr, &err);
    if (!rc) {
        rc = cloud_describe_pitr(c, name, &pitr, &err);
    }
    if (rc == TPD_E_NOT_FOUND) {
        result = READ_GONE; /* deleted between two calls */
        goto done;
    }
    if (rc) {
        diag_add_err(diags, NULL, "Cannot read the table's settings", &err);
        goto done;
    }
    bool has_stack = !tfv_is_null(tfv_get(current, "stack_id"));
    const struct ttl_spec_tag *tags = NULL;
    size_t tag_count = 0;
    if (has_stack) {
        rc = cloud_describe_stack(c, stack_name, &st, &err);
        if (rc == TPD_E_NOT_FOUND || (!rc && st.status && !strcmp(st.status, "DELETE_COMPLETE"))) {
            /* The stack went outside Terraform: forget the resource so the next plan
             * creates it again (adopting the table if it was retained). */
            TPD_INFO("stack %s no longer exists: removing table %s from state", stack_name, name);
            result = READ_GONE;
            goto done;
        }
        if (rc) {
            diag_add_err(diags, NULL, "Cannot read the CloudFormation stack", &err);
            goto done;
        }
        tags = st.tags;
        tag_count = st.tag_count;
    } else {
        rc = cloud_list_tags(c, t.arn, &t.spec, &err);
        if (rc) {
            diag_add_err(diags, NULL, "Cannot read the table's tags", &err);
            goto done;
        }
        tags = t.spec.tags;
        tag_count = t.spec.tag_count;
    }

    v = tfv_clone(current);
    if (!v) {
        goto done;
    }
    s_set_str(v, "id", name);
    s_set_str(v, "arn", t.arn);
    s_set_str(v, "table_status", t.status);
    s_set_str(v, "ttl_status", ttl_status);
    tfv_map_set(v, "hash_key", s_key_value(t.spec.hash_name, t.spec.hash_type));
    tfv_map_set(v, "range_key", s_key_value(t.spec.range_name, t.spec.range_type));
    s_set_str(v, "billing_mode", t.spec.provisioned ? "PROVISIONED" : "PAY_PER_REQUEST");
    tfv_map_set(
        v,
        "read_capacity",
        t.spec.provisioned ? tfv_new_int(t.spec.read_capacity) : tfv_new_null());
    tfv_map_set(
        v,
        "write_capacity",
        t.spec.provisioned ? tfv_new_int(t.spec.write_capacity) : tfv_new_null());
    tfv_map_set(v, "deletion_protection_enabled", tfv_new_bool(t.spec.deletion_protection));
    tfv_map_set(v, "point_in_time_recovery", tfv_new_bool(pitr));
    tfv_map_set(v, "ttl", s_ttl_value(current, ttl_status, ttl_attr));
    tfv_map_set(v, "tags", s_tags_value(current, tags, tag_count));
    if (has_stack) {
        s_set_str(v, "stack_id", st.id);
    }
    s_set_str(v, "stack_name", stack_name);
    if (tfv_is_null(tfv_get(v, "retain_on_destroy"))) {
        tfv_map_set(v, "retain_on_destroy", tfv_new_bool(false));
    }
    *out = v;
    result = READ_OK;
done:
    if (result == READ_ERROR && !diag_list_has_errors(diags)) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Reading the table ran out of memory.");
    }
    free(owned_stack);
    free(ttl_status);
    free(ttl_attr);
    cloud_table_clear(&t);
    cloud_stack_clear(&st);
    tpd_err_clear(&err);
    return result;
}

void ttl_table_read(
    struct tfp_provider *p,
    const struct tfv *current,
    struct tpd_span private_in,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    (void)private_in;
    (void)private_out;
    *new_state = NULL;
    if (tfv_is_null(current)) {
        return;
    }
    struct cloud *c = provider_cloud(p, diags);
    if (!c) {
        *new_state = tfv_clone(current);
        return;
    }
    if (s_read(c, current, new_state, diags) == READ_ERROR) {
        *new_state = tfv_clone(current); /* unchanged: nothing is lost on a failed read */
    }
}

/* ------------------------------------------------------------------------------------
 * Plan
 * ---------------------------------------------------------------------------------- */

static bool s_keys_match(const struct ttl_spec *want, const struct ttl_spec *have) {
    bool range_same =
        (!want->range_name && !have->range_name) ||
        (want->range_name && have->range_name && !strcmp(want->range_name, have->range_name) &&
         !strcmp(want->range_type, have->range_type));
    return !strcmp(want->hash_name, have->hash_name) && !strcmp(want->hash_type, have->hash_type) &&
           range_same;
}

static void s_describe_keys(struct tpd_buf *b, const struct ttl_spec *s) {
    tpd_buf_printf(b, "hash key %s (%s)", s->hash_name, s->hash_type);
    if (s->range_name) {
        tpd_buf_printf(b, ", range key %s (%s)", s->range_name, s->range_type);
    } else {
        tpd_buf_append_cstr(b, ", no range key");
    }
}

/* Create of a table that may already exist: adopt it (warning) or refuse (error). */
static void
s_plan_existing_table(struct cloud *c, const struct tfv *planned, struct diag_list *diags) {
    struct ttl_spec want = {0};
    struct cloud_table have = {0};
    struct tpd_err err = {0};
    char *owner = NULL;
    if (!tfv_is_wholly_known(tfv_get(planned, "name")) ||
        !tfv_is_wholly_known(tfv_get(planned, "hash_key")) ||
        !tfv_is_wholly_known(tfv_get(planned, "range_key")) ||
        !tfv_is_wholly_known(tfv_get(planned, "stack_name")) ||
        ttl_spec_from_value(planned, NULL, &want, &err) != TPD_OK) {
        goto done; /* checked again at apply time, when the values are known */
    }
    enum tpd_code rc = cloud_describe_table(c, want.table_name, &have, &err);
    if (rc == TPD_E_NOT_FOUND) {
        goto done;
    }
    if (rc) {
        diag_add_err(diags, NULL, "Cannot check whether the table already exists", &err);
        goto done;
    }
    rc = cloud_find_owner_stack(c, want.table_name, &owner, &err);
    if (rc && rc != TPD_E_NOT_FOUND) {
        diag_add_err(diags, NULL, "Cannot find which stack owns the table", &err);
        goto done;
    }
    if (owner && strcmp(owner, want.stack_name) != 0) {
        struct tfv_path path = {0};
        tfv_path_push_attr(&path, "stack_name");
        diag_add(
            diags,
            DIAG_ERROR,
            &path,
            "Table belongs to another stack",
            "DynamoDB table \"%s\" already exists and is owned by CloudFormation stack \"%s\", not "
            "\"%s\". "
            "Set stack_name = \"%s\" (and import it with terraform import) or choose another table "
            "name.",
            want.table_name,
            owner,
            want.stack_name,
            owner);
        tfv_path_clear(&path);
        goto done;
    }
    if (!s_keys_match(&want, &have.spec)) {
        struct tpd_buf a, b;
        tpd_buf_init(&a, 0);
        tpd_buf_init(&b, 0);
        s_describe_keys(&a, &have.spec);
        s_describe_keys(&b, &want);
        struct tfv_path path = {0};
        tfv_path_push_attr(&path, "hash_key");
        diag_add(
            diags,
            DIAG_ERROR,
            &path,
            "Existing table has a different key schema",
            "DynamoDB table \"%s\" already exists with %s, but the configuration says %s. A key "
            "schema "
            "cannot change without recreating the table and losing its items, so it cannot be "
            "adopted. "
            "Make the configuration match the table, or use another table name.",
            want.table_name,
            tpd_buf_cstr(&a),
            tpd_buf_cstr(&b));
        tfv_path_clear(&path);
        tpd_buf_clear(&a);
        tpd_buf_clear(&b);
        goto done;
    }
    if (owner) {
        diag_add(
            diags,
            DIAG_WARNING,
            NULL,
            "Existing stack and table will be taken over",
            "DynamoDB table \"%s\" and its stack \"%s\" already exist (for example after an "
            "interrupted "
            "apply). Apply will update that stack to this configuration; no item is touched.",
            want.table_name,
            want.stack_name);
    } else {
        diag_add(
            diags,
            DIAG_WARNING,
            NULL,
            "Existing table will be adopted into a stack",
            "DynamoDB table \"%s\" already exists outside any CloudFormation stack (%lld items). "
            "Apply "
            "will adopt it into stack \"%s\" with an IMPORT change set, then apply the configured "
            "TTL, "
            "protection and tags with a stack update. No data is touched.",
            want.table_name,
            (long long)have.item_count,
            want.stack_name);
    }
done:
    free(owner);
    ttl_spec_clear(&want);
    cloud_table_clear(&have);
    tpd_err_clear(&err);
}

void ttl_table_plan(
    struct tfp_provider *p,
    const struct tfv *prior_state,
    const struct tfv *proposed_new_state,
    const struct tfv *config,
    struct tpd_span prior_private,
    struct tfv **planned_state,
    struct tfp_path_list *requires_replace,
    struct tpd_buf *planned_private,
    struct diag_list *diags) {
    enum ttl_plan_kind kind = ttl_plan_compute(
        prior_state, proposed_new_state, config, planned_state, requires_replace, diags);
    /* For a replacement Terraform plans the create half again with a null prior state
     * and the private data of the first answer: mark it, so that the create half does
     * not mistake the table about to be destroyed for one to adopt. */
    static const char marker[] = "replacing-existing-table";
    if (kind == TTL_PLAN_REPLACE) {
        tpd_buf_append_cstr(planned_private, marker);
        return;
    }
    bool replacing = tpd_span_eq(prior_private, TPD_SPAN_LIT(marker));
    if (kind == TTL_PLAN_CREATE && replacing) {
        tpd_buf_append_cstr(planned_private, marker);
        return;
    }
    if (kind == TTL_PLAN_CREATE && !diag_list_has_errors(diags)) {
        struct cloud *c = provider_cloud(p, diags);
        if (c) {
            s_plan_existing_table(c, *planned_state, diags);
        }
    }
}

/* ------------------------------------------------------------------------------------
 * Apply
 * ---------------------------------------------------------------------------------- */

static int64_t s_deadline(const struct tfv *v, const char *kind) {
    return tpd_now_ns() + ttl_plan_timeout_ns(v, kind);
}

/*
 * DynamoDB's Time to Live answers, as they surface in stack events, explained: the
 * raw texts ("Time to live has been modified multiple times within a fixed interval",
 * "TimeToLive is already enabled", "TimeToLive is active on a different
 * AttributeName") do not say what to do next.
 */
static const char *s_ttl_hint(const char *msg) {
    if (!msg) {
        return NULL;
    }
    if (strstr(msg, "modified multiple times")) {
        return "DynamoDB allows about one Time to Live change per table per hour. The table keeps "
               "its "
               "current TTL setting; wait an hour and apply again.";
    }
    if (strstr(msg, "already enabled") || strstr(msg, "already disabled")) {
        return "Time to Live was already in the requested state, most likely changed outside "
               "Terraform. "
               "Run terraform apply again: the refresh picks up the real setting.";
    }
    if (strstr(msg, "active on a different AttributeName")) {
        return "TTL is enabled on another attribute. Rename it in two steps: set enabled = false "
               "with the "
               "current attribute_name and apply; about an hour later set the new attribute_name "
               "with "
               "enabled = true and apply.";
    }
    return NULL;
}

static void s_deploy_error(struct diag_list *diags, const char *what, const struct tpd_err *err) {
    const char *hint = s_ttl_hint(err->msg);
    if (hint && err->code != TPD_E_TIMEOUT && err->code != TPD_E_STOPPED) {
        diag_add(diags, DIAG_ERROR, NULL, what, "%s\n\n%s", err->msg, hint);
        return;
    }
    if (err->code == TPD_E_TIMEOUT) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Timed out waiting for CloudFormation",
            "%s: timed out (%s). CloudFormation carries on with the operation; the state records "
            "what exists and the next apply waits for the stack and continues. To wait longer, "
            "raise "
            "the matching value in `timeouts`.",
            what,
            err->msg ? err->msg : "deadline reached");
    } else if (err->code == TPD_E_STOPPED) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Stopped",
            "%s was interrupted by a stop request; the state records what exists, "
            "and the next apply continues from there.",
            what);
    } else {
        diag_add_err(diags, NULL, what, err);
    }
}

/* The state after a successful apply: the planned values, with the computed ones
 * filled from AWS (the planned known values must come back unchanged). */
static struct tfv *s_state_after_apply(
    struct cloud *c, const struct tfv *planned, const char *stack_id, struct diag_list *diags) {
    struct tfv *v = tfv_clone(planned);
    if (!v) {
        return NULL;
    }
    const char *name = tfv_get_str(planned, "name");
    struct cloud_table t = {0};
    struct tpd_err err = {0};
    char *ttl_status = NULL, *ttl_attr = NULL;
    if (cloud_describe_table(c, name, &t, &err) == TPD_OK) {
        s_set_str(v, "arn", t.arn);
        s_set_str(v, "table_status", t.status);
    } else {
        diag_add_err(diags, NULL, "Cannot read the table after apply", &err);
    }
    tpd_err_clear(&err);
    if (cloud_describe_ttl(c, name, &ttl_status, &ttl_attr, &err) == TPD_OK) {
        s_set_str(v, "ttl_status", ttl_status);
    }
    tpd_err_clear(&err);
    if (stack_id) {
        s_set_str(v, "stack_id", stack_id);
    }
    /* Anything still unknown (a read failed) becomes null rather than unknown. */
    static const char *const computed[] = {"arn", "table_status", "ttl_status", "stack_id", "id"};
    for (size_t i = 0; i < sizeof computed / sizeof computed[0]; i++) {
        if (tfv_is_unknown(tfv_get(v, computed[i]))) {
            tfv_map_set(v, computed[i], tfv_new_null());
        }
    }
    free(ttl_status);
    free(ttl_attr);
    cloud_table_clear(&t);
    return v;
}

/* State that matches what exists after a failure: a fresh read when the table exists,
 * else (nothing but a stack) the planned values with the stack recorded. */
static struct tfv *s_state_after_failure(
    struct cloud *c, const struct tfv *base, const char *stack_id, struct diag_list *diags) {
    struct tfv *cur = tfv_clone(base);
    if (!cur) {
        return NULL;
    }
    if (stack_id) {
        s_set_str(cur, "stack_id", stack_id);
    }
    static const char *const computed[] = {"arn", "table_status", "ttl_status", "stack_id", "id"};
    for (size_t i = 0; i < sizeof computed / sizeof computed[0]; i++) {
        if (tfv_is_unknown(tfv_get(cur, computed[i]))) {
            tfv_map_set(cur, computed[i], tfv_new_null());
        }
    }
    if (tfv_is_unknown(tfv_get(cur, "stack_id")) || tfv_is_null(tfv_get(cur, "stack_id"))) {
        if (!stack_id) {
            tfv_map_set(cur, "stack_id", tfv_new_null());
        }
    }
    struct diag_list ignored;
    diag_list_init(&ignored);
    struct tfv *read = NULL;
    enum read_result r = s_read(c, cur, &read, &ignored);
    diag_list_clear(&ignored);
    (void)diags;
    if (r == READ_OK) {
        tfv_free(cur);
        return read;
    }
    if (r == READ_GONE && !stack_id) {
        tfv_free(cur);
        return NULL; /* nothing exists */
    }
    /* The table is gone (or unreadable) but a stack exists: keep it in state with
     * protection off, since there is no table to protect, so that the next plan
     * can replace it. */
    if (r == READ_GONE) {
        tfv_map_set(cur, "deletion_protection_enabled", tfv_new_bool(false));
    }
    return cur;
}

/* Settle the stack if an earlier run left it busy, and clear a failed-create stack
 * (ROLLBACK_COMPLETE can only be deleted). *exists: a usable stack exists. */
static enum tpd_code s_prepare_stack(
    struct cloud *c,
    const char *stack_name,
    int64_t deadline,
    bool *exists,
    struct cloud_stack *st,
    struct tpd_err *err) {
    *exists = false;
    enum tpd_code rc = cloud_describe_stack(c, stack_name, st, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        return TPD_OK;
    }
    if (rc) {
        return rc;
    }
    if (s_is_in_progress(st->status)) {
        TPD_INFO(
            "stack %s is %s (an earlier operation): waiting for it to settle",
            stack_name,
            st->status);
        cloud_stack_clear(st);
        rc = cloud_wait_stack_settled(c, stack_name, deadline, st, err);
        if (rc == TPD_E_NOT_FOUND) {
            tpd_err_clear(err);
            return TPD_OK;
        }
        if (rc) {
            return rc;
        }
    }
    if (!strcmp(st->status, "ROLLBACK_COMPLETE") || !strcmp(st->status, "ROLLBACK_FAILED")) {
        /* A failed create: the only way forward is to delete the empty stack. */
        TPD_INFO(
            "stack %s is %s after a failed create: deleting it before creating again",
            stack_name,
            st->status);
        rc = cloud_delete_stack(c, stack_name, false, deadline, err);
        cloud_stack_clear(st);
        return rc;
    }
    if (!strcmp(st->status, "REVIEW_IN_PROGRESS") || !strcmp(st->status, "DELETE_COMPLETE")) {
        return TPD_OK; /* an empty shell: CREATE and IMPORT change sets reuse it */
    }
    *exists = true;
    return TPD_OK;
}

/* Import path: adopt an existing table (*have, just described by the caller; this
 * function fills in its TTL, recovery and tags) into a new stack. */
static enum tpd_code s_apply_import(
    struct cloud *c,
    const struct ttl_spec *want,
    struct cloud_table *have,
    int64_t deadline,
    struct cloud_deploy_result *r,
    struct tpd_err *err) {
    char *owner = NULL, *ttl_status = NULL, *ttl_attr = NULL;
    struct tpd_buf tpl;
    tpd_buf_init(&tpl, TPD_MAX_TEMPLATE);
    enum tpd_code rc = cloud_find_owner_stack(c, want->table_name, &owner, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        rc = TPD_OK;
    } else if (!rc) {
        rc = tpd_err_set(
            err,
            TPD_E_FAILED,
            "table %s is owned by stack %s; it cannot be imported into %s",
            want->table_name,
            owner,
            want->stack_name);
    }
    if (!rc && !s_keys_match(want, &have->spec)) {
        rc = tpd_err_set(
            err,
            TPD_E_FAILED,
            "table %s exists with a different key schema; nothing was changed",
            want->table_name);
    }
    /* The import template mirrors the table as it is: CloudFormation compares later
     * updates with the imported template, not with the table, so claiming settings
     * the table lacks would make the follow-up update a silent no-op. */
    if (!rc) {
        rc = cloud_describe_ttl(c, want->table_name, &ttl_status, &ttl_attr, err);
    }
    if (!rc) {
        rc = cloud_describe_pitr(c, want->table_name, &have->spec.pitr, err);
    }
    if (!rc) {
        rc = cloud_list_tags(c, have->arn, &have->spec, err);
    }
    if (!rc) {
        free(have->spec.stack_name);
        have->spec.stack_name = s_dup(want->stack_name);
        have->spec.retain_on_destroy = want->retain_on_destroy;
        if (ttl_status && (!strcmp(ttl_status, "ENABLED") || !strcmp(ttl_status, "ENABLING")) &&
            ttl_attr) {
            have->spec.ttl_attribute = s_dup(ttl_attr);
            have->spec.ttl_enabled = true;
        }
        rc = cfn_template_render(&have->spec, CFN_TEMPLATE_IMPORT, &tpl, err);
    }
    if (!rc) {
        TPD_INFO(
            "adopting table %s into stack %s (IMPORT change set)",
            want->table_name,
            want->stack_name);
        struct cloud_deploy d = {
            .stack_name = want->stack_name,
            .type = CLOUD_DEPLOY_IMPORT,
            .template_body = tpd_buf_cstr(&tpl),
            .import_table = want->table_name,
            .deadline_ns = deadline,
        };
        rc = cloud_deploy(c, &d, r, err);
    }
    free(owner);
    free(ttl_status);
    free(ttl_attr);
    tpd_buf_clear(&tpl);
    return rc;
}

static enum tpd_code s_apply_update(
    struct cloud *c,
    const struct ttl_spec *want,
    enum cloud_deploy_type type,
    int64_t deadline,
    struct cloud_deploy_result *r,
    struct tpd_err *err) {
    struct tpd_buf tpl;
    tpd_buf_init(&tpl, TPD_MAX_TEMPLATE);
    enum tpd_code rc = cfn_template_render(want, CFN_TEMPLATE_FULL, &tpl, err);
    if (!rc) {
        TPD_INFO(
            "%s stack %s for table %s",
            type == CLOUD_DEPLOY_CREATE ? "creating" : "updating",
            want->stack_name,
            want->table_name);
        struct cloud_deploy d = {
            .stack_name = want->stack_name,
            .type = type,
            .template_body = tpd_buf_cstr(&tpl),
            .tags = want->tags,
            .tag_count = want->tag_count,
            .deadline_ns = deadline,
        };
        char *keep_id = r->stack_id;
        r->stack_id = NULL;
        rc = cloud_deploy(c, &d, r, err);
        if (!r->stack_id) {
            r->stack_id = keep_id;
        } else {
            free(keep_id);
        }
    }
    tpd_buf_clear(&tpl);
    return rc;
}

/* Create or update: choose the path from what exists now. */
static void s_apply_upsert(
    struct cloud *c,
    const struct tfv *prior,
    const struct tfv *planned,
    struct tfv **new_state,
    struct diag_list *diags) {
    struct ttl_spec want = {0};
    struct cloud_stack st = {0};
    struct cloud_table table = {0};
    struct cloud_deploy_result r = {0};
    struct tpd_err err = {0};
    bool creating = tfv_is_null(prior);
    int64_t deadline = s_deadline(planned, creating ? "create" : "update");
    const char *what =
        creating ? "Creating the table's stack failed" : "Updating the table's stack failed";

    enum tpd_code rc = ttl_spec_from_value(planned, prior, &want, &err);
    bool stack_exists = false;
    if (!rc) {
        rc = s_prepare_stack(c, want.stack_name, deadline, &stack_exists, &st, &err);
    }
    if (!rc && stack_exists && creating) {
        /* A stack whose table is gone (deleted outside Terraform, which is why the
         * resource left the state) owns nothing: remove it and start afresh, rather
         * than "updating" it with an empty change set and no table. */
        rc = cloud_describe_table(c, want.table_name, &table, &err);
        if (rc == TPD_E_NOT_FOUND) {
            tpd_err_clear(&err);
            TPD_INFO(
                "stack %s exists without its table %s: deleting it before creating again",
                want.stack_name,
                want.table_name);
            rc = cloud_delete_stack(c, want.stack_name, false, deadline, &err);
            stack_exists = false;
        }
        cloud_table_clear(&table);
    }
    if (!rc && stack_exists) {
        r.stack_id = s_dup(st.id);
        if (!strcmp(st.status, "DELETE_FAILED")) {
            rc = tpd_err_set(
                &err,
                TPD_E_FAILED,
                "stack %s is in DELETE_FAILED (%s) and cannot be updated; delete it first "
                "(terraform destroy with deletion protection off) or fix it in CloudFormation",
                want.stack_name,
                st.status_reason ? st.status_reason : "no reason given");
        } else {
            rc = s_apply_update(c, &want, CLOUD_DEPLOY_UPDATE, deadline, &r, &err);
        }
    } else if (!rc) {
        rc = cloud_describe_table(c, want.table_name, &table, &err);
        if (rc == TPD_E_NOT_FOUND) {
            tpd_err_clear(&err);
            rc = s_apply_update(c, &want, CLOUD_DEPLOY_CREATE, deadline, &r, &err);
        } else if (!rc) {
            rc = s_apply_import(c, &want, &table, deadline, &r, &err);
            if (!rc) {
                /* Second step: Outputs and the configured settings, as a normal update. */
                rc = s_apply_update(c, &want, CLOUD_DEPLOY_UPDATE, deadline, &r, &err);
                if (rc) {
                    tpd_err_prefix(
                        &err,
                        "table %s was adopted into stack %s, but the follow-up update failed: ",
                        want.table_name,
                        want.stack_name);
                }
            }
        }
    }

    if (!rc) {
        TPD_INFO(
            "table %s: stack %s %s",
            want.table_name,
            want.stack_name,
            r.empty ? "already up to date (empty change set)"
                    : (r.final_status ? r.final_status : "done"));
        *new_state = s_state_after_apply(c, planned, r.stack_id, diags);
    } else {
        s_deploy_error(diags, what, &err);
        *new_state = s_state_after_failure(c, creating ? planned : prior, r.stack_id, diags);
    }
    ttl_spec_clear(&want);
    cloud_stack_clear(&st);
    cloud_table_clear(&table);
    cloud_deploy_result_clear(&r);
    tpd_err_clear(&err);
}

static void s_apply_destroy(
    struct cloud *c, const struct tfv *prior, struct tfv **new_state, struct diag_list *diags) {
    const char *name = tfv_get_str(prior, "name");
    char *owned_stack = NULL;
    const char *stack_name = s_stack_name_of(prior, &owned_stack);
    bool retain = false;
    tfv_get_bool(prior, "retain_on_destroy", &retain);
    int64_t deadline = s_deadline(prior, "delete");
    struct cloud_table t = {0};
    struct cloud_stack st = {0};
    struct tpd_err err = {0};
    char **importers = NULL;
    size_t n_importers = 0;
    *new_state = NULL;

    /* Check again at apply time: protection may have been switched on outside Terraform. */
    enum tpd_code rc = cloud_describe_table(c, name, &t, &err);
    bool table_exists = rc == TPD_OK;
    if (rc && rc != TPD_E_NOT_FOUND) {
        diag_add_err(diags, NULL, "Cannot read the table before deleting it", &err);
        goto keep;
    }
    tpd_err_clear(&err);
    if (table_exists && t.spec.deletion_protection && !retain) {
        struct tfv_path path = {0};
        tfv_path_push_attr(&path, "deletion_protection_enabled");
        diag_add(
            diags,
            DIAG_ERROR,
            &path,
            "Table is protected against deletion",
            "DynamoDB table \"%s\" has deletion protection enabled in AWS (it may have been "
            "switched on "
            "outside Terraform). Nothing was deleted. Set deletion_protection_enabled = false and "
            "apply, "
            "then destroy again.",
            name);
        tfv_path_clear(&path);
        goto keep;
    }
    rc = cloud_describe_stack(c, stack_name, &st, &err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(&err);
        /* No stack (a table imported but never adopted): delete the table itself. */
        if (table_exists && !retain) {
            rc = cloud_delete_table(c, name, deadline, &err);
            if (rc) {
                s_deploy_error(diags, "Deleting the table failed", &err);
                goto keep;
            }
        }
        goto done;
    }
    if (!rc && s_is_in_progress(st.status)) {
        /* An earlier run (interrupted, or another tool) left the stack busy: let it
         * settle before deciding anything. */
        TPD_INFO("stack %s is %s: waiting for it to settle before deleting", stack_name, st.status);
        cloud_stack_clear(&st);
        rc = cloud_wait_stack_settled(c, stack_name, deadline, &st, &err);
        if (rc == TPD_E_NOT_FOUND || (!rc && !strcmp(st.status, "DELETE_COMPLETE"))) {
            goto done; /* that was a delete, and it finished */
        }
    }
    if (rc) {
        s_deploy_error(diags, "Cannot read the stack before deleting it", &err);
        goto keep;
    }
    rc = cloud_list_importers(c, &st, &importers, &n_importers, &err);
    if (rc) {
        diag_add_err(diags, NULL, "Cannot check which stacks import this stack's exports", &err);
        goto keep;
    }
    if (n_importers) {
        struct tpd_buf b;
        tpd_buf_init(&b, 0);
        for (size_t i = 0; i < n_importers; i++) {
            tpd_buf_printf(&b, "%s%s", i ? ", " : "", importers[i]);
        }
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Other stacks depend on this table's stack",
            "Stack \"%s\" exports values that these stacks import: %s. Delete or change those "
            "stacks "
            "first; nothing was deleted.",
            stack_name,
            tpd_buf_cstr(&b));
        tpd_buf_clear(&b);
        goto keep;
    }
    if (retain && table_exists) {
        /* Trust the deployed template, not the state: a DeletionPolicy-only change has
         * been known to produce an empty change set (aws/aws-cdk#11521), and deleting
         * the stack with DeletionPolicy Delete would delete the table. */
        bool retains = false;
        rc = cloud_template_retains_table(c, stack_name, &retains, &err);
        if (rc) {
            diag_add_err(
                diags, NULL, "Cannot read the deployed template before deleting the stack", &err);
            goto keep;
        }
        if (!retains) {
            diag_add(
                diags,
                DIAG_ERROR,
                NULL,
                "Deployed template would delete the table",
                "retain_on_destroy is true, but the template deployed in stack \"%s\" does not "
                "have "
                "DeletionPolicy Retain on the table, so deleting the stack would delete table "
                "\"%s\" and its "
                "items. Nothing was deleted. Run terraform apply to update the stack, then destroy "
                "again.",
                stack_name,
                name);
            goto keep;
        }
    }
    TPD_INFO("deleting stack %s%s", stack_name, retain ? " (keeping the table)" : "");
    rc = cloud_delete_stack(c, stack_name, retain, deadline, &err);
    if (rc) {
        s_deploy_error(diags, "Deleting the table's stack failed", &err);
        goto keep;
    }
    goto done;
keep:
    *new_state = tfv_clone(prior);
done:
    cloud_strv_free(importers);
    free(owned_stack);
    cloud_table_clear(&t);
    cloud_stack_clear(&st);
    tpd_err_clear(&err);
}

void ttl_table_apply(
    struct tfp_provider *p,
    const struct tfv *prior_state,
    const struct tfv *planned_state,
    const struct tfv *config,
    struct tpd_span planned_private,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    (void)config;
    (void)planned_private;
    (void)private_out;
    *new_state = NULL;
    struct cloud *c = provider_cloud(p, diags);
    if (!c) {
        *new_state = tfv_clone(prior_state);
        return;
    }
    if (tfv_is_null(planned_state)) {
        if (!tfv_is_null(prior_state)) {
            s_apply_destroy(c, prior_state, new_state, diags);
        }
        return;
    }
    s_apply_upsert(c, prior_state, planned_state, new_state, diags);
}

/* ------------------------------------------------------------------------------------
 * Import
 * ---------------------------------------------------------------------------------- */

void ttl_table_import(
    struct tfp_provider *p,
    const char *id,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    (void)private_out;
    *state = NULL;
    struct cloud *c = provider_cloud(p, diags);
    if (!c) {
        return;
    }
    char *stack = NULL, *table = NULL, *derived = NULL;
    const char *slash = id ? strchr(id, '/') : NULL;
    if (slash) {
        stack = tpd_span_strdup((struct tpd_span){(const uint8_t *)id, (size_t)(slash - id)});
        table = s_dup(slash + 1);
    } else {
        table = s_dup(id ? id : "");
    }
    struct cloud_table t = {0};
    struct cloud_stack st = {0};
    struct tpd_err err = {0};
    if (!table || !*table || (stack && !*stack)) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Invalid import ID",
            "The import ID is \"TABLE\" or \"STACK/TABLE\", for example "
            "\"firefly-registration-keys\" or "
            "\"firefly-dynamodb-registration-keys/firefly-registration-keys\"; got \"%s\".",
            id ? id : "");
        goto done;
    }
    enum tpd_code rc = cloud_describe_table(c, table, &t, &err);
    if (rc == TPD_E_NOT_FOUND) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Cannot import a table that does not exist",
            "DynamoDB table \"%s\" does not exist in this account and region.",
            table);
        goto done;
    }
    if (rc) {
        diag_add_err(diags, NULL, "Cannot read the table to import", &err);
        goto done;
    }
    if (!stack) {
        rc = cloud_find_owner_stack(c, table, &stack, &err);
        if (rc && rc != TPD_E_NOT_FOUND) {
            diag_add_err(diags, NULL, "Cannot find which stack owns the table", &err);
            goto done;
        }
        tpd_err_clear(&err);
    }
    struct tfv *v = tfv_new_object();
    s_set_str(v, "name", table);
    s_set_str(v, "id", table);
    tfv_map_set(v, "retain_on_destroy", tfv_new_bool(false));
    if (stack) {
        rc = cloud_describe_stack(c, stack, &st, &err);
        if (rc) {
            diag_add_err(diags, NULL, "Cannot read the stack named in the import ID", &err);
            tfv_free(v);
            goto done;
        }
        s_set_str(v, "stack_name", stack);
        s_set_str(v, "stack_id", st.id);
    } else {
        derived = ttl_spec_default_stack_name(table);
        s_set_str(v, "stack_name", derived);
        tfv_map_set(v, "stack_id", tfv_new_null());
        diag_add(
            diags,
            DIAG_WARNING,
            NULL,
            "Table is not in a CloudFormation stack",
            "DynamoDB table \"%s\" is not owned by any stack. The next apply adopts it into stack "
            "\"%s\" "
            "with an IMPORT change set; no data is touched.",
            table,
            derived);
    }
    *state = v;
done:
    free(stack);
    free(table);
    free(derived);
    cloud_table_clear(&t);
    cloud_stack_clear(&st);
    tpd_err_clear(&err);
}
