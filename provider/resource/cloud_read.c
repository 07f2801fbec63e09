/*
 * cloud_read: DynamoDB and CloudFormation answers translated into facts (facts.h): the
 * reads of cloud_ops (see cloud.h). The independent reads of a request run at once
 * (aws_parallel.h): a refresh costs about one round trip, not six.
 */
#include <stdlib.h>
#include <string.h>

#include "aws_parallel.h"
#include "cfn.h"
#include "cloud_internal.h"
#include "ddb.h"
#include "table_template.h"
#include "tpd_alloc.h"
#include "tpd_log.h"
#include "tpd_text.h"

static char *s_dup(const char *s) {
    return s ? tpd_strdup(s) : NULL;
}

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

/* ==== facts ======================================================================== */

/* The independent reads of a table (and of its stack) run at once (aws_parallel.h): a
 * refresh costs about one round trip, not five. Each job writes only its own slot. */
enum {
    S_JOB_TABLE,
    S_JOB_TTL,
    S_JOB_PITR,
    S_JOB_TAGS,
    S_JOB_INSIGHTS,
    S_JOB_POLICY,
    S_JOB_KINESIS,
    S_JOB_STACK0,
    S_JOB_STACK1,
    S_JOB_OWNER,
    S_JOBS
};

struct s_read {
    struct cloud *c;
    const char *name;
    const char *arn; /* for ListTagsOfResource; NULL: not known before DescribeTable */
    const struct cloud_read_request *q;
    bool run[S_JOBS];
    enum tpd_code rc[S_JOBS];
    struct tpd_err err[S_JOBS];
    struct ddb_table t;
    struct ddb_ttl ttl;
    bool pitr;
    int64_t pitr_days;
    struct ddb_tags tags;
    struct ddb_contributor_insights insights;
    char *policy;
    struct ddb_kinesis_dest *kinesis;
    size_t kinesis_count;
    struct cloud_read_result *out;
};

static enum tpd_code s_read_stack(
    struct cloud *c, const char *name, unsigned what, struct stack_facts *out, struct tpd_err *err);
static enum tpd_code s_complete_stack(
    struct cloud *c, const char *name, unsigned what, struct stack_facts *out, struct tpd_err *err);
static enum tpd_code
s_find_owner(struct cloud *c, const char *table, char **stack_name, struct tpd_err *err);

/* Called only for the jobs marked in r->run (s_run_jobs). */
static void s_read_job(void *ctx, size_t i) {
    struct s_read *r = ctx;
    switch (i) {
        case S_JOB_TABLE:
            r->rc[i] = ddb_describe_table(r->c->aws, r->name, &r->t, &r->err[i]);
            break;
        case S_JOB_TTL:
            r->rc[i] = ddb_describe_time_to_live(r->c->aws, r->name, &r->ttl, &r->err[i]);
            break;
        case S_JOB_PITR:
            r->rc[i] = ddb_describe_continuous_backups(
                r->c->aws, r->name, &r->pitr, &r->pitr_days, &r->err[i]);
            break;
        case S_JOB_TAGS:
            r->rc[i] = ddb_list_tags_of_resource(r->c->aws, r->arn, &r->tags, &r->err[i]);
            break;
        case S_JOB_INSIGHTS:
            r->rc[i] = ddb_describe_contributor_insights(
                r->c->aws, r->name, NULL, &r->insights, &r->err[i]);
            break;
        case S_JOB_POLICY:
            r->rc[i] = ddb_read_resource_policy(r->c->aws, r->arn, &r->policy, &r->err[i]);
            break;
        case S_JOB_KINESIS:
            r->rc[i] = ddb_read_kinesis_destinations(
                r->c->aws, r->name, &r->kinesis, &r->kinesis_count, &r->err[i]);
            break;
        case S_JOB_STACK0:
        case S_JOB_STACK1: {
            size_t k = i - S_JOB_STACK0;
            r->rc[i] = s_read_stack(
                r->c, r->q->stacks[k], r->q->stack_what[k], &r->out->stacks[k], &r->err[i]);
            break;
        }
        case S_JOB_OWNER:
            r->rc[i] = s_find_owner(r->c, r->q->owner_of, &r->out->owner_stack, &r->err[i]);
            break;
        default:
            break;
    }
}

