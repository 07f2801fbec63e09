/*
 * move_state: hashicorp/aws aws_dynamodb_table state -> dynamodb_ttl_table state (see
 * move_state.h). The attribute names and shapes are those of hashicorp/aws 5.100.0's
 * state (schema version 1), captured from that provider in tests/vectors/move/: blocks
 * (ttl, point_in_time_recovery, server_side_encryption, on_demand_throughput, the
 * indexes) are JSON arrays of objects, an unset string is "" and an unset number 0.
 */
#include "move_state.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "resource_private.h"
#include "schema.h"
#include "table_value.h"
#include "tpd_alloc.h"
#include "tpd_limits.h"
#include "tpd_text.h"
#include "validate.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The attributes of aws_dynamodb_table (schema version 1) in hashicorp/aws 5.100.0's
 * state, and of its index blocks. Any other attribute that is set was written by a
 * provider this mapping does not know: it is refused rather than dropped. */
static const char *const s_table_attrs[] = {
    "arn",
    "attribute",
    "billing_mode",
    "deletion_protection_enabled",
    "global_secondary_index",
    "hash_key",
    "id",
    "import_table",
    "local_secondary_index",
    "name",
    "on_demand_throughput",
    "point_in_time_recovery",
    "range_key",
    "read_capacity",
    "replica",
    "restore_date_time",
    "restore_source_name",
    "restore_source_table_arn",
    "restore_to_latest_time",
    "server_side_encryption",
    "stream_arn",
    "stream_enabled",
    "stream_label",
    "stream_view_type",
    "table_class",
    "tags",
    "tags_all",
    "timeouts",
    "ttl",
    "write_capacity",
};
static const char *const s_gsi_attrs[] = {
    "hash_key",
    "name",
    "non_key_attributes",
    "on_demand_throughput",
    "projection_type",
    "range_key",
    "read_capacity",
    "write_capacity",
};
static const char *const s_projections[] = {
    TABLE_PROJECTION_ALL,
    TABLE_PROJECTION_KEYS_ONLY,
    TABLE_PROJECTION_INCLUDE,
};
static const char *const s_view_types[] = {
    "NEW_IMAGE",
    "OLD_IMAGE",
    "NEW_AND_OLD_IMAGES",
    "KEYS_ONLY",
};
static const char *const s_classes[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS"};
static const char *const s_lsi_attrs[] = {
    "name",
    "non_key_attributes",
    "projection_type",
    "range_key",
};

/* What to do instead, by kind of refusal. */
static const char *const s_use_import =
    "Remove the `moved` block and adopt the table with an import instead (docs/migrating.md, "
    "\"From aws_dynamodb_table with state rm and import\"): take it out of hashicorp/aws's state "
    "without deleting it (`terraform state rm aws_dynamodb_table.NAME`, or a `removed` block "
    "with `lifecycle { destroy = false }`), then add `import { to = dynamodb_ttl_table.NAME, "
    "id = \"TABLE\" }`. An import reads every setting from AWS.";
static const char *const s_keep_in_aws =
    "dynamodb_ttl_table cannot manage such a table (an import would be refused for the same "
    "reason): keep it in hashicorp/aws and remove the `moved` block.";

struct s_parse {
    struct diag_list *diags;
    const char *table; /* for messages, "" until the name is read */
    bool failed;
};

__attribute__((format(printf, 3, 4))) static void
s_refuse(struct s_parse *p, const char *then, const char *fmt, ...) {
    struct tpd_text t;
    tpd_text_init(&t, TPD_MAX_ERROR_MSG);
    va_list ap;
    va_start(ap, fmt);
    tpd_text_vprintf(&t, fmt, ap);
    va_end(ap);
    diag_add(
        p->diags,
        DIAG_ERROR,
        NULL,
        "Cannot move this table to dynamodb_ttl_table",
        "DynamoDB table \"%s\" (aws_dynamodb_table of hashicorp/aws): %s\n\nNothing was "
        "moved. %s",
        p->table,
        tpd_text_cstr_or(&t, "out of memory writing why"),
        then);
    tpd_text_clear(&t);
    p->failed = true;
}

/* The state does not have the shape hashicorp/aws writes. */
static void s_malformed(struct s_parse *p, const char *what, const char *expected) {
    s_refuse(
        p,
        s_use_import,
        "the state is not one hashicorp/aws writes for aws_dynamodb_table (schema version 1): "
        "%s is not %s.",
        what,
        expected);
}

static void s_nomem(struct s_parse *p) {
    if (!p->failed) {
        diag_add(
            p->diags, DIAG_ERROR, NULL, "Out of memory", "Moving the state ran out of memory.");
    }
    p->failed = true;
}

/* A copy of s (NULL stays NULL); out of memory fails the parse. */
static char *s_dup(struct s_parse *p, const char *s) {
    if (!s) {
        return NULL;
    }
    char *d = tpd_strdup(s);
    if (!d) {
        s_nomem(p);
    }
    return d;
}

/* Member k of o; NULL when absent or null. */
static json_t *s_get(const json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    return json_is_null(v) ? NULL : v;
}

/* A value that says nothing: null, false, 0, "", [], {}. */
static bool s_empty(const json_t *v) {
    switch (json_typeof(v)) {
        case JSON_NULL:
        case JSON_FALSE:
            return true;
        case JSON_STRING:
            return json_string_length(v) == 0;
        case JSON_INTEGER:
            return json_integer_value(v) == 0;
        case JSON_REAL:
            return json_real_value(v) == 0.0;
        case JSON_ARRAY:
            return json_array_size(v) == 0;
        case JSON_OBJECT:
            return json_object_size(v) == 0;
        case JSON_TRUE:
            return false;
    }
    return false;
}

static bool s_in(const char *name, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(name, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Members of o outside list that are set: refused (where names the object). */
static void s_unknown(
    struct s_parse *p, const json_t *o, const char *const *list, size_t n, const char *where) {
    struct tpd_text names;
    tpd_text_init(&names, TPD_MAX_ERROR_MSG);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        if (!s_in(k, list, n) && !s_empty(v)) {
            tpd_text_printf(&names, "%s%s", tpd_text_is_empty(&names) ? "" : ", ", k);
        }
    }
    if (!tpd_text_is_empty(&names)) {
        s_refuse(
            p,
            s_use_import,
            "%s sets %s, which this provider does not know (it maps the state of hashicorp/aws "
            "5.x, schema version 1); moving would drop %s.",
            where,
            tpd_text_cstr_or(&names, "attributes (out of memory writing their names)"),
            tpd_text_len(&names) && strchr(tpd_text_cstr(&names), ',') ? "them" : "it");
    }
    tpd_text_clear(&names);
}

/* A string member: NULL when absent or null ("" is returned as ""). */
static const char *s_string(struct s_parse *p, const json_t *o, const char *k) {
    json_t *v = s_get(o, k);
    if (v && !json_is_string(v)) {
        s_malformed(p, k, "a string");
        return NULL;
    }
    return v ? json_string_value(v) : NULL;
}

/* A string member that is set and not empty, else NULL. */
static const char *s_set_string(struct s_parse *p, const json_t *o, const char *k) {
    const char *s = s_string(p, o, k);
    return s && *s ? s : NULL;
}

static bool s_bool(struct s_parse *p, const json_t *o, const char *k) {
    json_t *v = s_get(o, k);
    if (v && !json_is_boolean(v)) {
        s_malformed(p, k, "true or false");
        return false;
    }
    return json_is_true(v);
}

/* A whole number >= 0 (0 when absent or null). */
static int64_t s_int(struct s_parse *p, const json_t *o, const char *k) {
    json_t *v = s_get(o, k);
    if (!v) {
        return 0;
    }
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        return (int64_t)json_integer_value(v);
    }
    s_malformed(p, k, "a whole number of 0 or more");
    return 0;
}

/* A block list (a JSON array of objects) of at most max elements; NULL when absent,
 * null or empty. */
static json_t *s_blocks(struct s_parse *p, const json_t *o, const char *k, size_t max) {
    json_t *v = s_get(o, k);
    if (!v) {
        return NULL;
    }
    if (!json_is_array(v) || (max && json_array_size(v) > max)) {
        s_malformed(p, k, max == 1 ? "a list of at most one block" : "a list of blocks");
        return NULL;
    }
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        if (!json_is_object(e)) {
            s_malformed(p, k, "a list of blocks");
            return NULL;
        }
    }
    return json_array_size(v) ? v : NULL;
}

