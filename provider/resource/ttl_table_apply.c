/*
 * ttl_table_apply: ApplyResourceChange — create, update, destroy.
 *
 * Every path gathers facts, asks ownership.h which path to take (the same decision the
 * plan previewed), acts, repairs what CloudFormation left different (drift.h), and
 * returns the state read back from AWS. A stack update walks the GSI changes one index
 * creation or deletion at a time from the deployed template (index_plan.h), after
 * making the table agree with that template.
 *
 * Failures and Terraform's taint: an error during a create marks the new object
 * tainted, and the next apply replaces it (destroy, then create). So a create reports
 * an error only when nothing was recorded: a failed CREATE or IMPORT returns no state
 * (the next apply finds this provider's own stack by its marker and continues). Once a
 * table is created or adopted, a later failure (the follow-up update of an adoption,
 * a repair, reading back) is a warning with the state recorded, never a taint; the
 * next refresh reads what AWS really has and the next plan shows what is still to
 * change. Updates and destroys report errors as errors, with the state as AWS has it.
 */
#include <stdlib.h>
#include <string.h>

#include "index_plan.h"
#include "resource_private.h"
#include "table_template.h"
#include "table_value.h"
#include "tpd_alloc.h"
#include "tpd_log.h"
#include "ttl_table.h"
#include "ttl_table_internal.h"

/* TTL changes show ENABLING or DISABLING for a while; wait (up to this long, within the
 * deadline) so that the state records the settled status and the next plan is empty.
 * DynamoDB documents that a change "can take up to one hour to fully process"; the
 * status usually settles in seconds (docs/aws-behaviour.md). */
#define TTL_SETTLE_NS (60LL * 1000000000LL)

/* ---- shared steps ---------------------------------------------------------------- */

/* Render and deploy the configured template (UPDATE or CREATE); with gsis (may be
 * NULL), the configured template with those GSIs instead (an intermediate step of an
 * index sequence, index_plan.h). deployed (may be NULL): the stack's template, whose
 * encryption, class and insights properties the new one keeps (table_template.h). */
