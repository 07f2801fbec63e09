/*
 * tfv_msgpack: DynamicValue msgpack codec over msgpack-c.
 *
 * Wire rules (docs/plugin-protocol.md §6, after hashicorp/terraform
 * docs/plugin-protocol/object-wire-format.md):
 *   - null is nil; unknown is extension type 0 (payload ignored); newer hosts send
 *     refined unknowns as extension type 12, which we read as plain unknown;
 *   - numbers are ints, float64, or a decimal string when neither is exact;
 *   - lists and sets are arrays, maps are maps, objects are maps from attribute
 *     name to value with every attribute of the type present.
 * The msgpack zone owns the decoded msgpack_object tree; we copy everything into
 * tfv nodes before the zone is destroyed.
 */
#include <errno.h>
#include <math.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "tfv.h"

#define TFV_EXT_UNKNOWN 0
#define TFV_EXT_REFINED_UNKNOWN 12

static enum tpd_code s_decode(
    const msgpack_object *o,
    const struct tfv_type *t,
    int depth,
    struct tfv **out,
    struct tpd_err *err);

static const char *s_kind_name(enum tfv_type_kind k) {
    static const char *const names[] = {
        "string", "number", "bool", "list", "set", "map", "object", "dynamic"};
    return names[k];
}

static enum tpd_code
s_mismatch(struct tpd_err *err, const struct tfv_type *t, const msgpack_object *o) {
    return tpd_err_set(
        err,
        TPD_E_PARSE,
        "msgpack: expected %s, found msgpack type %d",
        s_kind_name(t->kind),
        (int)o->type);
}

/* Parse a decimal number string into a number value (integers kept exact). */
static struct tfv *s_number_from_text(const char *p, size_t len) {
    char *s = tpd_span_strdup((struct tpd_span){(const uint8_t *)p, len});
    if (!s) {
        return NULL;
    }
    char *end = NULL;
    errno = 0;
    long long ll = strtoll(s, &end, 10);
    if (len && end && *end == '\0' && errno == 0) {
        free(s);
        return tfv_new_int((int64_t)ll);
    }
    errno = 0;
    double d = strtod(s, &end);
    if (!len || !end || *end != '\0') {
        free(s);
        return NULL;
    }
    struct tfv *v = tfv_new_double(d);
    if (!v) {
        free(s);
        return NULL;
    }
    v->u.num.is_int = false;
    v->u.num.text = s; /* keep the exact text: it may not round-trip through double */
    return v;
}

static enum tpd_code
s_decode_number(const msgpack_object *o, struct tfv **out, struct tpd_err *err) {
    struct tfv *v = NULL;
    switch (o->type) {
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            if (o->via.u64 > (uint64_t)INT64_MAX) {
                char tmp[32];
                int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)o->via.u64);
                v = s_number_from_text(tmp, (size_t)n);
            } else {
                v = tfv_new_int((int64_t)o->via.u64);
            }
            break;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            v = tfv_new_int(o->via.i64);
            break;
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            if (!isfinite(o->via.f64)) {
                return tpd_err_set(err, TPD_E_PARSE, "msgpack: number is not finite");
            }
            v = tfv_new_double(o->via.f64);
            break;
        case MSGPACK_OBJECT_STR:
            v = s_number_from_text(o->via.str.ptr, o->via.str.size);
            if (!v) {
                return tpd_err_set(err, TPD_E_PARSE, "msgpack: malformed number string");
            }
            break;
        default:
            return tpd_err_set(
                err, TPD_E_PARSE, "msgpack: expected number, found msgpack type %d", (int)o->type);
    }
    if (!v) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    *out = v;
    return TPD_OK;
}

static enum tpd_code s_decode_array(
    const msgpack_object *o,
    const struct tfv_type *t,
    int depth,
    struct tfv **out,
    struct tpd_err *err) {
    if (o->type != MSGPACK_OBJECT_ARRAY) {
        return s_mismatch(err, t, o);
    }
    struct tfv *v = t->kind == TFV_T_SET ? tfv_new_set() : tfv_new_list();
    if (!v) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        struct tfv *item = NULL;
        enum tpd_code rc = s_decode(&o->via.array.ptr[i], t->elem, depth + 1, &item, err);
        if (!rc) {
            rc = tfv_list_append(v, item);
        }
        if (rc) {
            tfv_free(v);
            return rc;
        }
    }
    *out = v;
    return TPD_OK;
}

