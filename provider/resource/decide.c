/*
 * decide: request + facts -> action plan (see decide.h). The texts of the warnings are the
 * ones the plan shows (docs/resource.md quotes them).
 */
#include "decide.h"

#include <stdlib.h>
#include <string.h>

#include "adoption.h"
#include "index_plan.h"
#include "tpd_alloc.h"

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

static void s_fail(struct action_plan *p, enum tpd_code rc) {
    if (p->rc == TPD_OK) {
        p->rc = rc;
    }
}

static void s_copy(struct action_plan *p, char **dst, const char *src) {
    free(*dst);
    *dst = src ? tpd_strdup(src) : NULL;
    if (src && !*dst) {
        s_fail(p, TPD_E_NOMEM);
    }
}

static void s_refuse(struct action_plan *p, struct refusal *r) {
    refusal_move(&p->refusal, r);
    p->path = ACTION_REFUSE;
}

/* ---- notes ---------------------------------------------------------------------------- */

static void s_shell_note(struct action_plan *p, const struct stack_facts *s) {
    action_note(
        p,
        "Leftover stack will be deleted",
        "Stack \"%s\" (%s) was left by an earlier create or import of this provider and holds no "
        "table. Apply deletes it before creating the stack again.",
        s->name,
        s->status ? s->status : "?");
}

static void s_wait(struct action_plan *p, const struct stack_facts *s, bool create) {
    p->path = ACTION_WAIT;
    s_copy(p, &p->wait_stack, s->name);
    s_copy(p, &p->stack_id, s->id);
    if (create) {
        action_note(
            p,
            "Stack is busy",
            "Stack \"%s\" is %s. Apply waits for it to settle, then checks that it is this "
            "provider's own before doing anything with it.",
            s->name,
            s->status);
    } else {
        action_note(
            p,
            "Stack is busy",
            "A stack of this table is being changed (%s). Apply waits for it to settle, then "
            "checks again before doing anything with it.",
            s->status);
    }
}

/* ---- steps ---------------------------------------------------------------------------- */

/* The table and its indexes ACTIVE when read (else a stack update may meet an index build
 * started earlier: CloudFormation's handler would fail on DynamoDB's limit of one index
 * build at a time). */
static void s_step_delete(struct action_plan *p, const char *stack, const char *retain) {
    struct action_step *s = action_step(p, STEP_DELETE_STACK, stack);
    if (s && retain) {
        s_copy(p, &s->retain_logical_id, retain);
    }
}

/*
 * UPDATE the stack from the GSIs its template declares (deployed) to the target: one stack
 * update when at most one index is created or deleted; else a sequence of updates, each
 * differing from the last by one index creation or deletion (index_plan.h), each followed
 * by a wait until the table and its indexes are ACTIVE. An interrupted sequence continues
 * on the next apply: the plan is computed again from the deployed template.
 */
static void s_steps_update(
    struct action_plan *p,
    const char *stack,
    const char *logical_id,
    const struct table_index *deployed,
    size_t deployed_count) {
    struct table_index *cur = NULL;
    enum tpd_code rc = table_index_array_copy(deployed, deployed_count, &cur);
    size_t ncur = rc ? 0 : deployed_count;
    size_t total = gsi_update_count(deployed, deployed_count, &p->target);
    for (size_t n = 1; !rc; n++) {
        struct gsi_step st;
        rc = gsi_next_step(cur, ncur, &p->target, &st);
        if (rc) {
            break;
        }
        struct action_step *s = action_step(p, STEP_UPDATE, stack);
        struct tpd_buf label;
        tpd_buf_init(&label, 0);
        if (s && st.kind == GSI_STEP_FINAL) {
            rc =
                total > 1
                    ? tpd_buf_printf(&label, "stack update %zu of %zu: the configuration", n, total)
                    : TPD_OK;
        } else if (s) {
            rc = tpd_buf_printf(
                &label,
                "stack update %zu of %zu: %s index %s",
                n,
                total,
                st.kind == GSI_STEP_DELETE ? "deleting" : "creating",
                st.name);
            s->indexes = st.gsis;
            s->index_count = st.gsi_count;
            s->indexes_given = true;
            st.gsis = NULL;
            st.gsi_count = 0;
        } else {
            rc = TPD_E_NOMEM;
        }
        if (!rc && s && label.len) {
            s->label = tpd_buf_detach(&label);
            rc = s->label ? TPD_OK : TPD_E_NOMEM;
        }
        tpd_buf_clear(&label);
        if (!rc && s && logical_id) {
            s_copy(p, &s->logical_id, logical_id);
        }
        bool final = st.kind == GSI_STEP_FINAL;
        if (!final && s) {
            table_index_array_free(cur, ncur);
            rc = table_index_array_copy(s->indexes, s->index_count, &cur);
            ncur = rc ? 0 : s->index_count;
        }
        gsi_step_clear(&st);
        if (!rc) {
            action_step(p, STEP_WAIT_TABLE, NULL);
        }
        if (final) {
            break;
        }
    }
    table_index_array_free(cur, ncur);
    if (rc) {
        s_fail(p, rc);
    }
}

