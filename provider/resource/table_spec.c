/*
 * table_spec: the plain-C description of a table (see table_spec.h).
 */
#include "table_spec.h"

#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

static void s_key_clear(struct table_key *k) {
    free(k->name);
    free(k->type);
    k->name = k->type = NULL;
}

void table_index_clear(struct table_index *x) {
    free(x->name);
    s_key_clear(&x->hash);
    s_key_clear(&x->range);
    free(x->projection);
    for (size_t i = 0; i < x->non_key_count; i++) {
        free(x->non_key[i]);
    }
    free(x->non_key);
    free(x->status);
    memset(x, 0, sizeof(*x));
}

void table_index_array_free(struct table_index *v, size_t count) {
    for (size_t i = 0; v && i < count; i++) {
        table_index_clear(&v[i]);
    }
    free(v);
}

void table_spec_clear(struct table_spec *s) {
    free(s->name);
    free(s->stack_name);
    s_key_clear(&s->hash);
    s_key_clear(&s->range);
    free(s->ttl.attribute);
    tpd_kv_array_free(s->tags, s->tag_count);
    table_index_array_free(s->gsis, s->gsi_count);
    table_index_array_free(s->lsis, s->lsi_count);
    free(s->stream_view_type);
    free(s->sse_kms_key);
    free(s->table_class);
    free(s->resource_policy);
    free(s->kinesis_arn);
    free(s->kinesis_precision);
    memset(s, 0, sizeof(*s));
}

static bool s_copy_str(char **dst, const char *src) {
    *dst = NULL;
    if (!src) {
        return true;
    }
    *dst = tpd_strdup(src);
    return *dst != NULL;
}

enum tpd_code table_index_copy(struct table_index *dst, const struct table_index *src) {
    *dst = *src;
    dst->name = dst->projection = dst->status = NULL;
    dst->hash = dst->range = (struct table_key){0};
    dst->non_key = NULL;
    dst->non_key_count = 0;
    bool ok = s_copy_str(&dst->name, src->name) && s_copy_str(&dst->hash.name, src->hash.name) &&
              s_copy_str(&dst->hash.type, src->hash.type) &&
              s_copy_str(&dst->range.name, src->range.name) &&
              s_copy_str(&dst->range.type, src->range.type) &&
              s_copy_str(&dst->projection, src->projection) &&
              s_copy_str(&dst->status, src->status);
    if (ok && src->non_key_count) {
        dst->non_key = tpd_calloc(src->non_key_count, sizeof(*dst->non_key));
        ok = dst->non_key != NULL;
        for (size_t i = 0; ok && i < src->non_key_count; i++) {
            ok = s_copy_str(&dst->non_key[i], src->non_key[i]);
            dst->non_key_count++;
        }
    }
    if (!ok) {
        table_index_clear(dst);
        return TPD_E_NOMEM;
    }
    return TPD_OK;
}

enum tpd_code
table_index_array_copy(const struct table_index *src, size_t count, struct table_index **out) {
    *out = NULL;
    if (!count) {
        return TPD_OK;
    }
    struct table_index *v = tpd_calloc(count, sizeof(*v));
    if (!v) {
        return TPD_E_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        if (table_index_copy(&v[i], &src[i]) != TPD_OK) {
            table_index_array_free(v, i);
            return TPD_E_NOMEM;
        }
    }
    *out = v;
    return TPD_OK;
}

static int s_index_cmp(const void *a, const void *b) {
    const char *x = ((const struct table_index *)a)->name;
    const char *y = ((const struct table_index *)b)->name;
    return strcmp(x ? x : "", y ? y : "");
}

void table_index_array_sort(struct table_index *v, size_t count) {
    if (count > 1) {
        qsort(v, count, sizeof(*v), s_index_cmp);
    }
}

const struct table_index *
table_index_find(const struct table_index *v, size_t count, const char *name) {
    for (size_t i = 0; name && i < count; i++) {
        if (v[i].name && strcmp(v[i].name, name) == 0) {
            return &v[i];
        }
    }
    return NULL;
}

