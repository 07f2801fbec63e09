/*
 * cloud: the real cloud_ops and its acts (see cloud.h): change sets, stack and table
 * deletion, waits. Reads are in cloud_read.c, the repair executor in cloud_repair.c.
 */
#include "cloud.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfn.h"
#include "cloud_internal.h"
#include "ddb.h"
#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_log.h"

struct aws_wait_options cloud_wait_opts(const struct cloud *c, int64_t deadline_ns) {
    /* A first check at once, the next after 200 ms, then x1.2 up to 5 s: the delay stays
     * near a fifth of the time already waited, so a stack that settles after S seconds
     * is seen about 0.2 s + 20 % of S later early on, and within 5 s later on. Real
     * CloudFormation operations take seconds to minutes: a handful of polls each. */
    struct aws_wait_options o = {0};
    o.poll_first = true;
    o.first_delay_ns = 200 * 1000000LL;
    o.factor = 1.2;
    o.max_delay_ns = 5 * 1000000000LL;
    o.deadline_ns = deadline_ns;
    o.stop = c->stop;
    return o;
}

struct cfn_deploy_options cloud_deploy_opts(const struct cloud *c, int64_t deadline_ns) {
    struct cfn_deploy_options o = {
        .token_prefix = CLOUD_TOKEN_PREFIX,
        .description = CLOUD_CHANGE_SET_DESCRIPTION,
        .wait = cloud_wait_opts(c, deadline_ns),
    };
    return o;
}

void cloud_read_result_clear(struct cloud_read_result *r) {
    table_live_clear(&r->table);
    stack_facts_clear(&r->stacks[0]);
    stack_facts_clear(&r->stacks[1]);
    free(r->owner_stack);
    memset(r, 0, sizeof(*r));
}

void cloud_deploy_result_clear(struct cloud_deploy_result *r) {
    free(r->stack_id);
    free(r->final_status);
    memset(r, 0, sizeof(*r));
}

void cloud_strv_free(char **v) {
    for (size_t i = 0; v && v[i]; i++) {
        free(v[i]);
    }
    free(v);
}

static enum tpd_code s_deploy(
    void *ctx, const struct cloud_deploy *d, struct cloud_deploy_result *r, struct tpd_err *err) {
    struct cloud *c = ctx;
    facts_handoff_forget(c->handoff, d->stack_name);
    facts_handoff_forget(c->handoff, d->import_table);
    struct cfn_kv_in *tags = NULL;
    if (d->tag_count) {
        tags = tpd_calloc(d->tag_count, sizeof(*tags));
        if (!tags) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < d->tag_count; i++) {
            tags[i].key = d->tags[i].key;
            tags[i].value = d->tags[i].value;
        }
    }
    struct cfn_kv_in ident = {"TableName", d->import_table};
    struct cfn_import_resource imp = {
        "AWS::DynamoDB::Table", d->import_logical_id ? d->import_logical_id : "Table", &ident, 1};
    bool import = d->type == CLOUD_DEPLOY_IMPORT;
    struct cfn_deploy_input in = {
        .stack_name = d->stack_name,
        .type = d->type == CLOUD_DEPLOY_CREATE ? CFN_CHANGE_SET_CREATE
                : import                       ? CFN_CHANGE_SET_IMPORT
                                               : CFN_CHANGE_SET_UPDATE,
        .template_body = d->template_body,
        .tags = tags,
        .tag_count = d->tag_count,
        .replace_tags = d->type == CLOUD_DEPLOY_UPDATE,
        .imports = import ? &imp : NULL,
        .import_count = import ? 1 : 0,
    };
    struct cfn_deploy_options o = cloud_deploy_opts(c, d->deadline_ns);
    struct cfn_deploy_result res = {0};
    enum tpd_code rc = cfn_deploy(c->aws, &o, &in, &res, err);
    free(tags);
    r->stack_id = res.stack_id;
    r->final_status = res.final_status;
    r->empty = res.empty;
    r->executed = res.executed;
    res.stack_id = res.final_status = NULL;
    cfn_deploy_result_clear(&res);
    return rc;
}

