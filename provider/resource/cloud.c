/*
 * cloud: the resource's AWS operations over aws/ (see cloud.h).
 *
 * Change-set mechanics follow `aws cloudformation deploy` (aws-cli deployer.py) with
 * two deliberate differences: an empty change set ("didn't contain changes") is
 * deleted rather than left on the stack, and waits use the adaptive cadence of
 * aws_waiter.h (first poll after about a second) instead of 30-second polls, with
 * the timeouts of the resource and the provider's stop flag.
 */
#include "cloud.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_waiter.h"
#include "cfn.h"
#include "ddb.h"
#include "provider_internal.h"
#include "tpd_alloc.h"
#include "tpd_log.h"

#define CLOUD_DEFAULT_MAX_ATTEMPTS 10

struct cloud {
    struct aws_client *aws;
    struct tpd_stop *stop;
};

static atomic_uint s_change_set_counter;

static char *s_dup(const char *s) {
    return s ? tpd_span_strdup(tpd_span_cstr(s)) : NULL;
}

void cloud_client_options(
    const struct provider_config *cfg, struct tpd_stop *stop, struct aws_client_options *o) {
    *o = (struct aws_client_options){
        .region = cfg->region,
        .profile = cfg->profile,
        .access_key = cfg->access_key,
        .secret_key = cfg->secret_key,
        .session_token = cfg->token,
        .endpoint_dynamodb = cfg->endpoint_dynamodb,
        .endpoint_cloudformation = cfg->endpoint_cloudformation,
        .endpoint_sts = cfg->endpoint_sts,
        /* max_retries counts retries, as in the hashicorp/aws provider; the SDK's
         * standard mode counts attempts including the first. The default is higher than
         * the SDK's 3 attempts: Terraform runs up to 10 operations at once against one
         * account's shared rate limits, and a plan or apply failing on a third
         * throttled DescribeTable helps nobody (hashicorp/aws defaults to 25 retries).
         * Network failures have their own, smaller budget (aws_retry.h). */
        .max_attempts =
            cfg->max_retries >= 0 ? (int)cfg->max_retries + 1 : CLOUD_DEFAULT_MAX_ATTEMPTS,
        .assume_role =
            {.role_arn = cfg->role_arn,
             .session_name = cfg->session_name,
             .external_id = cfg->external_id},
        .stop = stop,
        .skip_region_validation = cfg->skip_region_validation,
        .ca_bundle = cfg->custom_ca_bundle,
        .http_proxy = cfg->http_proxy,
        .https_proxy = cfg->https_proxy,
        .no_proxy = cfg->no_proxy,
        .use_fips_endpoint = cfg->use_fips_endpoint,
        .use_dualstack_endpoint = cfg->use_dualstack_endpoint,
        .retry_mode = cfg->retry_mode,
    };
}

struct cloud *
cloud_new(const struct provider_config *cfg, struct tpd_stop *stop, struct tpd_err *err) {
    struct aws_client_options o;
    cloud_client_options(cfg, stop, &o);
    struct cloud *c = tpd_calloc(1, sizeof(*c));
    if (!c) {
        tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        return NULL;
    }
    c->aws = aws_client_new(&o, err);
    if (!c->aws) {
        free(c);
        return NULL;
    }
    c->stop = stop;
    return c;
}

void cloud_free(struct cloud *c) {
    if (c) {
        aws_client_free(c->aws);
        free(c);
    }
}

static struct aws_wait_options s_wait_opts(struct cloud *c, int64_t deadline_ns) {
    /* A first check at once, the next after 200 ms, then x1.2 up to 5 s: the delay stays near a
     * fifth of the time already waited, so a stack that settles after S seconds is seen about 0.2 s
     * + 20 % of S later at worst early on and within 5 s later on; real CloudFormation operations
     * take seconds to minutes, so this is a handful of DescribeStacks calls per operation. */
    struct aws_wait_options o = {0};
    o.poll_first = true;
    o.first_delay_ns = 200 * 1000000LL;
    o.factor = 1.2;
    o.max_delay_ns = 5 * 1000000000LL;
    o.deadline_ns = deadline_ns;
    o.stop = c->stop;
    return o;
}

/* ---- DynamoDB ---- */

void cloud_table_clear(struct cloud_table *t) {
    ttl_spec_clear(&t->spec);
    free(t->arn);
    free(t->status);
    memset(t, 0, sizeof(*t));
}

