/* Tests of provider/rpc6: handlers called through the method table with packed requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plugin_fixture.h"
#include "provider.h"
#include "rpc6.h"
#include "schema.h"
#include "tfplugin6.pb-c.h"
#include "tfv.h"

/* Call a tfplugin6 method by name with a packed request; returns the reply. */
static void s_call(
    struct tfp_provider *p,
    const char *name,
    const ProtobufCMessage *req,
    struct tfp_reply *reply) {
    size_t n = 0;
    const struct tfp_method *m = rpc6_methods(&n);
    char path[128];
    snprintf(path, sizeof(path), "/tfplugin6.Provider/%s", name);
    const struct tfp_method *found = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(m[i].path, path) == 0) {
            found = &m[i];
        }
    }
    assert_non_null(found);
    uint8_t *buf = malloc(protobuf_c_message_get_packed_size(req) + 1);
    size_t len = protobuf_c_message_pack(req, buf);
    tpd_buf_init(&reply->body, 0);
    tpd_buf_init(&reply->message, 0);
    reply->status = TFP_STATUS_OK;
    found->handler(p, (struct tpd_span){buf, len}, reply);
    free(buf);
}

static void s_reply_clear(struct tfp_reply *r) {
    tpd_buf_clear(&r->body);
    tpd_buf_clear(&r->message);
}