static const struct tfv_type *
s_attr_type(const struct tfv_type *t, const char *p, size_t n, const char **name) {
    for (size_t i = 0; i < t->attr_count; i++) {
        if (strlen(t->attrs[i].name) == n && memcmp(t->attrs[i].name, p, n) == 0) {
            *name = t->attrs[i].name;
            return t->attrs[i].type;
        }
    }
    return NULL;
}

static enum tpd_code s_decode_map(
    const msgpack_object *o,
    const struct tfv_type *t,
    int depth,
    struct tfv **out,
    struct tpd_err *err) {
    if (o->type != MSGPACK_OBJECT_MAP) {
        return s_mismatch(err, t, o);
    }
    bool is_obj = t->kind == TFV_T_OBJECT;
    struct tfv *v = is_obj ? tfv_new_object() : tfv_new_map();
    if (!v) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    enum tpd_code rc = TPD_OK;
    for (uint32_t i = 0; !rc && i < o->via.map.size; i++) {
        const msgpack_object_kv *kv = &o->via.map.ptr[i];
        if (kv->key.type != MSGPACK_OBJECT_STR) {
            rc = tpd_err_set(err, TPD_E_PARSE, "msgpack: map key is not a string");
            break;
        }
        const struct tfv_type *et = t->elem;
        char *key = NULL;
        if (is_obj) {
            const char *name = NULL;
            et = s_attr_type(t, kv->key.via.str.ptr, kv->key.via.str.size, &name);
            if (!et) {
                rc = tpd_err_set(
                    err,
                    TPD_E_PARSE,
                    "msgpack: unexpected attribute \"%.*s\"",
                    (int)(kv->key.via.str.size > 64 ? 64 : kv->key.via.str.size),
                    kv->key.via.str.ptr);
                break;
            }
        }
        key = tpd_span_strdup(
            (struct tpd_span){(const uint8_t *)kv->key.via.str.ptr, kv->key.via.str.size});
        if (!key) {
            rc = tpd_err_set(err, TPD_E_NOMEM, "out of memory");
            break;
        }
        /* An empty key has no bytes (its pointer may be NULL: memchr must not see it). */
        if (kv->key.via.str.size && memchr(kv->key.via.str.ptr, 0, kv->key.via.str.size)) {
            free(key);
            rc = tpd_err_set(err, TPD_E_PARSE, "msgpack: map key contains NUL");
            break;
        }
        struct tfv *val = NULL;
        rc = s_decode(&kv->val, et, depth + 1, &val, err);
        if (!rc) {
            rc = tfv_map_set(v, key, val);
        }
        free(key);
    }
    /* Objects carry every attribute of their type; fill absent ones with null. */
    for (size_t i = 0; !rc && is_obj && i < t->attr_count; i++) {
        if (!tfv_get(v, t->attrs[i].name)) {
            struct tfv *n = tfv_new_null();
            rc = n ? tfv_map_set(v, t->attrs[i].name, n) : TPD_E_NOMEM;
        }
    }
    if (rc) {
        tfv_free(v);
        return rc;
    }
    *out = v;
    return TPD_OK;
}

static enum tpd_code s_decode(
    const msgpack_object *o,
    const struct tfv_type *t,
    int depth,
    struct tfv **out,
    struct tpd_err *err) {
    *out = NULL;
    if (depth > TPD_MAX_NESTING) {
        return tpd_err_set(err, TPD_E_PARSE, "msgpack: nesting deeper than %d", TPD_MAX_NESTING);
    }
    struct tfv *v = NULL;
    if (o->type == MSGPACK_OBJECT_NIL) {
        v = tfv_new_null();
    } else if (o->type == MSGPACK_OBJECT_EXT) {
        if (o->via.ext.type != TFV_EXT_UNKNOWN && o->via.ext.type != TFV_EXT_REFINED_UNKNOWN) {
            return tpd_err_set(
                err, TPD_E_PARSE, "msgpack: unsupported extension type %d", (int)o->via.ext.type);
        }
        v = tfv_new_unknown();
    } else {
        switch (t->kind) {
            case TFV_T_STRING:
                if (o->type != MSGPACK_OBJECT_STR) {
                    return s_mismatch(err, t, o);
                }
                v = tfv_new_stringn(o->via.str.ptr, o->via.str.size);
                break;
            case TFV_T_BOOL:
                if (o->type != MSGPACK_OBJECT_BOOLEAN) {
                    return s_mismatch(err, t, o);
                }
                v = tfv_new_bool(o->via.boolean);
                break;
            case TFV_T_NUMBER:
                return s_decode_number(o, out, err);
            case TFV_T_LIST:
            case TFV_T_SET:
                return s_decode_array(o, t, depth, out, err);
            case TFV_T_MAP:
            case TFV_T_OBJECT:
                return s_decode_map(o, t, depth, out, err);
            case TFV_T_DYNAMIC:
                return tpd_err_set(
                    err, TPD_E_PARSE, "msgpack: dynamic-typed values are not supported");
        }
    }
    if (!v) {
        return tpd_err_set(err, TPD_E_NOMEM, "out of memory");
    }
    *out = v;
    return TPD_OK;
}