static void s_steps_finish(struct action_plan *p) {
    action_step(p, STEP_REPAIR, NULL);
    action_step(p, STEP_READ_BACK, NULL);
}

/* The owner id the templates carry: this instance's, or a new one. The note when a stack of
 * an earlier release (or an imported one) gets its owner recorded. */
static void
s_owner(struct action_plan *p, const struct request *req, const char *stack, bool note) {
    if (req->prior.owner_id) {
        s_copy(p, &p->owner_id, req->prior.owner_id);
        return;
    }
    p->mint_owner = true;
    if (note && stack) {
        action_note(
            p,
            "Owner will be recorded on the stack",
            "Stack \"%s\" has no record of which resource owns it (it was created by an earlier "
            "release of this provider, or imported). Apply records this resource's owner id in "
            "the marker of the stack's template, so that no other state, workspace or address "
            "can take the table over; the table itself is not changed.",
            stack);
    }
}

/* A change the plan leads to that AWS limits per table (docs/aws-behaviour.md §5.6): the
 * plan says so, with the limits — not a guess at the account's history, which DynamoDB does
 * not report. live: the table as read. */
static void s_switch_limits(struct action_plan *p, const struct table_live *live) {
    const struct table_spec *w = &p->target, *l = &live->spec;
    if (!live->exists) {
        return;
    }
    if (strcmp(table_spec_table_class(w), table_spec_table_class(l)) != 0) {
        action_note(
            p,
            "Table class changes are limited",
            "DynamoDB table \"%s\" changes class (%s -> %s). DynamoDB allows at most two table "
            "class changes per table in 30 days; a third fails with LimitExceededException, "
            "and apply then stops with nothing lost (the table keeps its class).",
            w->name,
            table_spec_table_class(l),
            table_spec_table_class(w));
    }
    if (l->provisioned && !w->provisioned) {
        action_note(
            p,
            "Billing mode switches are limited",
            "DynamoDB table \"%s\" switches from PROVISIONED to PAY_PER_REQUEST. DynamoDB allows "
            "at most four switches from provisioned to on-demand capacity per table in 24 "
            "hours; a fifth fails with LimitExceededException, and apply then stops with nothing "
            "lost (the table keeps its capacity mode).",
            w->name);
    }
}

/* ---- adoption and index reviews -------------------------------------------------------- */

/* The adoption review: a refusal, or its preview as a warning. false: refused (or the
 * review could not finish). */
static bool s_review(struct action_plan *p, enum adoption_kind kind, const struct table_live *t) {
    struct adoption_report r;
    enum tpd_code rc = adoption_review(kind, &p->target, t, &r);
    bool ok = false;
    if (rc) {
        /* Nothing is adopted unless the review ran to the end and did not refuse. */
        refusal_setf(
            &p->refusal,
            NULL,
            "Cannot check the table before adopting it",
            "Comparing the configuration with the live table failed (%s); nothing was adopted "
            "and nothing changed. Run the command again.",
            tpd_code_str(rc));
        p->path = ACTION_REFUSE;
    } else if (r.refusal.refused) {
        s_refuse(p, &r.refusal);
    } else {
        action_note(p, tpd_buf_cstr(&r.summary), "%s", tpd_buf_cstr(&r.detail));
        ok = true;
    }
    adoption_report_clear(&r);
    return ok;
}

