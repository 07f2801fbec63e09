/*
 * ttl_table_plan: PlanResourceChange. The pure rules are in ttl_plan.c; this file adds
 * what needs AWS reads (and never makes a mutating call):
 *   - a create checks the table, the configured stack and the table's owner, and either
 *     refuses (a foreign stack, a table in another stack, a different key schema) or
 *     previews the adoption ("current -> configured", adoption.h);
 *   - an update that adopts (table in no stack) or moves (stack_name changed) checks and
 *     previews the same way; any update checks that the stack is still only ours;
 *   - the private bytes record what later calls cannot tell apart (resource_private.h).
 */
#include <stdlib.h>
#include <string.h>

#include "index_plan.h"
#include "resource_private.h"
#include "table_value.h"
#include "ttl_plan.h"
#include "ttl_table.h"
#include "ttl_table_internal.h"

static bool s_known(const struct tfv *v) {
    static const char *const keys[] = {"name", "hash_key", "range_key", "stack_name"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!tfv_is_wholly_known(tfv_get(v, keys[i]))) {
            return false;
        }
    }
    return true;
}

static void s_adoption_diags(
    struct cloud *c,
    enum adoption_kind kind,
    const struct table_spec *want,
    struct table_live *live,
    struct diag_list *diags) {
    struct tpd_err err = {0};
    if (cloud_read_adoption_extras(c, live, &err) != TPD_OK) {
        diag_add_err(diags, NULL, "Cannot read the table before adopting it", &err);
        tpd_err_clear(&err);
        return;
    }
    struct adoption_report r;
    if (adoption_review(kind, want, live, &r) != TPD_OK) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
        return;
    }
    if (r.refusal.refused) {
        ttl_table_refusal_diag(diags, &r.refusal);
    } else {
        diag_add(
            diags, DIAG_WARNING, NULL, tpd_buf_cstr(&r.summary), "%s", tpd_buf_cstr(&r.detail));
    }
    adoption_report_clear(&r);
}

/*
 * An update of our own stack: a refusal when the table has indexes the stack's template
 * does not (index_plan.h, gsi_reconcile); warnings for the indexes apply re-creates
 * (deleted outside Terraform) and for a change that takes several stack updates.
 */
static void s_index_diags(
    const struct table_spec *want,
    const struct table_live *live,
    const struct stack_facts *stack,
    struct diag_list *diags) {
    const struct table_index *deployed = live->spec.gsis;
    size_t nd = live->spec.gsi_count;
    if (stack->tpl.gsis_read) {
        struct gsi_reconcile rec;
        if (gsi_reconcile(
                want->name,
                stack->tpl.gsis,
                stack->tpl.gsi_count,
                live->spec.gsis,
                live->spec.gsi_count,
                &rec) != TPD_OK) {
            diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
            gsi_reconcile_clear(&rec);
            return;
        }
        if (rec.refusal.refused) {
            ttl_table_refusal_diag(diags, &rec.refusal);
            gsi_reconcile_clear(&rec);
            return;
        }
        for (size_t i = 0; i < rec.recreate_count; i++) {
            const struct table_index *x = rec.recreate[i];
            struct tpd_text d;
            tpd_text_init(&d, 0);
            table_index_describe(x, &d);
            diag_add(
                diags,
                DIAG_WARNING,
                NULL,
                "Index deleted outside Terraform will be created again",
                "Index %s (%s) is in the stack's template but no longer on DynamoDB table "
                "\"%s\". CloudFormation compares templates, not tables, so it cannot create it "
                "again: apply creates it with a direct UpdateTable from the template's "
                "definition and waits until it is ACTIVE (DynamoDB builds it from the table's "
                "items), before any other change.%s",
                x->name,
                tpd_text_cstr_or(&d, "its definition: out of memory writing it"),
                want->name,
                table_index_find(want->gsis, want->gsi_count, x->name)
                    ? ""
                    : " The configuration no longer has it: a later stack update then deletes "
                      "it, as CloudFormation can only delete an index that exists.");
            tpd_text_clear(&d);
        }
        gsi_reconcile_clear(&rec);
        deployed = stack->tpl.gsis;
        nd = stack->tpl.gsi_count;
    }
    size_t n = gsi_update_count(deployed, nd, want);
    if (n > 1) {
        struct tpd_text steps;
        tpd_text_init(&steps, 0);
        gsi_describe_steps(deployed, nd, want, &steps);
        diag_add(
            diags,
            DIAG_WARNING,
            NULL,
            "Index changes take several stack updates",
            "CloudFormation takes one global secondary index creation or deletion per stack "
            "update, and DynamoDB builds one index at a time. Apply runs %zu stack updates on "
            "DynamoDB table \"%s\", each waiting until the table and its indexes are ACTIVE:\n%s"
            "If apply is interrupted, the next apply continues from the last finished update.",
            n,
            want->name,
            tpd_text_cstr_or(&steps, "(out of memory listing them)\n"));
        tpd_text_clear(&steps);
    }
}

