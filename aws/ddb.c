/*
 * ddb: DynamoDB JSON 1.0 calls over aws_client (see ddb.h). Request bodies are
 * built and responses read with jansson; the shapes follow botocore's
 * dynamodb/2012-08-10 service model. Paginated calls go through aws_paginate. Out of
 * memory is always TPD_E_NOMEM: a value that could not be copied is never taken for
 * an absent one.
 */
#include "ddb.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_paginate.h"
#include "aws_waiter.h"
#include "tpd_alloc.h"
#include "tpd_clock.h"
#include "tpd_text.h"

/* *dst = copy of src (NULL stays NULL); false when a copy was needed and failed. */
static bool s_copy(char **dst, const char *src) {
    *dst = src ? tpd_strdup(src) : NULL;
    return !src || *dst;
}

/* Send req (consumed) and parse the JSON answer into *out (may be NULL). */
static enum tpd_code
s_call(struct aws_client *c, const char *op, json_t *req, json_t **out, struct tpd_err *err) {
    enum tpd_code rc = TPD_OK;
    char *body = NULL;
    struct aws_http_response resp;
    aws_http_response_init(&resp);
    if (out) {
        *out = NULL;
    }
    if (!req || !(body = json_dumps(req, JSON_COMPACT))) {
        rc = tpd_err_set(err, TPD_E_NOMEM, "%s: cannot build the request", op);
        goto done;
    }
    rc = aws_client_call(c, AWS_SVC_DYNAMODB, op, tpd_span_cstr(body), &resp, err);
    if (rc) {
        goto done;
    }
    if (out) {
        json_error_t je;
        *out = json_loadb(
            (const char *)(resp.body.ptr ? resp.body.ptr : (const uint8_t *)""),
            resp.body.len,
            0,
            &je);
        if (!*out || !json_is_object(*out)) {
            json_decref(*out);
            *out = NULL;
            rc = tpd_err_set(
                err, TPD_E_PARSE, "%s: the response is not a JSON object (%s)", op, je.text);
            tpd_err_set_aws(err, resp.status, NULL, resp.request_id);
        }
    }
done:
    free(body);
    json_decref(req);
    aws_http_response_clear(&resp);
    return rc;
}

static const char *s_str(json_t *o, const char *k) {
    return json_string_value(json_object_get(o, k));
}

static char *s_dup_str(json_t *v) {
    return tpd_strdup(json_string_value(v));
}

static void s_index_clear(struct ddb_index *x) {
    free(x->name);
    free(x->hash.name);
    free(x->hash.type);
    free(x->range.name);
    free(x->range.type);
    free(x->projection_type);
    for (size_t i = 0; i < x->non_key_count; i++) {
        free(x->non_key[i]);
    }
    free(x->non_key);
    free(x->status);
    memset(x, 0, sizeof(*x));
}

static void s_indexes_free(struct ddb_index *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        s_index_clear(&v[i]);
    }
    free(v);
}

void ddb_table_clear(struct ddb_table *t) {
    free(t->name);
    free(t->arn);
    free(t->status);
    free(t->hash.name);
    free(t->hash.type);
    free(t->range.name);
    free(t->range.type);
    free(t->billing_mode);
    s_indexes_free(t->gsis, t->gsi_count);
    s_indexes_free(t->lsis, t->lsi_count);
    free(t->stream_view_type);
    free(t->stream_arn);
    free(t->sse_status);
    free(t->sse_type);
    free(t->sse_kms_key_arn);
    free(t->table_class);
    free(t->replicas);
    memset(t, 0, sizeof(*t));
}

/* The key attribute of key schema ks named kt ("HASH"/"RANGE") with its type from the
 * table's AttributeDefinitions (defs); the first KeySchema entry of that type counts. */
static bool s_key_attr(json_t *ks_list, json_t *defs, const char *kt, struct ddb_key_attr *dst) {
    size_t i;
    json_t *ks;
    json_array_foreach(ks_list, i, ks) {
        const char *an = s_str(ks, "AttributeName");
        const char *type = s_str(ks, "KeyType");
        if (!an || !type || strcmp(type, kt) != 0) {
            continue;
        }
        const char *at = NULL;
        size_t j;
        json_t *ad;
        json_array_foreach(defs, j, ad) {
            const char *adn = s_str(ad, "AttributeName");
            if (!at && adn && strcmp(adn, an) == 0) {
                at = s_str(ad, "AttributeType");
            }
        }
        return s_copy(&dst->name, an) && s_copy(&dst->type, at);
    }
    return true;
}

/* A maximum of OnDemandThroughput: -1 (no limit) and absence read as 0. */
static int64_t s_on_demand(json_t *odt, const char *k) {
    json_int_t v = json_integer_value(json_object_get(odt, k));
    return v > 0 ? (int64_t)v : 0;
}

/* Secondary indexes (GlobalSecondaryIndexes / LocalSecondaryIndexes) of table t. Entries
 * without an IndexName are skipped. false on no memory. */
static bool s_indexes(json_t *t, const char *member, struct ddb_index **out, size_t *count) {
    json_t *list = json_object_get(t, member);
    json_t *defs = json_object_get(t, "AttributeDefinitions");
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    *out = NULL;
    *count = 0;
    if (!n) {
        return true;
    }
    struct ddb_index *v = tpd_calloc(n, sizeof(*v));
    if (!v) {
        return false;
    }
    *out = v;
    size_t i;
    json_t *g;
    json_array_foreach(list, i, g) {
        const char *name = s_str(g, "IndexName");
        if (!name) {
            continue;
        }
        struct ddb_index *x = &v[(*count)++];
        json_t *ks = json_object_get(g, "KeySchema");
        json_t *proj = json_object_get(g, "Projection");
        json_t *pt = json_object_get(g, "ProvisionedThroughput");
        json_t *nka = json_object_get(proj, "NonKeyAttributes");
        if (!s_copy(&x->name, name) || !s_key_attr(ks, defs, "HASH", &x->hash) ||
            !s_key_attr(ks, defs, "RANGE", &x->range) ||
            !s_copy(&x->projection_type, s_str(proj, "ProjectionType")) ||
            !s_copy(&x->status, s_str(g, "IndexStatus"))) {
            return false;
        }
        size_t nn = json_is_array(nka) ? json_array_size(nka) : 0;
        if (nn && !(x->non_key = tpd_calloc(nn, sizeof(*x->non_key)))) {
            return false;
        }
        size_t j;
        json_t *a;
        json_array_foreach(nka, j, a) {
            if (json_is_string(a) && !(x->non_key[x->non_key_count++] = s_dup_str(a))) {
                return false;
            }
        }
        x->read_capacity = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
        x->write_capacity = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
        x->backfilling = json_is_true(json_object_get(g, "Backfilling"));
        json_t *odt = json_object_get(g, "OnDemandThroughput");
        x->on_demand_read = s_on_demand(odt, "MaxReadRequestUnits");
        x->on_demand_write = s_on_demand(odt, "MaxWriteRequestUnits");
    }
    return true;
}

