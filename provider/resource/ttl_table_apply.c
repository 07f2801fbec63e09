/*
 * ttl_table_apply: ApplyResourceChange — create, update, destroy.
 *
 * Every change is decided once on facts read now (gather.h, decide.h), checked against
 * the path its plan recorded (decide_keeps_plan: when AWS changed since, apply stops and
 * touches nothing), and carried out step by step (execute.h). The state returned is read
 * back from AWS.
 *
 * Failures and Terraform's taint: an error during a create marks the new object tainted,
 * and Terraform then plans to replace it (destroy, then create). So:
 *   - a create that fails before any stack operation ran records nothing;
 *   - a CREATE that CloudFormation rolled back records its empty stack with the error (the
 *     replacement deletes an empty stack and loses nothing);
 *   - a create or adoption interrupted while its stack operation runs (Ctrl-C, a timeout,
 *     a lost connection) records the table and its stack with this instance's owner id and
 *     the error; the replacement Terraform then plans is refused by the next plan, which
 *     names `terraform untaint` (the stack's owner is not the new instance's: ownership.h),
 *     and after untaint the next apply continues the create;
 *   - once the table is in its stack, a later failure (the follow-up update of an
 *     adoption, a repair, reading back) is a warning with the state recorded, never a taint.
 * Updates and destroys report errors as errors, with the state as AWS has it.
 */
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "execute.h"
#include "gather.h"
#include "resource_private.h"
#include "table_value.h"
#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_log.h"
#include "ttl_table.h"
#include "ttl_table_internal.h"

/* A busy stack is waited for, then everything is read and decided again; a stack that is
 * busy again after that many waits is reported. */
#define APPLY_MAX_WAITS 3

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

/* The state from what AWS has (t must exist). */
static struct tfv *s_state(
    const struct tfv *ref,
    const struct table_live *t,
    const char *stack_name,
    const char *stack_id,
    const char *owner_id,
    bool retain) {
    struct table_state_args a = {ref, t, stack_name, stack_id, owner_id, retain};
    return table_value_state(&a);
}

/* Set key to a string or null; false on no memory. */
static bool s_set_str(struct tfv *v, const char *key, const char *s) {
    struct tfv *x = s ? tfv_new_string(s) : tfv_new_null();
    return x && tfv_map_set(v, key, x) == TPD_OK;
}

/* The planned values with the computed ones filled in from what is known (t may be NULL
 * or not exist): what a create records when the table could not be read back. Every
 * computed value is known after an apply. NULL on no memory. */
static struct tfv *s_planned_state(
    const struct tfv *planned,
    const struct table_live *t,
    const char *stack_id,
    const char *owner) {
    struct tfv *v = tfv_clone(planned);
    if (!v) {
        return NULL;
    }
    bool live = t && t->exists;
    const char *name = tfv_get_str(planned, "name");
    bool ok = s_set_str(v, "id", name ? name : "") && s_set_str(v, "arn", live ? t->arn : NULL) &&
              s_set_str(v, "table_status", live ? t->status : NULL) &&
              s_set_str(v, "ttl_status", live ? t->ttl_status : NULL) &&
              s_set_str(v, "stream_arn", live && t->spec.stream_view_type ? t->stream_arn : NULL) &&
              s_set_str(v, "stack_id", stack_id) && s_set_str(v, "owner_id", owner);
    if (!ok) {
        tfv_free(v);
        return NULL;
    }
    return v;
}

/* The table as AWS has it now, for an error path (a failed read: NULL). */
static void s_read_now(const struct cloud_ops *ops, const char *name, struct table_live *t) {
    struct cloud_read_request q = {.table = name, .with_tags = true, .with_features = true};
    struct cloud_read_result r = {0};
    struct tpd_err e = {0};
    if (ops->read(ops->ctx, &q, &r, &e) == TPD_OK) {
        *t = r.table;
        memset(&r.table, 0, sizeof(r.table));
    }
    cloud_read_result_clear(&r);
    tpd_err_clear(&e);
}

