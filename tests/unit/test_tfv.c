/*
 * Unit tests of the value tree and its wire codecs (msgpack DynamicValue, JSON raw
 * state): round trips with null, unknown (plain and refined), nested objects,
 * large numbers; malformed input rejected with an error, never a crash.
 */
#include <msgpack.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "schema.h"
#include "tfv.h"

static struct tfv *s_table_value(void) {
    struct tfv *o = tfv_new_object();
    tfv_map_set(o, "name", tfv_new_string("firefly-registration-keys"));
    struct tfv *hk = tfv_new_object();
    tfv_map_set(hk, "name", tfv_new_string("registration_key"));
    tfv_map_set(hk, "type", tfv_new_string("S"));
    tfv_map_set(o, "hash_key", hk);
    struct tfv *ttl = tfv_new_object();
    tfv_map_set(ttl, "attribute_name", tfv_new_string("expires_at"));
    tfv_map_set(ttl, "enabled", tfv_new_bool(true));
    tfv_map_set(o, "ttl", ttl);
    struct tfv *tags = tfv_new_map();
    tfv_map_set(tags, "app", tfv_new_string("firefly"));
    tfv_map_set(tags, "empty", tfv_new_string(""));
    tfv_map_set(o, "tags", tags);
    tfv_map_set(o, "read_capacity", tfv_new_int(5));
    tfv_map_set(o, "write_capacity", tfv_new_int(-7));
    tfv_map_set(o, "arn", tfv_new_unknown());
    tfv_map_set(o, "deletion_protection_enabled", tfv_new_bool(false));
    return o;
}

static void test_msgpack_round_trip(void **state) {
    (void)state;
    const struct tfv_type *t = schema_ttl_table()->type;
    struct tfv *v = s_table_value();
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    assert_int_equal(tfv_encode_msgpack(v, t, &b, NULL), TPD_OK);
    struct tfv *back = NULL;
    struct tpd_err err = {0};
    assert_int_equal(tfv_decode_msgpack(tpd_buf_span(&b), t, &back, &err), TPD_OK);
    assert_true(tfv_equal(v, back));
    assert_true(tfv_is_unknown(tfv_get(back, "arn")));
    assert_true(tfv_is_null(tfv_get(back, "range_key")));
    assert_non_null(tfv_get(back, "range_key")); /* present as explicit null */
    assert_string_equal(tfv_get_str(tfv_get(back, "tags"), "empty"), "");
    int64_t n;
    assert_true(tfv_get_int(back, "write_capacity", &n));
    assert_int_equal(n, -7);
    assert_false(tfv_is_wholly_known(back));
    tfv_free(v);
    tfv_free(back);
    tpd_buf_clear(&b);
}

/* Build msgpack by hand with msgpack-c, as Terraform would send it. */
static void s_pack_str(msgpack_packer *pk, const char *s) {
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

static void test_msgpack_refined_unknown_and_numbers(void **state) {
    (void)state;
    static const struct tfv_type_attr attrs[] = {
        {"a", &tfv_type_string},
        {"big", &tfv_type_number},
        {"f", &tfv_type_number},
        {"u", &tfv_type_number}};
    static const struct tfv_type t = {TFV_T_OBJECT, NULL, attrs, 4};
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 4);
    s_pack_str(&pk, "a");
    /* refined unknown: extension 12 whose payload is a msgpack map of refinements */
    const char refinement[] = {(char)0x81, 0x01, (char)0xc2};
    msgpack_pack_ext(&pk, sizeof refinement, 12);
    msgpack_pack_ext_body(&pk, refinement, sizeof refinement);
    s_pack_str(&pk, "big");
    s_pack_str(&pk, "123456789012345678901234567890");
    s_pack_str(&pk, "f");
    msgpack_pack_double(&pk, 1.5);
    s_pack_str(&pk, "u");
    msgpack_pack_uint64(&pk, UINT64_MAX);

    struct tfv *v = NULL;
    struct tpd_err err = {0};
    assert_int_equal(
        tfv_decode_msgpack((struct tpd_span){(uint8_t *)sb.data, sb.size}, &t, &v, &err), TPD_OK);
    assert_true(tfv_is_unknown(tfv_get(v, "a")));
    assert_string_equal(tfv_get(v, "big")->u.num.text, "123456789012345678901234567890");
    assert_string_equal(tfv_get(v, "u")->u.num.text, "18446744073709551615");
    assert_true(tfv_get(v, "f")->u.num.d == 1.5);

    /* Re-encode and decode again: big numbers keep their exact text. */
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    assert_int_equal(tfv_encode_msgpack(v, &t, &b, NULL), TPD_OK);
    struct tfv *w = NULL;
    assert_int_equal(tfv_decode_msgpack(tpd_buf_span(&b), &t, &w, &err), TPD_OK);
    assert_true(tfv_equal(v, w));
    tfv_free(v);
    tfv_free(w);
    tpd_buf_clear(&b);
    msgpack_sbuffer_destroy(&sb);
}