/*
 * An update of our own stack: refused when the table has indexes the stack's template does
 * not (index_plan.h, gsi_reconcile); the indexes apply re-creates (deleted outside
 * Terraform) become a step and a warning; a change that takes several stack updates, a
 * warning. Steps are appended. false: refused.
 */
static bool
s_update_of(struct action_plan *p, const struct table_live *live, const struct stack_facts *stack) {
    const struct table_index *deployed = live->spec.gsis;
    size_t nd = live->spec.gsi_count;
    s_switch_limits(p, live);
    if (!table_live_ready(live)) {
        action_step(p, STEP_WAIT_TABLE, NULL);
    }
    if (stack->tpl.gsis_read) {
        struct gsi_reconcile rec;
        enum tpd_code rc = gsi_reconcile(
            p->target.name,
            stack->tpl.gsis,
            stack->tpl.gsi_count,
            live->spec.gsis,
            live->spec.gsi_count,
            &rec);
        if (rc) {
            gsi_reconcile_clear(&rec);
            s_fail(p, rc);
            return false;
        }
        if (rec.refusal.refused) {
            s_refuse(p, &rec.refusal);
            gsi_reconcile_clear(&rec);
            return false;
        }
        struct action_step *s =
            rec.recreate_count ? action_step(p, STEP_RECREATE_INDEXES, stack->name) : NULL;
        if (s) {
            s->indexes = tpd_calloc(rec.recreate_count, sizeof(*s->indexes));
            if (!s->indexes) {
                s_fail(p, TPD_E_NOMEM);
            }
        }
        for (size_t i = 0; i < rec.recreate_count; i++) {
            const struct table_index *x = rec.recreate[i];
            if (s && s->indexes && table_index_copy(&s->indexes[s->index_count], x) == TPD_OK) {
                s->index_count++;
            } else {
                s_fail(p, TPD_E_NOMEM);
            }
            struct tpd_text d;
            tpd_text_init(&d, 0);
            table_index_describe(x, &d);
            action_note(
                p,
                "Index deleted outside Terraform will be created again",
                "Index %s (%s) is in the stack's template but no longer on DynamoDB table "
                "\"%s\". CloudFormation compares templates, not tables, so it cannot create it "
                "again: apply creates it with a direct UpdateTable from the template's "
                "definition and waits until it is ACTIVE (DynamoDB builds it from the table's "
                "items), before any other change.%s",
                x->name,
                tpd_text_cstr_or(&d, "its definition: out of memory writing it"),
                p->target.name,
                table_index_find(p->target.gsis, p->target.gsi_count, x->name)
                    ? ""
                    : " The configuration no longer has it: a later stack update then deletes "
                      "it, as CloudFormation can only delete an index that exists.");
            tpd_text_clear(&d);
        }
        gsi_reconcile_clear(&rec);
        deployed = stack->tpl.gsis;
        nd = stack->tpl.gsi_count;
    }
    size_t n = gsi_update_count(deployed, nd, &p->target);
    if (n > 1) {
        struct tpd_text steps;
        tpd_text_init(&steps, 0);
        gsi_describe_steps(deployed, nd, &p->target, &steps);
        action_note(
            p,
            "Index changes take several stack updates",
            "CloudFormation takes one global secondary index creation or deletion per stack "
            "update, and DynamoDB builds one index at a time. Apply runs %zu stack updates on "
            "DynamoDB table \"%s\", each waiting until the table and its indexes are ACTIVE:\n%s"
            "If apply is interrupted, the next apply continues from the last finished update.",
            n,
            p->target.name,
            tpd_text_cstr_or(&steps, "(out of memory listing them)\n"));
        tpd_text_clear(&steps);
    }
    s_steps_update(p, stack->name, stack->table_logical_id, deployed, nd);
    s_steps_finish(p);
    return true;
}

/* The follow-up of an IMPORT (adoption, move, recovery): the template mirrors the live
 * table, so the updates start from the live table's indexes. */
static void s_import_and_update(struct action_plan *p, const struct table_live *live) {
    s_switch_limits(p, live);
    /* A table still being created (a restore interrupted before it was ACTIVE) is waited
     * for before the IMPORT; index builds after it. */
    bool creating = s_eq(live->status, "CREATING");
    if (creating) {
        action_step(p, STEP_WAIT_TABLE, NULL);
    }
    action_step(p, STEP_IMPORT, p->target.stack_name);
    if (!creating && !table_live_ready(live)) {
        action_step(p, STEP_WAIT_TABLE, NULL);
    }
    s_steps_update(p, p->target.stack_name, NULL, live->spec.gsis, live->spec.gsi_count);
    s_steps_finish(p);
}

