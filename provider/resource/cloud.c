/*
 * cloud: the resource's AWS operations (see cloud.h).
 */
#include "cloud.h"

#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_parallel.h"
#include "aws_waiter.h"
#include "cfn.h"
#include "ddb.h"
#include "table_template.h"
#include "tpd_alloc.h"
#include "tpd_log.h"
#include "tpd_text.h"

/* The Description of every change set this provider creates: how a REVIEW_IN_PROGRESS
 * stack (no template of its own yet) is recognised as ours. */
#define CLOUD_CHANGE_SET_DESCRIPTION "terraform-provider-dynamodb"
/* Every token (and change set name) this provider sends starts with it; the stack events
 * of an operation carry its token, so an empty stack left by a failed create or import
 * of this provider is recognised by its events (facts.h, shell_marked). */
#define CLOUD_TOKEN_PREFIX "tfddb-"

struct cloud {
    struct aws_client *aws;
    struct tpd_stop *stop;
};

static atomic_uint s_token_counter;

struct cloud *cloud_new(struct aws_client *aws, struct tpd_stop *stop) {
    struct cloud *c = tpd_calloc(1, sizeof(*c));
    if (c) {
        c->aws = aws;
        c->stop = stop;
    }
    return c;
}

enum tpd_code cloud_pause(struct cloud *c, int64_t ns, int64_t deadline_ns) {
    return tpd_sleep(c->stop, ns, deadline_ns);
}

struct aws_client *cloud_aws_client(struct cloud *c) {
    return c->aws;
}

void cloud_free(struct cloud *c) {
    free(c);
}

static char *s_dup(const char *s) {
    return s ? tpd_strdup(s) : NULL;
}

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

static struct aws_wait_options s_wait_opts(struct cloud *c, int64_t deadline_ns) {
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

/* A token for one operation, the same for every retry of it: CloudFormation's
 * ClientToken / ClientRequestToken ([a-zA-Z0-9][-a-zA-Z0-9]*, at most 128) and a valid
 * change set name ([a-zA-Z][-a-zA-Z0-9]*). Unique across provider processes (several
 * applies may start in the same second): time plus random bytes. */
static void s_token(char *buf, size_t cap, const char *kind) {
    unsigned char rnd[6] = {0};
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        unsigned v = atomic_fetch_add(&s_token_counter, 1);
        memcpy(rnd, &v, sizeof v);
    }
    snprintf(
        buf,
        cap,
        CLOUD_TOKEN_PREFIX "%s-%lld-%02x%02x%02x%02x%02x%02x",
        kind,
        (long long)tpd_wall_s(),
        rnd[0],
        rnd[1],
        rnd[2],
        rnd[3],
        rnd[4],
        rnd[5]);
}

/* ==== facts ======================================================================== */

/* The independent reads of a table (and of its stack) run at once (aws_parallel.h): a
 * refresh costs about one round trip, not five. Each job writes only its own slot. */
enum { S_JOB_TABLE, S_JOB_TTL, S_JOB_PITR, S_JOB_TAGS, S_JOB_INSIGHTS, S_JOB_STACK, S_JOBS };

struct s_read {
    struct cloud *c;
    const char *name;
    const char *arn; /* for ListTagsOfResource; NULL: not known before DescribeTable */
    const char *stack_name;
    unsigned stack_what;
    bool run[S_JOBS];
    enum tpd_code rc[S_JOBS];
    struct tpd_err err[S_JOBS];
    struct ddb_table t;
    struct ddb_ttl ttl;
    bool pitr;
    struct ddb_tags tags;
    struct ddb_contributor_insights insights;
    struct stack_facts *stack;
};

static void s_read_job(void *ctx, size_t i) {
    struct s_read *r = ctx;
    if (!r->run[i]) {
        return;
    }
    switch (i) {
        case S_JOB_TABLE:
            r->rc[i] = ddb_describe_table(r->c->aws, r->name, &r->t, &r->err[i]);
            break;
        case S_JOB_TTL:
            r->rc[i] = ddb_describe_time_to_live(r->c->aws, r->name, &r->ttl, &r->err[i]);
            break;
        case S_JOB_PITR:
            r->rc[i] = ddb_describe_continuous_backups(r->c->aws, r->name, &r->pitr, &r->err[i]);
            break;
        case S_JOB_TAGS:
            r->rc[i] = ddb_list_tags_of_resource(r->c->aws, r->arn, &r->tags, &r->err[i]);
            break;
        case S_JOB_INSIGHTS:
            r->rc[i] = ddb_describe_contributor_insights(
                r->c->aws, r->name, NULL, &r->insights, &r->err[i]);
            break;
        case S_JOB_STACK:
            r->rc[i] = cloud_read_stack(r->c, r->stack_name, r->stack_what, r->stack, &r->err[i]);
            break;
        default:
            break;
    }
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
    out->arn = s_dup(t->arn);
    out->status = s_dup(t->status);
    out->item_count = t->item_count;
    if (!s->name || !s->hash.name || !s->hash.type) {
        return tpd_err_set(
            err, TPD_E_PARSE, "DescribeTable %s: the answer lacks the key schema", r->name);
    }
    out->ttl_status = r->ttl.status;
    r->ttl.status = NULL;
    if (table_live_ttl_active(out)) {
        s->ttl.attribute = r->ttl.attribute;
        s->ttl.enabled = true;
        r->ttl.attribute = NULL;
    }
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
    if ((t->arn && !out->arn) || (t->status && !out->status) || !s_take_extras(r, out)) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    return TPD_OK;
}

