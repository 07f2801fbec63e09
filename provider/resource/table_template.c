/*
 * table_template: render and read the table's stack template (see table_template.h).
 */
#include "table_template.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cfn_template.h"
#include "tpd_alloc.h"

static int s_strp_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *s_key_elem(const struct table_key *k, const char *kind) {
    return json_pack("{s:s, s:s}", "AttributeName", k->name, "KeyType", kind);
}

/* json_object_set_new, failing when v is NULL (a failed json_pack). */
static bool s_set(json_t *o, const char *k, json_t *v) {
    return v && json_object_set_new(o, k, v) == 0;
}

static json_t *s_key_schema(const struct table_key *hash, const struct table_key *range) {
    json_t *keys = json_array();
    bool ok = keys && !json_array_append_new(keys, s_key_elem(hash, "HASH"));
    if (ok && range->name) {
        ok = !json_array_append_new(keys, s_key_elem(range, "RANGE"));
    }
    if (!ok) {
        json_decref(keys);
        return NULL;
    }
    return keys;
}

static json_t *s_throughput(int64_t r, int64_t w) {
    return json_pack(
        "{s:I, s:I}", "ReadCapacityUnits", (json_int_t)r, "WriteCapacityUnits", (json_int_t)w);
}

/* A GlobalSecondaryIndex or LocalSecondaryIndex of the template. */
static json_t *s_index(const struct table_index *x, bool with_throughput) {
    json_t *proj = json_pack("{s:s}", "ProjectionType", x->projection ? x->projection : "ALL");
    bool ok = proj != NULL;
    if (ok && x->non_key_count) {
        json_t *nka = json_array();
        for (size_t i = 0; nka && ok && i < x->non_key_count; i++) {
            ok = !json_array_append_new(nka, json_string(x->non_key[i]));
        }
        ok = ok && s_set(proj, "NonKeyAttributes", nka);
    }
    json_t *o = json_object();
    ok = ok && o && s_set(o, "IndexName", json_string(x->name)) &&
         s_set(o, "KeySchema", s_key_schema(&x->hash, &x->range)) &&
         s_set(o, "Projection", json_incref(proj));
    if (ok && with_throughput) {
        ok = s_set(o, "ProvisionedThroughput", s_throughput(x->read_capacity, x->write_capacity));
    }
    json_decref(proj);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *s_index_list(const struct table_index *v, size_t n, bool with_throughput) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (json_array_append_new(a, s_index(&v[i], with_throughput))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* AttributeDefinitions: the table's keys and every index key (table_spec_attr_defs). */
static json_t *s_attr_defs(const struct table_spec *s) {
    struct table_attr_def *defs = NULL;
    size_t n = 0;
    if (table_spec_attr_defs(s, &defs, &n, NULL) != TPD_OK) {
        return NULL;
    }
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (json_array_append_new(
                a,
                json_pack(
                    "{s:s, s:s}", "AttributeName", defs[i].name, "AttributeType", defs[i].type))) {
            json_decref(a);
            a = NULL;
        }
    }
    free(defs);
    return a;
}

/* Streams, encryption, class, on-demand maxima, contributor insights: each only when it
 * differs from DynamoDB's default, so that a template of a table without them is the
 * template this provider rendered before they existed — except encryption, class and
 * insights once the deployed template (d, may be NULL) carries them: they stay, the
 * default spelled out, because CloudFormation fails an update that drops
 * SSESpecification and leaves the table as it is when the other two are dropped
 * (docs/aws-behaviour.md §4.4). */
static bool s_extras(json_t *p, const struct table_spec *s, const struct template_facts *d) {
    bool ok = true;
    if (s->stream_view_type) {
        ok = s_set(
            p, "StreamSpecification", json_pack("{s:s}", "StreamViewType", s->stream_view_type));
    }
    if (ok && s->sse) {
        json_t *sse = json_pack("{s:b, s:s}", "SSEEnabled", 1, "SSEType", "KMS");
        ok = sse && (!s->sse_kms_key || s_set(sse, "KMSMasterKeyId", json_string(s->sse_kms_key)));
        ok = ok ? s_set(p, "SSESpecification", sse) : (json_decref(sse), false);
    } else if (ok && d && d->sse_written) {
        ok = s_set(p, "SSESpecification", json_pack("{s:b}", "SSEEnabled", 0));
    }
    if (ok && s->table_class && strcmp(s->table_class, "STANDARD") != 0) {
        ok = s_set(p, "TableClass", json_string(s->table_class));
    } else if (ok && d && d->table_class_written) {
        ok = s_set(p, "TableClass", json_string("STANDARD"));
    }
    if (ok && (s->on_demand_read > 0 || s->on_demand_write > 0)) {
        json_t *od = json_object();
        ok = od &&
             (s->on_demand_read <= 0 ||
              s_set(od, "MaxReadRequestUnits", json_integer((json_int_t)s->on_demand_read))) &&
             (s->on_demand_write <= 0 ||
              s_set(od, "MaxWriteRequestUnits", json_integer((json_int_t)s->on_demand_write)));
        ok = ok ? s_set(p, "OnDemandThroughput", od) : (json_decref(od), false);
    }
    if (ok && (s->warm_read > 0 || s->warm_write > 0)) {
        json_t *w = json_object();
        ok = w &&
             (s->warm_read <= 0 ||
              s_set(w, "ReadUnitsPerSecond", json_integer((json_int_t)s->warm_read))) &&
             (s->warm_write <= 0 ||
              s_set(w, "WriteUnitsPerSecond", json_integer((json_int_t)s->warm_write)));
        ok = ok ? s_set(p, "WarmThroughput", w) : (json_decref(w), false);
    }
    if (ok && s->kinesis_arn) {
        json_t *k = json_pack("{s:s}", "StreamArn", s->kinesis_arn);
        ok = k &&
             (!s->kinesis_precision ||
              s_set(k, "ApproximateCreationDateTimePrecision", json_string(s->kinesis_precision)));
        ok = ok ? s_set(p, "KinesisStreamSpecification", k) : (json_decref(k), false);
    }
    if (ok && s->resource_policy) {
        /* ResourcePolicy.PolicyDocument as an object (the schema takes an object or a JSON
         * string; an object is what GetTemplate gives back as written). */
        json_t *doc = json_loads(s->resource_policy, JSON_REJECT_DUPLICATES, NULL);
        ok = json_is_object(doc) &&
             s_set(p, "ResourcePolicy", json_pack("{s:o}", "PolicyDocument", doc));
        if (!ok && !json_is_object(doc)) {
            json_decref(doc);
        }
    }
    if (ok && (s->contributor_insights || (d && d->insights_written))) {
        ok = s_set(
            p,
            "ContributorInsightsSpecification",
            json_pack("{s:b}", "Enabled", s->contributor_insights));
    }
    return ok;
}

/* PointInTimeRecoverySpecification; RecoveryPeriodInDays only when a period is set and
 * recovery is on (SCHEMA: it needs PointInTimeRecoveryEnabled; DynamoDB refuses a period
 * when disabling, docs/aws-behaviour.md §4.5, §5.7), so the template of a table without
 * one is unchanged. */
static json_t *s_pitr(const struct table_spec *s) {
    if (s->pitr && s->pitr_days > 0) {
        return json_pack(
            "{s:b, s:I}",
            "PointInTimeRecoveryEnabled",
            1,
            "RecoveryPeriodInDays",
            (json_int_t)s->pitr_days);
    }
    return json_pack("{s:b}", "PointInTimeRecoveryEnabled", s->pitr);
}

static json_t *s_properties(const struct table_spec *s, const struct template_facts *d) {
    json_t *p = json_object();
    json_t *defs = s_attr_defs(s), *keys = s_key_schema(&s->hash, &s->range);
    bool ok = p && defs && keys;
    if (ok && s->gsi_count) {
        ok =
            s_set(p, "GlobalSecondaryIndexes", s_index_list(s->gsis, s->gsi_count, s->provisioned));
    }
    if (ok && s->lsi_count) {
        ok = s_set(p, "LocalSecondaryIndexes", s_index_list(s->lsis, s->lsi_count, false));
    }
    ok = ok && s_extras(p, s, d);
    ok = ok && s_set(p, "TableName", json_string(s->name)) &&
         s_set(p, "AttributeDefinitions", json_incref(defs)) &&
         s_set(p, "KeySchema", json_incref(keys)) &&
         s_set(p, "BillingMode", json_string(s->provisioned ? "PROVISIONED" : "PAY_PER_REQUEST"));
    json_decref(defs);
    json_decref(keys);
    if (ok && s->provisioned) {
        ok = s_set(p, "ProvisionedThroughput", s_throughput(s->read_capacity, s->write_capacity));
    }
    if (ok && s->ttl.attribute) {
        ok = s_set(
            p,
            "TimeToLiveSpecification",
            json_pack("{s:s, s:b}", "AttributeName", s->ttl.attribute, "Enabled", s->ttl.enabled));
    }
    ok = ok && s_set(p, "DeletionProtectionEnabled", json_boolean(s->deletion_protection)) &&
         s_set(p, "PointInTimeRecoverySpecification", s_pitr(s));
    if (ok && s->tag_count) {
        json_t *tags = json_array();
        for (size_t i = 0; ok && i < s->tag_count; i++) {
            ok = tags &&
                 !json_array_append_new(
                     tags,
                     json_pack("{s:s, s:s}", "Key", s->tags[i].key, "Value", s->tags[i].value));
        }
        ok = ok && s_set(p, "Tags", tags);
        if (!ok) {
            json_decref(tags);
        }
    }
    if (!ok) {
        json_decref(p);
        return NULL;
    }
    return p;
}

static json_t *
s_output(const struct table_spec *s, json_t *value, const char *suffix, const char *desc) {
    struct tpd_buf name;
    tpd_buf_init(&name, 512);
    json_t *o = NULL;
    if (tpd_buf_printf(&name, "%s-%s", s->stack_name, suffix) == TPD_OK) {
        o = json_pack(
            "{s:s, s:o, s:{s:s}}",
            "Description",
            desc,
            "Value",
            value,
            "Export",
            "Name",
            tpd_buf_cstr(&name));
    } else {
        json_decref(value);
    }
    tpd_buf_clear(&name);
    return o;
}

/* {"TerraformProviderDynamoDB": {"Table": NAME, "Owner": ID}}: which table, and which
 * resource instance owns the stack (docs/resource.md, "One owner per table"). */
static json_t *s_marker(const char *table, const char *owner) {
    json_t *m = owner ? json_pack("{s:s,s:s}", "Table", table, "Owner", owner)
                      : json_pack("{s:s}", "Table", table);
    return m ? json_pack("{s:o}", TABLE_TEMPLATE_MARKER, m) : NULL;
}

enum tpd_code table_template_render(
    const struct table_spec *s,
    const struct table_template_options *o,
    struct tpd_buf *out,
    struct tpd_err *err) {
    const char *lid = o->logical_id ? o->logical_id : TABLE_TEMPLATE_LOGICAL_ID;
    bool import = o->mode == TABLE_TEMPLATE_IMPORT;
    struct table_attr_def *defs = NULL;
    size_t ndefs = 0;
    enum tpd_code drc = table_spec_attr_defs(s, &defs, &ndefs, err);
    free(defs);
    if (drc) {
        tpd_err_prefix(err, "cannot render the stack template: ");
        return drc;
    }
    json_t *t = json_object(), *resources = json_object(), *table = json_object();
    bool ok = t && resources && table &&
              s_set(table, "Type", json_string("AWS::DynamoDB::Table")) &&
              s_set(
                  table,
                  "DeletionPolicy",
                  json_string(import || s->retain_on_destroy ? "Retain" : "Delete")) &&
              s_set(table, "UpdateReplacePolicy", json_string("Retain")) &&
              s_set(table, "Metadata", s_marker(s->name, o->owner)) &&
              s_set(table, "Properties", s_properties(s, import ? NULL : o->deployed)) &&
              s_set(resources, lid, json_incref(table)) &&
              s_set(t, "AWSTemplateFormatVersion", json_string("2010-09-09")) &&
              s_set(t, "Description", json_string(TABLE_TEMPLATE_DESCRIPTION)) &&
              s_set(t, "Resources", json_incref(resources));
    if (ok && !import) {
        json_t *outputs = json_object();
        ok = outputs &&
             s_set(
                 outputs,
                 "TableName",
                 s_output(
                     s,
                     json_pack("{s:s}", "Ref", lid),
                     "TableName",
                     "Name of the DynamoDB table")) &&
             s_set(
                 outputs,
                 "TableArn",
                 s_output(
                     s,
                     json_pack("{s:[s,s]}", "Fn::GetAtt", lid, "Arn"),
                     "TableArn",
                     "ARN of the DynamoDB table")) &&
             s_set(t, "Outputs", json_incref(outputs));
        json_decref(outputs);
    }
    char *text = ok ? json_dumps(t, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
    json_decref(table);
    json_decref(resources);
    json_decref(t);
    if (!text) {
        return tpd_err_set(err, TPD_E_NOMEM, "cannot render the stack template: out of memory");
    }
    enum tpd_code rc = tpd_buf_append_cstr(out, text);
    free(text);
    if (rc == TPD_OK && out->len > TPD_MAX_TEMPLATE) {
        rc = TPD_E_TOO_LARGE;
    }
    if (rc) {
        return tpd_err_set(
            err,
            rc,
            "the stack template is larger than CloudFormation's %zu-byte limit",
            TPD_MAX_TEMPLATE);
    }
    return TPD_OK;
}

enum tpd_code
table_template_stack_tags(const struct table_spec *s, struct tpd_kv **out, size_t *count) {
    *out = NULL;
    *count = 0;
    size_t n = 0;
    for (size_t i = 0; i < s->tag_count; i++) {
        n += s->tags[i].value && *s->tags[i].value && !table_spec_is_system_tag(s->tags[i].key);
    }
    if (!n) {
        return TPD_OK;
    }
    struct tpd_kv *v = tpd_calloc(n, sizeof(*v));
    if (!v) {
        return TPD_E_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->tag_count; i++) {
        if (!s->tags[i].value || !*s->tags[i].value || table_spec_is_system_tag(s->tags[i].key)) {
            continue;
        }
        v[k].key = tpd_strdup(s->tags[i].key);
        v[k].value = tpd_strdup(s->tags[i].value);
        if (!v[k].key || !v[k].value) {
            tpd_kv_array_free(v, n);
            return TPD_E_NOMEM;
        }
        k++;
    }
    *out = v;
    *count = n;
    return TPD_OK;
}

/* A whole number in a template: a JSON integer, or a string of digits (YAML and
 * CloudFormation accept "5"). */
static bool s_tpl_int(json_t *v, int64_t *out) {
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > 18) {
        return false;
    }
    int64_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        n = n * 10 + (*p - '0');
    }
    *out = n;
    return true;
}

