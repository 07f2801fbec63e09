/* fake_cloud: see fake_cloud.h. */
#include "fake_cloud.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table_template.h"

/* ==== small helpers ===================================================================== */

/* A test fake: running out of memory ends the test run. */
static void *s_check(void *p) {
    if (!p) {
        fprintf(stderr, "fake_cloud: out of memory\n");
        abort();
    }
    return p;
}

static char *s_dup(const char *s) {
    return s ? s_check(strdup(s)) : NULL;
}

static bool s_eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

static int s_tag_cmp(const void *a, const void *b) {
    return strcmp(((const struct tpd_kv *)a)->key, ((const struct tpd_kv *)b)->key);
}

/* Tags sorted by key, as DynamoDB lists them to the resource (facts.h). */
static void s_tags_sort(struct tpd_kv *kv, size_t n) {
    if (n > 1) {
        qsort(kv, n, sizeof(*kv), s_tag_cmp);
    }
}

/* Same keys with the same values, in any order. */
static bool s_tags_equal(const struct tpd_kv *a, size_t na, const struct tpd_kv *b, size_t nb) {
    for (size_t i = 0; na == nb && i < na; i++) {
        const char *v = tpd_kv_find(b, nb, a[i].key);
        if (!v || strcmp(v, a[i].value) != 0) {
            return false;
        }
    }
    return na == nb;
}

void fc_set(char **field, const char *value) {
    char *v = s_dup(value);
    free(*field);
    *field = v;
}

static void s_logf(struct fake_cloud *fc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void s_logf(struct fake_cloud *fc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    enum tpd_code rc = tpd_buf_vprintf(&fc->log, fmt, ap);
    va_end(ap);
    if (rc || tpd_buf_append_byte(&fc->log, '\n')) {
        s_check(NULL);
    }
}

/* Count a call of op, run the hook due now; the failure injected for it, or NULL. */
static const struct fc_fail *s_call(struct fake_cloud *fc, enum fc_op op) {
    unsigned n = ++fc->calls[op];
    if (fc->hook && fc->hook_op == op && fc->hook_nth == n) {
        void (*fn)(void *) = fc->hook;
        fc->hook = NULL;
        fn(fc->hook_arg);
    }
    for (size_t i = 0; i < fc->fail_count; i++) {
        const struct fc_fail *f = &fc->fails[i];
        if (f->op == op && n >= f->nth && (f->count == 0 || n < f->nth + f->count)) {
            return f;
        }
    }
    return NULL;
}

static enum tpd_code s_failed(const struct fc_fail *f, struct tpd_err *err) {
    tpd_err_set(err, f->code, "%s", f->message ? f->message : "injected failure");
    if (f->aws_code) {
        tpd_err_set_aws(err, 400, f->aws_code, "fake-request");
    }
    return f->code;
}

/* ==== the world ========================================================================= */

static void s_stack_clear(struct fc_stack *s) {
    free(s->name);
    free(s->id);
    free(s->status);
    free(s->settles_to);
    free(s->status_reason);
    free(s->template_body);
    free(s->table);
    free(s->logical_id);
    free(s->table_status);
    free(s->other_resources);
    tpd_kv_array_free(s->tags, s->tag_count);
    free(s->importer);
    memset(s, 0, sizeof(*s));
}

struct fc_stack *fc_stack(struct fake_cloud *fc, const char *name) {
    for (size_t i = 0; name && i < fc->stack_count; i++) {
        if (s_eq(fc->stacks[i].name, name)) {
            return &fc->stacks[i];
        }
    }
    return NULL;
}

static void s_remove_stack(struct fake_cloud *fc, struct fc_stack *s) {
    size_t i = (size_t)(s - fc->stacks);
    s_stack_clear(s);
    memmove(&fc->stacks[i], &fc->stacks[i + 1], (fc->stack_count - i - 1) * sizeof(*s));
    fc->stack_count--;
    memset(&fc->stacks[fc->stack_count], 0, sizeof(*s));
}

static struct fc_stack *s_new_stack(struct fake_cloud *fc, const char *name, const char *status) {
    if (fc->stack_count == FC_MAX_STACKS) {
        fprintf(stderr, "fake_cloud: more than %d stacks\n", FC_MAX_STACKS);
        abort();
    }
    struct fc_stack *s = &fc->stacks[fc->stack_count++];
    memset(s, 0, sizeof(*s));
    char id[256];
    snprintf(
        id,
        sizeof id,
        "arn:aws:cloudformation:us-east-1:123456789012:stack/%s/%04u",
        name,
        ++fc->stacks_made);
    s->name = s_dup(name);
    s->id = s_dup(id);
    s->status = s_dup(status);
    return s;
}

/* What a template says about the table (template_facts; nothing read: not ours). */
static void s_template_facts(const char *body, struct template_facts *tf) {
    memset(tf, 0, sizeof(*tf));
    if (body && table_template_read(tpd_span_cstr(body), tf, NULL) != TPD_OK) {
        template_facts_clear(tf);
    }
}

struct fc_stack *fc_add_stack(
    struct fake_cloud *fc,
    const char *name,
    const char *status,
    const char *template_body,
    const char *table) {
    struct fc_stack *s = s_new_stack(fc, name, status);
    s->template_body = s_dup(template_body);
    if (table) {
        struct template_facts tf;
        s_template_facts(template_body, &tf);
        s->table = s_dup(table);
        s->logical_id = s_dup(tf.logical_id ? tf.logical_id : "Table");
        s->table_status = s_dup("CREATE_COMPLETE");
        template_facts_clear(&tf);
    }
    return s;
}

/* The table resource is live (what DescribeStackResources by physical id reports). */
static bool s_lists_table(const struct fc_stack *s, const char *table) {
    const char *st = s->table_status;
    return s_eq(s->table, table) && st && !s_eq(st, "DELETE_COMPLETE") &&
           !s_eq(st, "DELETE_SKIPPED") && !s_eq(st, "IMPORT_ROLLBACK_COMPLETE") &&
           !s_eq(st, "CREATE_FAILED");
}

static const struct fc_stack *s_owner_of(const struct fake_cloud *fc, const char *table) {
    for (size_t i = 0; table && i < fc->stack_count; i++) {
        if (s_lists_table(&fc->stacks[i], table)) {
            return &fc->stacks[i];
        }
    }
    return NULL;
}

const char *fc_owner_stack(const struct fake_cloud *fc) {
    const struct fc_stack *s = s_owner_of(fc, fc->table.spec.name);
    return s ? s->name : NULL;
}

static bool s_table_is(const struct fake_cloud *fc, const char *name) {
    return fc->table.exists && s_eq(fc->table.spec.name, name);
}

static void s_ttl_status(struct table_live *t) {
    fc_set(&t->ttl_status, t->spec.ttl.attribute && t->spec.ttl.enabled ? "ENABLED" : "DISABLED");
    if (!t->spec.ttl.enabled) {
        fc_set(&t->spec.ttl.attribute, NULL);
    }
}

static void s_indexes_active(struct table_live *t) {
    for (size_t i = 0; i < t->spec.gsi_count; i++) {
        fc_set(&t->spec.gsis[i].status, "ACTIVE");
        t->spec.gsis[i].backfilling = false;
    }
}

void fc_set_table(struct fake_cloud *fc, const struct table_spec *spec) {
    table_live_clear(&fc->table);
    struct table_live *t = &fc->table;
    if (table_spec_copy(&t->spec, spec) != TPD_OK) {
        s_check(NULL);
    }
    fc_set(&t->spec.stack_name, NULL);
    t->spec.retain_on_destroy = false;
    t->spec.table_class_set = t->spec.insights_set = false;
    t->exists = true;
    char arn[512];
    snprintf(arn, sizeof arn, FC_ARN_PREFIX "%s", spec->name);
    t->arn = s_dup(arn);
    t->status = s_dup("ACTIVE");
    t->item_count = 3;
    if (spec->stream_view_type) {
        snprintf(arn, sizeof arn, FC_ARN_PREFIX "%s/stream/1", spec->name);
        t->stream_arn = s_dup(arn);
    }
    s_ttl_status(t);
    s_indexes_active(t);
}

char *fc_template(const struct table_spec *spec, const char *owner) {
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    struct table_template_options o = {.mode = TABLE_TEMPLATE_FULL, .owner = owner};
    if (table_template_render(spec, &o, &b, NULL) != TPD_OK) {
        s_check(NULL);
    }
    char *s = s_check(tpd_buf_detach(&b));
    tpd_buf_clear(&b);
    return s;
}

/* ==== what CloudFormation does to the table (the properties fake_cloud.h lists) ========= */

/* The table resource's properties in a parsed template, and its logical id. */
static json_t *s_props(json_t *root, const char **logical_id) {
    const char *key;
    json_t *r;
    json_object_foreach(json_object_get(root, "Resources"), key, r) {
        if (s_eq(json_string_value(json_object_get(r, "Type")), "AWS::DynamoDB::Table")) {
            if (logical_id) {
                *logical_id = key;
            }
            return json_object_get(r, "Properties");
        }
    }
    return NULL;
}

static bool s_changed(json_t *old, json_t *now, const char *key) {
    json_t *a = old ? json_object_get(old, key) : NULL, *b = json_object_get(now, key);
    return !(a == b || (a && b && json_equal(a, b)));
}

static void s_key(json_t *props, const char *kind, struct table_key *k) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(props, "KeySchema"), i, e) {
        if (!s_eq(json_string_value(json_object_get(e, "KeyType")), kind)) {
            continue;
        }
        const char *name = json_string_value(json_object_get(e, "AttributeName"));
        size_t j;
        json_t *d;
        json_array_foreach(json_object_get(props, "AttributeDefinitions"), j, d) {
            if (s_eq(json_string_value(json_object_get(d, "AttributeName")), name)) {
                fc_set(&k->type, json_string_value(json_object_get(d, "AttributeType")));
            }
        }
        fc_set(&k->name, name);
    }
}

