/*
 * ownership: stack classification and the create / update / destroy decisions (see
 * ownership.h). Every refusal says what was found, that nothing was changed, and what
 * the user can do — an action that, taken, succeeds (tests/e2e/test_one_owner.py
 * follows each one literally).
 */
#include "ownership.h"

#include <stdarg.h>
#include <string.h>

#include "table_template.h"

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

/* "holds table X" / "holds no resources" / "holds A (Type), B (Type)". */
static void s_contents(const struct stack_facts *s, struct tpd_text *b) {
    if (!s->resources_read) {
        tpd_text_append(b, "whose resources could not be read");
        return;
    }
    if (s->resource_count == 0) {
        tpd_text_append(b, "holding no resources");
        return;
    }
    tpd_text_append(b, "holding ");
    if (s->table_logical_id) {
        tpd_text_printf(
            b,
            "table \"%s\" (%s)",
            s->table_physical_id ? s->table_physical_id : "not created",
            s->table_logical_id);
    }
    if (s->other_resources) {
        tpd_text_printf(b, "%s%s", s->table_logical_id ? " and " : "", s->other_resources);
    }
}

bool ownership_stack_busy(const struct stack_facts *s) {
    return s && s->exists && stack_status_in_progress(s->status);
}

/* The stack holds the table: live, or (busy) being created or imported. */
static bool s_holds(const struct stack_facts *s, const char *table) {
    if (stack_facts_holds_table(s, table)) {
        return true;
    }
    return ownership_stack_busy(s) && s->table_logical_id &&
           (!s->table_physical_id || s_eq(s->table_physical_id, table)) &&
           !s_eq(s->table_resource_status, "DELETE_COMPLETE");
}

enum stack_kind ownership_classify(
    const struct stack_facts *s,
    const char *table,
    const struct owner_claim *claim,
    struct tpd_text *why) {
    static const struct owner_claim nobody = {0};
    if (!s || !s->exists) {
        return STACK_NONE;
    }
    if (!claim) {
        claim = &nobody;
    }
    bool marked = s->tpl.read && s->tpl.marked && s_eq(s->tpl.marked_table, table);
    const char *owner = marked ? s->tpl.marked_owner : NULL;
    bool by_state = s_eq(claim->stack_id, s->id);
    bool by_owner = owner && s_eq(owner, claim->owner_id);
    bool by_replacing =
        s_eq(claim->replacing_stack_id, s->id) || (owner && s_eq(owner, claim->replacing_owner));
    bool legacy = s->tpl.read && s->tpl.legacy && s_eq(s->table_physical_id, table);
    /* An empty stack holds nothing to lose; it is this provider's when its description
     * or its events' tokens say this provider made it (a failed create or import). */
    bool provider_made =
        marked || legacy || s_eq(s->description, TABLE_TEMPLATE_DESCRIPTION) || s->shell_marked;
    const char *problem = NULL;
    if (!s->resources_read) {
        problem = "its resources could not be read";
    } else if (s->tpl.has_transform) {
        problem = "its template uses a Transform, so the template that runs is not the one "
                  "this provider would update";
    } else if (s->other_resources || s->table_count > 1) {
        problem = "it holds more than the table, and a stack update from this provider "
                  "would delete the rest";
    } else if (s->table_physical_id && !s_eq(s->table_physical_id, table)) {
        problem = "its table is another table";
    } else if (!(provider_made || by_state || by_replacing)) {
        problem = "it was not created by this provider (its table resource has no "
                  "TerraformProviderDynamoDB marker) and is not the stack recorded in the state";
    }
    if (problem) {
        if (why) {
            tpd_text_printf(
                why, "stack \"%s\" (%s, ", s->name ? s->name : "?", s->status ? s->status : "?");
            s_contents(s, why);
            tpd_text_printf(why, ") is not this resource's: %s", problem);
        }
        return STACK_FOREIGN;
    }
    if (!s_holds(s, table)) {
        return STACK_OWN_SHELL;
    }
    if (by_owner || by_replacing) {
        return STACK_OWN;
    }
    /* A state that never recorded an owner id (an earlier release, or terraform import)
     * proves ownership by the stack id alone: also when its own first apply wrote an owner
     * into the marker and was cut off before Terraform recorded it. */
    if (by_state && !claim->owner_id) {
        return STACK_OWN;
    }
    if (by_state && !owner) {
        return STACK_OWN; /* the marker lost its owner (edited outside): the state decides */
    }
    if (why) {
        tpd_text_printf(
            why,
            "stack \"%s\" (%s) holds table \"%s\" and ",
            s->name ? s->name : "?",
            s->status ? s->status : "?",
            table);
        if (owner) {
            tpd_text_printf(why, "belongs to another resource instance (owner id %s)", owner);
        } else if (marked || legacy) {
            tpd_text_append(
                why,
                "was created by this provider for a resource whose state is not this one (its "
                "marker names no owner: written by an earlier release)");
        } else {
            tpd_text_append(why, "is not recorded in this resource's state");
        }
    }
    return owner || marked || legacy ? STACK_OTHER_OWNER : STACK_FOREIGN;
}