/* The one block of a single-block list, NULL when there is none. */
static json_t *s_block(struct s_parse *p, const json_t *o, const char *k) {
    json_t *l = s_blocks(p, o, k, 1);
    return l ? json_array_get(l, 0) : NULL;
}

/* The type of key attribute name in `attribute`; NULL (refused) when it is not there. */
static const char *s_key_type(struct s_parse *p, const json_t *attrs, const char *name) {
    size_t i;
    json_t *a;
    json_array_foreach(attrs, i, a) {
        const char *n = json_string_value(json_object_get(a, "name"));
        const char *t = json_string_value(json_object_get(a, "type"));
        if (n && strcmp(n, name) == 0) {
            if (t && (!strcmp(t, "S") || !strcmp(t, "N") || !strcmp(t, "B"))) {
                return t;
            }
            s_malformed(p, "the type of attribute definition of a key", "S, N or B");
            return NULL;
        }
    }
    s_refuse(
        p,
        s_use_import,
        "the state has no attribute definition (`attribute`) for the key \"%s\", so its type is "
        "unknown.",
        name);
    return NULL;
}

static void s_key(struct s_parse *p, const json_t *attrs, const char *name, struct table_key *k) {
    const char *type = s_key_type(p, attrs, name);
    if (type) {
        k->name = s_dup(p, name);
        k->type = s_dup(p, type);
    }
}