/* Stacks importing the exports of stack (about to be deleted): a refusal. */
static bool s_importers_refuse(
    struct action_plan *p, const struct resource_facts *f, const char *stack, bool moving) {
    if (!f->importers_read) {
        p->needs |= DECIDE_NEED_IMPORTERS;
        return true;
    }
    if (!f->importer_count) {
        return false;
    }
    struct tpd_text b;
    tpd_text_init(&b, 0);
    for (size_t i = 0; i < f->importer_count; i++) {
        tpd_text_printf(&b, "%s%s", i ? ", " : "", f->importers[i]);
    }
    if (moving) {
        refusal_setf(
            &p->refusal,
            "stack_name",
            "Other stacks depend on this table's stack",
            "Stack \"%s\" exports values that these stacks import: %s. Moving the table deletes "
            "that stack; change those stacks first. Nothing was changed.",
            stack,
            tpd_text_cstr_or(&b, "(out of memory listing them)"));
    } else {
        refusal_setf(
            &p->refusal,
            NULL,
            "Other stacks depend on this table's stack",
            "Stack \"%s\" exports values that these stacks import: %s. Delete or change those "
            "stacks first; nothing was deleted.",
            stack,
            tpd_text_cstr_or(&b, "(out of memory listing them)"));
    }
    tpd_text_clear(&b);
    p->path = ACTION_REFUSE;
    return true;
}

/* The stack holding the table, when it matters and is neither stack read: looked up (when
 * lookup) and read first. */
static const struct stack_facts *s_owner_facts(
    struct action_plan *p, const struct resource_facts *f, const char *configured, bool lookup) {
    if (lookup && !f->owner_read) {
        p->needs |= DECIDE_NEED_OWNER;
        return NULL;
    }
    if (!f->owner_stack || s_eq(f->owner_stack, configured)) {
        return NULL;
    }
    if (s_eq(f->owner_stack, f->prior_stack.name) && f->prior_stack.exists) {
        return &f->prior_stack;
    }
    if (!f->owner_full_read) {
        p->needs |= DECIDE_NEED_OWNER;
        return NULL;
    }
    return &f->owner;
}

/* ---- restore --------------------------------------------------------------------------- */

/*
 * A create with `restore` (restore.h): refused when the source cannot give the configured
 * keys and indexes (or does not exist); else restore, wait, IMPORT (the template mirrors
 * the restored table), one stack update that applies the rest of the configuration, repair
 * what CloudFormation left, read back. false: needs the source first, or refused.
 */
static bool
s_restore(const struct request *req, const struct resource_facts *f, struct action_plan *p) {
    const struct restore_spec *r = &req->restore;
    if (!f->restore_read) {
        p->needs |= DECIDE_NEED_RESTORE;
        return false;
    }
    struct tpd_text what;
    tpd_text_init(&what, 0);
    restore_describe(r, &what);
    const char *src = tpd_text_cstr_or(&what, "the restore source");
    bool ok = true;
    if (!f->restore_found && !f->restore_error) {
        refusal_setf(
            &p->refusal,
            "restore",
            r->kind == RESTORE_BACKUP ? "Backup not found" : "Restore source table not found",
            "DynamoDB table \"%s\" is to be restored from %s, which does not exist (or was "
            "deleted) in this account and region. Nothing was changed. Check restore%s (aws "
            "dynamodb %s lists what there is).",
            p->target.name,
            src,
            r->kind == RESTORE_BACKUP ? ".backup_arn" : ".source_table_name",
            r->kind == RESTORE_BACKUP ? "list-backups" : "list-tables");
        p->path = ACTION_REFUSE;
        ok = false;
    } else if (f->restore_found) {
        struct refusal why;
        restore_check(&p->target, &f->restore_source, false, src, &why);
        if (why.refused) {
            s_refuse(p, &why);
            ok = false;
        }
        refusal_clear(&why);
    }
    if (ok && f->restore_error) {
        action_note(
            p,
            "Restore source not checked",
            "Reading %s failed (%s), so its keys and indexes could not be compared with the "
            "configuration before the restore. Apply restores it and compares the restored "
            "table before adopting it: a mismatch then stops apply, keeping the restored table "
            "(nothing is deleted).",
            src,
            f->restore_error);
    }
    if (ok && r->kind == RESTORE_BACKUP && f->restore_status &&
        !s_eq(f->restore_status, "AVAILABLE")) {
        action_note(
            p,
            "Backup is not available yet",
            "The backup is %s; DynamoDB restores only an AVAILABLE backup, so apply fails with "
            "BackupInUseException, changing nothing, until it is.",
            f->restore_status);
    }
    if (ok) {
        action_note(
            p,
            "Table will be restored",
            "DynamoDB table \"%s\" will be created by restoring %s, with the configured billing "
            "mode, capacities, encryption and indexes (indexes of the source that the "
            "configuration leaves out are not restored). When it is ACTIVE, apply adopts it "
            "into stack \"%s\" with an IMPORT change set, then sets what a restore does not "
            "carry (Time to Live, tags, stream, point-in-time recovery, deletion protection, "
            "table class, contributor insights) with a stack update. If apply is interrupted "
            "after the restore started, the table is recorded and the next apply adopts it; it "
            "is never deleted.",
            p->target.name,
            src,
            p->target.stack_name);
    }
    tpd_text_clear(&what);
    return ok;
}