/*
 * msgpack-c allocates an array or map's elements up front from the count in its
 * header, so a 5-byte input claiming 2^32 entries makes it ask for tens of GiB
 * (found by fuzz_msgpack). Before handing bytes to msgpack-c, walk the headers once
 * and check that every declared length fits in what remains: each pending element
 * needs at least one byte. Linear time, no recursion, no allocation.
 */
static uint64_t s_be(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static bool s_sizes_plausible(const uint8_t *data, size_t len) {
    size_t pos = 0;
    uint64_t pending = 1;
    while (pending > 0) {
        if (pos >= len) {
            return false;
        }
        uint8_t b = data[pos++];
        pending--;
        uint64_t elems = 0, skip = 0;
        size_t lenbytes = 0;
        int kind = 0; /* 0 scalar/skip, 1 array, 2 map, 3 ext (skip + type byte) */
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            /* fixint, nil, bool */
        } else if (b >= 0x80 && b <= 0x8f) {
            elems = (uint64_t)2 * (b & 0x0fu);
        } else if (b >= 0x90 && b <= 0x9f) {
            elems = b & 0x0fu;
        } else if (b >= 0xa0 && b <= 0xbf) {
            skip = b & 0x1fu;
        } else {
            switch (b) {
                case 0xc4:
                case 0xd9:
                    lenbytes = 1;
                    break;
                case 0xc5:
                case 0xda:
                    lenbytes = 2;
                    break;
                case 0xc6:
                case 0xdb:
                    lenbytes = 4;
                    break;
                case 0xc7:
                    lenbytes = 1;
                    kind = 3;
                    break;
                case 0xc8:
                    lenbytes = 2;
                    kind = 3;
                    break;
                case 0xc9:
                    lenbytes = 4;
                    kind = 3;
                    break;
                case 0xca:
                    skip = 4;
                    break;
                case 0xcb:
                    skip = 8;
                    break;
                case 0xcc:
                case 0xd0:
                    skip = 1;
                    break;
                case 0xcd:
                case 0xd1:
                    skip = 2;
                    break;
                case 0xce:
                case 0xd2:
                    skip = 4;
                    break;
                case 0xcf:
                case 0xd3:
                    skip = 8;
                    break;
                case 0xd4:
                    skip = 2;
                    break;
                case 0xd5:
                    skip = 3;
                    break;
                case 0xd6:
                    skip = 5;
                    break;
                case 0xd7:
                    skip = 9;
                    break;
                case 0xd8:
                    skip = 17;
                    break;
                case 0xdc:
                    lenbytes = 2;
                    kind = 1;
                    break;
                case 0xdd:
                    lenbytes = 4;
                    kind = 1;
                    break;
                case 0xde:
                    lenbytes = 2;
                    kind = 2;
                    break;
                case 0xdf:
                    lenbytes = 4;
                    kind = 2;
                    break;
                default:
                    return false; /* 0xc1 is never used */
            }
        }
        if (lenbytes) {
            if (len - pos < lenbytes) {
                return false;
            }
            uint64_t n = s_be(data + pos, lenbytes);
            pos += lenbytes;
            if (kind == 1) {
                elems = n;
            } else if (kind == 2) {
                elems = 2 * n;
            } else {
                skip = n + (kind == 3 ? 1 : 0);
            }
        }
        if (skip > len - pos) {
            return false;
        }
        pos += (size_t)skip;
        pending += elems;
        if (pending > len - pos) {
            return false;
        }
    }
    return true;
}

