/* Tests of provider/plugin/rpc6.c: handlers called through the method table with packed
 * requests. The cases shared with protocol 5 are in tests/support/rpc_cases.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plugin_fixture.h"
#include "rpc_fixture.h"
#include "schema.h"
#include "tfplugin6.pb-c.h"
#include "tfv.h"

static const Tfplugin6__Schema__Attribute *
s_attr(const Tfplugin6__Schema__Block *b, const char *name) {
    for (size_t i = 0; i < b->n_attributes; i++) {
        if (strcmp(b->attributes[i]->name, name) == 0) {
            return b->attributes[i];
        }
    }
    return NULL;
}

static void test_get_provider_schema(void **state) {
    Tfplugin6__GetProviderSchema__Request req = TFPLUGIN6__GET_PROVIDER_SCHEMA__REQUEST__INIT;
    struct tfp_reply r;
    rpc_call(*state, "GetProviderSchema", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__GetProviderSchema__Response *resp = RPC_UNPACK_REPLY(
        Tfplugin6__GetProviderSchema__Response, tfplugin6__get_provider_schema__response, r);
    assert_non_null(resp);
    assert_true(resp->server_capabilities->plan_destroy);

    /* Provider block: attributes with cty JSON types, nested blocks. */
    const Tfplugin6__Schema__Block *pb = resp->provider->block;
    const struct schema_block *want_p = schema_provider();
    assert_int_equal(pb->n_attributes, want_p->attr_count);
    assert_int_equal(pb->n_block_types, want_p->block_type_count);
    const Tfplugin6__Schema__Attribute *region = s_attr(pb, "region");
    assert_non_null(region);
    assert_int_equal(region->type.len, strlen("\"string\""));
    assert_memory_equal(region->type.data, "\"string\"", region->type.len);
    assert_true(region->optional);
    assert_int_equal(region->description_kind, TFPLUGIN6__STRING_KIND__MARKDOWN);
    for (size_t i = 0; i < pb->n_block_types; i++) {
        assert_non_null(pb->block_types[i]->block);
        assert_int_not_equal(pb->block_types[i]->nesting, 0);
    }

    /* Resource schema. */
    assert_int_equal(resp->n_resource_schemas, 1);
    assert_string_equal(resp->resource_schemas[0]->key, "dynamodb_ttl_table");
    const Tfplugin6__Schema *rs = resp->resource_schemas[0]->value;
    const struct schema_block *want = schema_ttl_table();
    assert_int_equal(rs->version, want->version);
    assert_int_equal(rs->block->n_attributes, want->attr_count);
    for (size_t i = 0; i < want->attr_count; i++) {
        const struct schema_attr *a = &want->attrs[i];
        const Tfplugin6__Schema__Attribute *m = s_attr(rs->block, a->name);
        assert_non_null(m);
        assert_int_equal(m->required, a->required);
        assert_int_equal(m->optional, a->optional);
        assert_int_equal(m->computed, a->computed);
        assert_int_equal(m->sensitive, a->sensitive);
        if (a->nested) {
            /* Nested attribute: nested_type set, type empty (one or the other). */
            assert_non_null(m->nested_type);
            assert_int_equal(m->type.len, 0);
            assert_int_equal(m->nested_type->n_attributes, a->nested->attr_count);
            assert_int_equal((int)m->nested_type->nesting, (int)a->nested->nesting);
        } else {
            assert_null(m->nested_type);
            struct tpd_buf t;
            tpd_buf_init(&t, 0);
            assert_int_equal(tfv_type_to_json(a->type, &t), TPD_OK);
            assert_int_equal(m->type.len, t.len);
            assert_memory_equal(m->type.data, t.ptr, t.len);
            tpd_buf_clear(&t);
        }
    }
    const Tfplugin6__Schema__Attribute *hk = s_attr(rs->block, "hash_key");
    assert_non_null(hk);
    assert_non_null(hk->nested_type);
    /* A list of objects whose attributes nest further (the index's keys). */
    const Tfplugin6__Schema__Attribute *g = s_attr(rs->block, "global_secondary_indexes");
    assert_non_null(g);
    assert_true(g->optional);
    assert_int_equal(g->nested_type->nesting, TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__LIST);
    const Tfplugin6__Schema__Attribute *gk = NULL;
    for (size_t i = 0; i < g->nested_type->n_attributes; i++) {
        if (strcmp(g->nested_type->attributes[i]->name, "hash_key") == 0) {
            gk = g->nested_type->attributes[i];
        }
    }
    assert_non_null(gk);
    assert_true(gk->required);
    assert_int_equal(gk->nested_type->nesting, TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__SINGLE);
    assert_int_equal(gk->nested_type->n_attributes, 2);
    const Tfplugin6__Schema__Attribute *lsi = s_attr(rs->block, "local_secondary_indexes");
    assert_int_equal(lsi->nested_type->nesting, TFPLUGIN6__SCHEMA__OBJECT__NESTING_MODE__LIST);

    /* The data source: name required, everything else computed, nested ones down to
     * their attributes; moves announced. */
    assert_true(resp->server_capabilities->move_resource_state);
    assert_int_equal(resp->n_data_source_schemas, 1);
    assert_string_equal(resp->data_source_schemas[0]->key, "dynamodb_ttl_table");
    const Tfplugin6__Schema__Block *db = resp->data_source_schemas[0]->value->block;
    const struct schema_block *want_d = schema_ttl_table_data();
    assert_int_equal(db->n_attributes, want_d->attr_count);
    for (size_t i = 0; i < db->n_attributes; i++) {
        const Tfplugin6__Schema__Attribute *m = db->attributes[i];
        bool is_name = strcmp(m->name, "name") == 0;
        assert_int_equal(m->required, is_name);
        assert_int_equal(m->computed, !is_name);
        assert_false(m->optional);
        for (size_t j = 0; m->nested_type && j < m->nested_type->n_attributes; j++) {
            assert_true(m->nested_type->attributes[j]->computed);
            assert_false(m->nested_type->attributes[j]->optional);
        }
    }
    assert_non_null(s_attr(db, "stack_id"));
    assert_non_null(s_attr(db, "global_secondary_indexes")->nested_type);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);
}

