/*
 * rpc_cases: the RPC tests both protocols run (rpc_fixture.h). Requests and responses are
 * tfplugin6 messages, which are the same on the wire as the tfplugin5 ones for every
 * method used here (provider/plugin/rpc5.c; checked in tests/unit/test_rpc5.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpc_fixture.h"
#include "schema.h"
#include "test_util.h"
#include "tfplugin6.pb-c.h"
#include "tfv.h"

/* Every RPC of the protocol's service has a handler, and only those, by the protocol's
 * own names (not those of the other protocol). */
void rpc_test_method_table(void **state) {
    const struct rpc_env *e = *state;
    size_t n = 0;
    const struct tfp_method *m = e->proto->methods(&n);
    const ProtobufCServiceDescriptor *svc = e->proto->service;
    assert_int_equal(n, svc->n_methods);
    assert_int_equal(n, 20);
    for (unsigned i = 0; i < svc->n_methods; i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s%s", e->proto->prefix, svc->methods[i].name);
        bool found = false;
        for (size_t j = 0; j < n; j++) {
            found = found || strcmp(m[j].path, path) == 0;
        }
        assert_true(found);
    }
    int own = e->proto->version == 5 ? 1 : 0;
    for (size_t i = 0; i < RPC_RENAMED_COUNT; i++) {
        assert_non_null(rpc_find(e->proto, rpc_renamed[i][own]));
        assert_null(rpc_find(e->proto, rpc_renamed[i][1 - own]));
    }
}