/* The type of attribute name in AttributeDefinitions (NULL when not defined). */
static const char *s_tpl_type(json_t *defs, const char *name) {
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d) {
        const char *n = json_string_value(json_object_get(d, "AttributeName"));
        if (n && strcmp(n, name) == 0) {
            return json_string_value(json_object_get(d, "AttributeType"));
        }
    }
    return NULL;
}

/* One GlobalSecondaryIndex of a deployed template into x: TPD_E_PARSE for a shape this
 * provider does not write (not plain strings and numbers), TPD_E_NOMEM. */
static enum tpd_code s_tpl_index(json_t *g, json_t *defs, struct table_index *x) {
    const char *name = json_string_value(json_object_get(g, "IndexName"));
    json_t *ks = json_object_get(g, "KeySchema");
    json_t *proj = json_object_get(g, "Projection");
    json_t *pt = json_object_get(g, "ProvisionedThroughput");
    if (!name || !json_is_array(ks) || (proj && !json_is_object(proj))) {
        return TPD_E_PARSE;
    }
    if (!(x->name = tpd_strdup(name))) {
        return TPD_E_NOMEM;
    }
    size_t i;
    json_t *k;
    json_array_foreach(ks, i, k) {
        const char *an = json_string_value(json_object_get(k, "AttributeName"));
        const char *kt = json_string_value(json_object_get(k, "KeyType"));
        struct table_key *dst = kt && !strcmp(kt, "HASH")    ? &x->hash
                                : kt && !strcmp(kt, "RANGE") ? &x->range
                                                             : NULL;
        if (!an || !dst || dst->name) {
            return TPD_E_PARSE;
        }
        const char *type = s_tpl_type(defs, an);
        if (!(dst->name = tpd_strdup(an)) || !(dst->type = tpd_strdup(type ? type : "S"))) {
            return TPD_E_NOMEM;
        }
    }
    const char *ptype = proj ? json_string_value(json_object_get(proj, "ProjectionType")) : NULL;
    if (!x->hash.name || (proj && json_object_get(proj, "ProjectionType") && !ptype)) {
        return TPD_E_PARSE;
    }
    if (!(x->projection = tpd_strdup(ptype ? ptype : "ALL"))) {
        return TPD_E_NOMEM;
    }
    json_t *nka = proj ? json_object_get(proj, "NonKeyAttributes") : NULL;
    if (nka && !json_is_array(nka)) {
        return TPD_E_PARSE;
    }
    size_t n = nka ? json_array_size(nka) : 0;
    if (n && !(x->non_key = tpd_calloc(n, sizeof(*x->non_key)))) {
        return TPD_E_NOMEM;
    }
    json_t *a;
    json_array_foreach(nka, i, a) {
        if (!json_is_string(a)) {
            return TPD_E_PARSE;
        }
        if (!(x->non_key[x->non_key_count++] = tpd_strdup(json_string_value(a)))) {
            return TPD_E_NOMEM;
        }
    }
    if (x->non_key_count > 1) {
        qsort(x->non_key, x->non_key_count, sizeof(*x->non_key), s_strp_cmp);
    }
    if (pt && (!s_tpl_int(json_object_get(pt, "ReadCapacityUnits"), &x->read_capacity) ||
               !s_tpl_int(json_object_get(pt, "WriteCapacityUnits"), &x->write_capacity))) {
        return TPD_E_PARSE;
    }
    return TPD_OK;
}