static enum tpd_code s_delete_stack(
    void *ctx,
    const char *name,
    const char *retain_logical_id,
    int64_t deadline_ns,
    struct tpd_err *err) {
    struct cloud *c = ctx;
    facts_handoff_forget(c->handoff, name);
    struct cfn_deploy_options o = cloud_deploy_opts(c, deadline_ns);
    return cfn_deploy_delete_stack(c->aws, &o, name, retain_logical_id, err);
}

static enum tpd_code
s_wait_stack(void *ctx, const char *name, int64_t deadline_ns, struct tpd_err *err) {
    struct cloud *c = ctx;
    struct cfn_deploy_options o = cloud_deploy_opts(c, deadline_ns);
    struct cfn_stack settled = {0};
    enum tpd_code rc = cfn_deploy_wait_settled(c->aws, &o, name, &settled, err);
    cfn_stack_clear(&settled);
    return rc;
}

static enum tpd_code
s_delete_table(void *ctx, const char *name, int64_t deadline_ns, struct tpd_err *err) {
    struct cloud *c = ctx;
    facts_handoff_forget(c->handoff, name);
    enum tpd_code rc = ddb_delete_table(c->aws, name, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        return TPD_OK;
    }
    if (!rc) {
        rc = ddb_wait_table(c->aws, name, true, 1000000000LL, deadline_ns, err);
    }
    return rc;
}

static enum tpd_code s_pause(void *ctx, int64_t ns, int64_t deadline_ns) {
    struct cloud *c = ctx;
    return tpd_sleep(c->stop, ns, deadline_ns);
}

static enum tpd_code s_new_owner_id(void *ctx, char out[33]) {
    (void)ctx;
    unsigned char rnd[16];
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        return TPD_E_INTERNAL;
    }
    for (size_t i = 0; i < sizeof rnd; i++) {
        snprintf(out + 2 * i, 3, "%02x", rnd[i]);
    }
    return TPD_OK;
}

static enum tpd_code
s_repair(void *ctx, const struct repair_plan *p, int64_t deadline_ns, struct tpd_err *err) {
    struct cloud *c = ctx;
    facts_handoff_forget(c->handoff, p->table);
    return cloud_repair(ctx, p, deadline_ns, err);
}

static void s_stash(void *ctx, const char *key, const char *table, struct resource_facts *f) {
    struct cloud *c = ctx;
    facts_handoff_put(c->handoff, key, table, f, tpd_now_ns());
}

static bool s_take(void *ctx, const char *key, struct resource_facts *out) {
    struct cloud *c = ctx;
    return facts_handoff_take(c->handoff, key, out, tpd_now_ns());
}

struct cloud *cloud_new(struct aws_client *aws, struct tpd_stop *stop) {
    struct cloud *c = tpd_calloc(1, sizeof(*c));
    if (!c) {
        return NULL;
    }
    c->aws = aws;
    c->stop = stop;
    c->handoff = facts_handoff_new(); /* NULL: no hand-off, every apply reads */
    c->ops = (struct cloud_ops){
        .ctx = c,
        .read = cloud_read,
        .read_extras = cloud_read_extras,
        .list_importers = cloud_list_importers,
        .read_ttl = cloud_read_ttl,
        .complete_stack = cloud_complete_stack,
        .get_template = cloud_get_template,
        .deploy = s_deploy,
        .delete_stack = s_delete_stack,
        .wait_stack = s_wait_stack,
        .delete_table = s_delete_table,
        .wait_table_ready = cloud_wait_table_ready,
        .repair = s_repair,
        .stash = s_stash,
        .take = s_take,
        .pause = s_pause,
        .new_owner_id = s_new_owner_id,
        .read_restore_source = cloud_read_restore_source,
        .restore = cloud_restore,
    };
    return c;
}

void cloud_free(struct cloud *c) {
    if (c) {
        facts_handoff_free(c->handoff);
    }
    free(c);
}

const struct cloud_ops *cloud_ops_of(struct cloud *c) {
    return &c->ops;
}

struct aws_client *cloud_aws_client(struct cloud *c) {
    return c->aws;
}
