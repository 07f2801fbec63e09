/*
 * execute: the steps of an action plan, in order (see execute.h).
 */
#include "execute.h"

#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "repair_plan.h"
#include "table_template.h"
#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_limits.h"
#include "tpd_log.h"
#include "tpd_text.h"

/* TTL changes show ENABLING or DISABLING for a while; wait (up to this long, within the
 * deadline) so that the state records the settled status and the next plan is empty.
 * DynamoDB documents that a change "can take up to one hour to fully process"; the
 * status usually settles in seconds (docs/aws-behaviour.md). */
#define EXECUTE_TTL_SETTLE_NS (60LL * 1000000000LL)
#define EXECUTE_TTL_POLL_NS (1000000000LL)

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

void execute_result_clear(struct execute_result *r) {
    free(r->stack_id);
    free(r->owner_id);
    table_live_clear(&r->table);
    refusal_clear(&r->mismatch);
    memset(r, 0, sizeof(*r));
}

struct s_run {
    const struct cloud_ops *ops;
    const struct action_plan *p;
    const struct resource_facts *f;
    int64_t deadline;
    struct execute_result *out;
    bool table_current; /* out->table was read after the last change */
    /* A wait for the table to be ready put off to the repair that follows it: the
     * repair reads the table anyway, and waits only when that read says it is not. */
    bool wait_pending;
    /* What the stack's deployed template carries, for the next template: the features it
     * once had stay in it (table_template.h; only the *_written flags are used). */
    struct template_facts deployed;
};

/* The features the template just deployed carries join what the stack had. */
static void s_note_deployed(struct s_run *r, const struct tpd_buf *tpl) {
    struct template_facts t = {0};
    struct tpd_err e = {0};
    if (table_template_read(tpd_buf_span(tpl), &t, &e) == TPD_OK) {
        r->deployed.sse_written = r->deployed.sse_written || t.sse_written;
        r->deployed.table_class_written = r->deployed.table_class_written || t.table_class_written;
        r->deployed.insights_written = r->deployed.insights_written || t.insights_written;
    }
    template_facts_clear(&t);
    tpd_err_clear(&e);
}

static enum tpd_code s_set_stack_id(struct s_run *r, const char *id, struct tpd_err *err) {
    if (!id || s_eq(id, r->out->stack_id)) {
        return TPD_OK;
    }
    char *c = tpd_strdup(id);
    if (!c) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    free(r->out->stack_id);
    r->out->stack_id = c;
    return TPD_OK;
}

/* The owner id the templates carry: the plan's, or one minted now (once per apply). */
static enum tpd_code s_owner(struct s_run *r, struct tpd_err *err) {
    if (r->out->owner_id) {
        return TPD_OK;
    }
    if (r->p->owner_id) {
        r->out->owner_id = tpd_strdup(r->p->owner_id);
    } else {
        char id[33];
        enum tpd_code rc = r->ops->new_owner_id(r->ops->ctx, id);
        if (rc) {
            return tpd_err_set(err, rc, "cannot make an owner id");
        }
        r->out->owner_id = tpd_strdup(id);
    }
    return r->out->owner_id ? TPD_OK : tpd_err_set(err, TPD_E_NOMEM, "out of memory");
}

static enum tpd_code s_deploy(
    struct s_run *r,
    const struct table_spec *spec,
    enum table_template_mode mode,
    enum cloud_deploy_type type,
    const char *logical_id,
    struct tpd_err *err) {
    enum tpd_code rc = s_owner(r, err);
    if (rc) {
        return rc;
    }
    struct tpd_buf tpl;
    tpd_buf_init(&tpl, TPD_MAX_TEMPLATE);
    struct tpd_kv *tags = NULL;
    size_t tag_count = 0;
    struct table_template_options o = {mode, logical_id, r->out->owner_id, &r->deployed};
    rc = table_template_render(spec, &o, &tpl, err);
    if (!rc && type != CLOUD_DEPLOY_IMPORT &&
        table_template_stack_tags(spec, &tags, &tag_count) != TPD_OK) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    struct cloud_deploy_result res = {0};
    if (!rc) {
        struct cloud_deploy d = {
            .stack_name = spec->stack_name,
            .type = type,
            .template_body = tpd_buf_cstr(&tpl),
            .tags = tags,
            .tag_count = tag_count,
            .import_table = type == CLOUD_DEPLOY_IMPORT ? spec->name : NULL,
            .import_logical_id = type == CLOUD_DEPLOY_IMPORT ? TABLE_TEMPLATE_LOGICAL_ID : NULL,
            .deadline_ns = r->deadline,
        };
        rc = r->ops->deploy(r->ops->ctx, &d, &res, err);
        if (!rc || res.executed) {
            s_note_deployed(r, &tpl);
        }
        enum tpd_code src = s_set_stack_id(r, res.stack_id, err);
        rc = rc ? rc : src;
        if (type != CLOUD_DEPLOY_UPDATE && res.executed) {
            r->out->executed = true;
        }
        if (res.executed || !rc) {
            r->out->owner_sent = true;
        }
        if (!res.empty) {
            r->out->empty = false;
        }
        r->table_current = false;
    }
    cloud_deploy_result_clear(&res);
    tpd_kv_array_free(tags, tag_count);
    tpd_buf_clear(&tpl);
    return rc;
}