/* Runs the jobs marked in run[] at once (aws_parallel.h) and makes no call for the
 * others, so that a job with nothing to do takes no worker of the pool. */
struct s_jobs {
    aws_parallel_fn *fn;
    void *ctx;
    size_t idx[S_JOBS];
};

static void s_job_at(void *ud, size_t k) {
    struct s_jobs *j = ud;
    j->fn(j->ctx, j->idx[k]);
}

static void s_run_jobs(const bool run[S_JOBS], aws_parallel_fn *fn, void *ctx) {
    struct s_jobs j = {.fn = fn, .ctx = ctx};
    size_t n = 0;
    for (size_t i = 0; i < S_JOBS; i++) {
        if (run[i]) {
            j.idx[n++] = i;
        }
    }
    aws_parallel_run(n, s_job_at, &j);
}

static int s_strp_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* DescribeTable's indexes into table_index (moved: the ddb_index strings are taken).
 * Projected attributes sorted (compared as sets), the array sorted by name. */
static bool
s_take_indexes(struct ddb_index *in, size_t n, struct table_index **out, size_t *count) {
    *out = NULL;
    *count = 0;
    if (!n) {
        return true;
    }
    struct table_index *v = tpd_calloc(n, sizeof(*v));
    if (!v) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        struct ddb_index *d = &in[i];
        struct table_index *x = &v[i];
        x->name = d->name;
        x->hash.name = d->hash.name;
        x->hash.type = d->hash.type;
        x->range.name = d->range.name;
        x->range.type = d->range.type;
        x->projection = d->projection_type;
        x->non_key = d->non_key;
        x->non_key_count = d->non_key_count;
        x->status = d->status;
        x->backfilling = d->backfilling;
        x->read_capacity = d->read_capacity;
        x->write_capacity = d->write_capacity;
        x->on_demand_read = d->on_demand_read;
        x->on_demand_write = d->on_demand_write;
        memset(d, 0, sizeof(*d));
        if (x->non_key_count > 1) {
            qsort(x->non_key, x->non_key_count, sizeof(*x->non_key), s_strp_cmp);
        }
    }
    table_index_array_sort(v, n);
    *out = v;
    *count = n;
    return true;
}

/* Stream, encryption, class, on-demand maxima, replicas, contributor insights. */
static bool s_take_extras(struct s_read *r, struct table_live *out) {
    struct table_spec *s = &out->spec;
    struct ddb_table *t = &r->t;
    if (t->stream_enabled && t->stream_view_type) {
        s->stream_view_type = t->stream_view_type;
        t->stream_view_type = NULL;
        out->stream_arn = t->stream_arn;
        t->stream_arn = NULL;
    }
    /* SSEDescription: KMS (AWS managed or customer managed key) while ENABLED or turning
     * so; absent, or another type, is the AWS owned key. */
    s->sse = s_eq(t->sse_type, "KMS") &&
             (s_eq(t->sse_status, "ENABLED") || s_eq(t->sse_status, "ENABLING") ||
              s_eq(t->sse_status, "UPDATING"));
    if (s->sse) {
        s->sse_kms_key = t->sse_kms_key_arn;
        t->sse_kms_key_arn = NULL;
    }
    if (t->table_class && !s_eq(t->table_class, "STANDARD")) {
        s->table_class = t->table_class;
        t->table_class = NULL;
    }
    if (!s->provisioned) {
        s->on_demand_read = t->on_demand_read;
        s->on_demand_write = t->on_demand_write;
    }
    s->warm_read = t->warm_read;
    s->warm_write = t->warm_write;
    out->replicas = t->replicas;
    t->replicas = NULL;
    s->contributor_insights =
        s_eq(r->insights.status, "ENABLED") || s_eq(r->insights.status, "ENABLING");
    if (s->contributor_insights && r->insights.mode &&
        !s_eq(r->insights.mode, "ACCESSED_AND_THROTTLED_KEYS")) {
        out->insights_mode = r->insights.mode;
        r->insights.mode = NULL;
    }
    return s_take_indexes(t->gsis, t->gsi_count, &s->gsis, &s->gsi_count) &&
           s_take_indexes(t->lsis, t->lsi_count, &s->lsis, &s->lsi_count);
}

