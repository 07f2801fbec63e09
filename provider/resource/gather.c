/*
 * gather: facts in rounds (see gather.h).
 */
#include "gather.h"

#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "facts_handoff.h"
#include "tpd_alloc.h"
#include "tpd_buf.h"
#include "tpd_limits.h"
#include "tpd_log.h"

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

static char *
s_refresh_key(const char *name, const char *stack_name, const char *stack_id, const char *arn);

/* An update that stays in its stack: the table and that stack as the refresh just before
 * read them, the stack completed (its resources and template). false: nothing handed. */
static bool s_from_refresh(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    enum tpd_code *rc,
    struct tpd_err *err) {
    const struct request_prior *pr = &req->prior;
    if (req->op != REQUEST_UPDATE || !pr->stack_id || !s_eq(pr->stack_name, req->want.stack_name) ||
        !s_eq(pr->name, req->want.name) || !ops->take || !ops->complete_stack) {
        return false;
    }
    char *key = s_refresh_key(pr->name, pr->stack_name, pr->stack_id, pr->arn);
    bool got = key && ops->take(ops->ctx, key, f);
    free(key);
    if (!got) {
        return false;
    }
    TPD_DEBUG("table %s: planning on the refresh's reads of the table and its stack", pr->name);
    *rc = f->prior_stack.exists
              ? ops->complete_stack(ops->ctx, &f->prior_stack, CLOUD_STACK_FULL, err)
              : TPD_OK;
    return true;
}

enum tpd_code gather_first(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct tpd_err *err) {
    resource_facts_clear(f);
    enum tpd_code handed_rc = TPD_OK;
    if (s_from_refresh(ops, req, f, &handed_rc, err)) {
        return handed_rc;
    }
    struct cloud_read_request q = {0};
    struct cloud_read_result r = {0};
    int config_slot = -1, prior_slot = -1;
    switch (req->op) {
        case REQUEST_CREATE:
            /* Most creates find no table: DescribeTable and the stack at once, the
             * settings only for a table that exists (an adoption decides on them). */
            q.table = req->want.name;
            q.table_what = CLOUD_TABLE_PROBE;
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
            /* A destroy decides on the table's existence and protection (ownership.c,
             * ownership_decide_destroy): DescribeTable holds both. */
            q.table = req->prior.name;
            q.table_what = CLOUD_TABLE_DESCRIBE;
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

static enum tpd_code s_decide_loop(
    const struct cloud_ops *ops,
    const struct request *req,
    bool handed,
    struct resource_facts *f,
    struct action_plan *p,
    struct tpd_err *err) {
    action_plan_init(p);
    enum tpd_code rc = handed ? TPD_OK : gather_first(ops, req, f, err);
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

enum tpd_code gather_and_decide(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct action_plan *p,
    struct tpd_err *err) {
    return s_decide_loop(ops, req, false, f, p, err);
}

/* What identifies the reads of gather_first: the operation, the table and the stacks the
 * request names, the ARN the tags are read with, as FACTS_HANDOFF_SEP-separated fields
 * (names never hold that control character: validate.c). NULL on no memory. */
static char *s_key(const struct request *req) {
    const struct request_prior *pr = &req->prior;
    const struct table_spec *w = &req->want;
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_DEFAULT);
    enum tpd_code rc = tpd_buf_printf(
        &b,
        "%d\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
        (int)req->op,
        w->name ? w->name : "",
        w->stack_name ? w->stack_name : "",
        pr->name ? pr->name : "",
        pr->stack_name ? pr->stack_name : "",
        pr->stack_id ? pr->stack_id : "",
        pr->arn ? pr->arn : "");
    char *k = rc ? NULL : tpd_buf_detach(&b);
    tpd_buf_clear(&b);
    return k;
}

static const char *s_table_of(const struct request *req) {
    return req->op == REQUEST_DESTROY ? req->prior.name : req->want.name;
}

enum tpd_code gather_and_decide_handed(
    const struct cloud_ops *ops,
    const struct request *req,
    struct resource_facts *f,
    struct action_plan *p,
    struct tpd_err *err) {
    char *key = ops->take ? s_key(req) : NULL;
    bool handed = key && ops->take(ops->ctx, key, f);
    free(key);
    if (handed) {
        TPD_DEBUG("table %s: deciding on the facts its plan read just before", s_table_of(req));
    }
    return s_decide_loop(ops, req, handed, f, p, err);
}

static char *
s_refresh_key(const char *name, const char *stack_name, const char *stack_id, const char *arn) {
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_DEFAULT);
    enum tpd_code rc = tpd_buf_printf(
        &b,
        "refresh\x1f%s\x1f%s\x1f%s\x1f%s",
        name ? name : "",
        stack_name ? stack_name : "",
        stack_id ? stack_id : "",
        arn ? arn : "");
    char *k = rc ? NULL : tpd_buf_detach(&b);
    tpd_buf_clear(&b);
    return k;
}

void gather_hand_off_refresh(
    const struct cloud_ops *ops,
    const char *name,
    const char *stack_name,
    const char *stack_id,
    const char *arn,
    struct table_live *table,
    struct stack_facts *stack) {
    if (!ops->stash || !name || !stack_id || !table->exists || !table->tags_read ||
        !table->settings_read) {
        return;
    }
    char *key = s_refresh_key(name, stack_name, stack_id, arn);
    if (key) {
        struct resource_facts f = {0};
        f.table = *table;
        memset(table, 0, sizeof(*table));
        f.prior_stack = *stack;
        memset(stack, 0, sizeof(*stack));
        ops->stash(ops->ctx, key, name, &f);
        resource_facts_clear(&f);
    }
    free(key);
}

void gather_hand_off(
    const struct cloud_ops *ops, const struct request *req, struct resource_facts *f) {
    char *key = ops->stash ? s_key(req) : NULL;
    if (key && s_table_of(req)) {
        ops->stash(ops->ctx, key, s_table_of(req), f);
    }
    free(key);
}