/* IMPORT the table into the target's stack with a template that mirrors the table as it is:
 * CloudFormation compares later updates with this template, not with the table, so claiming
 * settings the table lacks would make the follow-up update a silent no-op. */
static enum tpd_code s_read_table(struct s_run *r, bool with_tags, struct tpd_err *err);

/* The table a restore made, read now: its keys and indexes checked again before it is
 * adopted (a source that could not be read at plan time, or changed since). */
static enum tpd_code s_restored(struct s_run *r, struct tpd_err *err) {
    const struct table_spec *want = &r->p->target;
    enum tpd_code rc = s_read_table(r, true, err);
    if (!rc && !r->out->table.exists) {
        rc = tpd_err_set(err, TPD_E_FAILED, "table %s is gone after its restore", want->name);
    }
    if (!rc) {
        restore_check(want, &r->out->table.spec, true, "the restored table", &r->out->mismatch);
        if (r->out->mismatch.refused) {
            rc = tpd_err_set(
                err,
                TPD_E_FAILED,
                "the restored table %s does not match the configuration",
                want->name);
        }
    }
    return rc;
}

static enum tpd_code s_import(struct s_run *r, struct tpd_err *err) {
    const struct table_spec *want = &r->p->target;
    struct table_spec mirror = {0};
    bool restore = r->p->path == ACTION_RESTORE;
    enum tpd_code rc = restore ? s_restored(r, err) : TPD_OK;
    if (rc) {
        return rc;
    }
    rc = table_spec_copy(&mirror, restore ? &r->out->table.spec : &r->f->table.spec);
    if (rc) {
        return tpd_err_set(err, rc, "out of memory");
    }
    free(mirror.stack_name);
    mirror.stack_name = tpd_strdup(want->stack_name);
    if (!mirror.stack_name) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    /* Every table has a warm throughput: the mirror carries the units the configuration
     * manages, so the follow-up update raises them; the others stay out of the template. */
    mirror.warm_read = want->warm_read > 0 ? mirror.warm_read : 0;
    mirror.warm_write = want->warm_write > 0 ? mirror.warm_write : 0;
    if (want->sse && !want->sse_kms_key && mirror.sse) {
        /* The configuration asks for the AWS managed key and DynamoDB reports a key ARN,
         * which may be that key (table_spec_sse_equal): the mirror says what the
         * configuration says, so the follow-up update does not switch keys. */
        free(mirror.sse_kms_key);
        mirror.sse_kms_key = NULL;
    }
    if (!rc) {
        TPD_INFO(
            "adopting table %s into stack %s (IMPORT change set)", want->name, want->stack_name);
        rc = s_deploy(r, &mirror, TABLE_TEMPLATE_IMPORT, CLOUD_DEPLOY_IMPORT, NULL, err);
        if (rc) {
            tpd_err_prefix(
                err,
                "adopting table %s into stack %s failed; the table and its items are untouched: ",
                want->name,
                want->stack_name);
        } else {
            r->out->placed = true;
        }
    }
    table_spec_clear(&mirror);
    return rc;
}

/* Set DeletionPolicy Retain on the table in the stack it is leaving (the deployed template
 * again, with its tags), and check the deployed template says so: policy-only edits have
 * been known to produce empty change sets (aws/aws-cdk#11521). */