enum tpd_code cloud_read(
    struct cloud *c,
    const struct cloud_read_request *q,
    struct table_live *table,
    struct stack_facts *stack,
    struct tpd_err *err) {
    memset(table, 0, sizeof(*table));
    if (stack) {
        memset(stack, 0, sizeof(*stack));
    }
    struct s_read r;
    memset(&r, 0, sizeof(r));
    r.c = c;
    r.name = q->table;
    r.arn = q->arn_hint;
    r.stack_name = q->stack_name;
    r.stack_what = q->stack_what;
    r.stack = stack;
    r.run[S_JOB_TABLE] = r.run[S_JOB_TTL] = r.run[S_JOB_PITR] = r.run[S_JOB_INSIGHTS] = true;
    r.run[S_JOB_TAGS] = q->with_tags && q->arn_hint;
    r.run[S_JOB_STACK] = q->stack_name && stack;
    aws_parallel_run(S_JOBS, s_read_job, &r);
    if (q->with_tags && !q->arn_hint && r.rc[S_JOB_TABLE] == TPD_OK) {
        /* The table's ARN was not known before DescribeTable. */
        r.arn = r.t.arn;
        r.run[S_JOB_TAGS] = true;
        s_read_job(&r, S_JOB_TAGS);
    }
    /* No table (DescribeTable says so, or it vanished between two calls): the other
     * answers about it do not matter. */
    bool gone = r.rc[S_JOB_TABLE] == TPD_E_NOT_FOUND;
    for (size_t i = 0; i < S_JOBS; i++) {
        gone = gone || (r.run[i] && i != S_JOB_STACK && r.rc[i] == TPD_E_NOT_FOUND);
    }
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; i < S_JOBS && !rc; i++) {
        if (!r.run[i] || r.rc[i] == TPD_OK || (gone && i != S_JOB_STACK)) {
            continue;
        }
        rc = r.rc[i];
        tpd_err_move(err, &r.err[i]);
    }
    if (!rc && !gone) {
        rc = s_take_table(&r, q->with_tags, table, err);
        table->exists = rc == TPD_OK;
    }
    if (rc || gone) {
        table_live_clear(table);
    }
    if (rc && stack) {
        stack_facts_clear(stack);
    }
    for (size_t i = 0; i < S_JOBS; i++) {
        tpd_err_clear(&r.err[i]);
    }
    ddb_table_clear(&r.t);
    ddb_ttl_clear(&r.ttl);
    ddb_tags_clear(&r.tags);
    ddb_contributor_insights_clear(&r.insights);
    return rc;
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

