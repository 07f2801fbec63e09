/* Tests of provider/rpc5 (plugin protocol 5.8): handlers called through the method table
 * with packed requests, and one call through the real gRPC server by its
 * /tfplugin5.Provider/ path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plugin_fixture.h"
#include "provider.h"
#include "rpc5.h"
#include "schema.h"
#include "tfplugin5.pb-c.h"
#include "tfv.h"

static const struct tfp_method *s_find(const char *name) {
    size_t n = 0;
    const struct tfp_method *m = rpc5_methods(&n);
    char path[128];
    snprintf(path, sizeof(path), "/tfplugin5.Provider/%s", name);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(m[i].path, path) == 0) {
            return &m[i];
        }
    }
    return NULL;
}

/* Call a tfplugin5 method by name with a packed request; returns the reply. */
static void s_call(
    struct tfp_provider *p,
    const char *name,
    const ProtobufCMessage *req,
    struct tfp_reply *reply) {
    const struct tfp_method *found = s_find(name);
    assert_non_null(found);
    uint8_t *buf = malloc(protobuf_c_message_get_packed_size(req) + 1);
    assert_non_null(buf);
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
    /* Every RPC of the 5.8 service in proto/tfplugin5.proto has a handler, and only those. */
    size_t n = 0;
    const struct tfp_method *m = rpc5_methods(&n);
    const ProtobufCServiceDescriptor *svc = &tfplugin5__provider__descriptor;
    assert_int_equal(n, svc->n_methods);
    assert_int_equal(n, 20);
    for (unsigned i = 0; i < svc->n_methods; i++) {
        char path[128];
        snprintf(path, sizeof(path), "/tfplugin5.Provider/%s", svc->methods[i].name);
        bool found = false;
        for (size_t j = 0; j < n; j++) {
            found = found || strcmp(m[j].path, path) == 0;
        }
        assert_true(found);
    }
    /* The protocol 5 names, not the protocol 6 ones. */
    static const char *const v5[] = {
        "GetSchema",
        "PrepareProviderConfig",
        "ValidateResourceTypeConfig",
        "ValidateDataSourceConfig",
        "Configure",
        "Stop"};
    for (size_t i = 0; i < sizeof(v5) / sizeof(v5[0]); i++) {
        assert_non_null(s_find(v5[i]));
    }
    static const char *const v6[] = {
        "GetProviderSchema",
        "ValidateProviderConfig",
        "ValidateResourceConfig",
        "ValidateDataResourceConfig",
        "ConfigureProvider",
        "StopProvider"};
    for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
        assert_null(s_find(v6[i]));
    }
}