void refusal_init(struct refusal *r) {
    r->refused = false;
    r->attr = NULL;
    r->rc = TPD_OK;
    tpd_buf_init(&r->summary, 0);
    tpd_buf_init(&r->detail, 0);
}

void refusal_clear(struct refusal *r) {
    tpd_buf_clear(&r->summary);
    tpd_buf_clear(&r->detail);
    r->refused = false;
    r->attr = NULL;
    r->rc = TPD_OK;
}

void refusal_set(
    struct refusal *r, const char *attr, const char *summary, struct tpd_text *detail) {
    r->refused = true;
    r->attr = attr;
    tpd_buf_reset(&r->summary);
    tpd_buf_reset(&r->detail);
    enum tpd_code rc = tpd_buf_append_cstr(&r->summary, summary);
    enum tpd_code drc = tpd_text_finish(detail, &r->detail);
    refusal_fail(r, rc ? rc : drc);
}

void refusal_setf(struct refusal *r, const char *attr, const char *summary, const char *fmt, ...) {
    struct tpd_text detail;
    tpd_text_init(&detail, 0);
    va_list ap;
    va_start(ap, fmt);
    tpd_text_vprintf(&detail, fmt, ap);
    va_end(ap);
    refusal_set(r, attr, summary, &detail);
}

void refusal_fail(struct refusal *r, enum tpd_code rc) {
    if (r->rc == TPD_OK) {
        r->rc = rc;
    }
}

void refusal_move(struct refusal *dst, struct refusal *src) {
    refusal_clear(dst);
    *dst = *src;
    refusal_init(src);
}

/* The end of a reason found by ownership_classify: a refusal that may have quoted it
 * fails with it (a reason lost is a refusal that cannot say why). */
static void s_why_done(struct refusal *r, struct tpd_text *why) {
    if (r->refused) {
        refusal_fail(r, why->rc);
    }
    tpd_text_clear(why);
}

/* A shell in REVIEW_IN_PROGRESS takes CREATE and IMPORT change sets as it is; any
 * other shell (ROLLBACK_COMPLETE after a failed create, IMPORT_ROLLBACK_COMPLETE, a
 * stack whose table is gone) must be deleted first. */
static bool s_shell_needs_delete(const struct stack_facts *s) {
    return !s_eq(s->status, "REVIEW_IN_PROGRESS");
}

/* The stack could be brought into a state with terraform import STACK/TABLE: it holds the
 * table and nothing else (ttl_table_import.c checks the same). */
static bool s_importable(const struct stack_facts *s, const char *table) {
    return s && s->exists && s->resources_read && !s->tpl.has_transform && !s->other_resources &&
           s->table_count == 1 && s_eq(s->table_physical_id, table);
}