/* The regions of the table's replicas, ", "-separated (NULL when there is none). */
static bool s_replicas(json_t *t, char **out) {
    *out = NULL;
    json_t *list = json_object_get(t, "Replicas");
    if (!json_is_array(list) || json_array_size(list) == 0) {
        return true;
    }
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_DEFAULT);
    enum tpd_code rc = TPD_OK;
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r) {
        const char *region = s_str(r, "RegionName");
        rc = rc ? rc : tpd_buf_printf(&b, "%s%s", b.len ? ", " : "", region ? region : "?");
    }
    if (!rc) {
        *out = tpd_buf_detach(&b);
    }
    tpd_buf_clear(&b);
    return *out != NULL;
}

enum tpd_code ddb_describe_table(
    struct aws_client *c, const char *name, struct ddb_table *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    json_t *resp = NULL;
    enum tpd_code rc =
        s_call(c, "DescribeTable", json_pack("{s:s}", "TableName", name), &resp, err);
    if (rc) {
        return rc;
    }
    json_t *t = json_object_get(resp, "Table");
    if (!json_is_object(t)) {
        json_decref(resp);
        return tpd_err_set(err, TPD_E_PARSE, "DescribeTable %s: no Table in the response", name);
    }
    const char *bm = s_str(json_object_get(t, "BillingModeSummary"), "BillingMode");
    json_t *ks = json_object_get(t, "KeySchema"),
           *defs = json_object_get(t, "AttributeDefinitions");
    json_t *stream = json_object_get(t, "StreamSpecification");
    json_t *sse = json_object_get(t, "SSEDescription");
    out->stream_enabled = json_is_true(json_object_get(stream, "StreamEnabled"));
    bool ok =
        s_copy(&out->name, s_str(t, "TableName")) && s_copy(&out->arn, s_str(t, "TableArn")) &&
        s_copy(&out->status, s_str(t, "TableStatus")) && s_key_attr(ks, defs, "HASH", &out->hash) &&
        s_key_attr(ks, defs, "RANGE", &out->range) &&
        s_copy(&out->billing_mode, bm ? bm : "PROVISIONED") &&
        s_indexes(t, "GlobalSecondaryIndexes", &out->gsis, &out->gsi_count) &&
        s_indexes(t, "LocalSecondaryIndexes", &out->lsis, &out->lsi_count) &&
        s_copy(
            &out->stream_view_type, out->stream_enabled ? s_str(stream, "StreamViewType") : NULL) &&
        s_copy(&out->stream_arn, s_str(t, "LatestStreamArn")) &&
        s_copy(&out->sse_status, s_str(sse, "Status")) &&
        s_copy(&out->sse_type, s_str(sse, "SSEType")) &&
        s_copy(&out->sse_kms_key_arn, s_str(sse, "KMSMasterKeyArn")) &&
        s_copy(&out->table_class, s_str(json_object_get(t, "TableClassSummary"), "TableClass")) &&
        s_replicas(t, &out->replicas);
    json_t *pt = json_object_get(t, "ProvisionedThroughput");
    out->read_capacity = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
    out->write_capacity = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
    out->deletion_protection = json_is_true(json_object_get(t, "DeletionProtectionEnabled"));
    out->item_count = json_integer_value(json_object_get(t, "ItemCount"));
    json_t *odt = json_object_get(t, "OnDemandThroughput");
    out->on_demand_read = s_on_demand(odt, "MaxReadRequestUnits");
    out->on_demand_write = s_on_demand(odt, "MaxWriteRequestUnits");
    json_t *warm = json_object_get(t, "WarmThroughput");
    out->warm_read = s_on_demand(warm, "ReadUnitsPerSecond");
    out->warm_write = s_on_demand(warm, "WriteUnitsPerSecond");
    json_decref(resp);
    if (!ok) {
        ddb_table_clear(out);
        tpd_err_set(err, TPD_E_NOMEM, "DescribeTable %s: out of memory", name);
        return TPD_E_NOMEM;
    }
    if (!out->name || !out->status) {
        ddb_table_clear(out);
        tpd_err_set(err, TPD_E_PARSE, "DescribeTable %s: TableName or TableStatus missing", name);
        return TPD_E_PARSE;
    }
    return TPD_OK;
}

void ddb_ttl_clear(struct ddb_ttl *t) {
    free(t->status);
    free(t->attribute);
    memset(t, 0, sizeof(*t));
}

enum tpd_code ddb_describe_time_to_live(
    struct aws_client *c, const char *name, struct ddb_ttl *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    json_t *resp = NULL;
    enum tpd_code rc =
        s_call(c, "DescribeTimeToLive", json_pack("{s:s}", "TableName", name), &resp, err);
    if (rc) {
        return rc;
    }
    json_t *d = json_object_get(resp, "TimeToLiveDescription");
    const char *st = s_str(d, "TimeToLiveStatus");
    bool ok = s_copy(&out->status, st ? st : "DISABLED") &&
              s_copy(&out->attribute, s_str(d, "AttributeName"));
    json_decref(resp);
    if (!ok) {
        ddb_ttl_clear(out);
        return tpd_err_set(err, TPD_E_NOMEM, "DescribeTimeToLive %s: out of memory", name);
    }
    return TPD_OK;
}

enum tpd_code ddb_update_time_to_live(
    struct aws_client *c,
    const char *name,
    const char *attribute,
    bool enabled,
    struct tpd_err *err) {
    json_t *req = json_pack(
        "{s:s,s:{s:s,s:b}}",
        "TableName",
        name,
        "TimeToLiveSpecification",
        "AttributeName",
        attribute ? attribute : "",
        "Enabled",
        enabled);
    return s_call(c, "UpdateTimeToLive", req, NULL, err);
}