/* Apply to t the properties of now that differ from old (NULL: a new table). */
static void
s_apply(struct table_live *t, json_t *old, json_t *now, const struct template_facts *tf) {
    struct table_spec *s = &t->spec;
    if (s_changed(old, now, "DeletionProtectionEnabled")) {
        s->deletion_protection = json_is_true(json_object_get(now, "DeletionProtectionEnabled"));
    }
    if (s_changed(old, now, "BillingMode") || s_changed(old, now, "ProvisionedThroughput")) {
        json_t *pt = json_object_get(now, "ProvisionedThroughput");
        s->provisioned =
            s_eq(json_string_value(json_object_get(now, "BillingMode")), "PROVISIONED");
        s->read_capacity =
            s->provisioned ? json_integer_value(json_object_get(pt, "ReadCapacityUnits")) : 0;
        s->write_capacity =
            s->provisioned ? json_integer_value(json_object_get(pt, "WriteCapacityUnits")) : 0;
    }
    if (s_changed(old, now, "PointInTimeRecoverySpecification")) {
        json_t *p = json_object_get(now, "PointInTimeRecoverySpecification");
        s->pitr = json_is_true(json_object_get(p, "PointInTimeRecoveryEnabled"));
        json_t *days = json_object_get(p, "RecoveryPeriodInDays");
        s->pitr_days = s->pitr ? (json_is_integer(days) ? json_integer_value(days) : 35) : 0;
    }
    if (s_changed(old, now, "WarmThroughput")) {
        json_t *w = json_object_get(now, "WarmThroughput");
        if (json_integer_value(json_object_get(w, "ReadUnitsPerSecond")) > s->warm_read) {
            s->warm_read = json_integer_value(json_object_get(w, "ReadUnitsPerSecond"));
        }
        if (json_integer_value(json_object_get(w, "WriteUnitsPerSecond")) > s->warm_write) {
            s->warm_write = json_integer_value(json_object_get(w, "WriteUnitsPerSecond"));
        }
    }
    if (s_changed(old, now, "KinesisStreamSpecification")) {
        json_t *k = json_object_get(now, "KinesisStreamSpecification");
        fc_set(&s->kinesis_arn, json_string_value(json_object_get(k, "StreamArn")));
        fc_set(
            &s->kinesis_precision,
            json_string_value(json_object_get(k, "ApproximateCreationDateTimePrecision")));
    }
    if (s_changed(old, now, "ResourcePolicy")) {
        /* The handler's PutResourcePolicy with the document as JSON; left out: deleted
         * (docs/aws-behaviour.md §4.5). */
        json_t *doc = json_object_get(json_object_get(now, "ResourcePolicy"), "PolicyDocument");
        char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        fc_set(&s->resource_policy, text);
        free(text);
    }
    if (s_changed(old, now, "TimeToLiveSpecification")) {
        json_t *ttl = json_object_get(now, "TimeToLiveSpecification");
        fc_set(&s->ttl.attribute, json_string_value(json_object_get(ttl, "AttributeName")));
        s->ttl.enabled = json_is_true(json_object_get(ttl, "Enabled"));
        s_ttl_status(t);
    }
    if (s_changed(old, now, "StreamSpecification")) {
        json_t *st = json_object_get(now, "StreamSpecification");
        fc_set(&s->stream_view_type, json_string_value(json_object_get(st, "StreamViewType")));
        char arn[512];
        snprintf(arn, sizeof arn, "%s/stream/%s", t->arn, s->stream_view_type ? "2" : "0");
        fc_set(&t->stream_arn, s->stream_view_type ? arn : NULL);
    }
    if (s_changed(old, now, "Tags")) {
        tpd_kv_array_free(s->tags, s->tag_count);
        s->tags = NULL;
        s->tag_count = 0;
        json_t *tags = json_object_get(now, "Tags");
        if (json_array_size(tags)) {
            s->tags = s_check(calloc(json_array_size(tags), sizeof(*s->tags)));
        }
        size_t i;
        json_t *e;
        json_array_foreach(tags, i, e) {
            struct tpd_kv *kv = &s->tags[s->tag_count++];
            kv->key = s_dup(json_string_value(json_object_get(e, "Key")));
            kv->value = s_dup(json_string_value(json_object_get(e, "Value")));
        }
        s_tags_sort(s->tags, s->tag_count);
    }
    if (s_changed(old, now, "SSESpecification")) {
        json_t *sse = json_object_get(now, "SSESpecification");
        const char *key = json_string_value(json_object_get(sse, "KMSMasterKeyId"));
        s->sse = json_is_true(json_object_get(sse, "SSEEnabled"));
        /* DynamoDB reports the key's ARN, also for the AWS managed key. */
        fc_set(&s->sse_kms_key, s->sse ? (key ? key : FC_AWS_MANAGED_KEY) : NULL);
    }
    if (s_changed(old, now, "TableClass")) {
        const char *c = json_string_value(json_object_get(now, "TableClass"));
        fc_set(&s->table_class, s_eq(c, "STANDARD") ? NULL : c);
    }
    if (s_changed(old, now, "ContributorInsightsSpecification")) {
        json_t *ci = json_object_get(now, "ContributorInsightsSpecification");
        s->contributor_insights = json_is_true(json_object_get(ci, "Enabled"));
    }
    if (s_changed(old, now, "GlobalSecondaryIndexes")) {
        table_index_array_free(s->gsis, s->gsi_count);
        s->gsis = NULL;
        s->gsi_count = 0;
        if (table_index_array_copy(tf->gsis, tf->gsi_count, &s->gsis) != TPD_OK) {
            s_check(NULL);
        }
        s->gsi_count = tf->gsi_count;
        s_indexes_active(t);
    }
}