enum tpd_code cloud_describe_table(
    struct cloud *c, const char *name, struct cloud_table *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct ddb_table t = {0};
    enum tpd_code rc = ddb_describe_table(c->aws, name, &t, err);
    if (rc) {
        return rc;
    }
    out->spec.table_name = s_dup(t.name ? t.name : name);
    out->spec.hash_name = s_dup(t.hash.name);
    out->spec.hash_type = s_dup(t.hash.type);
    out->spec.range_name = s_dup(t.range.name);
    out->spec.range_type = s_dup(t.range.type);
    out->spec.provisioned = t.billing_mode && strcmp(t.billing_mode, "PROVISIONED") == 0;
    out->spec.read_capacity = t.read_capacity;
    out->spec.write_capacity = t.write_capacity;
    out->spec.deletion_protection = t.deletion_protection;
    out->arn = s_dup(t.arn);
    out->status = s_dup(t.status);
    out->item_count = t.item_count;
    ddb_table_clear(&t);
    if (!out->spec.table_name || !out->spec.hash_name || !out->spec.hash_type) {
        cloud_table_clear(out);
        return tpd_err_set(
            err, TPD_E_PARSE, "DescribeTable %s: the answer lacks the key schema", name);
    }
    return TPD_OK;
}

enum tpd_code cloud_describe_ttl(
    struct cloud *c, const char *name, char **status, char **attribute, struct tpd_err *err) {
    *status = NULL;
    *attribute = NULL;
    struct ddb_ttl t = {0};
    enum tpd_code rc = ddb_describe_time_to_live(c->aws, name, &t, err);
    if (!rc) {
        *status = t.status;
        *attribute = t.attribute;
        t.status = t.attribute = NULL;
    }
    ddb_ttl_clear(&t);
    return rc;
}

enum tpd_code
cloud_describe_pitr(struct cloud *c, const char *name, bool *enabled, struct tpd_err *err) {
    *enabled = false;
    return ddb_describe_continuous_backups(c->aws, name, enabled, err);
}

enum tpd_code
cloud_list_tags(struct cloud *c, const char *arn, struct ttl_spec *spec, struct tpd_err *err) {
    struct ddb_tags tags = {0};
    enum tpd_code rc = ddb_list_tags_of_resource(c->aws, arn, &tags, err);
    if (rc) {
        return rc;
    }
    for (size_t i = 0; i < spec->tag_count; i++) {
        free(spec->tags[i].key);
        free(spec->tags[i].value);
    }
    free(spec->tags);
    spec->tags = NULL;
    spec->tag_count = 0;
    if (tags.count) {
        spec->tags = tpd_calloc(tags.count, sizeof(*spec->tags));
        if (!spec->tags) {
            ddb_tags_clear(&tags);
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < tags.count; i++) {
            spec->tags[i].key = tags.v[i].key;
            spec->tags[i].value = tags.v[i].value;
            tags.v[i].key = tags.v[i].value = NULL;
        }
        spec->tag_count = tags.count;
    }
    ddb_tags_clear(&tags);
    return TPD_OK;
}

enum tpd_code
cloud_delete_table(struct cloud *c, const char *name, int64_t deadline_ns, struct tpd_err *err) {
    enum tpd_code rc = ddb_delete_table(c->aws, name, err);
    if (rc == TPD_E_NOT_FOUND) {
        return TPD_OK;
    }
    if (!rc) {
        rc = ddb_wait_table(c->aws, name, true, 1000000000LL, deadline_ns, err);
    }
    return rc;
}

/* ---- CloudFormation ---- */

void cloud_stack_clear(struct cloud_stack *s) {
    free(s->id);
    free(s->name);
    free(s->status);
    free(s->status_reason);
    for (size_t i = 0; i < s->output_count; i++) {
        free(s->outputs[i].key);
        free(s->outputs[i].value);
        free(s->outputs[i].export_name);
    }
    free(s->outputs);
    for (size_t i = 0; i < s->tag_count; i++) {
        free(s->tags[i].key);
        free(s->tags[i].value);
    }
    free(s->tags);
    memset(s, 0, sizeof(*s));
}

/* Move a cfn_stack into a cloud_stack (the cfn_stack is emptied). */
static enum tpd_code
s_take_stack(struct cfn_stack *in, struct cloud_stack *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    out->id = in->id;
    out->name = in->name;
    out->status = in->status;
    out->status_reason = in->status_reason;
    in->id = in->name = in->status = in->status_reason = NULL;
    if (in->output_count) {
        out->outputs = tpd_calloc(in->output_count, sizeof(*out->outputs));
        if (!out->outputs) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < in->output_count; i++) {
            out->outputs[i].key = in->outputs[i].key;
            out->outputs[i].value = in->outputs[i].value;
            out->outputs[i].export_name = in->outputs[i].export_name;
            in->outputs[i].key = in->outputs[i].value = in->outputs[i].export_name = NULL;
        }
        out->output_count = in->output_count;
    }
    if (in->tag_count) {
        out->tags = tpd_calloc(in->tag_count, sizeof(*out->tags));
        if (!out->tags) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < in->tag_count; i++) {
            out->tags[i].key = in->tags[i].key;
            out->tags[i].value = in->tags[i].value;
            in->tags[i].key = in->tags[i].value = NULL;
        }
        out->tag_count = in->tag_count;
    }
    return TPD_OK;
}