enum tpd_code ddb_describe_continuous_backups(
    struct aws_client *c,
    const char *name,
    bool *pitr_enabled,
    int64_t *days,
    struct tpd_err *err) {
    json_t *resp = NULL;
    *pitr_enabled = false;
    if (days) {
        *days = 0;
    }
    enum tpd_code rc =
        s_call(c, "DescribeContinuousBackups", json_pack("{s:s}", "TableName", name), &resp, err);
    if (rc) {
        return rc;
    }
    json_t *d = json_object_get(
        json_object_get(resp, "ContinuousBackupsDescription"), "PointInTimeRecoveryDescription");
    const char *st = s_str(d, "PointInTimeRecoveryStatus");
    *pitr_enabled = st && strcmp(st, "ENABLED") == 0;
    json_t *n = json_object_get(d, "RecoveryPeriodInDays");
    if (days && json_is_integer(n) && json_integer_value(n) > 0) {
        *days = json_integer_value(n);
    }
    json_decref(resp);
    return TPD_OK;
}

enum tpd_code ddb_update_continuous_backups(
    struct aws_client *c, const char *name, bool pitr_enabled, int64_t days, struct tpd_err *err) {
    json_t *req = json_pack(
        "{s:s,s:{s:b}}",
        "TableName",
        name,
        "PointInTimeRecoverySpecification",
        "PointInTimeRecoveryEnabled",
        pitr_enabled);
    if (req && pitr_enabled && days > 0 &&
        json_object_set_new(
            json_object_get(req, "PointInTimeRecoverySpecification"),
            "RecoveryPeriodInDays",
            json_integer((json_int_t)days))) {
        json_decref(req);
        req = NULL;
    }
    return s_call(c, "UpdateContinuousBackups", req, NULL, err);
}

void ddb_tags_clear(struct ddb_tags *t) {
    tpd_kv_array_free(t->v, t->count);
    memset(t, 0, sizeof(*t));
}

static int s_tag_cmp(const void *a, const void *b) {
    return strcmp(((const struct tpd_kv *)a)->key, ((const struct tpd_kv *)b)->key);
}

struct s_tag_pages {
    struct aws_client *c;
    const char *arn;
    struct ddb_tags *out;
    size_t cap;
};

static enum tpd_code s_tags_page(void *ud, const char *token, char **next, struct tpd_err *err) {
    struct s_tag_pages *p = ud;
    struct ddb_tags *out = p->out;
    json_t *req = json_pack("{s:s}", "ResourceArn", p->arn);
    if (req && token && json_object_set_new(req, "NextToken", json_string(token)) != 0) {
        json_decref(req);
        req = NULL;
    }
    json_t *resp = NULL;
    enum tpd_code rc = s_call(p->c, "ListTagsOfResource", req, &resp, err);
    if (rc) {
        return rc;
    }
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(resp, "Tags"), i, t) {
        const char *k = s_str(t, "Key");
        const char *v = s_str(t, "Value");
        if (!k) {
            continue;
        }
        if (!TPD_ARRAY_RESERVE(out->v, p->cap, out->count + 1) ||
            tpd_kv_set(&out->v[out->count], k, v ? v : "") != TPD_OK) {
            rc = TPD_E_NOMEM;
            break;
        }
        out->count++;
    }
    if (!rc && !s_copy(next, s_str(resp, "NextToken"))) {
        rc = TPD_E_NOMEM;
    }
    json_decref(resp);
    return rc ? tpd_err_set(err, rc, "ListTagsOfResource: out of memory") : TPD_OK;
}

enum tpd_code ddb_list_tags_of_resource(
    struct aws_client *c, const char *arn, struct ddb_tags *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    struct s_tag_pages p = {c, arn, out, 0};
    enum tpd_code rc = aws_paginate("ListTagsOfResource", s_tags_page, &p, err);
    if (rc) {
        ddb_tags_clear(out);
        return rc;
    }
    if (out->count > 1) {
        qsort(out->v, out->count, sizeof(out->v[0]), s_tag_cmp);
    }
    return TPD_OK;
}

enum tpd_code ddb_create_table(
    struct aws_client *c, const struct ddb_create_table_input *in, struct tpd_err *err) {
    bool ppr = in->billing_mode && strcmp(in->billing_mode, "PAY_PER_REQUEST") == 0;
    json_t *req = json_pack(
        "{s:s,s:[{s:s,s:s}],s:[{s:s,s:s}],s:s,s:b}",
        "TableName",
        in->name,
        "KeySchema",
        "AttributeName",
        in->hash_name,
        "KeyType",
        "HASH",
        "AttributeDefinitions",
        "AttributeName",
        in->hash_name,
        "AttributeType",
        in->hash_type ? in->hash_type : "S",
        "BillingMode",
        ppr ? "PAY_PER_REQUEST" : "PROVISIONED",
        "DeletionProtectionEnabled",
        in->deletion_protection);
    if (!req) {
        return tpd_err_set(err, TPD_E_INVALID, "CreateTable: table name and hash key are required");
    }
    if (in->range_name) {
        json_array_append_new(
            json_object_get(req, "KeySchema"),
            json_pack("{s:s,s:s}", "AttributeName", in->range_name, "KeyType", "RANGE"));
        json_array_append_new(
            json_object_get(req, "AttributeDefinitions"),
            json_pack(
                "{s:s,s:s}",
                "AttributeName",
                in->range_name,
                "AttributeType",
                in->range_type ? in->range_type : "S"));
    }
    if (!ppr) {
        json_object_set_new(
            req,
            "ProvisionedThroughput",
            json_pack(
                "{s:I,s:I}",
                "ReadCapacityUnits",
                (json_int_t)in->read_capacity,
                "WriteCapacityUnits",
                (json_int_t)in->write_capacity));
    }
    if (in->tag_count) {
        json_t *tags = json_array();
        for (size_t i = 0; i < in->tag_count; i++) {
            json_array_append_new(
                tags, json_pack("{s:s,s:s}", "Key", in->tags[i].key, "Value", in->tags[i].value));
        }
        json_object_set_new(req, "Tags", tags);
    }
    return s_call(c, "CreateTable", req, NULL, err);
}