static enum tpd_code s_retain(struct s_run *r, const struct action_step *st, struct tpd_err *err) {
    char *body = NULL;
    struct template_facts tf = {0};
    enum tpd_code rc = r->ops->get_template(r->ops->ctx, st->stack, &body, err);
    if (!rc) {
        rc = table_template_read(tpd_span_cstr(body), &tf, err);
    }
    if (!rc && !s_eq(tf.deletion_policy, "Retain")) {
        struct tpd_buf tpl, reason;
        tpd_buf_init(&tpl, TPD_MAX_TEMPLATE);
        tpd_buf_init(&reason, 0);
        rc = tpd_buf_printf(&reason, "moving to stack %s", r->p->target.stack_name);
        if (rc) {
            rc = tpd_err_set(err, rc, "writing the reason of the template change");
        } else {
            rc = table_template_retained(
                tpd_span_cstr(body),
                st->logical_id ? st->logical_id : tf.logical_id,
                tpd_buf_cstr(&reason),
                &tpl,
                err);
        }
        if (!rc) {
            TPD_INFO(
                "stack %s: setting DeletionPolicy Retain on table %s before moving it",
                st->stack,
                r->p->target.name);
            struct cloud_deploy d = {
                .stack_name = st->stack,
                .type = CLOUD_DEPLOY_UPDATE,
                .template_body = tpd_buf_cstr(&tpl),
                .tags = st->tags,
                .tag_count = st->tag_count,
                .deadline_ns = r->deadline,
            };
            struct cloud_deploy_result res = {0};
            rc = r->ops->deploy(r->ops->ctx, &d, &res, err);
            cloud_deploy_result_clear(&res);
        }
        tpd_buf_clear(&tpl);
        tpd_buf_clear(&reason);
        if (!rc) {
            free(body);
            body = NULL;
            template_facts_clear(&tf);
            rc = r->ops->get_template(r->ops->ctx, st->stack, &body, err);
            if (!rc) {
                rc = table_template_read(tpd_span_cstr(body), &tf, err);
            }
            if (!rc && !s_eq(tf.deletion_policy, "Retain")) {
                rc = tpd_err_set(
                    err,
                    TPD_E_FAILED,
                    "stack %s still does not retain table %s after the update; nothing was "
                    "deleted",
                    st->stack,
                    r->p->target.name);
            }
        }
    }
    template_facts_clear(&tf);
    free(body);
    return rc;
}

static enum tpd_code s_read_table(struct s_run *r, bool with_tags, struct tpd_err *err) {
    struct cloud_read_request q = {
        .table = r->p->target.name ? r->p->target.name : r->f->table.spec.name,
        .arn_hint = r->f->table.arn,
        .with_tags = with_tags,
        /* The features the configuration has, or the table had when it was read. */
        .with_features =
            table_spec_has_features(&r->p->target) ||
            (r->f->table.features_read && table_spec_has_features(&r->f->table.spec)) ||
            (r->out->table.features_read && table_spec_has_features(&r->out->table.spec)),
    };
    struct cloud_read_result res = {0};
    enum tpd_code rc = r->ops->read(r->ops->ctx, &q, &res, err);
    if (!rc) {
        table_live_clear(&r->out->table);
        r->out->table = res.table;
        memset(&res.table, 0, sizeof(res.table));
        r->table_current = true;
    }
    cloud_read_result_clear(&res);
    return rc;
}

/* After the stack settled: repair what differs, then read the table back. */
static enum tpd_code s_repair(struct s_run *r, struct tpd_err *err) {
    const struct table_spec *want = &r->p->target;
    enum tpd_code rc = s_read_table(r, true, err);
    if (!rc && r->wait_pending && r->out->table.exists && !table_live_ready(&r->out->table)) {
        rc = r->ops->wait_table_ready(r->ops->ctx, want->name, r->deadline, err);
        if (!rc) {
            rc = s_read_table(r, true, err);
        }
    }
    r->wait_pending = false;
    if (!rc && !r->out->table.exists) {
        rc = tpd_err_set(
            err, TPD_E_FAILED, "table %s does not exist after the stack operation", want->name);
    }
    struct drift_plan d = {0};
    if (!rc) {
        rc = drift_compute(want, &r->out->table, &d);
        if (rc) {
            tpd_err_set(err, rc, "out of memory");
        }
    }
    if (!rc && !drift_plan_empty(&d)) {
        TPD_INFO(
            "table %s: settings differ from the configuration after the stack operation: repairing",
            want->name);
        struct repair_plan rp = {0};
        rc = repair_plan_build(&d, &r->out->table, want, &rp, err);
        if (!rc) {
            rc = r->ops->repair(r->ops->ctx, &rp, r->deadline, err);
            if (rc) {
                tpd_err_prefix(
                    err, "repairing table %s (settings changed outside Terraform): ", want->name);
            }
        }
        repair_plan_clear(&rp);
        struct tpd_err e2 = {0};
        if (s_read_table(r, true, rc ? &e2 : err) != TPD_OK && !rc) {
            rc = err->code;
        }
        tpd_err_clear(&e2);
    }
    if (!rc && (d.gsi_extra_count || d.gsi_changed_count)) {
        /* Changed outside Terraform while this apply ran (the plan refuses it otherwise):
         * never deleted here. The state records the table as it is. */
        rc = tpd_err_set(
            err,
            TPD_E_FAILED,
            "table %s has %s%s%s%s%s that the configuration does not match (changed outside "
            "Terraform during this apply); no index was deleted. The next plan shows what to do.",
            want->name,
            d.gsi_extra_count ? "index " : "",
            d.gsi_extra_count ? d.gsi_extra[0] : "",
            d.gsi_extra_count && d.gsi_changed_count ? " and " : "",
            d.gsi_changed_count ? "a redefined index " : "",
            d.gsi_changed_count ? d.gsi_changed[0] : "");
    }
    drift_plan_clear(&d);
    return rc;
}

