/*
 * rpc_fixture: calling the RPC handlers of either protocol in tests (rpc_fixture.h).
 */
#include "rpc_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpc5.h"
#include "rpc6.h"
#include "schema.h"
#include "tfplugin5.pb-c.h"
#include "tfplugin6.pb-c.h"
#include "tfv.h"

const struct rpc_protocol rpc_protocol5 = {
    5, "/tfplugin5.Provider/", rpc5_methods, &tfplugin5__provider__descriptor};
const struct rpc_protocol rpc_protocol6 = {
    6, "/tfplugin6.Provider/", rpc6_methods, &tfplugin6__provider__descriptor};

/* proto/tfplugin5.proto and proto/tfplugin6.proto, service Provider. */
const char *const rpc_renamed[RPC_RENAMED_COUNT][2] = {
    {"GetProviderSchema", "GetSchema"},
    {"ValidateProviderConfig", "PrepareProviderConfig"},
    {"ValidateResourceConfig", "ValidateResourceTypeConfig"},
    {"ValidateDataResourceConfig", "ValidateDataSourceConfig"},
    {"ConfigureProvider", "Configure"},
    {"StopProvider", "Stop"},
};

const char *rpc_name(const struct rpc_protocol *p, const char *v6_name) {
    for (size_t i = 0; p->version == 5 && i < RPC_RENAMED_COUNT; i++) {
        if (strcmp(rpc_renamed[i][0], v6_name) == 0) {
            return rpc_renamed[i][1];
        }
    }
    return v6_name;
}

const struct tfp_method *rpc_find(const struct rpc_protocol *p, const char *name) {
    size_t n = 0;
    const struct tfp_method *m = p->methods(&n);
    char path[128];
    snprintf(path, sizeof(path), "%s%s", p->prefix, name);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(m[i].path, path) == 0) {
            return &m[i];
        }
    }
    return NULL;
}

int rpc_setup(void **state) {
    struct rpc_env *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return -1;
    }
    e->proto = *state;
    e->provider = provider_new();
    if (e->provider == NULL) {
        free(e);
        return -1;
    }
    *state = e;
    return 0;
}

int rpc_teardown(void **state) {
    struct rpc_env *e = *state;
    provider_free(e->provider);
    free(e);
    return 0;
}

void rpc_call_raw(
    const struct rpc_env *e, const struct tfp_method *m, struct tpd_span in, struct tfp_reply *r) {
    tpd_buf_init(&r->body, 0);
    tpd_buf_init(&r->message, 0);
    r->status = TFP_STATUS_OK;
    m->handler(e->provider, in, r);
}

void rpc_call(
    const struct rpc_env *e, const char *name, const ProtobufCMessage *req, struct tfp_reply *r) {
    const struct tfp_method *m = rpc_find(e->proto, name);
    if (m == NULL) {
        fail_msg("protocol %d has no method %s", e->proto->version, name);
    }
    uint8_t *buf = malloc(protobuf_c_message_get_packed_size(req) + 1);
    assert_non_null(buf);
    size_t len = protobuf_c_message_pack(req, buf);
    rpc_call_raw(e, m, (struct tpd_span){buf, len}, r);
    free(buf);
}

void rpc_reply_clear(struct tfp_reply *r) {
    tpd_buf_clear(&r->body);
    tpd_buf_clear(&r->message);
}

void rpc_provider_config(struct tpd_buf *out, const char *region) {
    struct tfv *cfg = tfv_new_object();
    tfv_map_set(cfg, "region", tfv_new_string(region));
    assert_int_equal(tfv_encode_msgpack(cfg, schema_provider()->type, out, NULL), TPD_OK);
    tfv_free(cfg);
}