/* Error path of an update: the state as AWS has it (no taint for updates). */
static struct tfv *s_state_now(
    const struct cloud_ops *ops,
    const struct tfv *ref,
    const struct tfv *prior,
    const char *stack_name,
    const char *stack_id,
    const char *owner_id,
    bool retain) {
    struct table_live t = {0};
    struct tfv *v = NULL;
    s_read_now(ops, tfv_get_str(prior, "name"), &t);
    if (t.exists) {
        v = s_state(ref, &t, stack_name, stack_id, owner_id, retain);
    }
    table_live_clear(&t);
    return v ? v : tfv_clone(prior);
}

/* ---- create ---------------------------------------------------------------------- */

/* The table is in its stack, a later step failed: record it, warn, never taint. */
static void s_create_partial(
    const struct cloud_ops *ops,
    const struct tfv *planned,
    const struct action_plan *p,
    struct execute_result *res,
    const char *what,
    const struct tpd_err *failure,
    struct tfv **new_state,
    struct diag_list *diags) {
    struct table_live t = {0};
    s_read_now(ops, p->target.name, &t);
    struct tpd_text text;
    tpd_text_init(&text, 0);
    tpd_text_printf(
        &text,
        "%s Table \"%s\" is %s and recorded in the state; it was not replaced or deleted, and "
        "its items are untouched. The next terraform plan reads what AWS really has and shows "
        "what is still to change",
        what,
        p->target.name,
        res->stack_id ? "in its stack" : "in no stack yet");
    struct tpd_err shown = {0};
    tpd_err_set(
        &shown,
        failure->code,
        "%s. Cause: %s",
        tpd_text_cstr_or(&text, "Out of memory writing what became of the table"),
        failure->msg ? failure->msg : tpd_code_str(failure->code));
    tpd_err_set_aws(&shown, failure->http_status, failure->aws_code, failure->request_id);
    ttl_table_error_diag_as(
        diags, "Table adopted or created, configuration not fully applied", &shown, true);
    *new_state = s_planned_state(planned, &t, res->stack_id, res->owner_id);
    tpd_err_clear(&shown);
    tpd_text_clear(&text);
    table_live_clear(&t);
}

/*
 * The stack operation of a create ran and did not finish: interrupted (Ctrl-C, a
 * timeout, a lost connection) while the stack holds or is getting the table. It is
 * recorded, with this instance's owner id, so that nothing is orphaned; the error makes
 * Terraform taint it, and the next plan refuses the replacement and names untaint.
 */
static void s_create_interrupted(
    const struct cloud_ops *ops,
    const struct tfv *planned,
    const struct action_plan *p,
    struct execute_result *res,
    const struct tpd_err *failure,
    struct tfv **new_state,
    struct diag_list *diags) {
    struct table_live t = {0};
    s_read_now(ops, p->target.name, &t);
    diag_add(
        diags,
        DIAG_ERROR,
        NULL,
        p->path == ACTION_CREATE    ? "Create interrupted, table recorded"
        : p->path == ACTION_RESTORE ? "Restore interrupted, table recorded"
                                    : "Adoption interrupted, table recorded",
        "%s (%s). DynamoDB table \"%s\" is being %s in stack \"%s\", whose template carries this "
        "resource's owner id %s; both are recorded in the state, so nothing is orphaned, and "
        "nothing was deleted.\n\nTerraform marks a resource whose create reported an error as "
        "tainted, and would replace it: that would delete the table and every item in it, so "
        "the next plan refuses it. To continue, run terraform untaint <this resource's address>, "
        "then terraform apply: it waits for the stack and finishes the %s.",
        failure->msg ? failure->msg : tpd_code_str(failure->code),
        failure->code == TPD_E_STOPPED   ? "stopped on request"
        : failure->code == TPD_E_TIMEOUT ? "timed out"
                                         : "the operation did not finish",
        p->target.name,
        p->path == ACTION_CREATE ? "created" : "adopted",
        p->target.stack_name,
        res->owner_id ? res->owner_id : "?",
        p->path == ACTION_CREATE ? "create" : "adoption");
    *new_state = s_planned_state(planned, &t, res->stack_id, res->owner_id);
    table_live_clear(&t);
}