/* Index creations and deletions from a to b (a redefined index counts twice). */
static size_t s_index_changes(const struct template_facts *a, const struct template_facts *b) {
    size_t n = 0;
    for (size_t i = 0; i < a->gsi_count; i++) {
        const struct table_index *x = table_index_find(b->gsis, b->gsi_count, a->gsis[i].name);
        n += !x ? 1 : table_index_same_definition(x, &a->gsis[i]) ? 0 : 2;
    }
    for (size_t i = 0; i < b->gsi_count; i++) {
        n += !table_index_find(a->gsis, a->gsi_count, b->gsis[i].name);
    }
    return n;
}

/* ==== reads ============================================================================= */

static void s_live_copy(
    struct table_live *dst, const struct table_live *src, bool with_tags, bool with_features) {
    memset(dst, 0, sizeof(*dst));
    if (table_spec_copy(&dst->spec, &src->spec) != TPD_OK) {
        s_check(NULL);
    }
    dst->features_read = with_features;
    if (!with_features) {
        free(dst->spec.resource_policy);
        free(dst->spec.kinesis_arn);
        free(dst->spec.kinesis_precision);
        dst->spec.resource_policy = dst->spec.kinesis_arn = dst->spec.kinesis_precision = NULL;
    } else {
        dst->resource_policy = dst->spec.resource_policy != NULL;
        dst->kinesis = s_dup(src->kinesis);
    }
    if (!with_tags) {
        tpd_kv_array_free(dst->spec.tags, dst->spec.tag_count);
        dst->spec.tags = NULL;
        dst->spec.tag_count = 0;
    }
    dst->exists = true;
    dst->arn = s_dup(src->arn);
    dst->status = s_dup(src->status);
    dst->ttl_status = s_dup(src->ttl_status);
    dst->item_count = src->item_count;
    dst->tags_read = with_tags;
    dst->stream_arn = s_dup(src->stream_arn);
    dst->replicas = s_dup(src->replicas);
}

static void s_stack_facts(const struct fc_stack *s, unsigned what, struct stack_facts *out) {
    memset(out, 0, sizeof(*out));
    if (!s) {
        return;
    }
    out->exists = true;
    out->id = s_dup(s->id);
    out->name = s_dup(s->name);
    out->status = s_dup(s->status);
    out->status_reason = s_dup(s->status_reason);
    json_t *root = s->template_body ? json_loads(s->template_body, 0, NULL) : NULL;
    if (!s_eq(s->status, "REVIEW_IN_PROGRESS")) {
        out->description = s_dup(json_string_value(json_object_get(root, "Description")));
    }
    json_decref(root);
    if (s->tag_count && tpd_kv_array_copy(s->tags, s->tag_count, &out->tags) != TPD_OK) {
        s_check(NULL);
    }
    out->tag_count = s->tag_count;
    if (what & CLOUD_STACK_RESOURCES) {
        out->resources_read = true;
        out->resource_count = (s->table ? 1 : 0) + s->other_count;
        out->table_count = s->table ? 1 : 0;
        out->table_logical_id = s_dup(s->table ? s->logical_id : NULL);
        out->table_physical_id = s_dup(s->table);
        out->table_resource_status = s_dup(s->table ? s->table_status : NULL);
        out->other_resources = s_dup(s->other_resources);
        out->shell_marked = out->resource_count == 0 && s->by_provider;
    }
    if (what & CLOUD_STACK_TEMPLATE) {
        s_template_facts(s->template_body, &out->tpl);
    }
}

static enum tpd_code s_read(
    void *ctx,
    const struct cloud_read_request *q,
    struct cloud_read_result *out,
    struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    memset(out, 0, sizeof(*out));
    const struct fc_fail *f = s_call(fc, FC_READ);
    if (f) {
        return s_failed(f, err);
    }
    if (q->table) {
        fc->table_reads[q->table_what < 3 ? q->table_what : 0]++;
    }
    if (q->table && s_table_is(fc, q->table)) {
        bool settings = q->table_what != CLOUD_TABLE_DESCRIBE;
        s_live_copy(
            &out->table, &fc->table, settings && q->with_tags, settings && q->with_features);
        out->table.settings_read = settings;
        if (!settings) {
            /* DescribeTable alone: what it does not report stays unknown, as cloud_read
             * leaves it. */
            fc_set(&out->table.ttl_status, NULL);
            fc_set(&out->table.spec.ttl.attribute, NULL);
            out->table.spec.ttl.enabled = false;
            out->table.spec.pitr = false;
            out->table.spec.contributor_insights = false;
        }
    }
    for (size_t i = 0; i < 2; i++) {
        if (q->stacks[i]) {
            s_stack_facts(fc_stack(fc, q->stacks[i]), q->stack_what[i], &out->stacks[i]);
        }
    }
    const struct fc_stack *owner = s_owner_of(fc, q->owner_of);
    out->owner_stack = owner ? s_dup(owner->name) : NULL;
    return TPD_OK;
}