#define UNPACK(T, lc, r)                                                                           \
    ((T *)protobuf_c_message_unpack(&lc##__descriptor, NULL, (r).body.len, (r).body.ptr))

static int setup(void **state) {
    *state = tfp_provider_new();
    return *state ? 0 : -1;
}
static int teardown(void **state) {
    tfp_provider_free(*state);
    return 0;
}

static void test_table_complete(void **state) {
    (void)state;
    /* Every RPC of the service in proto/tfplugin6.proto has a handler. */
    size_t n = 0;
    const struct tfp_method *m = rpc6_methods(&n);
    const ProtobufCServiceDescriptor *svc = &tfplugin6__provider__descriptor;
    assert_int_equal(n, svc->n_methods);
    for (unsigned i = 0; i < svc->n_methods; i++) {
        char path[128];
        snprintf(path, sizeof(path), "/tfplugin6.Provider/%s", svc->methods[i].name);
        bool found = false;
        for (size_t j = 0; j < n; j++) {
            found = found || strcmp(m[j].path, path) == 0;
        }
        assert_true(found);
    }
}

static void test_get_metadata(void **state) {
    Tfplugin6__GetMetadata__Request req = TFPLUGIN6__GET_METADATA__REQUEST__INIT;
    struct tfp_reply r;
    s_call(*state, "GetMetadata", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__GetMetadata__Response *resp =
        UNPACK(Tfplugin6__GetMetadata__Response, tfplugin6__get_metadata__response, r);
    assert_non_null(resp);
    assert_non_null(resp->server_capabilities);
    assert_true(resp->server_capabilities->plan_destroy);
    assert_false(resp->server_capabilities->get_provider_schema_optional);
    assert_false(resp->server_capabilities->move_resource_state);
    assert_int_equal(resp->n_resources, 1);
    assert_string_equal(resp->resources[0]->type_name, "dynamodb_ttl_table");
    assert_int_equal(resp->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
}

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
    s_call(*state, "GetProviderSchema", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__GetProviderSchema__Response *resp =
        UNPACK(Tfplugin6__GetProviderSchema__Response, tfplugin6__get_provider_schema__response, r);
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
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
}

/* Build a msgpack DynamicValue of the provider config with region set. */
static void s_provider_config(struct tpd_buf *out, const char *region) {
    struct tfv *cfg = tfv_new_object();
    tfv_map_set(cfg, "region", tfv_new_string(region));
    assert_int_equal(tfv_encode_msgpack(cfg, schema_provider()->type, out, NULL), TPD_OK);
    tfv_free(cfg);
}

static void test_validate_provider_config(void **state) {
    struct tpd_buf mp;
    tpd_buf_init(&mp, 0);
    s_provider_config(&mp, "us-east-1");
    Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
    dv.msgpack.data = mp.ptr;
    dv.msgpack.len = mp.len;
    Tfplugin6__ValidateProviderConfig__Request req =
        TFPLUGIN6__VALIDATE_PROVIDER_CONFIG__REQUEST__INIT;
    req.config = &dv;
    struct tfp_reply r;
    s_call(*state, "ValidateProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__ValidateProviderConfig__Response *resp = UNPACK(
        Tfplugin6__ValidateProviderConfig__Response,
        tfplugin6__validate_provider_config__response,
        r);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);

    /* Garbage msgpack: an error diagnostic, not a transport error. */
    static const uint8_t junk[] = {0xc1, 0xff};
    dv.msgpack.data = (uint8_t *)junk;
    dv.msgpack.len = sizeof(junk);
    s_call(*state, "ValidateProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    resp = UNPACK(
        Tfplugin6__ValidateProviderConfig__Response,
        tfplugin6__validate_provider_config__response,
        r);
    assert_non_null(resp);
    assert_true(resp->n_diagnostics >= 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
    tpd_buf_clear(&mp);
}

static void test_unknown_resource_type(void **state) {
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    req.type_name = (char *)"dynamodb_nope";
    struct tfp_reply r;
    s_call(*state, "ValidateResourceConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__ValidateResourceConfig__Response *resp = UNPACK(
        Tfplugin6__ValidateResourceConfig__Response,
        tfplugin6__validate_resource_config__response,
        r);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    assert_non_null(strstr(resp->diagnostics[0]->detail, "dynamodb_nope"));
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);

    Tfplugin6__PlanResourceChange__Request preq = TFPLUGIN6__PLAN_RESOURCE_CHANGE__REQUEST__INIT;
    preq.type_name = (char *)"other";
    s_call(*state, "PlanResourceChange", &preq.base, &r);
    Tfplugin6__PlanResourceChange__Response *presp = UNPACK(
        Tfplugin6__PlanResourceChange__Response, tfplugin6__plan_resource_change__response, r);
    assert_int_equal(presp->n_diagnostics, 1);
    assert_false(presp->legacy_type_system);
    protobuf_c_message_free_unpacked(&presp->base, NULL);
    s_reply_clear(&r);
}

/* Resource config with a reserved tag key: the diagnostic carries a two-step
 * AttributePath (attribute name, then map key). */
static void test_diagnostic_paths(void **state) {
    const struct schema_block *b = schema_ttl_table();
    struct tfv *cfg = tfv_new_object();
    struct tfv *hk = tfv_new_object();
    tfv_map_set(hk, "name", tfv_new_string("k"));
    tfv_map_set(hk, "type", tfv_new_string("S"));
    tfv_map_set(cfg, "name", tfv_new_string("my-table"));
    tfv_map_set(cfg, "hash_key", hk);
    struct tfv *tags = tfv_new_map();
    tfv_map_set(tags, "aws:reserved", tfv_new_string("x"));
    tfv_map_set(cfg, "tags", tags);
    struct tpd_buf mp;
    tpd_buf_init(&mp, 0);
    assert_int_equal(tfv_encode_msgpack(cfg, b->type, &mp, NULL), TPD_OK);
    tfv_free(cfg);
    Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
    dv.msgpack.data = mp.ptr;
    dv.msgpack.len = mp.len;
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    req.type_name = (char *)SCHEMA_RESOURCE_TTL_TABLE;
    req.config = &dv;
    struct tfp_reply r;
    s_call(*state, "ValidateResourceConfig", &req.base, &r);
    Tfplugin6__ValidateResourceConfig__Response *resp = UNPACK(
        Tfplugin6__ValidateResourceConfig__Response,
        tfplugin6__validate_resource_config__response,
        r);
    assert_non_null(resp);
    bool found = false;
    for (size_t i = 0; i < resp->n_diagnostics; i++) {
        const Tfplugin6__AttributePath *ap = resp->diagnostics[i]->attribute;
        if (ap && ap->n_steps == 2 &&
            ap->steps[0]->selector_case ==
                TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME &&
            strcmp(ap->steps[0]->attribute_name, "tags") == 0 &&
            ap->steps[1]->selector_case ==
                TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING &&
            strcmp(ap->steps[1]->element_key_string, "aws:reserved") == 0) {
            found = true;
        }
    }
    assert_true(found);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
    tpd_buf_clear(&mp);
}

static void test_upgrade_resource_state(void **state) {
    static const char raw[] =
        "{\"id\":\"t1\",\"name\":\"t1\",\"hash_key\":{\"name\":\"pk\",\"type\":\"S\"},\"gone\":1}";
    Tfplugin6__RawState rs = TFPLUGIN6__RAW_STATE__INIT;
    rs.json.data = (uint8_t *)raw;
    rs.json.len = sizeof(raw) - 1;
    Tfplugin6__UpgradeResourceState__Request req = TFPLUGIN6__UPGRADE_RESOURCE_STATE__REQUEST__INIT;
    req.type_name = (char *)SCHEMA_RESOURCE_TTL_TABLE;
    req.version = 0;
    req.raw_state = &rs;
    struct tfp_reply r;
    s_call(*state, "UpgradeResourceState", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__UpgradeResourceState__Response *resp = UNPACK(
        Tfplugin6__UpgradeResourceState__Response, tfplugin6__upgrade_resource_state__response, r);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    assert_non_null(resp->upgraded_state);
    struct tfv *v = NULL;
    assert_int_equal(
        tfv_decode_msgpack(
            (struct tpd_span){
                resp->upgraded_state->msgpack.data, resp->upgraded_state->msgpack.len},
            schema_ttl_table()->type,
            &v,
            NULL),
        TPD_OK);
    assert_string_equal(tfv_get_str(v, "name"), "t1");
    assert_string_equal(tfv_get_str(tfv_get(v, "hash_key"), "name"), "pk");
    assert_null(tfv_get(v, "gone"));
    tfv_free(v);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
}

static void test_functions_and_stop(void **state) {
    Tfplugin6__GetFunctions__Request req = TFPLUGIN6__GET_FUNCTIONS__REQUEST__INIT;
    struct tfp_reply r;
    s_call(*state, "GetFunctions", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__GetFunctions__Response *resp =
        UNPACK(Tfplugin6__GetFunctions__Response, tfplugin6__get_functions__response, r);
    assert_non_null(resp);
    assert_int_equal(resp->n_functions, 0);
    assert_int_equal(resp->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);

    Tfplugin6__CallFunction__Request creq = TFPLUGIN6__CALL_FUNCTION__REQUEST__INIT;
    creq.name = (char *)"f";
    s_call(*state, "CallFunction", &creq.base, &r);
    Tfplugin6__CallFunction__Response *cresp =
        UNPACK(Tfplugin6__CallFunction__Response, tfplugin6__call_function__response, r);
    assert_non_null(cresp->error);
    assert_non_null(strstr(cresp->error->text, "\"f\""));
    protobuf_c_message_free_unpacked(&cresp->base, NULL);
    s_reply_clear(&r);

    Tfplugin6__StopProvider__Request sreq = TFPLUGIN6__STOP_PROVIDER__REQUEST__INIT;
    s_call(*state, "StopProvider", &sreq.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__StopProvider__Response *sresp =
        UNPACK(Tfplugin6__StopProvider__Response, tfplugin6__stop_provider__response, r);
    assert_non_null(sresp);
    assert_string_equal(sresp->error, "");
    protobuf_c_message_free_unpacked(&sresp->base, NULL);
    s_reply_clear(&r);
}

static void test_unsupported_features(void **state) {
    static const char *methods[] = {
        "ValidateDataResourceConfig",
        "ReadDataSource",
        "ValidateEphemeralResourceConfig",
        "OpenEphemeralResource",
        "CloseEphemeralResource",
        "MoveResourceState"};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        /* An empty request message is valid for every request type. */
        Tfplugin6__GetFunctions__Request empty = TFPLUGIN6__GET_FUNCTIONS__REQUEST__INIT;
        struct tfp_reply r;
        s_call(*state, methods[i], &empty.base, &r);
        assert_int_equal(r.status, TFP_STATUS_OK);
        /* Every one of these responses has diagnostics; check via the common field. */
        assert_true(r.body.len > 0);
        s_reply_clear(&r);
    }
}

static void test_malformed_request(void **state) {
    size_t n = 0;
    const struct tfp_method *m = rpc6_methods(&n);
    static const uint8_t junk[] = {0xff, 0xff, 0xff};
    for (size_t i = 0; i < n; i++) {
        struct tfp_reply r;
        tpd_buf_init(&r.body, 0);
        tpd_buf_init(&r.message, 0);
        r.status = TFP_STATUS_OK;
        m[i].handler(*state, (struct tpd_span){junk, sizeof(junk)}, &r);
        assert_int_equal(r.status, TFP_STATUS_INVALID_ARGUMENT);
        assert_non_null(strstr(tpd_buf_cstr(&r.message), "malformed"));
        s_reply_clear(&r);
    }
}

int main(void) {
    plugin_test_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test_setup_teardown(test_get_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_provider_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_provider_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_resource_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diagnostic_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_resource_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_functions_and_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_features, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_request, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