static void s_shell_note(const struct stack_facts *s, struct diag_list *diags) {
    diag_add(
        diags,
        DIAG_WARNING,
        NULL,
        "Leftover stack will be deleted",
        "Stack \"%s\" (%s) was left by an earlier create or import of this provider and holds no "
        "table. Apply deletes it before creating the stack again.",
        s->name,
        s->status ? s->status : "?");
}

static void s_plan_create(
    struct cloud *c, const struct tfv *planned, const char *replacing, struct diag_list *diags) {
    struct table_spec want = {0};
    struct table_live table = {0};
    struct stack_facts stack = {0};
    struct tpd_err err = {0};
    char *owner = NULL;
    struct create_decision d = {0};
    refusal_init(&d.refusal);
    if (!s_known(planned) || table_value_to_spec(planned, NULL, &want, &err) != TPD_OK) {
        goto done; /* checked again at apply time, when the values are known */
    }
    enum tpd_code rc = ttl_table_create_facts(c, &want, &table, &stack, &owner, &err);
    if (rc) {
        diag_add_err(
            diags, NULL, "Cannot check whether the table or its stack already exist", &err);
        goto done;
    }
    if (stack.exists && stack_status_in_progress(stack.status)) {
        /* Busy (an interrupted apply, or another tool): its template and resources are
         * changing. Apply waits for it to settle and decides then. */
        diag_add(
            diags,
            DIAG_WARNING,
            NULL,
            "Stack is busy",
            "Stack \"%s\" is %s. Apply waits for it to settle, then checks that it is this "
            "provider's own before doing anything with it.",
            stack.name,
            stack.status);
        goto done;
    }
    struct create_facts f = {&want, &table, &stack, owner, replacing};
    create_decision_clear(&d);
    ownership_decide_create(&f, &d);
    if ((d.path == CREATE_ADOPT || d.path == CREATE_TAKE_OVER) &&
        adoption_want_ttl(&want, &table) != TPD_OK) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
        goto done;
    }
    switch (d.path) {
        case CREATE_REFUSE:
            ttl_table_refusal_diag(diags, &d.refusal);
            break;
        case CREATE_ADOPT:
            if (d.delete_shell_first) {
                s_shell_note(&stack, diags);
            }
            s_adoption_diags(c, ADOPTION_IMPORT, &want, &table, diags);
            break;
        case CREATE_TAKE_OVER:
            s_adoption_diags(c, ADOPTION_TAKE_OVER, &want, &table, diags);
            s_index_diags(&want, &table, &stack, diags);
            break;
        case CREATE_FRESH:
            if (d.delete_shell_first && !(replacing && stack.exists)) {
                s_shell_note(&stack, diags);
            }
            break;
    }
done:
    create_decision_clear(&d);
    free(owner);
    table_spec_clear(&want);
    table_live_clear(&table);
    stack_facts_clear(&stack);
    tpd_err_clear(&err);
}

