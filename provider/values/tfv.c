/*
 * tfv: value tree, cty type JSON, and attribute paths (see tfv.h).
 * The wire codecs live in tfv_msgpack.c and tfv_json.c.
 */
#include "tfv.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tpd_alloc.h"

const struct tfv_type tfv_type_string = {TFV_T_STRING, NULL, NULL, 0};
const struct tfv_type tfv_type_number = {TFV_T_NUMBER, NULL, NULL, 0};
const struct tfv_type tfv_type_bool = {TFV_T_BOOL, NULL, NULL, 0};
const struct tfv_type tfv_type_map_string = {TFV_T_MAP, &tfv_type_string, NULL, 0};
const struct tfv_type tfv_type_dynamic = {TFV_T_DYNAMIC, NULL, NULL, 0};

/* ---- type JSON ---- */

static enum tpd_code s_json_string(struct tpd_buf *out, const char *s) {
    /* Attribute names are ours ([a-z_]); quote without escaping needs. */
    enum tpd_code rc = tpd_buf_append_byte(out, '"');
    if (!rc) {
        rc = tpd_buf_append_cstr(out, s);
    }
    if (!rc) {
        rc = tpd_buf_append_byte(out, '"');
    }
    return rc;
}

enum tpd_code tfv_type_to_json(const struct tfv_type *t, struct tpd_buf *out) {
    enum tpd_code rc = TPD_OK;
    switch (t->kind) {
        case TFV_T_STRING:
            return tpd_buf_append_cstr(out, "\"string\"");
        case TFV_T_NUMBER:
            return tpd_buf_append_cstr(out, "\"number\"");
        case TFV_T_BOOL:
            return tpd_buf_append_cstr(out, "\"bool\"");
        case TFV_T_DYNAMIC:
            return tpd_buf_append_cstr(out, "\"dynamic\"");
        case TFV_T_LIST:
        case TFV_T_SET:
        case TFV_T_MAP: {
            const char *k = t->kind == TFV_T_LIST ? "list" : t->kind == TFV_T_SET ? "set" : "map";
            rc = tpd_buf_printf(out, "[\"%s\",", k);
            if (!rc) {
                rc = tfv_type_to_json(t->elem, out);
            }
            if (!rc) {
                rc = tpd_buf_append_byte(out, ']');
            }
            return rc;
        }
        case TFV_T_OBJECT:
            rc = tpd_buf_append_cstr(out, "[\"object\",{");
            for (size_t i = 0; !rc && i < t->attr_count; i++) {
                if (i) {
                    rc = tpd_buf_append_byte(out, ',');
                }
                if (!rc) {
                    rc = s_json_string(out, t->attrs[i].name);
                }
                if (!rc) {
                    rc = tpd_buf_append_byte(out, ':');
                }
                if (!rc) {
                    rc = tfv_type_to_json(t->attrs[i].type, out);
                }
            }
            if (!rc) {
                rc = tpd_buf_append_cstr(out, "}]");
            }
            return rc;
    }
    return TPD_E_INVALID;
}

/* ---- constructors ---- */

static struct tfv *s_new(enum tfv_kind kind) {
    struct tfv *v = tpd_calloc(1, sizeof(*v));
    if (v) {
        v->kind = kind;
    }
    return v;
}

struct tfv *tfv_new_null(void) {
    return s_new(TFV_NULL);
}

struct tfv *tfv_new_unknown(void) {
    return s_new(TFV_UNKNOWN);
}

struct tfv *tfv_new_bool(bool b) {
    struct tfv *v = s_new(TFV_BOOL);
    if (v) {
        v->u.b = b;
    }
    return v;
}

struct tfv *tfv_new_int(int64_t i) {
    struct tfv *v = s_new(TFV_NUMBER);
    if (v) {
        v->u.num.i = i;
        v->u.num.d = (double)i;
        v->u.num.is_int = true;
    }
    return v;
}

struct tfv *tfv_new_double(double d) {
    struct tfv *v = s_new(TFV_NUMBER);
    if (!v) {
        return NULL;
    }
    v->u.num.d = d;
    /* Keep integral doubles exact as integers so they round-trip as msgpack ints. */
    if (isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0) {
        v->u.num.i = (int64_t)d;
        v->u.num.is_int = true;
    }
    return v;
}

struct tfv *tfv_new_stringn(const void *s, size_t len) {
    struct tfv *v = s_new(TFV_STRING);
    if (!v) {
        return NULL;
    }
    tpd_buf_init(&v->u.str, 0);
    /* An empty string must still be a distinct (non-NULL) value: force allocation. */
    if (tpd_buf_append(&v->u.str, s, len) != TPD_OK) {
        free(v);
        return NULL;
    }
    return v;
}