static void test_get_metadata(void **state) {
    Tfplugin5__GetMetadata__Request req = TFPLUGIN5__GET_METADATA__REQUEST__INIT;
    struct tfp_reply r;
    s_call(*state, "GetMetadata", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__GetMetadata__Response *resp =
        UNPACK(Tfplugin5__GetMetadata__Response, tfplugin5__get_metadata__response, r);
    assert_non_null(resp);
    assert_non_null(resp->server_capabilities);
    assert_true(resp->server_capabilities->plan_destroy);
    assert_false(resp->server_capabilities->move_resource_state);
    assert_int_equal(resp->n_resources, 1);
    assert_string_equal(resp->resources[0]->type_name, "dynamodb_ttl_table");
    assert_int_equal(resp->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
}

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
}

static void test_get_schema(void **state) {
    Tfplugin5__GetProviderSchema__Request req = TFPLUGIN5__GET_PROVIDER_SCHEMA__REQUEST__INIT;
    struct tfp_reply r;
    s_call(*state, "GetSchema", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__GetProviderSchema__Response *resp =
        UNPACK(Tfplugin5__GetProviderSchema__Response, tfplugin5__get_provider_schema__response, r);
    assert_non_null(resp);
    s_check_schema(resp);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
}

/* The same through the gRPC server, by the path a protocol 5 host calls. */
static void test_get_schema_over_grpc(void **state) {
    struct plugin_fixture f;
    size_t n = 0;
    const struct tfp_method *m = rpc5_methods(&n);
    assert_int_equal(plugin_fixture_start(&f, m, n, *state, false, 0), 0);
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

/* Build a msgpack DynamicValue of the provider config with region set. */
static void s_provider_config(struct tpd_buf *out, const char *region) {
    struct tfv *cfg = tfv_new_object();
    tfv_map_set(cfg, "region", tfv_new_string(region));
    assert_int_equal(tfv_encode_msgpack(cfg, schema_provider()->type, out, NULL), TPD_OK);
    tfv_free(cfg);
}

static void test_prepare_provider_config(void **state) {
    struct tpd_buf mp;
    tpd_buf_init(&mp, 0);
    s_provider_config(&mp, "us-east-1");
    Tfplugin5__DynamicValue dv = TFPLUGIN5__DYNAMIC_VALUE__INIT;
    dv.msgpack.data = mp.ptr;
    dv.msgpack.len = mp.len;
    Tfplugin5__PrepareProviderConfig__Request req =
        TFPLUGIN5__PREPARE_PROVIDER_CONFIG__REQUEST__INIT;
    req.config = &dv;
    struct tfp_reply r;
    s_call(*state, "PrepareProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__PrepareProviderConfig__Response *resp = UNPACK(
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
    s_reply_clear(&r);

    /* An invalid region: an error diagnostic whose path is the attribute. */
    tpd_buf_reset(&mp);
    s_provider_config(&mp, "not a region!");
    dv.msgpack.data = mp.ptr;
    dv.msgpack.len = mp.len;
    s_call(*state, "PrepareProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    resp = UNPACK(
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
    s_reply_clear(&r);

    /* Garbage msgpack: an error diagnostic, not a transport error; the config comes back. */
    static const uint8_t junk[] = {0xc1, 0xff};
    dv.msgpack.data = (uint8_t *)junk;
    dv.msgpack.len = sizeof(junk);
    s_call(*state, "PrepareProviderConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    resp = UNPACK(
        Tfplugin5__PrepareProviderConfig__Response,
        tfplugin5__prepare_provider_config__response,
        r);
    assert_non_null(resp);
    assert_true(resp->n_diagnostics >= 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN5__DIAGNOSTIC__SEVERITY__ERROR);
    assert_non_null(resp->prepared_config);
    assert_int_equal(resp->prepared_config->msgpack.len, sizeof(junk));
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
    tpd_buf_clear(&mp);
}

static void test_unknown_resource_type(void **state) {
    Tfplugin5__ValidateResourceTypeConfig__Request req =
        TFPLUGIN5__VALIDATE_RESOURCE_TYPE_CONFIG__REQUEST__INIT;
    req.type_name = (char *)"dynamodb_nope";
    struct tfp_reply r;
    s_call(*state, "ValidateResourceTypeConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__ValidateResourceTypeConfig__Response *resp = UNPACK(
        Tfplugin5__ValidateResourceTypeConfig__Response,
        tfplugin5__validate_resource_type_config__response,
        r);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN5__DIAGNOSTIC__SEVERITY__ERROR);
    assert_non_null(strstr(resp->diagnostics[0]->detail, "dynamodb_nope"));
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);

    Tfplugin5__PlanResourceChange__Request preq = TFPLUGIN5__PLAN_RESOURCE_CHANGE__REQUEST__INIT;
    preq.type_name = (char *)"other";
    s_call(*state, "PlanResourceChange", &preq.base, &r);
    Tfplugin5__PlanResourceChange__Response *presp = UNPACK(
        Tfplugin5__PlanResourceChange__Response, tfplugin5__plan_resource_change__response, r);
    assert_int_equal(presp->n_diagnostics, 1);
    assert_false(presp->legacy_type_system);
    protobuf_c_message_free_unpacked(&presp->base, NULL);
    s_reply_clear(&r);
}

static bool s_has_path(
    const Tfplugin5__ValidateResourceTypeConfig__Response *resp,
    const char *first,
    Tfplugin5__AttributePath__Step__SelectorCase second_kind,
    const char *second) {
    for (size_t i = 0; i < resp->n_diagnostics; i++) {
        const Tfplugin5__AttributePath *ap = resp->diagnostics[i]->attribute;
        if (ap && ap->n_steps == 2 &&
            ap->steps[0]->selector_case ==
                TFPLUGIN5__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME &&
            strcmp(ap->steps[0]->attribute_name, first) == 0 &&
            ap->steps[1]->selector_case == second_kind) {
            const char *s = second_kind == TFPLUGIN5__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME
                                ? ap->steps[1]->attribute_name
                                : ap->steps[1]->element_key_string;
            if (strcmp(s, second) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* Resource config with a reserved tag key and a bad key type: the diagnostics carry
 * AttributePaths: attribute then map key for the tag; the object-typed attribute
 * (a nested attribute in protocol 6) for the key type, with "hash_key.type" in the
 * detail (validate.c reports at the top-level attribute). */
static void test_validate_resource_type_config_paths(void **state) {
    const struct schema_block *b = schema_ttl_table();
    struct tfv *cfg = tfv_new_object();
    struct tfv *hk = tfv_new_object();
    tfv_map_set(hk, "name", tfv_new_string("k"));
    tfv_map_set(hk, "type", tfv_new_string("Q"));
    tfv_map_set(cfg, "name", tfv_new_string("my-table"));
    tfv_map_set(cfg, "hash_key", hk);
    struct tfv *tags = tfv_new_map();
    tfv_map_set(tags, "aws:reserved", tfv_new_string("x"));
    tfv_map_set(cfg, "tags", tags);
    struct tpd_buf mp;
    tpd_buf_init(&mp, 0);
    assert_int_equal(tfv_encode_msgpack(cfg, b->type, &mp, NULL), TPD_OK);
    tfv_free(cfg);
    Tfplugin5__DynamicValue dv = TFPLUGIN5__DYNAMIC_VALUE__INIT;
    dv.msgpack.data = mp.ptr;
    dv.msgpack.len = mp.len;
    Tfplugin5__ValidateResourceTypeConfig__Request req =
        TFPLUGIN5__VALIDATE_RESOURCE_TYPE_CONFIG__REQUEST__INIT;
    req.type_name = (char *)SCHEMA_RESOURCE_TTL_TABLE;
    req.config = &dv;
    struct tfp_reply r;
    s_call(*state, "ValidateResourceTypeConfig", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__ValidateResourceTypeConfig__Response *resp = UNPACK(
        Tfplugin5__ValidateResourceTypeConfig__Response,
        tfplugin5__validate_resource_type_config__response,
        r);
    assert_non_null(resp);
    assert_true(s_has_path(
        resp,
        "tags",
        TFPLUGIN5__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING,
        "aws:reserved"));
    bool key_type = false;
    for (size_t i = 0; i < resp->n_diagnostics; i++) {
        const Tfplugin5__Diagnostic *d = resp->diagnostics[i];
        if (strcmp(d->summary, "Invalid key type") == 0 && d->attribute &&
            d->attribute->n_steps == 1 &&
            strcmp(d->attribute->steps[0]->attribute_name, "hash_key") == 0 &&
            strstr(d->detail, "hash_key.type") != NULL) {
            key_type = true;
        }
    }
    assert_true(key_type);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
    tpd_buf_clear(&mp);
}

static void test_upgrade_resource_state(void **state) {
    static const char raw[] =
        "{\"id\":\"t1\",\"name\":\"t1\",\"hash_key\":{\"name\":\"pk\",\"type\":\"S\"},\"gone\":1}";
    Tfplugin5__RawState rs = TFPLUGIN5__RAW_STATE__INIT;
    rs.json.data = (uint8_t *)raw;
    rs.json.len = sizeof(raw) - 1;
    Tfplugin5__UpgradeResourceState__Request req = TFPLUGIN5__UPGRADE_RESOURCE_STATE__REQUEST__INIT;
    req.type_name = (char *)SCHEMA_RESOURCE_TTL_TABLE;
    req.version = 0;
    req.raw_state = &rs;
    struct tfp_reply r;
    s_call(*state, "UpgradeResourceState", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__UpgradeResourceState__Response *resp = UNPACK(
        Tfplugin5__UpgradeResourceState__Response, tfplugin5__upgrade_resource_state__response, r);
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

    /* Legacy flatmap state: a clear error diagnostic. */
    Tfplugin5__RawState__FlatmapEntry fe = TFPLUGIN5__RAW_STATE__FLATMAP_ENTRY__INIT;
    Tfplugin5__RawState__FlatmapEntry *fes[1] = {&fe};
    fe.key = (char *)"id";
    fe.value = (char *)"t1";
    Tfplugin5__RawState flat = TFPLUGIN5__RAW_STATE__INIT;
    flat.n_flatmap = 1;
    flat.flatmap = fes;
    req.raw_state = &flat;
    s_call(*state, "UpgradeResourceState", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    resp = UNPACK(
        Tfplugin5__UpgradeResourceState__Response, tfplugin5__upgrade_resource_state__response, r);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN5__DIAGNOSTIC__SEVERITY__ERROR);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);
}

static void test_functions_and_stop(void **state) {
    Tfplugin5__GetFunctions__Request req = TFPLUGIN5__GET_FUNCTIONS__REQUEST__INIT;
    struct tfp_reply r;
    s_call(*state, "GetFunctions", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__GetFunctions__Response *resp =
        UNPACK(Tfplugin5__GetFunctions__Response, tfplugin5__get_functions__response, r);
    assert_non_null(resp);
    assert_int_equal(resp->n_functions, 0);
    assert_int_equal(resp->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    s_reply_clear(&r);

    Tfplugin5__CallFunction__Request creq = TFPLUGIN5__CALL_FUNCTION__REQUEST__INIT;
    creq.name = (char *)"f";
    s_call(*state, "CallFunction", &creq.base, &r);
    Tfplugin5__CallFunction__Response *cresp =
        UNPACK(Tfplugin5__CallFunction__Response, tfplugin5__call_function__response, r);
    assert_non_null(cresp->error);
    assert_non_null(strstr(cresp->error->text, "\"f\""));
    protobuf_c_message_free_unpacked(&cresp->base, NULL);
    s_reply_clear(&r);

    Tfplugin5__Stop__Request sreq = TFPLUGIN5__STOP__REQUEST__INIT;
    s_call(*state, "Stop", &sreq.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin5__Stop__Response *sresp =
        UNPACK(Tfplugin5__Stop__Response, tfplugin5__stop__response, r);
    assert_non_null(sresp);
    assert_string_equal(sresp->error, "");
    protobuf_c_message_free_unpacked(&sresp->base, NULL);
    s_reply_clear(&r);
}

static void test_unsupported_features(void **state) {
    static const char *methods[] = {
        "ValidateDataSourceConfig",
        "ReadDataSource",
        "ValidateEphemeralResourceConfig",
        "OpenEphemeralResource",
        "RenewEphemeralResource",
        "CloseEphemeralResource",
        "MoveResourceState"};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        /* An empty request message is valid for every request type. */
        Tfplugin5__GetFunctions__Request empty = TFPLUGIN5__GET_FUNCTIONS__REQUEST__INIT;
        struct tfp_reply r;
        s_call(*state, methods[i], &empty.base, &r);
        assert_int_equal(r.status, TFP_STATUS_OK);
        /* Every one of these responses carries an error diagnostic (so it is not empty). */
        assert_true(r.body.len > 0);
        s_reply_clear(&r);
    }
    /* One decoded in full. */
    Tfplugin5__ValidateDataSourceConfig__Request dreq =
        TFPLUGIN5__VALIDATE_DATA_SOURCE_CONFIG__REQUEST__INIT;
    dreq.type_name = (char *)"dynamodb_table";
    struct tfp_reply r;
    s_call(*state, "ValidateDataSourceConfig", &dreq.base, &r);
    Tfplugin5__ValidateDataSourceConfig__Response *dresp = UNPACK(
        Tfplugin5__ValidateDataSourceConfig__Response,
        tfplugin5__validate_data_source_config__response,
        r);
    assert_non_null(dresp);
    assert_int_equal(dresp->n_diagnostics, 1);
    assert_non_null(strstr(dresp->diagnostics[0]->detail, "dynamodb_table"));
    protobuf_c_message_free_unpacked(&dresp->base, NULL);
    s_reply_clear(&r);
}

static void test_malformed_request(void **state) {
    size_t n = 0;
    const struct tfp_method *m = rpc5_methods(&n);
    static const uint8_t junk[][3] = {{0xff, 0xff, 0xff}, {0x0a, 0x05, 0x01}, {0x12, 0xff, 0x7f}};
    for (size_t k = 0; k < sizeof(junk) / sizeof(junk[0]); k++) {
        for (size_t i = 0; i < n; i++) {
            struct tfp_reply r;
            tpd_buf_init(&r.body, 0);
            tpd_buf_init(&r.message, 0);
            r.status = TFP_STATUS_OK;
            m[i].handler(*state, (struct tpd_span){junk[k], sizeof(junk[k])}, &r);
            if (r.status != TFP_STATUS_INVALID_ARGUMENT ||
                strstr(tpd_buf_cstr(&r.message), "malformed") == NULL) {
                fail_msg("%s with junk %zu: status %d", m[i].path, k, (int)r.status);
            }
            s_reply_clear(&r);
        }
    }
}

int main(void) {
    plugin_test_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test_setup_teardown(test_get_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_schema_over_grpc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_provider_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_resource_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_resource_type_config_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_resource_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_functions_and_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_features, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_request, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