enum tpd_code
cloud_read_adoption_extras(struct cloud *c, struct table_live *t, struct tpd_err *err) {
    const char *name = t->spec.name;
    enum tpd_code rc = ddb_describe_kinesis_streaming_destination(c->aws, name, &t->kinesis, err);
    if (!rc && t->arn) {
        rc = ddb_get_resource_policy(c->aws, t->arn, &t->resource_policy, err);
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

enum tpd_code cloud_read_table(
    struct cloud *c,
    const char *name,
    bool with_tags,
    struct table_live *out,
    struct tpd_err *err) {
    struct cloud_read_request q = {.table = name, .with_tags = with_tags};
    return cloud_read(c, &q, out, NULL, err);
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

enum tpd_code cloud_read_stack(
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
    if (!rc && out->exists && (what & CLOUD_STACK_RESOURCES)) {
        rc = s_read_resources(c, out, err);
    }
    if (!rc && out->exists && out->resources_read && out->resource_count == 0) {
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
    if (!rc && out->exists && (what & CLOUD_STACK_TEMPLATE)) {
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

enum tpd_code
cloud_find_owner(struct cloud *c, const char *table, char **stack_name, struct tpd_err *err) {
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

enum tpd_code
cloud_get_template(struct cloud *c, const char *stack, char **body, struct tpd_err *err) {
    return cfn_get_template(c->aws, stack, NULL, body, err);
}

void cloud_strv_free(char **v) {
    for (size_t i = 0; v && v[i]; i++) {
        free(v[i]);
    }
    free(v);
}

enum tpd_code cloud_list_importers(
    struct cloud *c,
    const struct stack_facts *s,
    char ***names,
    size_t *count,
    struct tpd_err *err) {
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

/* ==== acts ========================================================================== */

void cloud_deploy_result_clear(struct cloud_deploy_result *r) {
    free(r->stack_id);
    free(r->final_status);
    memset(r, 0, sizeof(*r));
}

/* Append the failure reasons of one operation (its token) to err's message. */
static void
s_add_event_reasons(struct cloud *c, const char *stack, const char *token, struct tpd_err *err) {
    char *text = NULL;
    struct tpd_err e2 = {0};
    if (cfn_collect_failure_reasons(c->aws, stack, token, &text, &e2) == TPD_OK && text && *text) {
        struct tpd_buf b;
        tpd_buf_init(&b, TPD_MAX_ERROR_MSG);
        if (tpd_buf_printf(
                &b,
                "%s\n\nStack events:\n%s",
                err->msg ? err->msg : tpd_code_str(err->code),
                text) == TPD_OK) {
            free(err->msg);
            err->msg = tpd_buf_detach(&b);
        }
        tpd_buf_clear(&b);
    }
    free(text);
    tpd_err_clear(&e2);
}

/* The resources a failed rollback left behind, from the latest operation's events. */
static void s_add_rollback_blockers(struct cloud *c, const char *stack, struct tpd_err *err) {
    s_add_event_reasons(c, stack, NULL, err);
}

enum tpd_code cloud_wait_stack_settled(
    struct cloud *c,
    const char *name,
    int64_t deadline_ns,
    struct stack_facts *out,
    struct tpd_err *err) {
    struct aws_wait_options wo = s_wait_opts(c, deadline_ns);
    char *last = NULL;
    for (int n = 0;; n++) {
        enum tpd_code rc = cloud_read_stack(c, name, CLOUD_STACK_BASIC, out, err);
        if (rc || !out->exists || !stack_status_in_progress(out->status)) {
            free(last);
            return rc;
        }
        if (!s_eq(last, out->status)) {
            TPD_INFO("stack %s: %s", name, out->status);
            free(last);
            last = s_dup(out->status);
        }
        stack_facts_clear(out);
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

enum tpd_code cloud_prepare_stack(
    struct cloud *c, struct stack_facts *s, int64_t deadline_ns, struct tpd_err *err) {
    if (!s->exists) {
        return TPD_OK;
    }
    if (stack_status_in_progress(s->status)) {
        TPD_INFO(
            "stack %s is %s (an earlier operation): waiting for it to settle", s->name, s->status);
        char *name = s_dup(s->name);
        if (!name) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        unsigned had = (s->resources_read ? CLOUD_STACK_RESOURCES : 0) |
                       (s->tpl.read ? CLOUD_STACK_TEMPLATE : 0);
        stack_facts_clear(s);
        struct stack_facts settled = {0};
        enum tpd_code rc = cloud_wait_stack_settled(c, name, deadline_ns, &settled, err);
        stack_facts_clear(&settled);
        if (!rc) {
            rc = cloud_read_stack(c, name, had, s, err);
        }
        free(name);
        if (rc || !s->exists) {
            return rc;
        }
    }
    const char *st = s->status;
    if (s_eq(st, "UPDATE_ROLLBACK_FAILED") || s_eq(st, "IMPORT_ROLLBACK_FAILED")) {
        enum tpd_code rc = tpd_err_set(
            err,
            TPD_E_FAILED,
            "stack %s is in %s: CloudFormation could not roll back its last update, and takes "
            "no change set until the rollback is finished. Continue it (aws cloudformation "
            "continue-update-rollback --stack-name %s, with --resources-to-skip for resources that "
            "cannot be rolled back), then apply again.%s%s",
            s->name,
            st,
            s->name,
            s->status_reason ? " Reason: " : "",
            s->status_reason ? s->status_reason : "");
        s_add_rollback_blockers(c, s->name, err);
        return rc;
    }
    if (s_eq(st, "DELETE_FAILED")) {
        return tpd_err_set(
            err,
            TPD_E_FAILED,
            "stack %s is in DELETE_FAILED (%s) and cannot be updated; delete it first (terraform "
            "destroy with deletion protection off) or fix it in CloudFormation",
            s->name,
            s->status_reason ? s->status_reason : "no reason given");
    }
    return TPD_OK;
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

/* Did the operation with this token start on the stack? (Its events carry it.) */
static bool s_token_seen(struct cloud *c, const char *stack, const char *token) {
    struct cfn_events ev = {0};
    struct tpd_err e = {0};
    bool seen = false;
    if (cfn_describe_stack_events(c->aws, stack, 0, 200, &ev, &e) == TPD_OK) {
        for (size_t i = 0; i < ev.count && !seen; i++) {
            seen = s_eq(ev.v[i].client_request_token, token);
        }
    }
    cfn_events_clear(&ev);
    tpd_err_clear(&e);
    return seen;
}

/*
 * CreateChangeSet, recognising its own lost first attempt: the change set name is
 * unique to this deploy, so AlreadyExistsException for it after a retry means the first
 * attempt created it (CloudFormation API reference, CreateChangeSet ClientToken).
 */
static enum tpd_code s_create_change_set(
    struct cloud *c,
    const struct cfn_create_change_set_input *in,
    char **stack_id,
    struct tpd_err *err) {
    char *cs_id = NULL;
    enum tpd_code rc = cfn_create_change_set(c->aws, in, &cs_id, stack_id, err);
    free(cs_id);
    if (rc == TPD_E_AWS && tpd_err_is_aws(err, "AlreadyExistsException")) {
        struct cfn_change_set cs = {0};
        struct tpd_err e2 = {0};
        if (cfn_describe_change_set(c->aws, in->stack_name, in->change_set_name, &cs, &e2) ==
            TPD_OK) {
            TPD_INFO(
                "stack %s: change set %s already exists (an earlier attempt of this call was "
                "answered but the answer was lost): continuing",
                in->stack_name,
                in->change_set_name);
            tpd_err_clear(err);
            free(*stack_id);
            *stack_id = s_dup(cs.stack_id);
            rc = TPD_OK;
        }
        cfn_change_set_clear(&cs);
        tpd_err_clear(&e2);
    }
    return rc;
}

/* ExecuteChangeSet, recognising its own lost first attempt: the change set is then
 * already executing or executed, or the stack's events carry our token. */
static enum tpd_code s_execute_change_set(
    struct cloud *c,
    const char *stack,
    const char *cs_name,
    const char *token,
    struct tpd_err *err) {
    enum tpd_code rc = cfn_execute_change_set(c->aws, stack, cs_name, token, err);
    if (rc != TPD_E_AWS && rc != TPD_E_NOT_FOUND) {
        return rc;
    }
    bool done = false;
    struct cfn_change_set cs = {0};
    struct tpd_err e2 = {0};
    if (cfn_describe_change_set(c->aws, stack, cs_name, &cs, &e2) == TPD_OK) {
        done = s_eq(cs.execution_status, "EXECUTE_IN_PROGRESS") ||
               s_eq(cs.execution_status, "EXECUTE_COMPLETE") ||
               s_eq(cs.execution_status, "EXECUTE_FAILED");
    }
    cfn_change_set_clear(&cs);
    tpd_err_clear(&e2);
    if (!done) {
        done = s_token_seen(c, stack, token);
    }
    if (done) {
        TPD_INFO(
            "stack %s: change set %s is already executing (an earlier attempt of this call was "
            "answered but the answer was lost): continuing",
            stack,
            cs_name);
        tpd_err_clear(err);
        return TPD_OK;
    }
    return rc;
}

enum tpd_code cloud_deploy(
    struct cloud *c,
    const struct cloud_deploy *d,
    struct cloud_deploy_result *r,
    struct tpd_err *err) {
    static const char *const type_names[] = {"create", "update", "import"};
    char cs_name[96], exec_token[112];
    s_token(cs_name, sizeof cs_name, type_names[d->type]);
    snprintf(exec_token, sizeof exec_token, "%s-x", cs_name);

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
        "AWS::DynamoDB::Table",
        d->import_logical_id ? d->import_logical_id : TABLE_TEMPLATE_LOGICAL_ID,
        &ident,
        1};
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
        .description = CLOUD_CHANGE_SET_DESCRIPTION,
        .imports = d->type == CLOUD_DEPLOY_IMPORT ? &imp : NULL,
        .import_count = d->type == CLOUD_DEPLOY_IMPORT ? 1 : 0,
        .client_token = cs_name,
    };
    char *stack_id = NULL;
    struct cfn_change_set cs = {0};
    struct cfn_stack final = {0};
    struct aws_wait_options wo = s_wait_opts(c, d->deadline_ns);

    TPD_INFO("stack %s: creating %s change set %s", d->stack_name, type_names[d->type], cs_name);
    enum tpd_code rc = s_create_change_set(c, &in, &stack_id, err);
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
        /* Nothing to change: success. Unlike `aws cloudformation deploy`, do not leave the
         * FAILED change set behind on the stack. */
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
    rc = s_execute_change_set(c, d->stack_name, cs_name, exec_token, err);
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
        s_add_event_reasons(c, d->stack_name, exec_token, err);
    }
done:
    free(stack_id);
    cfn_change_set_clear(&cs);
    cfn_stack_clear(&final);
    return rc;
}

enum tpd_code cloud_delete_stack(
    struct cloud *c,
    const char *name,
    const char *retain_logical_id,
    int64_t deadline_ns,
    struct tpd_err *err) {
    struct aws_wait_options wo = s_wait_opts(c, deadline_ns);
    struct cfn_stack final = {0};
    char token[96];
    s_token(token, sizeof token, "delete");
    /* RetainResources is only accepted for a stack already in DELETE_FAILED. */
    struct cfn_stack cur = {0};
    bool delete_failed = false;
    if (cfn_describe_stack(c->aws, name, &cur, NULL) == TPD_OK) {
        delete_failed = s_eq(cur.status, "DELETE_FAILED");
    }
    cfn_stack_clear(&cur);
    const char *retain[] = {retain_logical_id};
    bool use_retain = retain_logical_id && delete_failed;
    enum tpd_code rc =
        cfn_delete_stack(c->aws, name, use_retain ? retain : NULL, use_retain ? 1 : 0, token, err);
    if (rc == TPD_E_NOT_FOUND) {
        tpd_err_clear(err);
        return TPD_OK;
    }
    if (!rc) {
        rc = cfn_wait_stack(c->aws, name, CFN_WAIT_STACK_DELETE_COMPLETE, &wo, &final, err);
    }
    if (rc == TPD_E_FAILED && retain_logical_id && s_eq(final.status, "DELETE_FAILED") &&
        !use_retain) {
        /* The table must survive: retry keeping it explicitly. */
        s_add_event_reasons(c, name, token, err);
        TPD_INFO(
            "stack %s: DELETE_FAILED; deleting it again, keeping resource %s",
            name,
            retain_logical_id);
        cfn_stack_clear(&final);
        tpd_err_clear(err);
        s_token(token, sizeof token, "delete");
        rc = cfn_delete_stack(c->aws, name, retain, 1, token, err);
        if (!rc) {
            rc = cfn_wait_stack(c->aws, name, CFN_WAIT_STACK_DELETE_COMPLETE, &wo, &final, err);
        }
    }
    if (rc == TPD_E_FAILED) {
        s_add_event_reasons(c, name, token, err);
    }
    cfn_stack_clear(&final);
    return rc;
}

enum tpd_code
cloud_delete_table(struct cloud *c, const char *name, int64_t deadline_ns, struct tpd_err *err) {
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

/* "ACTIVE" or "UPDATING; index by_status CREATING (backfilling)": what a wait reports. */
static void s_table_progress(const struct ddb_table *t, struct tpd_text *b) {
    tpd_text_append(b, t->status ? t->status : "?");
    for (size_t i = 0; i < t->gsi_count; i++) {
        const struct ddb_index *x = &t->gsis[i];
        if (!s_eq(x->status, "ACTIVE") || x->backfilling) {
            tpd_text_printf(
                b,
                "; index %s %s%s",
                x->name,
                x->status ? x->status : "?",
                x->backfilling ? " (backfilling)" : "");
        }
    }
}

/* The progress for a log line or an error: what could not be written is said, not cut. */
static const char *s_progress_cstr(const struct tpd_text *now) {
    switch (now->rc) {
        case TPD_OK:
            return tpd_text_cstr(now);
        case TPD_E_TOO_LARGE:
            return "(the table's status is too long to show)";
        default:
            return "(out of memory writing the table's status)";
    }
}

enum tpd_code cloud_wait_table_ready(
    struct cloud *c, const char *table, int64_t deadline_ns, struct tpd_err *err) {
    struct aws_wait_options wo = s_wait_opts(c, deadline_ns);
    struct tpd_buf last;
    struct tpd_text now;
    tpd_buf_init(&last, TPD_MAX_ERROR_MSG);
    tpd_text_init(&now, TPD_MAX_ERROR_MSG);
    enum tpd_code rc = TPD_OK;
    for (int n = 0;; n++) {
        struct ddb_table t = {0};
        rc = ddb_describe_table(c->aws, table, &t, err);
        if (rc) {
            break;
        }
        bool ready = s_eq(t.status, "ACTIVE");
        for (size_t i = 0; ready && i < t.gsi_count; i++) {
            ready = s_eq(t.gsis[i].status, "ACTIVE") && !t.gsis[i].backfilling;
        }
        tpd_text_clear(&now);
        s_table_progress(&t, &now);
        ddb_table_clear(&t);
        if (ready) {
            break;
        }
        const char *progress = s_progress_cstr(&now);
        if (!tpd_span_eq(tpd_span_cstr(progress), tpd_buf_span(&last))) {
            TPD_INFO("table %s: %s: waiting until it and its indexes are ACTIVE", table, progress);
            /* Without the copy the next poll logs the same progress again, nothing worse. */
            if (tpd_buf_set(&last, tpd_span_cstr(progress)) != TPD_OK) {
                tpd_buf_reset(&last);
            }
        }
        rc = tpd_sleep(c->stop, aws_waiter_delay_ns(&wo, n), deadline_ns);
        if (rc) {
            tpd_err_set(
                err,
                rc,
                "waiting for table %s and its indexes to be ACTIVE: %s (last: %s)",
                table,
                rc == TPD_E_STOPPED ? "stopped on request" : "timed out",
                s_progress_cstr(&now));
            break;
        }
    }
    tpd_buf_clear(&last);
    tpd_text_clear(&now);
    return rc;
}

/* UpdateTable, then wait until the table and its indexes are ACTIVE: DynamoDB takes one
 * table update (and one index build) at a time. */
static enum tpd_code s_update_table(
    struct cloud *c,
    const struct ddb_update_table_input *in,
    int64_t deadline_ns,
    struct tpd_err *err) {
    enum tpd_code rc = ddb_update_table(c->aws, in, err);
    if (rc && err->aws_code && strcmp(err->aws_code, "ResourceInUseException") == 0) {
        /* The table (or an index) is still changing — after a stack update, or a change
         * made outside Terraform: DynamoDB takes one change at a time. Wait, then once
         * more. */
        tpd_err_clear(err);
        rc = cloud_wait_table_ready(c, in->name, deadline_ns, err);
        if (!rc) {
            rc = ddb_update_table(c->aws, in, err);
        }
    }
    if (!rc) {
        rc = cloud_wait_table_ready(c, in->name, deadline_ns, err);
    }
    return rc;
}

/* Create index x; `before` (borrowed, shallow) are the indexes created earlier in the
 * same run, which the live spec does not list yet. */
static enum tpd_code s_create_index(
    struct cloud *c,
    const struct table_spec *live,
    const struct table_index *const *before,
    size_t nbefore,
    const struct table_index *x,
    int64_t deadline_ns,
    struct tpd_err *err) {
    /* AttributeDefinitions: every key of the table and its indexes with the new one (the
     * table's definitions are replaced by what the request carries). */
    struct table_spec with = *live;
    struct table_index *gsis = tpd_calloc(live->gsi_count + nbefore + 1, sizeof(*gsis));
    if (!gsis) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    if (live->gsi_count) {
        memcpy(gsis, live->gsis, live->gsi_count * sizeof(*gsis));
    }
    for (size_t i = 0; i < nbefore; i++) {
        gsis[live->gsi_count + i] = *before[i]; /* shallow: borrowed, never freed here */
    }
    gsis[live->gsi_count + nbefore] = *x;
    with.gsis = gsis;
    with.gsi_count = live->gsi_count + nbefore + 1;
    struct table_attr_def *defs = NULL;
    size_t ndefs = 0;
    enum tpd_code rc = table_spec_attr_defs(&with, &defs, &ndefs, err);
    free(gsis);
    struct ddb_attr_def *in_defs = rc ? NULL : tpd_calloc(ndefs ? ndefs : 1, sizeof(*in_defs));
    if (!rc && !in_defs) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; !rc && i < ndefs; i++) {
        in_defs[i].name = defs[i].name;
        in_defs[i].type = defs[i].type;
    }
    if (!rc) {
        struct ddb_gsi_update u = {
            .action = DDB_GSI_CREATE,
            .name = x->name,
            .hash_name = x->hash.name,
            .range_name = x->range.name,
            .projection_type = x->projection ? x->projection : "ALL",
            .non_key = (const char *const *)x->non_key,
            .non_key_count = x->non_key_count,
            .read_capacity = live->provisioned ? x->read_capacity : 0,
            .write_capacity = live->provisioned ? x->write_capacity : 0,
        };
        struct ddb_update_table_input in = {
            .name = live->name,
            .gsi_updates = &u,
            .gsi_update_count = 1,
            .attr_defs = in_defs,
            .attr_def_count = ndefs,
        };
        TPD_INFO("table %s: creating index %s (UpdateTable)", live->name, x->name);
        rc = s_update_table(c, &in, deadline_ns, err);
    }
    free(in_defs);
    free(defs);
    if (rc) {
        tpd_err_prefix(err, "creating index %s of table %s: ", x->name, live->name);
    }
    return rc;
}

enum tpd_code cloud_create_indexes(
    struct cloud *c,
    const struct table_spec *live,
    const struct table_index *const *xs,
    size_t n,
    int64_t deadline_ns,
    struct tpd_err *err) {
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        rc = s_create_index(c, live, xs, i, xs[i], deadline_ns, err);
    }
    return rc;
}

/* UpdateTable for the billing mode and capacities; switching to PROVISIONED carries the
 * capacity of every index (DynamoDB needs one for each). */
static enum tpd_code s_repair_billing(
    struct cloud *c,
    const struct table_live *live,
    const struct drift_plan *p,
    const struct table_spec *want,
    int64_t deadline_ns,
    struct tpd_err *err) {
    const char *table = live->spec.name;
    TPD_INFO(
        "table %s: setting billing mode %s",
        table,
        p->provisioned_to ? "PROVISIONED" : "PAY_PER_REQUEST");
    size_t n = 0;
    struct ddb_gsi_update *u = NULL;
    if (p->billing_mode_changes && p->provisioned_to && live->spec.gsi_count) {
        u = tpd_calloc(live->spec.gsi_count, sizeof(*u));
        if (!u) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < live->spec.gsi_count; i++) {
            const struct table_index *x = &live->spec.gsis[i];
            const struct table_index *w =
                want ? table_index_find(want->gsis, want->gsi_count, x->name) : NULL;
            u[n].action = DDB_GSI_UPDATE;
            u[n].name = x->name;
            u[n].read_capacity = w && w->read_capacity > 0 ? w->read_capacity : p->read_capacity_to;
            u[n].write_capacity =
                w && w->write_capacity > 0 ? w->write_capacity : p->write_capacity_to;
            n++;
        }
    }
    struct ddb_update_table_input in = {
        .name = table,
        .billing_mode = p->billing_mode_changes
                            ? (p->provisioned_to ? "PROVISIONED" : "PAY_PER_REQUEST")
                            : NULL,
        .read_capacity = p->provisioned_to ? p->read_capacity_to : 0,
        .write_capacity = p->provisioned_to ? p->write_capacity_to : 0,
        .gsi_updates = u,
        .gsi_update_count = n,
    };
    enum tpd_code rc = s_update_table(c, &in, deadline_ns, err);
    free(u);
    return rc;
}

/* Indexes: capacities in one UpdateTable, then each missing index created in turn. */
static enum tpd_code s_repair_indexes(
    struct cloud *c,
    const struct table_live *live,
    const struct drift_plan *p,
    int64_t deadline_ns,
    struct tpd_err *err) {
    const char *table = live->spec.name;
    enum tpd_code rc = TPD_OK;
    if (p->gsi_capacity_count && !(p->billing && p->billing_mode_changes)) {
        struct ddb_gsi_update *u = tpd_calloc(p->gsi_capacity_count, sizeof(*u));
        if (!u) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < p->gsi_capacity_count; i++) {
            u[i].action = DDB_GSI_UPDATE;
            u[i].name = p->gsi_capacity[i].name;
            u[i].read_capacity = p->gsi_capacity[i].read_capacity;
            u[i].write_capacity = p->gsi_capacity[i].write_capacity;
        }
        TPD_INFO("table %s: setting the capacity of %zu index(es)", table, p->gsi_capacity_count);
        struct ddb_update_table_input in = {
            .name = table, .gsi_updates = u, .gsi_update_count = p->gsi_capacity_count};
        rc = s_update_table(c, &in, deadline_ns, err);
        free(u);
    }
    if (!rc && p->gsi_missing_count) {
        const struct table_index **xs = tpd_calloc(p->gsi_missing_count, sizeof(*xs));
        if (!xs) {
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < p->gsi_missing_count; i++) {
            TPD_INFO(
                "table %s: index %s is in the configuration but not on the table: creating it",
                table,
                p->gsi_missing[i].name);
            xs[i] = &p->gsi_missing[i];
        }
        rc = cloud_create_indexes(c, &live->spec, xs, p->gsi_missing_count, deadline_ns, err);
        free(xs);
    }
    return rc;
}

/* Stream (another view type is a new stream: disable, then enable), encryption, class,
 * on-demand maxima. */
static enum tpd_code s_repair_table_settings(
    struct cloud *c,
    const struct table_live *live,
    const struct drift_plan *p,
    int64_t deadline_ns,
    struct tpd_err *err) {
    const char *table = live->spec.name;
    enum tpd_code rc = TPD_OK;
    if (p->stream && live->spec.stream_view_type) {
        TPD_INFO("table %s: disabling stream (%s)", table, live->spec.stream_view_type);
        struct ddb_update_table_input in = {.name = table, .stream = DDB_FALSE};
        rc = s_update_table(c, &in, deadline_ns, err);
    }
    if (!rc && p->stream && p->stream_to) {
        TPD_INFO("table %s: enabling stream (%s)", table, p->stream_to);
        struct ddb_update_table_input in = {
            .name = table, .stream = DDB_TRUE, .stream_view_type = p->stream_to};
        rc = s_update_table(c, &in, deadline_ns, err);
    }
    if (!rc && p->sse) {
        TPD_INFO(
            "table %s: encryption with %s",
            table,
            !p->sse_to ? "the AWS owned key"
                       : (p->sse_key_to ? p->sse_key_to : "the AWS managed key"));
        struct ddb_update_table_input in = {
            .name = table, .sse = p->sse_to ? DDB_TRUE : DDB_FALSE, .sse_kms_key = p->sse_key_to};
        rc = s_update_table(c, &in, deadline_ns, err);
    }
    if (!rc && p->table_class) {
        TPD_INFO("table %s: table class %s", table, p->table_class_to);
        struct ddb_update_table_input in = {.name = table, .table_class = p->table_class_to};
        rc = s_update_table(c, &in, deadline_ns, err);
    }
    if (!rc && p->on_demand) {
        TPD_INFO("table %s: setting on-demand throughput limits", table);
        struct ddb_update_table_input in = {
            .name = table,
            .on_demand = true,
            .on_demand_read = p->on_demand_read_to > 0 ? p->on_demand_read_to : -1,
            .on_demand_write = p->on_demand_write_to > 0 ? p->on_demand_write_to : -1,
        };
        rc = s_update_table(c, &in, deadline_ns, err);
    }
    return rc;
}

enum tpd_code cloud_repair(
    struct cloud *c,
    const struct table_live *live,
    const struct table_spec *want,
    const struct drift_plan *p,
    int64_t deadline_ns,
    struct tpd_err *err) {
    const char *table = live->spec.name;
    const char *arn = live->arn;
    enum tpd_code rc = TPD_OK;
    if (p->ttl == DRIFT_TTL_RENAME) {
        return tpd_err_set(
            err,
            TPD_E_FAILED,
            "Time to Live of table %s is enabled on \"%s\", not \"%s\". DynamoDB cannot move an "
            "enabled TTL, and allows about one TTL change per table per hour. Rename it in two "
            "steps: set ttl = { attribute_name = \"%s\", enabled = false } and apply; about an "
            "hour later set attribute_name = \"%s\" with enabled = true and apply.",
            table,
            p->ttl_attribute,
            p->ttl_attribute_want,
            p->ttl_attribute,
            p->ttl_attribute_want);
    }
    /* Protection first when it turns on: the table is safe as early as possible. (The
     * callers waited for the table and its indexes to be ACTIVE after the stack
     * operation: CloudFormation does not wait for an index build.) */
    if (p->protection && p->protection_to) {
        TPD_INFO(
            "table %s: deletion protection was switched off outside Terraform: switching it on",
            table);
        struct ddb_update_table_input in = {.name = table, .deletion_protection = DDB_TRUE};
        rc = s_update_table(c, &in, deadline_ns, err);
    }
    if (!rc && p->billing) {
        rc = s_repair_billing(c, live, p, want, deadline_ns, err);
    }
    if (!rc) {
        rc = s_repair_indexes(c, live, p, deadline_ns, err);
    }
    if (!rc) {
        rc = s_repair_table_settings(c, live, p, deadline_ns, err);
    }
    if (!rc && p->protection && !p->protection_to) {
        TPD_INFO("table %s: switching deletion protection off as configured", table);
        struct ddb_update_table_input in = {.name = table, .deletion_protection = DDB_FALSE};
        rc = s_update_table(c, &in, deadline_ns, err);
    }
    if (!rc && p->pitr) {
        TPD_INFO("table %s: point-in-time recovery %s", table, p->pitr_to ? "on" : "off");
        rc = ddb_update_continuous_backups(c->aws, table, p->pitr_to, err);
    }
    if (!rc && p->insights) {
        TPD_INFO("table %s: contributor insights %s", table, p->insights_to ? "on" : "off");
        rc = ddb_update_contributor_insights(c->aws, table, NULL, p->insights_to, err);
    }
    if (!rc && p->tags_set_count) {
        struct ddb_tag_in *in = tpd_calloc(p->tags_set_count, sizeof(*in));
        if (!in) {
            rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        } else {
            for (size_t i = 0; i < p->tags_set_count; i++) {
                in[i].key = p->tags_set[i].key;
                in[i].value = p->tags_set[i].value;
            }
            TPD_INFO("table %s: setting %zu tag(s)", table, p->tags_set_count);
            rc = ddb_tag_resource(c->aws, arn, in, p->tags_set_count, err);
            free(in);
        }
    }
    if (!rc && p->tags_remove_count) {
        TPD_INFO("table %s: removing %zu tag(s)", table, p->tags_remove_count);
        rc = ddb_untag_resource(
            c->aws, arn, (const char *const *)p->tags_remove, p->tags_remove_count, err);
    }
    if (!rc && (p->ttl == DRIFT_TTL_ENABLE || p->ttl == DRIFT_TTL_DISABLE)) {
        bool on = p->ttl == DRIFT_TTL_ENABLE;
        TPD_INFO(
            "table %s: time to live %s on %s",
            table,
            on ? "enabled" : "disabled",
            p->ttl_attribute);
        rc = ddb_update_time_to_live(c->aws, table, p->ttl_attribute, on, err);
    }
    if (rc) {
        tpd_err_prefix(err, "repairing table %s (settings changed outside Terraform): ", table);
    }
    return rc;
}