/* The table resource's GlobalSecondaryIndexes into f (gsis_read); false on no memory. */
static bool s_tpl_gsis(json_t *r, struct template_facts *f) {
    json_t *props = json_object_get(r, "Properties");
    json_t *list = json_object_get(props, "GlobalSecondaryIndexes");
    json_t *defs = json_object_get(props, "AttributeDefinitions");
    if (list && !json_is_array(list)) {
        return true; /* an intrinsic function: not read */
    }
    size_t n = list ? json_array_size(list) : 0;
    if (n > 64) {
        return true; /* more than DynamoDB allows: not a template of ours */
    }
    struct table_index *v = n ? tpd_calloc(n, sizeof(*v)) : NULL;
    if (n && !v) {
        return false;
    }
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        rc = s_tpl_index(json_array_get(list, i), defs, &v[i]);
    }
    if (rc) {
        table_index_array_free(v, n);
        return rc != TPD_E_NOMEM;
    }
    table_index_array_sort(v, n);
    f->gsis = v;
    f->gsi_count = n;
    f->gsis_read = true;
    return true;
}

static char *s_str_dup(json_t *v) {
    const char *s = json_string_value(v);
    return s ? tpd_strdup(s) : NULL;
}

enum tpd_code
table_template_read(struct tpd_span text, struct template_facts *f, struct tpd_err *err) {
    memset(f, 0, sizeof(*f));
    json_t *t = NULL;
    enum tpd_code rc = cfn_template_load(text, &t, err);
    if (rc) {
        return rc;
    }
    json_t *res = json_object_get(t, "Resources");
    f->resource_count = json_is_object(res) ? json_object_size(res) : 0;
    f->has_transform = json_object_get(t, "Transform") != NULL;
    const char *lid = NULL;
    json_t *r = NULL;
    json_object_foreach(res, lid, r) {
        const char *type = json_string_value(json_object_get(r, "Type"));
        if (type && strcmp(type, "AWS::DynamoDB::Table") == 0) {
            break;
        }
    }
    bool oom = false;
    if (lid && r) {
        f->logical_id = tpd_strdup(lid);
        json_t *dp = json_object_get(r, "DeletionPolicy");
        /* No DeletionPolicy means Delete for a DynamoDB table (the user guide's
         * "DeletionPolicy attribute": the default is Delete, except for a few types). */
        f->deletion_policy = json_is_string(dp) ? s_str_dup(dp) : tpd_strdup("Delete");
        json_t *mark = json_object_get(json_object_get(r, "Metadata"), TABLE_TEMPLATE_MARKER);
        const char *mt = json_string_value(json_object_get(mark, "Table"));
        const char *mo = json_string_value(json_object_get(mark, "Owner"));
        if (mt) {
            f->marked = true;
            f->marked_table = tpd_strdup(mt);
            oom = !f->marked_table;
            if (mo && *mo) {
                f->marked_owner = tpd_strdup(mo);
                oom = oom || !f->marked_owner;
            }
        }
        oom = oom || !f->logical_id || !f->deletion_policy || !s_tpl_gsis(r, f);
        json_t *props = json_object_get(r, "Properties");
        f->sse_written = json_object_get(props, "SSESpecification") != NULL;
        f->table_class_written = json_object_get(props, "TableClass") != NULL;
        f->insights_written = json_object_get(props, "ContributorInsightsSpecification") != NULL;
    }
    const char *desc = json_string_value(json_object_get(t, "Description"));
    f->legacy = !f->marked && desc && strcmp(desc, TABLE_TEMPLATE_DESCRIPTION) == 0 && lid &&
                strcmp(lid, TABLE_TEMPLATE_LOGICAL_ID) == 0 && f->resource_count == 1;
    f->read = true;
    json_decref(t);
    if (oom) {
        template_facts_clear(f);
        return tpd_err_set(err, TPD_E_NOMEM, "reading the template: out of memory");
    }
    return TPD_OK;
}