enum tpd_code cloud_describe_stack(
    struct cloud *c, const char *name, struct cloud_stack *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct cfn_stack s = {0};
    enum tpd_code rc = cfn_describe_stack(c->aws, name, &s, err);
    if (!rc) {
        rc = s_take_stack(&s, out, err);
        if (rc) {
            cloud_stack_clear(out);
        }
    }
    cfn_stack_clear(&s);
    return rc;
}

enum tpd_code
cloud_find_owner_stack(struct cloud *c, const char *table, char **stack_name, struct tpd_err *err) {
    *stack_name = NULL;
    struct cfn_resources res = {0};
    enum tpd_code rc = cfn_describe_stack_resources(c->aws, NULL, table, &res, err);
    if (rc) {
        return rc;
    }
    for (size_t i = 0; i < res.count && !*stack_name; i++) {
        const struct cfn_resource *r = &res.v[i];
        /* A table retained by a deleted stack (DELETE_SKIPPED) is owned by nobody. */
        bool live = r->status && strcmp(r->status, "DELETE_COMPLETE") != 0 &&
                    strcmp(r->status, "DELETE_SKIPPED") != 0;
        if (live && r->resource_type && !strcmp(r->resource_type, "AWS::DynamoDB::Table")) {
            *stack_name = s_dup(r->stack_name);
        }
    }
    cfn_resources_clear(&res);
    if (!*stack_name) {
        return tpd_err_set(err, TPD_E_NOT_FOUND, "no stack owns table %s", table);
    }
    return TPD_OK;
}

void cloud_deploy_result_clear(struct cloud_deploy_result *r) {
    free(r->stack_id);
    free(r->final_status);
    memset(r, 0, sizeof(*r));
}

/* Append the stack events' failure reasons (since since_s) to err's message. */
static void
s_add_event_reasons(struct cloud *c, const char *stack, int64_t since_s, struct tpd_err *err) {
    (void)since_s; /* replaced by client request tokens in the resource redesign */
    char *text = NULL;
    struct tpd_err e2 = {0};
    if (cfn_collect_failure_reasons(c->aws, stack, NULL, &text, &e2) == TPD_OK && text && *text) {
        struct tpd_buf b;
        tpd_buf_init(&b, TPD_MAX_ERROR_MSG * 4);
        tpd_buf_printf(
            &b, "%s\n\nStack events:\n%s", err->msg ? err->msg : tpd_code_str(err->code), text);
        free(err->msg);
        err->msg = tpd_buf_detach(&b);
    }
    free(text);
    tpd_err_clear(&e2);
}

static enum cfn_stack_waiter s_waiter_for(enum cloud_deploy_type t) {
    switch (t) {
        case CLOUD_DEPLOY_CREATE:
            return CFN_WAIT_STACK_CREATE_COMPLETE;
        case CLOUD_DEPLOY_IMPORT:
            return CFN_WAIT_STACK_IMPORT_COMPLETE;
        case CLOUD_DEPLOY_UPDATE:
            break;
    }
    return CFN_WAIT_STACK_UPDATE_COMPLETE;
}

