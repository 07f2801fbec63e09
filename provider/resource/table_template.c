/*
 * table_template: render and read the table's stack template (see table_template.h).
 */
#include "table_template.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cfn_template.h"
#include "tpd_alloc.h"

static json_t *s_attr_def(const struct table_key *k) {
    return json_pack("{s:s, s:s}", "AttributeName", k->name, "AttributeType", k->type);
}

static json_t *s_key_elem(const struct table_key *k, const char *kind) {
    return json_pack("{s:s, s:s}", "AttributeName", k->name, "KeyType", kind);
}

/* json_object_set_new, failing when v is NULL (a failed json_pack). */
static bool s_set(json_t *o, const char *k, json_t *v) {
    return v && json_object_set_new(o, k, v) == 0;
}

static json_t *s_properties(const struct table_spec *s) {
    json_t *p = json_object();
    json_t *defs = json_array(), *keys = json_array();
    bool ok = p && defs && keys && !json_array_append_new(defs, s_attr_def(&s->hash)) &&
              !json_array_append_new(keys, s_key_elem(&s->hash, "HASH"));
    if (ok && s->range.name) {
        ok = !json_array_append_new(defs, s_attr_def(&s->range)) &&
             !json_array_append_new(keys, s_key_elem(&s->range, "RANGE"));
    }
    ok = ok && s_set(p, "TableName", json_string(s->name)) &&
         s_set(p, "AttributeDefinitions", json_incref(defs)) &&
         s_set(p, "KeySchema", json_incref(keys)) &&
         s_set(p, "BillingMode", json_string(s->provisioned ? "PROVISIONED" : "PAY_PER_REQUEST"));
    json_decref(defs);
    json_decref(keys);
    if (ok && s->provisioned) {
        ok = s_set(
            p,
            "ProvisionedThroughput",
            json_pack(
                "{s:I, s:I}",
                "ReadCapacityUnits",
                (json_int_t)s->read_capacity,
                "WriteCapacityUnits",
                (json_int_t)s->write_capacity));
    }
    if (ok && s->ttl.attribute) {
        ok = s_set(
            p,
            "TimeToLiveSpecification",
            json_pack("{s:s, s:b}", "AttributeName", s->ttl.attribute, "Enabled", s->ttl.enabled));
    }
    ok = ok && s_set(p, "DeletionProtectionEnabled", json_boolean(s->deletion_protection)) &&
         s_set(
             p,
             "PointInTimeRecoverySpecification",
             json_pack("{s:b}", "PointInTimeRecoveryEnabled", s->pitr));
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

enum tpd_code table_template_render(
    const struct table_spec *s,
    const struct table_template_options *o,
    struct tpd_buf *out,
    struct tpd_err *err) {
    const char *lid = o->logical_id ? o->logical_id : TABLE_TEMPLATE_LOGICAL_ID;
    bool import = o->mode == TABLE_TEMPLATE_IMPORT;
    json_t *t = json_object(), *resources = json_object(), *table = json_object();
    bool ok =
        t && resources && table && s_set(table, "Type", json_string("AWS::DynamoDB::Table")) &&
        s_set(
            table,
            "DeletionPolicy",
            json_string(import || s->retain_on_destroy ? "Retain" : "Delete")) &&
        s_set(table, "UpdateReplacePolicy", json_string("Retain")) &&
        s_set(table, "Metadata", json_pack("{s:{s:s}}", TABLE_TEMPLATE_MARKER, "Table", s->name)) &&
        s_set(table, "Properties", s_properties(s)) && s_set(resources, lid, json_incref(table)) &&
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
        if (mt) {
            f->marked = true;
            f->marked_table = tpd_strdup(mt);
            oom = !f->marked_table;
        }
        oom = oom || !f->logical_id || !f->deletion_policy;
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