/* ", "-join a name to *list (heap). */
static bool s_join(char **list, const char *name) {
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_DEFAULT);
    bool ok = tpd_buf_printf(&b, "%s%s%s", *list ? *list : "", *list ? ", " : "", name) == TPD_OK;
    char *s = ok ? tpd_buf_detach(&b) : NULL;
    tpd_buf_clear(&b);
    if (!s) {
        return false;
    }
    free(*list);
    *list = s;
    return true;
}

/* The resource policy and the Kinesis destination. The resource holds one destination
 * (KinesisStreamSpecification has one StreamArn): the first not DISABLED; several are
 * listed in t->kinesis, which an adoption refuses (adoption.h). */
static bool s_take_features(struct s_read *r, struct table_live *out) {
    struct table_spec *s = &out->spec;
    s->resource_policy = r->policy;
    r->policy = NULL;
    out->resource_policy = s->resource_policy != NULL;
    for (size_t i = 0; i < r->kinesis_count; i++) {
        struct ddb_kinesis_dest *d = &r->kinesis[i];
        /* DISABLING: on its way out, as after a repair that disabled it. */
        if (s_eq(d->status, "DISABLED") || s_eq(d->status, "ENABLE_FAILED") ||
            s_eq(d->status, "DISABLING")) {
            continue;
        }
        if (!s->kinesis_arn) {
            s->kinesis_arn = d->arn;
            s->kinesis_precision = d->precision;
            d->arn = d->precision = NULL;
        } else if (!s_join(&out->kinesis, d->arn)) {
            return false;
        }
    }
    out->features_read = true;
    return true;
}

/* DescribeTimeToLive's answer into t (moved): the status, and the attribute while TTL is
 * on or turning on. */
static void s_take_ttl(struct ddb_ttl *ttl, struct table_live *t) {
    free(t->ttl_status);
    t->ttl_status = ttl->status;
    ttl->status = NULL;
    free(t->spec.ttl.attribute);
    t->spec.ttl.attribute = NULL;
    t->spec.ttl.enabled = false;
    if (table_live_ttl_active(t)) {
        t->spec.ttl.attribute = ttl->attribute;
        t->spec.ttl.enabled = true;
        ttl->attribute = NULL;
    }
}

/* Move the answers into *out (exists and every field); rc of the first failure. */
static enum tpd_code
s_take_table(struct s_read *r, bool with_tags, struct table_live *out, struct tpd_err *err) {
    struct table_spec *s = &out->spec;
    const struct ddb_table *t = &r->t;
    s->name = s_dup(t->name ? t->name : r->name);
    s->hash.name = s_dup(t->hash.name);
    s->hash.type = s_dup(t->hash.type);
    s->range.name = s_dup(t->range.name);
    s->range.type = s_dup(t->range.type);
    s->provisioned = s_eq(t->billing_mode, "PROVISIONED");
    s->read_capacity = s->provisioned ? t->read_capacity : 0;
    s->write_capacity = s->provisioned ? t->write_capacity : 0;
    s->deletion_protection = t->deletion_protection;
    s->pitr = r->pitr;
    s->pitr_days = r->pitr ? r->pitr_days : 0;
    out->arn = s_dup(t->arn);
    out->status = s_dup(t->status);
    out->item_count = t->item_count;
    if (!s->name || !s->hash.name || !s->hash.type) {
        return tpd_err_set(
            err, TPD_E_PARSE, "DescribeTable %s: the answer lacks the key schema", r->name);
    }
    s_take_ttl(&r->ttl, out);
    if (with_tags && r->tags.count) {
        s->tags = tpd_calloc(r->tags.count, sizeof(*s->tags));
        if (!s->tags) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < r->tags.count; i++) {
            if (table_spec_is_system_tag(r->tags.v[i].key)) {
                continue; /* aws:cloudformation:* and other reserved tags are not ours */
            }
            s->tags[s->tag_count].key = r->tags.v[i].key;
            s->tags[s->tag_count].value = r->tags.v[i].value ? r->tags.v[i].value : s_dup("");
            r->tags.v[i].key = r->tags.v[i].value = NULL;
            if (!s->tags[s->tag_count++].value) {
                return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            }
        }
    }
    out->tags_read = with_tags;
    if ((t->arn && !out->arn) || (t->status && !out->status) || !s_take_extras(r, out) ||
        (r->run[S_JOB_KINESIS] && !s_take_features(r, out))) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    return TPD_OK;
}