/*
 * Another resource instance owns the stack holding the table. The paths that lead here,
 * and what resolves each: a renamed address (moved), a resource Terraform tainted after
 * an interrupted create or `terraform taint` (untaint; its replacement would delete the
 * table), the create half of a replacement with create_before_destroy (Terraform's apply
 * plans it again without the private data that names the replaced owner, so it cannot be
 * told from a stranger, and the old object is left deposed: remove create_before_destroy,
 * state rm and import), a create whose state was never recorded (import), another state
 * or workspace (leave it, or state rm there and import here).
 */
static void s_refuse_other_owner(
    struct refusal *r, const char *what, const char *table, const char *stack, const char *why) {
    refusal_setf(
        r,
        NULL,
        "Table is managed by another resource",
        "%s: %s. Nothing was changed: a table has one owner, and a second state, workspace or "
        "address never takes it over.\n\n"
        "- If you renamed this resource or changed its count or for_each key, add a moved "
        "block from the old address to this one and plan again.\n"
        "- If Terraform marked this resource tainted (an interrupted create, or terraform "
        "taint), its replacement would delete the table and every item in it: run terraform "
        "untaint on this resource's address and apply again, which continues with the table "
        "as it is. To replace the table on purpose afterwards, use terraform apply "
        "-replace.\n"
        "- If this is the replacement of a resource whose lifecycle sets "
        "create_before_destroy: a table name is unique, so the new table cannot be made "
        "beside the one it replaces, and Terraform has set the table aside as a deposed "
        "object of this resource. Remove create_before_destroy, bring the table back with "
        "terraform state rm <address>, then terraform import <address> %s/%s, and apply "
        "again (with -replace=<address> if you still want a new table).\n"
        "- If this resource's create was interrupted before Terraform recorded it, or you want "
        "this state to manage the table, bring it in explicitly: terraform import <address> "
        "%s/%s (first terraform state rm it from any other state that manages it).\n"
        "- Otherwise use another table name.",
        what,
        why,
        stack,
        table,
        stack,
        table);
}

/* A stack of that name that is not this provider's (or not this table's). */
static void s_refuse_foreign(
    struct refusal *r,
    const char *what,
    const struct stack_facts *s,
    const char *table,
    const char *why) {
    if (s_importable(s, table)) {
        refusal_setf(
            r,
            "stack_name",
            "Stack was not created by this resource",
            "%s: %s. Nothing was changed: this resource never takes over a stack it did not "
            "create or adopt. If this stack is yours and holds only this table, bring it in "
            "explicitly with terraform import <address> %s/%s, then plan again.",
            what,
            why,
            s->name ? s->name : "?",
            table);
        return;
    }
    refusal_setf(
        r,
        "stack_name",
        "Stack belongs to someone else",
        "%s: %s. Nothing was changed: this resource never updates, imports into or deletes a "
        "stack that is not its own. Set stack_name to the name of a stack that does not exist "
        "yet, or remove that stack (or its other resources) yourself if it is no longer "
        "needed.",
        what,
        why);
}

/* The table is in stack f->owner_stack, not in the configured one. */
static void s_refuse_elsewhere(
    struct refusal *r,
    const char *table,
    const char *configured,
    const char *owner_stack,
    const struct stack_facts *owner,
    const struct owner_claim *claim,
    bool in_state) {
    struct tpd_text why;
    tpd_text_init(&why, 0);
    enum stack_kind k = owner ? ownership_classify(owner, table, claim, &why) : STACK_FOREIGN;
    if (k == STACK_OTHER_OWNER) {
        s_refuse_other_owner(
            r, "The table is not in the configured stack", table, owner_stack, tpd_text_cstr(&why));
    } else if (!owner || s_importable(owner, table)) {
        refusal_setf(
            r,
            "stack_name",
            "Table belongs to another stack",
            "DynamoDB table \"%s\" is owned by CloudFormation stack \"%s\", not \"%s\". Nothing "
            "was changed. To manage it in that stack, set stack_name = \"%s\" and bring it in "
            "explicitly: %sterraform import <address> %s/%s. Or use another table name.",
            table,
            owner_stack,
            configured,
            owner_stack,
            in_state ? "terraform state rm <address>, then " : "",
            owner_stack,
            table);
    } else {
        refusal_setf(
            r,
            "name",
            "Table belongs to another stack",
            "DynamoDB table \"%s\" is owned by CloudFormation stack \"%s\", and %s. Nothing was "
            "changed. This resource cannot manage that table; use another table name, or remove "
            "the table from that stack yourself.",
            table,
            owner_stack,
            tpd_text_cstr(&why));
    }
    s_why_done(r, &why);
}