enum tpd_code ddb_update_deletion_protection(
    struct aws_client *c, const char *name, bool enabled, struct tpd_err *err) {
    return s_call(
        c,
        "UpdateTable",
        json_pack("{s:s,s:b}", "TableName", name, "DeletionProtectionEnabled", enabled),
        NULL,
        err);
}

static json_t *s_throughput(int64_t r, int64_t w) {
    return json_pack(
        "{s:I,s:I}", "ReadCapacityUnits", (json_int_t)r, "WriteCapacityUnits", (json_int_t)w);
}

/* One GlobalSecondaryIndexUpdates entry. */
static json_t *s_gsi_update(const struct ddb_gsi_update *u) {
    if (u->action == DDB_GSI_DELETE) {
        return json_pack("{s:{s:s}}", "Delete", "IndexName", u->name);
    }
    if (u->action == DDB_GSI_UPDATE) {
        return json_pack(
            "{s:{s:s,s:o}}",
            "Update",
            "IndexName",
            u->name,
            "ProvisionedThroughput",
            s_throughput(u->read_capacity, u->write_capacity));
    }
    json_t *ks = json_pack("[{s:s,s:s}]", "AttributeName", u->hash_name, "KeyType", "HASH");
    json_t *proj = json_pack("{s:s}", "ProjectionType", u->projection_type);
    json_t *c = json_pack("{s:s}", "IndexName", u->name);
    int bad = !ks || !proj || !c;
    if (!bad && u->range_name) {
        bad |= json_array_append_new(
            ks, json_pack("{s:s,s:s}", "AttributeName", u->range_name, "KeyType", "RANGE"));
    }
    if (!bad && u->non_key_count) {
        json_t *nka = json_array();
        for (size_t i = 0; nka && i < u->non_key_count; i++) {
            bad |= json_array_append_new(nka, json_string(u->non_key[i]));
        }
        bad |= !nka || json_object_set_new(proj, "NonKeyAttributes", nka);
    }
    if (!bad && u->read_capacity > 0 && u->write_capacity > 0) {
        bad |= json_object_set_new(
            c, "ProvisionedThroughput", s_throughput(u->read_capacity, u->write_capacity));
    }
    if (!bad) {
        bad |= json_object_set_new(c, "KeySchema", ks) | json_object_set_new(c, "Projection", proj);
        ks = proj = NULL;
    }
    json_decref(ks);
    json_decref(proj);
    json_t *out = bad ? NULL : json_pack("{s:o}", "Create", c);
    if (!out && bad) {
        json_decref(c);
    }
    return out;
}

/* The optional members of an UpdateTable request; nonzero on no memory. */
static int s_update_members(json_t *req, const struct ddb_update_table_input *in) {
    int rc = 0;
    if (in->billing_mode) {
        rc |= json_object_set_new(req, "BillingMode", json_string(in->billing_mode));
    }
    if (in->read_capacity > 0 && in->write_capacity > 0) {
        rc |= json_object_set_new(
            req, "ProvisionedThroughput", s_throughput(in->read_capacity, in->write_capacity));
    }
    if (in->deletion_protection != DDB_UNSET) {
        rc |= json_object_set_new(
            req, "DeletionProtectionEnabled", json_boolean(in->deletion_protection == DDB_TRUE));
    }
    if (in->stream == DDB_TRUE) {
        rc |= json_object_set_new(
            req,
            "StreamSpecification",
            json_pack("{s:b,s:s}", "StreamEnabled", 1, "StreamViewType", in->stream_view_type));
    } else if (in->stream == DDB_FALSE) {
        rc |=
            json_object_set_new(req, "StreamSpecification", json_pack("{s:b}", "StreamEnabled", 0));
    }
    if (in->sse == DDB_TRUE) {
        json_t *sse = json_pack("{s:b,s:s}", "Enabled", 1, "SSEType", "KMS");
        if (sse && in->sse_kms_key) {
            rc |= json_object_set_new(sse, "KMSMasterKeyId", json_string(in->sse_kms_key));
        }
        rc |= json_object_set_new(req, "SSESpecification", sse);
    } else if (in->sse == DDB_FALSE) {
        rc |= json_object_set_new(req, "SSESpecification", json_pack("{s:b}", "Enabled", 0));
    }
    if (in->table_class) {
        rc |= json_object_set_new(req, "TableClass", json_string(in->table_class));
    }
    if (in->on_demand) {
        rc |= json_object_set_new(
            req,
            "OnDemandThroughput",
            json_pack(
                "{s:I,s:I}",
                "MaxReadRequestUnits",
                (json_int_t)in->on_demand_read,
                "MaxWriteRequestUnits",
                (json_int_t)in->on_demand_write));
    }
    if (in->warm_read > 0 || in->warm_write > 0) {
        json_t *w = json_object();
        rc |= !w;
        if (w && in->warm_read > 0) {
            rc |= json_object_set_new(w, "ReadUnitsPerSecond", json_integer(in->warm_read));
        }
        if (w && in->warm_write > 0) {
            rc |= json_object_set_new(w, "WriteUnitsPerSecond", json_integer(in->warm_write));
        }
        rc |= !w || json_object_set_new(req, "WarmThroughput", w);
    }
    if (in->attr_def_count) {
        json_t *defs = json_array();
        for (size_t i = 0; defs && i < in->attr_def_count; i++) {
            rc |= json_array_append_new(
                defs,
                json_pack(
                    "{s:s,s:s}",
                    "AttributeName",
                    in->attr_defs[i].name,
                    "AttributeType",
                    in->attr_defs[i].type));
        }
        rc |= !defs || json_object_set_new(req, "AttributeDefinitions", defs);
    }
    if (in->gsi_update_count) {
        json_t *list = json_array();
        for (size_t i = 0; list && i < in->gsi_update_count; i++) {
            rc |= json_array_append_new(list, s_gsi_update(&in->gsi_updates[i]));
        }
        rc |= !list || json_object_set_new(req, "GlobalSecondaryIndexUpdates", list);
    }
    return rc;
}