/* ---- create ---------------------------------------------------------------------------- */

static void
s_decide_create(const struct request *req, const struct resource_facts *f, struct action_plan *p) {
    const struct table_spec *w = &p->target;
    /* Which stack holds the table matters only when there is a table. */
    const struct stack_facts *owner = s_owner_facts(p, f, w->stack_name, f->table.exists);
    if (p->needs) {
        return;
    }
    struct create_facts cf = {
        .want = w,
        .table = &f->table,
        .stack = &f->config_stack,
        .owner_stack = f->owner_stack,
        .owner = owner,
        .claim = &req->claim,
        .replacing = req->priv.replacing,
    };
    struct create_decision d;
    ownership_decide_create(&cf, &d);
    switch (d.path) {
        case CREATE_REFUSE:
            s_refuse(p, &d.refusal);
            break;
        case CREATE_WAIT:
            s_wait(p, &f->config_stack, true);
            break;
        case CREATE_FRESH:
            if (req->restore.kind != RESTORE_NONE && !s_restore(req, f, p)) {
                break;
            }
            p->path = req->restore.kind != RESTORE_NONE ? ACTION_RESTORE : ACTION_CREATE;
            p->restore = &req->restore;
            p->new_stack = true;
            p->mint_owner = true;
            if (d.delete_shell_first) {
                if (!(req->priv.replacing && f->config_stack.exists &&
                      f->config_stack.table_physical_id)) {
                    s_shell_note(p, &f->config_stack);
                }
                s_step_delete(p, w->stack_name, NULL);
            }
            if (p->path == ACTION_RESTORE) {
                /* The restored table has the configured indexes (restore_check): one stack
                 * update after the IMPORT applies the rest. */
                action_step(p, STEP_RESTORE, NULL);
                action_step(p, STEP_WAIT_TABLE, NULL);
                action_step(p, STEP_IMPORT, w->stack_name);
                s_steps_update(p, w->stack_name, NULL, w->gsis, w->gsi_count);
                s_steps_finish(p);
                break;
            }
            action_step(p, STEP_CREATE, w->stack_name);
            action_step(p, STEP_WAIT_TABLE, NULL);
            s_steps_finish(p);
            break;
        case CREATE_ADOPT:
        case CREATE_TAKE_OVER:
            if (!f->table.extras_read) {
                p->needs |= DECIDE_NEED_EXTRAS;
                break;
            }
            if (adoption_want_ttl(&p->target, &f->table) != TPD_OK) {
                s_fail(p, TPD_E_NOMEM);
                break;
            }
            if (!s_review(
                    p, d.path == CREATE_ADOPT ? ADOPTION_IMPORT : ADOPTION_TAKE_OVER, &f->table)) {
                break;
            }
            if (req->restore.kind != RESTORE_NONE) {
                action_note(
                    p,
                    "Table exists: not restored",
                    "DynamoDB table \"%s\" exists already (restored by an earlier apply that "
                    "was interrupted, or made otherwise), so it is adopted as it is and restore "
                    "is not run: a restore never overwrites a table.",
                    w->name);
            }
            p->mint_owner = true;
            p->new_stack = true;
            if (d.path == CREATE_TAKE_OVER) {
                p->path = ACTION_TAKE_OVER;
                s_copy(p, &p->stack_id, f->config_stack.id);
                s_update_of(p, &f->table, &f->config_stack);
                break;
            }
            p->path = ACTION_ADOPT;
            if (d.delete_shell_first) {
                s_shell_note(p, &f->config_stack);
                s_step_delete(p, w->stack_name, NULL);
            }
            s_import_and_update(p, &f->table);
            break;
    }
    create_decision_clear(&d);
}