/* Read the table for the state and wait while its TTL is ENABLING or DISABLING (bounded;
 * a timeout or a stop leaves the transitional status in the state). */
static enum tpd_code s_read_back(struct s_run *r, struct tpd_err *err) {
    enum tpd_code rc = r->table_current ? TPD_OK : s_read_table(r, true, err);
    if (rc) {
        return rc;
    }
    int64_t until = tpd_now_ns() + EXECUTE_TTL_SETTLE_NS;
    if (r->deadline && r->deadline < until) {
        until = r->deadline;
    }
    struct table_live *t = &r->out->table;
    while (t->exists && (s_eq(t->ttl_status, "ENABLING") || s_eq(t->ttl_status, "DISABLING"))) {
        if (r->ops->pause(r->ops->ctx, EXECUTE_TTL_POLL_NS, until) != TPD_OK) {
            return TPD_OK;
        }
        /* Only TTL is still changing: DescribeTimeToLive alone, not the five reads of the
         * table (docs/design.md, "Calls per operation"). */
        struct tpd_err e = {0};
        enum tpd_code src = r->ops->read_ttl(r->ops->ctx, t, &e);
        tpd_err_clear(&e);
        if (src) {
            return TPD_OK; /* the last read stays: the next refresh reads the settled status */
        }
    }
    return TPD_OK;
}

/* The table again, deleted only while its protection is still off (it may have been
 * switched on meanwhile). */
static enum tpd_code s_delete_table(struct s_run *r, struct tpd_err *err) {
    const char *name = r->f->table.spec.name;
    struct cloud_read_request q = {.table = name, .table_what = CLOUD_TABLE_DESCRIBE};
    struct cloud_read_result res = {0};
    enum tpd_code rc = r->ops->read(r->ops->ctx, &q, &res, err);
    if (!rc && res.table.exists && res.table.spec.deletion_protection) {
        rc = tpd_err_set(
            err,
            TPD_E_FAILED,
            "table %s was switched to deletion protection meanwhile; it was kept",
            name);
    } else if (!rc && res.table.exists) {
        TPD_INFO("deleting table %s", name);
        rc = r->ops->delete_table(r->ops->ctx, name, r->deadline, err);
    }
    if (!rc) {
        r->out->table_deleted = true;
    }
    cloud_read_result_clear(&res);
    return rc;
}