static int s_strp_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One index block into x. */
static void s_index(
    struct s_parse *p,
    const json_t *o,
    bool gsi,
    const json_t *attrs,
    const struct table_spec *s,
    struct table_index *x) {
    const char *where = gsi ? "global_secondary_index" : "local_secondary_index";
    s_unknown(
        p,
        o,
        gsi ? s_gsi_attrs : s_lsi_attrs,
        gsi ? COUNT(s_gsi_attrs) : COUNT(s_lsi_attrs),
        where);
    const char *name = s_set_string(p, o, "name");
    const char *hash = gsi ? s_set_string(p, o, "hash_key") : s->hash.name;
    const char *range = s_set_string(p, o, "range_key");
    const char *proj = s_set_string(p, o, "projection_type");
    if (p->failed) {
        return;
    }
    if (!name || !hash || (!gsi && !range)) {
        s_malformed(
            p,
            where,
            gsi ? "a block with a name and a hash_key" : "a block with a name and a range_key");
        return;
    }
    if (!proj || !s_in(proj, s_projections, COUNT(s_projections))) {
        s_malformed(p, "projection_type of an index", "ALL, KEYS_ONLY or INCLUDE");
        return;
    }
    x->name = s_dup(p, name);
    x->projection = s_dup(p, proj);
    if (gsi) {
        s_key(p, attrs, hash, &x->hash);
    } else {
        x->hash.name = s_dup(p, s->hash.name);
        x->hash.type = s_dup(p, s->hash.type);
    }
    if (range) {
        s_key(p, attrs, range, &x->range);
    }
    json_t *nk = s_get(o, "non_key_attributes");
    if (nk && !json_is_array(nk)) {
        s_malformed(p, "non_key_attributes", "a list of strings");
        return;
    }
    size_t n = nk ? json_array_size(nk) : 0;
    if (n && !p->failed) {
        x->non_key = tpd_calloc(n, sizeof(*x->non_key));
        if (!x->non_key) {
            s_nomem(p);
            return;
        }
        size_t i;
        json_t *e;
        json_array_foreach(nk, i, e) {
            if (!json_is_string(e) || !json_string_length(e)) {
                s_malformed(p, "non_key_attributes", "a list of attribute names");
                return;
            }
            x->non_key[x->non_key_count] = s_dup(p, json_string_value(e));
            if (!x->non_key[x->non_key_count]) {
                return;
            }
            x->non_key_count++;
        }
        qsort(x->non_key, x->non_key_count, sizeof(*x->non_key), s_strp_cmp);
    }
    if (gsi) {
        int64_t r = s_int(p, o, "read_capacity"), w = s_int(p, o, "write_capacity");
        x->read_capacity = s->provisioned ? r : 0;
        x->write_capacity = s->provisioned ? w : 0;
        json_t *od = s_block(p, o, "on_demand_throughput");
        if (od && (s_int(p, od, "max_read_request_units") > 0 ||
                   s_int(p, od, "max_write_request_units") > 0)) {
            s_refuse(
                p,
                s_keep_in_aws,
                "its global secondary index \"%s\" has on-demand throughput limits, which "
                "dynamodb_ttl_table cannot express.",
                name);
        }
    }
}