enum tpd_code cloud_deploy(
    struct cloud *c,
    const struct cloud_deploy *d,
    struct cloud_deploy_result *r,
    struct tpd_err *err) {
    static const char *const type_names[] = {"create", "update", "import"};
    /* Unique across provider processes (several applies may start in the same second):
     * time plus random bytes. */
    unsigned char rnd[6] = {0};
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        unsigned v = atomic_fetch_add(&s_change_set_counter, 1);
        memcpy(rnd, &v, sizeof v);
    }
    char cs_name[96];
    snprintf(
        cs_name,
        sizeof cs_name,
        "terraform-%s-%lld-%02x%02x%02x%02x%02x%02x",
        type_names[d->type],
        (long long)tpd_wall_s(),
        rnd[0],
        rnd[1],
        rnd[2],
        rnd[3],
        rnd[4],
        rnd[5]);
    int64_t since_s = tpd_wall_s() - 1;

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
    struct cfn_import_resource imp = {"AWS::DynamoDB::Table", CFN_TABLE_LOGICAL_ID, &ident, 1};
    enum cfn_change_set_type cst = d->type == CLOUD_DEPLOY_CREATE   ? CFN_CHANGE_SET_CREATE
                                   : d->type == CLOUD_DEPLOY_IMPORT ? CFN_CHANGE_SET_IMPORT
                                                                    : CFN_CHANGE_SET_UPDATE;
    struct cfn_create_change_set_input in = {
        .stack_name = d->stack_name,
        .change_set_name = cs_name,
        .type = cst,
        .template_body = d->template_body,
        .tags = tags,
        .tag_count = d->tag_count,
        .clear_tags_when_empty = d->type == CLOUD_DEPLOY_UPDATE,
        .description = "terraform-provider-dynamodb",
        .imports = d->type == CLOUD_DEPLOY_IMPORT ? &imp : NULL,
        .import_count = d->type == CLOUD_DEPLOY_IMPORT ? 1 : 0,
    };
    char *cs_id = NULL, *stack_id = NULL;
    struct cfn_change_set cs = {0};
    struct cfn_stack final = {0};
    struct aws_wait_options wo = s_wait_opts(c, d->deadline_ns);

    TPD_INFO("stack %s: creating %s change set %s", d->stack_name, type_names[d->type], cs_name);
    enum tpd_code rc = cfn_create_change_set(c->aws, &in, &cs_id, &stack_id, err);
    free(tags);
    if (rc) {
        tpd_err_prefix(
            err, "CreateChangeSet (%s) for stack %s: ", type_names[d->type], d->stack_name);
        goto done;
    }
    if (stack_id) {
        free(r->stack_id);
        r->stack_id = stack_id;
        stack_id = NULL;
    }
    rc = cfn_wait_change_set_create_complete(c->aws, d->stack_name, cs_name, &wo, &cs, err);
    if (rc == TPD_E_FAILED && cfn_change_set_is_empty(cs.status, cs.status_reason)) {
        /* Nothing to change: success. Unlike `aws cloudformation deploy`, do not leave
         * the FAILED change set behind on the stack. */
        struct tpd_err ignored = {0};
        cfn_delete_change_set(c->aws, d->stack_name, cs_name, &ignored);
        tpd_err_clear(&ignored);
        tpd_err_clear(err);
        r->empty = true;
        rc = TPD_OK;
        goto done;
    }
    if (rc) {
        if (rc == TPD_E_FAILED) {
            tpd_err_set(
                err,
                TPD_E_FAILED,
                "the %s change set for stack %s failed: %s",
                type_names[d->type],
                d->stack_name,
                cs.status_reason ? cs.status_reason : "no reason given");
        }
        goto done;
    }
    TPD_INFO("stack %s: executing change set %s", d->stack_name, cs_name);
    rc = cfn_execute_change_set(c->aws, d->stack_name, cs_name, NULL, err);
    if (rc) {
        tpd_err_prefix(err, "ExecuteChangeSet for stack %s: ", d->stack_name);
        goto done;
    }
    rc = cfn_wait_stack(c->aws, d->stack_name, s_waiter_for(d->type), &wo, &final, err);
    if (final.status) {
        free(r->final_status);
        r->final_status = s_dup(final.status);
    }
    if (final.id && !r->stack_id) {
        r->stack_id = s_dup(final.id);
    }
    if (rc == TPD_E_FAILED) {
        s_add_event_reasons(c, d->stack_name, since_s, err);
    }
done:
    free(cs_id);
    free(stack_id);
    cfn_change_set_clear(&cs);
    cfn_stack_clear(&final);
    return rc;
}

static bool s_in_progress(const char *status) {
    return status && strstr(status, "_IN_PROGRESS") && strcmp(status, "REVIEW_IN_PROGRESS") != 0;
}

enum tpd_code cloud_wait_stack_settled(
    struct cloud *c,
    const char *name,
    int64_t deadline_ns,
    struct cloud_stack *out,
    struct tpd_err *err) {
    struct aws_wait_options wo = s_wait_opts(c, deadline_ns);
    char *last = NULL;
    for (int n = 0;; n++) {
        enum tpd_code rc = cloud_describe_stack(c, name, out, err);
        if (rc) {
            free(last);
            return rc;
        }
        if (!s_in_progress(out->status)) {
            free(last);
            return TPD_OK;
        }
        if (!last || strcmp(last, out->status) != 0) {
            TPD_INFO("stack %s: %s", name, out->status);
            free(last);
            last = s_dup(out->status);
        }
        cloud_stack_clear(out);
        rc = tpd_sleep(c->stop, aws_waiter_delay_ns(&wo, n), deadline_ns);
        if (rc) {
            tpd_err_set(
                err,
                rc,
                "waiting for stack %s to settle: %s (last status %s)",
                name,
                rc == TPD_E_STOPPED ? "stopped on request" : "timed out",
                last ? last : "unknown");
            free(last);
            return rc;
        }
    }
}

