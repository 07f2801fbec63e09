/*
 * ttl_table_plan: PlanResourceChange. The rules on Terraform values alone are in
 * ttl_plan.c (replacements, protection, the TTL rename, computed values). A create or an
 * update is then decided once (gather.h, decide.h) on what AWS holds, and the action plan
 * rendered: its refusal as an error, its notes as warnings (an adoption's preview, a move,
 * index steps, a recovery), a new stack as an unknown stack_id; its path is recorded in the
 * private bytes, which apply checks against the facts it reads (decide_keeps_plan).
 * No mutating call is ever made here.
 */
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "gather.h"
#include "resource_private.h"
#include "tpd_alloc.h"
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

static bool s_dup(char **dst, const char *src) {
    free(*dst);
    *dst = src ? tpd_strdup(src) : NULL;
    return !src || *dst;
}

/* Decide on what AWS holds and render the decision into the plan. */
static void s_plan_with_facts(
    const struct cloud_ops *ops,
    const struct tfv *prior,
    struct tfv *planned,
    struct tpd_span prior_private,
    struct resource_private *out,
    struct diag_list *diags) {
    if (!s_known(planned)) {
        return; /* decided at apply time, when the values are known */
    }
    struct request req;
    struct resource_facts f = {0};
    struct action_plan p;
    struct tpd_err err = {0};
    action_plan_init(&p);
    enum tpd_code rc = request_decode(prior, planned, prior_private, &req, &err);
    if (rc == TPD_E_INVALID) {
        goto done; /* checked again at apply time, when the values are known */
    }
    if (!rc) {
        rc = gather_and_decide(ops, &req, &f, &p, &err);
    }
    if (rc) {
        diag_add_err(
            diags,
            NULL,
            req.op == REQUEST_CREATE ? "Cannot check whether the table or its stack already exist"
                                     : "Cannot read the table and its stack",
            &err);
        goto done;
    }
    if (p.path == ACTION_REFUSE) {
        ttl_table_refusal_diag(diags, &p.refusal);
    }
    ttl_table_plan_diags(diags, &p);
    if (p.new_stack && !tfv_is_unknown(tfv_get(planned, "stack_id"))) {
        struct tfv *u = tfv_new_unknown();
        if (!u || tfv_map_set(planned, "stack_id", u) != TPD_OK) {
            diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
        }
    }
    if (!s_dup(&out->path, action_path_name(p.path)) || !s_dup(&out->path_stack, p.stack_id)) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
    }
    if (p.path != ACTION_REFUSE && !p.rc) {
        /* The apply of this plan may follow at once in this process (Terraform's apply
         * walk): it starts from these facts instead of reading them again. */
        gather_hand_off(ops, &req, &f);
    }
done:
    action_plan_clear(&p);
    resource_facts_clear(&f);
    request_clear(&req);
    tpd_err_clear(&err);
}

/* Refusal: the state says protection is off, the owner last applied it on. */
static void
s_protection_off_outside(struct diag_list *diags, const struct tfv *prior, bool replace) {
    struct tfv_path path = {0};
    if (tfv_path_push_attr(&path, "deletion_protection_enabled") != TPD_OK) {
        tfv_path_clear(&path); /* out of memory: the diagnostic goes without its path */
    }
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
static void s_imported_replace(
    struct diag_list *diags, const char *name, const struct provider_path_list *why) {
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

/* Two claims of one table in one plan (plan_claims.h): the refusal. */
static void s_claim_conflict(
    struct diag_list *diags, const char *table, enum plan_claim mine, enum plan_claim theirs) {
    bool moved = (mine == PLAN_CLAIM_CREATE && theirs == PLAN_CLAIM_DESTROY) ||
                 (mine == PLAN_CLAIM_DESTROY && theirs == PLAN_CLAIM_CREATE);
    if (moved) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Table is destroyed at one address and created at another",
            "This plan destroys DynamoDB table \"%s\" at one resource address and creates it at "
            "another: Terraform sees a new resource, usually because a resource was renamed or "
            "its count or for_each key changed. Run side by side, the destroy would delete the "
            "table and every item in it. Nothing was changed.\n\nTell Terraform the resource "
            "moved: add a moved block from the old address to the new one (moved { from = OLD, "
            "to = NEW }), or run terraform state mv OLD NEW. When the new address still holds "
            "another table (a count list that lost an element), take that one out of the way "
            "first: terraform state rm NEW keeps its table and only stops managing it.",
            table);
    } else if (mine == PLAN_CLAIM_CREATE && theirs == PLAN_CLAIM_CREATE) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Two resources create one table",
            "Another resource of this configuration also creates DynamoDB table \"%s\". A table "
            "has one owner. Nothing was changed. Give each resource its own table name, or "
            "remove one of the two resources.",
            table);
    } else if (mine == PLAN_CLAIM_MANAGE && theirs == PLAN_CLAIM_MANAGE) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Two resources manage one table",
            "Two resources of this configuration have DynamoDB table \"%s\" in their state. A "
            "table has one owner. Nothing was changed. Keep one: remove the other from the state "
            "with terraform state rm <address>, then from the configuration (removing it from "
            "the configuration alone would destroy the table).",
            table);
    } else if (mine == PLAN_CLAIM_CREATE) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Another resource manages this table",
            "Another resource of this configuration already has DynamoDB table \"%s\" in its "
            "state, and this one would create or adopt it. A table has one owner. Nothing was "
            "changed. Remove this resource, or give it another table name.",
            table);
    } else {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Another resource manages this table",
            "Another resource of this configuration would create or adopt DynamoDB table \"%s\", "
            "which this resource has in its state. A table has one owner. Nothing was changed. "
            "Remove the other resource, or give it another table name.",
            table);
    }
}