enum tpd_code ddb_update_table(
    struct aws_client *c, const struct ddb_update_table_input *in, struct tpd_err *err) {
    json_t *req = json_pack("{s:s}", "TableName", in->name);
    if (!req || s_update_members(req, in)) {
        json_decref(req);
        return tpd_err_set(err, TPD_E_NOMEM, "UpdateTable: out of memory");
    }
    return s_call(c, "UpdateTable", req, NULL, err);
}

void ddb_contributor_insights_clear(struct ddb_contributor_insights *ci) {
    free(ci->status);
    free(ci->mode);
    memset(ci, 0, sizeof(*ci));
}

static json_t *s_table_index_req(const char *table, const char *index) {
    json_t *req = json_pack("{s:s}", "TableName", table);
    if (req && index && json_object_set_new(req, "IndexName", json_string(index))) {
        json_decref(req);
        req = NULL;
    }
    return req;
}

enum tpd_code ddb_describe_contributor_insights(
    struct aws_client *c,
    const char *table,
    const char *index,
    struct ddb_contributor_insights *out,
    struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    json_t *resp = NULL;
    enum tpd_code rc =
        s_call(c, "DescribeContributorInsights", s_table_index_req(table, index), &resp, err);
    if (rc) {
        return rc;
    }
    const char *st = s_str(resp, "ContributorInsightsStatus");
    bool ok = s_copy(&out->status, st ? st : "DISABLED") &&
              s_copy(&out->mode, s_str(resp, "ContributorInsightsMode"));
    json_decref(resp);
    if (!ok) {
        ddb_contributor_insights_clear(out);
        return tpd_err_set(
            err, TPD_E_NOMEM, "DescribeContributorInsights %s: out of memory", table);
    }
    return TPD_OK;
}

enum tpd_code ddb_update_contributor_insights(
    struct aws_client *c, const char *table, const char *index, bool enable, struct tpd_err *err) {
    json_t *req = s_table_index_req(table, index);
    if (req && json_object_set_new(
                   req, "ContributorInsightsAction", json_string(enable ? "ENABLE" : "DISABLE"))) {
        json_decref(req);
        req = NULL;
    }
    return s_call(c, "UpdateContributorInsights", req, NULL, err);
}

enum tpd_code
ddb_get_resource_policy(struct aws_client *c, const char *arn, bool *present, struct tpd_err *err) {
    *present = false;
    json_t *resp = NULL;
    enum tpd_code rc =
        s_call(c, "GetResourcePolicy", json_pack("{s:s}", "ResourceArn", arn), &resp, err);
    if (rc && tpd_err_is_aws(err, "PolicyNotFoundException")) {
        /* No policy: DynamoDB answers with this error (botocore's GetResourcePolicy
         * errors), not with an empty policy. */
        tpd_err_clear(err);
        return TPD_OK;
    }
    if (rc) {
        return rc;
    }
    *present = json_string_value(json_object_get(resp, "Policy")) != NULL;
    json_decref(resp);
    return TPD_OK;
}

enum tpd_code ddb_read_resource_policy(
    struct aws_client *c, const char *arn, char **policy, struct tpd_err *err) {
    *policy = NULL;
    json_t *resp = NULL;
    enum tpd_code rc =
        s_call(c, "GetResourcePolicy", json_pack("{s:s}", "ResourceArn", arn), &resp, err);
    if (rc && tpd_err_is_aws(err, "PolicyNotFoundException")) {
        tpd_err_clear(err); /* no policy (ddb_get_resource_policy) */
        return TPD_OK;
    }
    if (rc) {
        return rc;
    }
    const char *p = json_string_value(json_object_get(resp, "Policy"));
    bool ok = s_copy(policy, p);
    json_decref(resp);
    return ok ? TPD_OK : tpd_err_set(err, TPD_E_NOMEM, "GetResourcePolicy: out of memory");
}

enum tpd_code ddb_put_resource_policy(
    struct aws_client *c, const char *arn, const char *policy, struct tpd_err *err) {
    return s_call(
        c,
        "PutResourcePolicy",
        json_pack("{s:s, s:s}", "ResourceArn", arn, "Policy", policy),
        NULL,
        err);
}

enum tpd_code
ddb_delete_resource_policy(struct aws_client *c, const char *arn, struct tpd_err *err) {
    enum tpd_code rc =
        s_call(c, "DeleteResourcePolicy", json_pack("{s:s}", "ResourceArn", arn), NULL, err);
    if (rc && tpd_err_is_aws(err, "PolicyNotFoundException")) {
        tpd_err_clear(err);
        return TPD_OK;
    }
    return rc;
}

void ddb_kinesis_dests_free(struct ddb_kinesis_dest *v, size_t n) {
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].arn);
        free(v[i].status);
        free(v[i].precision);
    }
    free(v);
}

enum tpd_code ddb_read_kinesis_destinations(
    struct aws_client *c,
    const char *table,
    struct ddb_kinesis_dest **v,
    size_t *n,
    struct tpd_err *err) {
    *v = NULL;
    *n = 0;
    json_t *resp = NULL;
    enum tpd_code rc = s_call(
        c,
        "DescribeKinesisStreamingDestination",
        json_pack("{s:s}", "TableName", table),
        &resp,
        err);
    if (rc) {
        return rc;
    }
    json_t *list = json_object_get(resp, "KinesisDataStreamDestinations");
    size_t cnt = json_is_array(list) ? json_array_size(list) : 0;
    bool ok = true;
    if (cnt) {
        *v = tpd_calloc(cnt, sizeof(**v));
        ok = *v != NULL;
    }
    for (size_t i = 0; ok && i < cnt; i++) {
        json_t *d = json_array_get(list, i);
        const char *arn = s_str(d, "StreamArn");
        if (!arn) {
            continue;
        }
        struct ddb_kinesis_dest *x = &(*v)[(*n)++];
        ok = s_copy(&x->arn, arn) && s_copy(&x->status, s_str(d, "DestinationStatus")) &&
             s_copy(&x->precision, s_str(d, "ApproximateCreationDateTimePrecision"));
    }
    json_decref(resp);
    if (!ok) {
        ddb_kinesis_dests_free(*v, *n ? *n : cnt);
        *v = NULL;
        *n = 0;
        return tpd_err_set(err, TPD_E_NOMEM, "DescribeKinesisStreamingDestination: out of memory");
    }
    return TPD_OK;
}