struct tfv *tfv_new_string(const char *s) {
    return tfv_new_stringn(s, s ? strlen(s) : 0);
}

struct tfv *tfv_new_list(void) {
    return s_new(TFV_LIST);
}

struct tfv *tfv_new_set(void) {
    return s_new(TFV_SET);
}

struct tfv *tfv_new_map(void) {
    return s_new(TFV_MAP);
}

struct tfv *tfv_new_object(void) {
    return s_new(TFV_OBJECT);
}

void tfv_free(struct tfv *v) {
    if (!v) {
        return;
    }
    switch (v->kind) {
        case TFV_NUMBER:
            free(v->u.num.text);
            break;
        case TFV_STRING:
            tpd_buf_clear(&v->u.str);
            break;
        case TFV_LIST:
        case TFV_SET:
            for (size_t i = 0; i < v->u.list.count; i++) {
                tfv_free(v->u.list.items[i]);
            }
            free(v->u.list.items);
            break;
        case TFV_MAP:
        case TFV_OBJECT:
            for (size_t i = 0; i < v->u.map.count; i++) {
                free(v->u.map.keys[i]);
                tfv_free(v->u.map.vals[i]);
            }
            free(v->u.map.keys);
            free(v->u.map.vals);
            break;
        default:
            break;
    }
    free(v);
}

struct tfv *tfv_clone(const struct tfv *v) {
    if (!v) {
        return NULL;
    }
    struct tfv *c = NULL;
    switch (v->kind) {
        case TFV_NULL:
        case TFV_UNKNOWN:
            return s_new(v->kind);
        case TFV_BOOL:
            return tfv_new_bool(v->u.b);
        case TFV_NUMBER:
            c = s_new(TFV_NUMBER);
            if (!c) {
                return NULL;
            }
            c->u.num = v->u.num;
            c->u.num.text = NULL;
            if (v->u.num.text) {
                c->u.num.text = tpd_span_strdup(tpd_span_cstr(v->u.num.text));
                if (!c->u.num.text) {
                    free(c);
                    return NULL;
                }
            }
            return c;
        case TFV_STRING:
            return tfv_new_stringn(v->u.str.ptr, v->u.str.len);
        case TFV_LIST:
        case TFV_SET:
            c = s_new(v->kind);
            for (size_t i = 0; c && i < v->u.list.count; i++) {
                struct tfv *item = tfv_clone(v->u.list.items[i]);
                if (!item || tfv_list_append(c, item) != TPD_OK) {
                    tfv_free(c);
                    c = NULL;
                }
            }
            return c;
        case TFV_MAP:
        case TFV_OBJECT:
            c = s_new(v->kind);
            for (size_t i = 0; c && i < v->u.map.count; i++) {
                struct tfv *val = tfv_clone(v->u.map.vals[i]);
                if (!val || tfv_map_set(c, v->u.map.keys[i], val) != TPD_OK) {
                    tfv_free(c);
                    c = NULL;
                }
            }
            return c;
    }
    return NULL;
}

enum tpd_code tfv_list_append(struct tfv *list, struct tfv *item) {
    if (!list || (list->kind != TFV_LIST && list->kind != TFV_SET) || !item) {
        tfv_free(item);
        return TPD_E_INVALID;
    }
    size_t n = list->u.list.count + 1, bytes;
    if (!tpd_size_mul(n, sizeof(*list->u.list.items), &bytes)) {
        tfv_free(item);
        return TPD_E_TOO_LARGE;
    }
    struct tfv **items = tpd_realloc(list->u.list.items, bytes);
    if (!items) {
        tfv_free(item);
        return TPD_E_NOMEM;
    }
    items[n - 1] = item;
    list->u.list.items = items;
    list->u.list.count = n;
    return TPD_OK;
}

/* Index of key, or the insertion point (negative - 1) when absent. Binary search. */
static long s_find(const struct tfv *m, const char *key, size_t *pos) {
    size_t lo = 0, hi = m->u.map.count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->u.map.keys[mid], key);
        if (c == 0) {
            *pos = mid;
            return 1;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *pos = lo;
    return 0;
}

