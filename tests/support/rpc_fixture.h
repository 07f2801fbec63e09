/*
 * rpc_fixture: the plugin's RPC handlers (provider/plugin/rpc5.c, rpc6.c) called through
 * their method tables, for tests/unit/test_rpc5.c and test_rpc6.c, and the cases both of
 * them run (rpc_cases.c, RPC_SHARED_TESTS).
 *
 * The shared cases cover the RPCs whose messages are the same on the wire in both
 * protocols (the table in provider/plugin/rpc5.c, which test_rpc5.c checks against the
 * generated descriptors): they pack tfplugin6 requests, read tfplugin6 responses, and
 * call the method by its name in the protocol under test, so that one case runs against
 * both tables. What differs (the schema, provider configuration) is tested in each file.
 *
 * Ownership: a reply filled by rpc_call is the caller's (rpc_reply_clear); the protocol
 * descriptions are static. Threads: one test at a time.
 */
#ifndef TPD_RPC_FIXTURE_H
#define TPD_RPC_FIXTURE_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "provider.h"
#include "server.h"
#include "tpd_buf.h"

struct rpc_protocol {
    int version;                                   /* 5 or 6 */
    const char *prefix;                            /* "/tfplugin5.Provider/" */
    const struct tfp_method *(*methods)(size_t *); /* rpc5_methods, rpc6_methods */
    const ProtobufCServiceDescriptor *service;     /* from proto/tfplugin<version>.proto */
};
extern const struct rpc_protocol rpc_protocol5, rpc_protocol6;

/* The RPCs named differently in the two protocols: {protocol 6 name, protocol 5 name}. */
#define RPC_RENAMED_COUNT 6
extern const char *const rpc_renamed[RPC_RENAMED_COUNT][2];

/* The name in p of the RPC called v6_name in protocol 6. */
const char *rpc_name(const struct rpc_protocol *p, const char *v6_name);

/* The entry of p's table for the method called name in p (NULL: none). */
const struct tfp_method *rpc_find(const struct rpc_protocol *p, const char *name);

/* The state of a test: the protocol under test and a fresh provider. */
struct rpc_env {
    const struct rpc_protocol *proto;
    struct provider *provider;
};
/* cmocka setup and teardown: *state is the struct rpc_protocol on entry (the test's
 * initial state), a struct rpc_env during the test. */
int rpc_setup(void **state);
int rpc_teardown(void **state);
#define RPC_TEST(f, proto)                                                                         \
    { #f, f, rpc_setup, rpc_teardown, (void *)&(proto) }

/* Call the method called name in e's protocol with req packed; the method must exist. */
void rpc_call(
    const struct rpc_env *e, const char *name, const ProtobufCMessage *req, struct tfp_reply *r);
/* Call a handler with raw request bytes. */
void rpc_call_raw(
    const struct rpc_env *e, const struct tfp_method *m, struct tpd_span in, struct tfp_reply *r);
void rpc_reply_clear(struct tfp_reply *r);

/* The reply body unpacked as T (lc: its generated lower-case name); NULL if it is not one. */
#define RPC_UNPACK_REPLY(T, lc, r)                                                                 \
    ((T *)protobuf_c_message_unpack(&lc##__descriptor, NULL, (r).body.len, (r).body.ptr))

/* The provider configuration {region = region} as msgpack, appended to out. */
void rpc_provider_config(struct tpd_buf *out, const char *region);

/* The cases of rpc_cases.c, run by test_rpc5.c and test_rpc6.c against their protocol. */
void rpc_test_method_table(void **state);
void rpc_test_get_metadata(void **state);
void rpc_test_unknown_resource_type(void **state);
void rpc_test_resource_config_paths(void **state);
void rpc_test_upgrade_resource_state(void **state);
void rpc_test_functions_and_stop(void **state);
void rpc_test_unsupported_features(void **state);
void rpc_test_malformed_request(void **state);
void rpc_test_move_resource_state(void **state);
void rpc_test_data_source_config(void **state);
#define RPC_SHARED_TESTS(proto)                                                                    \
    RPC_TEST(rpc_test_method_table, proto), RPC_TEST(rpc_test_get_metadata, proto),                \
        RPC_TEST(rpc_test_unknown_resource_type, proto),                                           \
        RPC_TEST(rpc_test_resource_config_paths, proto),                                           \
        RPC_TEST(rpc_test_upgrade_resource_state, proto),                                          \
        RPC_TEST(rpc_test_functions_and_stop, proto),                                              \
        RPC_TEST(rpc_test_unsupported_features, proto),                                            \
        RPC_TEST(rpc_test_malformed_request, proto),                                               \
        RPC_TEST(rpc_test_move_resource_state, proto),                                             \
        RPC_TEST(rpc_test_data_source_config, proto)

#endif