/* `restore` acts only when the table is created (restore.h): a change to it later changes
 * nothing in AWS, and the plan says so rather than replacing the table. */
static void
s_restore_changed(struct diag_list *diags, const struct tfv *prior, const struct tfv *planned) {
    const struct tfv *a = tfv_get(prior, "restore"),
                     *b = planned ? tfv_get(planned, "restore") : NULL;
    bool a_null = !a || tfv_is_null(a), b_null = !b || tfv_is_null(b);
    if ((a_null && b_null) || (a && b && tfv_equal(a, b))) {
        return;
    }
    struct tfv_path path = {0};
    if (tfv_path_push_attr(&path, "restore") != TPD_OK) {
        tfv_path_clear(&path); /* out of memory: the diagnostic goes without its path */
    }
    diag_add(
        diags,
        DIAG_WARNING,
        &path,
        "Changing restore changes nothing",
        "restore is used only when the table is created. DynamoDB table \"%s\" exists, so this "
        "change is only recorded in the state: the table, its items and its stack are not "
        "changed, and it is not replaced. To restore into a new table, use another resource "
        "with another name.",
        tfv_get_str(prior, "name") ? tfv_get_str(prior, "name") : "?");
    tfv_path_clear(&path);
}

void ttl_table_plan(
    const struct cloud_ops *ops,
    struct plan_claims *claims,
    const struct tfv *prior,
    const struct tfv *proposed,
    const struct tfv *config,
    struct tpd_span prior_private,
    struct tfv **planned,
    struct provider_path_list *requires_replace,
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
    if (!errors && claims) {
        /* What this plan does with which table, against the other resources' plans. */
        const char *prior_name = tfv_get_str(prior, "name");
        const char *name = *planned ? tfv_get_str(*planned, "name") : NULL;
        enum plan_claim mine = PLAN_CLAIM_NONE;
        const char *table = NULL;
        switch (kind) {
            case TTL_PLAN_CREATE:
                /* The create half of this instance's own replacement of the same table was
                 * claimed by its first plan. */
                if (!(in.replacing && name && strcmp(in.replacing, name) == 0)) {
                    mine = PLAN_CLAIM_CREATE;
                    table = name;
                }
                break;
            case TTL_PLAN_UPDATE:
            case TTL_PLAN_NOOP:
                mine = PLAN_CLAIM_MANAGE;
                table = prior_name;
                break;
            case TTL_PLAN_DESTROY:
                mine = PLAN_CLAIM_DESTROY;
                table = prior_name;
                break;
            case TTL_PLAN_REPLACE:
                /* The create half is planned next with the new name; the old table goes. */
                if (prior_name && name && strcmp(prior_name, name) != 0) {
                    mine = PLAN_CLAIM_DESTROY;
                    table = prior_name;
                }
                break;
        }
        enum plan_claim theirs = table ? plan_claims_add(claims, table, mine) : PLAN_CLAIM_NONE;
        if (theirs != PLAN_CLAIM_NONE) {
            s_claim_conflict(diags, table, mine, theirs);
            errors = true;
        }
    }
    bool ok = true;
    if (!tfv_is_null(prior) && kind != TTL_PLAN_DESTROY) {
        /* Should Terraform turn this plan into a replacement (provider-required, or
         * `terraform apply -replace`), the create half sees which table it replaces, and
         * which stack the replaced instance owns. */
        ok = s_dup(&out.replacing, tfv_get_str(prior, "name")) &&
             s_dup(&out.replacing_owner, tfv_get_str(prior, "owner_id")) &&
             s_dup(&out.replacing_stack_id, tfv_get_str(prior, "stack_id"));
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
                ttl_plan_protected_refusal(diags, in.replacing, "replaced", false);
                break;
            }
            ok = ok && s_dup(&out.replacing, in.replacing) &&
                 s_dup(&out.replacing_owner, in.replacing_owner) &&
                 s_dup(&out.replacing_stack_id, in.replacing_stack_id);
            if (!errors && ops) {
                s_plan_with_facts(ops, prior, *planned, prior_private, &out, diags);
            }
            break;
        case TTL_PLAN_NOOP:
        case TTL_PLAN_UPDATE:
            s_restore_changed(diags, prior, *planned);
            /* No change configured: decided only when the refresh found the stack in
             * DELETE_FAILED, so that the plan shows the recovery (a new stack id), which
             * only an apply can carry out. */
            if (kind == TTL_PLAN_NOOP &&
                (!in.stack_status || strcmp(in.stack_status, "DELETE_FAILED") != 0)) {
                break;
            }
            if (!errors && ops) {
                s_plan_with_facts(ops, prior, *planned, prior_private, &out, diags);
            }
            break;
        case TTL_PLAN_REPLACE:
            break;
    }
    if (!ok || resource_private_encode(&out, planned_private) != TPD_OK) {
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Planning ran out of memory.");
    }
    resource_private_clear(&in);
    resource_private_clear(&out);
}
