/*
 * ttl_spec: desired table shape and the CloudFormation template rendered from it.
 *
 * Template rules followed (AWS::DynamoDB::Table, CloudFormation user guide):
 *   - an explicit DeletionPolicy (Delete, or Retain for retain_on_destroy): import
 *     requires one, and it makes destroy's behaviour visible in the template;
 *   - UpdateReplacePolicy Retain: a replacement never silently drops a table's data;
 *   - ProvisionedThroughput only with PROVISIONED (forbidden with PAY_PER_REQUEST);
 *   - TimeToLiveSpecification only when TTL was ever configured, and always with a
 *     non-empty AttributeName (Enabled false to switch it off): an empty name is
 *     rejected by CloudFormation (aws/aws-cdk#25655, iann0036/former2#229);
 *   - Outputs TableName / TableArn with Exports "<stack>-TableName/-TableArn", left
 *     out of import templates ("you cannot modify or add [Outputs]" during import).
 */
#include "ttl_spec.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"
#include "tpd_buf.h"

static char *s_dup(const char *s) {
    return s ? tpd_span_strdup(tpd_span_cstr(s)) : NULL;
}

void ttl_spec_clear(struct ttl_spec *s) {
    free(s->table_name);
    free(s->stack_name);
    free(s->hash_name);
    free(s->hash_type);
    free(s->range_name);
    free(s->range_type);
    free(s->ttl_attribute);
    for (size_t i = 0; i < s->tag_count; i++) {
        free(s->tags[i].key);
        free(s->tags[i].value);
    }
    free(s->tags);
    memset(s, 0, sizeof(*s));
}

char *ttl_spec_default_stack_name(const char *table_name) {
    struct tpd_buf b;
    tpd_buf_init(&b, 256);
    if (table_name[0] && !((table_name[0] >= 'a' && table_name[0] <= 'z') ||
                           (table_name[0] >= 'A' && table_name[0] <= 'Z'))) {
        tpd_buf_append_cstr(&b, "t-");
    }
    for (const char *p = table_name; *p && b.len < 128; p++) {
        tpd_buf_append_byte(&b, (uint8_t)((*p == '_' || *p == '.') ? '-' : *p));
    }
    return tpd_buf_detach(&b);
}