static void test_validate_provider_config(void **state) {
    struct tpd_buf mp;
    tpd_buf_init(&mp, 0);
    rpc_provider_config(&mp, "us-east-1");
    Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
    dv.msgpack.data = mp.ptr;
    dv.msgpack.len = mp.len;
    Tfplugin6__ValidateProviderConfig__Request req =
        TFPLUGIN6__VALIDATE_PROVIDER_CONFIG__REQUEST__INIT;
    req.config = &dv;
    struct tfp_reply r;
    rpc_call(*state, "ValidateProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__ValidateProviderConfig__Response *resp = RPC_UNPACK_REPLY(
        Tfplugin6__ValidateProviderConfig__Response,
        tfplugin6__validate_provider_config__response,
        r);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);

    /* Garbage msgpack: an error diagnostic, not a transport error. */
    static const uint8_t junk[] = {0xc1, 0xff};
    dv.msgpack.data = (uint8_t *)junk;
    dv.msgpack.len = sizeof(junk);
    rpc_call(*state, "ValidateProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    resp = RPC_UNPACK_REPLY(
        Tfplugin6__ValidateProviderConfig__Response,
        tfplugin6__validate_provider_config__response,
        r);
    assert_non_null(resp);
    assert_true(resp->n_diagnostics >= 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);
    tpd_buf_clear(&mp);
}

int main(void) {
    plugin_test_init();
    const struct CMUnitTest tests[] = {
        RPC_SHARED_TESTS(rpc_protocol6),
        RPC_TEST(test_get_provider_schema, rpc_protocol6),
        RPC_TEST(test_validate_provider_config, rpc_protocol6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