void rpc_test_get_metadata(void **state) {
    const struct rpc_env *e = *state;
    Tfplugin6__GetMetadata__Request req = TFPLUGIN6__GET_METADATA__REQUEST__INIT;
    struct tfp_reply r;
    rpc_call(e, "GetMetadata", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__GetMetadata__Response *resp =
        RPC_UNPACK_REPLY(Tfplugin6__GetMetadata__Response, tfplugin6__get_metadata__response, r);
    assert_non_null(resp);
    assert_non_null(resp->server_capabilities);
    assert_true(resp->server_capabilities->plan_destroy);
    assert_false(resp->server_capabilities->get_provider_schema_optional);
    /* `moved` blocks from hashicorp/aws's aws_dynamodb_table (move_state.h). */
    assert_true(resp->server_capabilities->move_resource_state);
    assert_int_equal(resp->n_resources, 1);
    assert_string_equal(resp->resources[0]->type_name, "dynamodb_ttl_table");
    assert_int_equal(resp->n_data_sources, 1);
    assert_string_equal(resp->data_sources[0]->type_name, "dynamodb_ttl_table");
    assert_int_equal(resp->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);
}

void rpc_test_unknown_resource_type(void **state) {
    const struct rpc_env *e = *state;
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    req.type_name = (char *)"dynamodb_nope";
    struct tfp_reply r;
    rpc_call(e, rpc_name(e->proto, "ValidateResourceConfig"), &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__ValidateResourceConfig__Response *resp = RPC_UNPACK_REPLY(
        Tfplugin6__ValidateResourceConfig__Response,
        tfplugin6__validate_resource_config__response,
        r);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    assert_non_null(strstr(resp->diagnostics[0]->detail, "dynamodb_nope"));
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);

    Tfplugin6__PlanResourceChange__Request preq = TFPLUGIN6__PLAN_RESOURCE_CHANGE__REQUEST__INIT;
    preq.type_name = (char *)"other";
    rpc_call(e, "PlanResourceChange", &preq.base, &r);
    Tfplugin6__PlanResourceChange__Response *presp = RPC_UNPACK_REPLY(
        Tfplugin6__PlanResourceChange__Response, tfplugin6__plan_resource_change__response, r);
    assert_non_null(presp);
    assert_int_equal(presp->n_diagnostics, 1);
    assert_false(presp->legacy_type_system);
    protobuf_c_message_free_unpacked(&presp->base, NULL);
    rpc_reply_clear(&r);
}

/* A diagnostic whose AttributePath is attribute `first`, then a step of second_kind. */
static bool s_has_path(
    const Tfplugin6__ValidateResourceConfig__Response *resp,
    const char *first,
    Tfplugin6__AttributePath__Step__SelectorCase second_kind,
    const char *second) {
    for (size_t i = 0; i < resp->n_diagnostics; i++) {
        const Tfplugin6__AttributePath *ap = resp->diagnostics[i]->attribute;
        if (ap && ap->n_steps == 2 &&
            ap->steps[0]->selector_case ==
                TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME &&
            strcmp(ap->steps[0]->attribute_name, first) == 0 &&
            ap->steps[1]->selector_case == second_kind) {
            const char *s = second_kind == TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME
                                ? ap->steps[1]->attribute_name
                                : ap->steps[1]->element_key_string;
            if (strcmp(s, second) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* Resource config with a reserved tag key, a bad key type and a bad index in a list of
 * objects: the diagnostics carry AttributePaths: attribute then map key for the tag; the
 * nested attribute (an object-typed attribute in protocol 5) for the key type, with
 * "hash_key.type" in the detail (validate.c reports at the top-level attribute);
 * attribute then element index for the index. */
void rpc_test_resource_config_paths(void **state) {
    const struct rpc_env *e = *state;
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
    /* A list of index objects (nested objects inside), the second one wrong. */
    struct tfv *gsis = tfv_new_list();
    for (int i = 0; i < 2; i++) {
        struct tfv *g = tfv_new_object();
        struct tfv *gk = tfv_new_object();
        tfv_map_set(gk, "name", tfv_new_string(i ? "b" : "a"));
        tfv_map_set(gk, "type", tfv_new_string("S"));
        tfv_map_set(g, "name", tfv_new_string(i ? "by_b" : "by_a"));
        tfv_map_set(g, "hash_key", gk);
        tfv_map_set(g, "projection_type", tfv_new_string(i ? "WRONG" : "KEYS_ONLY"));
        tfv_list_append(gsis, g);
    }
    tfv_map_set(cfg, "global_secondary_indexes", gsis);
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
    rpc_call(e, rpc_name(e->proto, "ValidateResourceConfig"), &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__ValidateResourceConfig__Response *resp = RPC_UNPACK_REPLY(
        Tfplugin6__ValidateResourceConfig__Response,
        tfplugin6__validate_resource_config__response,
        r);
    assert_non_null(resp);
    assert_true(s_has_path(
        resp,
        "tags",
        TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING,
        "aws:reserved"));
    bool key_type = false;
    for (size_t i = 0; i < resp->n_diagnostics; i++) {
        const Tfplugin6__Diagnostic *d = resp->diagnostics[i];
        if (strcmp(d->summary, "Invalid key type") == 0 && d->attribute &&
            d->attribute->n_steps == 1 &&
            strcmp(d->attribute->steps[0]->attribute_name, "hash_key") == 0 &&
            strstr(d->detail, "hash_key.type") != NULL) {
            key_type = true;
        }
    }
    assert_true(key_type);
    /* The index's error: attribute, then the element's index. */
    bool index_elem = false;
    for (size_t i = 0; i < resp->n_diagnostics; i++) {
        const Tfplugin6__AttributePath *ap = resp->diagnostics[i]->attribute;
        if (strcmp(resp->diagnostics[i]->summary, "Invalid projection type") == 0 && ap &&
            ap->n_steps == 2 &&
            strcmp(ap->steps[0]->attribute_name, "global_secondary_indexes") == 0 &&
            ap->steps[1]->selector_case ==
                TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT &&
            ap->steps[1]->element_key_int == 1) {
            index_elem = true;
        }
    }
    assert_true(index_elem);
    assert_int_equal(resp->n_diagnostics, 3);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);
    tpd_buf_clear(&mp);
}

void rpc_test_upgrade_resource_state(void **state) {
    const struct rpc_env *e = *state;
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
    rpc_call(e, "UpgradeResourceState", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__UpgradeResourceState__Response *resp = RPC_UNPACK_REPLY(
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
    rpc_reply_clear(&r);

    /* Legacy flatmap state: a clear error diagnostic. */
    Tfplugin6__RawState__FlatmapEntry fe = TFPLUGIN6__RAW_STATE__FLATMAP_ENTRY__INIT;
    Tfplugin6__RawState__FlatmapEntry *fes[1] = {&fe};
    fe.key = (char *)"id";
    fe.value = (char *)"t1";
    Tfplugin6__RawState flat = TFPLUGIN6__RAW_STATE__INIT;
    flat.n_flatmap = 1;
    flat.flatmap = fes;
    req.raw_state = &flat;
    rpc_call(e, "UpgradeResourceState", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    resp = RPC_UNPACK_REPLY(
        Tfplugin6__UpgradeResourceState__Response, tfplugin6__upgrade_resource_state__response, r);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);
}

void rpc_test_functions_and_stop(void **state) {
    const struct rpc_env *e = *state;
    Tfplugin6__GetFunctions__Request req = TFPLUGIN6__GET_FUNCTIONS__REQUEST__INIT;
    struct tfp_reply r;
    rpc_call(e, "GetFunctions", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__GetFunctions__Response *resp =
        RPC_UNPACK_REPLY(Tfplugin6__GetFunctions__Response, tfplugin6__get_functions__response, r);
    assert_non_null(resp);
    assert_int_equal(resp->n_functions, 0);
    assert_int_equal(resp->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);

    Tfplugin6__CallFunction__Request creq = TFPLUGIN6__CALL_FUNCTION__REQUEST__INIT;
    creq.name = (char *)"f";
    rpc_call(e, "CallFunction", &creq.base, &r);
    Tfplugin6__CallFunction__Response *cresp =
        RPC_UNPACK_REPLY(Tfplugin6__CallFunction__Response, tfplugin6__call_function__response, r);
    assert_non_null(cresp);
    assert_non_null(cresp->error);
    assert_non_null(strstr(cresp->error->text, "\"f\""));
    protobuf_c_message_free_unpacked(&cresp->base, NULL);
    rpc_reply_clear(&r);

    Tfplugin6__StopProvider__Request sreq = TFPLUGIN6__STOP_PROVIDER__REQUEST__INIT;
    rpc_call(e, rpc_name(e->proto, "StopProvider"), &sreq.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__StopProvider__Response *sresp =
        RPC_UNPACK_REPLY(Tfplugin6__StopProvider__Response, tfplugin6__stop_provider__response, r);
    assert_non_null(sresp);
    assert_string_equal(sresp->error, "");
    protobuf_c_message_free_unpacked(&sresp->base, NULL);
    rpc_reply_clear(&r);
}

void rpc_test_unsupported_features(void **state) {
    const struct rpc_env *e = *state;
    /* The data source's RPCs and MoveResourceState with no type name: unknown types. */
    const char *methods[] = {
        rpc_name(e->proto, "ValidateDataResourceConfig"),
        "ReadDataSource",
        "ValidateEphemeralResourceConfig",
        "OpenEphemeralResource",
        "RenewEphemeralResource",
        "CloseEphemeralResource",
        "MoveResourceState"};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        /* An empty request message is valid for every request type. */
        Tfplugin6__GetFunctions__Request empty = TFPLUGIN6__GET_FUNCTIONS__REQUEST__INIT;
        struct tfp_reply r;
        rpc_call(e, methods[i], &empty.base, &r);
        assert_int_equal(r.status, TFP_STATUS_OK);
        /* Every one of these responses carries an error diagnostic (so it is not empty). */
        assert_true(r.body.len > 0);
        rpc_reply_clear(&r);
    }
    /* One decoded in full. */
    Tfplugin6__ValidateDataResourceConfig__Request dreq =
        TFPLUGIN6__VALIDATE_DATA_RESOURCE_CONFIG__REQUEST__INIT;
    dreq.type_name = (char *)"dynamodb_table";
    struct tfp_reply r;
    rpc_call(e, methods[0], &dreq.base, &r);
    Tfplugin6__ValidateDataResourceConfig__Response *dresp = RPC_UNPACK_REPLY(
        Tfplugin6__ValidateDataResourceConfig__Response,
        tfplugin6__validate_data_resource_config__response,
        r);
    assert_non_null(dresp);
    assert_int_equal(dresp->n_diagnostics, 1);
    assert_non_null(strstr(dresp->diagnostics[0]->detail, "dynamodb_table"));
    protobuf_c_message_free_unpacked(&dresp->base, NULL);
    rpc_reply_clear(&r);
}

/* MoveResourceState of a state hashicorp/aws 5.100.0 wrote: the target state (this
 * resource's type, stack_id null) and an import's private bytes; another source refused
 * with an error and no state. */
void rpc_test_move_resource_state(void **state) {
    const struct rpc_env *e = *state;
    char *json = tt_read_file(TPD_TEST_DATA_DIR "/vectors/aws_dynamodb_table/full.json", NULL);
    assert_non_null(json);
    Tfplugin6__RawState rs = TFPLUGIN6__RAW_STATE__INIT;
    rs.json.data = (uint8_t *)json;
    rs.json.len = strlen(json);
    Tfplugin6__MoveResourceState__Request req = TFPLUGIN6__MOVE_RESOURCE_STATE__REQUEST__INIT;
    req.source_provider_address = (char *)"registry.terraform.io/hashicorp/aws";
    req.source_type_name = (char *)"aws_dynamodb_table";
    req.source_schema_version = 1;
    req.source_state = &rs;
    req.target_type_name = (char *)SCHEMA_RESOURCE_TTL_TABLE;
    struct tfp_reply r;
    rpc_call(e, "MoveResourceState", &req.base, &r);
    assert_int_equal(r.status, TFP_STATUS_OK);
    Tfplugin6__MoveResourceState__Response *resp = RPC_UNPACK_REPLY(
        Tfplugin6__MoveResourceState__Response, tfplugin6__move_resource_state__response, r);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING);
    assert_non_null(resp->target_state);
    struct tfv *v = NULL;
    assert_int_equal(
        tfv_decode_msgpack(
            (struct tpd_span){resp->target_state->msgpack.data, resp->target_state->msgpack.len},
            schema_ttl_table()->type,
            &v,
            NULL),
        TPD_OK);
    assert_string_equal(tfv_get_str(v, "name"), "cap-full");
    assert_string_equal(tfv_get_str(v, "stack_name"), "cap-full");
    assert_true(tfv_is_null(tfv_get(v, "stack_id")));
    tfv_free(v);
    char *priv = strndup((const char *)resp->target_private.data, resp->target_private.len);
    assert_non_null(priv);
    assert_non_null(strstr(priv, "\"imported\":true"));
    free(priv);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);

    req.source_provider_address = (char *)"registry.terraform.io/hashicorp/awscc";
    req.source_type_name = (char *)"awscc_dynamodb_table";
    rpc_call(e, "MoveResourceState", &req.base, &r);
    resp = RPC_UNPACK_REPLY(
        Tfplugin6__MoveResourceState__Response, tfplugin6__move_resource_state__response, r);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    assert_non_null(strstr(resp->diagnostics[0]->detail, "awscc_dynamodb_table"));
    assert_null(resp->target_state);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    rpc_reply_clear(&r);
    free(json);
}

/* ValidateDataResourceConfig of the data source: a bad name is an error on `name`; an
 * unknown one waits; ReadDataSource of an unconfigured provider is an error, no state. */
void rpc_test_data_source_config(void **state) {
    const struct rpc_env *e = *state;
    const struct schema_block *b = schema_data_source(SCHEMA_DATA_TTL_TABLE);
    assert_non_null(b);
    const char *names[] = {"x", "good-name", NULL};
    for (size_t i = 0; i < 3; i++) {
        struct tfv *cfg = tfv_new_object();
        tfv_map_set(cfg, "name", names[i] ? tfv_new_string(names[i]) : tfv_new_unknown());
        struct tpd_buf mp;
        tpd_buf_init(&mp, 0);
        assert_int_equal(tfv_encode_msgpack(cfg, b->type, &mp, NULL), TPD_OK);
        tfv_free(cfg);
        Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
        dv.msgpack.data = mp.ptr;
        dv.msgpack.len = mp.len;
        Tfplugin6__ValidateDataResourceConfig__Request req =
            TFPLUGIN6__VALIDATE_DATA_RESOURCE_CONFIG__REQUEST__INIT;
        req.type_name = (char *)SCHEMA_DATA_TTL_TABLE;
        req.config = &dv;
        struct tfp_reply r;
        rpc_call(e, rpc_name(e->proto, "ValidateDataResourceConfig"), &req.base, &r);
        assert_int_equal(r.status, TFP_STATUS_OK);
        Tfplugin6__ValidateDataResourceConfig__Response *resp = RPC_UNPACK_REPLY(
            Tfplugin6__ValidateDataResourceConfig__Response,
            tfplugin6__validate_data_resource_config__response,
            r);
        assert_non_null(resp);
        if (i == 0) {
            assert_int_equal(resp->n_diagnostics, 1);
            assert_string_equal(resp->diagnostics[0]->summary, "Invalid table name");
            assert_non_null(resp->diagnostics[0]->attribute);
            assert_string_equal(resp->diagnostics[0]->attribute->steps[0]->attribute_name, "name");
        } else {
            assert_int_equal(resp->n_diagnostics, 0);
        }
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        rpc_reply_clear(&r);
        if (i == 1) {
            Tfplugin6__ReadDataSource__Request rreq = TFPLUGIN6__READ_DATA_SOURCE__REQUEST__INIT;
            rreq.type_name = (char *)SCHEMA_DATA_TTL_TABLE;
            rreq.config = &dv;
            rpc_call(e, "ReadDataSource", &rreq.base, &r);
            Tfplugin6__ReadDataSource__Response *rresp = RPC_UNPACK_REPLY(
                Tfplugin6__ReadDataSource__Response, tfplugin6__read_data_source__response, r);
            assert_non_null(rresp);
            assert_null(rresp->state);
            assert_int_equal(rresp->n_diagnostics, 1);
            assert_string_equal(rresp->diagnostics[0]->summary, "Provider not configured");
            protobuf_c_message_free_unpacked(&rresp->base, NULL);
            rpc_reply_clear(&r);
        }
        tpd_buf_clear(&mp);
    }
}

/* Bytes that are no message of any type: a transport error naming the problem, for every
 * method of the table. */
void rpc_test_malformed_request(void **state) {
    const struct rpc_env *e = *state;
    size_t n = 0;
    const struct tfp_method *m = e->proto->methods(&n);
    static const uint8_t junk[][3] = {{0xff, 0xff, 0xff}, {0x0a, 0x05, 0x01}, {0x12, 0xff, 0x7f}};
    for (size_t k = 0; k < sizeof(junk) / sizeof(junk[0]); k++) {
        for (size_t i = 0; i < n; i++) {
            struct tfp_reply r;
            rpc_call_raw(e, &m[i], (struct tpd_span){junk[k], sizeof(junk[k])}, &r);
            if (r.status != TFP_STATUS_INVALID_ARGUMENT ||
                strstr(tpd_buf_cstr(&r.message), "malformed") == NULL) {
                fail_msg("%s with junk %zu: status %d", m[i].path, k, (int)r.status);
            }
            rpc_reply_clear(&r);
        }
    }
}