enum tpd_code ddb_enable_kinesis_destination(
    struct aws_client *c,
    const char *table,
    const char *arn,
    const char *precision,
    struct tpd_err *err) {
    json_t *req = json_pack("{s:s, s:s}", "TableName", table, "StreamArn", arn);
    if (req && precision &&
        json_object_set_new(
            req,
            "EnableKinesisStreamingConfiguration",
            json_pack("{s:s}", "ApproximateCreationDateTimePrecision", precision))) {
        json_decref(req);
        req = NULL;
    }
    return s_call(c, "EnableKinesisStreamingDestination", req, NULL, err);
}

enum tpd_code ddb_update_kinesis_destination(
    struct aws_client *c,
    const char *table,
    const char *arn,
    const char *precision,
    struct tpd_err *err) {
    return s_call(
        c,
        "UpdateKinesisStreamingDestination",
        json_pack(
            "{s:s, s:s, s:{s:s}}",
            "TableName",
            table,
            "StreamArn",
            arn,
            "UpdateKinesisStreamingConfiguration",
            "ApproximateCreationDateTimePrecision",
            precision ? precision : "MILLISECOND"),
        NULL,
        err);
}

enum tpd_code ddb_disable_kinesis_destination(
    struct aws_client *c, const char *table, const char *arn, struct tpd_err *err) {
    return s_call(
        c,
        "DisableKinesisStreamingDestination",
        json_pack("{s:s, s:s}", "TableName", table, "StreamArn", arn),
        NULL,
        err);
}

enum tpd_code ddb_describe_kinesis_streaming_destination(
    struct aws_client *c, const char *table, char **streams, struct tpd_err *err) {
    *streams = NULL;
    json_t *resp = NULL;
    enum tpd_code rc = s_call(
        c,
        "DescribeKinesisStreamingDestination",
        json_pack("{s:s}", "TableName", table),
        &resp,
        err);
    if (rc) {
        return rc;
    }
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_DEFAULT);
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(resp, "KinesisDataStreamDestinations"), i, d) {
        const char *st = s_str(d, "DestinationStatus");
        const char *arn = s_str(d, "StreamArn");
        if (st && strcmp(st, "DISABLED") == 0) {
            continue;
        }
        rc =
            rc ? rc
               : tpd_buf_printf(&b, "%s%s (%s)", b.len ? ", " : "", arn ? arn : "?", st ? st : "?");
    }
    json_decref(resp);
    if (!rc && b.len && !(*streams = tpd_buf_detach(&b))) {
        rc = TPD_E_NOMEM;
    }
    tpd_buf_clear(&b);
    return rc ? tpd_err_set(err, rc, "DescribeKinesisStreamingDestination: out of memory") : TPD_OK;
}

enum tpd_code ddb_tag_resource(
    struct aws_client *c,
    const char *arn,
    const struct ddb_tag_in *tags,
    size_t count,
    struct tpd_err *err) {
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++) {
        if (json_array_append_new(
                list, json_pack("{s:s,s:s}", "Key", tags[i].key, "Value", tags[i].value))) {
            json_decref(list);
            list = NULL;
        }
    }
    json_t *req = list ? json_pack("{s:s,s:o}", "ResourceArn", arn, "Tags", list) : NULL;
    if (!req) {
        return tpd_err_set(err, TPD_E_NOMEM, "TagResource: out of memory");
    }
    return s_call(c, "TagResource", req, NULL, err);
}

enum tpd_code ddb_untag_resource(
    struct aws_client *c,
    const char *arn,
    const char *const *keys,
    size_t count,
    struct tpd_err *err) {
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++) {
        if (json_array_append_new(list, json_string(keys[i]))) {
            json_decref(list);
            list = NULL;
        }
    }
    json_t *req = list ? json_pack("{s:s,s:o}", "ResourceArn", arn, "TagKeys", list) : NULL;
    if (!req) {
        return tpd_err_set(err, TPD_E_NOMEM, "UntagResource: out of memory");
    }
    return s_call(c, "UntagResource", req, NULL, err);
}

enum tpd_code ddb_delete_table(struct aws_client *c, const char *name, struct tpd_err *err) {
    return s_call(c, "DeleteTable", json_pack("{s:s}", "TableName", name), NULL, err);
}

enum tpd_code
ddb_put_item(struct aws_client *c, const char *name, const char *item_json, struct tpd_err *err) {
    json_error_t je;
    json_t *item = json_loads(item_json, 0, &je);
    if (!json_is_object(item)) {
        json_decref(item);
        return tpd_err_set(err, TPD_E_INVALID, "PutItem: item is not a JSON object: %s", je.text);
    }
    return s_call(c, "PutItem", json_pack("{s:s,s:o}", "TableName", name, "Item", item), NULL, err);
}

static int s_strp_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Scan's pages: the count, and (when asked) each item as canonical JSON text. The
 * page token is LastEvaluatedKey as JSON text (DynamoDB JSON keeps numbers in strings,
 * so the round trip is exact). */
struct s_scan_pages {
    struct aws_client *c;
    const char *name;
    bool want_items;
    int64_t count;
    char **texts;
    size_t n;
    size_t cap;
};

static json_t *s_scan_request(const struct s_scan_pages *p, const char *token) {
    json_t *req = json_pack("{s:s}", "TableName", p->name);
    int bad = !req;
    if (req && token) {
        json_t *start = json_loads(token, 0, NULL);
        bad |= !start || json_object_set_new(req, "ExclusiveStartKey", start) != 0;
    }
    if (req && !p->want_items) {
        bad |= json_object_set_new(req, "Select", json_string("COUNT")) != 0;
    }
    if (bad) {
        json_decref(req);
        return NULL;
    }
    return req;
}

static enum tpd_code s_scan_items(struct s_scan_pages *p, json_t *resp) {
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(resp, "Items"), i, it) {
        char *s = json_dumps(it, JSON_COMPACT | JSON_SORT_KEYS);
        if (!s || !TPD_ARRAY_RESERVE(p->texts, p->cap, p->n + 1)) {
            free(s);
            return TPD_E_NOMEM;
        }
        p->texts[p->n++] = s;
    }
    return TPD_OK;
}