enum tpd_code ttl_spec_from_value(
    const struct tfv *v, const struct tfv *prior, struct ttl_spec *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    const char *name = tfv_get_str(v, "name");
    const struct tfv *hk = tfv_get(v, "hash_key");
    if (!name || !tfv_get_str(hk, "name") || !tfv_get_str(hk, "type")) {
        return tpd_err_set(err, TPD_E_INVALID, "name and hash_key must be known");
    }
    out->table_name = s_dup(name);
    const char *stack = tfv_get_str(v, "stack_name");
    out->stack_name = stack ? s_dup(stack) : ttl_spec_default_stack_name(name);
    out->hash_name = s_dup(tfv_get_str(hk, "name"));
    out->hash_type = s_dup(tfv_get_str(hk, "type"));
    const struct tfv *rk = tfv_get(v, "range_key");
    if (tfv_get_str(rk, "name")) {
        out->range_name = s_dup(tfv_get_str(rk, "name"));
        out->range_type = s_dup(tfv_get_str(rk, "type"));
    }
    const char *bm = tfv_get_str(v, "billing_mode");
    out->provisioned = bm && strcmp(bm, "PROVISIONED") == 0;
    if (out->provisioned) {
        tfv_get_int(v, "read_capacity", &out->read_capacity);
        tfv_get_int(v, "write_capacity", &out->write_capacity);
    }
    const struct tfv *ttl = tfv_get(v, "ttl");
    if (tfv_get_str(ttl, "attribute_name")) {
        out->ttl_attribute = s_dup(tfv_get_str(ttl, "attribute_name"));
        out->ttl_enabled = true;
        tfv_get_bool(ttl, "enabled", &out->ttl_enabled);
    } else if (tfv_get_str(tfv_get(prior, "ttl"), "attribute_name")) {
        /* ttl removed from the configuration: switch it off under its old name. */
        out->ttl_attribute = s_dup(tfv_get_str(tfv_get(prior, "ttl"), "attribute_name"));
        out->ttl_enabled = false;
    }
    out->deletion_protection = true;
    tfv_get_bool(v, "deletion_protection_enabled", &out->deletion_protection);
    tfv_get_bool(v, "point_in_time_recovery", &out->pitr);
    tfv_get_bool(v, "retain_on_destroy", &out->retain_on_destroy);
    const struct tfv *tags = tfv_get(v, "tags");
    if (tags && tags->kind == TFV_MAP && tags->u.map.count) {
        out->tags = tpd_calloc(tags->u.map.count, sizeof(*out->tags));
        if (!out->tags) {
            ttl_spec_clear(out);
            return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
        }
        /* tfv maps keep keys sorted, so the tags come out sorted. */
        for (size_t i = 0; i < tags->u.map.count; i++) {
            out->tags[i].key = s_dup(tags->u.map.keys[i]);
            out->tags[i].value =
                s_dup(tfv_str(tags->u.map.vals[i]) ? tfv_str(tags->u.map.vals[i]) : "");
        }
        out->tag_count = tags->u.map.count;
    }
    if (!out->table_name || !out->stack_name || !out->hash_name || !out->hash_type) {
        ttl_spec_clear(out);
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    return TPD_OK;
}

static json_t *s_attr_def(const char *name, const char *type) {
    return json_pack("{s:s, s:s}", "AttributeName", name, "AttributeType", type);
}

static json_t *s_key_elem(const char *name, const char *kind) {
    return json_pack("{s:s, s:s}", "AttributeName", name, "KeyType", kind);
}

static json_t *s_properties(const struct ttl_spec *s) {
    json_t *p = json_object();
    json_t *defs = json_array(), *keys = json_array();
    json_array_append_new(defs, s_attr_def(s->hash_name, s->hash_type));
    json_array_append_new(keys, s_key_elem(s->hash_name, "HASH"));
    if (s->range_name) {
        json_array_append_new(defs, s_attr_def(s->range_name, s->range_type));
        json_array_append_new(keys, s_key_elem(s->range_name, "RANGE"));
    }
    json_object_set_new(p, "TableName", json_string(s->table_name));
    json_object_set_new(p, "AttributeDefinitions", defs);
    json_object_set_new(p, "KeySchema", keys);
    json_object_set_new(
        p, "BillingMode", json_string(s->provisioned ? "PROVISIONED" : "PAY_PER_REQUEST"));
    if (s->provisioned) {
        json_object_set_new(
            p,
            "ProvisionedThroughput",
            json_pack(
                "{s:I, s:I}",
                "ReadCapacityUnits",
                (json_int_t)s->read_capacity,
                "WriteCapacityUnits",
                (json_int_t)s->write_capacity));
    }
    if (s->ttl_attribute) {
        json_object_set_new(
            p,
            "TimeToLiveSpecification",
            json_pack("{s:s, s:b}", "AttributeName", s->ttl_attribute, "Enabled", s->ttl_enabled));
    }
    json_object_set_new(p, "DeletionProtectionEnabled", json_boolean(s->deletion_protection));
    json_object_set_new(
        p,
        "PointInTimeRecoverySpecification",
        json_pack("{s:b}", "PointInTimeRecoveryEnabled", s->pitr));
    if (s->tag_count) {
        json_t *tags = json_array();
        for (size_t i = 0; i < s->tag_count; i++) {
            json_array_append_new(
                tags, json_pack("{s:s, s:s}", "Key", s->tags[i].key, "Value", s->tags[i].value));
        }
        json_object_set_new(p, "Tags", tags);
    }
    return p;
}

static json_t *
s_output(const struct ttl_spec *s, json_t *value, const char *suffix, const char *desc) {
    struct tpd_buf name;
    tpd_buf_init(&name, 512);
    tpd_buf_printf(&name, "%s-%s", s->stack_name, suffix);
    json_t *o = json_pack(
        "{s:s, s:o, s:{s:s}}",
        "Description",
        desc,
        "Value",
        value,
        "Export",
        "Name",
        tpd_buf_cstr(&name));
    tpd_buf_clear(&name);
    return o;
}

enum tpd_code cfn_template_render(
    const struct ttl_spec *s,
    enum cfn_template_mode mode,
    struct tpd_buf *out,
    struct tpd_err *err) {
    json_t *table = json_object();
    json_object_set_new(table, "Type", json_string("AWS::DynamoDB::Table"));
    json_object_set_new(
        table, "DeletionPolicy", json_string(s->retain_on_destroy ? "Retain" : "Delete"));
    json_object_set_new(table, "UpdateReplacePolicy", json_string("Retain"));
    json_object_set_new(table, "Properties", s_properties(s));

    json_t *t = json_object();
    json_object_set_new(t, "AWSTemplateFormatVersion", json_string("2010-09-09"));
    json_object_set_new(
        t,
        "Description",
        json_string("DynamoDB table with Time to Live, managed by terraform-provider-dynamodb"));
    json_t *resources = json_object();
    json_object_set_new(resources, CFN_TABLE_LOGICAL_ID, table);
    json_object_set_new(t, "Resources", resources);
    if (mode == CFN_TEMPLATE_FULL) {
        json_t *outputs = json_object();
        json_object_set_new(
            outputs,
            "TableName",
            s_output(
                s,
                json_pack("{s:s}", "Ref", CFN_TABLE_LOGICAL_ID),
                "TableName",
                "Name of the DynamoDB table"));
        json_object_set_new(
            outputs,
            "TableArn",
            s_output(
                s,
                json_pack("{s:[s,s]}", "Fn::GetAtt", CFN_TABLE_LOGICAL_ID, "Arn"),
                "TableArn",
                "ARN of the DynamoDB table"));
        json_object_set_new(t, "Outputs", outputs);
    }
    char *text = json_dumps(t, JSON_SORT_KEYS | JSON_INDENT(2));
    json_decref(t);
    if (!text) {
        return tpd_err_set(err, TPD_E_NOMEM, "cannot render the stack template");
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