/*
 * A restore that started and did not end in its stack: the restore was accepted (the table
 * exists, or is being created), and the wait, the check or the IMPORT did not finish. The
 * table is recorded in no stack, as an import would record it, with the error: Terraform
 * taints it, the next plan refuses the replacement (deletion protection) or keeps the table
 * in its destroy half, and after terraform untaint the next apply adopts it. Never deleted.
 */
static void s_restore_unfinished(
    const struct cloud_ops *ops,
    const struct tfv *planned,
    const struct action_plan *p,
    const struct tpd_err *failure,
    struct tfv **new_state,
    struct diag_list *diags) {
    struct table_live t = {0};
    s_read_now(ops, p->target.name, &t);
    diag_add(
        diags,
        DIAG_ERROR,
        NULL,
        "Restore interrupted, table recorded",
        "%s (%s). DynamoDB table \"%s\" was restored (or is being restored) and is in no stack "
        "yet; it is recorded in the state, so nothing is orphaned, and nothing was deleted.\n\n"
        "Terraform marks a resource whose create reported an error as tainted, and would "
        "replace it. To continue, run terraform untaint <this resource's address>, then "
        "terraform apply: it waits for the table and adopts it into stack \"%s\" with an IMPORT "
        "change set, then applies the rest of the configuration.",
        failure->msg ? failure->msg : tpd_code_str(failure->code),
        failure->code == TPD_E_STOPPED   ? "stopped on request"
        : failure->code == TPD_E_TIMEOUT ? "timed out"
                                         : "the operation did not finish",
        p->target.name,
        p->target.stack_name);
    *new_state = s_planned_state(planned, &t, NULL, NULL);
    table_live_clear(&t);
}

static void s_create_outcome(
    const struct cloud_ops *ops,
    const struct tfv *planned,
    const struct action_plan *p,
    struct execute_result *res,
    enum tpd_code rc,
    const struct tpd_err *err,
    struct tfv **new_state,
    struct diag_list *diags) {
    if (!rc) {
        TPD_INFO(
            "table %s: stack %s %s",
            p->target.name,
            p->target.stack_name,
            res->empty ? "already up to date" : "done");
        *new_state = s_state(
            planned,
            &res->table,
            p->target.stack_name,
            res->stack_id,
            res->owner_id,
            p->target.retain_on_destroy);
        if (!*new_state) {
            diag_add(
                diags, DIAG_ERROR, NULL, "Out of memory", "Recording the state ran out of memory.");
        }
        return;
    }
    if (p->path == ACTION_RESTORE && !res->placed && res->mismatch.refused) {
        /* The restored table is kept, in no stack and not in the state: the refusal says
         * what to do (restore_check). */
        ttl_table_refusal_diag(diags, &res->mismatch);
        return;
    }
    if (p->path == ACTION_RESTORE && res->restored && !res->placed &&
        !(res->executed && rc != TPD_E_FAILED)) {
        s_restore_unfinished(ops, planned, p, err, new_state, diags);
        return;
    }
    if (res->placed) {
        s_create_partial(
            ops,
            planned,
            p,
            res,
            p->path == ACTION_RESTORE
                ? "The table was restored and adopted (IMPORT complete; its stack keeps it if "
                  "deleted), but the update that applies the rest of the configuration failed."
            : p->path == ACTION_ADOPT
                ? "The table was adopted (IMPORT complete; its stack keeps it if deleted), but the "
                  "update that applies the configuration failed."
            : p->path == ACTION_TAKE_OVER
                ? "The existing stack was taken over, but its update failed."
                : "The stack is in place, but applying the rest of the configuration failed.",
            err,
            new_state,
            diags);
        return;
    }
    if (p->path == ACTION_TAKE_OVER) {
        s_create_partial(
            ops,
            planned,
            p,
            res,
            "The existing stack was taken over, but its update failed.",
            err,
            new_state,
            diags);
        return;
    }
    if (res->executed && rc != TPD_E_FAILED) {
        s_create_interrupted(ops, planned, p, res, err, new_state, diags);
        return;
    }
    if (p->path == ACTION_CREATE && res->stack_id && (rc == TPD_E_TIMEOUT || rc == TPD_E_STOPPED)) {
        /* Interrupted before ExecuteChangeSet: the stack exists (REVIEW_IN_PROGRESS, its
         * change set being made) and holds no table yet. Recorded, so that it is not
         * orphaned; the next apply continues from it. */
        ttl_table_error_diag(diags, "Creating the table's stack", err, false);
        *new_state = s_planned_state(planned, NULL, res->stack_id, res->owner_id);
        return;
    }
    ttl_table_error_diag(
        diags,
        p->path == ACTION_ADOPT     ? "Adopting the table"
        : p->path == ACTION_RESTORE ? "Restoring the table"
                                    : "Creating the table's stack",
        err,
        false);
    if (p->path == ACTION_CREATE && res->executed && res->stack_id) {
        /* CloudFormation rolled the create back: the stack holds nothing. Recorded, so the
         * replacement Terraform plans deletes that empty stack and creates again. */
        *new_state = s_planned_state(planned, NULL, res->stack_id, res->owner_id);
        if (*new_state) {
            struct tfv *f = tfv_new_bool(false);
            if (!f || tfv_map_set(*new_state, "deletion_protection_enabled", f) != TPD_OK) {
                tfv_free(*new_state);
                *new_state = NULL;
            }
        }
    }
}