static void s_plan_update(
    struct cloud *c, const struct tfv *prior, const struct tfv *planned, struct diag_list *diags) {
    struct table_spec want = {0};
    struct table_live table = {0};
    struct stack_facts old_stack = {0}, new_stack = {0};
    struct tpd_err err = {0};
    char *owner = NULL, *owned_prior = NULL;
    struct update_decision d = {0};
    refusal_init(&d.refusal);
    if (!s_known(planned) || table_value_to_spec(planned, prior, &want, &err) != TPD_OK) {
        goto done;
    }
    const char *prior_stack = ttl_table_stack_name(prior, &owned_prior);
    const char *prior_id = tfv_get_str(prior, "stack_id");
    bool moving = prior_stack && strcmp(prior_stack, want.stack_name) != 0;
    enum tpd_code rc = cloud_read_table(c, want.name, true, &table, &err);
    if (!rc && prior_id) {
        rc = cloud_read_stack(c, prior_stack, CLOUD_STACK_FULL, &old_stack, &err);
    }
    if (!rc && (moving || !prior_id)) {
        rc = cloud_read_stack(c, want.stack_name, CLOUD_STACK_FULL, &new_stack, &err);
    }
    if (!rc && table.exists && (moving || !prior_id)) {
        rc = cloud_find_owner(c, want.name, &owner, &err);
    }
    if (rc) {
        diag_add_err(diags, NULL, "Cannot read the table and its stack", &err);
        goto done;
    }
    if ((old_stack.exists && stack_status_in_progress(old_stack.status)) ||
        (new_stack.exists && stack_status_in_progress(new_stack.status))) {
        diag_add(
            diags,
            DIAG_WARNING,
            NULL,
            "Stack is busy",
            "A stack of this table is being changed (%s). Apply waits for it to settle, then "
            "checks again before doing anything with it.",
            old_stack.exists && stack_status_in_progress(old_stack.status) ? old_stack.status
                                                                           : new_stack.status);
        goto done;
    }
    struct update_facts f = {
        .want = &want,
        .prior_stack_name = prior_stack,
        .prior_stack_id = prior_id,
        .table = &table,
        .old_stack = &old_stack,
        .new_stack = &new_stack,
        .owner_stack = owner,
    };
    update_decision_clear(&d);
    ownership_decide_update(&f, &d);
    switch (d.path) {
        case UPDATE_REFUSE:
            ttl_table_refusal_diag(diags, &d.refusal);
            break;
        case UPDATE_ADOPT:
            if (d.delete_shell_first) {
                s_shell_note(&new_stack, diags);
            }
            s_adoption_diags(c, ADOPTION_IMPORT, &want, &table, diags);
            break;
        case UPDATE_MOVE:
            diag_add(
                diags,
                DIAG_WARNING,
                NULL,
                "Table will move to another stack",
                "DynamoDB table \"%s\" moves from stack \"%s\" to stack \"%s\", in place: apply "
                "sets "
                "DeletionPolicy Retain on the table in \"%s\", deletes that stack (the table and "
                "all "
                "its items stay), imports the table into \"%s\" with an IMPORT change set, then "
                "applies the configuration. No item is touched; an interrupted move continues on "
                "the "
                "next apply.",
                want.name,
                prior_stack,
                want.stack_name,
                prior_stack,
                want.stack_name);
            break;
        case UPDATE_NORMAL:
            s_index_diags(&want, &table, prior_id ? &old_stack : &new_stack, diags);
            break;
    }
done:
    update_decision_clear(&d);
    free(owner);
    free(owned_prior);
    table_spec_clear(&want);
    table_live_clear(&table);
    stack_facts_clear(&old_stack);
    stack_facts_clear(&new_stack);
    tpd_err_clear(&err);
}

/* Refusal: the state says protection is off, the owner last applied it on. */
static void
s_protection_off_outside(struct diag_list *diags, const struct tfv *prior, bool replace) {
    struct tfv_path path = {0};
    tfv_path_push_attr(&path, "deletion_protection_enabled");
    const char *name = tfv_get_str(prior, "name");
    diag_add(
        diags,
        DIAG_ERROR,
        &path,
        "Table is protected against deletion",
        "DynamoDB table \"%s\" was last applied with deletion protection enabled; it has been "
        "switched off outside Terraform since. This %s would delete the table and every item in "
        "it, so it is refused. Nothing was changed.\n\nTo proceed, first set "
        "deletion_protection_enabled = false on this resource and run terraform apply (an "
        "in-place update that keeps the data), then run this command again.%s",
        name ? name : "?",
        replace ? "replacement" : "destroy",
        replace ? "" : " To keep the table instead, set retain_on_destroy = true and apply first.");
    tfv_path_clear(&path);
}

/*
 * Refusal: an imported table (no apply since) whose configuration differs in an
 * attribute that forces a new table. Importing says "manage this table", never "replace
 * it": the configuration is what is wrong.
 */