/* ---- update ---------------------------------------------------------------------------- */

static void
s_decide_update(const struct request *req, const struct resource_facts *f, struct action_plan *p) {
    const struct table_spec *w = &p->target;
    bool moving = !s_eq(req->prior.stack_name, w->stack_name);
    /* Which stack holds the table matters when it is not (or no longer) the state's. */
    bool lookup = f->table.exists && (moving || !req->prior.stack_id ||
                                      !stack_facts_holds_table(&f->prior_stack, w->name));
    const struct stack_facts *owner = s_owner_facts(p, f, w->stack_name, lookup);
    if (p->needs) {
        return;
    }
    /* The configured stack is read under its own name when the state has no stack or names
     * another one; otherwise it is the state's stack, read once. */
    const struct stack_facts *new_stack =
        !req->prior.stack_id || moving ? &f->config_stack : &f->prior_stack;
    struct update_facts uf = {
        .want = w,
        .prior_stack_name = req->prior.stack_name,
        .claim = &req->claim,
        .table = &f->table,
        .old_stack = &f->prior_stack,
        .new_stack = new_stack,
        .owner_stack = f->owner_stack,
        .owner = owner,
    };
    struct update_decision d;
    ownership_decide_update(&uf, &d);
    switch (d.path) {
        case UPDATE_REFUSE:
            s_refuse(p, &d.refusal);
            break;
        case UPDATE_WAIT:
            s_wait(p, ownership_stack_busy(&f->prior_stack) ? &f->prior_stack : new_stack, false);
            break;
        case UPDATE_NORMAL: {
            const struct stack_facts *s = req->prior.stack_id ? &f->prior_stack : new_stack;
            p->path = ACTION_UPDATE;
            p->new_stack = !req->prior.stack_id;
            s_copy(p, &p->stack_id, s->id);
            s_owner(p, req, s->name, req->prior.stack_id != NULL);
            s_update_of(p, &f->table, s);
            break;
        }
        case UPDATE_ADOPT:
            if (!f->table.extras_read) {
                p->needs |= DECIDE_NEED_EXTRAS;
                break;
            }
            if (!s_review(p, ADOPTION_IMPORT, &f->table)) {
                break;
            }
            p->path = ACTION_ADOPT;
            p->new_stack = true;
            s_owner(p, req, NULL, false);
            if (d.delete_shell_first) {
                s_shell_note(p, new_stack);
                s_step_delete(p, w->stack_name, NULL);
            }
            s_import_and_update(p, &f->table);
            break;
        case UPDATE_MOVE:
            if (s_importers_refuse(p, f, req->prior.stack_name, true)) {
                break;
            }
            p->path = ACTION_MOVE;
            p->new_stack = true;
            s_copy(p, &p->stack_id, f->prior_stack.id);
            s_owner(p, req, NULL, false);
            action_note(
                p,
                "Table will move to another stack",
                "DynamoDB table \"%s\" moves from stack \"%s\" to stack \"%s\", in place: apply "
                "sets DeletionPolicy Retain on the table in \"%s\", deletes that stack (the table "
                "and all its items stay), imports the table into \"%s\" with an IMPORT change "
                "set, then applies the configuration. No item is touched; an interrupted move "
                "continues on the next apply.",
                w->name,
                req->prior.stack_name,
                w->stack_name,
                req->prior.stack_name,
                w->stack_name);
            if (d.delete_shell_first) {
                s_step_delete(p, w->stack_name, NULL);
            }
            {
                struct action_step *s = action_step(p, STEP_RETAIN, req->prior.stack_name);
                if (s && f->prior_stack.tag_count &&
                    tpd_kv_array_copy(f->prior_stack.tags, f->prior_stack.tag_count, &s->tags) ==
                        TPD_OK) {
                    s->tag_count = f->prior_stack.tag_count;
                } else if (s && f->prior_stack.tag_count) {
                    s_fail(p, TPD_E_NOMEM);
                }
                if (s) {
                    s_copy(p, &s->logical_id, f->prior_stack.table_logical_id);
                }
            }
            s_step_delete(p, req->prior.stack_name, f->prior_stack.table_logical_id);
            s_import_and_update(p, &f->table);
            break;
        case UPDATE_RECOVER:
            if (s_importers_refuse(p, f, req->prior.stack_name, true)) {
                break;
            }
            p->path = ACTION_RECOVER;
            p->new_stack = true;
            s_copy(p, &p->stack_id, f->prior_stack.id);
            s_owner(p, req, NULL, false);
            action_note(
                p,
                "Stack will be recovered from DELETE_FAILED",
                "Stack \"%s\" is in DELETE_FAILED (%s): someone tried to delete it, and DynamoDB "
                "table \"%s\" survived (deletion protection). Apply finishes the stack's deletion "
                "keeping the table (DeleteStack with RetainResources), imports the table into "
                "stack \"%s\" with an IMPORT change set, then applies the configuration. No item "
                "is touched; an interrupted recovery continues on the next apply.",
                req->prior.stack_name,
                f->prior_stack.status_reason ? f->prior_stack.status_reason : "no reason given",
                w->name,
                w->stack_name);
            s_step_delete(p, req->prior.stack_name, f->prior_stack.table_logical_id);
            if (d.delete_shell_first) {
                s_step_delete(p, w->stack_name, NULL);
            }
            s_import_and_update(p, &f->table);
            break;
    }
    update_decision_clear(&d);
}