static enum tpd_code s_scan_page(void *ud, const char *token, char **next, struct tpd_err *err) {
    struct s_scan_pages *p = ud;
    json_t *resp = NULL;
    enum tpd_code rc = s_call(p->c, "Scan", s_scan_request(p, token), &resp, err);
    if (rc) {
        return rc;
    }
    json_int_t page_count = json_integer_value(json_object_get(resp, "Count"));
    if (page_count < 0 || page_count > INT64_MAX - p->count) {
        json_decref(resp);
        return tpd_err_set(
            err,
            TPD_E_PARSE,
            "Scan %s: implausible Count %lld in the response",
            p->name,
            (long long)page_count);
    }
    p->count += page_count;
    rc = p->want_items ? s_scan_items(p, resp) : TPD_OK;
    json_t *lek = json_object_get(resp, "LastEvaluatedKey");
    if (!rc && json_is_object(lek) && json_object_size(lek) > 0) {
        *next = json_dumps(lek, JSON_COMPACT);
        rc = *next ? TPD_OK : TPD_E_NOMEM;
    }
    json_decref(resp);
    return rc ? tpd_err_set(err, rc, "Scan %s: out of memory", p->name) : TPD_OK;
}

/* The items sorted by their text, as one JSON array. */
static enum tpd_code s_scan_join(struct s_scan_pages *p, char **out) {
    if (p->n > 1) {
        qsort(p->texts, p->n, sizeof(*p->texts), s_strp_cmp);
    }
    struct tpd_buf b;
    tpd_buf_init(&b, TPD_MAX_DEFAULT);
    enum tpd_code rc = tpd_buf_append_byte(&b, '[');
    for (size_t i = 0; i < p->n && !rc; i++) {
        rc = i ? tpd_buf_append_byte(&b, ',') : TPD_OK;
        rc = rc ? rc : tpd_buf_append_cstr(&b, p->texts[i]);
    }
    rc = rc ? rc : tpd_buf_append_byte(&b, ']');
    if (rc) {
        tpd_buf_clear(&b);
        return rc;
    }
    *out = tpd_buf_detach(&b);
    return TPD_OK;
}

enum tpd_code ddb_scan(
    struct aws_client *c,
    const char *name,
    int64_t *count,
    char **items_json,
    struct tpd_err *err) {
    *count = 0;
    if (items_json) {
        *items_json = NULL;
    }
    struct s_scan_pages p = {c, name, items_json != NULL, 0, NULL, 0, 0};
    enum tpd_code rc = aws_paginate("Scan", s_scan_page, &p, err);
    if (!rc && items_json) {
        rc = s_scan_join(&p, items_json);
        if (rc) {
            tpd_err_set(err, rc, "Scan %s: %s", name, tpd_code_str(rc));
        }
    }
    for (size_t i = 0; i < p.n; i++) {
        free(p.texts[i]);
    }
    free(p.texts);
    *count = rc ? 0 : p.count;
    return rc;
}

struct s_table_wait {
    struct aws_client *c;
    const char *name;
    bool gone;
    struct ddb_table t; /* the last answer */
};

static enum tpd_code s_check_table(
    void *ud,
    enum aws_waiter_state *state,
    const char **status,
    const char **reason,
    struct tpd_err *err) {
    (void)reason;
    struct s_table_wait *w = ud;
    ddb_table_clear(&w->t);
    enum tpd_code rc = ddb_describe_table(w->c, w->name, &w->t, err);
    if (rc == TPD_E_NOT_FOUND) {
        /* Gone is what a delete waits for; a table being created may not be visible yet. */
        *state = w->gone ? AWS_WAITER_SUCCESS : AWS_WAITER_RETRY;
        *status = "not found";
        tpd_err_clear(err);
        return TPD_OK;
    }
    if (rc) {
        return rc;
    }
    *status = w->t.status;
    *state = !w->gone && strcmp(w->t.status, "ACTIVE") == 0 ? AWS_WAITER_SUCCESS : AWS_WAITER_RETRY;
    return TPD_OK;
}

/* Table waits report nothing at INFO: they are short and the caller logs the step. */
static void s_quiet(void *ud, const char *what, const char *status, const char *reason) {
    (void)ud;
    (void)what;
    (void)status;
    (void)reason;
}

enum tpd_code ddb_wait_table(
    struct aws_client *c,
    const char *name,
    bool gone,
    int64_t poll_ns,
    int64_t deadline_ns,
    struct tpd_err *err) {
    int64_t every = poll_ns > 0 ? poll_ns : 1000000000;
    struct aws_wait_options o = {
        .first_delay_ns = every,
        .max_delay_ns = every,
        .poll_first = true,
        .deadline_ns = deadline_ns,
        .progress = s_quiet,
    };
    struct s_table_wait w = {c, name, gone, {0}};
    struct tpd_text what;
    tpd_text_init(&what, TPD_MAX_NAME);
    tpd_text_printf(&what, "table %s to %s", name, gone ? "be deleted" : "become ACTIVE");
    enum tpd_code rc =
        aws_wait(c, tpd_text_cstr_or(&what, "the table"), name, &o, s_check_table, &w, err);
    tpd_text_clear(&what);
    ddb_table_clear(&w.t);
    return rc;
}

/* ---- backups and restores ---- */

enum tpd_code ddb_describe_backup(
    struct aws_client *c, const char *arn, struct ddb_table *out, struct tpd_err *err) {
    memset(out, 0, sizeof(*out));
    json_t *resp = NULL;
    enum tpd_code rc =
        s_call(c, "DescribeBackup", json_pack("{s:s}", "BackupArn", arn), &resp, err);
    if (rc) {
        if (tpd_err_is_aws(err, "BackupNotFoundException")) {
            err->code = TPD_E_NOT_FOUND;
            rc = TPD_E_NOT_FOUND;
        }
        return rc;
    }
    json_t *d = json_object_get(resp, "BackupDescription");
    json_t *src = json_object_get(d, "SourceTableDetails");
    json_t *feat = json_object_get(d, "SourceTableFeatureDetails");
    json_t *ks = json_object_get(src, "KeySchema");
    json_t *pt = json_object_get(src, "ProvisionedThroughput");
    const char *bm = s_str(src, "BillingMode");
    bool ok =
        s_copy(&out->name, s_str(src, "TableName")) && s_copy(&out->arn, s_str(src, "TableArn")) &&
        s_copy(&out->status, s_str(json_object_get(d, "BackupDetails"), "BackupStatus")) &&
        s_key_attr(ks, NULL, "HASH", &out->hash) && s_key_attr(ks, NULL, "RANGE", &out->range) &&
        s_copy(&out->billing_mode, bm ? bm : "PROVISIONED") &&
        s_indexes(feat, "GlobalSecondaryIndexes", &out->gsis, &out->gsi_count) &&
        s_indexes(feat, "LocalSecondaryIndexes", &out->lsis, &out->lsi_count);
    out->read_capacity = json_integer_value(json_object_get(pt, "ReadCapacityUnits"));
    out->write_capacity = json_integer_value(json_object_get(pt, "WriteCapacityUnits"));
    out->item_count = json_integer_value(json_object_get(src, "ItemCount"));
    json_decref(resp);
    if (!ok) {
        ddb_table_clear(out);
        return tpd_err_set(err, TPD_E_NOMEM, "DescribeBackup %s: out of memory", arn);
    }
    if (!out->hash.name) {
        ddb_table_clear(out);
        return tpd_err_set(
            err, TPD_E_PARSE, "DescribeBackup %s: the answer lacks the source's key schema", arn);
    }
    return TPD_OK;
}