static enum tpd_code s_read_extras(void *ctx, struct table_live *t, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    const struct fc_fail *f = s_call(fc, FC_READ_EXTRAS);
    if (f) {
        return s_failed(f, err);
    }
    fc_set(&t->kinesis, fc->table.kinesis);
    fc_set(&t->spec.resource_policy, fc->table.spec.resource_policy);
    fc_set(&t->spec.kinesis_arn, fc->table.spec.kinesis_arn);
    fc_set(&t->spec.kinesis_precision, fc->table.spec.kinesis_precision);
    t->resource_policy = fc->table.spec.resource_policy != NULL;
    t->features_read = true;
    fc_set(&t->gsi_insights, fc->table.gsi_insights);
    fc_set(&t->insights_mode, fc->table.insights_mode);
    t->extras_read = true;
    return TPD_OK;
}

static enum tpd_code s_read_ttl(void *ctx, struct table_live *t, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    const struct fc_fail *f = s_call(fc, FC_READ_TTL);
    if (f) {
        return s_failed(f, err);
    }
    if (!s_table_is(fc, t->spec.name)) {
        return tpd_err_set(err, TPD_E_NOT_FOUND, "table %s not found", t->spec.name);
    }
    fc_set(&t->ttl_status, fc->table.ttl_status);
    fc_set(&t->spec.ttl.attribute, fc->table.spec.ttl.attribute);
    t->spec.ttl.enabled = fc->table.spec.ttl.enabled;
    return TPD_OK;
}

static enum tpd_code
s_complete_stack(void *ctx, struct stack_facts *s, unsigned what, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    const struct fc_fail *f = s_call(fc, FC_COMPLETE_STACK);
    if (f) {
        stack_facts_clear(s);
        return s_failed(f, err);
    }
    char *name = s_dup(s->name);
    stack_facts_clear(s);
    s_stack_facts(fc_stack(fc, name), what, s);
    free(name);
    return TPD_OK;
}

static enum tpd_code s_list_importers(
    void *ctx, const struct stack_facts *s, char ***names, size_t *count, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    *names = NULL;
    *count = 0;
    const struct fc_fail *f = s_call(fc, FC_LIST_IMPORTERS);
    if (f) {
        return s_failed(f, err);
    }
    const struct fc_stack *st = fc_stack(fc, s->name);
    *names = s_check(calloc(2, sizeof(**names)));
    if (st && st->importer) {
        (*names)[(*count)++] = s_dup(st->importer);
    }
    return TPD_OK;
}

static enum tpd_code
s_get_template(void *ctx, const char *stack, char **body, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    *body = NULL;
    const struct fc_fail *f = s_call(fc, FC_GET_TEMPLATE);
    if (f) {
        return s_failed(f, err);
    }
    const struct fc_stack *s = fc_stack(fc, stack);
    if (!s || !s->template_body) {
        return tpd_err_set(err, TPD_E_NOT_FOUND, "fake_cloud: stack %s has no template", stack);
    }
    *body = s_dup(s->template_body);
    return TPD_OK;
}

/* ==== acts ============================================================================== */