static void
s_imported_replace(struct diag_list *diags, const char *name, const struct tfp_path_list *why) {
    struct tfv_path path = {0};
    const char *attr = "the key schema";
    if (why && why->count && why->paths[0].count &&
        tfv_path_copy(&path, &why->paths[0]) == TPD_OK) {
        attr = why->paths[0].steps[0].name;
    }
    diag_add(
        diags,
        DIAG_ERROR,
        path.count ? &path : NULL,
        "Imported table would be replaced",
        "DynamoDB table \"%s\" was imported and this configuration was never applied to it. Its "
        "%s differs from the table's, and that cannot change in place: the plan would delete "
        "the imported table and every item in it, then create an empty one. Nothing was "
        "changed.\n\nMake the configuration match the table as imported (terraform state show "
        "lists its values), apply, and change it afterwards if you mean to. To replace it "
        "deliberately, use terraform apply -replace on this resource.",
        name ? name : "?",
        attr);
    tfv_path_clear(&path);
}

void ttl_table_plan(
    struct cloud *c,
    const struct tfv *prior,
    const struct tfv *proposed,
    const struct tfv *config,
    struct tpd_span prior_private,
    struct tfv **planned,
    struct tfp_path_list *requires_replace,
    struct tpd_buf *planned_private,
    struct diag_list *diags) {
    struct resource_private in, out = {0};
    resource_private_decode(prior_private, &in);
    enum ttl_plan_kind kind =
        ttl_plan_compute(prior, proposed, config, planned, requires_replace, diags);
    bool errors = diag_list_has_errors(diags);
    /* Protection the owner applied but someone switched off outside Terraform: the
     * refreshed state says off, the intent still protects the table (ttl_plan_compute
     * has already refused when the state itself says protected). */
    bool applied_on = in.protection_known && in.protection_applied;
    if (!errors && applied_on && !tfv_is_null(prior) &&
        (kind == TTL_PLAN_DESTROY || kind == TTL_PLAN_REPLACE) &&
        !ttl_plan_prior_protected(prior, kind == TTL_PLAN_REPLACE)) {
        bool retain = false;
        tfv_get_bool(prior, "retain_on_destroy", &retain);
        if (kind == TTL_PLAN_REPLACE || !retain) {
            s_protection_off_outside(diags, prior, kind == TTL_PLAN_REPLACE);
        }
    }
    if (!errors && in.imported && kind == TTL_PLAN_REPLACE) {
        s_imported_replace(diags, tfv_get_str(prior, "name"), requires_replace);
    }
    errors = diag_list_has_errors(diags);
    if (!tfv_is_null(prior) && kind != TTL_PLAN_DESTROY) {
        /* Should Terraform turn this plan into a replacement (provider-required, or
         * `terraform apply -replace`), the create half sees which table it replaces. */
        out.replacing = (char *)tfv_get_str(prior, "name");
        out.protected_table = ttl_plan_prior_protected(prior, true) || applied_on;
        out.forced = requires_replace->count > 0;
    }
    /* What apply keeps should it fail (resource_private.h). */
    out.imported = in.imported;
    out.protection_known = in.protection_known;
    out.protection_applied = in.protection_applied;
    switch (kind) {
        case TTL_PLAN_DESTROY:
            out.explicit_destroy = true;
            break;
        case TTL_PLAN_CREATE:
            if (in.replacing && in.imported && in.forced && !errors) {
                /* Reached only if the first plan's refusal was bypassed: refuse again. */
                s_imported_replace(diags, in.replacing, NULL);
                break;
            }
            if (in.replacing && in.protected_table && !errors) {
                struct tfv_path path = {0};
                tfv_path_push_attr(&path, "deletion_protection_enabled");
                diag_add(
                    diags,
                    DIAG_ERROR,
                    &path,
                    "Table is protected against deletion",
                    "DynamoDB table \"%s\" has deletion protection enabled, so it cannot be "
                    "replaced: that would delete the table and every item in it. Nothing was "
                    "changed.\n\nTo proceed, first set deletion_protection_enabled = false on this "
                    "resource and run terraform apply (an in-place update that keeps the data), "
                    "then run this command again.",
                    in.replacing);
                tfv_path_clear(&path);
                break;
            }
            out.replacing = in.replacing;
            if (!errors && c) {
                s_plan_create(c, *planned, in.replacing, diags);
            }
            break;
        case TTL_PLAN_UPDATE:
            if (!errors && c) {
                s_plan_update(c, prior, *planned, diags);
            }
            break;
        case TTL_PLAN_REPLACE:
        case TTL_PLAN_NOOP:
            break;
    }
    if (resource_private_encode(&out, planned_private) != TPD_OK) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
    }
    resource_private_clear(&in);
}