static void s_indexes(
    struct s_parse *p, const json_t *root, bool gsi, const json_t *attrs, struct table_spec *s) {
    json_t *l = s_blocks(p, root, gsi ? "global_secondary_index" : "local_secondary_index", 0);
    size_t n = l ? json_array_size(l) : 0;
    if (!n || p->failed) {
        return;
    }
    struct table_index *v = tpd_calloc(n, sizeof(*v));
    if (!v) {
        s_nomem(p);
        return;
    }
    /* Owned by the spec from here on, so that table_spec_clear frees what was read. */
    if (gsi) {
        s->gsis = v;
    } else {
        s->lsis = v;
    }
    for (size_t i = 0; i < n && !p->failed; i++) {
        s_index(p, json_array_get(l, i), gsi, attrs, s, &v[i]);
        if (gsi) {
            s->gsi_count = i + 1;
        } else {
            s->lsi_count = i + 1;
        }
    }
    if (!p->failed) {
        table_index_array_sort(v, n);
    }
}

/* tags_all: every tag of the table as hashicorp/aws last read it (its `tags` plus the
 * provider's default_tags), which is what dynamodb_ttl_table's `tags` manages. aws:*
 * tags are AWS's own (table_spec_is_system_tag). */
static void s_tags(struct s_parse *p, const json_t *root, struct table_spec *s) {
    json_t *m = s_get(root, "tags_all");
    const char *which = "tags_all";
    if (!m) {
        m = s_get(root, "tags");
        which = "tags";
    }
    if (!m) {
        return;
    }
    if (!json_is_object(m)) {
        s_malformed(p, which, "a map of strings");
        return;
    }
    size_t n = json_object_size(m);
    if (!n) {
        return;
    }
    s->tags = tpd_calloc(n, sizeof(*s->tags));
    if (!s->tags) {
        s_nomem(p);
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v) {
        if (!json_is_string(v)) {
            s_malformed(p, which, "a map of strings");
            return;
        }
        if (table_spec_is_system_tag(k)) {
            continue;
        }
        if (tpd_kv_set(&s->tags[s->tag_count], k, json_string_value(v)) != TPD_OK) {
            s_nomem(p);
            return;
        }
        s->tag_count++;
    }
    tpd_kv_array_sort(s->tags, s->tag_count);
}