static enum tpd_code s_step(
    struct s_run *r,
    const struct action_step *st,
    const struct action_step *next,
    struct tpd_err *err) {
    const struct action_plan *p = r->p;
    enum tpd_code rc = TPD_OK;
    switch (st->kind) {
        case STEP_DELETE_STACK:
            TPD_INFO(
                "deleting stack %s%s",
                st->stack,
                st->retain_logical_id ? " (keeping the table)" : "");
            rc = r->ops->delete_stack(
                r->ops->ctx, st->stack, st->retain_logical_id, r->deadline, err);
            /* The stack in state, left keeping the table (the shell a move deletes first
             * keeps nothing). */
            if (!rc && st->retain_logical_id &&
                (p->path == ACTION_MOVE || p->path == ACTION_RECOVER)) {
                r->out->old_stack_gone = true;
            }
            if (!rc &&
                (p->path == ACTION_DESTROY_STACK || p->path == ACTION_DESTROY_STACK_THEN_TABLE)) {
                r->out->stack_deleted = true;
            }
            break;
        case STEP_RETAIN:
            rc = s_retain(r, st, err);
            break;
        case STEP_CREATE:
            rc = s_deploy(r, &p->target, TABLE_TEMPLATE_FULL, CLOUD_DEPLOY_CREATE, NULL, err);
            if (!rc) {
                r->out->placed = true;
            }
            break;
        case STEP_IMPORT:
            rc = s_import(r, err);
            break;
        case STEP_RESTORE: {
            struct tpd_text what;
            tpd_text_init(&what, 0);
            restore_describe(p->restore, &what);
            TPD_INFO(
                "restoring table %s from %s",
                p->target.name,
                tpd_text_cstr_or(&what, "its restore source"));
            tpd_text_clear(&what);
            rc = r->ops->restore(r->ops->ctx, p->restore, &p->target, err);
            if (rc) {
                tpd_err_prefix(err, "restoring table %s: ", p->target.name);
            } else {
                r->out->restored = true;
            }
            r->table_current = false;
            break;
        }
        case STEP_WAIT_TABLE:
            if (next && next->kind == STEP_REPAIR) {
                /* The repair's read of the table tells whether it is ready: one
                 * DescribeTable fewer when it is (docs/design.md, "Calls per operation"). */
                r->wait_pending = true;
                break;
            }
            rc = r->ops->wait_table_ready(r->ops->ctx, p->target.name, r->deadline, err);
            break;
        case STEP_RECREATE_INDEXES: {
            struct repair_plan rp = {0};
            rc = repair_plan_indexes(&r->f->table, st->indexes, st->index_count, &rp, err);
            if (!rc) {
                rc = r->ops->wait_table_ready(r->ops->ctx, p->target.name, r->deadline, err);
            }
            if (!rc) {
                rc = r->ops->repair(r->ops->ctx, &rp, r->deadline, err);
            }
            repair_plan_clear(&rp);
            r->table_current = false;
            break;
        }
        case STEP_UPDATE: {
            if (st->label) {
                TPD_INFO("table %s: %s", p->target.name, st->label);
            }
            struct table_spec step = p->target; /* shallow: only the GSIs differ */
            if (st->indexes_given) {
                step.gsis = st->indexes;
                step.gsi_count = st->index_count;
            }
            TPD_INFO("updating stack %s for table %s", st->stack, p->target.name);
            rc = s_deploy(r, &step, TABLE_TEMPLATE_FULL, CLOUD_DEPLOY_UPDATE, st->logical_id, err);
            if (rc && st->label) {
                tpd_err_prefix(err, "%s: ", st->label);
            }
            break;
        }
        case STEP_REPAIR:
            rc = s_repair(r, err);
            break;
        case STEP_DELETE_TABLE:
            rc = s_delete_table(r, err);
            break;
        case STEP_READ_BACK:
            rc = s_read_back(r, err);
            break;
    }
    return rc;
}

enum tpd_code execute_plan(
    const struct cloud_ops *ops,
    const struct action_plan *p,
    const struct resource_facts *f,
    int64_t deadline_ns,
    struct execute_result *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    out->empty = true;
    struct s_run r = {ops, p, f, deadline_ns, out, false, false, {0}};
    enum tpd_code rc = TPD_OK;
    /* The stack an update acts on: what its deployed template carries. */
    for (size_t i = 0; i < p->step_count; i++) {
        const struct action_step *st = &p->steps[i];
        const struct stack_facts *s = NULL;
        if (st->kind == STEP_UPDATE && st->stack) {
            s = f->prior_stack.name && !strcmp(f->prior_stack.name, st->stack) ? &f->prior_stack
                : f->config_stack.name && !strcmp(f->config_stack.name, st->stack)
                    ? &f->config_stack
                    : NULL;
        }
        if (s && s->tpl.read) {
            r.deployed.sse_written = s->tpl.sse_written;
            r.deployed.table_class_written = s->tpl.table_class_written;
            r.deployed.insights_written = s->tpl.insights_written;
        }
        if (st->kind == STEP_UPDATE || st->kind == STEP_IMPORT || st->kind == STEP_CREATE) {
            break; /* the first template step decides; later ones follow what it deployed */
        }
    }
    if (p->stack_id && p->path != ACTION_MOVE && p->path != ACTION_RECOVER) {
        rc = s_set_stack_id(&r, p->stack_id, err);
    }
    for (size_t i = 0; !rc && i < p->step_count; i++) {
        rc = s_step(&r, &p->steps[i], i + 1 < p->step_count ? &p->steps[i + 1] : NULL, err);
        if (!rc) {
            out->steps_done++;
        }
    }
    if (rc == TPD_E_NOMEM && !err->msg) {
        tpd_err_set(err, rc, "out of memory");
    }
    template_facts_clear(&r.deployed);
    return rc;
}