static void
s_refuse_keys(struct refusal *r, const struct table_spec *w, const struct table_live *t) {
    struct tpd_text a, b;
    tpd_text_init(&a, 0);
    tpd_text_init(&b, 0);
    table_spec_describe_keys(&t->spec, &a);
    table_spec_describe_keys(w, &b);
    refusal_setf(
        r,
        "hash_key",
        "Existing table has a different key schema",
        "DynamoDB table \"%s\" already exists with %s, but the configuration says %s. A key "
        "schema cannot change without recreating the table and losing its items, so it cannot "
        "be adopted. Nothing was changed. Make the configuration match the table, or use "
        "another table name.",
        w->name,
        tpd_text_cstr(&a),
        tpd_text_cstr(&b));
    refusal_fail(r, a.rc);
    refusal_fail(r, b.rc);
    tpd_text_clear(&a);
    tpd_text_clear(&b);
}

/* A settled stack that takes no change set (ownership of it is not in doubt). */
static bool s_refuse_stuck(struct refusal *r, const struct stack_facts *s) {
    const char *st = s->status;
    if (s_eq(st, "UPDATE_ROLLBACK_FAILED") || s_eq(st, "IMPORT_ROLLBACK_FAILED")) {
        refusal_setf(
            r,
            NULL,
            "Stack is stuck in a failed rollback",
            "Stack \"%s\" is in %s: CloudFormation could not roll back its last update, and "
            "takes no change set until the rollback is finished. Nothing was changed. Continue "
            "it (aws cloudformation continue-update-rollback --stack-name %s, with "
            "--resources-to-skip for resources that cannot be rolled back), then apply "
            "again.%s%s",
            s->name,
            st,
            s->name,
            s->status_reason ? " Reason: " : "",
            s->status_reason ? s->status_reason : "");
        return true;
    }
    return false;
}

void create_decision_clear(struct create_decision *d) {
    refusal_clear(&d->refusal);
}

