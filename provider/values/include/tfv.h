/*
 * tfv: Terraform values (cty) as a tree, with their types.
 *
 * A value is one of: null, unknown, bool, number, string, list, set, map, object.
 * Unknown values may carry refinements on the wire (msgpack extension 12); we keep
 * them only as "unknown" (the refinements are advisory: docs/plugin-protocol.md §6, after
 * hashicorp/terraform docs/plugin-protocol/object-wire-format.md).
 *
 * Ownership: a struct tfv owns all its children and strings. tfv_free frees the
 * whole tree. Setters that take a `struct tfv *child` take ownership of it (also on
 * failure: it is then freed). Getters return borrowed pointers valid while the
 * parent lives and is not modified.
 * Types (struct tfv_type) are immutable and usually static (schema.c); values never
 * own types.
 * Threads: a tree may be read from several threads; modification is not locked.
 */
#ifndef TPD_TFV_H
#define TPD_TFV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpd_buf.h"
#include "tpd_err.h"

/*
 * Builders and encoders can fail (out of memory, a value too deep): their result must be
 * checked, or a plan could go on without a part of itself (a dropped RequiresReplace path
 * once still planned the change). Like tpd_buf's appends (tpd_buf.h), the check is on in
 * every library and the executable (TPD_CHECK_BUF_RESULTS), not in tests, which build
 * their fixtures with them.
 */
#ifdef TPD_CHECK_BUF_RESULTS
#    define TFV_MUST_CHECK TPD_MUST_CHECK
#else
#    define TFV_MUST_CHECK
#endif

/* ---- types (cty) ---- */

enum tfv_type_kind {
    TFV_T_STRING,
    TFV_T_NUMBER,
    TFV_T_BOOL,
    TFV_T_LIST,
    TFV_T_SET,
    TFV_T_MAP,
    TFV_T_OBJECT,
    TFV_T_DYNAMIC
};

struct tfv_type;

struct tfv_type_attr {
    const char *name;
    const struct tfv_type *type;
};

struct tfv_type {
    enum tfv_type_kind kind;
    const struct tfv_type *elem;       /* LIST, SET, MAP */
    const struct tfv_type_attr *attrs; /* OBJECT, sorted by name */
    size_t attr_count;
};

extern const struct tfv_type tfv_type_string;
extern const struct tfv_type tfv_type_number;
extern const struct tfv_type tfv_type_bool;
extern const struct tfv_type tfv_type_map_string;
extern const struct tfv_type tfv_type_dynamic;

/* Append the cty JSON type expression ("string", ["map","string"], ["object",{..}]). */
enum tpd_code tfv_type_to_json(const struct tfv_type *t, struct tpd_buf *out) TFV_MUST_CHECK;

/* ---- values ---- */

enum tfv_kind {
    TFV_NULL,
    TFV_UNKNOWN,
    TFV_BOOL,
    TFV_NUMBER,
    TFV_STRING,
    TFV_LIST,
    TFV_SET,
    TFV_MAP,
    TFV_OBJECT
};

struct tfv {
    enum tfv_kind kind;
    union {
        bool b;
        struct {
            double d;
            int64_t i;
            bool is_int; /* exact integer in i */
            char *text;  /* non-NULL when neither int64 nor double is exact */
        } num;
        struct tpd_buf str;
        struct { /* LIST, SET */
            struct tfv **items;
            size_t count;
        } list;
        struct { /* MAP, OBJECT: keys sorted bytewise, unique */
            char **keys;
            struct tfv **vals;
            size_t count;
        } map;
    } u;
};

/* Constructors: return NULL on allocation failure. Caller frees with tfv_free. */
struct tfv *tfv_new_null(void) TFV_MUST_CHECK;
struct tfv *tfv_new_unknown(void) TFV_MUST_CHECK;
struct tfv *tfv_new_bool(bool b) TFV_MUST_CHECK;
struct tfv *tfv_new_int(int64_t i) TFV_MUST_CHECK;
struct tfv *tfv_new_double(double d) TFV_MUST_CHECK;
struct tfv *tfv_new_string(const char *s) TFV_MUST_CHECK;
struct tfv *tfv_new_stringn(const void *s, size_t len) TFV_MUST_CHECK;
struct tfv *tfv_new_list(void) TFV_MUST_CHECK;
struct tfv *tfv_new_set(void) TFV_MUST_CHECK;
struct tfv *tfv_new_map(void) TFV_MUST_CHECK;
struct tfv *tfv_new_object(void) TFV_MUST_CHECK;
void tfv_free(struct tfv *v);
/* Deep copy; NULL on allocation failure. */
struct tfv *tfv_clone(const struct tfv *v) TFV_MUST_CHECK;