enum tpd_code table_template_retained(
    struct tpd_span text,
    const char *logical_id,
    const char *reason,
    struct tpd_buf *out,
    struct tpd_err *err) {
    json_t *t = NULL;
    enum tpd_code rc = cfn_template_load(text, &t, err);
    if (rc) {
        return rc;
    }
    json_t *r = json_object_get(json_object_get(t, "Resources"), logical_id);
    if (!json_is_object(r)) {
        json_decref(t);
        return tpd_err_set(
            err, TPD_E_INVALID, "the deployed template has no resource %s", logical_id);
    }
    json_t *meta = json_object_get(r, "Metadata");
    if (!json_is_object(meta)) {
        meta = json_object();
        if (!s_set(r, "Metadata", meta)) {
            json_decref(t);
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
    }
    json_t *mark = json_object_get(meta, TABLE_TEMPLATE_MARKER);
    if (!json_is_object(mark)) {
        mark = json_object();
        if (!s_set(meta, TABLE_TEMPLATE_MARKER, mark)) {
            json_decref(t);
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
    }
    bool ok = s_set(r, "DeletionPolicy", json_string("Retain")) &&
              s_set(mark, "Retained", json_string(reason ? reason : "retained"));
    char *body = ok ? json_dumps(t, JSON_SORT_KEYS | JSON_INDENT(2)) : NULL;
    json_decref(t);
    if (!body) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    rc = tpd_buf_append_cstr(out, body);
    free(body);
    if (rc == TPD_OK && out->len > TPD_MAX_TEMPLATE) {
        rc = TPD_E_TOO_LARGE;
    }
    return rc ? tpd_err_set(err, rc, "the retained template is too large") : TPD_OK;
}