void ownership_decide_create(const struct create_facts *f, struct create_decision *out) {
    out->path = CREATE_REFUSE;
    out->delete_shell_first = false;
    refusal_init(&out->refusal);
    const struct table_spec *w = f->want;
    struct tpd_text why;
    tpd_text_init(&why, 0);
    enum stack_kind sk = ownership_classify(f->stack, w->name, f->claim, &why);
    bool table_exists = f->table->exists && !s_eq(f->replacing, w->name);

    /* Also while that stack is still creating the table (an interrupted create, tainted,
     * planned again before CloudFormation made the table): waiting would let Terraform run
     * the replacement's destroy half first, which deletes the stack with the table. */
    if (sk == STACK_OTHER_OWNER && (table_exists || ownership_stack_busy(f->stack))) {
        s_refuse_other_owner(
            &out->refusal,
            "Creating this resource would take over an existing stack",
            w->name,
            w->stack_name,
            tpd_text_cstr(&why));
        goto done;
    }
    if (ownership_stack_busy(f->stack) && sk != STACK_FOREIGN) {
        /* An operation is running on it (an interrupted apply, another tool): wait for it
         * to settle, then decide on what it became. */
        out->path = CREATE_WAIT;
        goto done;
    }
    if (!table_exists) {
        switch (sk) {
            case STACK_NONE:
                out->path = CREATE_FRESH;
                break;
            case STACK_OWN:
            case STACK_OWN_SHELL:
            case STACK_OTHER_OWNER:
                /* Nothing in it to keep: a failed create, the replaced table's stack, or a
                 * stack whose table was deleted outside Terraform (whose resource, finding
                 * the table gone, left the state). */
                out->path = CREATE_FRESH;
                out->delete_shell_first = sk != STACK_OWN_SHELL || s_shell_needs_delete(f->stack);
                break;
            case STACK_FOREIGN:
                s_refuse_foreign(
                    &out->refusal,
                    "Creating the table needs its stack name",
                    f->stack,
                    w->name,
                    tpd_text_cstr(&why));
                break;
        }
        goto done;
    }
    if (!table_spec_keys_match(w, &f->table->spec)) {
        s_refuse_keys(&out->refusal, w, f->table);
        goto done;
    }
    if (f->owner_stack && !s_eq(f->owner_stack, w->stack_name)) {
        s_refuse_elsewhere(
            &out->refusal, w->name, w->stack_name, f->owner_stack, f->owner, f->claim, false);
        goto done;
    }
    switch (sk) {
        case STACK_OWN:
            out->path = CREATE_TAKE_OVER;
            break;
        case STACK_NONE:
            if (f->owner_stack) {
                /* The owner has the configured name yet no live stack has it: the owning
                 * stack is being deleted. Wait for that to finish. */
                refusal_setf(
                    &out->refusal,
                    "stack_name",
                    "Table's stack is changing",
                    "DynamoDB table \"%s\" is still listed in stack \"%s\", which is being "
                    "deleted or replaced. Nothing was changed; run terraform apply again when "
                    "the stack has settled.",
                    w->name,
                    f->owner_stack);
                break;
            }
            out->path = CREATE_ADOPT;
            break;
        case STACK_OWN_SHELL:
            if (f->owner_stack) {
                refusal_setf(
                    &out->refusal,
                    "stack_name",
                    "Table's stack is inconsistent",
                    "CloudFormation lists table \"%s\" in stack \"%s\", but that stack holds no "
                    "live table resource. Nothing was changed. Check the stack in the "
                    "CloudFormation console.",
                    w->name,
                    f->owner_stack);
                break;
            }
            out->path = CREATE_ADOPT;
            out->delete_shell_first = s_shell_needs_delete(f->stack);
            break;
        case STACK_FOREIGN:
        case STACK_OTHER_OWNER:
            s_refuse_foreign(
                &out->refusal,
                f->owner_stack ? "The table is in a stack this provider did not create"
                               : "Adopting the table needs its stack name",
                f->stack,
                w->name,
                tpd_text_cstr(&why));
            break;
    }
done:
    if (out->refusal.refused) {
        out->path = CREATE_REFUSE;
    }
    s_why_done(&out->refusal, &why);
}

void update_decision_clear(struct update_decision *d) {
    refusal_clear(&d->refusal);
}