/* Append to a LIST or SET; takes ownership of item. */
enum tpd_code tfv_list_append(struct tfv *list, struct tfv *item) TFV_MUST_CHECK;
/* Set key in a MAP or OBJECT (replacing any old value); takes ownership of val. */
enum tpd_code tfv_map_set(struct tfv *map, const char *key, struct tfv *val) TFV_MUST_CHECK;
/* Borrowed child of a MAP/OBJECT by key; NULL when absent or v is not a map/object. */
const struct tfv *tfv_get(const struct tfv *v, const char *key);
struct tfv *tfv_get_mut(struct tfv *v, const char *key);

bool tfv_is_null(const struct tfv *v); /* NULL pointer counts as null */
bool tfv_is_unknown(const struct tfv *v);
/* True when v and all its descendants are known. */
bool tfv_is_wholly_known(const struct tfv *v);
/* Borrowed C string of a STRING value, NULL otherwise. */
const char *tfv_str(const struct tfv *v);
/* Convenience: string attribute of an object, NULL if absent/null/unknown. */
const char *tfv_get_str(const struct tfv *obj, const char *key);
/* Bool attribute: *out set and true returned when known and non-null. */
bool tfv_get_bool(const struct tfv *obj, const char *key, bool *out);
/* Number attribute as int64: true when known, non-null and integral. */
bool tfv_get_int(const struct tfv *obj, const char *key, int64_t *out);

/* Deep equality (unknown equals only unknown; sets compared as sets). */
bool tfv_equal(const struct tfv *a, const struct tfv *b);

/* ---- wire codecs ---- */

/*
 * Decode a DynamicValue msgpack payload of the given type into a new tree (*out,
 * caller frees). Objects get every attribute of the type (missing ones as null).
 * Malformed input, type mismatch or nesting deeper than TPD_MAX_NESTING:
 * TPD_E_PARSE with err filled; *out is NULL.
 */
enum tpd_code tfv_decode_msgpack(
    struct tpd_span data, const struct tfv_type *type, struct tfv **out, struct tpd_err *err)
    TFV_MUST_CHECK;

/* Encode v (of type) as msgpack, appending to out. NULL v encodes as nil. */
enum tpd_code tfv_encode_msgpack(
    const struct tfv *v, const struct tfv_type *type, struct tpd_buf *out, struct tpd_err *err)
    TFV_MUST_CHECK;

/* Decode the JSON form (raw state, DynamicValue.json) of the given type. */
enum tpd_code tfv_decode_json(
    struct tpd_span data, const struct tfv_type *type, struct tfv **out, struct tpd_err *err)
    TFV_MUST_CHECK;

/* Encode as JSON (unknown values are not representable: TPD_E_INVALID). */
enum tpd_code tfv_encode_json(
    const struct tfv *v, const struct tfv_type *type, struct tpd_buf *out, struct tpd_err *err)
    TFV_MUST_CHECK;

/* ---- attribute paths (for diagnostics and requires_replace) ---- */

enum tfv_step_kind { TFV_STEP_ATTR, TFV_STEP_KEY_STRING, TFV_STEP_KEY_INT };

struct tfv_step {
    enum tfv_step_kind kind;
    char *name; /* ATTR and KEY_STRING; owned */
    int64_t index;
};

/* A path owns its steps. A zeroed struct is the empty path (the whole object). */
struct tfv_path {
    struct tfv_step *steps;
    size_t count;
};

void tfv_path_clear(struct tfv_path *p);
enum tpd_code tfv_path_push_attr(struct tfv_path *p, const char *name) TFV_MUST_CHECK;
enum tpd_code tfv_path_push_key(struct tfv_path *p, const char *key) TFV_MUST_CHECK;
enum tpd_code tfv_path_push_index(struct tfv_path *p, int64_t index) TFV_MUST_CHECK;
void tfv_path_pop(struct tfv_path *p);
enum tpd_code tfv_path_copy(struct tfv_path *dst, const struct tfv_path *src) TFV_MUST_CHECK;
/* Build a path of attribute names, ending the list with (const char *)NULL:
 * tfv_path_of(&p, "hash_key", "name", (const char *)NULL). */
enum tpd_code tfv_path_of(struct tfv_path *p, const char *first, ...) TFV_MUST_CHECK;
/* Append the path in HCL form (hash_key.name, tags["app"]). */
enum tpd_code tfv_path_format(const struct tfv_path *p, struct tpd_buf *out) TFV_MUST_CHECK;

#endif
