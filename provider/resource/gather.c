/*
 * gather: facts in rounds (see gather.h).
 */
#include "gather.h"

#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "tpd_alloc.h"

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

/* Move one read result into the facts. */
static void s_take(
    struct resource_facts *f,
    struct cloud_read_result *r,
    int config_slot,
    int prior_slot,
    bool owner) {
    table_live_clear(&f->table);
    f->table = r->table;
    memset(&r->table, 0, sizeof(r->table));
    if (config_slot >= 0) {
        stack_facts_clear(&f->config_stack);
        f->config_stack = r->stacks[config_slot];
        memset(&r->stacks[config_slot], 0, sizeof(r->stacks[0]));
    }
    if (prior_slot >= 0) {
        stack_facts_clear(&f->prior_stack);
        f->prior_stack = r->stacks[prior_slot];
        memset(&r->stacks[prior_slot], 0, sizeof(r->stacks[0]));
    }
    if (owner) {
        free(f->owner_stack);
        f->owner_stack = r->owner_stack;
        r->owner_stack = NULL;
        f->owner_read = true;
    }
}

enum tpd_code gather_first(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct tpd_err *err) {
    resource_facts_clear(f);
    struct cloud_read_request q = {0};
    struct cloud_read_result r = {0};
    int config_slot = -1, prior_slot = -1;
    switch (req->op) {
        case REQUEST_CREATE:
            q.table = req->want.name;
            q.with_tags = true;
            q.stacks[0] = req->want.stack_name;
            q.stack_what[0] = CLOUD_STACK_FULL;
            config_slot = 0;
            break;
        case REQUEST_UPDATE: {
            bool moving = !s_eq(req->prior.stack_name, req->want.stack_name);
            q.table = req->want.name;
            q.arn_hint = req->prior.arn;
            q.with_tags = true;
            q.with_features = req->prior.features || table_spec_has_features(&req->want);
            int n = 0;
            if (req->prior.stack_id) {
                q.stacks[n] = req->prior.stack_name;
                q.stack_what[n] = CLOUD_STACK_FULL;
                prior_slot = n++;
            }
            if (moving || !req->prior.stack_id) {
                q.stacks[n] = req->want.stack_name;
                q.stack_what[n] = CLOUD_STACK_FULL;
                config_slot = n++;
                q.owner_of = req->want.name;
            }
            break;
        }
        case REQUEST_DESTROY:
            q.table = req->prior.name;
            if (req->prior.stack_id) {
                q.stacks[0] = req->prior.stack_name;
                q.stack_what[0] = CLOUD_STACK_FULL;
                prior_slot = 0;
            } else {
                q.owner_of = req->prior.name;
            }
            break;
    }
    enum tpd_code rc = ops->read(ops->ctx, &q, &r, err);
    if (!rc) {
        s_take(f, &r, config_slot, prior_slot, q.owner_of != NULL);
    }
    cloud_read_result_clear(&r);
    return rc;
}

/* The source of a restore. Not found is a fact (the plan refuses); another failure (no
 * permission to read backups, a throttle that outlasted the retries) is noted, and the
 * restored table is checked instead before it is adopted. */
static enum tpd_code s_restore_source(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct tpd_err *err) {
    struct tpd_err e = {0};
    enum tpd_code rc = ops->read_restore_source(
        ops->ctx, &req->restore, &f->restore_source, &f->restore_status, &e);
    f->restore_read = true;
    f->restore_found = rc == TPD_OK;
    if (rc == TPD_E_NOMEM || rc == TPD_E_STOPPED) {
        tpd_err_move(err, &e);
        return rc;
    }
    if (rc && rc != TPD_E_NOT_FOUND) {
        f->restore_error = tpd_strdup(e.msg ? e.msg : tpd_code_str(rc));
        if (!f->restore_error) {
            tpd_err_clear(&e);
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
    }
    tpd_err_clear(&e);
    return TPD_OK;
}

static enum tpd_code s_more(
    const struct cloud_ops *ops,
    const struct request *req,
    unsigned needs,
    struct resource_facts *f,
    struct tpd_err *err) {
    enum tpd_code rc = TPD_OK;
    if ((needs & DECIDE_NEED_EXTRAS) && f->table.exists && !f->table.extras_read) {
        rc = ops->read_extras(ops->ctx, &f->table, err);
    }
    if (!rc && (needs & DECIDE_NEED_OWNER) && !f->owner_read) {
        struct cloud_read_request q = {
            .owner_of = req->op == REQUEST_DESTROY ? req->prior.name : req->want.name,
        };
        struct cloud_read_result r = {0};
        rc = ops->read(ops->ctx, &q, &r, err);
        if (!rc) {
            free(f->owner_stack);
            f->owner_stack = r.owner_stack;
            r.owner_stack = NULL;
            f->owner_read = true;
        }
        cloud_read_result_clear(&r);
    }
    if (!rc && (needs & DECIDE_NEED_OWNER) && !f->owner_full_read && f->owner_stack &&
        !s_eq(f->owner_stack, f->config_stack.name) && !s_eq(f->owner_stack, f->prior_stack.name)) {
        struct cloud_read_request q = {
            .stacks = {f->owner_stack}, .stack_what = {CLOUD_STACK_FULL}};
        struct cloud_read_result r = {0};
        rc = ops->read(ops->ctx, &q, &r, err);
        if (!rc) {
            stack_facts_clear(&f->owner);
            f->owner = r.stacks[0];
            memset(&r.stacks[0], 0, sizeof(r.stacks[0]));
        }
        cloud_read_result_clear(&r);
    }
    if (!rc && (needs & DECIDE_NEED_OWNER)) {
        f->owner_full_read = true;
    }
    if (!rc && (needs & DECIDE_NEED_RESTORE) && !f->restore_read) {
        rc = s_restore_source(ops, req, f, err);
    }
    if (!rc && (needs & DECIDE_NEED_IMPORTERS) && !f->importers_read) {
        rc = ops->list_importers(ops->ctx, &f->prior_stack, &f->importers, &f->importer_count, err);
        f->importers_read = rc == TPD_OK;
    }
    return rc;
}

enum tpd_code gather_and_decide(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct action_plan *p,
    struct tpd_err *err) {
    action_plan_init(p);
    enum tpd_code rc = gather_first(ops, req, f, err);
    /* Each round adds facts of a kind not read before, so three are the most there are. */
    for (int round = 0; !rc && round < 4; round++) {
        action_plan_clear(p);
        decide(req, f, p);
        if (!p->needs) {
            break;
        }
        rc = s_more(ops, req, p->needs, f, err);
    }
    if (!rc && p->needs) {
        rc = tpd_err_set(err, TPD_E_INTERNAL, "the decision kept asking for more facts");
    }
    return rc;
}