enum tpd_code tfv_map_set(struct tfv *map, const char *key, struct tfv *val) {
    if (!map || (map->kind != TFV_MAP && map->kind != TFV_OBJECT) || !key || !val) {
        tfv_free(val);
        return TPD_E_INVALID;
    }
    size_t pos;
    if (s_find(map, key, &pos)) {
        tfv_free(map->u.map.vals[pos]);
        map->u.map.vals[pos] = val;
        return TPD_OK;
    }
    size_t n = map->u.map.count + 1, kb, vb;
    if (!tpd_size_mul(n, sizeof(char *), &kb) || !tpd_size_mul(n, sizeof(struct tfv *), &vb)) {
        tfv_free(val);
        return TPD_E_TOO_LARGE;
    }
    char *k = tpd_span_strdup(tpd_span_cstr(key));
    char **keys = k ? tpd_realloc(map->u.map.keys, kb) : NULL;
    if (keys) {
        map->u.map.keys = keys;
    }
    struct tfv **vals = keys ? tpd_realloc(map->u.map.vals, vb) : NULL;
    if (!vals) {
        free(k);
        tfv_free(val);
        return TPD_E_NOMEM;
    }
    map->u.map.vals = vals;
    memmove(&keys[pos + 1], &keys[pos], (n - 1 - pos) * sizeof(char *));
    memmove(&vals[pos + 1], &vals[pos], (n - 1 - pos) * sizeof(struct tfv *));
    keys[pos] = k;
    vals[pos] = val;
    map->u.map.count = n;
    return TPD_OK;
}

const struct tfv *tfv_get(const struct tfv *v, const char *key) {
    if (!v || (v->kind != TFV_MAP && v->kind != TFV_OBJECT)) {
        return NULL;
    }
    size_t pos;
    return s_find(v, key, &pos) ? v->u.map.vals[pos] : NULL;
}

struct tfv *tfv_get_mut(struct tfv *v, const char *key) {
    return (struct tfv *)(uintptr_t)tfv_get(v, key);
}

bool tfv_is_null(const struct tfv *v) {
    return !v || v->kind == TFV_NULL;
}

bool tfv_is_unknown(const struct tfv *v) {
    return v && v->kind == TFV_UNKNOWN;
}

bool tfv_is_wholly_known(const struct tfv *v) {
    if (!v) {
        return true;
    }
    switch (v->kind) {
        case TFV_UNKNOWN:
            return false;
        case TFV_LIST:
        case TFV_SET:
            for (size_t i = 0; i < v->u.list.count; i++) {
                if (!tfv_is_wholly_known(v->u.list.items[i])) {
                    return false;
                }
            }
            return true;
        case TFV_MAP:
        case TFV_OBJECT:
            for (size_t i = 0; i < v->u.map.count; i++) {
                if (!tfv_is_wholly_known(v->u.map.vals[i])) {
                    return false;
                }
            }
            return true;
        default:
            return true;
    }
}

const char *tfv_str(const struct tfv *v) {
    return (v && v->kind == TFV_STRING) ? tpd_buf_cstr(&v->u.str) : NULL;
}

const char *tfv_get_str(const struct tfv *obj, const char *key) {
    return tfv_str(tfv_get(obj, key));
}

bool tfv_get_bool(const struct tfv *obj, const char *key, bool *out) {
    const struct tfv *v = tfv_get(obj, key);
    if (!v || v->kind != TFV_BOOL) {
        return false;
    }
    *out = v->u.b;
    return true;
}

bool tfv_get_int(const struct tfv *obj, const char *key, int64_t *out) {
    const struct tfv *v = tfv_get(obj, key);
    if (!v || v->kind != TFV_NUMBER || !v->u.num.is_int || v->u.num.text) {
        return false;
    }
    *out = v->u.num.i;
    return true;
}

static bool s_num_equal(const struct tfv *a, const struct tfv *b) {
    if (a->u.num.text || b->u.num.text) {
        return a->u.num.text && b->u.num.text && strcmp(a->u.num.text, b->u.num.text) == 0;
    }
    if (a->u.num.is_int && b->u.num.is_int) {
        return a->u.num.i == b->u.num.i;
    }
    return a->u.num.d == b->u.num.d; /* NOLINT: exact comparison intended */
}

