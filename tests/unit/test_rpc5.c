/* Tests of provider/plugin/rpc5.c (plugin protocol 5.8): that the methods it serves with
 * rpc6.c's handlers have the same messages on the wire; the cases shared with protocol 6
 * (tests/support/rpc_cases.c); and its own handlers, called through the method table with
 * packed requests, and once through the real gRPC server by the /tfplugin5.Provider/ path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plugin_fixture.h"
#include "rpc5.h"
#include "rpc6.h"
#include "rpc_fixture.h"
#include "schema.h"
#include "tfplugin5.pb-c.h"
#include "tfplugin6.pb-c.h"
#include "tfv.h"

/* ---- the wire format shared with protocol 6 ---------------------------------------- */

/* One comparison of two message types: the pairs met so far, so that recursive types
 * (Schema.Block holds NestedBlock, which holds Block) end, and the first difference. */
struct s_cmp {
    const ProtobufCMessageDescriptor *a[64];
    const ProtobufCMessageDescriptor *b[64];
    size_t n;
    char why[256];
};

static bool s_same_enum(const ProtobufCEnumDescriptor *a, const ProtobufCEnumDescriptor *b) {
    if (a->n_values != b->n_values) {
        return false;
    }
    for (unsigned i = 0; i < a->n_values; i++) {
        if (a->values[i].value != b->values[i].value ||
            strcmp(a->values[i].name, b->values[i].name) != 0) {
            return false;
        }
    }
    return true;
}

/* Whether a and b read and write the same bytes: the same fields by number, with the same
 * names, types, labels and flags (oneof, packed), sub-messages and enums alike. A pair
 * met again while it is being compared counts as the same (the rest decides). */
static bool s_same_wire(
    struct s_cmp *c, const ProtobufCMessageDescriptor *a, const ProtobufCMessageDescriptor *b) {
    for (size_t i = 0; i < c->n; i++) {
        if (c->a[i] == a && c->b[i] == b) {
            return true;
        }
    }
    assert_true(c->n < sizeof(c->a) / sizeof(c->a[0]));
    c->a[c->n] = a;
    c->b[c->n++] = b;
    if (a->n_fields != b->n_fields) {
        snprintf(
            c->why,
            sizeof(c->why),
            "%s has %u fields, %s %u",
            a->name,
            a->n_fields,
            b->name,
            b->n_fields);
        return false;
    }
    for (unsigned i = 0; i < a->n_fields; i++) {
        const ProtobufCFieldDescriptor *fa = &a->fields[i];
        const ProtobufCFieldDescriptor *fb = protobuf_c_message_descriptor_get_field(b, fa->id);
        bool same = fb != NULL && strcmp(fa->name, fb->name) == 0 && fa->label == fb->label &&
                    fa->type == fb->type && fa->flags == fb->flags;
        if (same && fa->type == PROTOBUF_C_TYPE_ENUM) {
            same = s_same_enum(fa->descriptor, fb->descriptor);
        }
        if (same && fa->type == PROTOBUF_C_TYPE_MESSAGE) {
            same = s_same_wire(c, fa->descriptor, fb->descriptor);
        }
        if (!same) {
            if (c->why[0] == '\0') {
                snprintf(
                    c->why,
                    sizeof(c->why),
                    "%s field %u (%s) differs in %s",
                    a->name,
                    fa->id,
                    fa->name,
                    b->name);
            }
            return false;
        }
    }
    return true;
}

/* s_same_wire for one pair; the first difference goes to why (256 bytes). */
static bool
s_same(const ProtobufCMessageDescriptor *a, const ProtobufCMessageDescriptor *b, char *why) {
    struct s_cmp c = {.n = 0};
    bool same = s_same_wire(&c, a, b);
    memcpy(why, c.why, sizeof(c.why));
    return same;
}

/* The method of p's service at path (a path of p's table). */
static const ProtobufCMethodDescriptor *s_method(const struct rpc_protocol *p, const char *path) {
    size_t len = strlen(p->prefix);
    assert_int_equal(strncmp(path, p->prefix, len), 0);
    const ProtobufCMethodDescriptor *d =
        protobuf_c_service_descriptor_get_method_by_name(p->service, path + len);
    assert_non_null(d);
    return d;
}

/* The table in provider/plugin/rpc5.c: every protocol 5 method served by a handler of
 * rpc6.c is the protocol 6 method of that handler under its protocol 5 name, and their
 * requests and responses are the same on the wire. The two methods rpc5.c handles
 * itself are those whose responses differ (their requests do not). */