enum tpd_code table_spec_copy(struct table_spec *dst, const struct table_spec *src) {
    *dst = *src;
    dst->name = dst->stack_name = NULL;
    dst->hash = dst->range = (struct table_key){0};
    dst->ttl.attribute = NULL;
    dst->tags = NULL;
    dst->tag_count = 0;
    dst->gsis = dst->lsis = NULL;
    dst->gsi_count = dst->lsi_count = 0;
    dst->stream_view_type = dst->sse_kms_key = dst->table_class = NULL;
    dst->resource_policy = dst->kinesis_arn = dst->kinesis_precision = NULL;
    bool ok = s_copy_str(&dst->name, src->name) && s_copy_str(&dst->stack_name, src->stack_name) &&
              s_copy_str(&dst->hash.name, src->hash.name) &&
              s_copy_str(&dst->hash.type, src->hash.type) &&
              s_copy_str(&dst->range.name, src->range.name) &&
              s_copy_str(&dst->range.type, src->range.type) &&
              s_copy_str(&dst->ttl.attribute, src->ttl.attribute) &&
              s_copy_str(&dst->stream_view_type, src->stream_view_type) &&
              s_copy_str(&dst->sse_kms_key, src->sse_kms_key) &&
              s_copy_str(&dst->table_class, src->table_class) &&
              s_copy_str(&dst->resource_policy, src->resource_policy) &&
              s_copy_str(&dst->kinesis_arn, src->kinesis_arn) &&
              s_copy_str(&dst->kinesis_precision, src->kinesis_precision) &&
              tpd_kv_array_copy(src->tags, src->tag_count, &dst->tags) == TPD_OK;
    if (ok) {
        dst->tag_count = src->tag_count;
        ok = table_index_array_copy(src->gsis, src->gsi_count, &dst->gsis) == TPD_OK;
    }
    if (ok) {
        dst->gsi_count = src->gsi_count;
        ok = table_index_array_copy(src->lsis, src->lsi_count, &dst->lsis) == TPD_OK;
    }
    if (!ok) {
        table_spec_clear(dst);
        return TPD_E_NOMEM;
    }
    dst->lsi_count = src->lsi_count;
    return TPD_OK;
}