bool tfv_equal(const struct tfv *a, const struct tfv *b) {
    bool an = tfv_is_null(a), bn = tfv_is_null(b);
    if (an || bn) {
        return an && bn;
    }
    if (a->kind != b->kind) {
        return false;
    }
    switch (a->kind) {
        case TFV_UNKNOWN:
            return true;
        case TFV_BOOL:
            return a->u.b == b->u.b;
        case TFV_NUMBER:
            return s_num_equal(a, b);
        case TFV_STRING:
            return tpd_span_eq(tpd_buf_span(&a->u.str), tpd_buf_span(&b->u.str));
        case TFV_LIST:
            if (a->u.list.count != b->u.list.count) {
                return false;
            }
            for (size_t i = 0; i < a->u.list.count; i++) {
                if (!tfv_equal(a->u.list.items[i], b->u.list.items[i])) {
                    return false;
                }
            }
            return true;
        case TFV_SET:
            if (a->u.list.count != b->u.list.count) {
                return false;
            }
            /* Sets hold few elements here; quadratic membership is fine. */
            for (size_t i = 0; i < a->u.list.count; i++) {
                bool found = false;
                for (size_t j = 0; j < b->u.list.count && !found; j++) {
                    found = tfv_equal(a->u.list.items[i], b->u.list.items[j]);
                }
                if (!found) {
                    return false;
                }
            }
            return true;
        case TFV_MAP:
        case TFV_OBJECT:
            if (a->kind == TFV_MAP && a->u.map.count != b->u.map.count) {
                return false;
            }
            /* Objects: a missing attribute equals an explicit null. */
            for (size_t i = 0; i < a->u.map.count; i++) {
                if (!tfv_equal(a->u.map.vals[i], tfv_get(b, a->u.map.keys[i]))) {
                    return false;
                }
            }
            for (size_t i = 0; i < b->u.map.count; i++) {
                if (!tfv_get(a, b->u.map.keys[i]) && !tfv_is_null(b->u.map.vals[i])) {
                    return false;
                }
            }
            return true;
        default:
            return true;
    }
}

/* ---- paths ---- */

void tfv_path_clear(struct tfv_path *p) {
    for (size_t i = 0; i < p->count; i++) {
        free(p->steps[i].name);
    }
    free(p->steps);
    p->steps = NULL;
    p->count = 0;
}

static enum tpd_code
s_push(struct tfv_path *p, enum tfv_step_kind kind, const char *name, int64_t idx) {
    char *n = NULL;
    if (name) {
        n = tpd_span_strdup(tpd_span_cstr(name));
        if (!n) {
            return TPD_E_NOMEM;
        }
    }
    struct tfv_step *s = tpd_realloc(p->steps, (p->count + 1) * sizeof(*s));
    if (!s) {
        free(n);
        return TPD_E_NOMEM;
    }
    p->steps = s;
    s[p->count].kind = kind;
    s[p->count].name = n;
    s[p->count].index = idx;
    p->count++;
    return TPD_OK;
}

enum tpd_code tfv_path_push_attr(struct tfv_path *p, const char *name) {
    return s_push(p, TFV_STEP_ATTR, name, 0);
}

enum tpd_code tfv_path_push_key(struct tfv_path *p, const char *key) {
    return s_push(p, TFV_STEP_KEY_STRING, key, 0);
}

enum tpd_code tfv_path_push_index(struct tfv_path *p, int64_t index) {
    return s_push(p, TFV_STEP_KEY_INT, NULL, index);
}

void tfv_path_pop(struct tfv_path *p) {
    if (p->count) {
        p->count--;
        free(p->steps[p->count].name);
        if (p->count == 0) {
            free(p->steps);
            p->steps = NULL;
        }
    }
}

enum tpd_code tfv_path_copy(struct tfv_path *dst, const struct tfv_path *src) {
    struct tfv_path tmp = {0};
    for (size_t i = 0; i < src->count; i++) {
        enum tpd_code rc =
            s_push(&tmp, src->steps[i].kind, src->steps[i].name, src->steps[i].index);
        if (rc) {
            tfv_path_clear(&tmp);
            return rc;
        }
    }
    *dst = tmp;
    return TPD_OK;
}

enum tpd_code tfv_path_of(struct tfv_path *p, const char *first, ...) {
    va_list ap;
    va_start(ap, first);
    enum tpd_code rc = TPD_OK;
    for (const char *n = first; n && !rc; n = va_arg(ap, const char *)) {
        rc = tfv_path_push_attr(p, n);
    }
    va_end(ap);
    return rc;
}

enum tpd_code tfv_path_format(const struct tfv_path *p, struct tpd_buf *out) {
    enum tpd_code rc = TPD_OK;
    for (size_t i = 0; i < p->count && !rc; i++) {
        const struct tfv_step *s = &p->steps[i];
        switch (s->kind) {
            case TFV_STEP_ATTR:
                rc = tpd_buf_printf(out, "%s%s", i ? "." : "", s->name);
                break;
            case TFV_STEP_KEY_STRING:
                rc = tpd_buf_printf(out, "[\"%s\"]", s->name);
                break;
            case TFV_STEP_KEY_INT:
                rc = tpd_buf_printf(out, "[%lld]", (long long)s->index);
                break;
        }
    }
    return rc;
}