/* What this resource cannot hold, or what only a creation used: refused. */
static void s_refusals(struct s_parse *p, const json_t *root) {
    json_t *replicas = s_blocks(p, root, "replica", 0);
    if (replicas) {
        struct tpd_text regions;
        tpd_text_init(&regions, TPD_MAX_ERROR_MSG);
        size_t i;
        json_t *r;
        json_array_foreach(replicas, i, r) {
            const char *region = json_string_value(json_object_get(r, "region_name"));
            tpd_text_printf(&regions, "%s%s", i ? ", " : "", region ? region : "?");
        }
        s_refuse(
            p,
            s_keep_in_aws,
            "it is a global table with replicas in %s; dynamodb_ttl_table manages single-Region "
            "tables (AWS::DynamoDB::Table, which holds no replicas).",
            tpd_text_cstr_or(&regions, "other Regions"));
        tpd_text_clear(&regions);
    }
    if (s_blocks(p, root, "import_table", 1)) {
        s_refuse(
            p,
            s_use_import,
            "hashicorp/aws created it from an S3 import (`import_table`), an argument of its "
            "creation that dynamodb_ttl_table has no counterpart for.");
    }
    const char *restores[] = {
        "restore_source_name", "restore_source_table_arn", "restore_date_time"};
    for (size_t i = 0; i < COUNT(restores); i++) {
        if (s_set_string(p, root, restores[i])) {
            s_refuse(
                p,
                s_use_import,
                "hashicorp/aws created it by a restore (`%s` is set), an argument of its creation "
                "that dynamodb_ttl_table has no counterpart for.",
                restores[i]);
        }
    }
    if (s_bool(p, root, "restore_to_latest_time")) {
        s_refuse(
            p,
            s_use_import,
            "hashicorp/aws created it by a restore (`restore_to_latest_time` is true), an "
            "argument of its creation that dynamodb_ttl_table has no counterpart for.");
    }
}

/* TTL, recovery, stream, encryption, class, on-demand limits. */
static void s_settings(struct s_parse *p, const json_t *root, struct table_live *out) {
    struct table_spec *s = &out->spec;
    json_t *ttl = s_block(p, root, "ttl");
    const char *ttl_name = ttl ? s_set_string(p, ttl, "attribute_name") : NULL;
    bool ttl_on = ttl && s_bool(p, ttl, "enabled");
    if (ttl_on && !ttl_name) {
        s_malformed(p, "ttl", "an enabled TTL with an attribute_name");
    }
    if (ttl_on && ttl_name) {
        s->ttl.attribute = s_dup(p, ttl_name);
        s->ttl.enabled = true;
    }
    out->ttl_status = s_dup(p, ttl_on ? "ENABLED" : "DISABLED");

    json_t *pitr = s_block(p, root, "point_in_time_recovery");
    s->pitr = pitr && s_bool(p, pitr, "enabled");
    int64_t period = pitr ? s_int(p, pitr, "recovery_period_in_days") : 0;
    /* recovery_period_in_days maps to this resource's attribute of that name (0 or 35:
     * DynamoDB's default, table_spec_pitr_days). */
    if (s->pitr && period && (period < 1 || period > 35)) {
        s_malformed(p, "point_in_time_recovery", "a recovery_period_in_days of 1 to 35");
    } else if (s->pitr) {
        s->pitr_days = period;
    }

    if (s_bool(p, root, "stream_enabled")) {
        const char *vt = s_set_string(p, root, "stream_view_type");
        if (!vt || !s_in(vt, s_view_types, COUNT(s_view_types))) {
            s_malformed(
                p, "stream_view_type", "NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY");
        } else {
            s->stream_view_type = s_dup(p, vt);
            out->stream_arn = s_dup(p, s_set_string(p, root, "stream_arn"));
        }
    }

    /* enabled false is the AWS owned key; true is a KMS key, whose ARN hashicorp/aws
     * reads back (the AWS managed key's too, as DescribeTable reports it). */
    json_t *sse = s_block(p, root, "server_side_encryption");
    if (sse && s_bool(p, sse, "enabled")) {
        s->sse = true;
        s->sse_kms_key = s_dup(p, s_set_string(p, sse, "kms_key_arn"));
    }

    const char *cls = s_set_string(p, root, "table_class");
    if (cls && !s_in(cls, s_classes, COUNT(s_classes))) {
        s_malformed(p, "table_class", "STANDARD or STANDARD_INFREQUENT_ACCESS");
    } else if (cls && strcmp(cls, "STANDARD") != 0) {
        s->table_class = s_dup(p, cls);
    }

    json_t *od = s_block(p, root, "on_demand_throughput");
    if (od && !s->provisioned) {
        s->on_demand_read = s_int(p, od, "max_read_request_units");
        s->on_demand_write = s_int(p, od, "max_write_request_units");
    }
}