/* The table jobs never run without a table name; a stack job without its name. */
static bool s_is_table_job(size_t i) {
    return i <= S_JOB_KINESIS;
}

enum tpd_code cloud_read(
    void *ctx,
    const struct cloud_read_request *q,
    struct cloud_read_result *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct s_read r;
    memset(&r, 0, sizeof(r));
    r.c = ctx;
    r.q = q;
    r.out = out;
    r.name = q->table;
    r.arn = q->arn_hint;
    bool table = q->table != NULL;
    bool settings = table && q->table_what != CLOUD_TABLE_DESCRIBE;
    bool now = settings && q->table_what != CLOUD_TABLE_PROBE;
    bool tags = settings && q->with_tags;
    bool features = settings && q->with_features;
    r.run[S_JOB_TABLE] = table;
    r.run[S_JOB_TTL] = r.run[S_JOB_PITR] = r.run[S_JOB_INSIGHTS] = now;
    r.run[S_JOB_TAGS] = now && tags && q->arn_hint;
    r.run[S_JOB_KINESIS] = now && features;
    r.run[S_JOB_POLICY] = now && features && q->arn_hint;
    r.run[S_JOB_STACK0] = q->stacks[0] != NULL;
    r.run[S_JOB_STACK1] = q->stacks[1] != NULL;
    r.run[S_JOB_OWNER] = q->owner_of != NULL;
    s_run_jobs(r.run, s_read_job, &r);
    if (settings && r.rc[S_JOB_TABLE] == TPD_OK) {
        /* What could not go along: the settings of a probed table that exists, the tags of
         * a table whose ARN was not known before DescribeTable; at once. */
        bool more[S_JOBS] = {0};
        more[S_JOB_TTL] = more[S_JOB_PITR] = more[S_JOB_INSIGHTS] = !now;
        more[S_JOB_TAGS] = tags && !r.run[S_JOB_TAGS];
        more[S_JOB_KINESIS] = features && !r.run[S_JOB_KINESIS];
        more[S_JOB_POLICY] = features && !r.run[S_JOB_POLICY];
        r.arn = r.arn ? r.arn : r.t.arn;
        bool any = false;
        for (size_t i = 0; i < S_JOBS; i++) {
            r.run[i] = r.run[i] || more[i];
            any = any || more[i];
        }
        if (any) {
            s_run_jobs(more, s_read_job, &r);
        }
    }
    /* A CREATING table (a restore under way, a create interrupted) refuses
     * DescribeTimeToLive (ValidationException) and its tags (ResourceNotFoundException):
     * docs/aws-behaviour.md §5.3, §5.5. It has neither yet: read as none, not as gone. */
    bool creating = table && r.rc[S_JOB_TABLE] == TPD_OK && s_eq(r.t.status, "CREATING");
    bool tags_missing = false;
    if (creating && r.run[S_JOB_TTL] && r.rc[S_JOB_TTL] &&
        tpd_err_is_aws(&r.err[S_JOB_TTL], "ValidationException")) {
        r.rc[S_JOB_TTL] = TPD_OK;
        tpd_err_clear(&r.err[S_JOB_TTL]);
    }
    if (creating && r.run[S_JOB_TAGS] && r.rc[S_JOB_TAGS] == TPD_E_NOT_FOUND) {
        r.rc[S_JOB_TAGS] = TPD_OK;
        tpd_err_clear(&r.err[S_JOB_TAGS]);
        tags_missing = true;
    }
    /* No table (DescribeTable says so, or it vanished between two calls): the other
     * answers about it do not matter. */
    bool gone = table && r.rc[S_JOB_TABLE] == TPD_E_NOT_FOUND;
    for (size_t i = 0; table && i < S_JOBS; i++) {
        gone = gone || (r.run[i] && s_is_table_job(i) && r.rc[i] == TPD_E_NOT_FOUND);
    }
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; i < S_JOBS && !rc; i++) {
        if (!r.run[i] || r.rc[i] == TPD_OK || (gone && s_is_table_job(i))) {
            continue;
        }
        rc = r.rc[i];
        tpd_err_move(err, &r.err[i]);
    }
    if (!rc && table && !gone) {
        rc = s_take_table(&r, tags && !tags_missing, &out->table, err);
        out->table.exists = rc == TPD_OK;
        out->table.settings_read = settings;
    }
    if (rc || gone) {
        table_live_clear(&out->table);
    }
    if (rc) {
        cloud_read_result_clear(out);
    }
    for (size_t i = 0; i < S_JOBS; i++) {
        tpd_err_clear(&r.err[i]);
    }
    ddb_table_clear(&r.t);
    ddb_ttl_clear(&r.ttl);
    ddb_tags_clear(&r.tags);
    ddb_contributor_insights_clear(&r.insights);
    free(r.policy);
    ddb_kinesis_dests_free(r.kinesis, r.kinesis_count);
    return rc;
}