/* The configured stack for a table in no stack (or no longer in ours). */
static void s_decide_adopt(const struct update_facts *f, struct update_decision *d) {
    const struct table_spec *w = f->want;
    struct tpd_text why;
    tpd_text_init(&why, 0);
    enum stack_kind sk = ownership_classify(f->new_stack, w->name, f->claim, &why);
    if (f->owner_stack && !s_eq(f->owner_stack, w->stack_name)) {
        s_refuse_elsewhere(
            &d->refusal,
            w->name,
            w->stack_name,
            f->owner_stack,
            s_eq(f->owner_stack, f->prior_stack_name) ? f->old_stack : f->owner,
            f->claim,
            true);
    } else if (sk == STACK_OTHER_OWNER) {
        s_refuse_other_owner(
            &d->refusal,
            "Adopting the table would take over an existing stack",
            w->name,
            w->stack_name,
            tpd_text_cstr(&why));
    } else if (ownership_stack_busy(f->new_stack) && sk != STACK_FOREIGN) {
        d->path = UPDATE_WAIT;
    } else if (sk == STACK_OWN) {
        d->path = UPDATE_NORMAL; /* an earlier apply of this instance adopted it */
    } else if (sk == STACK_NONE && !f->owner_stack) {
        d->path = UPDATE_ADOPT;
    } else if (sk == STACK_OWN_SHELL && !f->owner_stack) {
        d->path = UPDATE_ADOPT;
        d->delete_shell_first = s_shell_needs_delete(f->new_stack);
    } else if (sk == STACK_FOREIGN) {
        s_refuse_foreign(
            &d->refusal,
            "Adopting the table needs its stack name",
            f->new_stack,
            w->name,
            tpd_text_cstr(&why));
    } else {
        refusal_setf(
            &d->refusal,
            "stack_name",
            "Table's stack is changing",
            "DynamoDB table \"%s\" is listed in stack \"%s\", which is being deleted or replaced. "
            "Nothing was changed; run terraform apply again when the stack has settled.",
            w->name,
            f->owner_stack);
    }
    s_why_done(&d->refusal, &why);
}

void ownership_decide_update(const struct update_facts *f, struct update_decision *out) {
    out->path = UPDATE_REFUSE;
    out->delete_shell_first = false;
    refusal_init(&out->refusal);
    const struct table_spec *w = f->want;
    static const struct owner_claim nobody = {0};
    const struct owner_claim *claim = f->claim ? f->claim : &nobody;
    struct tpd_text why;
    tpd_text_init(&why, 0);
    if (!f->table->exists) {
        refusal_setf(
            &out->refusal,
            NULL,
            "Table no longer exists",
            "DynamoDB table \"%s\" was deleted after the plan was made. Nothing was changed; run "
            "terraform apply again (the refresh plans to create it).",
            w->name);
        goto done;
    }
    if (!claim->stack_id) {
        s_decide_adopt(f, out);
        goto done;
    }
    enum stack_kind old = ownership_classify(f->old_stack, w->name, claim, &why);
    bool moving = !s_eq(f->prior_stack_name, w->stack_name);
    if (old == STACK_OWN && s_eq(f->old_stack->status, "DELETE_FAILED")) {
        /* Someone tried to delete the stack and the table survived (deletion protection):
         * finish the deletion keeping the table, then adopt it again. */
        struct tpd_text why2;
        tpd_text_init(&why2, 0);
        enum stack_kind nk =
            moving ? ownership_classify(f->new_stack, w->name, claim, &why2) : STACK_NONE;
        if (nk == STACK_NONE || nk == STACK_OWN_SHELL) {
            out->path = UPDATE_RECOVER;
            out->delete_shell_first = nk == STACK_OWN_SHELL && s_shell_needs_delete(f->new_stack);
        } else {
            s_refuse_foreign(
                &out->refusal,
                "Recovering the table into its new stack name",
                f->new_stack,
                w->name,
                tpd_text_cstr(&why2));
        }
        s_why_done(&out->refusal, &why2);
        goto done;
    }
    if (ownership_stack_busy(f->old_stack) && (old == STACK_OWN || old == STACK_OWN_SHELL)) {
        out->path = UPDATE_WAIT;
        goto done;
    }
    switch (old) {
        case STACK_OWN:
            if (s_refuse_stuck(&out->refusal, f->old_stack)) {
                break;
            }
            if (!moving) {
                out->path = UPDATE_NORMAL;
                break;
            }
            {
                struct tpd_text why2;
                tpd_text_init(&why2, 0);
                enum stack_kind nk = ownership_classify(f->new_stack, w->name, claim, &why2);
                if (nk == STACK_NONE || nk == STACK_OWN_SHELL) {
                    out->path = UPDATE_MOVE;
                    out->delete_shell_first =
                        nk == STACK_OWN_SHELL && s_shell_needs_delete(f->new_stack);
                } else if (nk == STACK_OTHER_OWNER) {
                    s_refuse_other_owner(
                        &out->refusal,
                        "Moving the table needs its new stack name",
                        w->name,
                        w->stack_name,
                        tpd_text_cstr(&why2));
                } else {
                    s_refuse_foreign(
                        &out->refusal,
                        "Moving the table needs its new stack name",
                        f->new_stack,
                        w->name,
                        nk == STACK_OWN ? "that stack already holds this table"
                                        : tpd_text_cstr(&why2));
                }
                s_why_done(&out->refusal, &why2);
            }
            break;
        case STACK_NONE:
        case STACK_OWN_SHELL:
            /* Our stack no longer holds the table (deleted outside, or a move was
             * interrupted after the old stack was deleted): adopt it again. */
            s_decide_adopt(f, out);
            break;
        case STACK_OTHER_OWNER:
            refusal_setf(
                &out->refusal,
                "stack_name",
                "Stack now belongs to another resource",
                "The table's %s. Nothing was changed: another state, workspace or address "
                "manages this stack now. To stop managing the table here without deleting "
                "anything, remove this resource from the state: terraform state rm <address>.",
                tpd_text_cstr(&why));
            break;
        case STACK_FOREIGN:
            refusal_setf(
                &out->refusal,
                "stack_name",
                "Stack changed outside Terraform",
                "The table's %s. Nothing was changed. Remove what was added to the stack, or "
                "remove this resource from the state (terraform state rm <address>) and manage "
                "the stack another way.",
                tpd_text_cstr(&why));
            break;
    }
done:
    s_why_done(&out->refusal, &why);
    if (out->refusal.refused) {
        out->path = UPDATE_REFUSE;
    }
}