/* Name, keys, billing. */
static void s_table(struct s_parse *p, const json_t *root, struct table_live *out) {
    struct table_spec *s = &out->spec;
    json_t *attrs = s_get(root, "attribute");
    if (attrs && !json_is_array(attrs)) {
        s_malformed(p, "attribute", "a list of attribute definitions");
        return;
    }
    size_t i;
    json_t *a;
    json_array_foreach(attrs, i, a) {
        if (!json_is_object(a) || !json_is_string(json_object_get(a, "name")) ||
            !json_is_string(json_object_get(a, "type"))) {
            s_malformed(p, "attribute", "a list of { name, type } blocks");
            return;
        }
    }
    const char *hash = s_set_string(p, root, "hash_key");
    const char *range = s_set_string(p, root, "range_key");
    if (!hash) {
        if (!p->failed) {
            s_malformed(p, "hash_key", "set");
        }
        return;
    }
    s->name = s_dup(p, p->table);
    s_key(p, attrs, hash, &s->hash);
    if (range) {
        s_key(p, attrs, range, &s->range);
    }
    const char *billing = s_set_string(p, root, "billing_mode");
    if (billing && !strcmp(billing, "PROVISIONED")) {
        s->provisioned = true;
        s->read_capacity = s_int(p, root, "read_capacity");
        s->write_capacity = s_int(p, root, "write_capacity");
        if (!p->failed && (s->read_capacity < 1 || s->write_capacity < 1)) {
            s_malformed(p, "read_capacity/write_capacity of a PROVISIONED table", "1 or more");
        }
    } else if (!billing || strcmp(billing, "PAY_PER_REQUEST") != 0) {
        s_malformed(p, "billing_mode", "PROVISIONED or PAY_PER_REQUEST");
    }
    s->deletion_protection = s_bool(p, root, "deletion_protection_enabled");
    out->arn = s_dup(p, s_set_string(p, root, "arn"));
    out->status = s_dup(p, "ACTIVE");
    if (p->failed) {
        return;
    }
    s_indexes(p, root, true, attrs, s);
    s_indexes(p, root, false, attrs, s);
}

bool move_state_parse_aws(struct tpd_span json, struct table_live *out, struct diag_list *diags) {
    memset(out, 0, sizeof(*out));
    struct s_parse p = {.diags = diags, .table = ""};
    if (json.len > TPD_MAX_MOVED_STATE) {
        s_refuse(
            &p,
            s_use_import,
            "its state is %zu bytes, more than the %zu this provider reads.",
            json.len,
            TPD_MAX_MOVED_STATE);
        return false;
    }
    json_error_t jerr;
    json_t *root = json.len
                       ? json_loadb((const char *)json.ptr, json.len, JSON_REJECT_DUPLICATES, &jerr)
                       : NULL;
    if (!json_is_object(root)) {
        s_malformed(&p, "the state", "a JSON object");
        json_decref(root);
        return false;
    }
    const char *name = json_string_value(json_object_get(root, "name"));
    if (!name || !validate_table_name(name)) {
        s_malformed(&p, "name", "a DynamoDB table name");
        json_decref(root);
        return false;
    }
    p.table = name;
    s_unknown(&p, root, s_table_attrs, COUNT(s_table_attrs), "the state");
    s_refusals(&p, root);
    if (!p.failed) {
        s_table(&p, root, out);
    }
    if (!p.failed) {
        s_settings(&p, root, out);
    }
    if (!p.failed) {
        s_tags(&p, root, &out->spec);
    }
    json_decref(root);
    if (p.failed) {
        table_live_clear(out);
        return false;
    }
    return true;
}

char *move_state_source_provider(const char *address) {
    if (!address) {
        return NULL;
    }
    const char *start = strstr(address, "provider[\"");
    size_t len;
    if (start) {
        start += strlen("provider[\"");
        const char *end = strstr(start, "\"]");
        if (!end) {
            return NULL;
        }
        len = (size_t)(end - start);
    } else {
        start = address;
        len = strlen(address);
    }
    char *out = tpd_strndup(start, len);
    /* Provider source addresses are case-insensitive; Terraform sends them lowercased. */
    for (char *c = out; c && *c; c++) {
        *c = (char)tolower((unsigned char)*c);
    }
    return out;
}