static enum tpd_code s_deploy_step(
    struct cloud *c,
    const struct table_spec *want,
    const struct table_index *gsis,
    size_t gsi_count,
    enum cloud_deploy_type type,
    const char *logical_id,
    const struct template_facts *deployed,
    int64_t deadline,
    struct cloud_deploy_result *r,
    struct tpd_err *err) {
    struct tpd_buf tpl;
    tpd_buf_init(&tpl, TPD_MAX_TEMPLATE);
    struct tpd_kv *tags = NULL;
    size_t tag_count = 0;
    struct table_template_options o = {TABLE_TEMPLATE_FULL, logical_id, deployed};
    struct table_spec step = *want; /* shallow: only the GSIs differ, nothing is freed */
    if (gsis) {
        step.gsis = (struct table_index *)gsis;
        step.gsi_count = gsi_count;
    }
    enum tpd_code rc = table_template_render(&step, &o, &tpl, err);
    if (!rc && table_template_stack_tags(want, &tags, &tag_count) != TPD_OK) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    if (!rc) {
        TPD_INFO(
            "%s stack %s for table %s",
            type == CLOUD_DEPLOY_CREATE ? "creating" : "updating",
            want->stack_name,
            want->name);
        struct cloud_deploy d = {
            .stack_name = want->stack_name,
            .type = type,
            .template_body = tpd_buf_cstr(&tpl),
            .tags = tags,
            .tag_count = tag_count,
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
    tpd_kv_array_free(tags, tag_count);
    tpd_buf_clear(&tpl);
    return rc;
}

static enum tpd_code s_deploy_config(
    struct cloud *c,
    const struct table_spec *want,
    enum cloud_deploy_type type,
    const char *logical_id,
    const struct template_facts *deployed,
    int64_t deadline,
    struct cloud_deploy_result *r,
    struct tpd_err *err) {
    return s_deploy_step(c, want, NULL, 0, type, logical_id, deployed, deadline, r, err);
}

/*
 * UPDATE the stack from the GSIs its template declares (deployed) to the configuration:
 * one stack update when at most one index is created or deleted; else a sequence of
 * updates, each differing from the last by one index creation or deletion (index_plan.h),
 * each waiting until the table and its indexes are ACTIVE. r->empty says whether the
 * last update was empty. An interruption leaves the stack at a step from which the next
 * apply continues (it reads the deployed template again).
 */
/* The table and its indexes ACTIVE when last read (else a stack update may meet an
 * index build started earlier: CloudFormation's handler would fail on DynamoDB's limit
 * of one index build at a time). */
static bool s_table_ready(const struct table_live *t) {
    bool ready = t->status && strcmp(t->status, "ACTIVE") == 0;
    for (size_t i = 0; ready && i < t->spec.gsi_count; i++) {
        const struct table_index *x = &t->spec.gsis[i];
        ready = x->status && strcmp(x->status, "ACTIVE") == 0 && !x->backfilling;
    }
    return ready;
}

static enum tpd_code s_update_stack(
    struct cloud *c,
    const struct table_spec *want,
    const struct table_live *live,
    const struct table_index *deployed,
    size_t deployed_count,
    const char *logical_id,
    const struct template_facts *tpl,
    int64_t deadline,
    struct cloud_deploy_result *r,
    struct tpd_err *err) {
    struct table_index *cur = NULL;
    enum tpd_code rc = TPD_OK;
    if (!s_table_ready(live)) {
        rc = cloud_wait_table_ready(c, want->name, deadline, err);
        if (rc) {
            return rc;
        }
    }
    rc = table_index_array_copy(deployed, deployed_count, &cur);
    size_t ncur = rc ? 0 : deployed_count;
    size_t total = gsi_update_count(deployed, deployed_count, want);
    if (!rc && total > 1) {
        TPD_INFO(
            "table %s: the index changes take %zu stack updates, one index creation or deletion "
            "each",
            want->name,
            total);
    }
    for (size_t n = 1; !rc; n++) {
        struct gsi_step st;
        rc = gsi_next_step(cur, ncur, want, &st);
        if (rc) {
            break;
        }
        if (st.kind == GSI_STEP_FINAL) {
            if (total > 1) {
                TPD_INFO(
                    "table %s: stack update %zu of %zu: the configuration", want->name, n, total);
            }
            gsi_step_clear(&st);
            rc = s_deploy_config(c, want, CLOUD_DEPLOY_UPDATE, logical_id, tpl, deadline, r, err);
            if (!rc) {
                rc = cloud_wait_table_ready(c, want->name, deadline, err);
            }
            break;
        }
        TPD_INFO(
            "table %s: stack update %zu of %zu: %s index %s",
            want->name,
            n,
            total,
            st.kind == GSI_STEP_DELETE ? "deleting" : "creating",
            st.name);
        rc = s_deploy_step(
            c, want, st.gsis, st.gsi_count, CLOUD_DEPLOY_UPDATE, logical_id, tpl, deadline, r, err);
        if (!rc) {
            rc = cloud_wait_table_ready(c, want->name, deadline, err);
        }
        if (rc) {
            tpd_err_prefix(
                err,
                "stack update %zu of %zu (%s index %s): ",
                n,
                total,
                st.kind == GSI_STEP_DELETE ? "deleting" : "creating",
                st.name);
        }
        table_index_array_free(cur, ncur);
        cur = st.gsis;
        ncur = st.gsi_count;
        st.gsis = NULL;
        st.gsi_count = 0;
        gsi_step_clear(&st);
    }
    table_index_array_free(cur, ncur);
    if (rc == TPD_E_NOMEM && !err->msg) {
        tpd_err_set(err, rc, "out of memory");
    }
    return rc;
}

/*
 * Make the table agree with the deployed template's indexes (index_plan.h, gsi_reconcile):
 * refused when the table has an index the template does not (or another definition of
 * one); indexes the template has and the table lacks are created directly. deployed NULL
 * (the template's indexes could not be read): nothing to reconcile. A refusal is left in
 * *refused (a diagnostic for the caller) and makes no call.
 */
static enum tpd_code s_reconcile_indexes(
    struct cloud *c,
    const struct table_live *live,
    const struct template_facts *tpl,
    int64_t deadline,
    struct refusal *refused,
    struct tpd_err *err) {
    if (!tpl->gsis_read) {
        return TPD_OK;
    }
    struct gsi_reconcile rec;
    enum tpd_code rc = gsi_reconcile(
        live->spec.name, tpl->gsis, tpl->gsi_count, live->spec.gsis, live->spec.gsi_count, &rec);
    if (rc) {
        gsi_reconcile_clear(&rec);
        return tpd_err_set(err, rc, "out of memory");
    }
    if (rec.refusal.refused) {
        *refused = rec.refusal;
        refusal_init(&rec.refusal);
        gsi_reconcile_clear(&rec);
        return TPD_E_FAILED;
    }
    if (rec.recreate_count) {
        for (size_t i = 0; i < rec.recreate_count; i++) {
            TPD_INFO(
                "table %s: index %s is in the stack's template but not on the table (deleted "
                "outside Terraform): creating it again from the template's definition",
                live->spec.name,
                rec.recreate[i]->name);
        }
        rc = cloud_wait_table_ready(c, live->spec.name, deadline, err);
        if (!rc) {
            rc = cloud_create_indexes(
                c, &live->spec, rec.recreate, rec.recreate_count, deadline, err);
        }
    }
    gsi_reconcile_clear(&rec);
    return rc;
}

/* IMPORT the table into want->stack_name with a template that mirrors the table as it
 * is: CloudFormation compares later updates with this template, not with the table, so
 * claiming settings the table lacks would make the follow-up update a silent no-op.
 * imported: what that template says, for the follow-up update (s_deploy_step). */
static enum tpd_code s_import(
    struct cloud *c,
    const struct table_spec *want,
    const struct table_live *live,
    int64_t deadline,
    struct cloud_deploy_result *r,
    struct template_facts *imported,
    struct tpd_err *err) {
    struct table_spec mirror = {0};
    struct tpd_buf tpl;
    tpd_buf_init(&tpl, TPD_MAX_TEMPLATE);
    enum tpd_code rc = table_spec_copy(&mirror, &live->spec);
    if (rc) {
        return tpd_err_set(err, rc, "out of memory");
    }
    free(mirror.stack_name);
    mirror.stack_name = tpd_strdup(want->stack_name);
    if (!mirror.stack_name) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    if (want->sse && !want->sse_kms_key && mirror.sse) {
        /* The configuration asks for the AWS managed key and DynamoDB reports a key ARN,
         * which may be that key (table_spec_sse_equal): the mirror says what the
         * configuration says, so the follow-up update does not switch keys. */
        free(mirror.sse_kms_key);
        mirror.sse_kms_key = NULL;
    }
    struct table_template_options o = {TABLE_TEMPLATE_IMPORT, NULL, NULL};
    if (!rc) {
        rc = table_template_render(&mirror, &o, &tpl, err);
    }
    if (!rc) {
        TPD_INFO(
            "adopting table %s into stack %s (IMPORT change set)", want->name, want->stack_name);
        struct cloud_deploy d = {
            .stack_name = want->stack_name,
            .type = CLOUD_DEPLOY_IMPORT,
            .template_body = tpd_buf_cstr(&tpl),
            .import_table = want->name,
            .import_logical_id = TABLE_TEMPLATE_LOGICAL_ID,
            .deadline_ns = deadline,
        };
        rc = cloud_deploy(c, &d, r, err);
    }
    if (!rc) {
        rc = table_template_read(tpd_buf_span(&tpl), imported, err);
    }
    table_spec_clear(&mirror);
    tpd_buf_clear(&tpl);
    return rc;
}

/* Wait while the table's TTL is ENABLING or DISABLING (bounded; see TTL_SETTLE_NS). */
static void s_settle_ttl(
    struct cloud *c,
    const char *name,
    int64_t deadline,
    struct table_live *t,
    struct tpd_err *err) {
    int64_t until = tpd_now_ns() + TTL_SETTLE_NS;
    if (deadline && deadline < until) {
        until = deadline;
    }
    while (t->exists && t->ttl_status &&
           (!strcmp(t->ttl_status, "ENABLING") || !strcmp(t->ttl_status, "DISABLING"))) {
        if (cloud_pause(c, 1000000000LL, until) != TPD_OK) {
            return; /* timed out or stopped: the state records the transitional status */
        }
        struct table_live again = {0};
        if (cloud_read_table(c, name, true, &again, err) != TPD_OK) {
            tpd_err_clear(err);
            table_live_clear(&again);
            return;
        }
        table_live_clear(t);
        *t = again;
    }
}

/* After the stack settled: repair what differs, then read the table back. */
static enum tpd_code s_repair_and_read(
    struct cloud *c,
    const struct table_spec *want,
    int64_t deadline,
    struct table_live *t,
    struct tpd_err *err) {
    enum tpd_code rc = cloud_read_table(c, want->name, true, t, err);
    if (!rc && !t->exists) {
        rc = tpd_err_set(
            err, TPD_E_FAILED, "table %s does not exist after the stack operation", want->name);
    }
    struct drift_plan p = {0};
    if (!rc) {
        rc = drift_compute(want, t, &p);
        if (rc) {
            tpd_err_set(err, rc, "out of memory");
        }
    }
    if (!rc && !drift_plan_empty(&p)) {
        TPD_INFO(
            "table %s: settings differ from the configuration after the stack operation: repairing",
            want->name);
        rc = cloud_repair(c, t, want, &p, deadline, err);
        struct tpd_err e2 = {0};
        table_live_clear(t);
        if (cloud_read_table(c, want->name, true, t, rc ? &e2 : err) != TPD_OK && !rc) {
            rc = err->code;
        }
        tpd_err_clear(&e2);
    }
    if (!rc && (p.gsi_extra_count || p.gsi_changed_count)) {
        /* Changed outside Terraform while this apply ran (the plan refuses it otherwise):
         * never deleted here. The state records the table as it is. */
        rc = tpd_err_set(
            err,
            TPD_E_FAILED,
            "table %s has %s%s%s%s%s that the configuration does not match (changed outside "
            "Terraform during this apply); no index was deleted. The next plan shows what to do.",
            want->name,
            p.gsi_extra_count ? "index " : "",
            p.gsi_extra_count ? p.gsi_extra[0] : "",
            p.gsi_extra_count && p.gsi_changed_count ? " and " : "",
            p.gsi_changed_count ? "a redefined index " : "",
            p.gsi_changed_count ? p.gsi_changed[0] : "");
    }
    drift_plan_clear(&p);
    if (!rc || t->exists) {
        struct tpd_err e3 = {0};
        s_settle_ttl(c, want->name, deadline, t, &e3);
        tpd_err_clear(&e3);
    }
    return rc;
}

/* The state from what AWS has (t must exist). */
static struct tfv *s_state(
    const struct tfv *ref,
    const struct table_live *t,
    const char *stack_name,
    const char *stack_id,
    bool retain) {
    struct table_state_args a = {ref, t, stack_name, stack_id, retain};
    return table_value_state(&a);
}

/* The planned values with the computed ones filled in: what a create records when the
 * table exists but a later step failed (a warning, not an error: see the top). */
static struct tfv *
s_planned_state(const struct tfv *planned, const struct table_live *t, const char *stack_id) {
    struct tfv *v = tfv_clone(planned);
    if (!v) {
        return NULL;
    }
    const char *arn = t && t->exists ? t->arn : NULL;
    const char *status = t && t->exists ? t->status : NULL;
    const char *ttl_status = t && t->exists ? t->ttl_status : NULL;
    const char *stream_arn = t && t->exists && t->spec.stream_view_type ? t->stream_arn : NULL;
    tfv_map_set(
        v, "id", tfv_new_string(tfv_get_str(planned, "name") ? tfv_get_str(planned, "name") : ""));
    tfv_map_set(v, "arn", arn ? tfv_new_string(arn) : tfv_new_null());
    tfv_map_set(v, "table_status", status ? tfv_new_string(status) : tfv_new_null());
    tfv_map_set(v, "ttl_status", ttl_status ? tfv_new_string(ttl_status) : tfv_new_null());
    /* Every computed value must be known after an apply, this one too. */
    tfv_map_set(v, "stream_arn", stream_arn ? tfv_new_string(stream_arn) : tfv_new_null());
    tfv_map_set(v, "stack_id", stack_id ? tfv_new_string(stack_id) : tfv_new_null());
    return v;
}

/* ---- create ---------------------------------------------------------------------- */

/* A create failed after the table existed: record it, warn, never taint. */
static void s_create_partial(
    struct cloud *c,
    const struct tfv *planned,
    const struct table_spec *want,
    const char *stack_id,
    const char *what,
    const struct tpd_err *failure,
    struct tfv **new_state,
    struct diag_list *diags) {
    struct table_live t = {0};
    struct tpd_err e = {0};
    cloud_read_table(c, want->name, true, &t, &e);
    struct tpd_text text;
    tpd_text_init(&text, 0);
    tpd_text_printf(
        &text,
        "%s Table \"%s\" is %s and recorded in the state; it was not replaced or deleted, and "
        "its items are untouched. The next terraform plan reads what AWS really has and shows "
        "what is still to change",
        what,
        want->name,
        stack_id ? "in its stack" : "in no stack yet");
    struct tpd_err shown = {0};
    tpd_err_set(
        &shown,
        failure->code,
        "%s. Cause: %s",
        tpd_text_cstr_or(&text, "Out of memory writing what became of the table"),
        failure->msg ? failure->msg : tpd_code_str(failure->code));
    tpd_err_set_aws(&shown, failure->http_status, failure->aws_code, failure->request_id);
    ttl_table_error_diag(
        diags, "Table adopted or created, configuration not fully applied", &shown, true);
    *new_state = s_planned_state(planned, &t, stack_id);
    tpd_err_clear(&shown);
    tpd_text_clear(&text);
    table_live_clear(&t);
    tpd_err_clear(&e);
}

/*
 * A CREATE failed. If the table exists anyway (a timeout or a stop while the stack was
 * still being created), it is recorded as a partial success (a warning: a taint would
 * have the next apply replace it). If only this provider's stack exists (a create
 * rolled back), it is recorded with the error: the resulting taint makes the next apply
 * delete that empty stack and create again, which loses nothing. If nothing exists,
 * nothing is recorded.
 */
static void s_create_failed(
    struct cloud *c,
    const struct tfv *planned,
    const struct table_spec *want,
    const char *stack_id,
    const struct tpd_err *failure,
    struct tfv **new_state,
    struct diag_list *diags) {
    struct table_live t = {0};
    struct tpd_err e = {0};
    if (cloud_read_table(c, want->name, false, &t, &e) == TPD_OK && t.exists) {
        table_live_clear(&t);
        tpd_err_clear(&e);
        s_create_partial(
            c,
            planned,
            want,
            stack_id,
            "Creating the table's stack did not finish.",
            failure,
            new_state,
            diags);
        return;
    }
    ttl_table_error_diag(diags, "Creating the table's stack failed", failure, false);
    if (stack_id) {
        *new_state = s_planned_state(planned, NULL, stack_id);
        if (*new_state) {
            /* There is no table to protect: a replacement may remove the empty stack. */
            tfv_map_set(*new_state, "deletion_protection_enabled", tfv_new_bool(false));
        }
    }
    table_live_clear(&t);
    tpd_err_clear(&e);
}

/* An adoption's review refused, or could not finish (out of memory): apply stops. */
static void s_review_failed(struct diag_list *diags, struct adoption_report *ar, enum tpd_code rc) {
    if (ar->refusal.refused) {
        ttl_table_refusal_diag(diags, &ar->refusal);
    } else {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Cannot check the table before adopting it",
            "Comparing the configuration with the live table failed (%s); nothing was adopted "
            "and nothing changed. Run apply again.",
            tpd_code_str(rc));
    }
}

static void s_apply_create(
    struct cloud *c,
    const struct tfv *planned,
    const char *replacing,
    struct tfv **new_state,
    struct diag_list *diags) {
    int64_t deadline = ttl_table_deadline(planned, "create");
    struct table_spec want = {0};
    struct table_live table = {0};
    struct stack_facts stack = {0};
    struct tpd_err err = {0};
    struct cloud_deploy_result r = {0};
    struct create_decision d = {0};
    refusal_init(&d.refusal);
    char *owner = NULL;
    enum tpd_code rc = table_value_to_spec(planned, NULL, &want, &err);
    if (!rc) {
        rc = ttl_table_create_facts(c, &want, &table, &stack, &owner, &err);
    }
    if (!rc && stack.exists && stack_status_in_progress(stack.status)) {
        /* An earlier run (interrupted, or another tool) left the stack busy: let it settle,
         * then decide on what it became. */
        rc = cloud_prepare_stack(c, &stack, deadline, &err);
        if (!rc) {
            free(owner);
            owner = NULL;
            table_live_clear(&table);
            stack_facts_clear(&stack);
            rc = ttl_table_create_facts(c, &want, &table, &stack, &owner, &err);
        }
    }
    if (rc) {
        ttl_table_error_diag(
            diags, "Cannot read the table and its stack before creating them", &err, false);
        goto done;
    }
    struct create_facts f = {&want, &table, &stack, owner, replacing};
    create_decision_clear(&d);
    ownership_decide_create(&f, &d);
    if (d.path == CREATE_REFUSE) {
        ttl_table_refusal_diag(diags, &d.refusal);
        goto done;
    }
    if (d.path == CREATE_ADOPT || d.path == CREATE_TAKE_OVER) {
        rc = adoption_want_ttl(&want, &table);
        if (rc) {
            diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Applying ran out of memory.");
            goto done;
        }
        rc = cloud_read_adoption_extras(c, &table, &err);
        if (rc) {
            ttl_table_error_diag(diags, "Cannot read the table before adopting it", &err, false);
            goto done;
        }
        /* Nothing is adopted unless the review ran to the end and did not refuse. */
        struct adoption_report ar;
        rc = adoption_review(
            d.path == CREATE_ADOPT ? ADOPTION_IMPORT : ADOPTION_TAKE_OVER, &want, &table, &ar);
        if (ar.refusal.refused || rc) {
            s_review_failed(diags, &ar, rc);
            adoption_report_clear(&ar);
            goto done;
        }
        adoption_report_clear(&ar);
    }
    if (d.delete_shell_first) {
        TPD_INFO(
            "stack %s (%s) holds no table of ours: deleting it first", stack.name, stack.status);
        rc = cloud_delete_stack(c, want.stack_name, NULL, deadline, &err);
        if (rc) {
            ttl_table_error_diag(diags, "Deleting the leftover stack failed", &err, false);
            goto done;
        }
    }
    struct table_live after = {0};
    struct template_facts imported = {0}; /* the IMPORT template of an adoption */
    switch (d.path) {
        case CREATE_FRESH:
            rc = s_deploy_config(c, &want, CLOUD_DEPLOY_CREATE, NULL, NULL, deadline, &r, &err);
            if (!rc) {
                rc = cloud_wait_table_ready(c, want.name, deadline, &err);
            }
            if (rc) {
                s_create_failed(c, planned, &want, r.stack_id, &err, new_state, diags);
                goto done;
            }
            break;
        case CREATE_ADOPT:
            rc = s_import(c, &want, &table, deadline, &r, &imported, &err);
            if (rc) {
                tpd_err_prefix(
                    &err,
                    "adopting table %s into stack %s failed; the table and its items are "
                    "untouched: ",
                    want.name,
                    want.stack_name);
                ttl_table_error_diag(diags, "Adopting the table failed", &err, false);
                goto done;
            }
            /* Second step: Outputs, the configured policy and settings, as an update (or
             * updates: the import template mirrors the table's indexes). */
            rc = s_update_stack(
                c,
                &want,
                &table,
                table.spec.gsis,
                table.spec.gsi_count,
                NULL,
                &imported,
                deadline,
                &r,
                &err);
            template_facts_clear(&imported);
            if (rc) {
                s_create_partial(
                    c,
                    planned,
                    &want,
                    r.stack_id,
                    "The table was adopted (IMPORT complete; its stack keeps it if deleted), but "
                    "the "
                    "update that applies the configuration failed.",
                    &err,
                    new_state,
                    diags);
                goto done;
            }
            break;
        case CREATE_TAKE_OVER: {
            struct refusal refused;
            refusal_init(&refused);
            rc = cloud_prepare_stack(c, &stack, deadline, &err);
            if (!rc) {
                rc = s_reconcile_indexes(c, &table, &stack.tpl, deadline, &refused, &err);
            }
            if (refused.refused) {
                ttl_table_refusal_diag(diags, &refused);
                refusal_clear(&refused);
                goto done;
            }
            if (!rc) {
                free(r.stack_id);
                r.stack_id = stack.id ? tpd_strdup(stack.id) : NULL;
                rc = s_update_stack(
                    c,
                    &want,
                    &table,
                    stack.tpl.gsis_read ? stack.tpl.gsis : table.spec.gsis,
                    stack.tpl.gsis_read ? stack.tpl.gsi_count : table.spec.gsi_count,
                    stack.table_logical_id,
                    &stack.tpl,
                    deadline,
                    &r,
                    &err);
            }
            if (rc) {
                s_create_partial(
                    c,
                    planned,
                    &want,
                    r.stack_id ? r.stack_id : stack.id,
                    "The existing stack was taken over, but its update failed.",
                    &err,
                    new_state,
                    diags);
                goto done;
            }
            break;
        }
        case CREATE_REFUSE:
            break;
    }
    rc = s_repair_and_read(c, &want, deadline, &after, &err);
    if (rc) {
        s_create_partial(
            c,
            planned,
            &want,
            r.stack_id,
            "The stack is in place, but repairing the table's settings failed.",
            &err,
            new_state,
            diags);
    } else {
        TPD_INFO(
            "table %s: stack %s %s",
            want.name,
            want.stack_name,
            r.empty ? "already up to date" : "done");
        *new_state = s_state(planned, &after, want.stack_name, r.stack_id, want.retain_on_destroy);
        if (!*new_state) {
            diag_add(
                diags, DIAG_ERROR, NULL, "Out of memory", "Recording the state ran out of memory.");
        }
    }
    table_live_clear(&after);
done:
    create_decision_clear(&d);
    free(owner);
    table_spec_clear(&want);
    table_live_clear(&table);
    stack_facts_clear(&stack);
    cloud_deploy_result_clear(&r);
    tpd_err_clear(&err);
}

/* ---- update ---------------------------------------------------------------------- */

/* Error path of an update: the state as AWS has it (no taint for updates). */
static struct tfv *s_state_now(
    struct cloud *c,
    const struct tfv *ref,
    const struct tfv *prior,
    const char *stack_name,
    const char *stack_id,
    bool retain) {
    struct table_live t = {0};
    struct tpd_err e = {0};
    struct tfv *v = NULL;
    if (cloud_read_table(c, tfv_get_str(prior, "name"), true, &t, &e) == TPD_OK && t.exists) {
        v = s_state(ref, &t, stack_name, stack_id, retain);
    }
    if (!v) {
        v = tfv_clone(prior);
    }
    table_live_clear(&t);
    tpd_err_clear(&e);
    return v;
}

/* Move step 1 and 2: keep the table (DeletionPolicy Retain) and delete the old stack. */
static enum tpd_code s_leave_stack(
    struct cloud *c,
    struct stack_facts *old,
    const char *table,
    const char *to_stack,
    int64_t deadline,
    struct tpd_err *err) {
    char **importers = NULL;
    size_t n = 0;
    enum tpd_code rc = cloud_list_importers(c, old, &importers, &n, err);
    if (!rc && n) {
        struct tpd_text b;
        tpd_text_init(&b, 0);
        for (size_t i = 0; i < n; i++) {
            tpd_text_printf(&b, "%s%s", i ? ", " : "", importers[i]);
        }
        rc = tpd_err_set(
            err,
            TPD_E_FAILED,
            "stack %s exports values that these stacks import: %s. Moving the table deletes that "
            "stack; change those stacks first. Nothing was changed.",
            old->name,
            tpd_text_cstr_or(&b, "(out of memory listing them)"));
        tpd_text_clear(&b);
    }
    cloud_strv_free(importers);
    char *body = NULL;
    if (!rc) {
        rc = cloud_get_template(c, old->name, &body, err);
    }
    if (!rc && !(old->tpl.deletion_policy && !strcmp(old->tpl.deletion_policy, "Retain"))) {
        struct tpd_buf tpl, reason;
        tpd_buf_init(&tpl, TPD_MAX_TEMPLATE);
        tpd_buf_init(&reason, 0);
        rc = tpd_buf_printf(&reason, "moving to stack %s", to_stack);
        if (rc) {
            rc = tpd_err_set(err, rc, "writing the reason of the template change");
        } else {
            rc = table_template_retained(
                tpd_span_cstr(body), old->table_logical_id, tpd_buf_cstr(&reason), &tpl, err);
        }
        if (!rc) {
            TPD_INFO(
                "stack %s: setting DeletionPolicy Retain on table %s before moving it",
                old->name,
                table);
            struct cloud_deploy d = {
                .stack_name = old->name,
                .type = CLOUD_DEPLOY_UPDATE,
                .template_body = tpd_buf_cstr(&tpl),
                .tags = old->tags,
                .tag_count = old->tag_count,
                .deadline_ns = deadline,
            };
            struct cloud_deploy_result r = {0};
            rc = cloud_deploy(c, &d, &r, err);
            cloud_deploy_result_clear(&r);
        }
        tpd_buf_clear(&tpl);
        tpd_buf_clear(&reason);
        /* Trust the deployed template, not the change set: policy-only edits have been
         * known to produce empty change sets (aws/aws-cdk#11521). */
        if (!rc) {
            free(body);
            body = NULL;
            struct template_facts tf = {0};
            rc = cloud_get_template(c, old->name, &body, err);
            if (!rc) {
                rc = table_template_read(tpd_span_cstr(body), &tf, err);
            }
            if (!rc && !(tf.deletion_policy && !strcmp(tf.deletion_policy, "Retain"))) {
                rc = tpd_err_set(
                    err,
                    TPD_E_FAILED,
                    "stack %s still does not retain table %s after the update; nothing was "
                    "deleted",
                    old->name,
                    table);
            }
            template_facts_clear(&tf);
        }
    }
    free(body);
    if (!rc) {
        TPD_INFO("stack %s: deleting it; its template retains table %s", old->name, table);
        rc = cloud_delete_stack(c, old->name, old->table_logical_id, deadline, err);
    }
    return rc;
}

/* Adopt into want->stack_name: IMPORT, follow-up update, repair. *stack_id gets the
 * new stack's id as soon as the import is done. */
static enum tpd_code s_adopt(
    struct cloud *c,
    const struct table_spec *want,
    const struct table_live *table,
    int64_t deadline,
    char **stack_id,
    struct table_live *after,
    struct tpd_err *err) {
    struct cloud_deploy_result r = {0};
    struct template_facts imported = {0};
    enum tpd_code rc = s_import(c, want, table, deadline, &r, &imported, err);
    if (!rc) {
        free(*stack_id);
        *stack_id = r.stack_id ? tpd_strdup(r.stack_id) : NULL;
        rc = s_update_stack(
            c,
            want,
            table,
            table->spec.gsis,
            table->spec.gsi_count,
            NULL,
            &imported,
            deadline,
            &r,
            err);
        if (rc) {
            tpd_err_prefix(
                err,
                "table %s was adopted into stack %s (its stack keeps it if deleted), but the "
                "update "
                "that applies the configuration failed: ",
                want->name,
                want->stack_name);
        }
    }
    if (!rc) {
        rc = s_repair_and_read(c, want, deadline, after, err);
    }
    cloud_deploy_result_clear(&r);
    template_facts_clear(&imported);
    return rc;
}

static void s_apply_update(
    struct cloud *c,
    const struct tfv *prior,
    const struct tfv *planned,
    struct tfv **new_state,
    struct diag_list *diags) {
    int64_t deadline = ttl_table_deadline(planned, "update");
    struct table_spec want = {0};
    struct table_live table = {0}, after = {0};
    struct stack_facts old_stack = {0}, new_stack = {0};
    struct tpd_err err = {0};
    struct update_decision d = {0};
    refusal_init(&d.refusal);
    char *owner = NULL, *owned_prior = NULL, *stack_id = NULL;
    const char *prior_stack = ttl_table_stack_name(prior, &owned_prior);
    const char *prior_id = tfv_get_str(prior, "stack_id");
    bool prior_retain = false;
    tfv_get_bool(prior, "retain_on_destroy", &prior_retain);
    stack_id = prior_id ? tpd_strdup(prior_id) : NULL;
    const char *state_stack = prior_stack;
    enum tpd_code rc = table_value_to_spec(planned, prior, &want, &err);
    bool moving = !rc && prior_stack && strcmp(prior_stack, want.stack_name) != 0;
    if (!rc) {
        rc = cloud_read_table(c, want.name, true, &table, &err);
    }
    if (!rc && prior_id) {
        rc = cloud_read_stack(c, prior_stack, CLOUD_STACK_FULL, &old_stack, &err);
        if (!rc) {
            rc = cloud_prepare_stack(c, &old_stack, deadline, &err);
        }
    }
    if (!rc && (moving || !prior_id)) {
        rc = cloud_read_stack(c, want.stack_name, CLOUD_STACK_FULL, &new_stack, &err);
    }
    if (!rc && table.exists && (moving || !prior_id)) {
        rc = cloud_find_owner(c, want.name, &owner, &err);
    }
    if (rc) {
        ttl_table_error_diag(
            diags, "Cannot read the table and its stack before updating them", &err, false);
        *new_state = tfv_clone(prior);
        goto done;
    }
    struct update_facts f = {&want, prior_stack, prior_id, &table, &old_stack, &new_stack, owner};
    update_decision_clear(&d);
    ownership_decide_update(&f, &d);
    switch (d.path) {
        case UPDATE_REFUSE:
            ttl_table_refusal_diag(diags, &d.refusal);
            *new_state = s_state_now(c, planned, prior, prior_stack, prior_id, prior_retain);
            goto done;
        case UPDATE_NORMAL: {
            struct stack_facts *s = prior_id ? &old_stack : &new_stack;
            struct cloud_deploy_result r = {0};
            r.stack_id = s->id ? tpd_strdup(s->id) : NULL;
            struct refusal refused;
            refusal_init(&refused);
            rc = cloud_prepare_stack(c, s, deadline, &err);
            if (!rc) {
                rc = s_reconcile_indexes(c, &table, &s->tpl, deadline, &refused, &err);
            }
            if (refused.refused) {
                ttl_table_refusal_diag(diags, &refused);
                refusal_clear(&refused);
                cloud_deploy_result_clear(&r);
                *new_state = s_state_now(c, planned, prior, prior_stack, prior_id, prior_retain);
                goto done;
            }
            if (!rc) {
                rc = s_update_stack(
                    c,
                    &want,
                    &table,
                    s->tpl.gsis_read ? s->tpl.gsis : table.spec.gsis,
                    s->tpl.gsis_read ? s->tpl.gsi_count : table.spec.gsi_count,
                    s->table_logical_id,
                    &s->tpl,
                    deadline,
                    &r,
                    &err);
            }
            if (r.stack_id) {
                free(stack_id);
                stack_id = tpd_strdup(r.stack_id);
            }
            state_stack = prior_id ? prior_stack : want.stack_name;
            cloud_deploy_result_clear(&r);
            if (!rc) {
                rc = s_repair_and_read(c, &want, deadline, &after, &err);
            }
            break;
        }
        case UPDATE_ADOPT: {
            /* Checked before anything changes (also before our leftover stack goes). */
            struct adoption_report ar;
            rc = cloud_read_adoption_extras(c, &table, &err);
            if (!rc) {
                /* Nothing is adopted unless the review ran to the end and did not refuse. */
                enum tpd_code review = adoption_review(ADOPTION_IMPORT, &want, &table, &ar);
                if (ar.refusal.refused || review) {
                    s_review_failed(diags, &ar, review);
                    adoption_report_clear(&ar);
                    *new_state =
                        s_state_now(c, planned, prior, prior_stack, prior_id, prior_retain);
                    goto done;
                }
                adoption_report_clear(&ar);
            }
            if (!rc && d.delete_shell_first) {
                rc = cloud_delete_stack(c, want.stack_name, NULL, deadline, &err);
            }
            if (!rc) {
                free(stack_id);
                stack_id = NULL;
                rc = s_adopt(c, &want, &table, deadline, &stack_id, &after, &err);
                state_stack = want.stack_name;
            }
            break;
        }
        case UPDATE_MOVE:
            if (d.delete_shell_first) {
                rc = cloud_delete_stack(c, want.stack_name, NULL, deadline, &err);
            }
            if (!rc) {
                rc = s_leave_stack(c, &old_stack, want.name, want.stack_name, deadline, &err);
            }
            if (!rc) {
                /* The table is now in no stack: from here on, the state says so, and an
                 * interrupted move continues as an adoption. */
                free(stack_id);
                stack_id = NULL;
                state_stack = want.stack_name;
                rc = s_adopt(c, &want, &table, deadline, &stack_id, &after, &err);
            }
            break;
    }
    if (rc) {
        ttl_table_error_diag(diags, "Updating the table failed", &err, false);
        *new_state = s_state_now(
            c,
            planned,
            prior,
            state_stack,
            stack_id,
            stack_id && state_stack && !strcmp(state_stack, want.stack_name)
                ? want.retain_on_destroy
                : prior_retain);
        goto done;
    }
    *new_state = s_state(planned, &after, want.stack_name, stack_id, want.retain_on_destroy);
    if (!*new_state) {
        diag_add(
            diags, DIAG_ERROR, NULL, "Out of memory", "Recording the state ran out of memory.");
        *new_state = tfv_clone(prior);
    }
done:
    update_decision_clear(&d);
    free(owner);
    free(owned_prior);
    free(stack_id);
    table_spec_clear(&want);
    table_live_clear(&table);
    table_live_clear(&after);
    stack_facts_clear(&old_stack);
    stack_facts_clear(&new_stack);
    tpd_err_clear(&err);
}

/* ---- destroy --------------------------------------------------------------------- */

static void s_apply_destroy(
    struct cloud *c,
    const struct tfv *prior,
    bool explicit_destroy,
    struct tfv **new_state,
    struct diag_list *diags) {
    const char *name = tfv_get_str(prior, "name");
    char *owned_stack = NULL;
    const char *stack_name = ttl_table_stack_name(prior, &owned_stack);
    const char *stack_id = tfv_get_str(prior, "stack_id");
    bool retain = false;
    tfv_get_bool(prior, "retain_on_destroy", &retain);
    int64_t deadline = ttl_table_deadline(prior, "delete");
    struct table_live t = {0};
    struct stack_facts s = {0};
    struct tpd_err err = {0};
    struct destroy_decision d = {0};
    refusal_init(&d.refusal);
    tpd_buf_init(&d.note, 0);
    char **importers = NULL;
    size_t n_importers = 0;
    *new_state = NULL;

    /* Check again at apply time: protection may have been switched on outside Terraform. */
    enum tpd_code rc = cloud_read_table(c, name, false, &t, &err);
    if (!rc && stack_id) {
        rc = cloud_read_stack(c, stack_name, CLOUD_STACK_FULL, &s, &err);
        if (!rc && s.exists && stack_status_in_progress(s.status)) {
            /* An earlier run (interrupted, or another tool) left the stack busy: let it
             * settle before deciding anything. */
            rc = cloud_prepare_stack(c, &s, deadline, &err);
        }
    }
    if (rc) {
        ttl_table_error_diag(
            diags, "Cannot read the table and its stack before deleting them", &err, false);
        goto keep;
    }
    struct destroy_facts f = {name, stack_name, stack_id, retain, explicit_destroy, &t, &s};
    destroy_decision_clear(&d);
    ownership_decide_destroy(&f, &d);
    switch (d.path) {
        case DESTROY_REFUSE:
            ttl_table_refusal_diag(diags, &d.refusal);
            goto keep;
        case DESTROY_FORGET:
            ttl_table_note_diag(diags, &d);
            goto done;
        case DESTROY_TABLE:
            TPD_INFO("deleting table %s (it is in no stack)", name);
            rc = cloud_delete_table(c, name, deadline, &err);
            if (rc) {
                ttl_table_error_diag(diags, "Deleting the table failed", &err, false);
                goto keep;
            }
            goto done;
        case DESTROY_STACK:
        case DESTROY_STACK_THEN_TABLE:
            break;
    }
    rc = cloud_list_importers(c, &s, &importers, &n_importers, &err);
    if (rc) {
        ttl_table_error_diag(
            diags, "Cannot check which stacks import this stack's exports", &err, false);
        goto keep;
    }
    if (n_importers) {
        struct tpd_text b;
        tpd_text_init(&b, 0);
        for (size_t i = 0; i < n_importers; i++) {
            tpd_text_printf(&b, "%s%s", i ? ", " : "", importers[i]);
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
            tpd_text_cstr_or(&b, "(out of memory listing them)"));
        tpd_text_clear(&b);
        goto keep;
    }
    TPD_INFO("deleting stack %s%s", stack_name, retain ? " (keeping the table)" : "");
    rc = cloud_delete_stack(
        c,
        stack_name,
        retain || d.path == DESTROY_STACK_THEN_TABLE ? s.table_logical_id : NULL,
        deadline,
        &err);
    if (rc) {
        ttl_table_error_diag(diags, "Deleting the table's stack failed", &err, false);
        goto keep;
    }
    if (d.path == DESTROY_STACK_THEN_TABLE) {
        /* The template retained the table (an adoption's follow-up never finished); the
         * destroy was asked for and protection is off: delete the table itself. */
        struct table_live again = {0};
        rc = cloud_read_table(c, name, false, &again, &err);
        if (!rc && again.exists && !again.spec.deletion_protection) {
            TPD_INFO("deleting table %s (its stack retained it)", name);
            rc = cloud_delete_table(c, name, deadline, &err);
        } else if (!rc && again.exists) {
            rc = tpd_err_set(
                &err,
                TPD_E_FAILED,
                "table %s was switched to deletion protection meanwhile; it was kept",
                name);
        }
        table_live_clear(&again);
        if (rc) {
            ttl_table_error_diag(diags, "Deleting the table failed", &err, false);
            /* The stack is gone: the table is in no stack now. */
            *new_state = s_state_now(c, prior, prior, stack_name, NULL, retain);
            goto done;
        }
    }
    ttl_table_note_diag(diags, &d);
    goto done;
keep:
    *new_state = tfv_clone(prior);
done:
    destroy_decision_clear(&d);
    cloud_strv_free(importers);
    free(owned_stack);
    table_live_clear(&t);
    stack_facts_clear(&s);
    tpd_err_clear(&err);
}

/* ---- entry ----------------------------------------------------------------------- */

void ttl_table_apply(
    struct cloud *c,
    const struct tfv *prior,
    const struct tfv *planned,
    const struct tfv *config,
    struct tpd_span planned_private,
    struct tfv **new_state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    (void)config;
    *new_state = NULL;
    struct resource_private pp;
    resource_private_decode(planned_private, &pp);
    if (tfv_is_null(planned)) {
        if (!tfv_is_null(prior)) {
            s_apply_destroy(c, prior, pp.explicit_destroy, new_state, diags);
        }
    } else if (tfv_is_null(prior)) {
        s_apply_create(c, planned, pp.replacing, new_state, diags);
    } else {
        s_apply_update(c, prior, planned, new_state, diags);
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
        next.imported = pp.imported;
        next.protection_known = pp.protection_known;
        next.protection_applied = pp.protection_applied;
    }
    resource_private_clear(&pp);
    if (*new_state && resource_private_encode(&next, private_out) != TPD_OK) {
        diag_add(
            diags, DIAG_ERROR, NULL, "Out of memory", "Recording the state ran out of memory.");
    }
}