/* ---- update ---------------------------------------------------------------------- */

static void s_update_outcome(
    const struct cloud_ops *ops,
    const struct request *req,
    const struct tfv *prior,
    const struct tfv *planned,
    const struct action_plan *p,
    struct execute_result *res,
    enum tpd_code rc,
    struct tpd_err *err,
    struct tfv **new_state,
    struct diag_list *diags) {
    const struct table_spec *w = &p->target;
    const char *owner = res->owner_sent ? res->owner_id : req->prior.owner_id;
    if (!rc) {
        *new_state = s_state(
            planned, &res->table, w->stack_name, res->stack_id, owner, w->retain_on_destroy);
        if (!*new_state) {
            diag_add(
                diags, DIAG_ERROR, NULL, "Out of memory", "Recording the state ran out of memory.");
            *new_state = tfv_clone(prior);
        }
        return;
    }
    /* Where the table is now. */
    const char *stack_name = req->prior.stack_name, *stack_id = req->prior.stack_id;
    bool retain = req->prior.retain_on_destroy;
    bool leaving = p->path == ACTION_MOVE || p->path == ACTION_RECOVER;
    if ((leaving && res->old_stack_gone) || p->path == ACTION_ADOPT ||
        (p->path == ACTION_UPDATE && !stack_id)) {
        stack_name = w->stack_name;
        stack_id = res->placed || p->path == ACTION_UPDATE ? res->stack_id : NULL;
        retain = stack_id ? w->retain_on_destroy : retain;
        if (p->path == ACTION_ADOPT && res->placed) {
            tpd_err_prefix(
                err,
                "table %s was adopted into stack %s (its stack keeps it if deleted), but the "
                "update that applies the configuration failed: ",
                w->name,
                w->stack_name);
        }
    } else if (p->path == ACTION_UPDATE && s_eq(w->stack_name, stack_name)) {
        retain = w->retain_on_destroy;
    }
    ttl_table_error_diag(diags, "Updating the table", err, false);
    *new_state = s_state_now(ops, planned, prior, stack_name, stack_id, owner, retain);
}