enum tpd_code
cloud_complete_stack(void *ctx, struct stack_facts *s, unsigned what, struct tpd_err *err) {
    struct cloud *c = ctx;
    return s->name ? s_complete_stack(c, s->name, what, s, err) : TPD_OK;
}

enum tpd_code cloud_read_ttl(void *ctx, struct table_live *t, struct tpd_err *err) {
    struct cloud *c = ctx;
    struct ddb_ttl ttl = {0};
    enum tpd_code rc = ddb_describe_time_to_live(c->aws, t->spec.name, &ttl, err);
    if (!rc) {
        s_take_ttl(&ttl, t);
    }
    ddb_ttl_clear(&ttl);
    return rc;
}

enum tpd_code cloud_read_extras(void *ctx, struct table_live *t, struct tpd_err *err) {
    struct cloud *c = ctx;
    const char *name = t->spec.name;
    enum tpd_code rc = TPD_OK;
    if (!t->features_read) {
        struct s_read r;
        memset(&r, 0, sizeof(r));
        r.run[S_JOB_KINESIS] = true;
        rc = ddb_read_kinesis_destinations(c->aws, name, &r.kinesis, &r.kinesis_count, err);
        if (!rc && t->arn) {
            rc = ddb_read_resource_policy(c->aws, t->arn, &r.policy, err);
        }
        if (!rc) {
            free(t->spec.resource_policy);
            free(t->spec.kinesis_arn);
            free(t->spec.kinesis_precision);
            t->spec.resource_policy = t->spec.kinesis_arn = t->spec.kinesis_precision = NULL;
            free(t->kinesis);
            t->kinesis = NULL;
            if (!s_take_features(&r, t)) {
                rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            }
        }
        free(r.policy);
        ddb_kinesis_dests_free(r.kinesis, r.kinesis_count);
    }
    for (size_t i = 0; !rc && i < t->spec.gsi_count; i++) {
        struct ddb_contributor_insights ci = {0};
        rc = ddb_describe_contributor_insights(c->aws, name, t->spec.gsis[i].name, &ci, err);
        if (!rc && (s_eq(ci.status, "ENABLED") || s_eq(ci.status, "ENABLING")) &&
            !s_join(&t->gsi_insights, t->spec.gsis[i].name)) {
            rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        ddb_contributor_insights_clear(&ci);
    }
    if (rc) {
        tpd_err_prefix(err, "reading what table %s has besides its settings: ", name);
    }
    t->extras_read = !rc;
    return rc;
}

/* Move a cfn_stack's fields into stack facts (the cfn_stack is emptied). */
static enum tpd_code s_take_stack(struct cfn_stack *in, struct stack_facts *out) {
    out->exists = !s_eq(in->status, "DELETE_COMPLETE");
    out->id = in->id;
    out->name = in->name;
    out->status = in->status;
    out->status_reason = in->status_reason;
    out->description = in->description;
    in->id = in->name = in->status = in->status_reason = in->description = NULL;
    if (in->output_count) {
        out->outputs = tpd_calloc(in->output_count, sizeof(*out->outputs));
        if (!out->outputs) {
            return TPD_E_NOMEM;
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
            return TPD_E_NOMEM;
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

static enum tpd_code s_read_resources(struct cloud *c, struct stack_facts *s, struct tpd_err *err) {
    struct cfn_resources res = {0};
    enum tpd_code rc = cfn_describe_stack_resources(c->aws, s->name, NULL, &res, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        rc = TPD_OK; /* a stack with no resources (REVIEW_IN_PROGRESS) */
    }
    if (rc) {
        return rc;
    }
    struct tpd_buf others;
    tpd_buf_init(&others, 4096);
    bool full = false;
    for (size_t i = 0; i < res.count; i++) {
        const struct cfn_resource *r = &res.v[i];
        s->resource_count++;
        if (s_eq(r->resource_type, "AWS::DynamoDB::Table")) {
            if (s->table_count++ == 0) {
                s->table_logical_id = s_dup(r->logical_id);
                s->table_physical_id = s_dup(r->physical_id);
                s->table_resource_status = s_dup(r->status);
                if (!s->table_logical_id || (r->physical_id && !s->table_physical_id) ||
                    (r->status && !s->table_resource_status)) {
                    rc = TPD_E_NOMEM;
                }
            }
            if (s->table_count == 1) {
                continue;
            }
        }
        if (full) {
            continue;
        }
        /* other_resources decides (a stack holding more than the table is not ours): out
         * of memory fails the read. The text shown is the resources that fit in its 4096
         * bytes (a name and a type are at most 256 bytes each, so the first always fits). */
        enum tpd_code prc = tpd_buf_printf(
            &others,
            "%s%s (%s)",
            others.len ? ", " : "",
            r->logical_id ? r->logical_id : "?",
            r->resource_type ? r->resource_type : "?");
        if (prc == TPD_E_TOO_LARGE && others.len) {
            full = true;
        } else if (prc && !rc) {
            rc = prc;
        }
    }
    if (!rc && others.len) {
        s->other_resources = tpd_buf_detach(&others);
        rc = s->other_resources ? TPD_OK : TPD_E_NOMEM;
    }
    tpd_buf_clear(&others);
    cfn_resources_clear(&res);
    s->resources_read = !rc;
    return rc ? tpd_err_set(err, rc, "reading the stack's resources: out of memory") : TPD_OK;
}

/* A REVIEW_IN_PROGRESS stack has no template of its own: read the template of the
 * newest change set this provider made on it, if any. */
static enum tpd_code
s_review_template(struct cloud *c, const char *stack, char **body, struct tpd_err *err) {
    *body = NULL;
    struct cfn_change_set_summaries cs = {0};
    enum tpd_code rc = cfn_list_change_sets(c->aws, stack, &cs, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        return TPD_OK;
    }
    for (size_t i = cs.count; !rc && i-- > 0;) {
        if (s_eq(cs.v[i].description, CLOUD_CHANGE_SET_DESCRIPTION)) {
            rc = cfn_get_template(c->aws, stack, cs.v[i].name, body, err);
            if (rc == TPD_E_NOT_FOUND) {
                tpd_err_clear(err);
                rc = TPD_OK;
            }
            break;
        }
    }
    cfn_change_set_summaries_clear(&cs);
    return rc;
}

static enum tpd_code s_read_stack(
    struct cloud *c,
    const char *name,
    unsigned what,
    struct stack_facts *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct cfn_stack s = {0};
    enum tpd_code rc = cfn_describe_stack(c->aws, name, &s, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        return TPD_OK;
    }
    if (!rc) {
        rc = s_take_stack(&s, out);
        if (rc) {
            tpd_err_set(err, rc, "reading stack %s: out of memory", name);
        }
    }
    cfn_stack_clear(&s);
    if (!rc) {
        rc = s_complete_stack(c, name, what, out, err);
    }
    return rc;
}

/* The reads beyond DescribeStacks that what asks for, of a stack out read BASIC. */
static enum tpd_code s_complete_stack(
    struct cloud *c,
    const char *name,
    unsigned what,
    struct stack_facts *out,
    struct tpd_err *err) {
    enum tpd_code rc = TPD_OK;
    bool fresh = false;
    if (out->exists && (what & CLOUD_STACK_RESOURCES) && !out->resources_read) {
        rc = s_read_resources(c, out, err);
        fresh = true;
    }
    if (!rc && fresh && out->resources_read && out->resource_count == 0) {
        /* An empty stack: was it left by this provider? Its events say so. */
        struct cfn_events ev = {0};
        struct tpd_err e2 = {0};
        if (cfn_describe_stack_events(c->aws, name, 0, 100, &ev, &e2) == TPD_OK) {
            for (size_t i = 0; i < ev.count && !out->shell_marked; i++) {
                const char *tok = ev.v[i].client_request_token;
                out->shell_marked =
                    tok && !strncmp(tok, CLOUD_TOKEN_PREFIX, strlen(CLOUD_TOKEN_PREFIX));
            }
        }
        cfn_events_clear(&ev);
        tpd_err_clear(&e2);
    }
    if (!rc && out->exists && (what & CLOUD_STACK_TEMPLATE) && !out->tpl.read) {
        char *body = NULL;
        if (s_eq(out->status, "REVIEW_IN_PROGRESS")) {
            rc = s_review_template(c, name, &body, err);
        } else {
            rc = cfn_get_template(c->aws, name, NULL, &body, err);
            if (rc == TPD_E_NOT_FOUND) {
                tpd_err_clear(err);
                rc = TPD_OK;
            }
        }
        if (!rc && body) {
            rc = table_template_read(tpd_span_cstr(body), &out->tpl, err);
            if (rc == TPD_E_PARSE || rc == TPD_E_TOO_LARGE) {
                /* A template this provider cannot read is not its own: leave the facts
                 * unread, which the decisions treat as "not marked". */
                TPD_WARN("stack %s: cannot read its template: %s", name, err->msg ? err->msg : "");
                tpd_err_clear(err);
                rc = TPD_OK;
            }
        }
        free(body);
    }
    if (rc) {
        stack_facts_clear(out);
    }
    return rc;
}

static enum tpd_code
s_find_owner(struct cloud *c, const char *table, char **stack_name, struct tpd_err *err) {
    *stack_name = NULL;
    struct cfn_resources res = {0};
    enum tpd_code rc = cfn_describe_stack_resources(c->aws, NULL, table, &res, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        return TPD_OK;
    }
    if (rc) {
        return rc;
    }
    for (size_t i = 0; i < res.count && !*stack_name; i++) {
        const struct cfn_resource *r = &res.v[i];
        /* A table retained by a deleted stack (DELETE_SKIPPED), or whose import was
         * rolled back, is owned by nobody. */
        bool live = r->status && !s_eq(r->status, "DELETE_COMPLETE") &&
                    !s_eq(r->status, "DELETE_SKIPPED") &&
                    !s_eq(r->status, "IMPORT_ROLLBACK_COMPLETE") &&
                    !s_eq(r->status, "CREATE_FAILED");
        if (live && s_eq(r->resource_type, "AWS::DynamoDB::Table") && s_eq(r->physical_id, table)) {
            *stack_name = s_dup(r->stack_name);
            if (!*stack_name) {
                rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            }
        }
    }
    cfn_resources_clear(&res);
    return rc;
}

enum tpd_code cloud_get_template(void *ctx, const char *stack, char **body, struct tpd_err *err) {
    struct cloud *c = ctx;
    return cfn_get_template(c->aws, stack, NULL, body, err);
}

enum tpd_code cloud_list_importers(
    void *ctx, const struct stack_facts *s, char ***names, size_t *count, struct tpd_err *err) {
    struct cloud *c = ctx;
    *names = NULL;
    *count = 0;
    char **all = NULL;
    size_t n = 0, cap = 0;
    if (!TPD_ARRAY_RESERVE(all, cap, 1)) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    all[0] = NULL;
    for (size_t i = 0; i < s->output_count; i++) {
        if (!s->outputs[i].export_name) {
            continue;
        }
        char **imp = NULL;
        size_t k = 0;
        enum tpd_code rc = cfn_list_imports(c->aws, s->outputs[i].export_name, &imp, &k, err);
        if (rc) {
            cloud_strv_free(all);
            return rc;
        }
        for (size_t j = 0; j < k; j++) {
            bool dup = false;
            for (size_t m = 0; m < n && !dup; m++) {
                dup = strcmp(all[m], imp[j]) == 0;
            }
            if (dup) {
                continue;
            }
            char *name = s_dup(imp[j]);
            if (!name || !TPD_ARRAY_RESERVE(all, cap, n + 2)) {
                free(name);
                cfn_strv_free(imp);
                cloud_strv_free(all);
                return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            }
            all[n++] = name;
            all[n] = NULL;
        }
        cfn_strv_free(imp);
    }
    *names = all;
    *count = n;
    return TPD_OK;
}