enum tpd_code cloud_delete_stack(
    struct cloud *c,
    const char *name,
    bool retain_table,
    int64_t deadline_ns,
    struct tpd_err *err) {
    struct aws_wait_options wo = s_wait_opts(c, deadline_ns);
    struct cfn_stack final = {0};
    int64_t since_s = tpd_wall_s() - 1;
    /* RetainResources is only accepted for a stack already in DELETE_FAILED. */
    struct cfn_stack cur = {0};
    bool delete_failed = false;
    if (cfn_describe_stack(c->aws, name, &cur, NULL) == TPD_OK) {
        delete_failed = cur.status && !strcmp(cur.status, "DELETE_FAILED");
    }
    cfn_stack_clear(&cur);
    static const char *const retain[] = {CFN_TABLE_LOGICAL_ID};
    bool use_retain = retain_table && delete_failed;
    enum tpd_code rc =
        cfn_delete_stack(c->aws, name, use_retain ? retain : NULL, use_retain ? 1 : 0, NULL, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        return TPD_OK;
    }
    if (!rc) {
        rc = cfn_wait_stack(c->aws, name, CFN_WAIT_STACK_DELETE_COMPLETE, &wo, &final, err);
    }
    if (rc == TPD_E_FAILED && retain_table && final.status &&
        !strcmp(final.status, "DELETE_FAILED") && !use_retain) {
        /* retain_on_destroy: the table must survive; retry keeping it explicitly. */
        cfn_stack_clear(&final);
        tpd_err_clear(err);
        rc = cfn_delete_stack(c->aws, name, retain, 1, NULL, err);
        if (!rc) {
            rc = cfn_wait_stack(c->aws, name, CFN_WAIT_STACK_DELETE_COMPLETE, &wo, &final, err);
        }
    }
    if (rc == TPD_E_FAILED) {
        s_add_event_reasons(c, name, since_s, err);
    }
    cfn_stack_clear(&final);
    return rc;
}

void cloud_strv_free(char **v) {
    if (v) {
        for (char **p = v; *p; p++) {
            free(*p);
        }
        free(v);
    }
}

enum tpd_code cloud_list_importers(
    struct cloud *c,
    const struct cloud_stack *stack,
    char ***names,
    size_t *count,
    struct tpd_err *err) {
    *names = NULL;
    *count = 0;
    char **all = tpd_calloc(1, sizeof(char *));
    size_t n = 0;
    if (!all) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < stack->output_count; i++) {
        if (!stack->outputs[i].export_name) {
            continue;
        }
        char **imp = NULL;
        size_t k = 0;
        enum tpd_code rc = cfn_list_imports(c->aws, stack->outputs[i].export_name, &imp, &k, err);
        if (rc) {
            cloud_strv_free(all);
            return rc;
        }
        char **grown = tpd_realloc(all, (n + k + 1) * sizeof(char *));
        if (!grown) {
            cfn_strv_free(imp);
            cloud_strv_free(all);
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        all = grown;
        for (size_t j = 0; j < k; j++) {
            bool dup = false;
            for (size_t m = 0; m < n && !dup; m++) {
                dup = strcmp(all[m], imp[j]) == 0;
            }
            if (!dup) {
                all[n++] = s_dup(imp[j]);
            }
        }
        all[n] = NULL;
        cfn_strv_free(imp);
    }
    *names = all;
    *count = n;
    return TPD_OK;
}

enum tpd_code cloud_template_retains_table(
    struct cloud *c, const char *stack, bool *retains, struct tpd_err *err) {
    *retains = false;
    char *body = NULL;
    enum tpd_code rc = cfn_get_template(c->aws, stack, NULL, &body, err);
    if (rc) {
        return rc;
    }
    json_error_t je;
    json_t *t = json_loads(body, 0, &je);
    if (!t) {
        free(body);
        return tpd_err_set(
            err,
            TPD_E_PARSE,
            "GetTemplate %s: the deployed template is not JSON: %s",
            stack,
            je.text);
    }
    const char *policy = json_string_value(json_object_get(
        json_object_get(json_object_get(t, "Resources"), CFN_TABLE_LOGICAL_ID), "DeletionPolicy"));
    *retains = policy && !strcmp(policy, "Retain");
    json_decref(t);
    free(body);
    return TPD_OK;
}