static void test_msgpack_malformed(void **state) {
    (void)state;
    const struct tfv_type *t = schema_ttl_table()->type;
    struct tfv *v = s_table_value();
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    assert_int_equal(tfv_encode_msgpack(v, t, &b, NULL), TPD_OK);
    /* Every truncation must fail cleanly. */
    for (size_t n = 0; n < b.len; n++) {
        struct tfv *out = (struct tfv *)1;
        struct tpd_err err = {0};
        assert_int_equal(
            tfv_decode_msgpack((struct tpd_span){b.ptr, n}, t, &out, &err), TPD_E_PARSE);
        assert_null(out);
        assert_non_null(err.msg);
        tpd_err_clear(&err);
    }
    /* Trailing garbage, wrong type, unknown attribute, unknown extension. */
    struct tpd_err err = {0};
    struct tfv *out = NULL;
    uint8_t trailing[] = {0xc0, 0xc0};
    assert_int_equal(
        tfv_decode_msgpack((struct tpd_span){trailing, 2}, &tfv_type_string, &out, &err),
        TPD_E_PARSE);
    uint8_t int_for_string[] = {0x05};
    assert_int_equal(
        tfv_decode_msgpack((struct tpd_span){int_for_string, 1}, &tfv_type_string, &out, &err),
        TPD_E_PARSE);
    uint8_t unknown_attr[] = {0x81, 0xa1, 'z', 0xc0};
    assert_int_equal(
        tfv_decode_msgpack((struct tpd_span){unknown_attr, 4}, t, &out, &err), TPD_E_PARSE);
    uint8_t ext5[] = {0xd4, 0x05, 0x00};
    assert_int_equal(
        tfv_decode_msgpack((struct tpd_span){ext5, 3}, &tfv_type_string, &out, &err), TPD_E_PARSE);
    /* Declared counts larger than the input (found by fuzz_msgpack): rejected before
     * msgpack-c allocates for them. */
    uint8_t bomb_map[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0};
    assert_int_equal(
        tfv_decode_msgpack((struct tpd_span){bomb_map, sizeof bomb_map}, t, &out, &err),
        TPD_E_PARSE);
    uint8_t bomb_arr[] = {0xdd, 0x7f, 0xff, 0xff, 0xff};
    assert_int_equal(
        tfv_decode_msgpack(
            (struct tpd_span){bomb_arr, sizeof bomb_arr}, &tfv_type_map_string, &out, &err),
        TPD_E_PARSE);
    uint8_t bomb_str[] = {0xdb, 0xff, 0xff, 0xff, 0xff, 'a'};
    assert_int_equal(
        tfv_decode_msgpack(
            (struct tpd_span){bomb_str, sizeof bomb_str}, &tfv_type_string, &out, &err),
        TPD_E_PARSE);
    /* Deep nesting of lists of lists beyond the limit. */
    uint8_t deep[200];
    memset(deep, 0x91, sizeof deep);
    deep[sizeof deep - 1] = 0xc0;
    struct tfv_type lt[200];
    for (int i = 0; i < 200; i++) {
        lt[i].kind = i == 199 ? TFV_T_STRING : TFV_T_LIST;
        lt[i].elem = i == 199 ? NULL : &lt[i + 1];
        lt[i].attrs = NULL;
        lt[i].attr_count = 0;
    }
    assert_int_equal(
        tfv_decode_msgpack((struct tpd_span){deep, sizeof deep}, &lt[0], &out, &err), TPD_E_PARSE);
    assert_null(out);
    tpd_err_clear(&err);
    tfv_free(v);
    tpd_buf_clear(&b);
}