enum tpd_code tfv_decode_msgpack(
    struct tpd_span data, const struct tfv_type *type, struct tfv **out, struct tpd_err *err) {
    *out = NULL;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    enum tpd_code rc;
    msgpack_unpack_return r = MSGPACK_UNPACK_PARSE_ERROR;
    if (s_sizes_plausible(data.ptr, data.len)) {
        r = msgpack_unpack_next(&u, (const char *)data.ptr, data.len, &off);
    }
    if (r != MSGPACK_UNPACK_SUCCESS) {
        rc = tpd_err_set(
            err, TPD_E_PARSE, "msgpack: malformed or truncated value (code %d)", (int)r);
    } else if (off != data.len) {
        rc = tpd_err_set(
            err, TPD_E_PARSE, "msgpack: %zu trailing bytes after the value", data.len - off);
    } else {
        rc = s_decode(&u.data, type, 0, out, err);
    }
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* ---- encoding ---- */

static int s_write(void *data, const char *buf, size_t len) {
    return tpd_buf_append((struct tpd_buf *)data, buf, len) == TPD_OK ? 0 : -1;
}

static int s_pack_str(msgpack_packer *pk, const char *s, size_t n) {
    int r = msgpack_pack_str(pk, n);
    return r ? r : msgpack_pack_str_body(pk, s, n);
}

static int s_encode(msgpack_packer *pk, const struct tfv *v, const struct tfv_type *t, int depth) {
    if (depth > TPD_MAX_NESTING) {
        return -1;
    }
    if (tfv_is_null(v)) {
        return msgpack_pack_nil(pk);
    }
    if (v->kind == TFV_UNKNOWN) {
        static const char zero = 0;
        int r = msgpack_pack_ext(pk, 1, TFV_EXT_UNKNOWN);
        return r ? r : msgpack_pack_ext_body(pk, &zero, 1);
    }
    switch (t->kind) {
        case TFV_T_STRING:
            return v->kind == TFV_STRING ? s_pack_str(pk, (const char *)v->u.str.ptr, v->u.str.len)
                                         : -1;
        case TFV_T_BOOL:
            if (v->kind != TFV_BOOL) {
                return -1;
            }
            return v->u.b ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
        case TFV_T_NUMBER:
            if (v->kind != TFV_NUMBER) {
                return -1;
            }
            if (v->u.num.text) {
                return s_pack_str(pk, v->u.num.text, strlen(v->u.num.text));
            }
            return v->u.num.is_int ? msgpack_pack_int64(pk, v->u.num.i)
                                   : msgpack_pack_double(pk, v->u.num.d);
        case TFV_T_LIST:
        case TFV_T_SET: {
            if (v->kind != TFV_LIST && v->kind != TFV_SET) {
                return -1;
            }
            int r = msgpack_pack_array(pk, v->u.list.count);
            for (size_t i = 0; !r && i < v->u.list.count; i++) {
                r = s_encode(pk, v->u.list.items[i], t->elem, depth + 1);
            }
            return r;
        }
        case TFV_T_MAP: {
            if (v->kind != TFV_MAP) {
                return -1;
            }
            int r = msgpack_pack_map(pk, v->u.map.count);
            for (size_t i = 0; !r && i < v->u.map.count; i++) {
                r = s_pack_str(pk, v->u.map.keys[i], strlen(v->u.map.keys[i]));
                if (!r) {
                    r = s_encode(pk, v->u.map.vals[i], t->elem, depth + 1);
                }
            }
            return r;
        }
        case TFV_T_OBJECT: {
            if (v->kind != TFV_OBJECT) {
                return -1;
            }
            int r = msgpack_pack_map(pk, t->attr_count);
            for (size_t i = 0; !r && i < t->attr_count; i++) {
                const char *name = t->attrs[i].name;
                r = s_pack_str(pk, name, strlen(name));
                if (!r) {
                    r = s_encode(pk, tfv_get(v, name), t->attrs[i].type, depth + 1);
                }
            }
            return r;
        }
        case TFV_T_DYNAMIC:
            return -1;
    }
    return -1;
}

enum tpd_code tfv_encode_msgpack(
    const struct tfv *v, const struct tfv_type *type, struct tpd_buf *out, struct tpd_err *err) {
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, s_write);
    size_t old = out->len;
    if (s_encode(&pk, v, type, 0) != 0) {
        out->len = old;
        if (out->ptr) {
            out->ptr[old] = '\0';
        }
        return tpd_err_set(
            err, TPD_E_INVALID, "msgpack: value does not match its type or is too large");
    }
    return TPD_OK;
}