/* ---- destroy --------------------------------------------------------------------------- */

static void
s_decide_destroy(const struct request *req, const struct resource_facts *f, struct action_plan *p) {
    const struct request_prior *pr = &req->prior;
    bool stack_gone =
        !pr->stack_id || !f->prior_stack.exists || !s_eq(f->prior_stack.id, pr->stack_id);
    if (stack_gone && f->table.exists && !f->owner_read) {
        p->needs |= DECIDE_NEED_OWNER;
        return;
    }
    struct destroy_facts df = {
        .table_name = pr->name,
        .stack_name = pr->stack_name,
        .claim = &req->claim,
        .retain_on_destroy = pr->retain_on_destroy,
        .explicit_destroy = req->explicit_destroy,
        .table = &f->table,
        .stack = &f->prior_stack,
        .owner_stack = stack_gone ? f->owner_stack : NULL,
    };
    struct destroy_decision d;
    ownership_decide_destroy(&df, &d);
    if (d.note_rc) {
        action_note(
            p,
            "Table kept",
            "The table was kept with all its items; the provider ran out of memory writing why "
            "(%s).",
            tpd_code_str(d.note_rc));
    } else if (d.note.len) {
        action_note(p, "Table kept", "%s", tpd_buf_cstr(&d.note));
    }
    switch (d.path) {
        case DESTROY_REFUSE:
            s_refuse(p, &d.refusal);
            break;
        case DESTROY_WAIT:
            s_wait(p, &f->prior_stack, false);
            break;
        case DESTROY_FORGET:
            p->path = ACTION_FORGET;
            break;
        case DESTROY_TABLE:
            p->path = ACTION_DESTROY_TABLE;
            action_step(p, STEP_DELETE_TABLE, NULL);
            break;
        case DESTROY_STACK:
        case DESTROY_STACK_THEN_TABLE:
            if (s_importers_refuse(p, f, pr->stack_name, false)) {
                break;
            }
            p->path =
                d.path == DESTROY_STACK ? ACTION_DESTROY_STACK : ACTION_DESTROY_STACK_THEN_TABLE;
            s_copy(p, &p->stack_id, f->prior_stack.id);
            s_step_delete(p, pr->stack_name, d.retain_logical_id);
            if (d.path == DESTROY_STACK_THEN_TABLE) {
                action_step(p, STEP_DELETE_TABLE, NULL);
            }
            break;
    }
    destroy_decision_clear(&d);
}