static void test_json_raw_state(void **state) {
    (void)state;
    const struct tfv_type *t = schema_ttl_table()->type;
    const char *json = "{\"name\":\"t1\",\"hash_key\":{\"name\":\"k\",\"type\":\"S\"},\"read_"
                       "capacity\":9007199254740993,"
                       "\"tags\":{\"a\":\"b\"},\"removed_attribute\":true,\"ttl\":null}";
    struct tfv *v = NULL;
    struct tpd_err err = {0};
    assert_int_equal(tfv_decode_json(tpd_span_cstr(json), t, &v, &err), TPD_OK);
    assert_string_equal(tfv_get_str(v, "name"), "t1");
    int64_t n;
    assert_true(tfv_get_int(v, "read_capacity", &n));
    assert_true(n == 9007199254740993LL);
    assert_true(tfv_is_null(tfv_get(v, "ttl")));
    assert_null(tfv_get(v, "removed_attribute"));
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    assert_int_equal(tfv_encode_json(v, t, &b, &err), TPD_OK);
    struct tfv *w = NULL;
    assert_int_equal(tfv_decode_json(tpd_buf_span(&b), t, &w, &err), TPD_OK);
    assert_true(tfv_equal(v, w));
    tfv_free(w);
    tfv_free(v);
    tpd_buf_clear(&b);

    assert_int_equal(tfv_decode_json(tpd_span_cstr("{\"name\": 5}"), t, &v, &err), TPD_E_PARSE);
    assert_int_equal(tfv_decode_json(tpd_span_cstr("{\"name\": "), t, &v, &err), TPD_E_PARSE);
    assert_null(v);
    tpd_err_clear(&err);
}

static void test_type_json(void **state) {
    (void)state;
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    const struct schema_attr *a = schema_block_attr(schema_ttl_table(), "ttl");
    assert_int_equal(tfv_type_to_json(a->type, &b), TPD_OK);
    assert_string_equal(
        tpd_buf_cstr(&b), "[\"object\",{\"attribute_name\":\"string\",\"enabled\":\"bool\"}]");
    tpd_buf_reset(&b);
    assert_int_equal(tfv_type_to_json(&tfv_type_map_string, &b), TPD_OK);
    assert_string_equal(tpd_buf_cstr(&b), "[\"map\",\"string\"]");
    tpd_buf_clear(&b);
}

static void test_schema_sorted(void **state) {
    (void)state;
    const struct schema_block *blocks[] = {schema_ttl_table(), schema_provider()};
    for (size_t k = 0; k < 2; k++) {
        const struct schema_block *b = blocks[k];
        for (size_t i = 1; i < b->attr_count; i++) {
            assert_true(strcmp(b->attrs[i - 1].name, b->attrs[i].name) < 0);
        }
        for (size_t i = 1; i < b->type->attr_count; i++) {
            assert_true(strcmp(b->type->attrs[i - 1].name, b->type->attrs[i].name) < 0);
        }
        /* Every attribute is in the block type, with the same type. */
        for (size_t i = 0; i < b->attr_count; i++) {
            bool found = false;
            for (size_t j = 0; j < b->type->attr_count; j++) {
                if (!strcmp(b->type->attrs[j].name, b->attrs[i].name)) {
                    found = b->type->attrs[j].type == b->attrs[i].type;
                }
            }
            assert_true(found);
        }
    }
}

static void test_paths_and_equality(void **state) {
    (void)state;
    struct tfv_path p = {0};
    tfv_path_of(&p, "tags", (const char *)NULL);
    tfv_path_push_key(&p, "app");
    struct tpd_buf b;
    tpd_buf_init(&b, 0);
    tfv_path_format(&p, &b);
    assert_string_equal(tpd_buf_cstr(&b), "tags[\"app\"]");
    tfv_path_clear(&p);
    tpd_buf_clear(&b);

    struct tfv *s1 = tfv_new_set(), *s2 = tfv_new_set();
    tfv_list_append(s1, tfv_new_string("a"));
    tfv_list_append(s1, tfv_new_string("b"));
    tfv_list_append(s2, tfv_new_string("b"));
    tfv_list_append(s2, tfv_new_string("a"));
    assert_true(tfv_equal(s1, s2));
    struct tfv *c = tfv_clone(s1);
    assert_true(tfv_equal(c, s2));
    tfv_free(s1);
    tfv_free(s2);
    tfv_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msgpack_round_trip),
        cmocka_unit_test(test_msgpack_refined_unknown_and_numbers),
        cmocka_unit_test(test_msgpack_malformed),
        cmocka_unit_test(test_json_raw_state),
        cmocka_unit_test(test_type_json),
        cmocka_unit_test(test_schema_sorted),
        cmocka_unit_test(test_paths_and_equality),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