/* Gather and decide, waiting for a busy stack and deciding again. false: reported (a
 * failed read, a wait that failed); p and f are then still the caller's to clear. */
static bool s_decide(
    const struct cloud_ops *ops,
    const struct request *req,
    int64_t deadline,
    struct resource_facts *f,
    struct action_plan *p,
    struct diag_list *diags) {
    struct tpd_err err = {0};
    bool ok = true;
    for (int waits = 0;; waits++) {
        /* The first decision starts from what this request's plan read just before, in
         * this process (Terraform's apply walk plans, then applies: facts_handoff.h);
         * after a wait, everything is read again. */
        enum tpd_code rc = waits ? gather_and_decide(ops, req, f, p, &err)
                                 : gather_and_decide_handed(ops, req, f, p, &err);
        if (rc) {
            static const char *const doing[] = {
                "Cannot read the table and its stack before creating them",
                "Cannot read the table and its stack before updating them",
                "Cannot read the table and its stack before deleting them"};
            ttl_table_error_diag_as(diags, doing[req->op], &err, false);
            ok = false;
            break;
        }
        if (p->path != ACTION_WAIT) {
            break;
        }
        if (waits == APPLY_MAX_WAITS) {
            diag_add(
                diags,
                DIAG_ERROR,
                NULL,
                "Stack is still busy",
                "Stack \"%s\" was busy each time it settled (%d waits): another operation keeps "
                "changing it. Nothing was changed; run terraform apply again when it is quiet.",
                p->wait_stack,
                APPLY_MAX_WAITS);
            ok = false;
            break;
        }
        TPD_INFO(
            "stack %s is busy (an earlier operation): waiting for it to settle", p->wait_stack);
        rc = ops->wait_stack(ops->ctx, p->wait_stack, deadline, &err);
        action_plan_clear(p); /* decided again below (gather_and_decide starts afresh) */
        if (rc) {
            ttl_table_error_diag(diags, "Waiting for the stack to settle", &err, false);
            ok = false;
            break;
        }
    }
    tpd_err_clear(&err);
    return ok;
}

static void s_apply_change(
    const struct cloud_ops *ops,
    const struct request *req,
    const struct tfv *prior,
    const struct tfv *planned,
    struct tfv **new_state,
    struct diag_list *diags) {
    int64_t deadline = tpd_now_ns() + req->timeout_ns;
    struct resource_facts f = {0};
    struct action_plan p;
    struct execute_result res = {0};
    struct tpd_err err = {0};
    struct refusal changed;
    refusal_init(&changed);
    action_plan_init(&p);
    bool create = req->op == REQUEST_CREATE;
    if (!s_decide(ops, req, deadline, &f, &p, diags)) {
        *new_state = create ? NULL : tfv_clone(prior);
        goto done;
    }
    if (!decide_keeps_plan(req, &p, &changed)) {
        ttl_table_refusal_diag(diags, &changed);
        goto refused;
    }
    if (p.path == ACTION_REFUSE) {
        ttl_table_refusal_diag(diags, &p.refusal);
        goto refused;
    }
    if (p.rc) {
        ttl_table_plan_diags(diags, &p);
        goto refused;
    }
    enum tpd_code rc = execute_plan(ops, &p, &f, deadline, &res, &err);
    if (create) {
        s_create_outcome(ops, planned, &p, &res, rc, &err, new_state, diags);
    } else {
        s_update_outcome(ops, req, prior, planned, &p, &res, rc, &err, new_state, diags);
    }
    goto done;
refused:
    *new_state = create ? NULL
                        : s_state_now(
                              ops,
                              planned,
                              prior,
                              req->prior.stack_name,
                              req->prior.stack_id,
                              req->prior.owner_id,
                              req->prior.retain_on_destroy);
done:
    refusal_clear(&changed);
    execute_result_clear(&res);
    action_plan_clear(&p);
    resource_facts_clear(&f);
    tpd_err_clear(&err);
}