static void test_shared_handlers_same_wire(void **state) {
    (void)state;
    size_t n5 = 0, n6 = 0, shared = 0;
    const struct tfp_method *m5 = rpc5_methods(&n5);
    const struct tfp_method *m6 = rpc6_methods(&n6);
    for (size_t i = 0; i < n5; i++) {
        const ProtobufCMethodDescriptor *d5 = s_method(&rpc_protocol5, m5[i].path);
        const struct tfp_method *v6 = NULL;
        for (size_t j = 0; j < n6; j++) {
            if (m6[j].handler == m5[i].handler) {
                v6 = &m6[j];
            }
        }
        if (v6 != NULL) {
            const ProtobufCMethodDescriptor *d6 = s_method(&rpc_protocol6, v6->path);
            assert_string_equal(rpc_name(&rpc_protocol5, d6->name), d5->name);
            char why[256];
            if (!s_same(d5->input, d6->input, why) || !s_same(d5->output, d6->output, why)) {
                fail_msg("%s is served by the handler of %s, but %s", d5->name, d6->name, why);
            }
            shared++;
            continue;
        }
        const char *v6_name = NULL;
        for (size_t k = 0; k < RPC_RENAMED_COUNT; k++) {
            if (strcmp(rpc_renamed[k][1], d5->name) == 0) {
                v6_name = rpc_renamed[k][0];
            }
        }
        assert_non_null(v6_name);
        const ProtobufCMethodDescriptor *d6 = protobuf_c_service_descriptor_get_method_by_name(
            &tfplugin6__provider__descriptor, v6_name);
        assert_non_null(d6);
        char why[256];
        assert_true(s_same(d5->input, d6->input, why));
        assert_false(s_same(d5->output, d6->output, why));
    }
    assert_int_equal(shared, 18);
}

/* ---- rpc5.c's own handlers ------------------------------------------------------------- */

static const Tfplugin5__Schema__Attribute *
s_attr(const Tfplugin5__Schema__Block *b, const char *name) {
    for (size_t i = 0; i < b->n_attributes; i++) {
        if (strcmp(b->attributes[i]->name, name) == 0) {
            return b->attributes[i];
        }
    }
    return NULL;
}

static void s_assert_type(const Tfplugin5__Schema__Attribute *a, const char *want) {
    assert_non_null(a);
    if (a->type.len != strlen(want) || memcmp(a->type.data, want, a->type.len) != 0) {
        fail_msg(
            "%s: type %.*s, want %s", a->name, (int)a->type.len, (const char *)a->type.data, want);
    }
}