/* One index of a restore's override (KeySchema, Projection, ProvisionedThroughput). */
static json_t *s_restore_index(const struct ddb_restore_index *x) {
    json_t *ks = json_pack("[{s:s,s:s}]", "AttributeName", x->hash, "KeyType", "HASH");
    if (ks && x->range) {
        json_array_append_new(
            ks, json_pack("{s:s,s:s}", "AttributeName", x->range, "KeyType", "RANGE"));
    }
    json_t *proj = json_pack("{s:s}", "ProjectionType", x->projection ? x->projection : "ALL");
    if (proj && x->non_key_count) {
        json_t *nk = json_array();
        for (size_t i = 0; nk && i < x->non_key_count; i++) {
            json_array_append_new(nk, json_string(x->non_key[i]));
        }
        json_object_set_new(proj, "NonKeyAttributes", nk);
    }
    json_t *o =
        json_pack("{s:s,s:o,s:o}", "IndexName", x->name, "KeySchema", ks, "Projection", proj);
    if (o && x->read_capacity > 0) {
        json_object_set_new(
            o, "ProvisionedThroughput", s_throughput(x->read_capacity, x->write_capacity));
    }
    return o;
}

static json_t *s_restore_indexes(const struct ddb_restore_index *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *x = s_restore_index(&v[i]);
        if (!x || json_array_append_new(a, x) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

enum tpd_code
ddb_restore_table(struct aws_client *c, const struct ddb_restore_input *in, struct tpd_err *err) {
    bool backup = in->backup_arn != NULL;
    json_t *req = json_pack("{s:s}", "TargetTableName", in->target);
    bool ok = req != NULL;
    if (ok && backup) {
        ok = json_object_set_new(req, "BackupArn", json_string(in->backup_arn)) == 0;
    } else if (ok) {
        ok = json_object_set_new(req, "SourceTableName", json_string(in->source_table)) == 0 &&
             (in->use_latest
                  ? json_object_set_new(req, "UseLatestRestorableTime", json_true())
                  : json_object_set_new(req, "RestoreDateTime", json_integer(in->restore_time))) ==
                 0;
    }
    if (ok && in->billing_mode) {
        ok = json_object_set_new(req, "BillingModeOverride", json_string(in->billing_mode)) == 0;
    }
    if (ok && in->read_capacity > 0) {
        ok = json_object_set_new(
                 req,
                 "ProvisionedThroughputOverride",
                 s_throughput(in->read_capacity, in->write_capacity)) == 0;
    }
    if (ok && in->indexes_given) {
        ok = json_object_set_new(
                 req, "GlobalSecondaryIndexOverride", s_restore_indexes(in->gsis, in->gsi_count)) ==
                 0 &&
             json_object_set_new(
                 req, "LocalSecondaryIndexOverride", s_restore_indexes(in->lsis, in->lsi_count)) ==
                 0;
    }
    if (ok && in->sse_given) {
        json_t *sse = json_pack("{s:b}", "Enabled", in->sse_enabled);
        if (sse && in->sse_enabled) {
            json_object_set_new(sse, "SSEType", json_string("KMS"));
            if (in->sse_kms_key) {
                json_object_set_new(sse, "KMSMasterKeyId", json_string(in->sse_kms_key));
            }
        }
        ok = json_object_set_new(req, "SSESpecificationOverride", sse) == 0;
    }
    if (ok && (in->on_demand_read > 0 || in->on_demand_write > 0)) {
        json_t *od = json_object();
        if (od && in->on_demand_read > 0) {
            json_object_set_new(od, "MaxReadRequestUnits", json_integer(in->on_demand_read));
        }
        if (od && in->on_demand_write > 0) {
            json_object_set_new(od, "MaxWriteRequestUnits", json_integer(in->on_demand_write));
        }
        ok = json_object_set_new(req, "OnDemandThroughputOverride", od) == 0;
    }
    if (!ok) {
        json_decref(req);
        return tpd_err_set(err, TPD_E_NOMEM, "restoring table %s: out of memory", in->target);
    }
    return s_call(
        c, backup ? "RestoreTableFromBackup" : "RestoreTableToPointInTime", req, NULL, err);
}

enum tpd_code ddb_restore_summary(
    struct aws_client *c,
    const char *table,
    char **backup_arn,
    char **table_arn,
    struct tpd_err *err) {
    *backup_arn = *table_arn = NULL;
    json_t *resp = NULL;
    enum tpd_code rc =
        s_call(c, "DescribeTable", json_pack("{s:s}", "TableName", table), &resp, err);
    if (rc) {
        return rc;
    }
    json_t *rs = json_object_get(json_object_get(resp, "Table"), "RestoreSummary");
    bool ok = s_copy(backup_arn, s_str(rs, "SourceBackupArn")) &&
              s_copy(table_arn, s_str(rs, "SourceTableArn"));
    json_decref(resp);
    if (!ok) {
        free(*backup_arn);
        free(*table_arn);
        *backup_arn = *table_arn = NULL;
        return tpd_err_set(err, TPD_E_NOMEM, "DescribeTable %s: out of memory", table);
    }
    return TPD_OK;
}