/* The status a deploy of type leaves: in progress, complete, rolled back. */
static const char *const s_status[3][3] = {
    [CLOUD_DEPLOY_CREATE] = {"CREATE_IN_PROGRESS", "CREATE_COMPLETE", "ROLLBACK_COMPLETE"},
    [CLOUD_DEPLOY_UPDATE] = {"UPDATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"},
    [CLOUD_DEPLOY_IMPORT] = {"IMPORT_IN_PROGRESS", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"},
};

static bool s_busy(const struct fc_stack *s) {
    return s->settles_to != NULL;
}

/* A deploy's change, once it executes (the stack exists: made or found). NULL: done;
 * else why CloudFormation rolled it back. */
static const char *s_deploy_change(
    struct fake_cloud *fc,
    const struct cloud_deploy *d,
    struct fc_stack *s,
    json_t *root,
    const struct template_facts *tf) {
    const char *logical_id = NULL;
    json_t *props = s_props(root, &logical_id);
    switch (d->type) {
        case CLOUD_DEPLOY_CREATE: {
            const char *name = json_string_value(json_object_get(props, "TableName"));
            if (!name) {
                return "the template has no table";
            }
            if (s_table_is(fc, name)) {
                return "Table already exists";
            }
            table_live_clear(&fc->table);
            struct table_live *t = &fc->table;
            t->exists = true;
            t->spec.name = s_dup(name);
            s_key(props, "HASH", &t->spec.hash);
            s_key(props, "RANGE", &t->spec.range);
            char arn[512];
            snprintf(arn, sizeof arn, FC_ARN_PREFIX "%s", name);
            t->arn = s_dup(arn);
            t->status = s_dup("ACTIVE");
            s_apply(t, NULL, props, tf);
            s_ttl_status(t);
            fc_set(&s->table, name);
            break;
        }
        case CLOUD_DEPLOY_UPDATE: {
            json_t *old_root = json_loads(s->template_body, 0, NULL);
            struct template_facts old_tf;
            s_template_facts(s->template_body, &old_tf);
            size_t changes = s_index_changes(&old_tf, tf);
            json_t *old_props = s_props(old_root, NULL);
            /* CloudFormation refuses to drop SSESpecification (docs/aws-behaviour.md §4.4). */
            bool drops_sse = json_object_get(old_props, "SSESpecification") &&
                             !json_object_get(props, "SSESpecification");
            if (changes <= 1 && !drops_sse && s->table && s_table_is(fc, s->table)) {
                s_apply(&fc->table, old_props, props, tf);
            }
            template_facts_clear(&old_tf);
            json_decref(old_root);
            if (changes > 1) {
                return "Cannot perform more than one GSI creation or deletion in a single update";
            }
            if (drops_sse) {
                return "SSESpecification cannot be removed from the template";
            }
            break;
        }
        case CLOUD_DEPLOY_IMPORT:
            if (!s_table_is(fc, d->import_table)) {
                return "the resource to import does not exist";
            }
            fc_set(&s->table, d->import_table);
            break;
    }
    fc_set(&s->logical_id, d->type == CLOUD_DEPLOY_IMPORT ? d->import_logical_id : logical_id);
    fc_set(&s->template_body, d->template_body);
    if (d->type != CLOUD_DEPLOY_IMPORT) {
        tpd_kv_array_free(s->tags, s->tag_count);
        s->tags = NULL;
        if (d->tag_count && tpd_kv_array_copy(d->tags, d->tag_count, &s->tags) != TPD_OK) {
            s_check(NULL);
        }
        s->tag_count = d->tag_count;
    }
    if (s->table) {
        fc_set(&s->table_status, s_status[d->type][1]);
    }
    return NULL;
}

/* Why CloudFormation refuses the change set before anything runs (err set), or NULL. */
static const char *s_refused(
    struct fake_cloud *fc, const struct cloud_deploy *d, struct fc_stack *s, struct tpd_err *err) {
    static const char *const stuck[] = {
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "DELETE_FAILED",
        "UPDATE_ROLLBACK_FAILED",
        "IMPORT_ROLLBACK_FAILED",
    };
    bool review = s && s_eq(s->status, "REVIEW_IN_PROGRESS");
    if (s && s_busy(s)) {
        tpd_err_set(
            err, TPD_E_AWS, "Stack:%s is in %s state and can not be updated.", s->name, s->status);
        tpd_err_set_aws(err, 400, "ValidationError", "fake-request");
        return " (busy)";
    }
    if (d->type == CLOUD_DEPLOY_CREATE && s && !review) {
        tpd_err_set(err, TPD_E_AWS, "Stack [%s] already exists", s->name);
        tpd_err_set_aws(err, 400, "AlreadyExistsException", "fake-request");
        return " (exists)";
    }
    if (d->type == CLOUD_DEPLOY_UPDATE && (!s || review)) {
        tpd_err_set(err, TPD_E_AWS, "Stack:%s does not exist", d->stack_name);
        tpd_err_set_aws(err, 400, "ValidationError", "fake-request");
        return " (no stack)";
    }
    for (size_t i = 0; s && i < sizeof stuck / sizeof stuck[0]; i++) {
        if (s_eq(s->status, stuck[i])) {
            tpd_err_set(
                err,
                TPD_E_AWS,
                "Stack:%s is in %s state and can not be updated.",
                s->name,
                s->status);
            tpd_err_set_aws(err, 400, "ValidationError", "fake-request");
            return " (cannot be updated)";
        }
    }
    const struct fc_stack *owner =
        d->type == CLOUD_DEPLOY_IMPORT ? s_owner_of(fc, d->import_table) : NULL;
    if (owner && owner != s) {
        tpd_err_set(
            err,
            TPD_E_FAILED,
            "the import change set for stack %s failed: %s already exists in stack %s",
            d->stack_name,
            d->import_table,
            owner->id);
        return " (refused)";
    }
    return NULL;
}

static enum tpd_code s_deploy(
    void *ctx, const struct cloud_deploy *d, struct cloud_deploy_result *r, struct tpd_err *err) {
    static const char *const types[] = {"create", "update", "import"};
    struct fake_cloud *fc = ctx;
    facts_handoff_forget(fc->handoff, d->stack_name);
    facts_handoff_forget(fc->handoff, d->import_table);
    memset(r, 0, sizeof(*r));
    const struct fc_fail *f = s_call(fc, FC_DEPLOY);
    if (fc->deploy_count < FC_MAX_DEPLOYS) {
        fc->deployed[fc->deploy_count++] = s_dup(d->template_body);
    }
    const char *outcome = "", *refused = NULL;
    enum tpd_code rc = TPD_OK;
    struct fc_stack *s = fc_stack(fc, d->stack_name);
    json_t *root = json_loads(d->template_body, 0, NULL);
    struct template_facts tf;
    s_template_facts(d->template_body, &tf);
    if (!root || !tf.read) {
        rc = tpd_err_set(err, TPD_E_INVALID, "fake_cloud: the template cannot be read");
        outcome = " (invalid template)";
    } else if ((refused = s_refused(fc, d, s, err)) != NULL) {
        rc = err->code;
        outcome = refused;
    } else if (
        !f && d->type == CLOUD_DEPLOY_UPDATE && s_eq(s->template_body, d->template_body) &&
        s_tags_equal(s->tags, s->tag_count, d->tags, d->tag_count)) {
        r->empty = true;
        r->stack_id = s_dup(s->id);
        outcome = " (empty)";
    } else {
        if (!s) {
            s = s_new_stack(fc, d->stack_name, "REVIEW_IN_PROGRESS");
            s->by_provider = true;
            fc_set(&s->template_body, d->template_body);
        }
        r->stack_id = s_dup(s->id);
        if (f && f->how == FC_DEPLOY_REFUSED) {
            rc = s_failed(f, err);
            outcome = " (refused)";
        } else {
            r->executed = true;
            const char *why = f && f->how == FC_DEPLOY_ROLLED_BACK
                                  ? (f->message ? f->message : "injected")
                                  : s_deploy_change(fc, d, s, root, &tf);
            if (why) {
                fc_set(&s->status, s_status[d->type][2]);
                fc_set(&s->status_reason, why);
                rc = f ? s_failed(f, err)
                       : tpd_err_set(
                             err, TPD_E_FAILED, "stack %s is %s: %s", s->name, s->status, why);
                outcome = " (rolled back)";
            } else if (f && f->how == FC_DEPLOY_INTERRUPTED) {
                fc_set(&s->status, s_status[d->type][0]);
                fc_set(&s->settles_to, s_status[d->type][1]);
                fc_set(&s->table_status, s->table ? s_status[d->type][0] : NULL);
                if (d->type == CLOUD_DEPLOY_CREATE) {
                    fc_set(&fc->table.status, "CREATING");
                }
                rc = s_failed(f, err);
                outcome = " (interrupted)";
            } else {
                fc_set(&s->status, s_status[d->type][1]);
                fc_set(&s->status_reason, NULL);
            }
            r->final_status = s_dup(s_busy(s) ? NULL : s->status);
        }
    }
    s_logf(fc, "deploy %s %s%s", types[d->type], d->stack_name, outcome);
    template_facts_clear(&tf);
    json_decref(root);
    return rc;
}

static enum tpd_code s_delete_stack(
    void *ctx,
    const char *name,
    const char *retain_logical_id,
    int64_t deadline_ns,
    struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    facts_handoff_forget(fc->handoff, name);
    (void)deadline_ns;
    const struct fc_fail *f = s_call(fc, FC_DELETE_STACK);
    const char *retain = retain_logical_id ? " retain=" : "";
    const char *outcome = "";
    enum tpd_code rc = TPD_OK;
    struct fc_stack *s = fc_stack(fc, name);
    if (f) {
        rc = s_failed(f, err);
        outcome = " (failed)";
    } else if (s && s_busy(s)) {
        rc = tpd_err_set(err, TPD_E_AWS, "Stack %s is %s", name, s->status);
        tpd_err_set_aws(err, 400, "ValidationError", "fake-request");
        outcome = " (busy)";
    } else if (s) {
        struct template_facts tf;
        s_template_facts(s->template_body, &tf);
        bool holds = s->table && s_lists_table(s, s->table) && s_table_is(fc, s->table);
        bool policy_keeps =
            s_eq(tf.deletion_policy, "Retain") || s_eq(tf.deletion_policy, "RetainExceptOnCreate");
        /* RetainResources is accepted for a stack in DELETE_FAILED only: the first delete
         * of a protected table fails, the second keeps it (cfn_deploy_delete_stack). */
        bool kept = s_eq(retain_logical_id, s->logical_id) &&
                    (s_eq(s->status, "DELETE_FAILED") || fc->table.spec.deletion_protection);
        if (holds && !policy_keeps && !kept && fc->table.spec.deletion_protection) {
            fc_set(&s->status, "DELETE_FAILED");
            fc_set(&s->table_status, "DELETE_FAILED");
            fc_set(&s->status_reason, "The following resource(s) failed to delete: [Table].");
            rc = tpd_err_set(
                err,
                TPD_E_FAILED,
                "stack %s is DELETE_FAILED: table %s has deletion protection",
                name,
                s->table);
            outcome = " (DELETE_FAILED)";
        } else {
            if (holds && !policy_keeps && !kept) {
                table_live_clear(&fc->table);
            }
            s_remove_stack(fc, s);
        }
        template_facts_clear(&tf);
    }
    s_logf(
        fc,
        "delete_stack %s%s%s%s",
        name,
        retain,
        retain_logical_id ? retain_logical_id : "",
        outcome);
    return rc;
}

static enum tpd_code
s_wait_stack(void *ctx, const char *name, int64_t deadline_ns, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    (void)deadline_ns;
    const struct fc_fail *f = s_call(fc, FC_WAIT_STACK);
    s_logf(fc, "wait_stack %s%s", name, f ? " (failed)" : "");
    if (f) {
        return s_failed(f, err);
    }
    struct fc_stack *s = fc_stack(fc, name);
    if (s && s_busy(s)) {
        fc_set(&s->status, s->settles_to);
        fc_set(&s->settles_to, NULL);
        if (s->table) {
            fc_set(&s->table_status, s->status);
        }
        if (s->table && s_table_is(fc, s->table)) {
            fc_set(&fc->table.status, "ACTIVE");
        }
    }
    return TPD_OK;
}

static enum tpd_code
s_delete_table(void *ctx, const char *name, int64_t deadline_ns, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    facts_handoff_forget(fc->handoff, name);
    (void)deadline_ns;
    const struct fc_fail *f = s_call(fc, FC_DELETE_TABLE);
    enum tpd_code rc = TPD_OK;
    const char *outcome = "";
    if (f) {
        rc = s_failed(f, err);
        outcome = " (failed)";
    } else if (s_table_is(fc, name) && fc->table.spec.deletion_protection) {
        rc = tpd_err_set(
            err,
            TPD_E_AWS,
            "Resource cannot be deleted as it is currently protected against deletion");
        tpd_err_set_aws(err, 400, "ValidationException", "fake-request");
        outcome = " (protected)";
    } else if (s_table_is(fc, name)) {
        table_live_clear(&fc->table);
    }
    s_logf(fc, "delete_table %s%s", name, outcome);
    return rc;
}

static enum tpd_code
s_wait_table_ready(void *ctx, const char *table, int64_t deadline_ns, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    (void)deadline_ns;
    const struct fc_fail *f = s_call(fc, FC_WAIT_TABLE);
    if (f) {
        return s_failed(f, err);
    }
    if (!s_table_is(fc, table)) {
        return tpd_err_set(err, TPD_E_NOT_FOUND, "fake_cloud: no table %s", table);
    }
    fc_set(&fc->table.status, "ACTIVE");
    s_indexes_active(&fc->table);
    return TPD_OK;
}

/* One repair step, applied to the table. */
static void s_repair_step(struct table_live *t, const struct repair_step *st) {
    struct table_spec *s = &t->spec;
    switch (st->kind) {
        case REPAIR_UPDATE_TABLE:
            if (st->deletion_protection != REPAIR_UNSET) {
                s->deletion_protection = st->deletion_protection == REPAIR_ON;
            }
            if (st->billing_mode) {
                s->provisioned = s_eq(st->billing_mode, "PROVISIONED");
            }
            if (st->read_capacity > 0) {
                s->read_capacity = st->read_capacity;
                s->write_capacity = st->write_capacity;
            }
            for (size_t i = 0; i < st->gsi_capacity_count; i++) {
                for (size_t j = 0; j < s->gsi_count; j++) {
                    if (s_eq(s->gsis[j].name, st->gsi_capacity[i].name)) {
                        s->gsis[j].read_capacity = st->gsi_capacity[i].read_capacity;
                        s->gsis[j].write_capacity = st->gsi_capacity[i].write_capacity;
                    }
                }
            }
            if (st->stream != REPAIR_UNSET) {
                fc_set(&s->stream_view_type, st->stream == REPAIR_ON ? st->stream_view_type : NULL);
            }
            if (st->sse != REPAIR_UNSET) {
                s->sse = st->sse == REPAIR_ON;
                fc_set(&s->sse_kms_key, s->sse ? st->sse_kms_key : NULL);
            }
            if (st->table_class) {
                fc_set(&s->table_class, st->table_class);
            }
            if (st->on_demand) {
                s->on_demand_read = st->on_demand_read > 0 ? st->on_demand_read : 0;
                s->on_demand_write = st->on_demand_write > 0 ? st->on_demand_write : 0;
            }
            s->warm_read = st->warm_read > 0 ? st->warm_read : s->warm_read;
            s->warm_write = st->warm_write > 0 ? st->warm_write : s->warm_write;
            break;
        case REPAIR_CREATE_INDEX: {
            struct table_index *v = s_check(realloc(s->gsis, (s->gsi_count + 1) * sizeof(*v)));
            s->gsis = v;
            if (table_index_copy(&v[s->gsi_count++], &st->index) != TPD_OK) {
                s_check(NULL);
            }
            table_index_array_sort(s->gsis, s->gsi_count);
            s_indexes_active(t);
            break;
        }
        case REPAIR_PITR:
            s->pitr = st->on;
            s->pitr_days = st->on ? (st->pitr_days > 0 ? st->pitr_days : 35) : 0;
            break;
        case REPAIR_POLICY:
            fc_set(&s->resource_policy, st->policy);
            break;
        case REPAIR_KINESIS_OFF:
            fc_set(&s->kinesis_arn, NULL);
            fc_set(&s->kinesis_precision, NULL);
            break;
        case REPAIR_KINESIS_ON:
        case REPAIR_KINESIS_PRECISION:
            fc_set(&s->kinesis_arn, st->kinesis_arn);
            fc_set(&s->kinesis_precision, st->kinesis_precision);
            break;
        case REPAIR_INSIGHTS:
            s->contributor_insights = st->on;
            break;
        case REPAIR_TAG:
            for (size_t i = 0; i < st->tag_count; i++) {
                bool found = false;
                for (size_t j = 0; j < s->tag_count && !found; j++) {
                    found = s_eq(s->tags[j].key, st->tags[i].key);
                    if (found) {
                        fc_set(&s->tags[j].value, st->tags[i].value);
                    }
                }
                if (!found) {
                    s->tags = s_check(realloc(s->tags, (s->tag_count + 1) * sizeof(*s->tags)));
                    s->tags[s->tag_count].key = s_dup(st->tags[i].key);
                    s->tags[s->tag_count++].value = s_dup(st->tags[i].value);
                }
            }
            s_tags_sort(s->tags, s->tag_count);
            break;
        case REPAIR_UNTAG:
            for (size_t i = 0; i < st->key_count; i++) {
                for (size_t j = 0; j < s->tag_count; j++) {
                    if (s_eq(s->tags[j].key, st->keys[i])) {
                        tpd_kv_clear(&s->tags[j]);
                        s->tags[j] = s->tags[--s->tag_count];
                        break;
                    }
                }
            }
            s_tags_sort(s->tags, s->tag_count);
            break;
        case REPAIR_TTL:
            fc_set(&s->ttl.attribute, st->ttl_attribute);
            s->ttl.enabled = st->on;
            fc_set(&t->ttl_status, st->on ? "ENABLING" : "DISABLING");
            break;
    }
}

static enum tpd_code
s_repair(void *ctx, const struct repair_plan *p, int64_t deadline_ns, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    facts_handoff_forget(fc->handoff, p->table);
    (void)deadline_ns;
    const struct fc_fail *f = s_call(fc, FC_REPAIR);
    if (f) {
        s_logf(fc, "repair %s (failed)", p->table);
        return s_failed(f, err);
    }
    if (!s_table_is(fc, p->table)) {
        return tpd_err_set(err, TPD_E_NOT_FOUND, "fake_cloud: no table %s", p->table);
    }
    for (size_t i = 0; i < p->count; i++) {
        const struct repair_step *st = &p->steps[i];
        bool index = st->kind == REPAIR_CREATE_INDEX;
        s_logf(
            fc,
            "repair %s: %s%s%s",
            p->table,
            st->what,
            index ? " " : "",
            index ? st->index.name : "");
        s_repair_step(&fc->table, st);
    }
    return TPD_OK;
}

/* Time passes: a TTL change settles. */
static enum tpd_code s_pause(void *ctx, int64_t ns, int64_t deadline_ns) {
    struct fake_cloud *fc = ctx;
    (void)ns;
    (void)deadline_ns;
    struct tpd_err err = {0};
    const struct fc_fail *f = s_call(fc, FC_PAUSE);
    if (f) {
        enum tpd_code rc = s_failed(f, &err);
        tpd_err_clear(&err);
        return rc;
    }
    if (fc->table.exists) {
        s_ttl_status(&fc->table);
    }
    return TPD_OK;
}

static void s_stash(void *ctx, const char *key, const char *table, struct resource_facts *f) {
    struct fake_cloud *fc = ctx;
    fc->stashed++;
    facts_handoff_put(fc->handoff, key, table, f, fc->now_ns);
}

static bool s_take(void *ctx, const char *key, struct resource_facts *out) {
    struct fake_cloud *fc = ctx;
    bool got = facts_handoff_take(fc->handoff, key, out, fc->now_ns);
    fc->taken += got;
    return got;
}

void fc_new_process(struct fake_cloud *fc) {
    facts_handoff_free(fc->handoff);
    fc->handoff = s_check(facts_handoff_new());
}

static enum tpd_code s_new_owner_id(void *ctx, char out[33]) {
    struct fake_cloud *fc = ctx;
    struct tpd_err err = {0};
    const struct fc_fail *f = s_call(fc, FC_NEW_OWNER_ID);
    if (f) {
        enum tpd_code rc = s_failed(f, &err);
        tpd_err_clear(&err);
        return rc;
    }
    snprintf(out, 33, "f%031u", ++fc->owners_minted);
    return TPD_OK;
}

/* ==== restores =========================================================================== */

static enum tpd_code s_read_restore_source(
    void *ctx,
    const struct restore_spec *r,
    struct table_spec *out,
    char **status,
    struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    memset(out, 0, sizeof(*out));
    *status = NULL;
    const struct fc_fail *f = s_call(fc, FC_READ_RESTORE_SOURCE);
    if (f) {
        return s_failed(f, err);
    }
    if (!fc->restore_source.name || (r->kind == RESTORE_BACKUP) != fc->restore_backup) {
        return tpd_err_set(err, TPD_E_NOT_FOUND, "fake_cloud: no such restore source");
    }
    if (table_spec_copy(out, &fc->restore_source) != TPD_OK) {
        s_check(NULL);
    }
    if (fc->restore_backup) { /* DescribeBackup reports no AttributeDefinitions */
        fc_set(&out->hash.type, NULL);
        fc_set(&out->range.type, NULL);
        for (size_t i = 0; i < out->gsi_count; i++) {
            fc_set(&out->gsis[i].hash.type, NULL);
            fc_set(&out->gsis[i].range.type, NULL);
        }
        for (size_t i = 0; i < out->lsi_count; i++) {
            fc_set(&out->lsis[i].hash.type, NULL);
            fc_set(&out->lsis[i].range.type, NULL);
        }
    }
    *status = s_dup(fc->restore_status ? fc->restore_status : "ACTIVE");
    return TPD_OK;
}

/* The override's indexes, each the source's definition with the configured capacities. */
static void s_restore_indexes(
    const struct table_index *src,
    size_t ns,
    const struct table_index *want,
    size_t nw,
    bool provisioned,
    struct table_index **out,
    size_t *count) {
    *out = nw ? s_check(calloc(nw, sizeof(**out))) : NULL;
    *count = nw;
    for (size_t i = 0; i < nw; i++) {
        const struct table_index *s = table_index_find(src, ns, want[i].name);
        if (table_index_copy(&(*out)[i], s) != TPD_OK) {
            s_check(NULL);
        }
        (*out)[i].read_capacity = provisioned ? want[i].read_capacity : 0;
        (*out)[i].write_capacity = provisioned ? want[i].write_capacity : 0;
    }
}

static enum tpd_code s_restore(
    void *ctx, const struct restore_spec *r, const struct table_spec *want, struct tpd_err *err) {
    struct fake_cloud *fc = ctx;
    const struct fc_fail *f = s_call(fc, FC_RESTORE);
    if (f) {
        s_logf(fc, "restore %s (failed)", want->name);
        return s_failed(f, err);
    }
    const struct table_spec *src = &fc->restore_source;
    if (!src->name || (r->kind == RESTORE_BACKUP) != fc->restore_backup) {
        return tpd_err_set(err, TPD_E_AWS, "fake_cloud: no such restore source");
    }
    if (fc->table.exists) {
        tpd_err_set(err, TPD_E_AWS, "Table already exists: %s", want->name);
        tpd_err_set_aws(err, 400, "TableAlreadyExistsException", "fake-request");
        return TPD_E_AWS;
    }
    for (size_t i = 0; i < want->gsi_count + want->lsi_count; i++) {
        bool gsi = i < want->gsi_count;
        const struct table_index *x = gsi ? &want->gsis[i] : &want->lsis[i - want->gsi_count];
        if (!table_index_find(
                gsi ? src->gsis : src->lsis, gsi ? src->gsi_count : src->lsi_count, x->name)) {
            tpd_err_set(
                err, TPD_E_AWS, "Index %s does not match a secondary index of the source", x->name);
            tpd_err_set_aws(err, 400, "ValidationException", "fake-request");
            return TPD_E_AWS;
        }
    }
    struct table_spec t = {0};
    t.name = s_dup(want->name);
    t.hash.name = s_dup(src->hash.name);
    t.hash.type = s_dup(src->hash.type);
    t.range.name = s_dup(src->range.name);
    t.range.type = s_dup(src->range.type);
    t.provisioned = want->provisioned;
    t.read_capacity = want->provisioned ? want->read_capacity : 0;
    t.write_capacity = want->provisioned ? want->write_capacity : 0;
    t.on_demand_read = want->provisioned ? 0 : want->on_demand_read;
    t.on_demand_write = want->provisioned ? 0 : want->on_demand_write;
    t.sse = want->sse;
    t.sse_kms_key =
        want->sse ? s_dup(want->sse_kms_key ? want->sse_kms_key : FC_AWS_MANAGED_KEY) : NULL;
    s_restore_indexes(
        src->gsis,
        src->gsi_count,
        want->gsis,
        want->gsi_count,
        want->provisioned,
        &t.gsis,
        &t.gsi_count);
    s_restore_indexes(
        src->lsis, src->lsi_count, want->lsis, want->lsi_count, false, &t.lsis, &t.lsi_count);
    t.table_class = s_dup(src->table_class);
    fc_set_table(fc, &t);
    table_spec_clear(&t);
    fc_set(&fc->table.status, "CREATING");
    s_logf(fc, "restore %s", want->name);
    return TPD_OK;
}

/* ==== the world's life ================================================================== */

struct fake_cloud *fc_new(void) {
    struct fake_cloud *fc = s_check(calloc(1, sizeof(*fc)));
    tpd_buf_init(&fc->log, 0);
    fc->ops = (struct cloud_ops){
        .ctx = fc,
        .read = s_read,
        .read_extras = s_read_extras,
        .read_ttl = s_read_ttl,
        .complete_stack = s_complete_stack,
        .list_importers = s_list_importers,
        .get_template = s_get_template,
        .deploy = s_deploy,
        .delete_stack = s_delete_stack,
        .wait_stack = s_wait_stack,
        .delete_table = s_delete_table,
        .wait_table_ready = s_wait_table_ready,
        .repair = s_repair,
        .pause = s_pause,
        .new_owner_id = s_new_owner_id,
        .read_restore_source = s_read_restore_source,
        .restore = s_restore,
        .stash = s_stash,
        .take = s_take,
    };
    fc->handoff = s_check(facts_handoff_new());
    return fc;
}

void fc_free(struct fake_cloud *fc) {
    if (!fc) {
        return;
    }
    table_live_clear(&fc->table);
    table_spec_clear(&fc->restore_source);
    free(fc->restore_status);
    facts_handoff_free(fc->handoff);
    for (size_t i = 0; i < fc->stack_count; i++) {
        s_stack_clear(&fc->stacks[i]);
    }
    for (size_t i = 0; i < fc->fail_count; i++) {
        free(fc->fails[i].aws_code);
        free(fc->fails[i].message);
    }
    for (size_t i = 0; i < fc->deploy_count; i++) {
        free(fc->deployed[i]);
    }
    tpd_buf_clear(&fc->log);
    free(fc);
}

static struct fc_fail *s_add_fail(struct fake_cloud *fc) {
    if (fc->fail_count == FC_MAX_FAILS) {
        fprintf(stderr, "fake_cloud: more than %d failures\n", FC_MAX_FAILS);
        abort();
    }
    struct fc_fail *f = &fc->fails[fc->fail_count++];
    memset(f, 0, sizeof(*f));
    return f;
}

void fc_fail(
    struct fake_cloud *fc,
    enum fc_op op,
    unsigned nth,
    unsigned count,
    enum tpd_code code,
    const char *aws_code,
    const char *message) {
    struct fc_fail *f = s_add_fail(fc);
    f->op = op;
    f->nth = nth;
    f->count = count;
    f->code = code;
    f->aws_code = s_dup(aws_code);
    f->message = s_dup(message);
}

void fc_fail_deploy(
    struct fake_cloud *fc,
    unsigned nth,
    enum fc_deploy_fail how,
    enum tpd_code code,
    const char *message) {
    struct fc_fail *f = s_add_fail(fc);
    f->op = FC_DEPLOY;
    f->nth = nth;
    f->count = 1;
    f->code = code;
    f->message = s_dup(message);
    f->how = how;
}

void fc_before(struct fake_cloud *fc, enum fc_op op, unsigned nth, void (*fn)(void *), void *arg) {
    fc->hook_op = op;
    fc->hook_nth = nth;
    fc->hook = fn;
    fc->hook_arg = arg;
}

const char *fc_log(const struct fake_cloud *fc) {
    return tpd_buf_cstr(&fc->log);
}

void fc_log_clear(struct fake_cloud *fc) {
    tpd_buf_reset(&fc->log);
}

const char *fc_deployed(const struct fake_cloud *fc, size_t nth) {
    return nth < fc->deploy_count ? fc->deployed[nth] : NULL;
}