static void s_check_schema(const Tfplugin5__GetProviderSchema__Response *resp) {
    assert_true(resp->server_capabilities->plan_destroy);
    assert_int_equal(resp->n_diagnostics, 0);

    /* Provider block: attributes with cty JSON types, nested blocks. */
    const Tfplugin5__Schema__Block *pb = resp->provider->block;
    const struct schema_block *want_p = schema_provider();
    assert_int_equal(pb->n_attributes, want_p->attr_count);
    assert_int_equal(pb->n_block_types, want_p->block_type_count);
    const Tfplugin5__Schema__Attribute *region = s_attr(pb, "region");
    s_assert_type(region, "\"string\"");
    assert_true(region->optional);
    assert_int_equal(region->description_kind, TFPLUGIN5__STRING_KIND__MARKDOWN);
    for (size_t i = 0; i < pb->n_block_types; i++) {
        assert_non_null(pb->block_types[i]->block);
        assert_int_not_equal(pb->block_types[i]->nesting, 0);
    }

    /* Resource schema: every attribute has a type; nested ones an object type. */
    assert_int_equal(resp->n_resource_schemas, 1);
    assert_string_equal(resp->resource_schemas[0]->key, "dynamodb_ttl_table");
    const Tfplugin5__Schema *rs = resp->resource_schemas[0]->value;
    const struct schema_block *want = schema_ttl_table();
    assert_int_equal(rs->version, want->version);
    assert_int_equal(rs->block->n_attributes, want->attr_count);
    for (size_t i = 0; i < want->attr_count; i++) {
        const struct schema_attr *a = &want->attrs[i];
        const Tfplugin5__Schema__Attribute *m = s_attr(rs->block, a->name);
        assert_non_null(m);
        assert_int_equal(m->required, a->required);
        assert_int_equal(m->optional, a->optional);
        assert_int_equal(m->computed, a->computed);
        assert_int_equal(m->sensitive, a->sensitive);
        assert_true(m->type.len > 0);
        if (!a->nested) {
            struct tpd_buf t;
            tpd_buf_init(&t, 0);
            assert_int_equal(tfv_type_to_json(a->type, &t), TPD_OK);
            assert_int_equal(m->type.len, t.len);
            assert_memory_equal(m->type.data, t.ptr, t.len);
            tpd_buf_clear(&t);
        }
    }
    /* Nested attributes as cty object types; the object attributes that are not
     * required are listed as optional (third element), in name order. */
    s_assert_type(
        s_attr(rs->block, "hash_key"), "[\"object\",{\"name\":\"string\",\"type\":\"string\"}]");
    s_assert_type(
        s_attr(rs->block, "range_key"), "[\"object\",{\"name\":\"string\",\"type\":\"string\"}]");
    s_assert_type(
        s_attr(rs->block, "ttl"),
        "[\"object\",{\"attribute_name\":\"string\",\"enabled\":\"bool\"},[\"enabled\"]]");
    s_assert_type(
        s_attr(rs->block, "timeouts"),
        "[\"object\",{\"create\":\"string\",\"delete\":\"string\",\"update\":\"string\"},"
        "[\"create\",\"delete\",\"update\"]]");
    assert_true(s_attr(rs->block, "hash_key")->required);
    assert_true(s_attr(rs->block, "ttl")->optional);
    /* A list of objects with nested objects: the list of the object type, its optional
     * attributes listed (an index config may leave them out, as over protocol 6). */
    s_assert_type(
        s_attr(rs->block, "global_secondary_indexes"),
        "[\"list\",[\"object\",{\"hash_key\":[\"object\",{\"name\":\"string\",\"type\":"
        "\"string\"}],\"name\":\"string\",\"non_key_attributes\":[\"set\",\"string\"],"
        "\"projection_type\":\"string\",\"range_key\":[\"object\",{\"name\":\"string\","
        "\"type\":\"string\"}],\"read_capacity\":\"number\",\"write_capacity\":\"number\"},"
        "[\"non_key_attributes\",\"projection_type\",\"range_key\",\"read_capacity\","
        "\"write_capacity\"]]]");
    s_assert_type(
        s_attr(rs->block, "local_secondary_indexes"),
        "[\"list\",[\"object\",{\"name\":\"string\",\"non_key_attributes\":[\"set\","
        "\"string\"],\"projection_type\":\"string\",\"range_key\":[\"object\",{\"name\":"
        "\"string\",\"type\":\"string\"}]},[\"non_key_attributes\",\"projection_type\"]]]");
    s_assert_type(
        s_attr(rs->block, "server_side_encryption"),
        "[\"object\",{\"kms_key_arn\":\"string\"},[\"kms_key_arn\"]]");

    /* The data source: its computed nested attributes are plain object types (no
     * configuration sets them, so nothing is optional). */
    assert_true(resp->server_capabilities->move_resource_state);
    assert_int_equal(resp->n_data_source_schemas, 1);
    assert_string_equal(resp->data_source_schemas[0]->key, "dynamodb_ttl_table");
    const Tfplugin5__Schema__Block *db = resp->data_source_schemas[0]->value->block;
    assert_int_equal(db->n_attributes, schema_ttl_table_data()->attr_count);
    assert_true(s_attr(db, "name")->required);
    assert_true(s_attr(db, "ttl")->computed);
    s_assert_type(
        s_attr(db, "ttl"), "[\"object\",{\"attribute_name\":\"string\",\"enabled\":\"bool\"}]");
    s_assert_type(
        s_attr(db, "local_secondary_indexes"),
        "[\"list\",[\"object\",{\"name\":\"string\",\"non_key_attributes\":[\"set\","
        "\"string\"],\"projection_type\":\"string\",\"range_key\":[\"object\",{\"name\":"
        "\"string\",\"type\":\"string\"}]}]]");
}

static void test_get_schema(void **state) {
    Tfplugin5__GetProviderSchema__Request req = TFPLUGIN5__GET_PROVIDER_SCHEMA__REQUEST__INIT;
    struct tfp_reply r;
    rpc_call(*state, "GetSchema", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__GetProviderSchema__Response *resp = RPC_UNPACK_REPLY(
        Tfplugin5__GetProviderSchema__Response, tfplugin5__get_provider_schema__response, r);
    assert_non_null(resp);
    s_check_schema(resp);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);
}

