/*
 * tfv_json: the JSON form of values (raw state in UpgradeResourceState, and
 * DynamicValue.json), over jansson. Objects missing attributes get nulls; attributes
 * the type does not know (an older schema's) are dropped, which is what an upgrade
 * to the current schema wants. Large integers are kept exact (JSON_DECODE_INT_AS_REAL
 * is not used; jansson gives json_integer for integral literals that fit).
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tfv.h"

static enum tpd_code s_from_json(
    const json_t *j, const struct tfv_type *t, int depth, struct tfv **out, struct tpd_err *err) {
    *out = NULL;
    if (depth > TPD_MAX_NESTING) {
        return tpd_err_set(err, TPD_E_PARSE, "json: nesting deeper than %d", TPD_MAX_NESTING);
    }
    struct tfv *v = NULL;
    enum tpd_code rc = TPD_OK;
    if (!j || json_is_null(j)) {
        v = tfv_new_null();
        goto done;
    }
    switch (t->kind) {
        case TFV_T_STRING:
            if (!json_is_string(j)) {
                return tpd_err_set(err, TPD_E_PARSE, "json: expected a string");
            }
            v = tfv_new_stringn(json_string_value(j), json_string_length(j));
            break;
        case TFV_T_BOOL:
            if (!json_is_boolean(j)) {
                return tpd_err_set(err, TPD_E_PARSE, "json: expected a bool");
            }
            v = tfv_new_bool(json_is_true(j));
            break;
        case TFV_T_NUMBER:
            if (json_is_integer(j)) {
                v = tfv_new_int((int64_t)json_integer_value(j));
            } else if (json_is_real(j)) {
                v = tfv_new_double(json_real_value(j));
            } else {
                return tpd_err_set(err, TPD_E_PARSE, "json: expected a number");
            }
            break;
        case TFV_T_LIST:
        case TFV_T_SET: {
            if (!json_is_array(j)) {
                return tpd_err_set(err, TPD_E_PARSE, "json: expected an array");
            }
            v = t->kind == TFV_T_SET ? tfv_new_set() : tfv_new_list();
            size_t i;
            const json_t *item;
            json_array_foreach(j, i, item) {
                if (!v) {
                    break;
                }
                struct tfv *c = NULL;
                rc = s_from_json(item, t->elem, depth + 1, &c, err);
                if (!rc) {
                    rc = tfv_list_append(v, c);
                }
                if (rc) {
                    break;
                }
            }
            break;
        }
        case TFV_T_MAP:
        case TFV_T_OBJECT: {
            if (!json_is_object(j)) {
                return tpd_err_set(err, TPD_E_PARSE, "json: expected an object");
            }
            bool is_obj = t->kind == TFV_T_OBJECT;
            v = is_obj ? tfv_new_object() : tfv_new_map();
            if (is_obj) {
                for (size_t i = 0; v && !rc && i < t->attr_count; i++) {
                    struct tfv *c = NULL;
                    rc = s_from_json(
                        json_object_get(j, t->attrs[i].name), t->attrs[i].type, depth + 1, &c, err);
                    if (!rc) {
                        rc = tfv_map_set(v, t->attrs[i].name, c);
                    }
                }
            } else {
                const char *key;
                const json_t *val;
                json_object_foreach((json_t *)(uintptr_t)j, key, val) {
                    if (!v || rc) {
                        break;
                    }
                    struct tfv *c = NULL;
                    rc = s_from_json(val, t->elem, depth + 1, &c, err);
                    if (!rc) {
                        rc = tfv_map_set(v, key, c);
                    }
                }
            }
            break;
        }
        case TFV_T_DYNAMIC:
            return tpd_err_set(err, TPD_E_PARSE, "json: dynamic-typed values are not supported");
    }
done:
    if (rc) {
        tfv_free(v);
        return rc;
    }
    if (!v) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    *out = v;
    return TPD_OK;
}

enum tpd_code tfv_decode_json(
    struct tpd_span data, const struct tfv_type *type, struct tfv **out, struct tpd_err *err) {
    *out = NULL;
    json_error_t jerr;
    json_t *j = json_loadb(
        (const char *)data.ptr, data.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!j) {
        return tpd_err_set(
            err, TPD_E_PARSE, "json: %s at line %d column %d", jerr.text, jerr.line, jerr.column);
    }
    enum tpd_code rc = s_from_json(j, type, 0, out, err);
    json_decref(j);
    return rc;
}

static json_t *s_to_json(const struct tfv *v, const struct tfv_type *t, int depth) {
    if (depth > TPD_MAX_NESTING) {
        return NULL;
    }
    if (tfv_is_null(v)) {
        return json_null();
    }
    if (v->kind == TFV_UNKNOWN) {
        return NULL;
    }
    json_t *j = NULL;
    switch (t->kind) {
        case TFV_T_STRING:
            return v->kind == TFV_STRING ? json_stringn((const char *)v->u.str.ptr, v->u.str.len)
                                         : NULL;
        case TFV_T_BOOL:
            return v->kind == TFV_BOOL ? json_boolean(v->u.b) : NULL;
        case TFV_T_NUMBER:
            if (v->kind != TFV_NUMBER) {
                return NULL;
            }
            if (v->u.num.is_int) {
                return json_integer((json_int_t)v->u.num.i);
            }
            return isfinite(v->u.num.d) ? json_real(v->u.num.d) : NULL;
        case TFV_T_LIST:
        case TFV_T_SET:
            if (v->kind != TFV_LIST && v->kind != TFV_SET) {
                return NULL;
            }
            j = json_array();
            for (size_t i = 0; j && i < v->u.list.count; i++) {
                json_t *c = s_to_json(v->u.list.items[i], t->elem, depth + 1);
                if (!c || json_array_append_new(j, c)) {
                    json_decref(j);
                    j = NULL;
                }
            }
            return j;
        case TFV_T_MAP:
            if (v->kind != TFV_MAP) {
                return NULL;
            }
            j = json_object();
            for (size_t i = 0; j && i < v->u.map.count; i++) {
                json_t *c = s_to_json(v->u.map.vals[i], t->elem, depth + 1);
                if (!c || json_object_set_new(j, v->u.map.keys[i], c)) {
                    json_decref(j);
                    j = NULL;
                }
            }
            return j;
        case TFV_T_OBJECT:
            if (v->kind != TFV_OBJECT) {
                return NULL;
            }
            j = json_object();
            for (size_t i = 0; j && i < t->attr_count; i++) {
                json_t *c = s_to_json(tfv_get(v, t->attrs[i].name), t->attrs[i].type, depth + 1);
                if (!c || json_object_set_new(j, t->attrs[i].name, c)) {
                    json_decref(j);
                    j = NULL;
                }
            }
            return j;
        case TFV_T_DYNAMIC:
            return NULL;
    }
    return NULL;
}

enum tpd_code tfv_encode_json(
    const struct tfv *v, const struct tfv_type *type, struct tpd_buf *out, struct tpd_err *err) {
    json_t *j = s_to_json(v, type, 0);
    if (!j) {
        return tpd_err_set(
            err, TPD_E_INVALID, "json: value is unknown, does not match its type, or is too deep");
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(j);
    if (!s) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    enum tpd_code rc = tpd_buf_append_cstr(out, s);
    free(s);
    return rc;
}