/* Warm throughput only grows (docs/aws-behaviour.md §5.8): a configured value below the
 * table's is refused at plan, as is one below what DynamoDB gives a new table (the on-demand
 * initial 12000 read / 4000 write units, or the provisioned capacities), which CreateTable
 * refuses. A refusal names the values to write. */
static void s_warm_check(struct action_plan *p, const struct table_live *live) {
    const struct table_spec *w = &p->target;
    if (w->warm_read <= 0 && w->warm_write <= 0) {
        return;
    }
    int64_t min_r = 0, min_w = 0;
    const char *why = NULL;
    if (live->exists) {
        min_r = live->spec.warm_read;
        min_w = live->spec.warm_write;
        why = "the table's current warm throughput; DynamoDB never lowers it";
    } else if (w->provisioned) {
        min_r = w->read_capacity;
        min_w = w->write_capacity;
        why = "the table's provisioned capacity, which DynamoDB gives a new table";
    } else {
        min_r = 12000;
        min_w = 4000;
        why = "what DynamoDB gives a new on-demand table";
    }
    bool low_r = w->warm_read > 0 && w->warm_read < min_r;
    bool low_w = w->warm_write > 0 && w->warm_write < min_w;
    if (!low_r && !low_w) {
        return;
    }
    refusal_setf(
        &p->refusal,
        "warm_throughput",
        "Warm throughput cannot be lower",
        "DynamoDB table \"%s\": warm_throughput asks for %lld read, %lld write units per second, "
        "below %s (%lld read, %lld write). DynamoDB refuses it. Nothing was changed. Set "
        "warm_throughput to at least those values, or leave out the units you do not want to "
        "raise.",
        w->name,
        (long long)(w->warm_read > 0 ? w->warm_read : min_r),
        (long long)(w->warm_write > 0 ? w->warm_write : min_w),
        why,
        (long long)min_r,
        (long long)min_w);
    p->path = ACTION_REFUSE;
}

void decide(const struct request *req, const struct resource_facts *f, struct action_plan *out) {
    action_plan_init(out);
    if (req->op != REQUEST_DESTROY && table_spec_copy(&out->target, &req->want) != TPD_OK) {
        out->rc = TPD_E_NOMEM;
        return;
    }
    switch (req->op) {
        case REQUEST_CREATE:
            s_decide_create(req, f, out);
            break;
        case REQUEST_UPDATE:
            s_decide_update(req, f, out);
            break;
        case REQUEST_DESTROY:
            s_decide_destroy(req, f, out);
            break;
    }
    if (out->needs) {
        out->path = ACTION_NONE;
    } else if (req->op != REQUEST_DESTROY && out->path != ACTION_REFUSE) {
        s_warm_check(out, &f->table);
    }
}

bool decide_keeps_plan(
    const struct request *req, const struct action_plan *now, struct refusal *why) {
    refusal_init(why);
    const char *planned_name = req->priv.path;
    if (!planned_name || now->path == ACTION_REFUSE) {
        return true;
    }
    enum action_path planned = action_path_from_name(planned_name);
    bool same_stack = !req->priv.path_stack || !now->stack_id ||
                      s_eq(req->priv.path_stack, now->stack_id) || now->path == ACTION_CREATE ||
                      now->path == ACTION_ADOPT || now->path == ACTION_RESTORE;
    if (planned == now->path && same_stack) {
        return true;
    }
    if (planned == ACTION_WAIT &&
        (now->path == ACTION_UPDATE || now->path == ACTION_CREATE || now->path == ACTION_RESTORE)) {
        return true;
    }
    const char *table = req->op == REQUEST_DESTROY ? req->prior.name : req->want.name;
    refusal_setf(
        why,
        NULL,
        "AWS changed since the plan",
        "The plan for DynamoDB table \"%s\" was to %s%s%s; what AWS holds now leads to %s. "
        "Something else changed the table or its stack after the plan was made (another "
        "resource or address in this apply, another state, or a change outside Terraform). "
        "Nothing was changed. Run terraform plan again to see what apply would do now.",
        table ? table : "?",
        action_path_name(planned),
        req->priv.path_stack && !same_stack ? " on stack " : "",
        req->priv.path_stack && !same_stack ? req->priv.path_stack : "",
        action_path_name(now->path));
    return false;
}