static bool s_source_ok(const struct move_request *req, struct diag_list *diags) {
    char *provider = move_state_source_provider(req->source_provider);
    bool ok = provider && !strcmp(provider, MOVE_STATE_AWS_PROVIDER) && req->source_type &&
              !strcmp(req->source_type, MOVE_STATE_AWS_TYPE);
    if (!ok) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Unsupported move source",
            "dynamodb_ttl_table takes `moved` blocks from %s's %s only; this one moves a \"%s\" "
            "of %s. Nothing was moved.\n\nTo bring a table that something else manages "
            "(awscc_dynamodb_table, a CloudFormation stack, a script) under dynamodb_ttl_table, "
            "take it out of that manager's state without deleting it and import it: "
            "`import { to = dynamodb_ttl_table.NAME, id = \"TABLE\" }` (docs/migrating.md).",
            MOVE_STATE_AWS_PROVIDER,
            MOVE_STATE_AWS_TYPE,
            req->source_type ? req->source_type : "",
            provider ? provider : (req->source_provider ? req->source_provider : "?"));
        free(provider);
        return false;
    }
    free(provider);
    if (req->source_schema_version != MOVE_STATE_AWS_SCHEMA_VERSION) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Unsupported move source",
            "This aws_dynamodb_table state has schema version %lld; dynamodb_ttl_table maps "
            "version %d (hashicorp/aws 5.x). Nothing was moved.\n\n%s",
            (long long)req->source_schema_version,
            MOVE_STATE_AWS_SCHEMA_VERSION,
            s_use_import);
        return false;
    }
    if (!req->target_type || strcmp(req->target_type, SCHEMA_RESOURCE_TTL_TABLE) != 0) {
        diag_add(
            diags,
            DIAG_ERROR,
            NULL,
            "Unknown resource type",
            "This provider has one resource type, \"%s\"; \"%s\" is not one of its types.",
            SCHEMA_RESOURCE_TTL_TABLE,
            req->target_type ? req->target_type : "");
        return false;
    }
    return true;
}

void move_state_run(
    const struct move_request *req,
    struct tfv **state,
    struct tpd_buf *private_out,
    struct diag_list *diags) {
    *state = NULL;
    struct table_live t = {0};
    char *stack = NULL;
    if (!s_source_ok(req, diags) || !move_state_parse_aws(req->source_state_json, &t, diags)) {
        goto done;
    }
    stack = table_spec_default_stack_name(t.spec.name);
    struct table_state_args a = {
        .ref = NULL,
        .live = &t,
        .stack_name = stack,
        .stack_id = NULL,
        .retain_on_destroy = false,
    };
    *state = stack ? table_value_state(&a) : NULL;
    /* As an import writes them (ttl_table_import.c): the configuration was never applied to
     * this table, and the protection last applied is the one hashicorp/aws applied. */
    struct resource_private priv = {
        .imported = true,
        .protection_known = true,
        .protection_applied = t.spec.deletion_protection,
    };
    if (!*state || resource_private_encode(&priv, private_out) != TPD_OK) {
        tfv_free(*state);
        *state = NULL;
        diag_add(diags, DIAG_ERROR, NULL, "Out of memory", "Moving the state ran out of memory.");
        goto done;
    }
    diag_add(
        diags,
        DIAG_WARNING,
        NULL,
        "Table moved from hashicorp/aws",
        "DynamoDB table \"%s\" is now managed by dynamodb_ttl_table and is in no CloudFormation "
        "stack yet. The next apply adopts it into the stack_name of the configuration (default "
        "\"%s\") with an IMPORT change set; no item is touched, and the plan lists every setting "
        "the adoption would change. hashicorp/aws no longer manages it and will not delete it.",
        t.spec.name,
        stack);
done:
    free(stack);
    table_live_clear(&t);
}