char *table_spec_default_stack_name(const char *table_name) {
    struct tpd_buf b;
    tpd_buf_init(&b, 256);
    enum tpd_code rc = TPD_OK;
    char c0 = table_name[0];
    if (c0 && !((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z'))) {
        rc = tpd_buf_append_cstr(&b, "t-");
    }
    for (const char *p = table_name; !rc && *p && b.len < 128; p++) {
        rc = tpd_buf_append_byte(&b, (uint8_t)((*p == '_' || *p == '.') ? '-' : *p));
    }
    if (rc) {
        tpd_buf_clear(&b);
        return NULL;
    }
    return tpd_buf_detach(&b);
}

static bool s_eq(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool s_key_eq(const struct table_key *a, const struct table_key *b) {
    return s_eq(a->name, b->name) && (!a->name || s_eq(a->type, b->type));
}

/* Projected attributes as sets (each list sorted and unique: table_value.c and the
 * live reading sort them; compared element by element after sorting copies here would
 * allocate, so both sides are kept sorted). */
static bool s_non_key_eq(const struct table_index *a, const struct table_index *b) {
    if (a->non_key_count != b->non_key_count) {
        return false;
    }
    for (size_t i = 0; i < a->non_key_count; i++) {
        if (!s_eq(a->non_key[i], b->non_key[i])) {
            return false;
        }
    }
    return true;
}

bool table_index_same_definition(const struct table_index *a, const struct table_index *b) {
    const char *pa = a->projection ? a->projection : TABLE_PROJECTION_ALL;
    const char *pb = b->projection ? b->projection : TABLE_PROJECTION_ALL;
    return s_eq(a->name, b->name) && s_key_eq(&a->hash, &b->hash) &&
           s_key_eq(&a->range, &b->range) && strcmp(pa, pb) == 0 && s_non_key_eq(a, b);
}

bool table_index_same_capacity(const struct table_index *a, const struct table_index *b) {
    return a->read_capacity == b->read_capacity && a->write_capacity == b->write_capacity;
}

void table_index_describe(const struct table_index *x, struct tpd_text *b) {
    tpd_text_printf(
        b,
        "partition key %s (%s)",
        x->hash.name ? x->hash.name : "?",
        x->hash.type ? x->hash.type : "?");
    if (x->range.name) {
        tpd_text_printf(
            b, ", sort key %s (%s)", x->range.name, x->range.type ? x->range.type : "?");
    }
    tpd_text_printf(b, ", projection %s", x->projection ? x->projection : TABLE_PROJECTION_ALL);
    for (size_t i = 0; i < x->non_key_count; i++) {
        tpd_text_printf(b, "%s%s", i ? ", " : " (", x->non_key[i]);
    }
    if (x->non_key_count) {
        tpd_text_append(b, ")");
    }
}

void table_index_hcl(const struct table_index *x, bool gsi, bool provisioned, struct tpd_text *b) {
    tpd_text_printf(b, "{ name = \"%s\"", x->name ? x->name : "?");
    if (gsi) {
        tpd_text_printf(
            b,
            ", hash_key = { name = \"%s\", type = \"%s\" }",
            x->hash.name ? x->hash.name : "?",
            x->hash.type ? x->hash.type : "S");
    }
    if (x->range.name) {
        tpd_text_printf(
            b,
            ", range_key = { name = \"%s\", type = \"%s\" }",
            x->range.name,
            x->range.type ? x->range.type : "S");
    }
    tpd_text_printf(
        b, ", projection_type = \"%s\"", x->projection ? x->projection : TABLE_PROJECTION_ALL);
    for (size_t i = 0; i < x->non_key_count; i++) {
        tpd_text_printf(b, "%s\"%s\"", i ? ", " : ", non_key_attributes = [", x->non_key[i]);
    }
    if (x->non_key_count) {
        tpd_text_append(b, "]");
    }
    if (gsi && provisioned) {
        tpd_text_printf(
            b,
            ", read_capacity = %lld, write_capacity = %lld",
            (long long)x->read_capacity,
            (long long)x->write_capacity);
    }
    tpd_text_append(b, " }");
}

const char *table_spec_kinesis_precision(const struct table_spec *s) {
    return s->kinesis_precision ? s->kinesis_precision : "MILLISECOND";
}

bool table_spec_has_features(const struct table_spec *s) {
    return s->resource_policy || s->kinesis_arn;
}

int64_t table_spec_pitr_days(const struct table_spec *s) {
    if (!s->pitr) {
        return 0;
    }
    return s->pitr_days > 0 ? s->pitr_days : TABLE_PITR_DEFAULT_DAYS;
}

const char *table_spec_table_class(const struct table_spec *s) {
    return s->table_class ? s->table_class : "STANDARD";
}

bool table_spec_sse_equal(const struct table_spec *want, const struct table_spec *live) {
    if (want->sse != live->sse) {
        return false;
    }
    return !want->sse || !want->sse_kms_key || s_eq(want->sse_kms_key, live->sse_kms_key);
}

static enum tpd_code s_add_def(
    struct table_attr_def *v,
    size_t *n,
    const struct table_key *k,
    const char *where,
    struct tpd_err *err) {
    if (!k->name) {
        return TPD_OK;
    }
    const char *type = k->type ? k->type : "S";
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(v[i].name, k->name) == 0) {
            if (strcmp(v[i].type, type) != 0) {
                return tpd_err_set(
                    err,
                    TPD_E_INVALID,
                    "attribute %s is a key with type %s and, in %s, with type %s",
                    k->name,
                    v[i].type,
                    where,
                    type);
            }
            return TPD_OK;
        }
    }
    v[*n].name = k->name;
    v[*n].type = type;
    (*n)++;
    return TPD_OK;
}

static int s_def_cmp(const void *a, const void *b) {
    return strcmp(
        ((const struct table_attr_def *)a)->name, ((const struct table_attr_def *)b)->name);
}

enum tpd_code table_spec_attr_defs(
    const struct table_spec *s, struct table_attr_def **out, size_t *count, struct tpd_err *err) {
    *out = NULL;
    *count = 0;
    size_t cap = 2 + 2 * (s->gsi_count + s->lsi_count);
    struct table_attr_def *v = tpd_calloc(cap, sizeof(*v));
    if (!v) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    size_t n = 0;
    enum tpd_code rc = s_add_def(v, &n, &s->hash, "the table", err);
    rc = rc ? rc : s_add_def(v, &n, &s->range, "the table", err);
    size_t table_keys = n;
    for (size_t i = 0; !rc && i < s->gsi_count; i++) {
        rc = s_add_def(v, &n, &s->gsis[i].hash, s->gsis[i].name, err);
        rc = rc ? rc : s_add_def(v, &n, &s->gsis[i].range, s->gsis[i].name, err);
    }
    for (size_t i = 0; !rc && i < s->lsi_count; i++) {
        rc = s_add_def(v, &n, &s->lsis[i].hash, s->lsis[i].name, err);
        rc = rc ? rc : s_add_def(v, &n, &s->lsis[i].range, s->lsis[i].name, err);
    }
    if (rc || !n) {
        free(v);
        return rc;
    }
    /* The table's keys first (the order of every template rendered before indexes
     * existed), then the index keys by name. */
    if (n - table_keys > 1) {
        qsort(v + table_keys, n - table_keys, sizeof(*v), s_def_cmp);
    }
    *out = v;
    *count = n;
    return TPD_OK;
}

bool table_spec_keys_match(const struct table_spec *a, const struct table_spec *b) {
    return s_eq(a->hash.name, b->hash.name) && s_eq(a->hash.type, b->hash.type) &&
           s_eq(a->range.name, b->range.name) &&
           (!a->range.name || s_eq(a->range.type, b->range.type));
}

void table_spec_describe_keys(const struct table_spec *s, struct tpd_text *out) {
    tpd_text_printf(
        out,
        "hash key %s (%s)",
        s->hash.name ? s->hash.name : "?",
        s->hash.type ? s->hash.type : "?");
    if (s->range.name) {
        tpd_text_printf(
            out, ", range key %s (%s)", s->range.name, s->range.type ? s->range.type : "?");
    } else {
        tpd_text_append(out, ", no range key");
    }
}

bool table_spec_is_system_tag(const char *key) {
    return key && strncmp(key, "aws:", 4) == 0;
}