void destroy_decision_clear(struct destroy_decision *d) {
    refusal_clear(&d->refusal);
    tpd_buf_clear(&d->note);
}

static void s_note(struct destroy_decision *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void s_note(struct destroy_decision *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    d->note_rc = tpd_buf_vprintf(&d->note, fmt, ap);
    va_end(ap);
}

void ownership_decide_destroy(const struct destroy_facts *f, struct destroy_decision *out) {
    out->path = DESTROY_REFUSE;
    out->retain_logical_id = NULL;
    refusal_init(&out->refusal);
    tpd_buf_init(&out->note, 0);
    out->note_rc = TPD_OK;
    static const struct owner_claim nobody = {0};
    const struct owner_claim *claim = f->claim ? f->claim : &nobody;
    const struct table_live *t = f->table;
    struct tpd_text why;
    tpd_text_init(&why, 0);
    enum stack_kind sk =
        claim->stack_id ? ownership_classify(f->stack, f->table_name, claim, &why) : STACK_NONE;
    /* A stack of that name that is not the one in state is someone else's: ours is gone. */
    if (sk != STACK_NONE && !s_eq(f->stack->id, claim->stack_id)) {
        sk = STACK_NONE;
    }
    if ((sk == STACK_OWN || sk == STACK_OWN_SHELL) && ownership_stack_busy(f->stack)) {
        out->path = DESTROY_WAIT;
        goto done;
    }
    if (t->exists && t->spec.deletion_protection && !f->retain_on_destroy &&
        (sk == STACK_OWN || (sk == STACK_NONE && !f->owner_stack))) {
        refusal_setf(
            &out->refusal,
            "deletion_protection_enabled",
            "Table is protected against deletion",
            "DynamoDB table \"%s\" has deletion protection enabled in AWS. Nothing was deleted. "
            "Set deletion_protection_enabled = false and apply, then destroy again; or set "
            "retain_on_destroy = true and apply to keep the table.",
            f->table_name);
        goto done;
    }
    switch (sk) {
        case STACK_NONE:
            if (t->exists && f->owner_stack) {
                /* Adopted into a stack since (by another resource, or outside Terraform):
                 * not this resource's to delete. */
                out->path = DESTROY_FORGET;
                s_note(
                    out,
                    "DynamoDB table \"%s\" is now in stack \"%s\", which this resource does not "
                    "manage, so it was kept with all its items and only removed from the "
                    "Terraform state.",
                    f->table_name,
                    f->owner_stack);
            } else if (t->exists && !f->retain_on_destroy && f->explicit_destroy) {
                out->path = DESTROY_TABLE;
            } else {
                out->path = DESTROY_FORGET;
                if (t->exists) {
                    s_note(
                        out,
                        "DynamoDB table \"%s\" is in no stack managed by this resource%s, so it "
                        "was kept with all its items and only removed from the Terraform state.",
                        f->table_name,
                        f->retain_on_destroy
                            ? " and retain_on_destroy is true"
                            : " and this is a replacement, not a destroy you asked for");
                }
            }
            break;
        case STACK_OWN:
        case STACK_OWN_SHELL: {
            bool retains = s_eq(f->stack->tpl.deletion_policy, "Retain") ||
                           s_eq(f->stack->tpl.deletion_policy, "RetainExceptOnCreate");
            bool holds = sk == STACK_OWN && t->exists;
            if (f->retain_on_destroy && holds && !retains &&
                !s_eq(f->stack->status, "DELETE_FAILED")) {
                refusal_setf(
                    &out->refusal,
                    "retain_on_destroy",
                    "Deployed template would delete the table",
                    "retain_on_destroy is true, but the template deployed in stack \"%s\" does "
                    "not have DeletionPolicy Retain on the table, so deleting the stack would "
                    "delete table \"%s\" and its items. Nothing was deleted. Run terraform apply "
                    "to update the stack, then destroy again.",
                    f->stack_name,
                    f->table_name);
                break;
            }
            if (f->retain_on_destroy && holds) {
                out->retain_logical_id = f->stack->table_logical_id;
            }
            if (holds && retains && !f->retain_on_destroy) {
                /* The template keeps the table (an adoption or a move whose follow-up did
                 * not finish): only a destroy the user asked for deletes it afterwards. */
                out->retain_logical_id = f->stack->table_logical_id;
                if (f->explicit_destroy) {
                    out->path = DESTROY_STACK_THEN_TABLE;
                } else {
                    out->path = DESTROY_STACK;
                    s_note(
                        out,
                        "The template of stack \"%s\" retains table \"%s\", so the table was kept "
                        "with all its items when the stack was deleted for the replacement.",
                        f->stack_name,
                        f->table_name);
                }
                break;
            }
            out->path = DESTROY_STACK;
            break;
        }
        case STACK_OTHER_OWNER:
        case STACK_FOREIGN:
            if (f->retain_on_destroy) {
                /* Nothing of this resource's is deleted by a retaining destroy anyway: stop
                 * managing the table and leave the stack to whoever owns it. */
                out->path = DESTROY_FORGET;
                s_note(
                    out,
                    "The table's %s, so it was not deleted; table \"%s\" was kept with all its "
                    "items and the resource only removed from the Terraform state.",
                    tpd_text_cstr(&why),
                    f->table_name);
                if (why.rc) {
                    out->note_rc = why.rc;
                }
                break;
            }
            refusal_setf(
                &out->refusal,
                "stack_name",
                sk == STACK_OTHER_OWNER ? "Stack now belongs to another resource"
                                        : "Stack changed outside Terraform",
                "The table's %s. Nothing was deleted. %s",
                tpd_text_cstr(&why),
                sk == STACK_OTHER_OWNER
                    ? "Another state, workspace or address manages it now. To stop managing the "
                      "table here without deleting it, run terraform state rm <address>."
                    : "Remove what was added to the stack and destroy again, or remove this "
                      "resource from the state without deleting anything (terraform state rm "
                      "<address>).");
            break;
    }
done:
    s_why_done(&out->refusal, &why);
    if (out->refusal.refused) {
        out->path = DESTROY_REFUSE;
    }
}
