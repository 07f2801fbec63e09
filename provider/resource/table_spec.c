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

void table_spec_clear(struct table_spec *s) {
    free(s->name);
    free(s->stack_name);
    s_key_clear(&s->hash);
    s_key_clear(&s->range);
    free(s->ttl.attribute);
    tpd_kv_array_free(s->tags, s->tag_count);
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

enum tpd_code table_spec_copy(struct table_spec *dst, const struct table_spec *src) {
    *dst = *src;
    dst->name = dst->stack_name = NULL;
    dst->hash = dst->range = (struct table_key){0};
    dst->ttl.attribute = NULL;
    dst->tags = NULL;
    dst->tag_count = 0;
    bool ok = s_copy_str(&dst->name, src->name) && s_copy_str(&dst->stack_name, src->stack_name) &&
              s_copy_str(&dst->hash.name, src->hash.name) &&
              s_copy_str(&dst->hash.type, src->hash.type) &&
              s_copy_str(&dst->range.name, src->range.name) &&
              s_copy_str(&dst->range.type, src->range.type) &&
              s_copy_str(&dst->ttl.attribute, src->ttl.attribute) &&
              tpd_kv_array_copy(src->tags, src->tag_count, &dst->tags) == TPD_OK;
    if (!ok) {
        table_spec_clear(dst);
        return TPD_E_NOMEM;
    }
    dst->tag_count = src->tag_count;
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

bool table_spec_keys_match(const struct table_spec *a, const struct table_spec *b) {
    return s_eq(a->hash.name, b->hash.name) && s_eq(a->hash.type, b->hash.type) &&
           s_eq(a->range.name, b->range.name) &&
           (!a->range.name || s_eq(a->range.type, b->range.type));
}

void table_spec_describe_keys(const struct table_spec *s, struct tpd_buf *b) {
    tpd_buf_printf(
        b,
        "hash key %s (%s)",
        s->hash.name ? s->hash.name : "?",
        s->hash.type ? s->hash.type : "?");
    if (s->range.name) {
        tpd_buf_printf(
            b, ", range key %s (%s)", s->range.name, s->range.type ? s->range.type : "?");
    } else {
        tpd_buf_append_cstr(b, ", no range key");
    }
}

bool table_spec_is_system_tag(const char *key) {
    return key && strncmp(key, "aws:", 4) == 0;
}