/* ---- destroy --------------------------------------------------------------------- */

static void s_apply_destroy(
    const struct cloud_ops *ops,
    const struct request *req,
    const struct tfv *prior,
    struct tfv **new_state,
    struct diag_list *diags) {
    int64_t deadline = tpd_now_ns() + req->timeout_ns;
    struct resource_facts f = {0};
    struct action_plan p;
    struct execute_result res = {0};
    struct tpd_err err = {0};
    action_plan_init(&p);
    *new_state = NULL;
    if (!s_decide(ops, req, deadline, &f, &p, diags)) {
        goto keep;
    }
    if (p.path == ACTION_REFUSE) {
        ttl_table_refusal_diag(diags, &p.refusal);
        goto keep;
    }
    if (p.rc) {
        ttl_table_plan_diags(diags, &p);
        goto keep;
    }
    enum tpd_code rc = execute_plan(ops, &p, &f, deadline, &res, &err);
    if (rc && res.stack_deleted && p.path == ACTION_DESTROY_STACK_THEN_TABLE) {
        /* The stack is gone, the table (retained) could not be deleted: it is in no stack
         * now. */
        ttl_table_error_diag(diags, "Deleting the table", &err, false);
        *new_state = s_state_now(
            ops, prior, prior, req->prior.stack_name, NULL, NULL, req->prior.retain_on_destroy);
        goto done;
    }
    if (rc) {
        ttl_table_error_diag(
            diags,
            p.path == ACTION_DESTROY_TABLE ? "Deleting the table" : "Deleting the table's stack",
            &err,
            false);
        goto keep;
    }
    ttl_table_plan_diags(diags, &p);
    goto done;
keep:
    *new_state = tfv_clone(prior);
done:
    execute_result_clear(&res);
    action_plan_clear(&p);
    resource_facts_clear(&f);
    tpd_err_clear(&err);
}

/* ---- entry ----------------------------------------------------------------------- */

void ttl_table_apply(
    const struct cloud_ops *ops,
    const struct tfv *prior,
    const struct tfv *planned,
    const struct tfv *config,
    struct tpd_span planned_private,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    (void)config;
    *new_state = NULL;
    struct request req;
    struct tpd_err err = {0};
    enum tpd_code rc = request_decode(prior, planned, planned_private, &req, &err);
    if (rc) {
        ttl_table_error_diag(diags, "Reading the planned values", &err, false);
        *new_state = tfv_is_null(prior) ? NULL : tfv_clone(prior);
    } else {
        /* Every wait of this apply, also the AWS client's retries, budget and connection
         * waits on this thread and the reads it runs at once, ends at the operation's
         * timeout (tpd_clock.h). */
        int64_t saved = tpd_deadline_enter(tpd_now_ns() + req.timeout_ns);
        if (req.op == REQUEST_DESTROY) {
            s_apply_destroy(ops, &req, prior, new_state, diags);
        } else {
            s_apply_change(ops, &req, prior, planned, new_state, diags);
        }
        tpd_deadline_leave(saved);
    }
    /* A successful apply wrote the configuration: the table is no longer "imported, never
     * applied", and the protection applied is the planned one. A failed one keeps what
     * was recorded (resource_private.h). */
    struct resource_private next = {0};
    bool on = false;
    if (!diag_list_has_errors(diags) && tfv_get_bool(planned, "deletion_protection_enabled", &on)) {
        next.protection_known = true;
        next.protection_applied = on;
    } else if (diag_list_has_errors(diags)) {
        next.imported = req.priv.imported;
        next.protection_known = req.priv.protection_known;
        next.protection_applied = req.priv.protection_applied;
    }
    if (*new_state && resource_private_encode(&next, private_out) != TPD_OK) {
        diag_add(
            diags, DIAG_ERROR, NULL, "Out of memory", "Recording the state ran out of memory.");
    }
    request_clear(&req);
    tpd_err_clear(&err);
}
