/*
 * ownership: stack classification and the create / update / destroy decisions (see
 * ownership.h). Every refusal says what was found, that nothing was changed, and what
 * the user can do.
 */
#include "ownership.h"

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

enum stack_kind ownership_classify(
    const struct stack_facts *s,
    const char *table,
    const char *state_stack_id,
    struct tpd_text *why) {
    if (!s || !s->exists) {
        return STACK_NONE;
    }
    bool by_state = s_eq(state_stack_id, s->id);
    bool by_marker = s->tpl.read && s->tpl.marked && s_eq(s->tpl.marked_table, table);
    bool by_legacy = s->tpl.read && s->tpl.legacy && s_eq(s->table_physical_id, table);
    bool empty = s->resources_read && s->resource_count == 0;
    /* An empty stack holds nothing to lose; it is ours when its description or its
     * events' tokens say this provider made it (a failed create or import). */
    bool by_shell = empty && (s_eq(s->description, TABLE_TEMPLATE_DESCRIPTION) || s->shell_marked);
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
    } else if (!(by_state || by_marker || by_legacy || by_shell)) {
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
    return stack_facts_holds_table(s, table) ? STACK_OWN : STACK_OWN_SHELL;
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

void refusal_fail(struct refusal *r, enum tpd_code rc) {
    if (r->rc == TPD_OK) {
        r->rc = rc;
    }
}

/* The end of a reason found by ownership_classify: a refusal that may have quoted it
 * fails with it (a reason lost is a refusal that cannot say why). */
static void s_why_done(struct refusal *r, struct tpd_text *why) {
    if (r->refused) {
        refusal_fail(r, why->rc);
    }
    tpd_text_clear(why);
}

__attribute__((format(printf, 4, 5))) static void
s_refuse(struct refusal *r, const char *attr, const char *summary, const char *fmt, ...) {
    struct tpd_text detail;
    tpd_text_init(&detail, 0);
    va_list ap;
    va_start(ap, fmt);
    tpd_text_vprintf(&detail, fmt, ap);
    va_end(ap);
    refusal_set(r, attr, summary, &detail);
}

/* A shell in REVIEW_IN_PROGRESS takes CREATE and IMPORT change sets as it is; any
 * other shell (ROLLBACK_COMPLETE after a failed create, IMPORT_ROLLBACK_COMPLETE, a
 * stack whose table is gone) must be deleted first. */
static bool s_shell_needs_delete(const struct stack_facts *s) {
    return !s_eq(s->status, "REVIEW_IN_PROGRESS");
}

static void
s_refuse_foreign(struct refusal *r, const char *what, const char *stack, const char *why) {
    s_refuse(
        r,
        "stack_name",
        "Stack belongs to someone else",
        "%s: %s. Nothing was changed. This resource never updates, imports into or deletes a "
        "stack that is not its own. Choose another stack_name, or remove that stack (or its "
        "other resources) yourself if it is no longer needed.",
        what,
        why);
    (void)stack;
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
    enum stack_kind sk = ownership_classify(f->stack, w->name, NULL, &why);
    bool table_exists = f->table->exists && !s_eq(f->replacing, w->name);

    if (!table_exists) {
        switch (sk) {
            case STACK_NONE:
                out->path = CREATE_FRESH;
                break;
            case STACK_OWN:
            case STACK_OWN_SHELL:
                /* Ours, but its table is gone (deleted outside Terraform, or a failed
                 * create): nothing in it to keep. */
                out->path = CREATE_FRESH;
                out->delete_shell_first = sk == STACK_OWN || s_shell_needs_delete(f->stack);
                break;
            case STACK_FOREIGN:
                s_refuse_foreign(
                    &out->refusal,
                    "Creating the table needs its stack name",
                    w->stack_name,
                    tpd_text_cstr(&why));
                break;
        }
        goto done;
    }

    if (!table_spec_keys_match(w, &f->table->spec)) {
        struct tpd_text a, b;
        tpd_text_init(&a, 0);
        tpd_text_init(&b, 0);
        table_spec_describe_keys(&f->table->spec, &a);
        table_spec_describe_keys(w, &b);
        s_refuse(
            &out->refusal,
            "hash_key",
            "Existing table has a different key schema",
            "DynamoDB table \"%s\" already exists with %s, but the configuration says %s. A key "
            "schema cannot change without recreating the table and losing its items, so it cannot "
            "be adopted. Nothing was changed. Make the configuration match the table, or use "
            "another table name.",
            w->name,
            tpd_text_cstr(&a),
            tpd_text_cstr(&b));
        refusal_fail(&out->refusal, a.rc);
        refusal_fail(&out->refusal, b.rc);
        tpd_text_clear(&a);
        tpd_text_clear(&b);
        goto done;
    }

    if (f->owner_stack && !s_eq(f->owner_stack, w->stack_name)) {
        s_refuse(
            &out->refusal,
            "stack_name",
            "Table belongs to another stack",
            "DynamoDB table \"%s\" already exists and is owned by CloudFormation stack \"%s\", not "
            "\"%s\". Nothing was changed. To manage it here, set stack_name = \"%s\" and import it "
            "(terraform import <address> %s/%s); or choose another table name.",
            w->name,
            f->owner_stack,
            w->stack_name,
            f->owner_stack,
            f->owner_stack,
            w->name);
        goto done;
    }

    switch (sk) {
        case STACK_OWN:
            out->path = CREATE_TAKE_OVER;
            break;
        case STACK_NONE:
            if (f->owner_stack) {
                /* The owner has the configured name yet no live stack has it: the
                 * owning stack is being deleted. Wait for that to finish. */
                s_refuse(
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
                s_refuse(
                    &out->refusal,
                    "stack_name",
                    "Table's stack is inconsistent",
                    "CloudFormation lists table \"%s\" in stack \"%s\", but that stack holds no "
                    "live "
                    "table resource. Nothing was changed. Check the stack in the CloudFormation "
                    "console.",
                    w->name,
                    f->owner_stack);
                break;
            }
            out->path = CREATE_ADOPT;
            out->delete_shell_first = s_shell_needs_delete(f->stack);
            break;
        case STACK_FOREIGN:
            if (f->owner_stack) {
                s_refuse(
                    &out->refusal,
                    "stack_name",
                    "Table is in a stack this provider did not create",
                    "DynamoDB table \"%s\" is already in stack \"%s\", and %s. Nothing was "
                    "changed. "
                    "If that stack holds only this table and you want Terraform to manage it, "
                    "import it: terraform import <address> %s/%s.",
                    w->name,
                    w->stack_name,
                    tpd_text_cstr(&why),
                    w->stack_name,
                    w->name);
            } else {
                s_refuse_foreign(
                    &out->refusal,
                    "Adopting the table needs its stack name",
                    w->stack_name,
                    tpd_text_cstr(&why));
            }
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

/* The configured stack for a table in no stack: like a create with an existing table. */
static void s_decide_adopt(const struct update_facts *f, struct update_decision *d) {
    const struct table_spec *w = f->want;
    struct tpd_text why;
    tpd_text_init(&why, 0);
    enum stack_kind sk = ownership_classify(f->new_stack, w->name, NULL, &why);
    if (f->owner_stack && !s_eq(f->owner_stack, w->stack_name)) {
        s_refuse(
            &d->refusal,
            "stack_name",
            "Table belongs to another stack",
            "DynamoDB table \"%s\" was adopted into stack \"%s\" outside this configuration, not "
            "\"%s\". Nothing was changed. Set stack_name = \"%s\", or run terraform apply "
            "-refresh-only "
            "and check the stack.",
            w->name,
            f->owner_stack,
            w->stack_name,
            f->owner_stack);
    } else if (sk == STACK_OWN) {
        d->path = UPDATE_NORMAL; /* an earlier apply adopted it; its state was lost */
    } else if (sk == STACK_NONE && !f->owner_stack) {
        d->path = UPDATE_ADOPT;
    } else if (sk == STACK_OWN_SHELL && !f->owner_stack) {
        d->path = UPDATE_ADOPT;
        d->delete_shell_first = s_shell_needs_delete(f->new_stack);
    } else if (sk == STACK_FOREIGN) {
        s_refuse_foreign(
            &d->refusal,
            "Adopting the table needs its stack name",
            w->stack_name,
            tpd_text_cstr(&why));
    } else {
        s_refuse(
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
    if (!f->table->exists) {
        s_refuse(
            &out->refusal,
            NULL,
            "Table no longer exists",
            "DynamoDB table \"%s\" was deleted after the plan was made. Nothing was changed; run "
            "terraform apply again (the refresh plans to create it).",
            w->name);
        goto done;
    }
    if (!f->prior_stack_id) {
        s_decide_adopt(f, out);
        goto done;
    }
    struct tpd_text why;
    tpd_text_init(&why, 0);
    enum stack_kind old = ownership_classify(f->old_stack, w->name, f->prior_stack_id, &why);
    bool moving = !s_eq(f->prior_stack_name, w->stack_name);
    switch (old) {
        case STACK_OWN:
            if (!moving) {
                out->path = UPDATE_NORMAL;
                break;
            }
            {
                struct tpd_text why2;
                tpd_text_init(&why2, 0);
                enum stack_kind nk = ownership_classify(f->new_stack, w->name, NULL, &why2);
                if (nk == STACK_NONE || nk == STACK_OWN_SHELL) {
                    out->path = UPDATE_MOVE;
                    out->delete_shell_first =
                        nk == STACK_OWN_SHELL && s_shell_needs_delete(f->new_stack);
                } else {
                    s_refuse_foreign(
                        &out->refusal,
                        "Moving the table needs its new stack name",
                        w->stack_name,
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
        case STACK_FOREIGN:
            s_refuse(
                &out->refusal,
                "stack_name",
                "Stack changed outside Terraform",
                "The table's %s. Nothing was changed. Remove what was added to the stack, or "
                "remove this resource from the state (terraform state rm) and manage the stack "
                "another way.",
                tpd_text_cstr(&why));
            break;
    }
    s_why_done(&out->refusal, &why);
done:
    if (out->refusal.refused) {
        out->path = UPDATE_REFUSE;
    }
}

void destroy_decision_clear(struct destroy_decision *d) {
    refusal_clear(&d->refusal);
    tpd_buf_clear(&d->note);
}

void ownership_decide_destroy(const struct destroy_facts *f, struct destroy_decision *out) {
    out->path = DESTROY_REFUSE;
    refusal_init(&out->refusal);
    tpd_buf_init(&out->note, 0);
    out->note_rc = TPD_OK;
    const struct table_live *t = f->table;
    if (t->exists && t->spec.deletion_protection && !f->retain_on_destroy) {
        s_refuse(
            &out->refusal,
            "deletion_protection_enabled",
            "Table is protected against deletion",
            "DynamoDB table \"%s\" has deletion protection enabled in AWS (it may have been "
            "switched "
            "on outside Terraform). Nothing was deleted. Set deletion_protection_enabled = false "
            "and "
            "apply, then destroy again; or set retain_on_destroy = true to keep the table.",
            f->table_name);
        return;
    }
    struct tpd_text why;
    tpd_text_init(&why, 0);
    enum stack_kind sk = f->state_stack_id
                             ? ownership_classify(f->stack, f->table_name, f->state_stack_id, &why)
                             : STACK_NONE;
    /* A stack of that name that is not the one in state is someone else's. */
    if (sk != STACK_NONE && !s_eq(f->stack->id, f->state_stack_id)) {
        sk = STACK_NONE;
    }
    switch (sk) {
        case STACK_NONE:
            if (t->exists && !f->retain_on_destroy && f->explicit_destroy) {
                out->path = DESTROY_TABLE;
            } else {
                out->path = DESTROY_FORGET;
                if (t->exists) {
                    out->note_rc = tpd_buf_printf(
                        &out->note,
                        "DynamoDB table \"%s\" is in no stack managed by this resource%s, so it "
                        "was "
                        "kept with all its items and only removed from the Terraform state.",
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
            if (f->retain_on_destroy && holds && !retains) {
                s_refuse(
                    &out->refusal,
                    "retain_on_destroy",
                    "Deployed template would delete the table",
                    "retain_on_destroy is true, but the template deployed in stack \"%s\" does not "
                    "have DeletionPolicy Retain on the table, so deleting the stack would delete "
                    "table "
                    "\"%s\" and its items. Nothing was deleted. Run terraform apply to update the "
                    "stack, then destroy again.",
                    f->stack_name,
                    f->table_name);
                break;
            }
            if (holds && retains && !f->retain_on_destroy) {
                /* The template keeps the table (an adoption or a move whose follow-up did
                 * not finish): only a destroy the user asked for deletes it afterwards. */
                if (f->explicit_destroy) {
                    out->path = DESTROY_STACK_THEN_TABLE;
                } else {
                    out->path = DESTROY_STACK;
                    out->note_rc = tpd_buf_printf(
                        &out->note,
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
        case STACK_FOREIGN:
            s_refuse(
                &out->refusal,
                "stack_name",
                "Stack changed outside Terraform",
                "The table's %s. Nothing was deleted. Remove what was added to the stack and "
                "destroy again, or remove this resource from the state (terraform state rm).",
                tpd_text_cstr(&why));
            break;
    }
    s_why_done(&out->refusal, &why);
    if (out->refusal.refused) {
        out->path = DESTROY_REFUSE;
    }
}