/* The same through the gRPC server, by the path a protocol 5 host calls. */
static void test_get_schema_over_grpc(void **state) {
    const struct rpc_env *e = *state;
    struct plugin_fixture f;
    size_t n = 0;
    const struct tfp_method *m = rpc5_methods(&n);
    assert_int_equal(plugin_fixture_start(&f, m, n, e->provider, false, 0), 0);
    struct plugin_client *c = plugin_client_new(tpd_buf_cstr(&f.address), NULL, NULL);
    assert_non_null(c);
    struct plugin_result res;
    assert_int_equal(
        plugin_client_call(
            c, "/tfplugin5.Provider/GetSchema", (struct tpd_span){NULL, 0}, true, 10000, &res),
        0);
    assert_int_equal(res.status, GRPC_STATUS_OK);
    Tfplugin5__GetProviderSchema__Response *resp =
        (Tfplugin5__GetProviderSchema__Response *)protobuf_c_message_unpack(
            &tfplugin5__get_provider_schema__response__descriptor,
            NULL,
            res.body.len,
            res.body.ptr);
    assert_non_null(resp);
    s_check_schema(resp);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    plugin_result_clear(&res);
    /* A protocol 6 path is not served by the protocol 5 table. */
    assert_int_equal(
        plugin_client_call(
            c,
            "/tfplugin6.Provider/GetProviderSchema",
            (struct tpd_span){NULL, 0},
            true,
            10000,
            &res),
        0);
    assert_int_equal(res.status, GRPC_STATUS_UNIMPLEMENTED);
    plugin_result_clear(&res);
    plugin_client_free(c);
    plugin_fixture_stop(&f);
}

static void test_prepare_provider_config(void **state) {
    struct tpd_buf mp;
    tpd_buf_init(&mp, 0);
    rpc_provider_config(&mp, "us-east-1");
    Tfplugin5__DynamicValue dv = TFPLUGIN5__DYNAMIC_VALUE__INIT;
    dv.msgpack.data = mp.ptr;
    dv.msgpack.len = mp.len;
    Tfplugin5__PrepareProviderConfig__Request req =
        TFPLUGIN5__PREPARE_PROVIDER_CONFIG__REQUEST__INIT;
    req.config = &dv;
    struct tfp_reply r;
    rpc_call(*state, "PrepareProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__PrepareProviderConfig__Response *resp = RPC_UNPACK_REPLY(
        Tfplugin5__PrepareProviderConfig__Response,
        tfplugin5__prepare_provider_config__response,
        r);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    /* The prepared configuration is the configuration (no defaults inserted here). */
    assert_non_null(resp->prepared_config);
    struct tfv *v = NULL;
    assert_int_equal(
        tfv_decode_msgpack(
            (struct tpd_span){
                resp->prepared_config->msgpack.data, resp->prepared_config->msgpack.len},
            schema_provider()->type,
            &v,
            NULL),
        TPD_OK);
    assert_string_equal(tfv_get_str(v, "region"), "us-east-1");
    tfv_free(v);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);

    /* An invalid region: an error diagnostic whose path is the attribute. */
    tpd_buf_reset(&mp);
    rpc_provider_config(&mp, "not a region!");
    dv.msgpack.data = mp.ptr;
    dv.msgpack.len = mp.len;
    rpc_call(*state, "PrepareProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    resp = RPC_UNPACK_REPLY(
        Tfplugin5__PrepareProviderConfig__Response,
        tfplugin5__prepare_provider_config__response,
        r);
    assert_non_null(resp);
    bool found = false;
    for (size_t i = 0; i < resp->n_diagnostics; i++) {
        const Tfplugin5__AttributePath *ap = resp->diagnostics[i]->attribute;
        if (resp->diagnostics[i]->severity == TFPLUGIN5__DIAGNOSTIC__SEVERITY__ERROR && ap &&
            ap->n_steps == 1 &&
            ap->steps[0]->selector_case ==
                TFPLUGIN5__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME &&
            strcmp(ap->steps[0]->attribute_name, "region") == 0) {
            found = true;
        }
    }
    assert_true(found);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);

    /* Garbage msgpack: an error diagnostic, not a transport error; the config comes back. */
    static const uint8_t junk[] = {0xc1, 0xff};
    dv.msgpack.data = (uint8_t *)junk;
    dv.msgpack.len = sizeof(junk);
    rpc_call(*state, "PrepareProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    resp = RPC_UNPACK_REPLY(
        Tfplugin5__PrepareProviderConfig__Response,
        tfplugin5__prepare_provider_config__response,
        r);
    assert_non_null(resp);
    assert_true(resp->n_diagnostics >= 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN5__DIAGNOSTIC__SEVERITY__ERROR);
    assert_non_null(resp->prepared_config);
    assert_int_equal(resp->prepared_config->msgpack.len, sizeof(junk));
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);
    tpd_buf_clear(&mp);
}

int main(void) {
    plugin_test_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_handlers_same_wire),
        RPC_SHARED_TESTS(rpc_protocol5),
        RPC_TEST(test_get_schema, rpc_protocol5),
        RPC_TEST(test_get_schema_over_grpc, rpc_protocol5),
        RPC_TEST(test_prepare_provider_config, rpc_protocol5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
